// `tars route`: which endpoint a call to an object would go to, and why, step by step as the client gets there: the
// registry's answer (which QueryF function, IDC group or SET filtering), the client's own SET filter, the endpoints
// it would block (those that fail a tars_ping now), the load-balancing rule and the pick. The pick is made by the
// runtime's EndpointManager, the same code every proxy uses.
import type {Endpoint, EndpointManager as EndpointManagerClass, HashType} from '@tars-ts/core';

/** One endpoint as the registry lists it. */
export interface ListedEndpoint {
  readonly endpoint: Endpoint;
  /** Active in the registry (its server runs on a live node). */
  readonly active: boolean;
  readonly node: string;
  /** The IDC group the registry routes it by (groupworkid; -1: grouping off for its server). */
  readonly group: number;
  readonly setId: string;
}

/** The IDC groups (RegistryCtl.listGroups). */
export interface IdcRules {
  readonly groups: readonly {groupId: number; name: string; ipRule: string}[];
  readonly priorities: readonly {id: string; order: number; groupList: string}[];
}

/** What a running caller's runtime knows of its endpoints (`tars.viewproxy --json` of one instance). */
export interface CallerView {
  /** Who: `App.Server on NODE`. */
  readonly caller: string;
  /** The caller's clock when it answered, ms. */
  readonly now: number;
  readonly proxies: readonly {obj: string; endpoints: readonly {endpoint: string; state: string;
    consecutiveFailures: number; unusableSince?: number; reason?: string; blockedUntil?: number}[]}[];
}

/** What a tars_ping of an endpoint gave. */
export type Probe = {ms: number} | {error: string; code: number};

/** Why an endpoint is or is not among the ones a call may go to. */
export type EndpointVerdict = 'candidate' | 'blocked' | 'inactive' | 'other-group' | 'other-set';

/** One endpoint's row of the explanation. */
export interface RouteEndpointJson {
  endpoint: string;
  node: string;
  group: number;
  set: string;
  verdict: EndpointVerdict;
  why: string;
  ping?: Probe;
  /** With --from: how each instance of the caller sees it (absent for an instance that has not used it). */
  seenBy?: {caller: string; state: string; failures: number; since?: string; reason?: string; nextProbe?: string}[];
}

/** `tars route --json`. */
export interface RouteJson {
  obj: string;
  /** The registry lookup the client makes, and for which caller. */
  query: {function: 'findObjectByIdInSameGroup' | 'findObjectByIdInSameSet'; set?: string; caller: string;
    callerGroup?: number; rule: string};
  endpoints: RouteEndpointJson[];
  balancer: string;
  hash?: {key: string; value: number; type: HashType};
  /** The endpoint the call goes to, or null when there is none at all. */
  pick: string | null;
  /** How the pick was made, in words. */
  reason: string;
  /** Round robin without a hash: the order calls rotate in. */
  rotation?: string[];
}

/** What the explanation is made from. */
export interface RouteInput {
  readonly obj: string;
  /** Every endpoint, active or not (QueryF.findObjectById4Any). */
  readonly all: readonly ListedEndpoint[];
  /** The caller's SET (name.area.group), if it is in one. */
  readonly set?: string | undefined;
  /** The caller's IP for the IDC group rule; undefined: this host, as the registry saw it (`registryAnswer`). */
  readonly fromIp?: string | undefined;
  /** The registry's own answer to this host (active endpoints' keys), used when `fromIp` is not given. */
  readonly registryAnswer?: readonly string[] | undefined;
  readonly rules: IdcRules;
  readonly probes: ReadonlyMap<string, Probe>;
  readonly hash?: {key: string; type: HashType} | undefined;
  /** With --from: the callers' own views; an endpoint one of them has blocked is blocked here too. */
  readonly callers?: readonly CallerView[] | undefined;
}

/** The IDC group of `ip` by the rules: an exact entry, else its /24's `a.b.c.*` entry; -1 when none. */
export function groupOfIp(rules: IdcRules, ip: string): number {
  let byIp: number | undefined;
  let byNet: number | undefined;
  const net = /^(\d{1,3}\.\d{1,3}\.\d{1,3})\.\d{1,3}$/.exec(ip)?.[1];
  for (const g of [...rules.groups].sort((a, b) => a.groupId - b.groupId)) {
    for (const entry of g.ipRule.split('|').map((s) => s.trim())) {
      if (entry === ip) byIp = g.groupId;
      if (net && entry === `${net}.*`) byNet = g.groupId;
    }
  }
  return byIp ?? byNet ?? -1;
}

/**
 * The registry's IDC rule for a caller in `callerGroup`, over the active endpoints: its own group; else the first
 * fallback row (by order) that contains its group; else the endpoints with grouping off; else every one. Returns the
 * keys kept and the rule in words.
 */
export function groupRule(active: readonly ListedEndpoint[], rules: IdcRules, callerGroup: number, key: (e: Endpoint) => string):
  {kept: Set<string>; rule: string} {
  const keys = (list: readonly ListedEndpoint[]) => new Set(list.map((e) => key(e.endpoint)));
  if (callerGroup === -1) return {kept: keys(active), rule: 'the caller is in no IDC group: every active endpoint'};
  const own = active.filter((e) => e.group === callerGroup);
  if (own.length > 0) return {kept: keys(own), rule: `the caller's IDC group ${callerGroup}`};
  for (const row of [...rules.priorities].sort((a, b) => a.order - b.order)) {
    const ids = new Set(row.groupList.split(/[|,;]/).filter((s) => s.trim() !== '').map((s) => Number.parseInt(s, 10) || 0));
    if (!ids.has(callerGroup)) continue;
    const inRow = active.filter((e) => ids.has(e.group));
    if (inRow.length > 0) return {kept: keys(inRow), rule: `group ${callerGroup} has none: fallback row ${row.id} (groups ${[...ids].join(', ')})`};
  }
  const ungrouped = active.filter((e) => e.group === -1);
  if (ungrouped.length > 0) return {kept: keys(ungrouped), rule: `group ${callerGroup} has none: the endpoints with grouping off`};
  return {kept: keys(active), rule: `group ${callerGroup} has none and no fallback applies: every active endpoint`};
}

/**
 * Explains the route. The endpoints a call may take are the registry's answer (or, for `fromIp`, the IDC rule applied
 * here), narrowed by the caller's SET; those whose probe failed are reported failing to an EndpointManager until it
 * blocks them, as a running client's would be; then the manager picks (by `hash`, or by its balancer).
 */
export async function explainRoute(input: RouteInput): Promise<RouteJson> {
  const {EndpointManager, endpointKey, formatEndpoint, hashOf, parseEndpoint, parseSetId, selectBySet} =
    await import('@tars-ts/core');
  const key = (e: Endpoint) => endpointKey(e);
  const setId = parseSetId(input.set);
  const active = input.all.filter((e) => e.active);

  let query: RouteJson['query'];
  let kept: Set<string>;
  if (input.fromIp !== undefined || input.registryAnswer === undefined) {
    const callerGroup = groupOfIp(input.rules, input.fromIp ?? '');
    const grouped = groupRule(active, input.rules, callerGroup, key);
    kept = grouped.kept;
    query = {function: setId ? 'findObjectByIdInSameSet' : 'findObjectByIdInSameGroup', caller: input.fromIp ?? '',
      callerGroup, rule: grouped.rule};
  } else {
    kept = new Set(input.registryAnswer);
    query = {function: setId ? 'findObjectByIdInSameSet' : 'findObjectByIdInSameGroup', caller: 'this host',
      rule: 'as the registry answered this host'};
  }
  /** Endpoints the SET rule leaves out (empty when the caller is in no SET or the object has none in its SET). */
  const setDropped = new Set<string>();
  if (setId) {
    query.set = input.set!;
    // the SET rule (the registry's findObjectByIdInSameSet, and every client again on its list)
    const inSet = new Set(selectBySet(active.map((e) => e.endpoint), setId).map(key));
    const setApplies = active.some((e) => parseSetId(e.setId)?.name === setId.name);
    if (setApplies) {
      for (const e of active) if (!inSet.has(key(e.endpoint))) setDropped.add(key(e.endpoint));
      kept = new Set(active.map((e) => key(e.endpoint)).filter((k) => inSet.has(k)));
      query.rule = `SET ${input.set}: ${setId.group === '*' ? `every group of ${setId.name}.${setId.area}` : `the SET's ` +
        `own group, else ${setId.name}.${setId.area}.*`}`;
    } else {
      query.rule = `no instance is in SET ${setId.name}: ${query.rule}`;
    }
  }

  /** Each endpoint's views by the callers (--from), by key. */
  const seen = new Map<string, NonNullable<RouteEndpointJson['seenBy']>>();
  for (const view of input.callers ?? []) {
    for (const proxy of view.proxies.filter((p) => p.obj === input.obj)) {
      for (const e of proxy.endpoints) {
        let k: string;
        try {
          k = key(parseEndpoint(e.endpoint));
        } catch {
          continue;
        }
        const iso = (ms: number | undefined) => ms === undefined ? undefined : new Date(ms).toISOString();
        seen.set(k, [...seen.get(k) ?? [], {caller: view.caller, state: e.state, failures: e.consecutiveFailures,
          ...(e.unusableSince !== undefined ? {since: iso(e.unusableSince), reason: e.reason} : {}),
          ...(e.blockedUntil !== undefined ? {nextProbe: iso(e.blockedUntil)} : {})}]);
      }
    }
  }
  const blockedBy = (k: string) => seen.get(k)?.find((v) => v.state !== 'active');

  const rows: RouteEndpointJson[] = [];
  const candidates: Endpoint[] = [];
  for (const e of input.all) {
    const k = key(e.endpoint);
    const probe = input.probes.get(k);
    const base = {endpoint: formatEndpoint(e.endpoint), node: e.node, group: e.group, set: e.setId,
      ...(probe ? {ping: probe} : {}), ...(seen.has(k) ? {seenBy: seen.get(k)} : {})};
    const byCaller = blockedBy(k);
    if (!e.active) {
      rows.push({...base, verdict: 'inactive', why: 'the registry lists it inactive (its server is stopped or its node silent)'});
    } else if (setDropped.has(k)) {
      rows.push({...base, verdict: 'other-set', why: `${e.setId ? `in SET ${e.setId}` : 'in no SET'}: not the caller's`});
    } else if (!kept.has(k)) {
      rows.push({...base, verdict: 'other-group', why: `in IDC group ${e.group}: left out (${query.rule})`});
    } else if (byCaller) {
      rows.push({...base, verdict: 'blocked', why: `${byCaller.caller} has it ${byCaller.state}` +
        `${byCaller.since ? ` since ${byCaller.since} (${byCaller.reason})` : ''}` +
        `${byCaller.nextProbe ? `, probes it again at ${byCaller.nextProbe}` : ''}`});
      candidates.push(e.endpoint);
    } else if (probe && 'error' in probe) {
      rows.push({...base, verdict: 'blocked', why: `does not answer now (${probe.error}): a client blocks it after its ` +
        'failures and probes it again later'});
      candidates.push(e.endpoint);
    } else {
      rows.push({...base, verdict: 'candidate', why: 'a call may go here'});
      candidates.push(e.endpoint);
    }
  }

  // A client that has met these failures for a while: its clock moves a second per failure, so the time rules of
  // blocking (consecutive timeouts over some seconds) apply as they would in a running process.
  let now = 0;
  const manager: EndpointManagerClass = new EndpointManager({clock: {now: () => now}});
  manager.setEndpoints(candidates);
  const failing = candidates.flatMap((e) => {
    const probe = input.probes.get(key(e));
    if (blockedBy(key(e))) return [{e, outcome: 'connect-failure' as const}];
    return probe && 'error' in probe ? [{e, outcome: probe.code === -7 ? 'timeout' as const : 'connect-failure' as const}] : [];
  });
  // all failing together, so that the first blocked is not due for its retry probe before the last is blocked
  for (let i = 0; i < 100; i++) {
    const stillActive = failing.filter(({e}) => manager.health().find((h) => h.key === key(e))?.state === 'active');
    if (stillActive.length === 0) break;
    for (const {e, outcome} of stillActive) manager.report(e, outcome);
    now += 1000;
  }
  const balancer = manager.snapshot.balancer;
  const usable = manager.snapshot.active.length;
  const json: RouteJson = {obj: input.obj, query, endpoints: rows, balancer, pick: null, reason: ''};
  if (candidates.length === 0) {
    json.reason = input.all.length === 0 ? 'the registry knows no endpoint of the object'
      : 'no endpoint is left after the registry\'s and the SET rules: a call fails with -10 (TARSADAPTERNULL)';
    return json;
  }
  if (input.hash) {
    const value = hashOf(input.hash.key);
    json.hash = {key: input.hash.key, value, type: input.hash.type};
    const picked = manager.pick({hash: value, hashType: input.hash.type});
    json.pick = picked.kind === 'ok' ? formatEndpoint(picked.endpoint) : null;
    json.reason = picked.kind !== 'ok' ? picked.reason : picked.forced ? 'every endpoint is blocked: one is tried anyway'
      : `${input.hash.type === 'consistent' ? 'consistent hash ring' : 'modulo hash'} of "${input.hash.key}" (${value}) ` +
        `over ${usable} usable endpoint(s): the same key always lands here while the list stays the same`;
    return json;
  }
  const picks: string[] = [];
  for (let i = 0; i < Math.max(1, usable); i++) {
    const picked = manager.pick();
    if (picked.kind !== 'ok') break;
    picks.push(formatEndpoint(picked.endpoint));
    if (picked.forced) break;
  }
  json.pick = picks[0] ?? null;
  if (usable === 0) {
    json.reason = 'every endpoint is blocked: a client tries one anyway, rotating, and the first success brings traffic back';
  } else if (balancer === 'weighted') {
    json.reason = `weighted over ${usable} usable endpoint(s) (-w weights): calls are spread by weight`;
    json.rotation = picks;
  } else {
    json.reason = `${balancer} over ${usable} usable endpoint(s): each call takes the next; which one is next depends ` +
      'on the caller\'s position in the rotation';
    json.rotation = picks;
  }
  return json;
}

/** The explanation as text: the lookup, every endpoint with its verdict, the rule and the pick. */
export function routeLines(r: RouteJson): string[] {
  const width = Math.max(...r.endpoints.map((e) => e.endpoint.length + (e.node ? e.node.length + 8 : 0)), 10);
  const ping = (p: Probe | undefined) => !p ? '' : 'ms' in p ? `ping ${p.ms.toFixed(2)} ms` : `ping failed: ${p.error}`;
  return [
    `route ${r.obj}`,
    `  1. registry  ${r.query.function}${r.query.set ? `(${r.query.set})` : ''} for ${r.query.caller}` +
      `${r.query.callerGroup !== undefined ? ` (IDC group ${r.query.callerGroup})` : ''}: ${r.query.rule}`,
    '  2. endpoints',
    ...r.endpoints.flatMap((e) => [`       ${`${e.endpoint}${e.node ? ` (node ${e.node})` : ''}`.padEnd(width)}  ` +
      `${e.verdict.toUpperCase().padEnd(11)} ${e.why}${e.ping ? `; ${ping(e.ping)}` : ''}`,
    ...(e.seenBy ?? []).map((v) => `         seen by ${v.caller}: ${v.state}, ${v.failures} failure(s) in a row` +
      `${v.since ? `, since ${v.since} (${v.reason})` : ''}`)]),
    `  3. balancer  ${r.hash ? `${r.hash.type} hash of "${r.hash.key}" = ${r.hash.value}` : r.balancer}`,
    `  4. pick      ${r.pick ?? 'none'}: ${r.reason}`,
    ...r.rotation && r.rotation.length > 1 ? [`     rotation  ${r.rotation.join('  ->  ')}`] : [],
  ];
}
