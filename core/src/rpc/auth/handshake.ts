import {createCipheriv, createDecipheriv, createHash, timingSafeEqual} from 'node:crypto';

import {TarsReader} from '../../codec/reader.js';
import {TarsWriter} from '../../codec/writer.js';
import {WireType} from '../../codec/wire-type.js';
import {AUTH_STATE} from '../../framework/AuthFTars.js';
import {PacketType, Version} from '../../protocol/constants.js';
import {
  type RequestPacket, type ResponsePacket, encodeRequestFrame, encodeResponseFrame, requestPacket, responsePacket,
} from '../../protocol/packets.js';

/**
 * The endpoint-auth handshake (`-e 1`) as TarsCpp speaks it, byte for byte; docs/auth.md describes it. Pure
 * functions: no sockets, no clock (callers pass the time), so the test vector checks them exactly.
 */

/** iMessageType of the handshake request and its answer (TarsCpp's kAuthType). */
export const AUTH_MESSAGE_TYPE = 0x40;
/** sFuncName of the handshake request. */
export const AUTH_FUNC = 'InnerAuthServer';
/** Request id of the handshake request (always 1 in TarsCpp; answers are matched by position, not by id). */
export const AUTH_REQUEST_ID = 1;
/** sBuffer of the server's answer when the handshake is accepted. */
export const AUTH_SUCC_TEXT = 'AUTH_SUCC';
/** Seconds a handshake's iTime may differ from the server's clock (TarsCpp: one hour, bounds excluded). */
export const AUTH_TIME_WINDOW = 3600;
/** The only hash method servers accept. */
export const AUTH_HASH_METHOD = 'sha1';

/** Names of the AUTH_STATE values, for log lines. */
const STATE_NAMES = new Map<number, string>(Object.entries(AUTH_STATE).map(([k, v]) => [v, k]));

/** `AUTH_WRONG_AK` for -102 and so on; the number for a value AuthF.tars does not name. */
export function authStateName(state: number): string {
  return STATE_NAMES.get(state) ?? String(state);
}

/** The handshake's fields; sSignature is binary (a TARS `string` holding 3DES output, not text). */
export interface AuthPackage {
  sObjName: string;
  sAccessKey: string;
  /** Seconds since the epoch. */
  iTime: bigint;
  sHashMethod: string;
  sSignature: Buffer;
}

function sha1Hex(data: string | Buffer): string {
  return createHash('sha1').update(data).digest('hex');
}

/**
 * The 24-byte 3DES key of a handshake: md5 (hex) of the secret's second sha1 (hex text) whose first 8 bytes are
 * OR-ed with iTime as a little-endian int64 (TarsCpp ORs the bytes of a native int64 on x86), first 24 characters.
 */
function tripleDesKey(secret2Hex: string, iTime: bigint): Buffer {
  const mixed = Buffer.from(secret2Hex, 'latin1');
  const time = Buffer.alloc(8);
  time.writeBigInt64LE(BigInt.asIntN(64, iTime));
  for (let i = 0; i < 8; i++) mixed[i] = mixed[i]! | time[i]!;
  return Buffer.from(createHash('md5').update(mixed).digest('hex').slice(0, 24), 'latin1');
}

/**
 * The signature of a handshake: 3DES-EDE (ECB, PKCS#5 padding) of sha1hex(secret) under {@link tripleDesKey}.
 * 40 bytes of hex text padded to 48.
 */
export function authSignature(secretKey: string, iTime: bigint): Buffer {
  const secret1 = sha1Hex(Buffer.from(secretKey, 'utf8'));
  const cipher = createCipheriv('des-ede3', tripleDesKey(sha1Hex(secret1), iTime), null);
  return Buffer.concat([cipher.update(Buffer.from(secret1, 'latin1')), cipher.final()]);
}

/** A handshake for `objName` with these keys at `nowSeconds`. */
export function authPackage(objName: string, accessKey: string, secretKey: string, nowSeconds: number): AuthPackage {
  const iTime = BigInt(Math.floor(nowSeconds));
  return {sObjName: objName, sAccessKey: accessKey, iTime, sHashMethod: AUTH_HASH_METHOD,
    sSignature: authSignature(secretKey, iTime)};
}

/** A TARS `string` field from raw bytes (the generated writer would UTF-8 encode a JS string). */
function writeRawString(w: TarsWriter, tag: number, bytes: Buffer): void {
  if (bytes.length <= 255) {
    w.writeHead(tag, WireType.STRING1);
    w.writeRaw(Uint8Array.of(bytes.length));
  } else {
    w.writeHead(tag, WireType.STRING4);
    const n = Buffer.alloc(4);
    n.writeUInt32BE(bytes.length);
    w.writeRaw(n);
  }
  w.writeRaw(bytes);
}

/** A TARS `string` field as raw bytes; `undefined` when absent. Throws on a wrong type or truncation. */
function readRawString(r: TarsReader, tag: number): Buffer | undefined {
  if (!r.seek(tag)) return undefined;
  let n: number;
  if (r.lastType === WireType.STRING1) {
    if (r.pos + 1 > r.end) throw new Error(`tag ${tag}: truncated`);
    n = r.buf[r.pos]!;
    r.pos += 1;
  } else if (r.lastType === WireType.STRING4) {
    if (r.pos + 4 > r.end) throw new Error(`tag ${tag}: truncated`);
    n = r.buf.readUInt32BE(r.pos);
    r.pos += 4;
  } else {
    throw new Error(`tag ${tag}: not a string`);
  }
  if (r.pos + n > r.end) throw new Error(`tag ${tag}: truncated`);
  const out = Buffer.from(r.buf.subarray(r.pos, r.pos + n));
  r.pos += n;
  return out;
}

/** The TARS encoding of a BasicAuthPackage (tags 1-5 of AuthF.tars, every field written, as TarsCpp does). */
export function encodeAuthPackage(p: AuthPackage): Buffer {
  const w = new TarsWriter(128);
  w.writeString(1, p.sObjName);
  w.writeString(2, p.sAccessKey);
  w.writeInt64(3, p.iTime);
  w.writeString(4, p.sHashMethod);
  writeRawString(w, 5, p.sSignature);
  return w.toBuffer();
}

/** Decodes a BasicAuthPackage; throws when it does not decode (a required field missing, a wrong type). */
export function decodeAuthPackage(bytes: Uint8Array): AuthPackage {
  const r = new TarsReader(bytes);
  const sObjName = r.readString(1, true);
  const sAccessKey = r.readString(2, true);
  const iTime = r.readInt64(3, true);
  const sHashMethod = r.readString(4, false, AUTH_HASH_METHOD);
  const sSignature = readRawString(r, 5) ?? Buffer.alloc(0);
  return {sObjName, sAccessKey, iTime, sHashMethod, sSignature};
}

/** The handshake request frame a client sends first on a connection to an `-e 1` endpoint. */
export function authRequestFrame(p: AuthPackage): Buffer {
  return encodeRequestFrame(requestPacket({iVersion: Version.TARSVERSION, cPacketType: PacketType.TARSNORMAL,
    iMessageType: AUTH_MESSAGE_TYPE, iRequestId: AUTH_REQUEST_ID, sServantName: p.sObjName, sFuncName: AUTH_FUNC,
    sBuffer: encodeAuthPackage(p)}));
}

/** The server's answer to an accepted handshake: the request's id, type and message type, iRet 0, "AUTH_SUCC". */
export function authSuccessFrame(req: RequestPacket): Buffer {
  return encodeResponseFrame(responsePacket({iVersion: Version.TARSVERSION, iRequestId: req.iRequestId,
    iMessageType: req.iMessageType, cPacketType: req.cPacketType, iRet: 0,
    sBuffer: Buffer.from(AUTH_SUCC_TEXT, 'latin1')}));
}

/** Whether a server's answer accepts the handshake: its sBuffer is "AUTH_SUCC" (any case). */
export function isAuthSuccess(resp: ResponsePacket): boolean {
  return Buffer.from(resp.sBuffer).toString('latin1').toUpperCase() === AUTH_SUCC_TEXT;
}

/** What a server knows to check a handshake: its servant and the secret of an access key. */
export interface AuthExpectation {
  /** The servant the adapter serves; the handshake must name it. */
  objName: string;
  /** The secret key (plain text) of `accessKey`; undefined or empty when the access key is unknown. */
  secretOf(accessKey: string): string | undefined;
}

/** TarsCpp's lax unpadding: the last byte (as a signed char) says how many bytes to drop; out of range drops all. */
function unpad(plain: Buffer): Buffer {
  if (plain.length === 0) return plain;
  const pad = (plain[plain.length - 1]! << 24) >> 24;
  if (pad < 0 || pad > plain.length) return Buffer.alloc(0);
  return plain.subarray(0, plain.length - pad);
}

/**
 * Checks a handshake's sBuffer at `nowSeconds`, in TarsCpp's order: too short or undecodable (PROTO_ERR), unknown
 * access key (WRONG_AK), another object (WRONG_OBJ), time outside ±{@link AUTH_TIME_WINDOW} (WRONG_TIME), hash
 * method not sha1 (NOT_SUPPORT_ENC), signature not a whole number of 3DES blocks (DEC_FAIL), signature not proving
 * the secret (ERROR). Returns AUTH_SUCC or the failed state and the decoded package when it decoded.
 */
export function verifyAuthPackage(body: Uint8Array, expect: AuthExpectation, nowSeconds: number):
  {state: number; pkg?: AuthPackage} {
  // TarsCpp refuses 20 bytes or fewer before decoding.
  if (body.length <= 20) return {state: AUTH_STATE.AUTH_PROTO_ERR};
  let pkg: AuthPackage;
  try {
    pkg = decodeAuthPackage(body);
  } catch {
    return {state: AUTH_STATE.AUTH_PROTO_ERR};
  }
  const secret = expect.secretOf(pkg.sAccessKey);
  if (!secret) return {state: AUTH_STATE.AUTH_WRONG_AK, pkg};
  if (pkg.sObjName !== expect.objName) return {state: AUTH_STATE.AUTH_WRONG_OBJ, pkg};
  const now = BigInt(Math.floor(nowSeconds));
  const window = BigInt(AUTH_TIME_WINDOW);
  if (!(pkg.iTime > now - window && pkg.iTime < now + window)) return {state: AUTH_STATE.AUTH_WRONG_TIME, pkg};
  if (pkg.sHashMethod !== AUTH_HASH_METHOD) return {state: AUTH_STATE.AUTH_NOT_SUPPORT_ENC, pkg};
  const sig = pkg.sSignature;
  if (sig.length === 0 || sig.length % 8 !== 0) return {state: AUTH_STATE.AUTH_DEC_FAIL, pkg};
  const secret2 = sha1Hex(sha1Hex(Buffer.from(secret, 'utf8')));
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('des-ede3', tripleDesKey(secret2, pkg.iTime), null);
    decipher.setAutoPadding(false);
    plain = unpad(Buffer.concat([decipher.update(sig), decipher.final()]));
  } catch {
    return {state: AUTH_STATE.AUTH_DEC_FAIL, pkg};
  }
  const proof = Buffer.from(sha1Hex(plain), 'latin1');
  const expected = Buffer.from(secret2, 'latin1');
  return {state: timingSafeEqual(proof, expected) ? AUTH_STATE.AUTH_SUCC : AUTH_STATE.AUTH_ERROR, pkg};
}
