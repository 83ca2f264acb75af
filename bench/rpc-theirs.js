// The @tars/rpc side of the RPC benchmark: what tars2node (TarsCpp's code generator, not on npm) generates for
// bench/rpc-echo.tars, written by hand in its style: the struct class for @tars/stream, the client proxy whose
// methods call `this._worker.tars_invoke` and decode `data.response.sBuffer`, and the servant "Imp" whose
// `onDispatch` decodes the arguments and installs `current.sendResponse`. `long` is kept as an exact decimal string
// (readInt64/writeInt64 with bString), as in the codec benchmark. The TUP branches tars2node also emits are reduced
// to the version test: the benchmark speaks TARS (version 1) only.

import {createRequire} from 'node:module';

const require = createRequire(import.meta.url);
export const TarsStream = require('@tars/stream');
export const TarsRpc = require('@tars/rpc');
const TarsError = TarsRpc.error;

export const BenchRpc = {};

// ---- struct Item -----------------------------------------------------------------------------------------------

BenchRpc.Item = function () {
  this.id = 0;
  this.stamp = '0';
  this.name = '';
  this.score = 0;
  this.flag = false;
  this.tags = new TarsStream.List(TarsStream.Int32);
  this.attrs = new TarsStream.Map(TarsStream.String, TarsStream.String);
  this._classname = 'BenchRpc.Item';
};
BenchRpc.Item._classname = 'BenchRpc.Item';
BenchRpc.Item._write = function (os, tag, value) { os.writeStruct(tag, value); };
BenchRpc.Item._read = function (is, tag, def) { return is.readStruct(tag, true, def); };
BenchRpc.Item._readFrom = function (is) {
  const tmp = new BenchRpc.Item();
  tmp.id = is.readInt32(0, true, 0);
  tmp.stamp = is.readInt64(1, true, '0', true);
  tmp.name = is.readString(2, false, '');
  tmp.score = is.readDouble(3, false, 0);
  tmp.flag = is.readBoolean(4, false, false);
  tmp.tags = is.readList(5, false, TarsStream.List(TarsStream.Int32));
  tmp.attrs = is.readMap(6, false, TarsStream.Map(TarsStream.String, TarsStream.String));
  return tmp;
};
BenchRpc.Item.prototype._writeTo = function (os) {
  os.writeInt32(0, this.id);
  os.writeInt64(1, this.stamp, true);
  os.writeString(2, this.name);
  os.writeDouble(3, this.score);
  os.writeBoolean(4, this.flag);
  os.writeList(5, this.tags);
  os.writeMap(6, this.attrs);
};
BenchRpc.Item.new = function () { return new BenchRpc.Item(); };
BenchRpc.Item.create = function (is) { return BenchRpc.Item._readFrom(is); };

/** Our Item value as a BenchRpc.Item. */
export function toTheirsItem(v) {
  const t = new BenchRpc.Item();
  t.id = v.id;
  t.stamp = v.stamp.toString();
  t.name = v.name;
  t.score = v.score;
  t.flag = v.flag;
  for (const x of v.tags) t.tags.push(x);
  for (const [k, x] of v.attrs) t.attrs.insert(k, x);
  return t;
}

// ---- client proxy of interface Echo -----------------------------------------------------------------------------

function makeError(data, message, code) {
  const error = new Error(message || '');
  error.request = data.request;
  error.response = {costtime: data.request.costtime};
  if (data.error) error.response.error = data.error;
  else error.response.error = {code: code || TarsError.CLIENT.DECODE_ERROR, message};
  return error;
}

BenchRpc.EchoProxy = function () {
  this._name = undefined;
  this._worker = undefined;
};
BenchRpc.EchoProxy.prototype.setTimeout = function (iTimeout) { this._worker.timeout = iTimeout; };
BenchRpc.EchoProxy.prototype.getTimeout = function () { return this._worker.timeout; };

const Echo$echo$IE = function (s) {
  const os = new TarsStream.TarsOutputStream();
  os.writeString(1, s);
  return os.getBinBuffer();
};
const Echo$echo$ID = function (data) {
  try {
    const is = new TarsStream.TarsInputStream(data.response.sBuffer);
    return {request: data.request, response: {costtime: data.request.costtime,
      return: is.readString(0, true, TarsStream.String), arguments: {}}};
  } catch (e) {
    throw makeError(data, e.message, TarsError.CLIENT.DECODE_ERROR);
  }
};
const Echo$echo$ER = function (data) { throw makeError(data, 'Call Echo::echo failed'); };
BenchRpc.EchoProxy.prototype.echo = function (s) {
  return this._worker.tars_invoke('echo', Echo$echo$IE(s), arguments[arguments.length - 1])
    .then(Echo$echo$ID, Echo$echo$ER);
};

const Echo$echoBytes$IE = function (b) {
  const os = new TarsStream.TarsOutputStream();
  os.writeBytes(1, b);
  return os.getBinBuffer();
};
const Echo$echoBytes$ID = function (data) {
  try {
    const is = new TarsStream.TarsInputStream(data.response.sBuffer);
    return {request: data.request, response: {costtime: data.request.costtime,
      return: is.readBytes(0, true, TarsStream.BinBuffer), arguments: {}}};
  } catch (e) {
    throw makeError(data, e.message, TarsError.CLIENT.DECODE_ERROR);
  }
};
const Echo$echoBytes$ER = function (data) { throw makeError(data, 'Call Echo::echoBytes failed'); };
BenchRpc.EchoProxy.prototype.echoBytes = function (b) {
  return this._worker.tars_invoke('echoBytes', Echo$echoBytes$IE(b), arguments[arguments.length - 1])
    .then(Echo$echoBytes$ID, Echo$echoBytes$ER);
};

const Echo$echoStruct$IE = function (i) {
  const os = new TarsStream.TarsOutputStream();
  os.writeStruct(1, i);
  return os.getBinBuffer();
};
const Echo$echoStruct$ID = function (data) {
  try {
    const is = new TarsStream.TarsInputStream(data.response.sBuffer);
    return {request: data.request, response: {costtime: data.request.costtime,
      return: is.readStruct(0, true, BenchRpc.Item), arguments: {}}};
  } catch (e) {
    throw makeError(data, e.message, TarsError.CLIENT.DECODE_ERROR);
  }
};
const Echo$echoStruct$ER = function (data) { throw makeError(data, 'Call Echo::echoStruct failed'); };
BenchRpc.EchoProxy.prototype.echoStruct = function (i) {
  return this._worker.tars_invoke('echoStruct', Echo$echoStruct$IE(i), arguments[arguments.length - 1])
    .then(Echo$echoStruct$ID, Echo$echoStruct$ER);
};

// ---- servant of interface Echo ----------------------------------------------------------------------------------

function isTup(current) {
  const v = current.getRequestVersion();
  return v === TarsStream.Tup.TUP_SIMPLE || v === TarsStream.Tup.TUP_COMPLEX;
}

BenchRpc.EchoImp = function () {
  this._name = undefined;
  this._worker = undefined;
};
BenchRpc.EchoImp.prototype.initialize = function () {};
BenchRpc.EchoImp.prototype.onDispatch = function (current, funcName, binBuffer) {
  if (('__' + funcName) in this) return this['__' + funcName](current, binBuffer);
  return TarsError.SERVER.FUNC_NOT_FOUND;
};

BenchRpc.EchoImp.prototype.__tars_ping = function (current) {
  const os = new TarsStream.TarsOutputStream();
  os.writeInt32(0, 0);
  current.doResponse(os.getBinBuffer());
  return TarsError.SUCCESS;
};

const Echo$echo$RE = function (_ret) {
  const os = new TarsStream.TarsOutputStream();
  os.writeString(0, _ret);
  this.doResponse(os.getBinBuffer());
};
BenchRpc.EchoImp.prototype.__echo = function (current, binBuffer) {
  if (isTup(current)) return TarsError.SERVER.DECODE_ERROR;
  const is = new TarsStream.TarsInputStream(binBuffer);
  const s = is.readString(1, true, TarsStream.String);
  current.sendResponse = Echo$echo$RE;
  this.echo(current, s);
  return TarsError.SUCCESS;
};

const Echo$echoBytes$RE = function (_ret) {
  const os = new TarsStream.TarsOutputStream();
  os.writeBytes(0, _ret);
  this.doResponse(os.getBinBuffer());
};
BenchRpc.EchoImp.prototype.__echoBytes = function (current, binBuffer) {
  if (isTup(current)) return TarsError.SERVER.DECODE_ERROR;
  const is = new TarsStream.TarsInputStream(binBuffer);
  const b = is.readBytes(1, true, TarsStream.BinBuffer);
  current.sendResponse = Echo$echoBytes$RE;
  this.echoBytes(current, b);
  return TarsError.SUCCESS;
};

const Echo$echoStruct$RE = function (_ret) {
  const os = new TarsStream.TarsOutputStream();
  os.writeStruct(0, _ret);
  this.doResponse(os.getBinBuffer());
};
BenchRpc.EchoImp.prototype.__echoStruct = function (current, binBuffer) {
  if (isTup(current)) return TarsError.SERVER.DECODE_ERROR;
  const is = new TarsStream.TarsInputStream(binBuffer);
  const i = is.readStruct(1, true, BenchRpc.Item);
  current.sendResponse = Echo$echoStruct$RE;
  this.echoStruct(current, i);
  return TarsError.SUCCESS;
};

// The implementation (what a user writes in EchoImp.js).
BenchRpc.EchoImp.prototype.echo = function (current, s) { current.sendResponse(s); };
BenchRpc.EchoImp.prototype.echoBytes = function (current, b) { current.sendResponse(b); };
BenchRpc.EchoImp.prototype.echoStruct = function (current, i) { current.sendResponse(i); };
