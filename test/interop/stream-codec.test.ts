/**
 * Cross-implementation property tests: our codec (@tars-ts/core) against the official @tars/stream 2.0.3.
 *
 * For every type, random values are encoded by each side and decoded by the other; where the two encoders must agree
 * byte for byte (everything except float/double zero, protocol.md 1.7) the bytes are compared too.
 *
 * Notes on the @tars/stream side (read from node_modules/@tars/stream/tars.js):
 * - longs use its string form (writeInt64(tag, v, true) / readInt64(tag, req, def, true)) to be exact over 64 bits;
 *   readInt64 returns a number for values it finds in a narrower wire type, a string for LONG;
 * - its maps are plain objects, so they iterate integer-like keys first, ascending, and lose a "__proto__" key:
 *   values are put into the order @tars/stream iterates before bytes are compared, and "__proto__" keys are avoided.
 */

import {
  type RequestPacket, type ResponsePacket, type StructDef, T, type TarsType, TarsReader, TarsWriter, type TupVersion,
  UniAttribute, decodeRequestFrame, decodeResponseFrame, encodeRequestFrame, encodeResponseFrame,
  encodeTupRequestFrame, readStructFields, readValue, writeStructFields, writeValue,
} from '@tars-ts/core';
import {expect} from 'chai';
import fc from 'fast-check';
import {InnerDef, InnerT, OuterDef, OuterT, Tars, hex, node, nodeIn, ours} from '../support/codec-helpers.js';

const RUNS = 200;
const WIRE_FLOAT = 4;
const WIRE_DOUBLE = 5;
const WIRE_ZERO = 12;

// ---- helpers ------------------------------------------------------------------------------------------------------

/** A field head as every implementation writes it (protocol.md 1.2). */
function head(tag: number, type: number): Buffer {
  return tag < 15 ? Buffer.from([(tag << 4) | type]) : Buffer.from([0xf0 | type, tag]);
}

// ---- the IDL of the struct tests, on both sides -------------------------------------------------------------------
//   module Test {
//     struct Inner { 0 require int a; 1 optional string s; };
//     struct Outer { 0 require Inner inner; 1 require vector<Inner> v; 2 optional long n; 3 optional map<string, Inner> m; };
//   };

/** What tars2node generates for the IDL above (as in @tars/stream's sample/tars/Ext.js), longs in string form. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const Test: any = {};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
Test.Inner = function (this: any) {
  this.a = 0;
  this.s = '';
  this._classname = 'Test.Inner';
};
Test.Inner._classname = 'Test.Inner';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
Test.Inner._write = function (os: any, tag: number, value: any) { os.writeStruct(tag, value); };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
Test.Inner._read = function (is: any, tag: number, def: any) { return is.readStruct(tag, true, def); };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
Test.Inner._readFrom = function (is: any) {
  const tmp = new Test.Inner();
  tmp._readFrom(is);
  return tmp;
};
// eslint-disable-next-line @typescript-eslint/no-explicit-any
Test.Inner.prototype._readFrom = function (this: any, is: any) {
  this.a = is.readInt32(0, true, 0);
  this.s = is.readString(1, false, '');
};
// eslint-disable-next-line @typescript-eslint/no-explicit-any
Test.Inner.prototype._writeTo = function (this: any, os: any) {
  os.writeInt32(0, this.a);
  os.writeString(1, this.s);
};
Test.Inner.new = function () { return new Test.Inner(); };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
Test.Inner.create = function (is: any) { return Test.Inner._readFrom(is); };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
Test.Outer = function (this: any) {
  this.inner = new Test.Inner();
  this.v = Tars.List(Test.Inner);
  this.n = '0';
  this.m = Tars.Map(Tars.String, Test.Inner);
  this._classname = 'Test.Outer';
};
Test.Outer._classname = 'Test.Outer';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
Test.Outer._write = function (os: any, tag: number, value: any) { os.writeStruct(tag, value); };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
Test.Outer._read = function (is: any, tag: number, def: any) { return is.readStruct(tag, true, def); };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
Test.Outer._readFrom = function (is: any) {
  const tmp = new Test.Outer();
  tmp._readFrom(is);
  return tmp;
};
// eslint-disable-next-line @typescript-eslint/no-explicit-any
Test.Outer.prototype._readFrom = function (this: any, is: any) {
  this.inner = is.readStruct(0, true, Test.Inner);
  this.v = is.readList(1, true, Tars.List(Test.Inner));
  this.n = is.readInt64(2, false, '0', true);
  this.m = is.readMap(3, false, Tars.Map(Tars.String, Test.Inner));
};
// eslint-disable-next-line @typescript-eslint/no-explicit-any
Test.Outer.prototype._writeTo = function (this: any, os: any) {
  os.writeStruct(0, this.inner);
  os.writeList(1, this.v);
  os.writeInt64(2, this.n, true);
  os.writeMap(3, this.m);
};
Test.Outer.new = function () { return new Test.Outer(); };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
Test.Outer.create = function (is: any) { return Test.Outer._readFrom(is); };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const NODE_STRUCTS = new Map<StructDef, any>([[InnerDef, Test.Inner], [OuterDef, Test.Outer]]);

// ---- our descriptors <-> @tars/stream values ----------------------------------------------------------------------

/** The @tars/stream "proto" of a type (what tars2node passes to Tars.List / Tars.Map / readList ...). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function nodeProto(t: TarsType): any {
  switch (t.kind) {
    case 'bool': return Tars.Boolean;
    case 'byte': return Tars.Int8;
    case 'short': return Tars.Int16;
    case 'int': case 'enum': return Tars.Int32;
    case 'long': return Tars.Int64;
    case 'ubyte': return Tars.UInt8;
    case 'ushort': return Tars.UInt16;
    case 'uint': return Tars.UInt32;
    case 'float': return Tars.Float;
    case 'double': return Tars.Double;
    case 'string': return Tars.String;
    case 'vector':
      return t.elem.kind === 'byte' ? Tars.BinBuffer : Tars.List(nodeProto(t.elem), t.elem.kind === 'long');
    case 'map':
      return Tars.Map(nodeProto(t.key), nodeProto(t.value), t.key.kind === 'long', t.value.kind === 'long');
    case 'struct': return NODE_STRUCTS.get(t.struct);
  }
}

/** Our value -> the @tars/stream value. Absent optional struct fields keep the constructor's default. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function toNode(t: TarsType, v: unknown): any {
  switch (t.kind) {
    case 'long': return (v as bigint).toString();
    case 'vector': {
      if (t.elem.kind === 'byte') return new Tars.BinBuffer(Buffer.from(v as Uint8Array));
      const list = nodeProto(t);
      for (const x of v as unknown[]) list.push(toNode(t.elem, x));
      return list;
    }
    case 'map': {
      const map = nodeProto(t);
      for (const [k, x] of v as Map<unknown, unknown>) map.insert(toNode(t.key, k), toNode(t.value, x));
      return map;
    }
    case 'struct': {
      const obj = new (NODE_STRUCTS.get(t.struct))();
      const src = v as Record<string, unknown>;
      for (const f of t.struct.fields) if (src[f.name] !== undefined) obj[f.name] = toNode(f.type, src[f.name]);
      return obj;
    }
    default: return v;
  }
}

/** The @tars/stream value -> our value mapping (long -> bigint, vector<byte> -> Buffer, map -> Map, struct -> object). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function fromNode(t: TarsType, v: any): unknown {
  switch (t.kind) {
    case 'long': return BigInt(String(v));
    case 'vector':
      if (t.elem.kind === 'byte') return Buffer.from(v.toNodeBuffer());
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return v.value.map((x: any) => fromNode(t.elem, x));
    case 'map': {
      const out = new Map<unknown, unknown>();
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      v.forEach((k: any, x: any) => { out.set(fromNode(t.key, k), fromNode(t.value, x)); }, t.key.kind === 'long');
      return out;
    }
    case 'struct': {
      const out: Record<string, unknown> = {};
      for (const f of t.struct.fields) out[f.name] = fromNode(f.type, v[f.name]);
      return out;
    }
    default: return v;
  }
}

/**
 * The value as @tars/stream holds it: maps in its iteration order, absent optional fields at their defaults. This is
 * what each side must decode, and what our writer must be given to produce @tars/stream's bytes.
 */
function normalize<V>(t: TarsType, v: V): V {
  return fromNode(t, toNode(t, v)) as V;
}

/** Writes a value at `tag` with @tars/stream's generic `_write` of its proto (longs in string form). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function nodeWriteField(os: any, tag: number, t: TarsType, v: unknown): void {
  nodeProto(t)._write(os, tag, toNode(t, v), t.kind === 'long' ? true : undefined);
}

/** Reads a required value at `tag` with @tars/stream's generic `_read`, as our value. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function nodeReadField(is: any, tag: number, t: TarsType): unknown {
  const proto = nodeProto(t);
  return fromNode(t, proto._read(is, tag, proto, t.kind === 'long' ? true : undefined));
}

// ---- arbitraries --------------------------------------------------------------------------------------------------

const tagArb = fc.integer({min: 0, max: 255});
const int8 = fc.integer({min: -128, max: 127});
const int16 = fc.integer({min: -32768, max: 32767});
const int32 = fc.oneof(
  fc.integer({min: -(2 ** 31), max: 2 ** 31 - 1}),
  fc.constantFrom(0, 1, -1, 127, 128, -128, -129, 255, 256, 32767, 32768, -32768, -32769, 2 ** 31 - 1, -(2 ** 31)),
);
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const int64 = fc.oneof(
  fc.bigInt({min: INT64_MIN, max: INT64_MAX}),
  fc.bigInt({min: -(2n ** 40n), max: 2n ** 40n}),
  fc.constantFrom(0n, INT64_MIN, INT64_MAX, 2n ** 31n, -(2n ** 31n) - 1n, 2n ** 32n, -(2n ** 32n), 2n ** 53n + 1n,
    -(2n ** 53n) - 1n),
);
/** Strings of valid code points (lone surrogates cannot survive UTF-8 in any implementation). */
const text = fc.oneof(
  fc.string({maxLength: 40}),
  fc.string({unit: 'binary', maxLength: 40}),
  fc.string({unit: 'grapheme', maxLength: 20}),
);
/** Strings whose UTF-8 length sits around the STRING1/STRING4 threshold (255/256 bytes). */
const thresholdText = fc.oneof(
  fc.integer({min: 250, max: 262}).map((n) => 'a'.repeat(n)),
  fc.integer({min: 125, max: 130}).map((n) => 'é'.repeat(n)),
  fc.tuple(fc.integer({min: 250, max: 256}), fc.constantFrom('€', '😀', 'é', 'x')).map(([n, c]) => 'a'.repeat(n) + c),
);
const anyText = fc.oneof({arbitrary: text, weight: 3}, {arbitrary: thresholdText, weight: 1});
/** Map keys @tars/stream can hold (its maps are plain objects). */
const keyText = text.filter((k) => k !== '__proto__');
const bytes = fc.oneof(
  fc.uint8Array({maxLength: 64}),
  fc.integer({min: 250, max: 260}).chain((n) => fc.uint8Array({minLength: n, maxLength: n})),
).map((u) => Buffer.from(u));

function mapOf<K, V>(key: fc.Arbitrary<K>, value: fc.Arbitrary<V>, maxLength = 6): fc.Arbitrary<Map<K, V>> {
  return fc.uniqueArray(fc.tuple(key, value), {selector: (e) => e[0], maxLength}).map((es) => new Map(es));
}

interface Inner {a: number; s?: string}
interface Outer {inner: Inner; v: Inner[]; n?: bigint; m?: Map<string, Inner>}

/** `full`: every optional field present (what @tars/stream always writes). */
function innerArb(full: boolean): fc.Arbitrary<Inner> {
  return fc.record({a: int32, s: anyText}, full ? {} : {requiredKeys: ['a']});
}
function outerArb(full: boolean): fc.Arbitrary<Outer> {
  return fc.record({
    inner: innerArb(full),
    v: fc.array(innerArb(full), {maxLength: 4}),
    n: int64,
    m: mapOf(keyText, innerArb(full), 4),
  }, full ? {} : {requiredKeys: ['inner', 'v']});
}

// ---- scalars ------------------------------------------------------------------------------------------------------

interface ScalarCase {
  name: string;
  arb: fc.Arbitrary<unknown>;
  write: (w: TarsWriter, tag: number, v: never) => void;
  read: (r: TarsReader, tag: number) => unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  nodeWrite: (os: any, tag: number, v: never) => void;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  nodeRead: (is: any, tag: number) => unknown;
  /** Wire type of float/double, whose zero @tars/stream writes as ZERO_TAG. */
  floating?: number;
}

const SCALARS: ScalarCase[] = [
  {
    name: 'bool', arb: fc.boolean(),
    write: (w, tag, v: boolean) => w.writeBool(tag, v), read: (r, tag) => r.readBool(tag, true),
    nodeWrite: (os, tag, v: boolean) => os.writeBoolean(tag, v), nodeRead: (is, tag) => is.readBoolean(tag, true, false),
  },
  {
    name: 'byte', arb: int8,
    write: (w, tag, v: number) => w.writeInt8(tag, v), read: (r, tag) => r.readInt8(tag, true),
    nodeWrite: (os, tag, v: number) => os.writeInt8(tag, v), nodeRead: (is, tag) => is.readInt8(tag, true, 0),
  },
  {
    name: 'short', arb: int16,
    write: (w, tag, v: number) => w.writeInt16(tag, v), read: (r, tag) => r.readInt16(tag, true),
    nodeWrite: (os, tag, v: number) => os.writeInt16(tag, v), nodeRead: (is, tag) => is.readInt16(tag, true, 0),
  },
  {
    name: 'int', arb: int32,
    write: (w, tag, v: number) => w.writeInt32(tag, v), read: (r, tag) => r.readInt32(tag, true),
    nodeWrite: (os, tag, v: number) => os.writeInt32(tag, v), nodeRead: (is, tag) => is.readInt32(tag, true, 0),
  },
  {
    name: 'long (full signed 64-bit range)', arb: int64,
    write: (w, tag, v: bigint) => w.writeInt64(tag, v), read: (r, tag) => r.readInt64(tag, true),
    nodeWrite: (os, tag, v: bigint) => os.writeInt64(tag, v.toString(), true),
    nodeRead: (is, tag) => BigInt(String(is.readInt64(tag, true, '0', true))),
  },
  {
    name: 'unsigned byte', arb: fc.integer({min: 0, max: 255}),
    write: (w, tag, v: number) => w.writeUInt8(tag, v), read: (r, tag) => r.readUInt8(tag, true),
    nodeWrite: (os, tag, v: number) => os.writeUInt8(tag, v), nodeRead: (is, tag) => is.readUInt8(tag, true, 0),
  },
  {
    name: 'unsigned short', arb: fc.integer({min: 0, max: 65535}),
    write: (w, tag, v: number) => w.writeUInt16(tag, v), read: (r, tag) => r.readUInt16(tag, true),
    nodeWrite: (os, tag, v: number) => os.writeUInt16(tag, v), nodeRead: (is, tag) => is.readUInt16(tag, true, 0),
  },
  {
    name: 'unsigned int', arb: fc.oneof(fc.integer({min: 0, max: 2 ** 32 - 1}).map((x) => x >>> 0),
      fc.constantFrom(0, 2 ** 31 - 1, 2 ** 31, 3000000000, 2 ** 32 - 1)),
    write: (w, tag, v: number) => w.writeUInt32(tag, v), read: (r, tag) => r.readUInt32(tag, true),
    nodeWrite: (os, tag, v: number) => os.writeUInt32(tag, v), nodeRead: (is, tag) => is.readUInt32(tag, true, 0),
  },
  {
    name: 'float', arb: fc.oneof(fc.float(), fc.constantFrom(0, -0, 1.5)), floating: WIRE_FLOAT,
    write: (w, tag, v: number) => w.writeFloat(tag, v), read: (r, tag) => r.readFloat(tag, true),
    nodeWrite: (os, tag, v: number) => os.writeFloat(tag, v), nodeRead: (is, tag) => is.readFloat(tag, true, 0),
  },
  {
    name: 'double', arb: fc.oneof(fc.double(), fc.constantFrom(0, -0, 1.5)), floating: WIRE_DOUBLE,
    write: (w, tag, v: number) => w.writeDouble(tag, v), read: (r, tag) => r.readDouble(tag, true),
    nodeWrite: (os, tag, v: number) => os.writeDouble(tag, v), nodeRead: (is, tag) => is.readDouble(tag, true, 0),
  },
  {
    name: 'string (unicode, lengths around 255/256)', arb: anyText,
    write: (w, tag, v: string) => w.writeString(tag, v), read: (r, tag) => r.readString(tag, true),
    nodeWrite: (os, tag, v: string) => os.writeString(tag, v), nodeRead: (is, tag) => is.readString(tag, true, ''),
  },
  {
    name: 'vector<byte>', arb: bytes,
    write: (w, tag, v: Buffer) => w.writeBytes(tag, v), read: (r, tag) => hex(r.readBytes(tag, true)),
    nodeWrite: (os, tag, v: Buffer) => os.writeBytes(tag, new Tars.BinBuffer(v)),
    nodeRead: (is, tag) => hex(is.readBytes(tag, true, Tars.BinBuffer).toNodeBuffer()),
  },
];

/** What a reader must return for `v` (vector<byte> is compared as hex). */
function expected(c: ScalarCase, v: unknown): unknown {
  return c.name === 'vector<byte>' ? hex(v as Buffer) : v;
}

function expectSame(actual: unknown, want: unknown, what: string): void {
  if (typeof want === 'number') {
    expect(Object.is(actual, want), `${what}: got ${String(actual)}, want ${String(want)}`).to.equal(true);
  } else {
    expect(actual, what).to.deep.equal(want);
  }
}

describe('interop: our codec vs @tars/stream 2.0.3 (property tests)', function () {
  describe('scalars at random tags 0..255', function () {
    for (const c of SCALARS) {
      it(`${c.name}: same bytes, and each side decodes the other's encoding`, function () {
        fc.assert(fc.property(tagArb, c.arb, (tag, v) => {
          const value = v as never;
          // The value alone: bytes.
          const oursAlone = ours((w) => c.write(w, tag, value));
          const nodeAlone = node((os) => c.nodeWrite(os, tag, value));
          if (c.floating !== undefined && v === 0) {
            // @tars/stream writes float/double zero (and -0) as ZERO_TAG; we write the full value (protocol.md 1.7).
            expect(hex(nodeAlone)).to.equal(hex(head(tag, WIRE_ZERO)));
            const payload = Buffer.alloc(c.floating === WIRE_FLOAT ? 4 : 8);
            if (c.floating === WIRE_FLOAT) payload.writeFloatBE(v, 0); else payload.writeDoubleBE(v, 0);
            expect(hex(oursAlone)).to.equal(hex(Buffer.concat([head(tag, c.floating), payload])));
          } else {
            expect(hex(oursAlone), 'bytes').to.equal(hex(nodeAlone));
          }

          // Between a lower and a higher field, so that both readers skip to the tag and stop at the right place.
          const framedOurs = ours((w) => {
            if (tag > 0) w.writeString(tag - 1, 'prev');
            c.write(w, tag, value);
            if (tag < 255) w.writeInt32(tag + 1, 70000);
          });
          const framedNode = node((os) => {
            if (tag > 0) os.writeString(tag - 1, 'prev');
            c.nodeWrite(os, tag, value);
            if (tag < 255) os.writeInt32(tag + 1, 70000);
          });

          // @tars/stream reads ours exactly (our -0 is written in full, so it survives).
          const is = nodeIn(framedOurs);
          expectSame(c.nodeRead(is, tag), expected(c, v), 'node reads ours');
          if (tag < 255) expect(is.readInt32(tag + 1, true, 0)).to.equal(70000);

          // We read @tars/stream's; its ZERO_TAG for -0 reads as +0.
          const r = new TarsReader(framedNode);
          expectSame(c.read(r, tag), expected(c, c.floating !== undefined && v === 0 ? 0 : v), 'ours reads node');
          if (tag < 255) expect(r.readInt32(tag + 1, true)).to.equal(70000);
          expect(r.remaining).to.equal(0);
        }), {numRuns: RUNS});
      });
    }
  });

  describe('containers through the descriptor API (T, writeValue, readValue) and Tars.List / Tars.Map', function () {
    const cases: {name: string; t: TarsType; arb: fc.Arbitrary<unknown>}[] = [
      {name: 'vector<int>', t: T.vector(T.int), arb: fc.array(int32, {maxLength: 20})},
      {name: 'vector<string>', t: T.vector(T.string), arb: fc.array(anyText, {maxLength: 8})},
      {name: 'map<string,int>', t: T.map(T.string, T.int), arb: mapOf(keyText, int32)},
      {name: 'map<int,string>', t: T.map(T.int, T.string), arb: mapOf(int32, anyText)},
      {name: 'vector<vector<int>>', t: T.vector(T.vector(T.int)),
        arb: fc.array(fc.array(int32, {maxLength: 6}), {maxLength: 6})},
      {name: 'map<string, vector<long>>', t: T.map(T.string, T.vector(T.long)),
        arb: mapOf(keyText, fc.array(int64, {maxLength: 5}), 5)},
    ];
    for (const {name, t, arb} of cases) {
      it(`${name}: same bytes, and each side decodes the other's encoding`, function () {
        fc.assert(fc.property(tagArb, arb, (tag, raw) => {
          const v = normalize(t, raw);
          const oursBytes = ours((w) => writeValue(w, tag, t, v));
          const nodeBytes = node((os) => nodeWriteField(os, tag, t, v));
          expect(hex(oursBytes), 'bytes').to.equal(hex(nodeBytes));
          expect(nodeReadField(nodeIn(oursBytes), tag, t), 'node reads ours').to.deep.equal(v);
          const r = new TarsReader(nodeBytes);
          expect(readValue(r, tag, t, true), 'ours reads node').to.deep.equal(v);
          expect(r.remaining).to.equal(0);
        }), {numRuns: RUNS});
      });
    }
  });

  describe('nested structs (StructDef vs a hand-written tars2node class)', function () {
    it('Outer with every field: same bytes, and each side decodes the other\'s encoding', function () {
      fc.assert(fc.property(tagArb, outerArb(true), (tag, raw) => {
        const v = normalize(OuterT, raw);
        const oursBytes = ours((w) => writeValue(w, tag, OuterT, v));
        const nodeBytes = node((os) => os.writeStruct(tag, toNode(OuterT, v)));
        expect(hex(oursBytes), 'bytes').to.equal(hex(nodeBytes));
        expect(fromNode(OuterT, nodeIn(oursBytes).readStruct(tag, true, Test.Outer)), 'node reads ours')
          .to.deep.equal(v);
        const r = new TarsReader(nodeBytes);
        expect(readValue(r, tag, OuterT, true), 'ours reads node').to.deep.equal(v);
        expect(r.remaining).to.equal(0);
      }), {numRuns: RUNS});
    });

    it('Outer with optional fields omitted by us: @tars/stream reads the defaults', function () {
      fc.assert(fc.property(tagArb, outerArb(false), (tag, raw) => {
        const oursBytes = ours((w) => writeValue(w, tag, OuterT, raw));
        const want = normalize(OuterT, raw); // absent optional fields at their defaults
        expect(fromNode(OuterT, nodeIn(oursBytes).readStruct(tag, true, Test.Outer))).to.deep.equal(want);
        expect(readValue(new TarsReader(oursBytes), tag, OuterT, true)).to.deep.equal(want);
      }), {numRuns: RUNS});
    });

    it('Outer as a top-level struct (no STRUCT_BEGIN/END): same bytes both ways', function () {
      fc.assert(fc.property(outerArb(true), (raw) => {
        const v = normalize(OuterT, raw);
        const oursBytes = ours((w) => writeStructFields(w, OuterDef, v));
        const nodeBytes = node((os) => toNode(OuterT, v)._writeTo(os));
        expect(hex(oursBytes), 'bytes').to.equal(hex(nodeBytes));
        expect(fromNode(OuterT, Test.Outer.create(nodeIn(oursBytes))), 'node reads ours').to.deep.equal(v);
        expect(readStructFields(new TarsReader(nodeBytes), OuterDef), 'ours reads node').to.deep.equal(v);
      }), {numRuns: RUNS});
    });
  });

  describe('RequestPacket and ResponsePacket frames', function () {
    const strMap = mapOf(keyText, text, 5);
    const requestArb: fc.Arbitrary<RequestPacket> = fc.record({
      iVersion: int16, cPacketType: int8, iMessageType: int32, iRequestId: int32, sServantName: anyText,
      sFuncName: text, sBuffer: bytes, iTimeout: int32, context: strMap, status: strMap,
    });
    const responseArb: fc.Arbitrary<ResponsePacket> = fc.record({
      iVersion: int16, cPacketType: int8, iRequestId: int32, iMessageType: int32, iRet: int32, sBuffer: bytes,
      status: strMap, sResultDesc: anyText, context: strMap,
    });
    const SS = T.map(T.string, T.string);

    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    function frameOf(os: any): Buffer {
      os.setHeaderLength(os.getBinBuffer().length);
      return os.getBinBuffer().toNodeBuffer();
    }

    function nodeRequestFrame(p: RequestPacket): Buffer {
      const os = new Tars.TarsOutputStream();
      os.getBinBuffer().writeInt32(0); // length, patched below (as Tars.Tup and @tars/rpc do)
      os.writeInt16(1, p.iVersion);
      os.writeInt8(2, p.cPacketType);
      os.writeInt32(3, p.iMessageType);
      os.writeInt32(4, p.iRequestId);
      os.writeString(5, p.sServantName);
      os.writeString(6, p.sFuncName);
      os.writeBytes(7, new Tars.BinBuffer(Buffer.from(p.sBuffer)));
      os.writeInt32(8, p.iTimeout);
      os.writeMap(9, toNode(SS, p.context));
      os.writeMap(10, toNode(SS, p.status));
      return frameOf(os);
    }

    function nodeReadRequest(frame: Buffer): RequestPacket & {length: number} {
      const is = nodeIn(frame);
      const length: number = is._binBuffer.readInt32();
      return {
        length,
        iVersion: is.readInt16(1, true, 0),
        cPacketType: is.readInt8(2, true, 0),
        iMessageType: is.readInt32(3, true, 0),
        iRequestId: is.readInt32(4, true, 0),
        sServantName: is.readString(5, true, ''),
        sFuncName: is.readString(6, true, ''),
        sBuffer: Buffer.from(is.readBytes(7, true, Tars.BinBuffer).toNodeBuffer()),
        iTimeout: is.readInt32(8, true, 0),
        context: fromNode(SS, is.readMap(9, true, Tars.Map(Tars.String, Tars.String))) as Map<string, string>,
        status: fromNode(SS, is.readMap(10, true, Tars.Map(Tars.String, Tars.String))) as Map<string, string>,
      };
    }

    function nodeResponseFrame(p: ResponsePacket): Buffer {
      const os = new Tars.TarsOutputStream();
      os.getBinBuffer().writeInt32(0);
      os.writeInt16(1, p.iVersion);
      os.writeInt8(2, p.cPacketType);
      os.writeInt32(3, p.iRequestId);
      os.writeInt32(4, p.iMessageType);
      os.writeInt32(5, p.iRet);
      os.writeBytes(6, new Tars.BinBuffer(Buffer.from(p.sBuffer)));
      os.writeMap(7, toNode(SS, p.status));
      os.writeString(8, p.sResultDesc);
      os.writeMap(9, toNode(SS, p.context));
      return frameOf(os);
    }

    function nodeReadResponse(frame: Buffer): ResponsePacket & {length: number} {
      const is = nodeIn(frame);
      const length = is._binBuffer.readInt32();
      return {
        length,
        iVersion: is.readInt16(1, true, 0),
        cPacketType: is.readInt8(2, true, 0),
        iRequestId: is.readInt32(3, true, 0),
        iMessageType: is.readInt32(4, true, 0),
        iRet: is.readInt32(5, true, 0),
        sBuffer: Buffer.from(is.readBytes(6, true, Tars.BinBuffer).toNodeBuffer()),
        status: fromNode(SS, is.readMap(7, true, Tars.Map(Tars.String, Tars.String))) as Map<string, string>,
        sResultDesc: is.readString(8, false, ''),
        context: fromNode(SS, is.readMap(9, false, Tars.Map(Tars.String, Tars.String))) as Map<string, string>,
      };
    }

    /** Packets with maps in @tars/stream's order and sBuffer as a Buffer, for deep comparison. */
    function normRequest(p: RequestPacket): RequestPacket {
      return {...p, sBuffer: Buffer.from(p.sBuffer), context: normalize(SS, p.context), status: normalize(SS, p.status)};
    }
    function normResponse(p: ResponsePacket): ResponsePacket {
      return {...p, sBuffer: Buffer.from(p.sBuffer), context: normalize(SS, p.context), status: normalize(SS, p.status)};
    }

    it('RequestPacket: same frame bytes, and each side decodes the other\'s frame', function () {
      fc.assert(fc.property(requestArb, (raw) => {
        const p = normRequest(raw);
        const oursFrame = encodeRequestFrame(p);
        const nodeFrame = nodeRequestFrame(p);
        expect(hex(oursFrame), 'bytes').to.equal(hex(nodeFrame));
        const {length, ...fromOurs} = nodeReadRequest(oursFrame);
        expect(length).to.equal(oursFrame.length);
        expect(fromOurs, 'node reads ours').to.deep.equal(p);
        expect(normRequest(decodeRequestFrame(nodeFrame)), 'ours reads node').to.deep.equal(p);
      }), {numRuns: RUNS});
    });

    it('ResponsePacket (writeEmptyOptional): same frame bytes, and each side decodes the other\'s frame', function () {
      fc.assert(fc.property(responseArb, (raw) => {
        const p = normResponse(raw);
        const oursFrame = encodeResponseFrame(p, {writeEmptyOptional: true});
        const nodeFrame = nodeResponseFrame(p);
        expect(hex(oursFrame), 'bytes').to.equal(hex(nodeFrame));
        const {length, ...fromOurs} = nodeReadResponse(oursFrame);
        expect(length).to.equal(oursFrame.length);
        expect(fromOurs, 'node reads ours').to.deep.equal(p);
        expect(normResponse(decodeResponseFrame(nodeFrame)), 'ours reads node').to.deep.equal(p);
      }), {numRuns: RUNS});
    });

    it('ResponsePacket with our default options (empty optionals omitted): @tars/stream reads the same fields', function () {
      fc.assert(fc.property(responseArb, fc.boolean(), (raw, empty) => {
        const p = normResponse(empty ? {...raw, sResultDesc: '', context: new Map()} : raw);
        const {length, ...fromOurs} = nodeReadResponse(encodeResponseFrame(p));
        expect(length).to.be.greaterThan(4);
        expect(fromOurs).to.deep.equal(p);
      }), {numRuns: RUNS});
    });
  });

  describe('TUP (UniAttribute v3 and v2, Tars.Tup frames)', function () {
    const SS = T.map(T.string, T.string);
    const VI = T.vector(T.int);
    interface Attrs {s: string; i: number; l: bigint; v: number[]; m: Map<string, string>; st: Inner}
    const attrsArb: fc.Arbitrary<Attrs> = fc.record({
      s: anyText, i: int32, l: int64, v: fc.array(int32, {maxLength: 10}), m: mapOf(keyText, text, 5),
      st: innerArb(true),
    }).map((a) => ({...a, m: normalize(SS, a.m), st: normalize(InnerT, a.st)}));

    function oursAttr(version: TupVersion, a: Attrs): UniAttribute {
      return new UniAttribute(version, {listSpelling: 'List'})
        .put('s', T.string, a.s).put('i', T.int, a.i).put('l', T.long, a.l).put('v', VI, a.v).put('m', SS, a.m)
        .put('st', InnerT, a.st);
    }

    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    function nodeWriteAttrs(ua: any, a: Attrs): void {
      ua.writeString('s', a.s);
      ua.writeInt32('i', a.i);
      ua.writeInt64('l', a.l.toString(), true);
      ua.writeList('v', toNode(VI, a.v));
      ua.writeMap('m', toNode(SS, a.m));
      ua.writeStruct('st', toNode(InnerT, a.st));
    }

    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    function nodeReadAttrs(ua: any): Attrs {
      return {
        s: ua.readString('s'),
        i: ua.readInt32('i'),
        l: BigInt(String(ua.readInt64('l', undefined, true))),
        v: fromNode(VI, ua.readList('v', Tars.List(Tars.Int32))) as number[],
        m: fromNode(SS, ua.readMap('m', Tars.Map(Tars.String, Tars.String))) as Map<string, string>,
        st: fromNode(InnerT, ua.readStruct('st', Test.Inner)) as Inner,
      };
    }

    function oursReadAttrs(attr: UniAttribute): Attrs {
      return {
        s: attr.get<string>('s', T.string), i: attr.get<number>('i', T.int), l: attr.get<bigint>('l', T.long),
        v: attr.get<number[]>('v', VI), m: attr.get<Map<string, string>>('m', SS), st: attr.get<Inner>('st', InnerT),
      };
    }

    for (const version of [3, 2] as const) {
      it(`UniAttribute v${version}: same bytes, and each side decodes the other's attributes`, function () {
        fc.assert(fc.property(attrsArb, (a) => {
          const oursBytes = oursAttr(version, a).encode();
          const ua = new Tars.UniAttribute();
          ua.tupVersion = version;
          nodeWriteAttrs(ua, a);
          const nodeBytes = ua.encode().toNodeBuffer();
          expect(hex(oursBytes), 'bytes').to.equal(hex(nodeBytes));

          const back = new Tars.UniAttribute();
          back.tupVersion = version;
          back.decode(new Tars.BinBuffer(Buffer.from(oursBytes)));
          expect(nodeReadAttrs(back), 'node reads ours').to.deep.equal(a);

          expect(oursReadAttrs(UniAttribute.decode(nodeBytes, version)), 'ours reads node').to.deep.equal(a);
          // Reading accepts both list spellings, whatever the attribute was built with.
          expect(oursReadAttrs(UniAttribute.decode(nodeBytes, version, {listSpelling: 'list'}))).to.deep.equal(a);
        }), {numRuns: RUNS});
      });

      it(`Tars.Tup frame v${version}: our decodeRequestFrame + UniAttribute.decode read it, and it reads ours`,
        function () {
          const ids = fc.record({requestId: int32, servant: anyText, func: text});
          fc.assert(fc.property(attrsArb, ids, (a, {requestId, servant, func}) => {
            const tup = new Tars.Tup();
            tup.tupVersion = version;
            tup.servantName = servant;
            tup.funcName = func;
            tup.requestId = requestId;
            nodeWriteAttrs(tup, a);
            const nodeFrame: Buffer = tup.encode().toNodeBuffer();

            const p = decodeRequestFrame(nodeFrame);
            expect(p.iVersion).to.equal(version);
            expect(p.iRequestId).to.equal(requestId);
            expect(p.sServantName).to.equal(servant);
            expect(p.sFuncName).to.equal(func);
            expect(oursReadAttrs(UniAttribute.decode(p.sBuffer, p.iVersion as TupVersion))).to.deep.equal(a);

            const oursFrame = encodeTupRequestFrame(oursAttr(version, a),
              {iRequestId: requestId, sServantName: servant, sFuncName: func});
            expect(hex(oursFrame), 'bytes').to.equal(hex(nodeFrame));
            const back = new Tars.Tup();
            back.decode(new Tars.BinBuffer(Buffer.from(oursFrame)));
            expect(back.tupVersion).to.equal(version);
            expect(back.requestId).to.equal(requestId);
            expect(back.servantName).to.equal(servant);
            expect(back.funcName).to.equal(func);
            expect(nodeReadAttrs(back)).to.deep.equal(a);
          }), {numRuns: RUNS});
        });
    }
  });
});
