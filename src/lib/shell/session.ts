// One `tars shell` session: one communicator (through the cluster's registry) for every command, the `use` and
// `.json` in effect, and the caches completion reads (the registry's objects, each object's interface). Each command
// reuses what its own CLI command runs (runCall, runPing, runDescribe, the registry's and the stat daemon's
// queries); an error ends the command, printed as `tars call` prints it, never the session.
import type {Communicator} from '@tars-ts/core';
import {type ResolvedTarget, UserError, errorLines, errorReport, renderTable} from '@tars-ts/kit';

import {type CompletionSource, type FunctionNames, completeLine} from './complete.js';
import {BENCH_LIMITS, COMMAND_HELP, SHELL_COMMANDS, checkUse, parseCallWords, qualifyObject, splitLine,
  targetOfCall} from './line.js';
import {STAT_MINUTES, type StatJson, statRows} from './stat.js';

const REGISTRY_CTL_OBJ = 'tars.tarsregistry.RegistryCtlObj';
const STAT_QUERY_OBJ = 'tars.tarsstat.StatQueryObj';

/** How long the registry's object list serves completion before it is asked again, ms. */
export const OBJECTS_TTL_MS = 10_000;
/** How long a failure to get an object's interface is remembered (completion does not ask again meanwhile), ms. */
const NO_INTERFACE_TTL_MS = 10_000;

/** What a session is made with. */
export interface SessionOptions {
  /** The session's communicator, its locator set (the registry's QueryObj); the session's owner closes it. */
  comm: Communicator;
  /** The registry's QueryObj with endpoints. */
  locator: string;
  /** Each call's timeout, ms. */
  timeout: number;
  cacheDir?: string | undefined;
  token?: string | undefined;
  /** Where .tars files and a project's config.conf are looked for (as `tars call` does in its working directory). */
  cwd: string;
  /** Answers as JSON from the start (`tars shell --json`). */
  json?: boolean;
  /** Where answers go (stdout). */
  out: (text: string) => void;
  /** Where errors and notes go (stderr). */
  err: (text: string) => void;
}

/** What a line did: its exit code (as the CLI command would exit), and whether it ends the session. */
export interface LineResult {
  code: number;
  quit?: true;
}

/** A running session. */
export class ShellSession implements CompletionSource {
  /** `App.Server` names are shortened under (`use`). */
  use: string | undefined;
  json: boolean;
  private objectsCache: {at: number; names: readonly string[]} | undefined;
  private readonly interfaces = new Map<string, {at: number; functions: readonly FunctionNames[] | undefined}>();

  constructor(private readonly options: SessionOptions) {
    this.json = options.json ?? false;
  }

  /** The prompt: `tars> `, or `tars App.Server> ` under `use`. */
  get prompt(): string {
    return this.use ? `tars ${this.use}> ` : 'tars> ';
  }

  /** Runs one line; never throws: a failed command prints its error and gives its exit code. */
  async run(line: string, signal?: AbortSignal): Promise<LineResult> {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return {code: 0};
    try {
      const split = splitLine(trimmed);
      if (split.open) throw new UserError('a quote is left open', {hint: 'close it: call Obj.Func \'{"a": 1}\''});
      return await this.dispatch(split.words, signal);
    } catch (error) {
      const report = errorReport(error, 'shell');
      if (this.json) this.options.out(JSON.stringify(report.json, null, 2));
      else this.options.err(errorLines(report, error).join('\n'));
      return {code: report.exit};
    }
  }

  /** Completion of `line` (the text before the cursor), from the session's caches. */
  complete(line: string): ReturnType<typeof completeLine> {
    return completeLine(line, this);
  }

  private async dispatch(words: string[], signal: AbortSignal | undefined): Promise<LineResult> {
    const [command, ...rest] = words as [string, ...string[]];
    switch (command) {
      case 'exit': case 'quit': return {code: 0, quit: true};
      case 'help': return this.help(rest[0]);
      case '.json': return this.setJson(rest);
      case 'use': return this.setUse(rest);
      case 'call': return this.call(rest);
      case 'bench': return this.bench(rest, signal);
      case 'ping': return this.ping(this.oneObject(command, rest));
      case 'describe': return this.describe(this.oneObject(command, rest));
      case 'find': return this.find(this.oneObject(command, rest));
      case 'servers': return this.servers(rest);
      case 'stat': return this.stat(rest);
      default: {
        const {closestName} = await import('@tars-ts/core');
        const near = closestName(command, [...SHELL_COMMANDS]);
        throw new UserError(`"${command}" is not a shell command${near ? `; did you mean "${near}"?` : ''}`,
          {hint: `commands: ${SHELL_COMMANDS.join(', ')} (help CMD for one)`});
      }
    }
  }

  private print(json: unknown, text: () => string | Promise<string>): Promise<LineResult> | LineResult {
    if (this.json) {
      this.options.out(JSON.stringify(json, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2));
      return {code: 0};
    }
    return Promise.resolve(text()).then((t) => {
      this.options.out(t);
      return {code: 0};
    });
  }

  private help(name: string | undefined): LineResult {
    if (name !== undefined) {
      const entry = COMMAND_HELP[name];
      if (!entry) {
        throw new UserError(`no command "${name}"`, {hint: `commands: ${SHELL_COMMANDS.join(', ')}`});
      }
      this.options.out([entry.usage, `  ${entry.summary}`, ...(entry.more ? [`  ${entry.more}`] : [])].join('\n'));
      return {code: 0};
    }
    const shown = SHELL_COMMANDS.filter((c) => c !== 'quit').map((c) => COMMAND_HELP[c]!);
    const width = Math.max(...shown.map((e) => e.usage.length));
    this.options.out(['commands (Tab completes commands, objects, functions and --data keys; help CMD for more):',
      ...shown.map((e) => `  ${e.usage.padEnd(width)}  ${e.summary}`)].join('\n'));
    return {code: 0};
  }

  private setJson(words: string[]): LineResult {
    if (words.length === 0) {
      this.options.out(`.json is ${this.json ? 'on' : 'off'}`);
      return {code: 0};
    }
    if (words.length !== 1 || (words[0] !== 'on' && words[0] !== 'off')) {
      throw new UserError(`.json takes on or off, not "${words.join(' ')}"`, {hint: '.json on'});
    }
    this.json = words[0] === 'on';
    return {code: 0};
  }

  private async setUse(words: string[]): Promise<LineResult> {
    if (words.length > 1) throw new UserError('use takes one App.Server', {hint: COMMAND_HELP.use!.usage});
    const [name] = words;
    if (name === undefined) {
      this.options.out(this.use ? `use ${this.use}` : 'use: none (names are written out: App.Server.Obj)');
      return {code: 0};
    }
    if (name === '-') {
      this.use = undefined;
      return {code: 0};
    }
    this.use = checkUse(name);
    const objects = await this.objects();
    if (objects.length > 0 && !objects.some((o) => o.startsWith(`${name}.`))) {
      this.options.err(`note: the registry lists no object of ${name} (yet)`);
    }
    return {code: 0};
  }

  private oneObject(command: string, words: string[]): string {
    if (words.length !== 1) {
      throw new UserError(`${command} takes one object`, {hint: COMMAND_HELP[command]!.usage});
    }
    return qualifyObject(words[0]!, this.use);
  }

  /** What runCall and runDescribe share of the session. */
  private get reach() {
    const o = this.options;
    return {locator: o.locator, timeout: o.timeout, cacheDir: o.cacheDir, token: o.token, cwd: o.cwd, comm: o.comm,
      tars: [] as string[], include: [] as string[]};
  }

  private async call(words: string[]): Promise<LineResult> {
    const {obj, func, rest} = targetOfCall(words, this.use);
    const given = parseCallWords(rest, false);
    const {runCall, formatResult, formatUntyped} = await import('../call.js');
    const outcome = await runCall({...this.reach, obj, func, args: given.args, data: given.data,
      argTypes: given.argTypes, template: false, context: [], oneway: false, tup: false, concurrency: 1});
    switch (outcome.kind) {
      case 'untyped':
        if (!this.json) for (const w of outcome.warnings) this.options.err(`warning: ${w}`);
        return this.print(outcome.result, () => formatUntyped(outcome));
      case 'result':
        return this.print(outcome.result, () => formatResult(outcome));
      default:
        throw new Error(`unexpected ${outcome.kind} outcome of a call`);
    }
  }

  private async bench(words: string[], signal: AbortSignal | undefined): Promise<LineResult> {
    const {obj, func, rest} = targetOfCall(words, this.use);
    const given = parseCallWords(rest, true);
    const {runCall, formatRepeat} = await import('../call.js');
    const n = given.n ?? BENCH_LIMITS.n;
    const c = given.c ?? BENCH_LIMITS.c;
    if (!this.json) this.options.err(`${n} calls of ${obj}.${func}, ${c} in flight (Ctrl-C stops)`);
    const outcome = await runCall({...this.reach, obj, func, args: given.args, data: given.data,
      argTypes: given.argTypes, template: false, context: [], oneway: false, tup: false, repeat: n, concurrency: c,
      signal});
    if (outcome.kind !== 'repeat') throw new Error(`unexpected ${outcome.kind} outcome of a bench`);
    return this.print({...outcome.result, source: outcome.source}, () =>
      `${formatRepeat(outcome.result)}\n-- interface from ${outcome.source}`);
  }

  private async target(obj: string): Promise<ResolvedTarget> {
    const {resolveTarget} = await import('@tars-ts/kit');
    return resolveTarget(obj, {locator: this.options.locator, cwd: this.options.cwd});
  }

  private async ping(obj: string): Promise<LineResult> {
    const {runPing} = await import('../ping.js');
    const {json, lines, failure} = await runPing(this.options.comm, await this.target(obj), this.options.timeout);
    if (failure) {
      if (!this.json) this.options.out(lines.join('\n'));
      throw failure;
    }
    return this.print(json, () => lines.join('\n'));
  }

  private async describe(obj: string): Promise<LineResult> {
    const {runDescribe} = await import('../describe.js');
    const {iface, source, text} = await runDescribe({...this.reach, obj});
    if (!obj.includes('@')) this.interfaces.set(obj, {at: Date.now(), functions: functionNames(iface)});
    return this.print({...iface, source}, () => `${text}\n-- interface from ${source}`);
  }

  private async find(obj: string): Promise<LineResult> {
    if (obj.includes('@')) {
      throw new UserError('find asks the registry: give the name alone', {hint: `find ${obj.split('@')[0]}`});
    }
    const [{QueryF}, {formatEndpoint, fromEndpointF}] = await Promise.all([import('@tars-ts/core/framework'),
      import('@tars-ts/core')]);
    const query = this.options.comm.stringToProxy(QueryF.QueryFProxy, this.options.locator,
      {timeout: this.options.timeout});
    const {activeEp, inactiveEp} = await query.findObjectById4Any(obj);
    const row = (e: (typeof activeEp)[number], active: boolean) => ({endpoint: formatEndpoint(fromEndpointF(e)),
      active, node: e.nodeName});
    const endpoints = [...activeEp.map((e) => row(e, true)), ...inactiveEp.map((e) => row(e, false))];
    return this.print({obj, endpoints}, async () => endpoints.length === 0
      ? `the registry knows no endpoint of ${obj}`
      : renderTable(['ENDPOINT', 'STATE', 'NODE'], endpoints.map((e) =>
        [e.endpoint, e.active ? 'active' : 'inactive', e.node || '-'])));
  }

  private async servers(words: string[]): Promise<LineResult> {
    if (words.length > 0) throw new UserError('servers takes nothing', {hint: 'servers'});
    const {RegistryCtl} = await import('@tars-ts/core/framework');
    const ctl = this.options.comm.stringToProxy(RegistryCtl.RegistryCtlProxy, REGISTRY_CTL_OBJ,
      {timeout: this.options.timeout});
    const {servers} = await ctl.listServers('');
    const rows = servers.map((s) => ({server: `${s.application}.${s.serverName}`, node: s.nodeName,
      setting: s.settingState, present: s.presentState, pid: s.processId, version: s.version,
      release: s.patchVersion}));
    return this.print({servers: rows}, async () => rows.length === 0 ? 'no server is deployed'
      : renderTable(['SERVER', 'NODE', 'SETTING', 'PRESENT', 'PID', 'RELEASE', 'VERSION'], rows.map((r) =>
        [r.server, r.node, r.setting, r.present, r.pid > 0 ? String(r.pid) : '-', r.release || '-',
          r.version || '-'])));
  }

  private async stat(words: string[]): Promise<LineResult> {
    if (words.length > 1) throw new UserError('stat takes at most one App.Server', {hint: COMMAND_HELP.stat!.usage});
    const server = words[0] === undefined ? undefined : checkUse(words[0]);
    const [{StatQuery}, {activeProxies, askEach, checkedAnswer}] = await Promise.all([
      import('@tars-ts/core/framework'), import('@tars-ts/kit')]);
    const instances = await activeProxies(this.options.comm, StatQuery.StatQueryProxy, STAT_QUERY_OBJ,
      this.options.timeout);
    if (instances.length === 0) {
      throw new UserError(`the registry lists no active ${STAT_QUERY_OBJ}`, {code: 'NO_ENDPOINT',
        hint: 'is the stat daemon deployed? tars cluster status'});
    }
    const [app, name] = server?.split('.') ?? ['', ''];
    const by = server ? 'interface' : 'callee';
    const req = StatQuery.StatQueryRequest.create({by, app, server: name, minutes: STAT_MINUTES});
    const {answers} = await askEach(instances, (i) => i.proxy.liveStats(req).then(checkedAnswer));
    const {rows, more} = statRows(answers.map((a) => a.value.series), by);
    const json: StatJson = {minutes: STAT_MINUTES, by, ...(server ? {server} : {}), rows, more};
    const cell = (v: number | null) => (v === null ? '-' : String(v));
    return this.print(json, async () => {
      const head = `last ${STAT_MINUTES} min, ${server ? `interfaces of ${server}` : 'per callee'}`;
      if (rows.length === 0) return `${head}: no call reported`;
      const table = await renderTable([server ? 'INTERFACE' : 'CALLEE', 'SIDE', 'CALLS', 'ERRORS', 'TIMEOUTS',
        'AVG MS', 'P99 MS'], rows.map((r) => [r.name, r.side, String(r.calls), String(r.errors),
        String(r.timeouts), cell(r.avgMs), cell(r.p99Ms)]));
      return `${head}\n${table}${more > 0 ? `\n(${more} more)` : ''}`;
    });
  }

  /** Every object the registry lists, asked at most every {@link OBJECTS_TTL_MS}; [] when it does not answer. */
  async objects(): Promise<readonly string[]> {
    const now = Date.now();
    if (this.objectsCache && now - this.objectsCache.at < OBJECTS_TTL_MS) return this.objectsCache.names;
    try {
      const {RegistryCtl} = await import('@tars-ts/core/framework');
      const ctl = this.options.comm.stringToProxy(RegistryCtl.RegistryCtlProxy, REGISTRY_CTL_OBJ,
        {timeout: Math.min(this.options.timeout, 2000)});
      const {objects} = await ctl.listObjects('');
      this.objectsCache = {at: now, names: objects.map((o) => o.name)};
    } catch {
      this.objectsCache = {at: now, names: this.objectsCache?.names ?? []};
    }
    return this.objectsCache.names;
  }

  /**
   * The functions of `obj` and their in-parameters, from its interface as `describe` finds it; kept for the session
   * once had (a failure is asked again after {@link NO_INTERFACE_TTL_MS}).
   */
  async functions(obj: string): Promise<readonly FunctionNames[] | undefined> {
    const cached = this.interfaces.get(obj);
    if (cached && (cached.functions !== undefined || Date.now() - cached.at < NO_INTERFACE_TTL_MS)) {
      return cached.functions;
    }
    let functions: readonly FunctionNames[] | undefined;
    try {
      const {runDescribe} = await import('../describe.js');
      functions = functionNames((await runDescribe({...this.reach, obj,
        timeout: Math.min(this.options.timeout, 2000)})).iface);
    } catch {
      functions = undefined;
    }
    this.interfaces.set(obj, {at: Date.now(), functions});
    return functions;
  }
}

/** The functions of an interface with their in-parameters' names. */
function functionNames(iface: {operations: readonly {name: string; params: readonly {name: string; out: boolean}[]}[]}):
  FunctionNames[] {
  return iface.operations.map((op) => ({name: op.name, params: op.params.filter((p) => !p.out).map((p) => p.name)}));
}
