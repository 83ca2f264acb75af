import {TarsError} from '../errors/tars-error.js';
import type {Json} from './json.js';
import {type ReaderOptions, TarsReader} from './reader.js';
import {setField} from './types.js';
import {WireType, wireTypeName} from './wire-type.js';

/**
 * Generic ("untyped") decoding: any TARS body read by its wire types alone, with no IDL. The TARS encoding is
 * self-describing enough for this (protocol.md 1.3), except that it cannot tell the declared type of a field:
 * integers are written in the narrowest type that holds the value (1.4), bool is an integer, a Node writer sends
 * ZERO for a float 0, and field names are not on the wire. So a decoded value says what the wire says, nothing more.
 */

/** Integer wire types: ZERO, BYTE, SHORT, INT or LONG. */
export type IntWireType = typeof WireType.ZERO | typeof WireType.BYTE | typeof WireType.SHORT | typeof WireType.INT |
  typeof WireType.LONG;

/**
 * A value decoded by its wire type.
 *
 * - `int`: any integer wire type (`wireType` says which); a number, or a bigint when beyond ±2^53;
 * - `float` / `double`: FLOAT / DOUBLE;
 * - `string`: STRING1 or STRING4, decoded as UTF-8 (invalid sequences become U+FFFD, as in every typed reader);
 * - `bytes`: SIMPLE_LIST (`vector<byte>`), a copy of the input;
 * - `list`: LIST, its elements in order;
 * - `map`: MAP, its entries in wire order (keys may be of any kind, structs included);
 * - `struct`: STRUCT_BEGIN ... STRUCT_END, its fields in wire order.
 */
export type UntypedValue =
  | {readonly kind: 'int'; readonly wireType: IntWireType; readonly value: number | bigint}
  | {readonly kind: 'float'; readonly value: number}
  | {readonly kind: 'double'; readonly value: number}
  | {readonly kind: 'string'; readonly value: string}
  | {readonly kind: 'bytes'; readonly value: Uint8Array}
  | {readonly kind: 'list'; readonly items: readonly UntypedValue[]}
  | {readonly kind: 'map'; readonly entries: readonly (readonly [UntypedValue, UntypedValue])[]}
  | {readonly kind: 'struct'; readonly fields: readonly UntypedField[]};

/** One field of a body or a struct: its tag and its value. */
export interface UntypedField {
  readonly tag: number;
  readonly value: UntypedValue;
}

/** The head at `r.pos` without consuming it: tag, wire type and length of the head (1 or 2). */
function peekHead(r: TarsReader): {tag: number; type: number; start: number} {
  const start = r.pos;
  const tag = r.readHead();
  const type = r.lastType;
  r.pos = start;
  return {tag, type, start};
}

function fail(code: 'DECODE_BAD_WIRE_TYPE' | 'DECODE_REQUIRE_MISSING', message: string, tag: number, type: number,
  offset: number): never {
  throw new TarsError(code, `${message} (tag ${tag}, wire type ${wireTypeName(type)}, offset ${offset})`,
    {tag, wireType: type, offset});
}

/** Reads the field whose head (tag, type) is next in `r`: head and payload. */
function readField(r: TarsReader, tag: number, type: number, start: number): UntypedValue {
  switch (type) {
    case WireType.ZERO: case WireType.BYTE: case WireType.SHORT: case WireType.INT: case WireType.LONG: {
      const v = r.readInt64(tag, true);
      const n = Number(v);
      return {kind: 'int', wireType: type as IntWireType, value: Number.isSafeInteger(n) ? n : v};
    }
    case WireType.FLOAT: return {kind: 'float', value: r.readFloat(tag, true)};
    case WireType.DOUBLE: return {kind: 'double', value: r.readDouble(tag, true)};
    case WireType.STRING1: case WireType.STRING4: return {kind: 'string', value: r.readString(tag, true)};
    case WireType.SIMPLE_LIST: return {kind: 'bytes', value: r.readBytes(tag, true)};
    // readList and readMap check the length against the bytes left before allocating, and count the depth.
    case WireType.LIST:
      return {kind: 'list', items: r.readList(tag, true, (rr) => readElement(rr, 0, 'list element'))};
    case WireType.MAP: {
      const entries: (readonly [UntypedValue, UntypedValue])[] = [];
      // Keys are fresh objects, so the Map readMap builds never merges two entries; only the order is taken.
      const m = r.readMap(tag, true, (rr) => readElement(rr, 0, 'map key'), (rr) => readElement(rr, 1, 'map value'));
      for (const entry of m) entries.push(entry);
      return {kind: 'map', entries};
    }
    case WireType.STRUCT_BEGIN: {
      r.beginStruct(tag, true);
      const fields = readFields(r, true);
      r.endStruct();
      return {kind: 'struct', fields};
    }
    default:
      // STRUCT_END is handled by the callers; 14 and 15 do not exist.
      return fail('DECODE_BAD_WIRE_TYPE', type === WireType.STRUCT_END ? 'STRUCT_END where no struct is open'
        : `unknown wire type ${type}`, tag, type, start);
  }
}

/** A list element, map key or map value: one field that must carry `tag` (0, or 1 for map values). */
function readElement(r: TarsReader, tag: number, what: string): UntypedValue {
  const head = peekHead(r);
  if (head.type === WireType.STRUCT_END) {
    fail('DECODE_BAD_WIRE_TYPE', `${what}: STRUCT_END where a value was expected`, head.tag, head.type, head.start);
  }
  // A typed reader looks for the element at its tag and would find it missing.
  if (head.tag !== tag) {
    fail('DECODE_REQUIRE_MISSING', `${what} at tag ${tag} is missing`, head.tag, head.type, head.start);
  }
  return readField(r, head.tag, head.type, head.start);
}

/** Fields up to the end of the input, or (inside a struct) up to its STRUCT_END, which is left unconsumed. */
function readFields(r: TarsReader, inStruct: boolean): UntypedField[] {
  const fields: UntypedField[] = [];
  while (inStruct || r.remaining > 0) {
    const head = peekHead(r);
    if (head.type === WireType.STRUCT_END) {
      if (inStruct) return fields;
      fail('DECODE_BAD_WIRE_TYPE', 'STRUCT_END where no struct is open', head.tag, head.type, head.start);
    }
    fields.push({tag: head.tag, value: readField(r, head.tag, head.type, head.start)});
  }
  return fields;
}

/**
 * Decodes a whole TARS body (a struct-less run of tagged fields, such as a request's or a response's sBuffer) by
 * wire types alone, recursively.
 *
 * Contract: returns every field in wire order (tags need not ascend; a repeated tag appears twice). Throws only
 * {@link TarsError}s (DECODE_*, with tag, wire type and offset in `details`) for input that is not a valid run of
 * fields: truncation, unknown wire types, a STRUCT_END outside a struct, list elements or map entries at other tags
 * than 0 (1 for map values), impossible lengths (refused before anything is allocated, so memory stays linear in
 * the input), nesting deeper than `options.maxDepth` (default 256).
 */
export function decodeUntyped(body: Uint8Array, options: Pick<ReaderOptions, 'maxDepth'> = {}): UntypedField[] {
  const r = new TarsReader(body, 0, body.length, {maxDepth: options.maxDepth});
  try {
    return readFields(r, false);
  } catch (error) {
    // Only reachable with a maxDepth set far above the default: the depth check would have come first otherwise.
    if (error instanceof RangeError) {
      throw new TarsError('DECODE_TOO_DEEP', `nesting too deep for the call stack (offset ${r.pos})`,
        {offset: r.pos}, {cause: error});
    }
    throw error;
  }
}

// ---- JSON rendering -----------------------------------------------------------------------------------------------

/** A JSON object keyed by tag (`{"0": ..., "2": ...}`). */
export type TaggedJson = {[tag: string]: Json};

/** The JSON rendering of a decoded body: values by tag, and the same shape with the wire type of each value. */
export interface UntypedJson {
  /** Values keyed by tag, e.g. `{"0": 0, "2": "tars"}`. */
  readonly values: TaggedJson;
  /** Wire types in the same shape, e.g. `{"0": "int", "2": "string"}` (see {@link untypedToJson}). */
  readonly types: TaggedJson;
}

/** The shortest decimal that reads back as the same float32 (0.1f is "0.1", not 0.10000000149011612). */
function shortestFloat(v: number): number {
  for (let p = 1; p < 9; p++) {
    const candidate = Number(v.toPrecision(p));
    if (Math.fround(candidate) === v) return candidate;
  }
  return v;
}

function numberJson(v: number): Json {
  return Number.isFinite(v) ? v : String(v);
}

/** Map keys become object keys when they are all strings, or all numbers, and stay distinct as text. */
function objectKeys(entries: readonly (readonly [UntypedValue, UntypedValue])[]): string[] | null {
  if (entries.length === 0) return [];
  const kinds = new Set(entries.map(([k]) => (k.kind === 'string' ? 'string'
    : k.kind === 'int' || k.kind === 'float' || k.kind === 'double' ? 'number' : 'other')));
  if (kinds.size !== 1 || kinds.has('other')) return null;
  const keys = entries.map(([k]) => String(valueJson(k)));
  return new Set(keys).size === keys.length ? keys : null;
}

function fieldsJson(fields: readonly UntypedField[], render: (v: UntypedValue) => Json): TaggedJson {
  const out: TaggedJson = {};
  // A typed reader finds the first field of a tag (skip to tag), so a repeated tag shows its first value.
  for (const f of fields) if (!Object.hasOwn(out, String(f.tag))) out[String(f.tag)] = render(f.value);
  return out;
}

function valueJson(v: UntypedValue): Json {
  switch (v.kind) {
    case 'int': return typeof v.value === 'bigint' ? String(v.value) : v.value;
    case 'float': return numberJson(shortestFloat(v.value));
    case 'double': return numberJson(v.value);
    case 'string': return v.value;
    case 'bytes': return Buffer.from(v.value.buffer, v.value.byteOffset, v.value.byteLength).toString('base64');
    case 'list': return v.items.map(valueJson);
    case 'map': {
      const keys = objectKeys(v.entries);
      if (keys === null) return v.entries.map(([k, val]) => ({key: valueJson(k), value: valueJson(val)}));
      const out: {[key: string]: Json} = {};
      v.entries.forEach(([, val], i) => setField(out, keys[i], valueJson(val)));
      return out;
    }
    case 'struct': return fieldsJson(v.fields, valueJson);
  }
}

function typeJson(v: UntypedValue): Json {
  switch (v.kind) {
    case 'int': return v.wireType === WireType.LONG ? 'long' : 'int';
    case 'float': case 'double': case 'string': return v.kind;
    case 'bytes': return 'vector<byte>';
    case 'list': return v.items.map(typeJson);
    case 'map': {
      const keys = objectKeys(v.entries);
      if (keys === null) return v.entries.map(([k, val]) => ({key: typeJson(k), value: typeJson(val)}));
      const out: {[key: string]: Json} = {};
      v.entries.forEach(([, val], i) => setField(out, keys[i], typeJson(val)));
      return out;
    }
    case 'struct': return fieldsJson(v.fields, typeJson);
  }
}

/**
 * The JSON form of one decoded value (spec/cli.md's conventions, with tags for names): integers as numbers, beyond
 * ±2^53 as decimal strings; float and double as numbers (a float as the shortest decimal of its float32 value),
 * NaN and infinities as "NaN", "Infinity", "-Infinity"; bytes as base64; lists as arrays; structs as objects keyed
 * by tag; maps as objects when the keys are all strings or all numbers (and distinct as text), otherwise arrays of
 * `{"key", "value"}`.
 */
export function untypedValueToJson(value: UntypedValue): Json {
  return valueJson(value);
}

/**
 * The JSON rendering of a decoded body ({@link decodeUntyped}): `values` keyed by tag as
 * {@link untypedValueToJson} renders them, and `types` in the same shape with each leaf replaced by its wire type:
 * "int" (ZERO, BYTE, SHORT or INT: writers compress integers, so the declared width is unknown; a bool is one of
 * these too), "long" (LONG: the value needs 64 bits), "float", "double", "string", "vector<byte>"; lists, structs
 * and maps nest as in `values`, except that maps rendered as entries give `{"key": type, "value": type}`.
 * A tag that occurs twice shows its first value, the one a typed reader would read.
 */
export function untypedToJson(fields: readonly UntypedField[]): UntypedJson {
  return {values: fieldsJson(fields, valueJson), types: fieldsJson(fields, typeJson)};
}
