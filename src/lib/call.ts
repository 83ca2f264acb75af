import {
  type CallOptions, type ClientTlsSettings, type Communicator, type Json, type ObjectProxy, type OperationDef, ReturnCode, TarsCallError, TarsError,
  type UntypedArgs, Version, decodeUntyped, formatEndpoint, inferArgs, outParams, returnCodeName, returnKey,
  encodeUntypedArgs, untypedToJson, writeUntypedArgs,
} from '@tars-ts/core';
import {type CallResultJson, UserError, communicatorFor, loadCallKit, resolveTarget} from '@tars-ts/kit';
import type {CollectedTrace} from './call-trace.js';
import {type RepeatResultJson, runLoad} from './call-load.js';

// This module is imported only when `tars call` runs: the call kit (and the runtime) load with it.
const {argsTemplate, buildArgs, deployedInterfaceOf, findOperation, invokeJson, resolveInterface, signature} =
  await loadCallKit();

export type {CallResultJson} from '@tars-ts/kit';
export type {RepeatResultJson} from './call-load.js';

/** Everything `tars call` is asked. */
export interface CallRequest {
  obj: string;
  func: string;
  args: string[];
  endpoint?: string | undefined;
  locator?: string | undefined;
  savedLocator?: string | undefined;
  tars: string[];
  include: string[];
  data?: string | undefined;
  template: boolean;
  /** Timeout of each call, ms (flag, saved setting or default: the command decides). */
  timeout: number;
  hash?: string | undefined;
  context: string[];
  dye?: string | undefined;
  oneway: boolean;
  tup: boolean;
  repeat?: number | undefined;
  concurrency: number;
  /** Where the CLI keeps its endpoint cache (bare names resolved through the locator). */
  cacheDir?: string | undefined;
  /** The admin token (TARS_ADMIN_TOKEN or `tars login`): calls to the base services' admin objects use it. */
  token?: string | undefined;
  /** `--arg-types`: call with these wire types (no interface is looked for). */
  argTypes?: string | undefined;
  /** `--trace`: the call starts a trace, read back from the log daemon once answered. */
  trace?: boolean | undefined;
  /** `--ca/--cert/--key`, checked: the TLS of ssl endpoints. */
  tls?: ClientTlsSettings | undefined;
  cwd: string;
  /**
   * A communicator to call through (the shell's, one for its session, with the locator set): used instead of a new
   * one, and left open. Without it, runCall makes one for the call and closes it.
   */
  comm?: Communicator | undefined;
  /** Stops a `repeat` run: the calls in flight end, the summary says `stopped` (the shell's Ctrl-C in `bench`). */
  signal?: AbortSignal | undefined;
}

/**
 * `tars call --json` of a call made with no interface: `ret` is what came at tag 0, `out` the other tags, `types`
 * the wire type of each tag (integers as `int` or `long`: writers send the narrowest form), `guessed` the
 * signature the arguments were sent with.
 */
export interface UntypedResultJson extends CallResultJson {
  types: Record<string, Json>;
  guessed: string;
}

/** What a call run produced, for the command to print. */
export type CallOutcome =
  | {kind: 'template'; op: OperationDef; template: Record<string, Json>}
  | {kind: 'result'; op: OperationDef; source: string; result: CallResultJson; trace?: CollectedTrace}
  | {kind: 'untyped'; why: string; warnings: readonly string[]; result: UntypedResultJson; trace?: CollectedTrace}
  | {kind: 'repeat'; source: string; result: RepeatResultJson};

function parseContext(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UserError(`--context "${pair}" is not key=value`, {hint: '--context user=u1 --context k=v'});
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

function callOptions(req: CallRequest): CallOptions {
  const hash = req.hash;
  return {
    timeout: req.timeout,
    ...(hash !== undefined ? {hashCode: /^-?\d+$/.test(hash) ? BigInt(hash) : hash} : {}),
    ...(req.context.length ? {context: parseContext(req.context)} : {}),
    ...(req.dye !== undefined ? {dyeKey: req.dye} : {}),
    ...(req.oneway ? {oneway: true} : {}),
  };
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** The arguments of a call with no interface, typed by inference or `--arg-types`; input mistakes exit 2. */
function untypedArgs(req: CallRequest): UntypedArgs {
  if (req.data !== undefined || req.template) {
    throw new UserError(`${req.data !== undefined ? '--data' : '--template'} needs the interface (parameter names)`,
      {code: 'NO_INTERFACE', hint: 'give positional arguments, or the interface with --tars FILE.tars'});
  }
  if (req.tup) {
    throw new UserError('TUP calls need the interface (TUP carries arguments by parameter name)',
      {code: 'NO_INTERFACE', hint: 'drop --tup, or give the interface with --tars FILE.tars'});
  }
  try {
    return inferArgs(req.args, req.argTypes !== undefined ? {argTypes: req.argTypes} : {});
  } catch (error) {
    if (error instanceof TarsError) {
      throw new UserError(error.message, {code: 'BAD_ARGUMENT', hint: 'force the types with --arg-types, ' +
        'e.g. --arg-types string,long,\'map<string,int>\''});
    }
    throw error;
  }
}

/** One call with no interface: arguments at tags 1..n, the answer decoded by tag and wire type. */
async function untypedOnce(proxy: ObjectProxy, func: string, typed: UntypedArgs, options: CallOptions, obj: string):
  Promise<UntypedResultJson> {
  const {response, endpoint, ms} = await proxy.call({func, sBuffer: (w) => writeUntypedArgs(w, typed.args)}, options);
  const out: Record<string, Json> = {};
  let ret: Json | undefined;
  let types: Record<string, Json> = {};
  if (response) {
    let decoded;
    try {
      decoded = untypedToJson(decodeUntyped(response.sBuffer));
    } catch (error) {
      throw new TarsCallError(ReturnCode.TARSCLIENTDECODEERR, `cannot decode the response: ${(error as Error).message}`,
        {obj, func, endpoint: formatEndpoint(endpoint)}, true);
    }
    types = decoded.types;
    for (const [tag, value] of Object.entries(decoded.values)) {
      if (tag === '0') ret = value;
      else out[tag] = value;
    }
  }
  return {obj, func, endpoint: formatEndpoint(endpoint), ...(ret !== undefined ? {ret} : {}), out, types,
    guessed: typed.signature, ms: round3(ms)};
}

/**
 * Runs `tars call`: finds where to call and the interface, checks and encodes the arguments, calls through the
 * object proxy (once, or `repeat` times with `concurrency` in flight) and decodes the answer to JSON values. With
 * no interface to be had (no .tars file, no reflection), or with `--arg-types`, the arguments take inferred or
 * given wire types and the answer is decoded by tag. Mistakes of the user are UserErrors raised before anything is
 * sent; failed calls are TarsCallErrors naming the function called.
 */
export async function runCall(req: CallRequest): Promise<CallOutcome> {
  if (req.trace && (req.repeat !== undefined || req.template)) {
    throw new UserError(`--trace traces one call: leave out ${req.repeat !== undefined ? '--repeat' : '--template'}`,
      {hint: 'tars call OBJ FUNC ARGS... --trace'});
  }
  const target = await resolveTarget(req.obj, req);
  const version = req.tup ? Version.TUPVERSION : Version.TARSVERSION;
  const comm = req.comm ?? await communicatorFor(target, req);
  const tracing = req.trace ? await (await import('./call-trace.js')).CallTrace.start(comm, target) : undefined;
  /** The call, traced with --trace: the trace read back is attached to its outcome, or to its error. */
  const traced = async <R>(call: () => Promise<R>): Promise<{result: R; trace?: CollectedTrace}> => {
    if (!tracing) return {result: await call()};
    let result: R;
    try {
      result = await tracing.run(call);
    } catch (error) {
      if (error && typeof error === 'object') Object.assign(error, {trace: await tracing.collect()});
      throw error;
    }
    return {result, trace: await tracing.collect()};
  };
  const reporting = target.locator !== undefined && target.via === 'locator' &&
    await reportStatsIfListed(comm, target.locator);
  try {
    const proxy = comm.objectProxy(target.proxy, {version});
    const options = callOptions(req);
    const found = req.argTypes !== undefined ? {iface: undefined, why: 'types given with --arg-types'}
      : await resolveInterface({tars: req.tars, include: req.include, cwd: req.cwd, obj: target.obj, func: req.func,
        proxy: () => proxy, timeout: req.timeout,
        ...(target.via === 'locator' ? {deployed: () => deployedInterfaceOf(comm, target.obj)} : {})});
    if (found.iface === undefined) {
      const typed = untypedArgs(req);
      if (req.repeat !== undefined) {
        const sBuffer = encodeUntypedArgs(typed.args);
        return {kind: 'repeat', source: `no interface (${typed.signature})`,
          result: await runLoad(() => proxy.call({func: req.func, sBuffer}, options), req.repeat, req.concurrency,
            req.signal)};
      }
      const done = await traced(() => untypedOnce(proxy, req.func, typed, options, target.obj));
      return {kind: 'untyped', why: found.why, warnings: typed.warnings, result: done.result,
        ...(done.trace ? {trace: done.trace} : {})};
    }
    const op = findOperation(found.iface, req.func);
    if (req.template) return {kind: 'template', op, template: argsTemplate(op)};
    const args = buildArgs(op, req.args, req.data);
    if (req.repeat !== undefined) {
      return {kind: 'repeat', source: found.source,
        result: await runLoad(() => proxy.invoke(op, args, options), req.repeat, req.concurrency, req.signal)};
    }
    const done = await traced(() => invokeJson(proxy, op, args, options));
    return {kind: 'result', op, source: found.source, result: done.result, ...(done.trace ? {trace: done.trace} : {})};
  } finally {
    // The calls' statistics go out before the process ends (a stat daemon that hangs costs at most 1 s).
    if (reporting) await Promise.race([comm.flushReports(), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    if (!req.comm) comm.close();
  }
}

/** The stat daemon's object, and the name `tars call` reports its calls under (the caller in `tars stat watch`). */
const STAT_OBJ = 'tars.tarsstat.StatObj';
const CALLER_NAME = 'tars.call';

/**
 * Through a registry, `tars call` is a client like any other: when the registry lists a stat daemon, its calls are
 * reported to it (caller side), so `tars call --repeat` load shows in `tars stat watch` with its timeouts. One
 * lookup (answered from the registry's memory) when there is none; nothing at all without a locator.
 */
async function reportStatsIfListed(comm: Communicator, locator: string): Promise<boolean> {
  try {
    const {QueryF} = await import('@tars-ts/core/framework');
    const query = comm.stringToProxy(QueryF.QueryFProxy, locator, {timeout: 1000});
    if ((await query.findObjectById(STAT_OBJ)).ret.length === 0) return false;
  } catch {
    return false; // the call itself will say what is wrong with the registry
  }
  comm.setProperty('modulename', CALLER_NAME);
  comm.setProperty('stat', STAT_OBJ);
  return true;
}

/** The readable form of a call made with no interface: each tag with its value and wire type. */
export function formatUntyped(outcome: Extract<CallOutcome, {kind: 'untyped'}>): string {
  const {result, why} = outcome;
  const lines: string[] = [];
  const line = (label: string, tag: string, value: Json): string =>
    `${label}: ${JSON.stringify(value)}  (${JSON.stringify(result.types[tag])})`;
  if (result.ret !== undefined) lines.push(line('ret', '0', result.ret));
  for (const [tag, value] of Object.entries(result.out)) lines.push(line(tag, tag, value));
  if (lines.length === 0) lines.push('(nothing returned)');
  lines.push(`-- ${result.ms} ms, ${result.endpoint} (no interface: sent as ${result.func}${result.guessed}; ${why})`);
  return lines.join('\n');
}

/** The readable form of a call's result. */
export function formatResult(outcome: Extract<CallOutcome, {kind: 'result'}>): string {
  const {op, result} = outcome;
  const lines: string[] = [];
  if (result.ret !== undefined) lines.push(`${returnKey(op)}: ${JSON.stringify(result.ret)}`);
  for (const [name, value] of Object.entries(result.out)) lines.push(`${name}: ${JSON.stringify(value)}`);
  if (lines.length === 0) lines.push(op.ret === null && outParams(op).length === 0 ? '(void)' : '(no answer: one-way)');
  lines.push(`-- ${result.ms} ms, ${result.endpoint} (${signature(op)}; interface from ${outcome.source})`);
  return lines.join('\n');
}

/** The readable form of a repeat run. */
export function formatRepeat(r: RepeatResultJson): string {
  const codes = Object.entries(r.byCode).map(([c, n]) => `${c === '0' ? 'ok' : `${c} ${returnCodeName(Number(c))}`}: ${n}`);
  return [`calls: ${r.calls}  ok: ${r.ok}  failed: ${r.failed}`, `by code: ${codes.join(', ')}`,
    `calls/s: ${r.callsPerSec}`, `latency ms: p50 ${r.p50Ms}  p90 ${r.p90Ms}  p99 ${r.p99Ms}  max ${r.maxMs}`,
    ...(r.stopped ? ['(stopped before all calls were made)'] : [])].join('\n');
}
