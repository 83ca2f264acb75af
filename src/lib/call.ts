import {
  type CallOptions, Communicator, type InterfaceDef, type Json, type ObjectProxy, type OperationDef, TarsCallError,
  Version, formatEndpoint, outParams, returnCodeName, returnKey, toJson,
} from '@tars-ts/core';
import {UserError, resolveTarget} from '@tars-ts/kit';

import {argsTemplate, buildArgs} from './call-args.js';
import {findOperation, resolveInterface, signature} from './call-interface.js';

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
  cwd: string;
}

/** `tars call --json` of one call (spec/cli.md). */
export interface CallResultJson {
  obj: string;
  func: string;
  endpoint: string;
  ret?: Json;
  out: Record<string, Json>;
  ms: number;
}

/** `tars call --repeat N --json` (spec/cli.md). */
export interface RepeatResultJson {
  calls: number;
  ok: number;
  failed: number;
  byCode: Record<string, number>;
  callsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** What a call run produced, for the command to print. */
export type CallOutcome =
  | {kind: 'template'; op: OperationDef; template: Record<string, Json>}
  | {kind: 'result'; op: OperationDef; source: string; result: CallResultJson}
  | {kind: 'repeat'; op: OperationDef; source: string; result: RepeatResultJson};

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

/** One typed call through the proxy; the endpoint that answered is taken by an interceptor on the way back. */
async function once(proxy: ObjectProxy, op: OperationDef, args: unknown[], options: CallOptions, obj: string,
  answered: {endpoint: string}): Promise<CallResultJson> {
  const started = performance.now();
  const result = await proxy.invoke(op, args, options);
  const ms = performance.now() - started;
  const out: Record<string, Json> = {};
  let ret: Json | undefined;
  if (!options.oneway) {
    if (op.ret) ret = toJson(op.ret, result[returnKey(op)]);
    for (const p of outParams(op)) out[p.name] = toJson(p.type, result[p.name]);
  }
  // Keys in the order spec/cli.md documents.
  return {obj, func: op.name, endpoint: answered.endpoint, ...(ret !== undefined ? {ret} : {}), out, ms: round3(ms)};
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** `total` typed calls with `concurrency` in flight: a load summary by return code. */
async function repeat(proxy: ObjectProxy, op: OperationDef, args: unknown[], options: CallOptions, total: number,
  concurrency: number): Promise<RepeatResultJson> {
  const latencies: number[] = [];
  const byCode: Record<string, number> = {};
  let issued = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (issued < total) {
      issued++;
      const t0 = performance.now();
      let code = 0;
      try {
        await proxy.invoke(op, args, options);
      } catch (error) {
        if (!(error instanceof TarsCallError)) throw error;
        code = error.returnCode;
      }
      latencies.push(performance.now() - t0);
      byCode[String(code)] = (byCode[String(code)] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({length: Math.min(concurrency, total)}, worker));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const ok = byCode['0'] ?? 0;
  return {calls: total, ok, failed: total - ok, byCode, callsPerSec: Math.round(total / elapsed),
    p50Ms: round3(percentile(latencies, 0.5)), p99Ms: round3(percentile(latencies, 0.99)),
    maxMs: round3(latencies.at(-1) ?? 0)};
}

/**
 * Runs `tars call`: finds where to call and the interface, checks and encodes the arguments, calls through the
 * object proxy (once, or `repeat` times with `concurrency` in flight) and decodes the answer to JSON values.
 * Mistakes of the user are UserErrors raised before anything is sent; failed calls are TarsCallErrors naming the
 * function called.
 */
export async function runCall(req: CallRequest): Promise<CallOutcome> {
  const target = await resolveTarget(req.obj, req);
  const version = req.tup ? Version.TUPVERSION : Version.TARSVERSION;
  const comm = new Communicator({...(target.locator ? {locator: target.locator} : {}),
    syncInvokeTimeout: req.timeout});
  try {
    const proxy = comm.objectProxy(target.proxy, {version});
    const answered = {endpoint: ''};
    proxy.use(async (call, next) => {
      const result = await next(call);
      answered.endpoint = formatEndpoint(result.endpoint);
      return result;
    });
    const found = await resolveInterface({tars: req.tars, include: req.include, cwd: req.cwd, obj: target.obj,
      func: req.func, proxy: () => proxy, timeout: req.timeout});
    if (found.iface === undefined) {
      throw new UserError(found.why, {code: 'NO_INTERFACE'});
    }
    const op = findOperation(found.iface as InterfaceDef, req.func);
    if (req.template) return {kind: 'template', op, template: argsTemplate(op)};
    const args = buildArgs(op, req.args, req.data);
    const options = callOptions(req);
    if (req.repeat !== undefined) {
      return {kind: 'repeat', op, source: found.source,
        result: await repeat(proxy, op, args, options, req.repeat, req.concurrency)};
    }
    return {kind: 'result', op, source: found.source, result: await once(proxy, op, args, options, target.obj,
      answered)};
  } finally {
    comm.close();
  }
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
    `calls/s: ${r.callsPerSec}`, `latency ms: p50 ${r.p50Ms}  p99 ${r.p99Ms}  max ${r.maxMs}`].join('\n');
}
