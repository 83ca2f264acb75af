/**
 * The part of @tars-ts/core that generated code needs (codec, protocol, descriptors, servant and proxy bases) and
 * nothing that depends on generated code. The framework stubs in core/src/framework import this rather than the
 * package index: the communicator and the server import those stubs, and importing the index from them would be
 * a module cycle. User code imports the index, which re-exports all of this.
 */
export * from './errors/index.js';

export {MAX_TAG, WireType, wireTypeName} from './codec/wire-type.js';
export {TarsWriter, valueKind} from './codec/writer.js';
export {type ReaderOptions, TarsReader} from './codec/reader.js';
export {
  type EnumDef, type FieldDef, type ListSpelling, type ScalarKind, type StructDef, T, type TarsType, defaultStruct,
  idlTypeName, isBytesType, readStructFields, readValue, setField, tupTypeName, writeStructFields, writeValue,
  zeroValue,
} from './codec/types.js';

export {
  CONTEXT_NODE_NAME, DEFAULT_MAX_PACKET, MIN_PACKET, MessageType, PacketType, RECONNECT_NOTICE, ReturnCode,
  StatusKey, TARS_DESCRIBE, TARS_PING, Version,
} from './protocol/constants.js';
export {
  type RequestPacket, type ResponsePacket, type ResponseWriteOptions, decodeAnyResponseFrame, decodeRequestFrame,
  decodeResponseFrame, encodeRequestFrame, encodeResponseFrame, frameLength, readRequestPacket, readResponsePacket,
  requestPacket, responsePacket, writeRequestPacket, writeResponsePacket,
} from './protocol/packets.js';
export {type TupVersion, UniAttribute, type UniAttributeOptions, encodeTupRequestFrame} from './protocol/tup.js';
export {type Json, fromJson, toJson} from './codec/json.js';
export {
  type ConstDef, type FileDef, type InterfaceDef, type OperationDef, type ParamDef, decodeRequestArgs,
  decodeResponseBody, encodeRequestArgs, encodeResponseBody, inParams, methodName, outParams, returnKey,
} from './protocol/operation.js';

export {type CallOptions} from './rpc/call-options.js';
export {type Callback, type Invoker, ServantProxy, type ServantProxyClass} from './rpc/servant-proxy.js';
export {
  CallContext, type CallInfo, type Deferred, type DispatchResult, type Responder, Servant,
} from './rpc/servant.js';
