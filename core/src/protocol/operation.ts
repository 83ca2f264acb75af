import {type Json, fromJson, toJson} from '../codec/json.js';
import {type ReaderOptions, TarsReader} from '../codec/reader.js';
import {
  type EnumDef, type StructDef, type TarsType, idlTypeName, readValue, setField, writeValue, zeroValue,
} from '../codec/types.js';
import {TarsWriter} from '../codec/writer.js';
import {TarsError} from '../errors/tars-error.js';
import {Version} from './constants.js';
import {type TupVersion, UniAttribute, type UniAttributeOptions} from './tup.js';

/** A parameter of an interface operation; `tag` is its 1-based position among all parameters (protocol.md 2.4). */
export interface ParamDef {
  readonly name: string;
  readonly tag: number;
  readonly type: TarsType;
  readonly out: boolean;
  readonly routekey?: boolean;
}

/** An interface operation. `name` is the wire name (sFuncName); `method` the TypeScript member when it differs. */
export interface OperationDef {
  readonly name: string;
  readonly method?: string;
  /** null for `void`. */
  readonly ret: TarsType | null;
  readonly params: readonly ParamDef[];
}

/** An interface: `name` qualified as `Module.Interface`. */
export interface InterfaceDef {
  readonly name: string;
  readonly operations: readonly OperationDef[];
}

/** A constant of a .tars file. */
export interface ConstDef {
  readonly name: string;
  readonly type: TarsType;
  readonly value: unknown;
}

/** What a generated file carries about itself, for dynamic calls and reflection. */
export interface FileDef {
  /** The .tars file it was generated from (as given to the generator). */
  readonly source: string;
  readonly structs: readonly StructDef[];
  readonly enums: readonly EnumDef[];
  readonly consts: readonly ConstDef[];
  readonly interfaces: readonly InterfaceDef[];
}

/** Key of the return value in a call result: "ret", or "ret_" when an out parameter is itself named "ret". */
export function returnKey(op: OperationDef): string {
  return op.params.some((p) => p.out && p.name === 'ret') ? 'ret_' : 'ret';
}

/** The TypeScript member name of an operation. */
export function methodName(op: OperationDef): string {
  return op.method ?? op.name;
}

/** In-parameters, in declaration order (the order call arguments are given in). */
export function inParams(op: OperationDef): ParamDef[] {
  return op.params.filter((p) => !p.out);
}

/** Out-parameters, in declaration order. */
export function outParams(op: OperationDef): ParamDef[] {
  return op.params.filter((p) => p.out);
}

/** The empty return key of TUP ("") and the extra one TarsCpp and TarsGo write too. */
const TUP_RET = '';
const TUP_RET_ALT = 'tars_ret';

function checkArity(op: OperationDef, args: readonly unknown[], ins: readonly ParamDef[]): void {
  // Trailing undefined arguments count as not given (a generated proxy passes every parameter slot).
  let count = args.length;
  while (count > 0 && args[count - 1] === undefined) count--;
  if (count !== ins.length || args.length > ins.length) {
    throw new TarsError('ENCODE_BAD_VALUE', `${op.name} takes ${ins.length} argument(s) ` +
      `(${ins.map((p) => `${idlTypeName(p.type)} ${p.name}`).join(', ')}), got ${count}`);
  }
}

/** An encoding error raised for parameter `p`, with the parameter named (other errors pass unchanged). */
function paramError(op: OperationDef, p: ParamDef, error: unknown): unknown {
  if (!(error instanceof TarsError)) return error;
  return new TarsError(error.code, `${op.name}: ${p.out ? 'out-parameter' : 'argument'} ${p.name} ` +
    `(${idlTypeName(p.type)}): ${error.message}`, {...error.details, param: p.name}, {cause: error});
}

/** Runs `fn`, naming the parameter in any encoding error it raises. */
function forParam<R>(op: OperationDef, p: ParamDef, fn: () => R): R {
  try {
    return fn();
  } catch (error) {
    throw paramError(op, p, error);
  }
}

function jsonText(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

function parseJsonObject(bytes: Uint8Array, what: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw new TarsError('PACKET_MALFORMED', `${what} is not valid JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new TarsError('PACKET_MALFORMED', `${what} is not a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

/** A member of a parsed JSON object; inherited ones (`toString`, `constructor`...) are not members. */
function ownValue(obj: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(obj, name) ? obj[name] : undefined;
}

function isTup(version: number): version is TupVersion {
  return version === Version.TUPVERSION || version === Version.TUP_COMPLEX;
}

/** What the runtime needs of an operation on every call, computed once per OperationDef. */
export interface OperationPlan {
  readonly op: OperationDef;
  readonly ins: readonly ParamDef[];
  readonly outs: readonly ParamDef[];
  /** Index among the in-parameters of the routekey parameter, -1 when none. */
  readonly routeParam: number;
  readonly retKey: string;
  readonly method: string;
}

const plans = new WeakMap<OperationDef, OperationPlan>();

/** The plan of an operation (made on first use, then cached). */
export function operationPlan(op: OperationDef): OperationPlan {
  let plan = plans.get(op);
  if (!plan) {
    const ins = inParams(op);
    plan = {op, ins, outs: outParams(op), routeParam: ins.findIndex((p) => p.routekey), retKey: returnKey(op),
      method: methodName(op)};
    plans.set(op, plan);
  }
  return plan;
}

/** Writes the in-arguments (TARS version) into `w`, as {@link encodeRequestArgs} does, without a buffer of its own. */
export function writeRequestArgs(w: TarsWriter, plan: OperationPlan, args: readonly unknown[]): void {
  const ins = plan.ins;
  checkArity(plan.op, args, ins);
  let i = 0;
  try {
    for (; i < ins.length; i++) writeValue(w, ins[i].tag, ins[i].type, args[i]);
  } catch (error) {
    throw paramError(plan.op, ins[i], error);
  }
}

/** The return value of a call result; a non-void operation must have one. */
function returnValue(plan: OperationPlan, result: Readonly<Record<string, unknown>>): unknown {
  const v = result[plan.retKey];
  if (v === undefined) {
    throw new TarsError('ENCODE_BAD_VALUE', `${plan.op.name} must return a value under "${plan.retKey}"`);
  }
  return v;
}

/** An out value of a call result; absent ones are their type's zero value. */
function outValue(p: ParamDef, result: Readonly<Record<string, unknown>>): unknown {
  const v = Object.hasOwn(result, p.name) ? result[p.name] : undefined;
  return v === undefined ? zeroValue(p.type) : v;
}

/** Writes a call result (TARS version) into `w`: the return value at tag 0, out-parameters at their tags. */
export function writeResponseBody(w: TarsWriter, plan: OperationPlan, result: Readonly<Record<string, unknown>>): void {
  const ret = plan.op.ret;
  if (ret !== null) writeValue(w, 0, ret, returnValue(plan, result));
  for (const p of plan.outs) writeValue(w, p.tag, p.type, outValue(p, result));
}

/**
 * Reader options for bodies of received frames, which nothing changes afterwards: large `vector<byte>` values are
 * views of the frame (no copy), at the price of keeping the frame alive as long as they live.
 */
export const RECEIVED_BODY: ReaderOptions = {bytesViewFrom: 8192};

/** The call result of a TARS-version response body. */
export function readResponseBody(plan: OperationPlan, sBuffer: Uint8Array, options?: ReaderOptions):
  Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const r = new TarsReader(sBuffer, 0, sBuffer.length, options);
  if (plan.op.ret !== null) out[plan.retKey] = readValue(r, 0, plan.op.ret, true);
  for (const p of plan.outs) setField(out, p.name, readValue(r, p.tag, p.type, false));
  return out;
}

/** The in-arguments of a TARS-version request body. */
export function readRequestArgs(plan: OperationPlan, sBuffer: Uint8Array, options?: ReaderOptions): unknown[] {
  const r = new TarsReader(sBuffer, 0, sBuffer.length, options);
  const ins = plan.ins;
  const args = new Array<unknown>(ins.length);
  for (let i = 0; i < ins.length; i++) args[i] = readValue(r, ins[i].tag, ins[i].type, true);
  return args;
}

/**
 * The request sBuffer of a call: the in-arguments at their positional tags (TARS), under their names in a
 * UniAttribute (TUP v2/v3), or as a JSON object (v5).
 */
export function encodeRequestArgs(op: OperationDef, version: number, args: readonly unknown[],
  tupOptions?: UniAttributeOptions): Uint8Array {
  const plan = operationPlan(op);
  if (isTup(version)) {
    checkArity(op, args, plan.ins);
    const attr = new UniAttribute(version, tupOptions);
    plan.ins.forEach((p, i) => forParam(op, p, () => attr.put(p.name, p.type, args[i])));
    return attr.encode();
  }
  if (version === Version.JSONVERSION) {
    checkArity(op, args, plan.ins);
    const obj: Record<string, Json> = {};
    plan.ins.forEach((p, i) => forParam(op, p, () => setField(obj, p.name, toJson(p.type, args[i]))));
    return jsonText(obj);
  }
  const w = new TarsWriter(64);
  writeRequestArgs(w, plan, args);
  return w.toBuffer();
}

/** The in-arguments of a request, in declaration order (a server's view). */
export function decodeRequestArgs(op: OperationDef, version: number, sBuffer: Uint8Array): unknown[] {
  const plan = operationPlan(op);
  if (isTup(version)) {
    const attr = UniAttribute.decode(sBuffer, version);
    return plan.ins.map((p) => attr.get(p.name, p.type));
  }
  if (version === Version.JSONVERSION) {
    const obj = parseJsonObject(sBuffer, 'JSON request');
    return plan.ins.map((p) => fromJson(p.type, ownValue(obj, p.name), p.name));
  }
  return readRequestArgs(plan, sBuffer);
}

/**
 * The response sBuffer: the return value at tag 0 and the out-parameters at their tags (TARS); under "" (and
 * "tars_ret") and their names (TUP); `{"tars_ret": R, out: value}` (JSON). `result` is a call result object
 * (see {@link returnKey}); absent out values are written as their type's zero value.
 */
export function encodeResponseBody(op: OperationDef, version: number, result: Readonly<Record<string, unknown>>,
  tupOptions?: UniAttributeOptions): Uint8Array {
  const plan = operationPlan(op);
  if (isTup(version)) {
    const attr = new UniAttribute(version, tupOptions);
    if (op.ret !== null) {
      const retValue = returnValue(plan, result);
      attr.put(TUP_RET, op.ret, retValue);
      attr.put(TUP_RET_ALT, op.ret, retValue);
    }
    for (const p of plan.outs) attr.put(p.name, p.type, outValue(p, result));
    return attr.encode();
  }
  if (version === Version.JSONVERSION) {
    const obj: Record<string, Json> = {};
    if (op.ret !== null) obj.tars_ret = toJson(op.ret, returnValue(plan, result));
    for (const p of plan.outs) setField(obj, p.name, toJson(p.type, outValue(p, result)));
    return jsonText(obj);
  }
  const w = new TarsWriter(64);
  writeResponseBody(w, plan, result);
  return w.toBuffer();
}

/** The call result object of a response sBuffer: `{ret, <out name>: value, ...}` (a client's view). */
export function decodeResponseBody(op: OperationDef, version: number, sBuffer: Uint8Array): Record<string, unknown> {
  const plan = operationPlan(op);
  if (isTup(version)) {
    const out: Record<string, unknown> = {};
    const attr = UniAttribute.decode(sBuffer, version);
    if (op.ret !== null) {
      out[plan.retKey] = attr.has(TUP_RET) ? attr.get(TUP_RET, op.ret) : attr.get(TUP_RET_ALT, op.ret);
    }
    for (const p of plan.outs) setField(out, p.name, attr.get(p.name, p.type, zeroValue(p.type)));
    return out;
  }
  if (version === Version.JSONVERSION) {
    const out: Record<string, unknown> = {};
    const obj = parseJsonObject(sBuffer, 'JSON response');
    if (op.ret !== null) out[plan.retKey] = fromJson(op.ret, ownValue(obj, 'tars_ret'), 'tars_ret');
    for (const p of plan.outs) {
      const v = ownValue(obj, p.name);
      setField(out, p.name, v === undefined ? zeroValue(p.type) : fromJson(p.type, v, p.name));
    }
    return out;
  }
  return readResponseBody(plan, sBuffer);
}
