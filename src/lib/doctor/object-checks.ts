// What `tars doctor App.Server.Obj` checks, in the order a person on call would: is the object in the registry, is
// its server deployed and running on live nodes, does every endpoint answer tars_ping, do recent call statistics show
// timeouts or failures, and what the last notifications say. Each check gives a finding with a next step; a check
// whose daemon does not answer is skipped, naming it, and the rest goes on.
import type {Communicator} from '@tars-ts/core';

/** How one check came out. */
export type Verdict = 'ok' | 'warn' | 'fail' | 'skip';

/** One finding: which check, its verdict, what it saw, and what to do next. */
export interface Finding {
  check: 'registry' | 'deployment' | 'ping' | 'stats' | 'notify';
  verdict: Verdict;
  detail: string;
  next?: string;
}

/** `tars doctor OBJ --json`. */
export interface ObjectDiagnosis {
  obj: string;
  findings: Finding[];
  problems: number;
  warnings: number;
}

const REGISTRY_CTL_OBJ = 'tars.tarsregistry.RegistryCtlObj';
const STAT_QUERY_OBJ = 'tars.tarsstat.StatQueryObj';
const LOG_QUERY_OBJ = 'tars.tarslog.LogQueryObj';

/** Minutes of call statistics the stats check looks at. */
export const STATS_MINUTES = 15;

/** Notifications the notify check reads, newest first. */
const NOTIFY_LIMIT = 5;

/** What the checks need. */
export interface DoctorContext {
  /** Resolves names through the registry (its locator set). */
  readonly communicator: Communicator;
  /** The registry's QueryObj with endpoints. */
  readonly locator: string;
  /** Each call's timeout, ms. */
  readonly timeoutMs: number;
  /** ms since the epoch (injectable for tests). */
  readonly now?: () => number;
}

const firstLine = (error: unknown): string => (error as Error).message.split('\n')[0]!;

/**
 * Runs every check on `obj` (App.Server.Obj). Never throws for what it finds: a daemon that does not answer is a
 * `skip` finding (or a `fail` for the registry, without which nothing else can be known).
 */
export async function diagnoseObject(ctx: DoctorContext, obj: string): Promise<ObjectDiagnosis> {
  const [app, server] = obj.split('.') as [string, string, string];
  const serverId = `${app}.${server}`;
  const findings: Finding[] = [];
  const {QueryF, RegistryCtl, StatQuery, LogQuery} = await import('@tars-ts/core/framework');
  const {formatEndpoint, fromEndpointF, closestName, returnCodeName, TarsCallError} = await import('@tars-ts/core');
  const opts = {timeout: ctx.timeoutMs};
  const query = ctx.communicator.stringToProxy(QueryF.QueryFProxy, ctx.locator, opts);
  const ctl = ctx.communicator.stringToProxy(RegistryCtl.RegistryCtlProxy, REGISTRY_CTL_OBJ, opts);

  // 1. the registry's answer, every endpoint without group filtering
  let endpoints: {text: string; active: boolean; node: string}[] = [];
  try {
    const {activeEp, inactiveEp} = await query.findObjectById4Any(obj);
    const text = (e: Parameters<typeof fromEndpointF>[0]) => formatEndpoint(fromEndpointF(e));
    endpoints = [...activeEp.map((e) => ({text: text(e), active: true, node: e.nodeName})),
      ...inactiveEp.map((e) => ({text: text(e), active: false, node: e.nodeName}))];
    if (endpoints.length === 0) {
      let guess: string | undefined;
      try {
        guess = closestName(obj, (await ctl.listObjects('')).objects.map((o) => o.name));
      } catch {
        // no list: no suggestion
      }
      findings.push({check: 'registry', verdict: 'fail', detail: `the registry knows no endpoint of ${obj}` +
        (guess ? ` (did you mean ${guess}?)` : ''), next: guess ? `tars doctor ${guess}` : `tars registry list ${app}`});
    } else {
      const inactive = inactiveEp.length;
      findings.push({check: 'registry', verdict: activeEp.length === 0 ? 'fail' : inactive > 0 ? 'warn' : 'ok',
        detail: `${activeEp.length} active, ${inactive} inactive endpoint(s)` +
          (activeEp.length === 0 ? ': callers get -10 (TARSADAPTERNULL) or keep their old list' : ''),
        ...(activeEp.length === 0 || inactive > 0 ? {next: `tars registry find ${obj}`} : {})});
    }
  } catch (error) {
    findings.push({check: 'registry', verdict: 'fail', detail: `the registry did not answer: ${firstLine(error)}`,
      next: 'tars registry status (or tars cluster status)'});
    return summary(obj, findings);
  }

  // 2. the deployment: each instance's setting and present state, and its node
  try {
    const [{servers}, {nodes}] = await Promise.all([ctl.listServers(''), ctl.listNodes()]);
    const mine = servers.filter((s) => s.application === app && s.serverName === server);
    const alive = new Map(nodes.map((n) => [n.name, n.alive]));
    if (mine.length === 0) {
      findings.push({check: 'deployment', verdict: endpoints.length > 0 ? 'ok' : 'fail',
        detail: endpoints.length > 0 ? `${serverId} is not deployed by a node: its endpoints were added by hand`
          : `${serverId} is not deployed`, ...(endpoints.length > 0 ? {} : {next: `tars server deploy ${serverId} --package DIR`})});
    }
    for (const s of mine) {
      const where = `${serverId} on ${s.nodeName}`;
      if (alive.get(s.nodeName) !== true) {
        findings.push({check: 'deployment', verdict: 'fail', detail: `${where}: the node is silent (no heart-beat)`,
          next: 'tars node list'});
      } else if (s.settingState !== 'active') {
        findings.push({check: 'deployment', verdict: 'warn', detail: `${where}: stopped (setting ${s.settingState}, ` +
          `present ${s.presentState})`, next: `tars server start ${serverId}`});
      } else if (s.presentState !== 'active') {
        findings.push({check: 'deployment', verdict: 'fail', detail: `${where}: should run (setting active) but is ` +
          `${s.presentState}`, next: `tars server status ${serverId}; tars server logs ${serverId}`});
      } else {
        findings.push({check: 'deployment', verdict: 'ok', detail: `${where}: active (pid ${s.processId || '?'}` +
          `${s.version ? `, ${s.version}` : ''})`});
      }
    }
  } catch (error) {
    findings.push({check: 'deployment', verdict: 'skip', detail: `the registry's RegistryCtlObj did not answer: ${firstLine(error)}`});
  }

  // 3. tars_ping of every endpoint, active or not
  if (endpoints.length > 0) {
    const proxy = ctx.communicator.objectProxy(`${obj}@${endpoints.map((e) => e.text).join(':')}`);
    const pings = await proxy.ping({timeout: Math.min(ctx.timeoutMs, 3000)});
    for (const e of endpoints) {
      const p = pings.find((x) => formatEndpoint(x.endpoint) === e.text);
      const where = `${e.text}${e.node ? ` (node ${e.node})` : ''}`;
      if (!p || p.error) {
        const code = p?.error instanceof TarsCallError ? p.error.returnCode : p?.error?.wireCode ?? 0;
        findings.push({check: 'ping', verdict: e.active ? 'fail' : 'ok', detail: `${where} ${e.active ? 'is listed ' +
          'active but ' : 'is inactive and '}does not answer: ${code ? `${code} ${returnCodeName(code)}` : firstLine(p?.error)}`,
        ...(e.active ? {next: `tars doctor ${code || -8}`} : {})});
      } else {
        findings.push({check: 'ping', verdict: e.active ? 'ok' : 'warn', detail: `${where} answers in ` +
          `${p.ms!.toFixed(2)} ms${e.active ? '' : ' although the registry lists it inactive'}`,
        ...(e.active ? {} : {next: `tars server status ${serverId}`})});
      }
    }
  }

  // 4. the last minutes of call statistics, as the server's callers and the server itself reported them
  try {
    const stat = ctx.communicator.stringToProxy(StatQuery.StatQueryProxy, STAT_QUERY_OBJ, opts);
    const {series} = await stat.liveStats(StatQuery.StatQueryRequest.create({by: 'callee', app, server,
      minutes: STATS_MINUTES}));
    let calls = 0n;
    let timeouts = 0n;
    let failed = 0n;
    for (const s of series) {
      if (!s.total) continue;
      calls += BigInt(s.total.count);
      timeouts += BigInt(s.total.timeoutCount);
      failed += BigInt(s.total.execCount);
    }
    const all = calls + timeouts + failed;
    if (all === 0n) {
      findings.push({check: 'stats', verdict: 'ok', detail: `no call reported in the last ${STATS_MINUTES} minutes`});
    } else {
      const pct = (n: bigint) => `${(Number(n) * 100 / Number(all)).toFixed(1)}%`;
      const bad = timeouts + failed;
      findings.push({check: 'stats', verdict: bad === 0n ? 'ok' : Number(bad) * 100 >= Number(all) ? 'fail' : 'warn',
        detail: `last ${STATS_MINUTES} min: ${all} calls, ${timeouts} timeouts (${pct(timeouts)}), ${failed} failed ` +
          `(${pct(failed)})`, ...(bad === 0n ? {} : {next: `tars stat query --app ${app} --server ${server} --by interface --since ${STATS_MINUTES}m`})});
    }
  } catch (error) {
    findings.push({check: 'stats', verdict: 'skip', detail: `the stat daemon did not answer: ${firstLine(error)}`});
  }

  // 5. the newest notifications of the server (restarts, alarms, errors it reported)
  try {
    const log = ctx.communicator.stringToProxy(LogQuery.LogQueryProxy, LOG_QUERY_OBJ, opts);
    const {entries} = await log.listNotify(LogQuery.NotifyQuery.create({app, server, limit: NOTIFY_LIMIT}));
    const newest = [...entries].sort((a, b) => Number(b.time) - Number(a.time));
    const hourAgo = (ctx.now ?? Date.now)() - 3600_000;
    const alarming = newest.filter((e) => Number(e.time) >= hourAgo && /error|alarm/i.test(e.command));
    if (newest.length === 0) {
      findings.push({check: 'notify', verdict: 'ok', detail: 'no notification'});
    } else {
      const last = newest[0]!;
      findings.push({check: 'notify', verdict: alarming.length > 0 ? 'warn' : 'ok', detail: `${alarming.length} ` +
        `error/alarm notification(s) in the last hour; newest: ${new Date(Number(last.time)).toISOString()} ` +
        `${last.command} ${last.message.split('\n')[0]}`, ...(alarming.length > 0 ? {next: `tars notify list --app ${app} --server ${server}`} : {})});
    }
  } catch (error) {
    findings.push({check: 'notify', verdict: 'skip', detail: `the log daemon did not answer: ${firstLine(error)}`});
  }
  return summary(obj, findings);
}

function summary(obj: string, findings: Finding[]): ObjectDiagnosis {
  return {obj, findings, problems: findings.filter((f) => f.verdict === 'fail').length,
    warnings: findings.filter((f) => f.verdict === 'warn').length};
}
