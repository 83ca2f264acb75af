import {TarsError} from '../errors/tars-error.js';
import {MAX_TAG, WireType, wireTypeName} from './wire-type.js';

const TWO_32 = 4294967296;
/** Strings up to this many UTF-16 units encode to at most 255 UTF-8 bytes (3 bytes per unit at most). */
const SURELY_STRING1 = 85;
/**
 * Writers start in a shared slab instead of growing a small buffer step by step (growth was a third of encode
 * time). One writer at a time borrows the slab's free part; a small result is copied out and the slab handed back
 * as it was, a large one is handed out as a view of the slab (no copy) and the free part starts after it. A slab
 * with too little room left is replaced by a new one; views handed out keep the old one alive until they go.
 */
const SLAB_SIZE = 64 * 1024;
/** Results at least this long are views of the slab rather than copies. */
const VIEW_FROM = 4 * 1024;
/** A slab with less free room than this is not handed out again. */
const MIN_ROOM = 16 * 1024;
let freeSlab: Buffer | null = Buffer.allocUnsafeSlow(SLAB_SIZE);
let freeOffset = 0;
/** Expected sizes above this get their own buffer rather than the shared slab. */
const OWN_BUFFER_FROM = 8 * 1024;

/**
 * Writes the TARS binary encoding (protocol.md section 1) into one growing buffer.
 *
 * Integers are written in the narrowest wire type that holds the value (1.4); float and double are always written
 * in full, zero included, as TarsGo and TarsCpp do. Fields must be written in ascending tag order by the caller;
 * the writer does not reorder. Every method validates its value and throws a {@link TarsError} (ENCODE_*) rather
 * than writing a value that would be read back differently.
 *
 * A writer is used once: {@link toBuffer} returns a view of its internal buffer, not a copy.
 */
export class TarsWriter {
  private buf: Buffer;
  private pos = 0;
  /** The slab `buf` is the free part of (starting at `slabOffset`), to be handed back by {@link toBuffer}. */
  private slab: Buffer | null;
  private slabOffset = 0;

  /**
   * @param initialSize expected size in bytes. Writers start in the shared slab when it is free (most encodings are
   * small and sequential), so the size matters only for large values or nested writers.
   */
  constructor(initialSize = 256) {
    // A caller expecting a large output (a frame around a big payload) gets a buffer of its own.
    if (initialSize <= OWN_BUFFER_FROM) {
      // A writer abandoned by an exception never hands the slab back: a new one is started then. Writers never live
      // across an await, so two at once (one encoding inside another) is the only other case.
      let slab = freeSlab;
      if (slab === null) {
        slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
        freeOffset = 0;
      }
      freeSlab = null;
      this.slab = slab;
      this.slabOffset = freeOffset;
      this.buf = freeOffset === 0 ? slab : slab.subarray(freeOffset);
    } else {
      this.buf = Buffer.allocUnsafe(initialSize > 16 ? initialSize : 16);
      this.slab = null;
    }
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  /**
   * The bytes written so far. The result is the caller's own: later writes of this writer or any other never change
   * it. A small result of a writer in the shared slab is a copy; anything else is a view (of the slab or of the
   * writer's own buffer, which the writer then moves on past).
   */
  toBuffer(): Buffer {
    const slab = this.slab;
    if (slab === null) return this.buf.subarray(0, this.pos);
    this.slab = null;
    let out: Buffer;
    if (this.pos >= VIEW_FROM) {
      out = this.buf.subarray(0, this.pos);
      const next = this.slabOffset + ((this.pos + 7) & ~7);
      if (SLAB_SIZE - next >= MIN_ROOM) {
        freeSlab = slab;
        freeOffset = next;
      }
    } else {
      out = Buffer.allocUnsafe(this.pos);
      this.buf.copy(out, 0, 0, this.pos);
      freeSlab = slab;
      freeOffset = this.slabOffset;
    }
    this.buf = out;
    return out;
  }

  private grow(need: number): void {
    let size = Math.max(this.buf.length * 2, 256);
    while (size < this.pos + need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    if (this.slab !== null) {
      // Nothing of the slab is kept: hand it back as it was.
      freeSlab = this.slab;
      freeOffset = this.slabOffset;
      this.slab = null;
    }
    this.buf = next;
  }

  /** Makes room for `n` more bytes. */
  private ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  /**
   * Writes a field head. Callers of the public API never need this except for hand-built encodings; it is public
   * so that generated code and the protocol layer can write heads of container types.
   */
  writeHead(tag: number, type: number): void {
    if (!(tag >= 0 && tag <= MAX_TAG && (tag | 0) === tag)) {
      throw new TarsError('ENCODE_BAD_TAG', `tag ${String(tag)} is outside 0..255 (writing ${wireTypeName(type)})`,
        {tag, wireType: type});
    }
    this.ensure(2);
    if (tag < 15) {
      this.buf[this.pos++] = (tag << 4) | type;
    } else {
      this.buf[this.pos++] = 0xf0 | type;
      this.buf[this.pos++] = tag;
    }
  }

  /** Integer known to be within int32: narrowest wire form. */
  private intField(tag: number, v: number): void {
    if (v === 0) {
      this.writeHead(tag, WireType.ZERO);
      return;
    }
    if (v >= -128 && v <= 127) {
      this.writeHead(tag, WireType.BYTE);
      this.ensure(1);
      this.buf[this.pos++] = v & 0xff;
    } else if (v >= -32768 && v <= 32767) {
      this.writeHead(tag, WireType.SHORT);
      this.ensure(2);
      const b = this.buf;
      b[this.pos] = (v >> 8) & 0xff;
      b[this.pos + 1] = v & 0xff;
      this.pos += 2;
    } else {
      this.writeHead(tag, WireType.INT);
      this.ensure(4);
      const b = this.buf;
      const p = this.pos;
      b[p] = (v >>> 24) & 0xff;
      b[p + 1] = (v >>> 16) & 0xff;
      b[p + 2] = (v >>> 8) & 0xff;
      b[p + 3] = v & 0xff;
      this.pos = p + 4;
    }
  }

  private rangeError(tag: number, value: unknown, typeName: string): TarsError {
    if (typeof value !== 'number' && typeof value !== 'bigint') {
      return new TarsError('ENCODE_BAD_VALUE', `tag ${tag}: expected a ${typeName}, got ${valueKind(value)}`, {tag});
    }
    return new TarsError('ENCODE_OUT_OF_RANGE', `tag ${tag}: ${String(value)} does not fit ${typeName}`, {tag});
  }

  /** `bool`: written as byte 1 or 0. */
  writeBool(tag: number, v: boolean): void {
    if (typeof v !== 'boolean') {
      throw new TarsError('ENCODE_BAD_VALUE', `tag ${tag}: expected a bool, got ${valueKind(v)}`, {tag});
    }
    this.intField(tag, v ? 1 : 0);
  }

  /** `byte` (signed 8-bit). */
  writeInt8(tag: number, v: number): void {
    if ((v << 24) >> 24 !== v) throw this.rangeError(tag, v, 'byte (-128..127)');
    this.intField(tag, v);
  }

  /** `short` (signed 16-bit). */
  writeInt16(tag: number, v: number): void {
    if ((v << 16) >> 16 !== v) throw this.rangeError(tag, v, 'short (-32768..32767)');
    this.intField(tag, v);
  }

  /** `int` and enums (signed 32-bit). */
  writeInt32(tag: number, v: number): void {
    if ((v | 0) !== v) throw this.rangeError(tag, v, 'int (32-bit signed)');
    this.intField(tag, v);
  }

  /**
   * `long` (signed 64-bit). Takes a bigint (exact over the whole range) or an integer number (exact up to 2^53;
   * larger numbers are written as the integer they hold).
   */
  writeInt64(tag: number, v: bigint | number): void {
    if (typeof v === 'number') {
      if ((v | 0) === v) {
        this.intField(tag, v);
        return;
      }
      if (!Number.isInteger(v) || v < -9223372036854775808 || v >= 9223372036854775808) {
        throw this.rangeError(tag, v, 'long (64-bit signed)');
      }
      if (Number.isSafeInteger(v)) {
        this.writeHead(tag, WireType.LONG);
        this.ensure(8);
        const hi = Math.floor(v / TWO_32);
        const lo = v - hi * TWO_32;
        this.buf.writeInt32BE(hi, this.pos);
        this.buf.writeUInt32BE(lo, this.pos + 4);
        this.pos += 8;
        return;
      }
      v = BigInt(v);
    } else if (typeof v !== 'bigint') {
      throw this.rangeError(tag, v, 'long (64-bit signed)');
    }
    if (BigInt.asIntN(32, v) === v) {
      this.intField(tag, Number(v));
      return;
    }
    if (BigInt.asIntN(64, v) !== v) throw this.rangeError(tag, v, 'long (64-bit signed)');
    this.writeHead(tag, WireType.LONG);
    this.ensure(8);
    this.buf.writeInt32BE(Number(v >> 32n), this.pos);
    this.buf.writeUInt32BE(Number(BigInt.asUintN(32, v)), this.pos + 4);
    this.pos += 8;
  }

  /** `unsigned byte`: written with the short routine (protocol.md 1.5). */
  writeUInt8(tag: number, v: number): void {
    if ((v & 0xff) !== v) throw this.rangeError(tag, v, 'unsigned byte (0..255)');
    this.intField(tag, v);
  }

  /** `unsigned short`: written with the int routine. */
  writeUInt16(tag: number, v: number): void {
    if ((v & 0xffff) !== v) throw this.rangeError(tag, v, 'unsigned short (0..65535)');
    this.intField(tag, v);
  }

  /** `unsigned int`: written with the long routine. */
  writeUInt32(tag: number, v: number): void {
    if (v >>> 0 !== v) throw this.rangeError(tag, v, 'unsigned int (0..4294967295)');
    this.writeInt64(tag, v);
  }

  /** `float`: 4-byte IEEE-754, zero included (never ZERO_TAG). */
  writeFloat(tag: number, v: number): void {
    if (typeof v !== 'number') throw this.rangeError(tag, v, 'float');
    this.writeHead(tag, WireType.FLOAT);
    this.ensure(4);
    this.buf.writeFloatBE(v, this.pos);
    this.pos += 4;
  }

  /** `double`: 8-byte IEEE-754, zero included (never ZERO_TAG). */
  writeDouble(tag: number, v: number): void {
    if (typeof v !== 'number') throw this.rangeError(tag, v, 'double');
    this.writeHead(tag, WireType.DOUBLE);
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
  }

  /** `string`: UTF-8; STRING1 when the byte length is at most 255, else STRING4. */
  writeString(tag: number, s: string): void {
    if (typeof s !== 'string') {
      throw new TarsError('ENCODE_BAD_VALUE', `tag ${tag}: expected a string, got ${valueKind(s)}`, {tag});
    }
    const n = s.length;
    if (n <= SURELY_STRING1) {
      this.writeHead(tag, WireType.STRING1);
      this.ensure(1 + n * 3);
      const b = this.buf;
      const start = this.pos + 1;
      let p = start;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[p++] = c;
      }
      if (i < n) p = start + b.write(s, start, 'utf8');
      b[this.pos] = p - start;
      this.pos = p;
      return;
    }
    const byteLength = Buffer.byteLength(s, 'utf8');
    if (byteLength <= 255) {
      this.writeHead(tag, WireType.STRING1);
      this.ensure(1 + byteLength);
      this.buf[this.pos] = byteLength;
      this.buf.write(s, this.pos + 1, 'utf8');
      this.pos += 1 + byteLength;
    } else {
      this.writeHead(tag, WireType.STRING4);
      this.ensure(4 + byteLength);
      this.buf.writeUInt32BE(byteLength, this.pos);
      this.buf.write(s, this.pos + 4, 'utf8');
      this.pos += 4 + byteLength;
    }
  }

  /** `vector<byte>`: SIMPLE_LIST (head, inner BYTE head, length at tag 0, raw bytes). */
  writeBytes(tag: number, v: Uint8Array): void {
    if (!(v instanceof Uint8Array)) {
      throw new TarsError('ENCODE_BAD_VALUE', `tag ${tag}: expected bytes (Uint8Array), got ${valueKind(v)}`, {tag});
    }
    this.writeHead(tag, WireType.SIMPLE_LIST);
    this.ensure(1);
    this.buf[this.pos++] = 0; // inner head: BYTE at tag 0
    this.intField(0, v.length);
    this.ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  /**
   * `vector<byte>` whose bytes `body` writes into this writer in place (no intermediate buffer), with the same bytes
   * {@link writeBytes} would give: room for the longest length field is reserved, and once the body is written
   * the length goes in its narrowest form, the body moved back over the unused room.
   */
  writeBytesWith(tag: number, body: (w: TarsWriter) => void): void {
    this.writeHead(tag, WireType.SIMPLE_LIST);
    this.ensure(6);
    this.buf[this.pos++] = 0; // inner head: BYTE at tag 0
    const lengthAt = this.pos;
    this.pos += 5; // INT head + 4 bytes, the longest length field
    body(this);
    const n = this.pos - lengthAt - 5;
    const bodyEnd = this.pos;
    this.pos = lengthAt;
    this.intField(0, n);
    const gap = lengthAt + 5 - this.pos;
    if (gap > 0 && n > 0) this.buf.copyWithin(this.pos, lengthAt + 5, bodyEnd);
    this.pos = bodyEnd - gap;
  }

  /** Head and length of a LIST; the caller then writes `n` elements at tag 0. */
  writeListHeader(tag: number, n: number): void {
    this.writeHead(tag, WireType.LIST);
    this.intField(0, n);
  }

  /** Head and length of a MAP; the caller then writes `n` entries, each key at tag 0 and value at tag 1. */
  writeMapHeader(tag: number, n: number): void {
    this.writeHead(tag, WireType.MAP);
    this.intField(0, n);
  }

  /** A LIST of `items`, each written at tag 0 by `writeItem`. */
  writeList<T>(tag: number, items: readonly T[], writeItem: (w: TarsWriter, item: T) => void): void {
    if (!Array.isArray(items)) {
      throw new TarsError('ENCODE_BAD_VALUE', `tag ${tag}: expected an array, got ${valueKind(items)}`, {tag});
    }
    this.writeListHeader(tag, items.length);
    for (let i = 0; i < items.length; i++) writeItem(this, items[i]);
  }

  /** A MAP; `writeKey` writes at tag 0 and `writeValue` at tag 1. */
  writeMap<K, V>(tag: number, map: ReadonlyMap<K, V>, writeKey: (w: TarsWriter, k: K) => void,
    writeValue: (w: TarsWriter, v: V) => void): void {
    if (!(map instanceof Map)) {
      throw new TarsError('ENCODE_BAD_VALUE', `tag ${tag}: expected a Map, got ${valueKind(map)}`, {tag});
    }
    this.writeMapHeader(tag, map.size);
    for (const [k, v] of map) {
      writeKey(this, k);
      writeValue(this, v);
    }
  }

  /** STRUCT_BEGIN head of a nested struct; close it with {@link writeStructEnd}. */
  writeStructBegin(tag: number): void {
    this.writeHead(tag, WireType.STRUCT_BEGIN);
  }

  /** STRUCT_END, always the single byte `0b`. */
  writeStructEnd(): void {
    this.ensure(1);
    this.buf[this.pos++] = WireType.STRUCT_END;
  }

  /** A nested struct whose fields `writeFields` writes. */
  writeStruct<T>(tag: number, value: T, writeFields: (w: TarsWriter, value: T) => void): void {
    this.writeStructBegin(tag);
    writeFields(this, value);
    this.writeStructEnd();
  }

  /** Appends bytes verbatim (already-encoded fields). */
  writeRaw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** Reserves `n` bytes to be filled later with {@link patchUInt32}; returns their offset. */
  reserve(n: number): number {
    this.ensure(n);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  /** Overwrites 4 bytes at `offset` with a big-endian unsigned 32-bit value (frame lengths). */
  patchUInt32(offset: number, v: number): void {
    this.buf.writeUInt32BE(v, offset);
  }
}

/**
 * What kind of JavaScript value `v` is, in a few safe words for error messages ("the string \"ab\"", "an array").
 * (Not reflection: "describe" means an interface description elsewhere, as in `tars_describe`.)
 */
export function valueKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Uint8Array) return 'bytes';
  if (v instanceof Map) return 'a Map';
  switch (typeof v) {
    case 'string': return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
    case 'number': case 'bigint': case 'boolean': return `${typeof v} ${String(v)}`;
    case 'undefined': return 'undefined';
    default: return `a value of type ${typeof v}`;
  }
}
