import {TarsReader} from '../codec/reader.js';
import {TarsWriter} from '../codec/writer.js';
import {TarsError} from '../errors/tars-error.js';
import {DEFAULT_MAX_PACKET, MIN_PACKET, PacketType, StatusKey, Version} from './constants.js';

/** RequestPacket (module `tars`, RequestF.tars). Also the shape of TUP responses. */
export interface RequestPacket {
  iVersion: number;
  cPacketType: number;
  iMessageType: number;
  iRequestId: number;
  sServantName: string;
  sFuncName: string;
  sBuffer: Uint8Array;
  iTimeout: number;
  context: ReadonlyMap<string, string>;
  status: ReadonlyMap<string, string>;
}

/** ResponsePacket (module `tars`). Note tags 3 and 4 are swapped against RequestPacket. */
export interface ResponsePacket {
  iVersion: number;
  cPacketType: number;
  iRequestId: number;
  iMessageType: number;
  iRet: number;
  sBuffer: Uint8Array;
  status: ReadonlyMap<string, string>;
  sResultDesc: string;
  context: ReadonlyMap<string, string>;
}

const EMPTY = new Uint8Array(0);
const NO_OPTIONS: ResponseWriteOptions = {};

/** A RequestPacket with every field at its default; fields given in `p` override. */
export function requestPacket(p: Partial<RequestPacket> = {}): RequestPacket {
  // Explicit fields (no spread over defaults): one object shape, and no Map allocated just to be replaced.
  return {
    iVersion: p.iVersion ?? Version.TARSVERSION, cPacketType: p.cPacketType ?? PacketType.TARSNORMAL,
    iMessageType: p.iMessageType ?? 0, iRequestId: p.iRequestId ?? 0, sServantName: p.sServantName ?? '',
    sFuncName: p.sFuncName ?? '', sBuffer: p.sBuffer ?? EMPTY, iTimeout: p.iTimeout ?? 0,
    context: p.context ?? new Map(), status: p.status ?? new Map(),
  };
}

/** A ResponsePacket with every field at its default; fields given in `p` override. */
export function responsePacket(p: Partial<ResponsePacket> = {}): ResponsePacket {
  return {
    iVersion: p.iVersion ?? Version.TARSVERSION, cPacketType: p.cPacketType ?? PacketType.TARSNORMAL,
    iRequestId: p.iRequestId ?? 0, iMessageType: p.iMessageType ?? 0, iRet: p.iRet ?? 0, sBuffer: p.sBuffer ?? EMPTY,
    status: p.status ?? new Map(), sResultDesc: p.sResultDesc ?? '', context: p.context ?? new Map(),
  };
}

function writeStringMap(w: TarsWriter, tag: number, m: ReadonlyMap<string, string>): void {
  w.writeMapHeader(tag, m.size);
  for (const [k, v] of m) {
    w.writeString(0, k);
    w.writeString(1, v);
  }
}

function readStringMap(r: TarsReader, tag: number, required: boolean): Map<string, string> {
  const n = r.readMapLength(tag, required);
  const out = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    const k = r.readString(0, true);
    out.set(k, r.readString(1, true));
  }
  return out;
}

/** A packet body (sBuffer): bytes, or a function writing them into the packet in place. */
type Body = Uint8Array | ((w: TarsWriter) => void);

function writeBody(w: TarsWriter, tag: number, body: Body): void {
  if (typeof body === 'function') w.writeBytesWith(tag, body);
  else w.writeBytes(tag, body);
}

/** Writes the fields of a RequestPacket (no frame length). Every field is `require`, so all are written. */
export function writeRequestPacket(w: TarsWriter, p: RequestPacket): void {
  writeRequestFields(w, p, p.sBuffer);
}

function writeRequestFields(w: TarsWriter, p: Omit<RequestPacket, 'sBuffer'>, body: Body): void {
  w.writeInt16(1, p.iVersion);
  w.writeInt8(2, p.cPacketType);
  w.writeInt32(3, p.iMessageType);
  w.writeInt32(4, p.iRequestId);
  w.writeString(5, p.sServantName);
  w.writeString(6, p.sFuncName);
  writeBody(w, 7, body);
  w.writeInt32(8, p.iTimeout);
  writeStringMap(w, 9, p.context);
  writeStringMap(w, 10, p.status);
}

/** Reads a RequestPacket's fields. sBuffer is a view into the input (no copy). */
export function readRequestPacket(r: TarsReader): RequestPacket {
  return {
    iVersion: r.readInt16(1, true),
    cPacketType: r.readInt8(2, true),
    iMessageType: r.readInt32(3, true),
    iRequestId: r.readInt32(4, true),
    sServantName: r.readString(5, true),
    sFuncName: r.readString(6, true),
    sBuffer: r.readBytesView(7, true),
    iTimeout: r.readInt32(8, true),
    // TarsCpp and TarsGo always write them; @tars/stream's own TUP reader treats them as optional, so do we.
    context: readStringMap(r, 9, false),
    status: readStringMap(r, 10, false),
  };
}

/** Options of the ResponsePacket writer. */
export interface ResponseWriteOptions {
  /**
   * Write sResultDesc and context even when empty, as @tars/stream does. Default false: omit them when empty, as
   * TarsGo and TarsCpp do (both are optional fields).
   */
  writeEmptyOptional?: boolean;
}

/** Writes the fields of a ResponsePacket (no frame length). */
export function writeResponsePacket(w: TarsWriter, p: ResponsePacket, options: ResponseWriteOptions = {}): void {
  writeResponseFields(w, p, p.sBuffer, options);
}

function writeResponseFields(w: TarsWriter, p: Omit<ResponsePacket, 'sBuffer'>, body: Body,
  options: ResponseWriteOptions): void {
  w.writeInt16(1, p.iVersion);
  w.writeInt8(2, p.cPacketType);
  w.writeInt32(3, p.iRequestId);
  w.writeInt32(4, p.iMessageType);
  w.writeInt32(5, p.iRet);
  writeBody(w, 6, body);
  writeStringMap(w, 7, p.status);
  if (options.writeEmptyOptional || p.sResultDesc !== '') w.writeString(8, p.sResultDesc);
  if (options.writeEmptyOptional || p.context.size > 0) writeStringMap(w, 9, p.context);
}

/** Reads a ResponsePacket's fields. sBuffer is a view into the input (no copy). */
export function readResponsePacket(r: TarsReader): ResponsePacket {
  return {
    iVersion: r.readInt16(1, true),
    cPacketType: r.readInt8(2, true),
    iRequestId: r.readInt32(3, true),
    iMessageType: r.readInt32(4, true),
    iRet: r.readInt32(5, true),
    sBuffer: r.readBytesView(6, true),
    status: readStringMap(r, 7, false),
    sResultDesc: r.readString(8, false),
    context: readStringMap(r, 9, false),
  };
}

// ---- frames -----------------------------------------------------------------------------------------------------

function frame(write: (w: TarsWriter) => void, sizeHint: number): Buffer {
  const w = new TarsWriter(sizeHint);
  const at = w.reserve(4);
  write(w);
  w.patchUInt32(at, w.length);
  return w.toBuffer();
}

/** A request frame whose sBuffer `writeArgs` writes straight into the frame (no buffer of its own). */
export function encodeRequestFrameWith(p: Omit<RequestPacket, 'sBuffer'>, writeArgs: (w: TarsWriter) => void,
  sizeHint = 128): Buffer {
  return frame((w) => writeRequestFields(w, p, writeArgs), sizeHint);
}

/** A response frame whose sBuffer `writeResult` writes straight into the frame. */
export function encodeResponseFrameWith(p: Omit<ResponsePacket, 'sBuffer'>, writeResult: (w: TarsWriter) => void,
  sizeHint = 128): Buffer {
  return frame((w) => writeResponseFields(w, p, writeResult, NO_OPTIONS), sizeHint);
}

/** A RequestPacket as a TCP/UDP frame: 4-byte big-endian length (counting itself), then the fields. */
export function encodeRequestFrame(p: RequestPacket): Buffer {
  return frame((w) => writeRequestPacket(w, p), 64 + p.sServantName.length + p.sFuncName.length + p.sBuffer.length);
}

/** A ResponsePacket as a frame. */
export function encodeResponseFrame(p: ResponsePacket, options?: ResponseWriteOptions): Buffer {
  return frame((w) => writeResponsePacket(w, p, options), 48 + p.sBuffer.length + p.sResultDesc.length);
}

/**
 * Checks the length prefix of the frame starting at `offset` and returns it (bytes including the prefix), or -1 when
 * fewer than 4 bytes are there yet. Throws PACKET_TOO_SHORT / PACKET_TOO_LARGE for a length outside
 * [5, maxPacket]: the caller closes the connection.
 */
export function frameLength(buf: Uint8Array, offset = 0, maxPacket = DEFAULT_MAX_PACKET): number {
  if (buf.length - offset < 4) return -1;
  const n = ((buf[offset] << 24) | (buf[offset + 1] << 16) | (buf[offset + 2] << 8) | buf[offset + 3]) >>> 0;
  if (n < MIN_PACKET) {
    throw new TarsError('PACKET_TOO_SHORT', `frame length ${n} is below the minimum of ${MIN_PACKET}`,
      {offset, length: n});
  }
  if (n > maxPacket) {
    throw new TarsError('PACKET_TOO_LARGE', `frame length ${n} exceeds the maximum packet size of ${maxPacket}`,
      {offset, length: n, max: maxPacket});
  }
  return n;
}

function bodyReader(frameBytes: Uint8Array, maxPacket: number): TarsReader {
  const n = frameLength(frameBytes, 0, maxPacket);
  if (n < 0 || n > frameBytes.length) {
    throw new TarsError('PACKET_MALFORMED', `frame of ${frameBytes.length} byte(s) is shorter than its length ` +
      `prefix (${n < 0 ? 'missing' : n})`, {offset: 0});
  }
  return new TarsReader(frameBytes, 4, n);
}

function malformed(what: string, err: unknown): never {
  if (err instanceof TarsError && err.code.startsWith('PACKET_')) throw err;
  const message = err instanceof Error ? err.message : String(err);
  throw new TarsError('PACKET_MALFORMED', `cannot decode ${what}: ${message}`,
    err instanceof TarsError ? err.details : {}, {cause: err});
}

/** Decodes one whole RequestPacket frame (length prefix included). Errors are PACKET_* TarsErrors. */
export function decodeRequestFrame(frameBytes: Uint8Array, maxPacket = DEFAULT_MAX_PACKET): RequestPacket {
  try {
    return readRequestPacket(bodyReader(frameBytes, maxPacket));
  } catch (error) {
    return malformed('RequestPacket', error);
  }
}

/** Decodes one whole ResponsePacket frame (length prefix included). */
export function decodeResponseFrame(frameBytes: Uint8Array, maxPacket = DEFAULT_MAX_PACKET): ResponsePacket {
  try {
    return readResponsePacket(bodyReader(frameBytes, maxPacket));
  } catch (error) {
    return malformed('ResponsePacket', error);
  }
}

/**
 * Decodes a response frame of either shape, as a client must (protocol.md 2.4 and 7): iVersion 2 or 3 means a
 * RequestPacket-shaped TUP response whose framework code and text are in the status map; anything else is a
 * ResponsePacket. The result is always a ResponsePacket.
 */
export function decodeAnyResponseFrame(frameBytes: Uint8Array, maxPacket = DEFAULT_MAX_PACKET): ResponsePacket {
  let version: number;
  let r: TarsReader;
  try {
    r = bodyReader(frameBytes, maxPacket);
    version = r.readInt16(1, true);
  } catch (error) {
    return malformed('response', error);
  }
  if (version !== Version.TUPVERSION && version !== Version.TUP_COMPLEX) {
    // The same reader, rewound: the frame is checked and decoded once.
    try {
      r.pos = 4;
      return readResponsePacket(r);
    } catch (error) {
      return malformed('ResponsePacket', error);
    }
  }
  let p: RequestPacket;
  try {
    r.pos = 4;
    p = readRequestPacket(r);
  } catch (error) {
    return malformed('RequestPacket', error);
  }
  const code = p.status.get(StatusKey.RESULT_CODE);
  // A result code that is not a number is garbage from the peer: report it as an unknown server error.
  const iRet = code === undefined || code === '' ? 0 : Number.parseInt(code, 10);
  return {
    iVersion: p.iVersion, cPacketType: p.cPacketType, iRequestId: p.iRequestId, iMessageType: p.iMessageType,
    iRet: Number.isNaN(iRet) ? -99 : iRet, sBuffer: p.sBuffer, status: p.status,
    sResultDesc: p.status.get(StatusKey.RESULT_DESC) ?? '', context: p.context,
  };
}
