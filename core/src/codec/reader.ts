import type {ErrorCode} from '../errors/catalogue.js';
import {TarsError} from '../errors/tars-error.js';
import {WireType, wireTypeName} from './wire-type.js';

/** Options of a {@link TarsReader}. */
export interface ReaderOptions {
  /** Deepest nesting of structs and containers accepted before DECODE_TOO_DEEP; default 256. */
  maxDepth?: number;
  /**
   * `vector<byte>` values at least this long are returned as views of the input instead of copies (default: never).
   * For inputs nobody changes afterwards, such as received frames: a large value then costs no copy, at the price
   * of keeping the input alive as long as the value.
   */
  bytesViewFrom?: number;
}

const DEFAULT_MAX_DEPTH = 256;
const EMPTY = Buffer.alloc(0);

/**
 * Reads the TARS binary encoding with the "skip to tag" algorithm shared by TarsGo, TarsCpp and @tars/stream
 * (protocol.md 1.9): fields are looked up by tag in ascending order, lower unknown tags are skipped whatever their
 * type, and a head with a higher tag or STRUCT_END means the field is absent.
 *
 * It accepts what any official implementation may send (section 6): narrower integers and ZERO for wider fields,
 * FLOAT or ZERO for double, any non-zero value as `true`, a LIST of bytes for `vector<byte>`.
 *
 * It never reads past its end, never allocates more than the input can hold (every length is checked against the
 * bytes that remain before anything is allocated), bounds nesting by `maxDepth`, and throws only
 * {@link TarsError}s whose details name the tag, the wire type and the byte offset.
 */
export class TarsReader {
  readonly buf: Buffer;
  /** Offset of the next unread byte. */
  pos: number;
  /** Offset just past the last readable byte. */
  readonly end: number;
  private readonly maxDepth: number;
  private readonly bytesViewFrom: number;
  private depth = 0;
  /** Wire type of the head consumed by the last successful {@link seek}. */
  private type = 0;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length, options: ReaderOptions = {}) {
    this.buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (start < 0 || end > this.buf.length || start > end) throw new RangeError(`bad reader window ${start}..${end}`);
    this.pos = start;
    this.end = end;
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.bytesViewFrom = options.bytesViewFrom ?? Infinity;
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.end - this.pos;
  }

  // ---- errors ---------------------------------------------------------------------------------------------------

  private fail(code: ErrorCode, message: string, tag: number, wireType: number, offset: number): never {
    const where = [tag >= 0 ? `tag ${tag}` : '', wireType >= 0 ? `wire type ${wireTypeName(wireType)}` : '',
      `offset ${offset}`].filter(Boolean).join(', ');
    throw new TarsError(code, `${message} (${where})`, {tag, wireType, offset});
  }

  private need(n: number, tag: number, type: number): void {
    if (this.end - this.pos < n) {
      this.fail('DECODE_TRUNCATED', `need ${n} byte(s), ${this.end - this.pos} left`, tag, type, this.pos);
    }
  }

  private mismatch(tag: number, expected: string): never {
    this.fail('DECODE_TYPE_MISMATCH', `cannot read ${wireTypeName(this.type)} as ${expected}`, tag, this.type,
      this.pos - 1);
  }

  private absent<T>(tag: number, required: boolean, def: T, what: string): T {
    if (required) {
      this.fail('DECODE_REQUIRE_MISSING', `required ${what} field is missing`, tag, this.peekType(), this.pos);
    }
    return def;
  }

  private peekType(): number {
    return this.pos < this.end ? this.buf[this.pos] & 15 : -1;
  }

  // ---- heads and skipping ---------------------------------------------------------------------------------------

  /**
   * Moves to the field with `tag`, skipping lower tags. Returns true with the head consumed when the field is
   * there; false (nothing consumed) when the input ends, a STRUCT_END comes, or a higher tag comes.
   */
  seek(tag: number): boolean {
    const buf = this.buf;
    for (;;) {
      const p = this.pos;
      if (p >= this.end) return false;
      const b = buf[p];
      const type = b & 15;
      let t = b >> 4;
      let headLength = 1;
      if (t === 15) {
        if (p + 1 >= this.end) this.fail('DECODE_TRUNCATED', 'two-byte head is cut short', 15, type, p);
        t = buf[p + 1];
        headLength = 2;
      }
      if (type === WireType.STRUCT_END || t > tag) return false;
      if (type > WireType.SIMPLE_LIST) this.fail('DECODE_BAD_WIRE_TYPE', `unknown wire type ${type}`, t, type, p);
      this.pos = p + headLength;
      if (t === tag) {
        this.type = type;
        return true;
      }
      this.skipPayload(t, type);
    }
  }

  /** Reads and consumes one head: returns the tag; the type is left in {@link lastType}. */
  readHead(): number {
    const p = this.pos;
    if (p >= this.end) this.fail('DECODE_TRUNCATED', 'expected a field head', -1, -1, p);
    const b = this.buf[p];
    this.type = b & 15;
    let t = b >> 4;
    if (t === 15) {
      if (p + 1 >= this.end) this.fail('DECODE_TRUNCATED', 'two-byte head is cut short', 15, this.type, p);
      t = this.buf[p + 1];
      this.pos = p + 2;
    } else {
      this.pos = p + 1;
    }
    return t;
  }

  /** Wire type of the head consumed last by {@link seek} or {@link readHead}. */
  get lastType(): number {
    return this.type;
  }

  private enter(tag: number, type: number): void {
    if (++this.depth > this.maxDepth) {
      this.fail('DECODE_TOO_DEEP', `nesting deeper than ${this.maxDepth}`, tag, type, this.pos);
    }
  }

  /** Skips the payload of a field whose head (tag, type) was consumed. */
  skipPayload(tag: number, type: number): void {
    switch (type) {
      case WireType.BYTE: this.need(1, tag, type); this.pos += 1; return;
      case WireType.SHORT: this.need(2, tag, type); this.pos += 2; return;
      case WireType.INT: case WireType.FLOAT: this.need(4, tag, type); this.pos += 4; return;
      case WireType.LONG: case WireType.DOUBLE: this.need(8, tag, type); this.pos += 8; return;
      case WireType.STRING1: {
        this.need(1, tag, type);
        const n = this.buf[this.pos];
        this.pos += 1;
        this.need(n, tag, type);
        this.pos += n;
        return;
      }
      case WireType.STRING4: {
        this.need(4, tag, type);
        const n = this.buf.readUInt32BE(this.pos);
        this.pos += 4;
        this.need(n, tag, type);
        this.pos += n;
        return;
      }
      case WireType.MAP: case WireType.LIST: {
        const perItem = type === WireType.MAP ? 2 : 1;
        const n = this.readLength(tag, type, perItem) * perItem;
        this.enter(tag, type);
        for (let i = 0; i < n; i++) {
          const t = this.readHead();
          this.skipPayload(t, this.type);
        }
        this.depth--;
        return;
      }
      case WireType.SIMPLE_LIST: {
        this.simpleListInnerHead(tag);
        const n = this.readLength(tag, type, 1);
        this.pos += n;
        return;
      }
      case WireType.STRUCT_BEGIN:
        this.enter(tag, type);
        this.skipToStructEnd();
        this.depth--;
        return;
      case WireType.STRUCT_END: case WireType.ZERO:
        return;
      default:
        this.fail('DECODE_BAD_WIRE_TYPE', `unknown wire type ${type}`, tag, type, this.pos - 1);
    }
  }

  /** Skips fields until a STRUCT_END has been consumed (the rest of a nested struct). */
  skipToStructEnd(): void {
    for (;;) {
      const t = this.readHead();
      if (this.type === WireType.STRUCT_END) return;
      this.skipPayload(t, this.type);
    }
  }

  private simpleListInnerHead(tag: number): void {
    this.need(1, tag, WireType.SIMPLE_LIST);
    const inner = this.buf[this.pos];
    if ((inner & 15) !== WireType.BYTE) {
      this.fail('DECODE_BAD_SIMPLE_LIST', `inner head has wire type ${wireTypeName(inner & 15)}, not BYTE`, tag,
        WireType.SIMPLE_LIST, this.pos);
    }
    // Every writer emits `00`; readers (TarsGo, TarsCpp) only check the type, so a two-byte head is tolerated.
    if ((inner >> 4) === 15) this.need(2, tag, WireType.SIMPLE_LIST);
    this.pos += (inner >> 4) === 15 ? 2 : 1;
  }

  /**
   * Reads a container length (an integer field at tag 0) and checks it against the bytes left: each item needs at
   * least `minBytesPerItem` bytes, so a length the input cannot hold is refused before anything is allocated.
   */
  private readLength(tag: number, containerType: number, minBytesPerItem: number): number {
    const at = this.pos;
    const t = this.readHead();
    let n: number;
    switch (this.type) {
      case WireType.ZERO: n = 0; break;
      case WireType.BYTE: this.need(1, t, this.type); n = (this.buf[this.pos] << 24) >> 24; this.pos += 1; break;
      case WireType.SHORT: this.need(2, t, this.type); n = this.buf.readInt16BE(this.pos); this.pos += 2; break;
      case WireType.INT: this.need(4, t, this.type); n = this.buf.readInt32BE(this.pos); this.pos += 4; break;
      default:
        this.fail('DECODE_TYPE_MISMATCH', `length of ${wireTypeName(containerType)} has wire type ` +
          wireTypeName(this.type), tag, containerType, at);
    }
    if (t !== 0) {
      this.fail('DECODE_BAD_LENGTH', `length of ${wireTypeName(containerType)} is at tag ${t}, not 0`, tag,
        containerType, at);
    }
    if (n < 0 || n * minBytesPerItem > this.end - this.pos) {
      this.fail('DECODE_BAD_LENGTH', `length ${n} of ${wireTypeName(containerType)} does not fit the ` +
        `${this.end - this.pos} byte(s) left`, tag, containerType, at);
    }
    return n;
  }

  // ---- integers -------------------------------------------------------------------------------------------------

  /** Payload of an integer head whose widest acceptable wire type is `widest` (BYTE, SHORT or INT). */
  private intPayload(tag: number, widest: number, typeName: string): number {
    const buf = this.buf;
    const p = this.pos;
    switch (this.type) {
      case WireType.ZERO:
        return 0;
      case WireType.BYTE:
        if (p + 1 > this.end) this.need(1, tag, this.type);
        this.pos = p + 1;
        return (buf[p] << 24) >> 24;
      case WireType.SHORT:
        if (widest < WireType.SHORT) break;
        if (p + 2 > this.end) this.need(2, tag, this.type);
        this.pos = p + 2;
        return (((buf[p] << 8) | buf[p + 1]) << 16) >> 16;
      case WireType.INT:
        if (widest < WireType.INT) break;
        if (p + 4 > this.end) this.need(4, tag, this.type);
        this.pos = p + 4;
        return (buf[p] << 24) | (buf[p + 1] << 16) | (buf[p + 2] << 8) | buf[p + 3];
      default:
        break;
    }
    return this.mismatch(tag, typeName);
  }

  /** `bool`: any non-zero byte is true (as TarsGo and TarsCpp). */
  readBool(tag: number, required = false, def = false): boolean {
    if (!this.seek(tag)) return this.absent(tag, required, def, 'bool');
    return this.intPayload(tag, WireType.BYTE, 'bool') !== 0;
  }

  /** `byte` (signed 8-bit). */
  readInt8(tag: number, required = false, def = 0): number {
    if (!this.seek(tag)) return this.absent(tag, required, def, 'byte');
    return this.intPayload(tag, WireType.BYTE, 'byte');
  }

  /** `short`; accepts BYTE and ZERO. */
  readInt16(tag: number, required = false, def = 0): number {
    if (!this.seek(tag)) return this.absent(tag, required, def, 'short');
    return this.intPayload(tag, WireType.SHORT, 'short');
  }

  /** `int` and enums; accepts SHORT, BYTE and ZERO. */
  readInt32(tag: number, required = false, def = 0): number {
    if (!this.seek(tag)) return this.absent(tag, required, def, 'int');
    return this.intPayload(tag, WireType.INT, 'int');
  }

  /** `long`, exact over the whole signed 64-bit range. */
  readInt64(tag: number, required = false, def = 0n): bigint {
    if (!this.seek(tag)) return this.absent(tag, required, def, 'long');
    if (this.type === WireType.LONG) {
      this.need(8, tag, this.type);
      const hi = this.buf.readInt32BE(this.pos);
      const lo = this.buf.readUInt32BE(this.pos + 4);
      this.pos += 8;
      // Within ±2^53 the number arithmetic is exact and cheaper than two BigInt conversions and a shift.
      const n = hi * 4294967296 + lo;
      return Number.isSafeInteger(n) ? BigInt(n) : (BigInt(hi) << 32n) + BigInt(lo);
    }
    return BigInt(this.intPayload(tag, WireType.INT, 'long'));
  }

  /**
   * `long` as a number, for values known to stay within ±2^53 (timestamps, counters). A value beyond that range is
   * refused (DECODE_BAD_VALUE) rather than rounded.
   */
  readInt64Number(tag: number, required = false, def = 0): number {
    if (!this.seek(tag)) return this.absent(tag, required, def, 'long');
    if (this.type === WireType.LONG) return this.longAsNumber(tag);
    return this.intPayload(tag, WireType.INT, 'long');
  }

  private longAsNumber(tag: number): number {
    this.need(8, tag, this.type);
    const hi = this.buf.readInt32BE(this.pos);
    const lo = this.buf.readUInt32BE(this.pos + 4);
    const v = hi * 4294967296 + lo;
    if (!Number.isSafeInteger(v)) {
      this.fail('DECODE_BAD_VALUE', 'long value exceeds 2^53 and cannot be read as a number', tag, this.type,
        this.pos - 1);
    }
    this.pos += 8;
    return v;
  }

  /** `unsigned byte`: read as short, then truncated to 8 bits (as TarsGo). */
  readUInt8(tag: number, required = false, def = 0): number {
    if (!this.seek(tag)) return this.absent(tag, required, def, 'unsigned byte');
    return this.intPayload(tag, WireType.SHORT, 'unsigned byte') & 0xff;
  }

  /** `unsigned short`: read as int, then truncated to 16 bits. */
  readUInt16(tag: number, required = false, def = 0): number {
    if (!this.seek(tag)) return this.absent(tag, required, def, 'unsigned short');
    return this.intPayload(tag, WireType.INT, 'unsigned short') & 0xffff;
  }

  /** `unsigned int`: read as long, then truncated to 32 bits. */
  readUInt32(tag: number, required = false, def = 0): number {
    if (!this.seek(tag)) return this.absent(tag, required, def, 'unsigned int');
    if (this.type === WireType.LONG) {
      this.need(8, tag, this.type);
      const lo = this.buf.readUInt32BE(this.pos + 4);
      this.pos += 8;
      return lo;
    }
    return this.intPayload(tag, WireType.INT, 'unsigned int') >>> 0;
  }

  // ---- floating point -------------------------------------------------------------------------------------------

  /** `float`: FLOAT or ZERO. */
  readFloat(tag: number, required = false, def = 0): number {
    if (!this.seek(tag)) return this.absent(tag, required, def, 'float');
    if (this.type === WireType.FLOAT) {
      this.need(4, tag, this.type);
      const v = this.buf.readFloatBE(this.pos);
      this.pos += 4;
      return v;
    }
    if (this.type === WireType.ZERO) return 0;
    return this.mismatch(tag, 'float');
  }

  /** `double`: DOUBLE, FLOAT or ZERO. */
  readDouble(tag: number, required = false, def = 0): number {
    if (!this.seek(tag)) return this.absent(tag, required, def, 'double');
    switch (this.type) {
      case WireType.DOUBLE: {
        this.need(8, tag, this.type);
        const v = this.buf.readDoubleBE(this.pos);
        this.pos += 8;
        return v;
      }
      case WireType.FLOAT: {
        this.need(4, tag, this.type);
        const v = this.buf.readFloatBE(this.pos);
        this.pos += 4;
        return v;
      }
      case WireType.ZERO:
        return 0;
      default:
        return this.mismatch(tag, 'double');
    }
  }

  // ---- strings and bytes ----------------------------------------------------------------------------------------

  /** `string`: STRING1 or STRING4, decoded as UTF-8. */
  readString(tag: number, required = false, def = ''): string {
    if (!this.seek(tag)) return this.absent(tag, required, def, 'string');
    let n: number;
    if (this.type === WireType.STRING1) {
      this.need(1, tag, this.type);
      n = this.buf[this.pos++];
    } else if (this.type === WireType.STRING4) {
      this.need(4, tag, this.type);
      n = this.buf.readUInt32BE(this.pos);
      this.pos += 4;
    } else {
      return this.mismatch(tag, 'string');
    }
    this.need(n, tag, this.type);
    const start = this.pos;
    this.pos = start + n;
    return decodeUtf8(this.buf, start, start + n);
  }

  /**
   * `vector<byte>`: SIMPLE_LIST, or a LIST of BYTE elements (TarsGo and TarsCpp accept both). Returns a copy, so the
   * result never pins the input buffer, unless the reader was told otherwise ({@link ReaderOptions.bytesViewFrom}).
   */
  readBytes(tag: number, required = false, def: Uint8Array = EMPTY): Buffer {
    const view = this.readBytesView(tag, required, def);
    if (view === def) return Buffer.from(def);
    if (view.length >= this.bytesViewFrom && view.buffer === this.buf.buffer) return view as Buffer;
    // One allocation and copy; the species constructor of a Buffer view is Buffer.
    return Uint8Array.prototype.slice.call(view) as Buffer;
  }

  /**
   * Like {@link readBytes} but returns a view into the input when it can (SIMPLE_LIST): no copy. The view is valid
   * as long as the input buffer is; used by the protocol layer for sBuffer.
   */
  readBytesView(tag: number, required = false, def: Uint8Array = EMPTY): Uint8Array {
    if (!this.seek(tag)) return this.absent(tag, required, def, 'vector<byte>');
    if (this.type === WireType.SIMPLE_LIST) {
      this.simpleListInnerHead(tag);
      const n = this.readLength(tag, WireType.SIMPLE_LIST, 1);
      const start = this.pos;
      this.pos += n;
      return this.buf.subarray(start, start + n);
    }
    if (this.type === WireType.LIST) {
      const n = this.readLength(tag, WireType.LIST, 1);
      const out = Buffer.allocUnsafe(n);
      for (let i = 0; i < n; i++) out[i] = this.readInt8(0, true);
      return out;
    }
    return this.mismatch(tag, 'vector<byte>');
  }

  // ---- containers and structs -----------------------------------------------------------------------------------

  /**
   * Head and length of a LIST at `tag`: returns the element count (the caller then reads that many elements at
   * tag 0), or -1 when the field is absent and optional.
   */
  readListLength(tag: number, required = false): number {
    if (!this.seek(tag)) return this.absent(tag, required, -1, 'vector');
    if (this.type !== WireType.LIST) this.mismatch(tag, 'vector');
    return this.readLength(tag, WireType.LIST, 1);
  }

  /** Head and length of a MAP: the entry count, or -1 when absent and optional. */
  readMapLength(tag: number, required = false): number {
    if (!this.seek(tag)) return this.absent(tag, required, -1, 'map');
    if (this.type !== WireType.MAP) this.mismatch(tag, 'map');
    return this.readLength(tag, WireType.MAP, 2);
  }

  /** A LIST whose elements `readItem` reads at tag 0; `def` (or []) when absent. */
  readList<T>(tag: number, required: boolean, readItem: (r: TarsReader) => T, def?: T[]): T[] {
    const n = this.readListLength(tag, required);
    if (n < 0) return def ?? [];
    this.enter(tag, WireType.LIST);
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = readItem(this);
    this.depth--;
    return out;
  }

  /** A MAP: `readKey` reads at tag 0, `readValue` at tag 1; `def` (or an empty Map) when absent. */
  readMap<K, V>(tag: number, required: boolean, readKey: (r: TarsReader) => K, readValue: (r: TarsReader) => V,
    def?: Map<K, V>): Map<K, V> {
    const n = this.readMapLength(tag, required);
    if (n < 0) return def ?? new Map();
    this.enter(tag, WireType.MAP);
    const out = new Map<K, V>();
    for (let i = 0; i < n; i++) {
      const k = readKey(this);
      out.set(k, readValue(this));
    }
    this.depth--;
    return out;
  }

  /**
   * Enters a nested struct at `tag`: returns true with STRUCT_BEGIN consumed, false when absent and optional.
   * After reading the fields it knows, the caller must call {@link endStruct}.
   */
  beginStruct(tag: number, required = false): boolean {
    if (!this.seek(tag)) return this.absent(tag, required, false, 'struct');
    if (this.type !== WireType.STRUCT_BEGIN) this.mismatch(tag, 'struct');
    this.enter(tag, WireType.STRUCT_BEGIN);
    return true;
  }

  /** Skips the unknown rest of a nested struct and consumes its STRUCT_END. */
  endStruct(): void {
    this.skipToStructEnd();
    this.depth--;
  }

  /** A nested struct read by `readFields`; `def()` when absent and optional. */
  readStruct<T>(tag: number, required: boolean, readFields: (r: TarsReader) => T, def?: () => T): T {
    if (!this.beginStruct(tag, required)) return def ? def() : (undefined as T);
    const v = readFields(this);
    this.endStruct();
    return v;
  }
}

/** Node's internal UTF-8 slice: the cheapest way from bytes to a string (no argument parsing of toString). */
type Utf8Slicer = Buffer & {utf8Slice(start: number, end: number): string};

function decodeUtf8(buf: Buffer, start: number, end: number): string {
  return (buf as Utf8Slicer).utf8Slice(start, end);
}
