// The official Node runtime (@tars/rpc 2.0.15 over @tars/stream 2.0.3) as a test oracle for the RPC interop tests.
// tars2node, the official code generator, is not on npm, so this file holds by hand what it generates for
// test/fixtures/idl/interop.tars (module Interop: struct Pair, interface Echo), in the shape of current tars2node
// output:
//   - the struct class Interop.Pair (_writeTo/_readFrom/_classname/create...);
//   - the servant base Interop.EchoImp (onDispatch routes to `__<func>`, one `$RE` encoder per operation installed
//     as current.sendResponse, TUP v2/v3 and TARS v1 branches, a built-in `__tars_ping`), and a business
//     implementation of it, as a developer would write in EchoImp.js;
//   - the client proxy Interop.EchoProxy (`$IE`/`$ID` for TARS v1 through `_worker.tars_invoke`, `$PE`/`$PD` for TUP
//     through `_worker.tup_invoke`, chosen by `_worker.version`; errors thrown by `_makeError`).
// `long` is written and read in @tars/stream's string mode (writeInt64(tag, v, true) / readInt64(..., true)), so
// values stay exact over 64 bits; @tars/stream returns a long that was sent in 32 bits or fewer as a number.
// Plus the plumbing the tests need: starting and stopping an @tars/rpc server on a free loopback port, and making
// and destroying @tars/rpc communicators without leaving timers or sockets behind.
/* eslint-disable @typescript-eslint/no-explicit-any */
import {createRequire} from 'node:module';
import net from 'node:net';

import {freePort} from './ports.js';

export {freePort};

const require = createRequire(import.meta.url);
/** `@tars/stream`. */
export const TarsStream: any = require('@tars/stream');

let rpcModule: any;
/**
 * `@tars/rpc`, loaded on first use. Its @tars/monitor and @tars/rpc require each other, and @tars/monitor reads
 * `require('@tars/rpc').error` while @tars/rpc is still loading: Node warns three times ("Accessing non-existent
 * property 'error' of module exports inside circular dependency"). Harmless (the property is read again later), it
 * is the oracle's own, and it would show in every test run: those three warnings, and only those, are dropped while
 * it loads.
 */
export function tarsRpc(): any {
  if (rpcModule === undefined) {
    const emitWarning = process.emitWarning;
    process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
      const text = typeof warning === 'string' ? warning : warning.message;
      if (/of module exports inside circular dependency/.test(text)) return;
      (emitWarning as (...a: unknown[]) => void).call(process, warning, ...rest);
    }) as typeof process.emitWarning;
    try {
      rpcModule = require('@tars/rpc');
    } finally {
      process.emitWarning = emitWarning;
    }
  }
  return rpcModule;
}

/** `@tars/rpc`'s error codes: `tarsError().SERVER.FUNC_NOT_FOUND` (-3), `.CLIENT.REQUEST_TIMEOUT` (-13001)... */
export function tarsError(): any {
  return tarsRpc().error;
}

const TUP_SIMPLE: number = TarsStream.Tup.TUP_SIMPLE;
const TUP_COMPLEX: number = TarsStream.Tup.TUP_COMPLEX;

// ---- generated: struct Interop.Pair ---------------------------------------------------------------------------------

/** struct Interop::Pair { 0 require string name; 1 optional long value; } as tars2node writes it. */
export class Pair {
  static readonly _classname = 'Interop.Pair';
  name = '';
  value: string | number = '0';
  _classname = 'Interop.Pair';

  static _write(os: any, tag: number, value: Pair): void {
    os.writeStruct(tag, value);
  }

  static _read(is: any, tag: number, def: any): Pair {
    return is.readStruct(tag, true, def);
  }

  static _readFrom(is: any): Pair {
    const tmp = new Pair();
    tmp.name = is.readString(0, true, '');
    tmp.value = is.readInt64(1, false, '0', true);
    return tmp;
  }

  _writeTo(os: any): void {
    os.writeString(0, this.name);
    os.writeInt64(1, this.value, true);
  }

  /** Plain values; `value` as a decimal string (@tars/stream reads a long that fits 32 bits as a number). */
  toObject(): {name: string; value: string} {
    return {name: this.name, value: String(this.value)};
  }

  readFromObject(json: {name?: string; value?: string}): this {
    if (Object.hasOwn(json, 'name')) this.name = json.name!;
    if (Object.hasOwn(json, 'value')) this.value = json.value!;
    return this;
  }

  toBinBuffer(): any {
    const os = new TarsStream.TarsOutputStream();
    this._writeTo(os);
    return os.getBinBuffer();
  }

  static new(): Pair {
    return new Pair();
  }

  static create(is: any): Pair {
    return Pair._readFrom(is);
  }
}

/** A Pair from plain values. */
export function pair(name: string, value: string | bigint | number = '0'): Pair {
  return new Pair().readFromObject({name, value: String(value)});
}

/** `vector<int>` as @tars/stream holds it. */
export function intList(values: readonly number[]): any {
  const l = TarsStream.List(TarsStream.Int32);
  for (const v of values) l.push(v);
  return l;
}

/** `map<string, Pair>` as @tars/stream holds it. */
export function pairMap(entries: Iterable<[string, Pair]>): any {
  const m = TarsStream.Map(TarsStream.String, Pair);
  for (const [k, v] of entries) m.insert(k, v);
  return m;
}

/** `vector<byte>` as @tars/stream holds it. */
export function binBuffer(bytes: Uint8Array): any {
  return new TarsStream.BinBuffer(Buffer.from(bytes));
}

/** A @tars/stream `map<string, Pair>` as a JS Map of plain pairs. */
export function fromPairMap(m: any): Map<string, {name: string; value: string}> {
  const out = new Map<string, {name: string; value: string}>();
  m.forEach((k: string, v: Pair) => {
    out.set(k, v.toObject());
  });
  return out;
}

// ---- generated: servant base Interop.EchoImp (EchoTars.js) ---------------------------------------------------------

function tupOf(current: any): boolean {
  const v = current.getRequestVersion();
  return v === TUP_SIMPLE || v === TUP_COMPLEX;
}

function newTup(current: any): any {
  const tup = new TarsStream.UniAttribute();
  tup.tupVersion = current.getRequestVersion();
  return tup;
}

const Echo$tars_ping$RE = function (this: any, ret: number): void {
  if (tupOf(this)) {
    const tup = newTup(this);
    tup.writeInt32('', ret);
    this.doResponse(tup.encode());
  } else {
    const os = new TarsStream.TarsOutputStream();
    os.writeInt32(0, ret);
    this.doResponse(os.getBinBuffer());
  }
};

const Echo$echoString$RE = function (this: any, ret: string): void {
  if (tupOf(this)) {
    const tup = newTup(this);
    tup.writeString('', ret);
    this.doResponse(tup.encode());
  } else {
    const os = new TarsStream.TarsOutputStream();
    os.writeString(0, ret);
    this.doResponse(os.getBinBuffer());
  }
};

const Echo$echoStruct$RE = function (this: any, ret: number, q: Pair): void {
  if (tupOf(this)) {
    const tup = newTup(this);
    tup.writeInt32('', ret);
    tup.writeStruct('q', q);
    this.doResponse(tup.encode());
  } else {
    const os = new TarsStream.TarsOutputStream();
    os.writeInt32(0, ret);
    os.writeStruct(2, q);
    this.doResponse(os.getBinBuffer());
  }
};

const Echo$echoContainers$RE = function (this: any, ret: number, v2: any, m2: any, b2: any): void {
  if (tupOf(this)) {
    const tup = newTup(this);
    tup.writeInt32('', ret);
    tup.writeList('v2', v2);
    tup.writeMap('m2', m2);
    tup.writeBytes('b2', b2);
    this.doResponse(tup.encode());
  } else {
    const os = new TarsStream.TarsOutputStream();
    os.writeInt32(0, ret);
    os.writeList(4, v2);
    os.writeMap(5, m2);
    os.writeBytes(6, b2);
    this.doResponse(os.getBinBuffer());
  }
};

const Echo$fire$RE = function (this: any): void {
  this.doResponse(new TarsStream.BinBuffer());
};

const Echo$int$RE = function (this: any, ret: number): void {
  Echo$tars_ping$RE.call(this, ret);
};

/** The generated servant base: decodes the arguments and calls the business method with `current` first. */
export class EchoImp {
  _name: any = undefined;
  _worker: any = undefined;
  application: any;

  initialize(): void {}

  onDispatch(current: any, funcName: string, binBuffer: any): number {
    const handler = (this as any)[`__${funcName}`];
    if (typeof handler === 'function') return handler.call(this, current, binBuffer);
    return tarsError().SERVER.FUNC_NOT_FOUND;
  }

  __tars_ping(current: any): number {
    Echo$tars_ping$RE.call(current, 0);
    return tarsError().SUCCESS;
  }

  __echoString(current: any, binBuffer: any): number {
    let s;
    if (tupOf(current)) {
      const tup = newTup(current);
      tup.decode(binBuffer);
      s = tup.readString('s');
    } else {
      const is = new TarsStream.TarsInputStream(binBuffer);
      s = is.readString(1, true, '');
    }
    current.sendResponse = Echo$echoString$RE;
    this.echoString(current, s);
    return tarsError().SUCCESS;
  }

  __echoStruct(current: any, binBuffer: any): number {
    let p; let q;
    if (tupOf(current)) {
      const tup = newTup(current);
      tup.decode(binBuffer);
      p = tup.readStruct('p', Pair);
      q = tup.readStruct('q', Pair, new Pair());
    } else {
      const is = new TarsStream.TarsInputStream(binBuffer);
      p = is.readStruct(1, true, Pair);
      q = is.readStruct(2, false, Pair);
    }
    current.sendResponse = Echo$echoStruct$RE;
    this.echoStruct(current, p, q);
    return tarsError().SUCCESS;
  }

  __echoContainers(current: any, binBuffer: any): number {
    let v; let m; let b; let v2; let m2; let b2;
    if (tupOf(current)) {
      const tup = newTup(current);
      tup.decode(binBuffer);
      v = tup.readList('v', TarsStream.List(TarsStream.Int32));
      m = tup.readMap('m', TarsStream.Map(TarsStream.String, Pair));
      b = tup.readBytes('b');
      v2 = tup.readList('v2', TarsStream.List(TarsStream.Int32), TarsStream.List(TarsStream.Int32));
      m2 = tup.readMap('m2', TarsStream.Map(TarsStream.String, Pair), TarsStream.Map(TarsStream.String, Pair));
      b2 = tup.readBytes('b2', new TarsStream.BinBuffer());
    } else {
      const is = new TarsStream.TarsInputStream(binBuffer);
      v = is.readList(1, true, TarsStream.List(TarsStream.Int32));
      m = is.readMap(2, true, TarsStream.Map(TarsStream.String, Pair));
      b = is.readBytes(3, true, TarsStream.BinBuffer);
      v2 = is.readList(4, false, TarsStream.List(TarsStream.Int32));
      m2 = is.readMap(5, false, TarsStream.Map(TarsStream.String, Pair));
      b2 = is.readBytes(6, false, TarsStream.BinBuffer);
    }
    current.sendResponse = Echo$echoContainers$RE;
    this.echoContainers(current, v, m, b, v2, m2, b2);
    return tarsError().SUCCESS;
  }

  __fire(current: any, binBuffer: any): number {
    let s;
    if (tupOf(current)) {
      const tup = newTup(current);
      tup.decode(binBuffer);
      s = tup.readString('s');
    } else {
      const is = new TarsStream.TarsInputStream(binBuffer);
      s = is.readString(1, true, '');
    }
    current.sendResponse = Echo$fire$RE;
    this.fire(current, s);
    return tarsError().SUCCESS;
  }

  __sleepMs(current: any, binBuffer: any): number {
    let ms;
    if (tupOf(current)) {
      const tup = newTup(current);
      tup.decode(binBuffer);
      ms = tup.readInt32('ms');
    } else {
      const is = new TarsStream.TarsInputStream(binBuffer);
      ms = is.readInt32(1, true, 0);
    }
    current.sendResponse = Echo$int$RE;
    this.sleepMs(current, ms);
    return tarsError().SUCCESS;
  }

  __fail(current: any, binBuffer: any): number {
    let why;
    if (tupOf(current)) {
      const tup = newTup(current);
      tup.decode(binBuffer);
      why = tup.readString('why');
    } else {
      const is = new TarsStream.TarsInputStream(binBuffer);
      why = is.readString(1, true, '');
    }
    current.sendResponse = Echo$int$RE;
    this.fail(current, why);
    return tarsError().SUCCESS;
  }

  echoString(_current: any, _s: string): void {
    throw new Error('echoString function not implemented');
  }

  echoStruct(_current: any, _p: Pair, _q: Pair): void {
    throw new Error('echoStruct function not implemented');
  }

  echoContainers(_current: any, _v: any, _m: any, _b: any, _v2: any, _m2: any, _b2: any): void {
    throw new Error('echoContainers function not implemented');
  }

  fire(_current: any, _s: string): void {
    throw new Error('fire function not implemented');
  }

  sleepMs(_current: any, _ms: number): void {
    throw new Error('sleepMs function not implemented');
  }

  fail(_current: any, _why: string): void {
    throw new Error('fail function not implemented');
  }
}

// ---- hand-written business code (EchoImp.js) ------------------------------------------------------------------------

/** One request as the official servant saw it. */
export interface OracleCall {
  func: string;
  servant: string;
  version: number;
  packetType: number;
  requestId: number;
  context: Record<string, string>;
  status: Record<string, string>;
  args: unknown[];
}

/** What the official servant observed; tests read it and wait on it. */
export class OracleRecorder {
  readonly calls: OracleCall[] = [];
  private waiters: {pred: (c: OracleCall) => boolean; resolve: (c: OracleCall) => void}[] = [];

  record(call: OracleCall): void {
    this.calls.push(call);
    this.waiters = this.waiters.filter((w) => {
      if (!w.pred(call)) return true;
      w.resolve(call);
      return false;
    });
  }

  /** The first call (already made or still to come) matching `pred`; rejects after `timeoutMs`. */
  waitFor(pred: (c: OracleCall) => boolean, timeoutMs = 2000): Promise<OracleCall> {
    const seen = this.calls.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the official servant saw no matching call in ${timeoutMs} ms`)),
        timeoutMs);
      this.waiters.push({pred, resolve: (c) => {
        clearTimeout(timer);
        resolve(c);
      }});
    });
  }
}

function tarsMapToObject(m: any): Record<string, string> {
  const out: Record<string, string> = {};
  m?.forEach((k: string, v: string) => {
    out[k] = v;
  });
  return out;
}

/**
 * The business implementation of Echo for @tars/rpc, recording every call in `recorder`:
 * - echoString(s) returns s; echoStruct(p) returns 1 and q = {name: p.name + '!', value: p.value + 1};
 * - echoContainers(v, m, b) returns v.length and v2 = v reversed, m2 = m with each name upper-cased,
 *   b2 = b reversed;
 * - fire(s) records s (two-way calls get an empty answer; one-way calls none);
 * - sleepMs(ms) answers ms after ms milliseconds;
 * - fail(why): `send:<code>` answers with current.sendErrorResponse(code, why); `throw` throws an Error;
 *   `throwcode:<code>` throws an Error whose `code` is set; anything else returns 0.
 * Every answer echoes the request context as the response context (current.setResponseContext).
 */
export function createEchoImp(recorder: OracleRecorder): new () => EchoImp {
  function note(current: any, func: string, args: unknown[]): void {
    const req = current.getRequest();
    const context = tarsMapToObject(current.getContext());
    current.setResponseContext(context);
    recorder.record({func, servant: req.sServantName, version: current.getRequestVersion(),
      packetType: req.cPacketType, requestId: current.getRequestId(), context,
      status: tarsMapToObject(current.getRequestStatus()), args});
  }

  return class EchoImpImpl extends EchoImp {
    override echoString(current: any, s: string): void {
      note(current, 'echoString', [s]);
      current.sendResponse(s);
    }

    override echoStruct(current: any, p: Pair): void {
      note(current, 'echoStruct', [p.toObject()]);
      current.sendResponse(1, pair(`${p.name}!`, BigInt(p.value) + 1n));
    }

    override echoContainers(current: any, v: any, m: any, b: any): void {
      note(current, 'echoContainers', [[...v.value], fromPairMap(m), Buffer.from(b.toNodeBuffer())]);
      const v2 = intList([...v.value].reverse());
      const m2 = pairMap([...fromPairMap(m)].map(([k, x]) => [k, pair(x.name.toUpperCase(), x.value)]));
      const b2 = binBuffer(Buffer.from(b.toNodeBuffer()).reverse());
      current.sendResponse(v.value.length, v2, m2, b2);
    }

    override fire(current: any, s: string): void {
      note(current, 'fire', [s]);
      current.sendResponse();
    }

    override sleepMs(current: any, ms: number): void {
      note(current, 'sleepMs', [ms]);
      setTimeout(() => current.sendResponse(ms), ms);
    }

    override fail(current: any, why: string): void {
      note(current, 'fail', [why]);
      if (why.startsWith('send:')) {
        current.sendErrorResponse(Number(why.slice('send:'.length)), why);
      } else if (why === 'throw') {
        throw new Error(why);
      } else if (why.startsWith('throwcode:')) {
        throw Object.assign(new Error(why), {code: Number(why.slice('throwcode:'.length))});
      } else {
        current.sendResponse(0);
      }
    }
  };
}

// ---- generated: client proxy Interop.EchoProxy (EchoProxy.js) ------------------------------------------------------

/** The error a tars2node proxy rejects with: `response.error` holds `{code, message}`. */
export interface OracleCallError extends Error {
  request: any;
  response: {costtime: number; error: {code: number; message: string}};
}

/** What a tars2node proxy method resolves to. */
export interface OracleResult<R = any, A = Record<string, any>> {
  request: any;
  response: {costtime: number; return: R; arguments: A};
}

function makeError(data: any, message: string, type?: number): OracleCallError {
  const error = new Error(message || '') as OracleCallError;
  error.request = data.request;
  error.response = {costtime: data.request?.costtime} as OracleCallError['response'];
  if (type === tarsError().CLIENT.DECODE_ERROR) {
    error.name = 'DECODE_ERROR';
    error.response.error = {code: type as number, message};
  } else {
    error.name = 'RPC_ERROR';
    error.response.error = data.error;
  }
  return error;
}

interface OpCodec {
  name: string;
  /** TARS v1 in-arguments. */
  ie: (os: any, args: any[]) => void;
  /** TARS v1 result: return value and out-arguments. */
  id: (is: any) => {ret?: any; args?: Record<string, any>};
  /** TUP in-arguments. */
  pe: (tup: any, args: any[]) => void;
  /** TUP result. */
  pd: (tup: any) => {ret?: any; args?: Record<string, any>};
}

const OPS: Record<string, OpCodec> = {
  echoString: {
    name: 'echoString',
    ie: (os, [s]) => os.writeString(1, s),
    id: (is) => ({ret: is.readString(0, true, '')}),
    pe: (tup, [s]) => tup.writeString('s', s),
    pd: (tup) => ({ret: tup.readString('', '')}),
  },
  echoStruct: {
    name: 'echoStruct',
    ie: (os, [p]) => os.writeStruct(1, p),
    id: (is) => ({ret: is.readInt32(0, true, 0), args: {q: is.readStruct(2, true, Pair)}}),
    pe: (tup, [p]) => tup.writeStruct('p', p),
    pd: (tup) => ({ret: tup.readInt32('', 0), args: {q: tup.readStruct('q', Pair)}}),
  },
  echoContainers: {
    name: 'echoContainers',
    ie: (os, [v, m, b]) => {
      os.writeList(1, v);
      os.writeMap(2, m);
      os.writeBytes(3, b);
    },
    id: (is) => ({ret: is.readInt32(0, true, 0), args: {
      v2: is.readList(4, true, TarsStream.List(TarsStream.Int32)),
      m2: is.readMap(5, true, TarsStream.Map(TarsStream.String, Pair)),
      b2: is.readBytes(6, true, TarsStream.BinBuffer),
    }}),
    pe: (tup, [v, m, b]) => {
      tup.writeList('v', v);
      tup.writeMap('m', m);
      tup.writeBytes('b', b);
    },
    pd: (tup) => ({ret: tup.readInt32('', 0), args: {
      v2: tup.readList('v2', TarsStream.List(TarsStream.Int32)),
      m2: tup.readMap('m2', TarsStream.Map(TarsStream.String, Pair)),
      b2: tup.readBytes('b2'),
    }}),
  },
  fire: {
    name: 'fire',
    ie: (os, [s]) => os.writeString(1, s),
    id: () => ({}),
    pe: (tup, [s]) => tup.writeString('s', s),
    pd: () => ({}),
  },
  sleepMs: {
    name: 'sleepMs',
    ie: (os, [ms]) => os.writeInt32(1, ms),
    id: (is) => ({ret: is.readInt32(0, true, 0)}),
    pe: (tup, [ms]) => tup.writeInt32('ms', ms),
    pd: (tup) => ({ret: tup.readInt32('', 0)}),
  },
  fail: {
    name: 'fail',
    ie: (os, [why]) => os.writeString(1, why),
    id: (is) => ({ret: is.readInt32(0, true, 0)}),
    pe: (tup, [why]) => tup.writeString('why', why),
    pd: (tup) => ({ret: tup.readInt32('', 0)}),
  },
};

/**
 * The proxy tars2node generates for Echo: `comm.stringToProxy(EchoProxy, 'Obj@tcp -h H -p P -t 3000')`. Each method
 * takes the in-arguments and, last, an optional property object (`{context, packetType: 1, hashCode, dyeing}`).
 * `setVersion(3)` (before the first call: @tars/rpc picks the reply format when it connects) switches to TUP.
 */
export class EchoProxy {
  _name: any = undefined;
  _worker: any = undefined;

  setTimeout(iTimeout: number): void {
    this._worker.timeout = iTimeout;
  }

  getTimeout(): number {
    return this._worker.timeout;
  }

  setVersion(iVersion: number): void {
    this._worker.version = iVersion;
  }

  getVersion(): number {
    return this._worker.version;
  }

  private $call(op: OpCodec, args: any[], property: any): Promise<OracleResult> {
    const version = this._worker.version;
    const decode = (from: any, read: (x: any) => {ret?: any; args?: Record<string, any>}) => (data: any) => {
      try {
        const r = read(from(data));
        return {request: data.request, response: {costtime: data.request.costtime, return: r.ret,
          arguments: r.args ?? {}}};
      } catch (e) {
        throw makeError(data, (e as Error).message, tarsError().CLIENT.DECODE_ERROR);
      }
    };
    const fail = (data: any) => {
      throw makeError(data, `Call Echo::${op.name} failed`);
    };
    if (version === TUP_SIMPLE || version === TUP_COMPLEX) {
      const tup = new TarsStream.UniAttribute();
      tup.tupVersion = version;
      op.pe(tup, args);
      return this._worker.tup_invoke(op.name, tup, property)
        .then(decode((data: any) => data.response.tup, op.pd), fail);
    }
    const os = new TarsStream.TarsOutputStream();
    op.ie(os, args);
    return this._worker.tars_invoke(op.name, os.getBinBuffer(), property)
      .then(decode((data: any) => new TarsStream.TarsInputStream(data.response.sBuffer), op.id), fail);
  }

  echoString(s: string, property?: any): Promise<OracleResult<string>> {
    return this.$call(OPS.echoString!, [s], property);
  }

  echoStruct(p: Pair, property?: any): Promise<OracleResult<number, {q: Pair}>> {
    return this.$call(OPS.echoStruct!, [p], property) as Promise<OracleResult<number, {q: Pair}>>;
  }

  echoContainers(v: any, m: any, b: any, property?: any): Promise<OracleResult<number, {v2: any; m2: any; b2: any}>> {
    return this.$call(OPS.echoContainers!, [v, m, b], property) as Promise<OracleResult<number,
      {v2: any; m2: any; b2: any}>>;
  }

  fire(s: string, property?: any): Promise<OracleResult<undefined>> {
    return this.$call(OPS.fire!, [s], property);
  }

  sleepMs(ms: number, property?: any): Promise<OracleResult<number>> {
    return this.$call(OPS.sleepMs!, [ms], property);
  }

  fail(why: string, property?: any): Promise<OracleResult<number>> {
    return this.$call(OPS.fail!, [why], property);
  }

  /**
   * Not generated by tars2node (its proxies have no tars_ping): a raw `tars_ping` through the same worker, resolving
   * to the raw response packet. The body is not decoded: servers differ (Node servants answer `0c`, TarsCpp and
   * TarsGo an empty sBuffer).
   */
  tars_ping(property?: any): Promise<any> {
    const version = this._worker.version;
    if (version === TUP_SIMPLE || version === TUP_COMPLEX) {
      const tup = new TarsStream.UniAttribute();
      tup.tupVersion = version;
      return this._worker.tup_invoke('tars_ping', tup, property).then((data: any) => data.response, (data: any) => {
        throw makeError(data, 'Call Echo::tars_ping failed');
      });
    }
    return this._worker.tars_invoke('tars_ping', new TarsStream.TarsOutputStream().getBinBuffer(), property)
      .then((data: any) => data.response, (data: any) => {
        throw makeError(data, 'Call Echo::tars_ping failed');
      });
  }
}

// ---- plumbing: official servers and clients in tests ---------------------------------------------------------------


/** Resolves once something accepts connections on 127.0.0.1:port (polling every 10 ms, up to `timeoutMs`). */
export async function waitForPort(port: number, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({host: '127.0.0.1', port});
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** An @tars/rpc server hosting one servant. */
export interface OfficialServer {
  port: number;
  servant: string;
  /** `Servant@tcp -h 127.0.0.1 -p <port> -t 60000`. */
  proxyString: string;
  stop(): void;
}

/** Starts `@tars/rpc`'s server (`server.createServer(Imp).start(BindAdapterOption)`) on a free loopback port. */
export async function startOfficialServer(handleImp: new () => EchoImp,
  options: {servant?: string; maxconns?: number} = {}): Promise<OfficialServer> {
  const servant = options.servant ?? 'Interop.OfficialServer.EchoObj';
  const port = await freePort();
  const server = tarsRpc().server.createServer(handleImp);
  // BindAdapterOption: endpoint, servant, maxconns, protocol (SimpleServer maps it to protocolName), handleImp.
  server.start({endpoint: `tcp -h 127.0.0.1 -p ${port} -t 60000`, servant, maxconns: options.maxconns ?? 1024,
    protocol: 'tars', handleImp});
  await waitForPort(port);
  return {port, servant, proxyString: `${servant}@tcp -h 127.0.0.1 -p ${port} -t 60000`,
    stop: () => server.stop()};
}

/** A fresh @tars/rpc communicator with a call timeout (ms); destroy it with {@link destroyOfficialClient}. */
export function officialClient(timeoutMs = 3000): any {
  const Communicator = tarsRpc().Communicator;
  const comm = new Communicator();
  comm.setProperty('timeout', timeoutMs);
  return comm;
}

/**
 * Destroys an @tars/rpc communicator at once. `Communicator.destroy()` closes each connection only after the
 * proxy's timeout (so late answers still arrive); with the timeout set to 0 first, nothing outlives the test.
 */
export function destroyOfficialClient(comm: any): void {
  for (const worker of Object.values<any>(comm._workers ?? {})) worker.timeout = 0;
  comm.destroy();
}

// ---- plumbing: raw sockets for protocol-level tests -----------------------------------------------------------------

/**
 * A raw TCP connection to a server: writes whatever bytes a test wants, collects what comes back, and tells when the
 * server closed it. Socket errors (ECONNRESET, EPIPE after the server hung up) are recorded, never thrown.
 */
export class RawClient {
  private chunks: Buffer[] = [];
  private waiters: (() => void)[] = [];
  closed = false;
  error?: Error;
  private readonly closedPromise: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.wake();
    });
    socket.on('error', (error) => {
      this.error = error;
    });
    this.closedPromise = new Promise((resolve) => socket.once('close', () => {
      this.closed = true;
      this.wake();
      resolve();
    }));
  }

  /** Connects to 127.0.0.1:port; resolves once connected. */
  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({host: '127.0.0.1', port});
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawClient(socket));
      });
      socket.once('error', reject);
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Writes bytes; resolves when handed to the kernel (or at once when the socket is gone). */
  write(bytes: Uint8Array): Promise<void> {
    if (this.closed || this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => this.socket.write(bytes, () => resolve()));
  }

  /** Everything received so far. */
  received(): Buffer {
    return Buffer.concat(this.chunks);
  }

  /** The complete frames received so far (4-byte length prefix included). */
  frames(): Buffer[] {
    const all = this.received();
    const out: Buffer[] = [];
    let at = 0;
    while (all.length - at >= 4) {
      const n = all.readUInt32BE(at);
      if (n < 4 || all.length - at < n) break;
      out.push(all.subarray(at, at + n));
      at += n;
    }
    return out;
  }

  /** Resolves with the first `n` frames once they are all in; rejects after `timeoutMs` or if the server closes. */
  async waitFrames(n: number, timeoutMs = 3000): Promise<Buffer[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frames = this.frames();
      if (frames.length >= n) return frames.slice(0, n);
      if (this.closed) throw new Error(`the server closed the connection after ${frames.length} of ${n} frame(s)`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${frames.length} of ${n} frame(s) after ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Resolves true once the server has closed the connection, false if it is still open after `timeoutMs`. */
  async waitClosed(timeoutMs = 3000): Promise<boolean> {
    if (this.closed) return true;
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([this.closedPromise.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      })]);
    clearTimeout(timer);
    return result;
  }

  destroy(): void {
    this.socket.destroy();
  }
}
