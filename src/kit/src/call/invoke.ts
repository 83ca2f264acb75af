// The dynamic call `tars call` and the console's debugger make: a typed call from an operation descriptor (no
// generated stub), its answer as JSON values, with the endpoint that answered and how long it took.
import {type CallOptions, type Json, type ObjectProxy, type OperationDef, formatEndpoint, outParams, returnKey,
  toJson} from '@tars-ts/core';

/** `tars call --json` of one call (spec/cli.md); the debugger's answer is made from it. */
export interface CallResultJson {
  obj: string;
  func: string;
  /** The endpoint that answered (`tcp -h H -p P ...`). */
  endpoint: string;
  /** The function's return value (absent for void and one-way calls). */
  ret?: Json;
  /** The out-parameters by name. */
  out: Record<string, Json>;
  /** From sending to the decoded answer, ms (3 decimals). */
  ms: number;
}

/** Where the interceptor puts the answering endpoint of the call whose options carry it. */
const ANSWERED = Symbol('tars.answeredEndpoint');
type Answered = {endpoint: string};
const watched = new WeakSet<ObjectProxy>();

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/**
 * Calls `op` on `proxy` with `args` (values of the parameters' types, e.g. from argsFromObject) and gives the answer
 * as JSON values. The first use on a proxy adds one interceptor to it that notes which endpoint answered each call
 * (per call: concurrent calls through one proxy each get their own). A failed call rejects as the proxy does
 * (TarsCallError with the return code).
 */
export async function invokeJson(proxy: ObjectProxy, op: OperationDef, args: readonly unknown[],
  options: CallOptions = {}): Promise<CallResultJson> {
  if (!watched.has(proxy)) {
    watched.add(proxy);
    proxy.use(async (call, next) => {
      const result = await next(call);
      const answered = (call.options as {[ANSWERED]?: Answered} | undefined)?.[ANSWERED];
      if (answered) answered.endpoint = formatEndpoint(result.endpoint);
      return result;
    });
  }
  const answered: Answered = {endpoint: ''};
  const started = performance.now();
  const result = await proxy.invoke(op, args, {...options, [ANSWERED]: answered} as CallOptions);
  const ms = performance.now() - started;
  const out: Record<string, Json> = {};
  let ret: Json | undefined;
  if (!options.oneway) {
    if (op.ret) ret = toJson(op.ret, result[returnKey(op)]);
    for (const p of outParams(op)) out[p.name] = toJson(p.type, result[p.name]);
  }
  // Keys in the order spec/cli.md documents.
  return {obj: proxy.objName, func: op.name, endpoint: answered.endpoint, ...(ret !== undefined ? {ret} : {}), out,
    ms: round3(ms)};
}
