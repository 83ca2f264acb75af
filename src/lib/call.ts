import {
  type CallOptions, Communicator, type Json, type ObjectProxy, type OperationDef, TarsCallError, decodeResponseBody,
  encodeRequestArgs, formatEndpoint, inParams, outParams, returnCodeName, returnKey, toJson,
} from '@tars-ts/core';

import {argsTemplate, buildArgs} from './call-args.js';
import {findOperation, resolveInterface, resolveTarget, signature} from './call-target.js';
import {ExitCode, ReportedFailure, UserError} from './user-error.js';

/** Everything `tars call` is asked. */
export interface CallRequest {
  obj: string;
  func: string;
  args: string[];
  endpoint?: string;
  locator?: string;
  savedLocator?: string;
  tars: string[];
  include: string[];
  data?: string;
  template: boolean;
  timeout?: number;
  hash?: string;
  context: string[];
  dye?: string;
  oneway: boolean;
  tup: boolean;
  repeat?: number;
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

/** A call that got a TARS error: printed with its code, and the exit code (3 remote, 4 nothing answered). */
export class CallFailure extends ReportedFailure {
  constructor(json: {obj: string; func: string; endpoint: string; error: {code: number; name: string;
    message: string}}, exit: number) {
    super(json.error.message, exit, json);
  }
}

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
    ...(req.timeout ? {timeout: req.timeout} : {}),
    ...(hash !== undefined ? {hashCode: /^-?\d+$/.test(hash) ? BigInt(hash) : hash} : {}),
    ...(req.context.length ? {context: parseContext(req.context)} : {}),
    ...(req.dye !== undefined ? {dyeKey: req.dye} : {}),
    ...(req.oneway ? {oneway: true} : {}),
  };
}

function failureOf(error: TarsCallError, obj: string, func: string): CallFailure {
  const nothingAnswered = error.local;
  return new CallFailure({obj, func, endpoint: error.endpoint ?? '', error: {code: error.returnCode,
    name: returnCodeName(error.returnCode), message: error.message}},
  nothingAnswered ? ExitCode.NO_ANSWER : ExitCode.REMOTE_ERROR);
}

async function once(proxy: ObjectProxy, op: OperationDef, args: unknown[], version: number, options: CallOptions,
  obj: string): Promise<CallResultJson> {
  const sBuffer = encodeRequestArgs(op, version, args);
  const routeIndex = inParams(op).findIndex((p) => p.routekey);
  const {response, endpoint, ms} = await proxy.call({func: op.name, sBuffer, version,
    ...(routeIndex >= 0 ? {routeKey: String(args[routeIndex])} : {})}, options);
  const out: Record<string, Json> = {};
  let ret: Json | undefined;
  if (response) {
    const decoded = decodeResponseBody(op, response.iVersion, response.sBuffer);
    if (op.ret) ret = toJson(op.ret, decoded[returnKey(op)]);
    for (const p of outParams(op)) out[p.name] = toJson(p.type, decoded[p.name]);
  }
  // Keys in the order spec/cli.md documents.
  return {obj, func: op.name, endpoint: formatEndpoint(endpoint), ...(ret !== undefined ? {ret} : {}), out,
    ms: Math.round(ms * 1000) / 1000};
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function repeat(proxy: ObjectProxy, op: OperationDef, args: unknown[], version: number, options: CallOptions,
  total: number, concurrency: number): Promise<RepeatResultJson> {
  const sBuffer = encodeRequestArgs(op, version, args);
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
        await proxy.call({func: op.name, sBuffer, version}, options);
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
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  const ok = byCode['0'] ?? 0;
  return {calls: total, ok, failed: total - ok, byCode, callsPerSec: Math.round(total / elapsed),
    p50Ms: round(percentile(latencies, 0.5)), p99Ms: round(percentile(latencies, 0.99)),
    maxMs: round(latencies.at(-1) ?? 0)};
}

/**
 * Runs `tars call`: finds where to call and the interface, checks and encodes the arguments, calls (once, or
 * `repeat` times with `concurrency` in flight), and decodes the answer to JSON values. TARS errors become
 * {@link CallFailure}s; mistakes of the user become UserErrors before anything is sent.
 */
export async function runCall(req: CallRequest): Promise<CallOutcome> {
  if (req.repeat !== undefined && (!Number.isInteger(req.repeat) || req.repeat < 1)) {
    throw new UserError('--repeat takes a positive number of calls');
  }
  if (!Number.isInteger(req.concurrency) || req.concurrency < 1) {
    throw new UserError('--concurrency takes a positive number');
  }
  const target = resolveTarget(req.obj, {cwd: req.cwd, ...(req.endpoint ? {endpoint: req.endpoint} : {}),
    ...(req.locator ? {locator: req.locator} : {}), ...(req.savedLocator ? {savedLocator: req.savedLocator} : {})});
  const version = req.tup ? 3 : 1;
  const comm = new Communicator({...(target.locator ? {locator: target.locator} : {}),
    ...(req.timeout ? {syncInvokeTimeout: req.timeout} : {})});
  try {
    const proxy = comm.objectProxy(target.proxy, {version});
    let iface;
    try {
      iface = await resolveInterface({tars: req.tars, include: req.include, cwd: req.cwd, obj: target.obj,
        func: req.func, proxy: () => proxy, ...(req.timeout ? {timeout: req.timeout} : {})});
    } catch (error) {
      if (error instanceof TarsCallError) throw failureOf(error, target.obj, 'tars_describe');
      throw error;
    }
    const op = findOperation(iface.iface, req.func);
    if (req.template) return {kind: 'template', op, template: argsTemplate(op)};
    const args = buildArgs(op, req.args, req.data);
    const options = callOptions(req);
    try {
      if (req.repeat !== undefined) {
        return {kind: 'repeat', op, source: iface.source,
          result: await repeat(proxy, op, args, version, options, req.repeat, req.concurrency)};
      }
      return {kind: 'result', op, source: iface.source,
        result: await once(proxy, op, args, version, options, target.obj)};
    } catch (error) {
      if (error instanceof TarsCallError) throw failureOf(error, target.obj, op.name);
      throw error;
    }
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

