// Generic decoding of TARS bodies by wire type (core/src/codec/untyped.ts): every wire type, the JSON rendering and
// its parallel description of wire types, agreement with the typed writer (any typed value decodes to what its type
// says), agreement with the typed reader's skip, and hostile input (only TarsErrors, lengths refused before
// allocating, bounded nesting).
import {
  type StructDef, T, type TarsType, TarsError, TarsReader, TarsWriter, WireType, decodeUntyped, untypedToJson,
  untypedValueToJson, writeValue,
} from '@tars-ts/core';
import {expect} from 'chai';
import fc from 'fast-check';

import {bytes, hex, tarsError} from '../support/codec-helpers.js';

const MiB = 1024 * 1024;

/** A body of fields written by the typed writer: [tag, type, value] in ascending tag order. */
function body(fields: readonly (readonly [number, TarsType, unknown])[]): Buffer {
  const w = new TarsWriter();
  for (const [tag, t, v] of fields) writeValue(w, tag, t, v);
  return Buffer.from(w.toBuffer());
}

function rendered(b: Uint8Array): {values: unknown; types: unknown} {
  return untypedToJson(decodeUntyped(b));
}


const PairDef: StructDef = {name: 'T.Pair', fields: [
  {tag: 0, name: 'name', type: T.string, required: true},
  {tag: 1, name: 'value', type: T.long, required: false},
]};
const PairT = T.struct(PairDef);

describe('untyped decoding: wire types', () => {
  it('reads the response body of protocol.md 2.4 (int EchoHello(string, out string)) by tag', () => {
    const b = bytes(`0c 26 0a ${Buffer.from('hello tars').toString('hex')}`);
    expect(rendered(b)).to.deep.equal({values: {0: 0, 2: 'hello tars'}, types: {0: 'int', 2: 'string'}});
  });

  it('reads every integer wire type, keeping the wire type and going to bigint only beyond 2^53', () => {
    const cases: [string, number, number | bigint, string][] = [
      ['0c', WireType.ZERO, 0, 'int'],
      ['00 ff', WireType.BYTE, -1, 'int'],
      ['01 80 00', WireType.SHORT, -32768, 'int'],
      ['02 80 00 00 00', WireType.INT, -2147483648, 'int'],
      ['03 00 00 01 00 00 00 00 00', WireType.LONG, 2 ** 40, 'long'],
      ['03 00 1f ff ff ff ff ff ff', WireType.LONG, 2 ** 53 - 1, 'long'],
      ['03 00 20 00 00 00 00 00 00', WireType.LONG, 2n ** 53n, 'long'],
      ['03 7f ff ff ff ff ff ff ff', WireType.LONG, 2n ** 63n - 1n, 'long'],
      ['03 80 00 00 00 00 00 00 00', WireType.LONG, -(2n ** 63n), 'long'],
    ];
    for (const [h, wireType, value, type] of cases) {
      const [field] = decodeUntyped(bytes(h));
      expect(field.value, h).to.deep.equal({kind: 'int', wireType, value});
      const json = typeof value === 'bigint' ? String(value) : value;
      expect(rendered(bytes(h)), h).to.deep.equal({values: {0: json}, types: {0: type}});
    }
  });

  it('renders integers beyond ±(2^53-1) as decimal strings, within as numbers', () => {
    const b = body([[1, T.long, 2n ** 53n - 1n], [2, T.long, 2n ** 53n], [3, T.long, -(2n ** 53n) - 1n],
      [4, T.long, 1n - 2n ** 53n]]);
    expect(rendered(b).values).to.deep.equal({1: 2 ** 53 - 1, 2: '9007199254740992', 3: '-9007199254740993',
      4: 1 - 2 ** 53});
  });

  it('reads float as the shortest decimal of its float32, double exactly, NaN and infinities as strings', () => {
    const b = body([[0, T.float, 0.1], [1, T.double, 0.1], [2, T.float, -2.5], [3, T.double, Number.NaN],
      [4, T.float, Number.POSITIVE_INFINITY], [5, T.double, Number.NEGATIVE_INFINITY], [6, T.float, 0],
      [7, T.float, 16777217]]);
    expect(rendered(b)).to.deep.equal({
      values: {0: 0.1, 1: 0.1, 2: -2.5, 3: 'NaN', 4: 'Infinity', 5: '-Infinity', 6: 0, 7: 16777216},
      types: {0: 'float', 1: 'double', 2: 'float', 3: 'double', 4: 'float', 5: 'double', 6: 'float', 7: 'float'},
    });
  });

  it('reads STRING1 and STRING4 (UTF-8) and SIMPLE_LIST as base64', () => {
    const long = 'é'.repeat(200);
    const b = body([[0, T.string, ''], [1, T.string, 'ключ ✓'], [2, T.string, long], [3, T.vector(T.byte),
      Uint8Array.of(0, 1, 255)], [4, T.vector(T.byte), new Uint8Array(0)]]);
    expect(body([[2, T.string, long]])[0], 'a STRING4 head at tag 2').to.equal(0x27);
    expect(rendered(b)).to.deep.equal({
      values: {0: '', 1: 'ключ ✓', 2: long, 3: 'AAH/', 4: ''},
      types: {0: 'string', 1: 'string', 2: 'string', 3: 'vector<byte>', 4: 'vector<byte>'},
    });
  });

  it('reads lists as arrays, with a type per element', () => {
    const b = body([[1, T.vector(T.int), [0, 1, 300, 70000]], [2, T.vector(T.vector(T.string)), [['a'], []]],
      [3, T.vector(T.long), []]]);
    expect(rendered(b)).to.deep.equal({
      values: {1: [0, 1, 300, 70000], 2: [['a'], []], 3: []},
      types: {1: ['int', 'int', 'int', 'int'], 2: [['string'], []], 3: []},
    });
  });

  it('reads maps with string or number keys as objects, other keys as arrays of {key, value}', () => {
    const b = body([
      [0, T.map(T.string, T.int), new Map([['a', 1], ['__proto__', 2], ['', 3]])],
      [1, T.map(T.long, T.string), new Map([[5n, 'five'], [2n ** 62n, 'big']])],
      [2, T.map(PairT, T.bool), new Map([[{name: 'k', value: 1n}, true]])],
      [3, T.map(T.string, T.string), new Map()],
    ]);
    const {values, types} = rendered(b) as {values: Record<string, Record<string, unknown>>; types: unknown};
    expect(Object.keys(values[0])).to.deep.equal(['a', '__proto__', '']);
    expect(Object.getPrototypeOf(values[0])).to.equal(Object.prototype);
    expect(values[0]).to.deep.equal(Object.defineProperty({a: 1, '': 3}, '__proto__', {value: 2, enumerable: true}));
    expect(values[1]).to.deep.equal({5: 'five', '4611686018427387904': 'big'});
    expect(values[2]).to.deep.equal([{key: {0: 'k', 1: 1}, value: 1}]);
    expect(values[3]).to.deep.equal({});
    expect((types as Record<string, unknown>)[2]).to.deep.equal([{key: {0: 'string', 1: 'int'}, value: 'int'}]);
  });

  it('reads a map whose keys mix kinds or collide as text as an array of {key, value}', () => {
    // No typed writer makes these; a hand-built one: {1: "a", "1": "b"}.
    const b = bytes('08 00 02 00 01 16 01 61 06 01 31 16 01 62');
    expect(rendered(b).values).to.deep.equal({0: [{key: 1, value: 'a'}, {key: '1', value: 'b'}]});
  });

  it('reads nested structs as objects keyed by tag, with two-byte tags', () => {
    const Outer: StructDef = {name: 'T.Outer', fields: [
      {tag: 0, name: 'p', type: PairT, required: true},
      {tag: 200, name: 'far', type: T.vector(PairT), required: true},
    ]};
    const b = body([[255, T.struct(Outer), {p: {name: 'x', value: 7n}, far: [{name: 'y', value: 0n}]}]]);
    expect(rendered(b)).to.deep.equal({
      values: {255: {0: {0: 'x', 1: 7}, 200: [{0: 'y', 1: 0}]}},
      types: {255: {0: {0: 'string', 1: 'int'}, 200: [{0: 'string', 1: 'int'}]}},
    });
  });

  it('keeps every field in wire order, and renders the first of a repeated tag (what a typed reader reads)', () => {
    const b = bytes('16 01 61 06 01 62 16 01 63');
    expect(decodeUntyped(b).map((f) => f.tag)).to.deep.equal([1, 0, 1]);
    expect(rendered(b).values).to.deep.equal({0: 'b', 1: 'a'});
  });

  it('reads an empty body as no fields', () => {
    expect(decodeUntyped(new Uint8Array(0))).to.deep.equal([]);
    expect(rendered(new Uint8Array(0))).to.deep.equal({values: {}, types: {}});
  });

  it('renders single values too', () => {
    const [field] = decodeUntyped(body([[0, T.vector(T.long), [1n, 2n ** 60n]]]));
    expect(untypedValueToJson(field.value)).to.deep.equal([1, '1152921504606846976']);
  });
});

describe('untyped decoding: malformed input', () => {
  const cases: [string, string, string, {tag?: number; wireType?: number; offset?: number}][] = [
    ['a STRUCT_END outside a struct', '0c 0b', 'DECODE_BAD_WIRE_TYPE', {tag: 0, wireType: 11, offset: 1}],
    ['a list element that is a STRUCT_END', '09 00 01 0b', 'DECODE_BAD_WIRE_TYPE', {wireType: 11, offset: 3}],
    ['a list element at tag 1', '09 00 01 10 05', 'DECODE_REQUIRE_MISSING', {tag: 1, offset: 3}],
    ['a map value at tag 0', '08 00 01 0c 0c', 'DECODE_REQUIRE_MISSING', {tag: 0, offset: 4}],
    ['wire type 14', '0e', 'DECODE_BAD_WIRE_TYPE', {wireType: 14, offset: 0}],
    ['wire type 15 inside a struct', '0a 1f', 'DECODE_BAD_WIRE_TYPE', {wireType: 15}],
    ['a struct without its end', '0a 10 01', 'DECODE_TRUNCATED', {}],
    ['a cut int', '02 00 00', 'DECODE_TRUNCATED', {tag: 0, wireType: 2}],
    ['a cut two-byte head', 'f0', 'DECODE_TRUNCATED', {}],
    ['a list length at tag 1', '09 10 01 0c', 'DECODE_BAD_LENGTH', {}],
    ['a SIMPLE_LIST of shorts', '0d 01 00 01', 'DECODE_BAD_SIMPLE_LIST', {}],
  ];
  for (const [what, h, code, where] of cases) {
    it(`refuses ${what} (${code})`, () => {
      const e = tarsError(() => decodeUntyped(bytes(h)));
      expect(e.code).to.equal(code);
      expect(e.details.offset).to.be.a('number');
      expect(e.message).to.contain(`offset ${e.details.offset}`);
      for (const [k, v] of Object.entries(where)) expect(e.details[k], k).to.equal(v);
    });
  }

  for (const [name, h] of [['LIST', '09 02 7fffffff'], ['MAP', '08 02 7fffffff'], ['STRING4', '07 7fffffff'],
    ['SIMPLE_LIST', '0d 00 02 7fffffff']]) {
    it(`refuses a ${name} length of 2^31-1 in 20 bytes without allocating`, () => {
      const input = Buffer.concat([bytes(h), Buffer.alloc(20 - bytes(h).length)]);
      const before = process.memoryUsage().arrayBuffers;
      const e = tarsError(() => decodeUntyped(input));
      expect(process.memoryUsage().arrayBuffers - before).to.be.below(MiB);
      expect(e.code).to.be.oneOf(['DECODE_BAD_LENGTH', 'DECODE_TRUNCATED']);
    });
  }

  it('bounds nesting by maxDepth (default 256), and turns a call-stack overflow into DECODE_TOO_DEEP', () => {
    const nested = (n: number): Buffer => Buffer.concat([Buffer.alloc(n, 0x0a), Buffer.alloc(n, 0x0b)]);
    expect(decodeUntyped(nested(256))).to.have.length(1);
    expect(tarsError(() => decodeUntyped(nested(257))).code).to.equal('DECODE_TOO_DEEP');
    expect(tarsError(() => decodeUntyped(nested(10), {maxDepth: 9})).code).to.equal('DECODE_TOO_DEEP');
    // Lists nest too: [[[...]]].
    const lists = Buffer.concat([Buffer.from('0900'.repeat(300).replace(/0900/g, '090001'), 'hex'), bytes('0c')]);
    expect(tarsError(() => decodeUntyped(lists)).code).to.equal('DECODE_TOO_DEEP');
    const e = tarsError(() => decodeUntyped(Buffer.alloc(200_000, 0x0a), {maxDepth: Number.POSITIVE_INFINITY}));
    expect(e.code).to.be.oneOf(['DECODE_TOO_DEEP', 'DECODE_TRUNCATED']);
  });
});

// ---- properties -----------------------------------------------------------------------------------------------------

interface Typed {
  t: TarsType;
  v: unknown;
}

const int32 = fc.integer({min: -(2 ** 31), max: 2 ** 31 - 1});
const long = fc.oneof(fc.bigInt({min: -(2n ** 63n), max: 2n ** 63n - 1n}), fc.bigInt({min: -300n, max: 300n}));
const SCALARS: [TarsType, fc.Arbitrary<unknown>][] = [
  [T.bool, fc.boolean()], [T.byte, fc.integer({min: -128, max: 127})],
  [T.short, fc.integer({min: -32768, max: 32767})], [T.int, int32], [T.long, long],
  [T.ubyte, fc.integer({min: 0, max: 255})], [T.ushort, fc.integer({min: 0, max: 65535})],
  [T.uint, fc.integer({min: 0, max: 2 ** 32 - 1})], [T.float, fc.float()], [T.double, fc.double()],
  [T.string, fc.string({unit: 'grapheme', maxLength: 8})], [T.vector(T.byte), fc.uint8Array({maxLength: 8})],
];
const KEY_TYPES: TarsType[] = [T.string, T.int, T.long];

/** A random type: scalars, and (while depth lasts) vectors, maps and structs with ascending tags. */
function typeArb(depth: number): fc.Arbitrary<TarsType> {
  const scalar = fc.constantFrom(...SCALARS.map(([t]) => t));
  if (depth === 0) return scalar;
  const inner = typeArb(depth - 1);
  return fc.oneof(
    {arbitrary: scalar, weight: 3},
    inner.map((t) => T.vector(t)),
    fc.tuple(fc.constantFrom(...KEY_TYPES), inner).map(([k, v]) => T.map(k, v)),
    inner.map((t) => T.map(T.struct({name: 'K', fields: [{tag: 0, name: 'k', type: t, required: true}]}), T.int)),
    fc.uniqueArray(fc.tuple(fc.nat(255), inner, fc.boolean()), {selector: (f) => f[0], maxLength: 4})
      .map((fs) => T.struct({name: 'S', fields: [...fs].sort((a, b) => a[0] - b[0])
        .map(([tag, type, required]) => ({tag, name: `f${tag}`, type, required}))})),
  );
}

function valueArb(t: TarsType): fc.Arbitrary<unknown> {
  const scalar = SCALARS.find(([s]) => s === t);
  if (scalar) return scalar[1];
  if (t.kind === 'vector' && t.elem.kind === 'byte') return fc.uint8Array({maxLength: 8});
  switch (t.kind) {
    case 'vector': return fc.array(valueArb(t.elem), {maxLength: 3});
    case 'map':
      return fc.array(fc.tuple(valueArb(t.key), valueArb(t.value)), {maxLength: 3}).map((es) => new Map(es));
    case 'struct':
      return fc.tuple(...t.struct.fields.map((f) => (f.required ? valueArb(f.type) : fc.option(valueArb(f.type),
        {nil: undefined})))).map((vs) => Object.fromEntries(t.struct.fields.map((f, i) => [f.name, vs[i]])));
    default: throw new Error(`no arbitrary for ${t.kind}`);
  }
}

const typedArb: fc.Arbitrary<Typed> = typeArb(2).chain((t) => valueArb(t).map((v) => ({t, v})));

/**
 * Checks the rendering of a typed value against what its type says the wire holds. Written independently of the
 * decoder: integers by range (the writer compresses them), floats by float32 identity, maps by key type.
 */
function check(t: TarsType, v: unknown, json: unknown, type: unknown, where: string): void {
  const at = `${where} (${t.kind})`;
  switch (t.kind) {
    case 'bool':
      expect(json, at).to.equal(v ? 1 : 0);
      expect(type, at).to.equal('int');
      return;
    case 'byte': case 'short': case 'int': case 'ubyte': case 'ushort': case 'uint': case 'long': {
      const n = BigInt(v as number | bigint);
      expect(json, at).to.equal(n > -(2n ** 53n) && n < 2n ** 53n ? Number(n) : String(n));
      expect(type, at).to.equal(n >= -(2n ** 31n) && n < 2n ** 31n ? 'int' : 'long');
      return;
    }
    case 'float': case 'double': {
      const x = t.kind === 'float' ? Math.fround(v as number) : (v as number);
      if (Number.isFinite(x)) {
        expect(json, at).to.be.a('number');
        expect(t.kind === 'float' ? Math.fround(json as number) : json, at).to.equal(x);
      } else {
        expect(json, at).to.equal(String(x));
      }
      expect(type, at).to.equal(t.kind);
      return;
    }
    case 'string':
      expect(json, at).to.equal(v);
      expect(type, at).to.equal('string');
      return;
    case 'vector':
      if (t.elem.kind === 'byte') {
        expect(json, at).to.equal(Buffer.from(v as Uint8Array).toString('base64'));
        expect(type, at).to.equal('vector<byte>');
        return;
      }
      expect(json, at).to.be.an('array').with.length((v as unknown[]).length);
      (v as unknown[]).forEach((item, i) => check(t.elem, item, (json as unknown[])[i], (type as unknown[])[i],
        `${where}[${i}]`));
      return;
    case 'map': {
      const entries = [...(v as Map<unknown, unknown>)];
      // An empty map shows no keys, so nothing tells an object from an array of entries: {} it is.
      if (t.key.kind === 'struct' && entries.length > 0) {
        expect(json, at).to.be.an('array').with.length(entries.length);
        entries.forEach(([k, val], i) => {
          const e = (json as {key: unknown; value: unknown}[])[i];
          const et = (type as {key: unknown; value: unknown}[])[i];
          check(t.key, k, e.key, et.key, `${where}{key ${i}}`);
          check(t.value, val, e.value, et.value, `${where}{value ${i}}`);
        });
        return;
      }
      expect(Object.keys(json as object), at).to.have.length(entries.length);
      for (const [k, val] of entries) {
        const key = String(k);
        expect(Object.hasOwn(json as object, key), `${at} has key ${key}`).to.equal(true);
        check(t.value, val, (json as Record<string, unknown>)[key], (type as Record<string, unknown>)[key],
          `${where}.${key}`);
      }
      return;
    }
    case 'struct': {
      const obj = v as Record<string, unknown>;
      const present = t.struct.fields.filter((f) => obj[f.name] !== undefined);
      expect(Object.keys(json as object).map(Number), at).to.have.members(present.map((f) => f.tag));
      for (const f of present) {
        check(f.type, obj[f.name], (json as Record<string, unknown>)[f.tag], (type as Record<string, unknown>)[f.tag],
          `${where}.${f.tag}`);
      }
      return;
    }
    default: throw new Error(`unexpected ${t.kind}`);
  }
}

describe('untyped decoding: properties', () => {
  it('any typed body decodes to what its types say, field by field', () => {
    const fieldsArb = fc.uniqueArray(fc.tuple(fc.nat(255), typedArb), {selector: (f) => f[0], maxLength: 5})
      .map((fs) => [...fs].sort((a, b) => a[0] - b[0]));
    fc.assert(fc.property(fieldsArb, (fields) => {
      const b = body(fields.map(([tag, {t, v}]) => [tag, t, v] as const));
      const {values, types} = untypedToJson(decodeUntyped(b));
      expect(Object.keys(values).map(Number)).to.have.members(fields.map(([tag]) => tag));
      for (const [tag, {t, v}] of fields) {
        check(t, v, (values as Record<string, unknown>)[tag], (types as Record<string, unknown>)[tag], `tag ${tag}`);
      }
    }), {numRuns: 500});
  });

  it('whatever it decodes, the typed reader skips the same bytes', () => {
    const headish = fc.array(fc.oneof(fc.integer({min: 0, max: 0x3f}), fc.constantFrom(0x00, 0x01, 0x02, 0x0c, 0x0a,
      0x0b, 0x09, 0x08, 0x0d, 0x06, 0x07, 0xf0, 0x10, 0x16)), {maxLength: 64}).map((a) => Uint8Array.from(a));
    let decoded = 0;
    fc.assert(fc.property(headish, (input) => {
      let ok = true;
      try {
        decodeUntyped(input);
        decoded++;
      } catch (error) {
        if (!(error instanceof TarsError)) throw error;
        ok = false;
      }
      if (!ok) return;
      const r = new TarsReader(input);
      while (r.remaining > 0) r.skipPayload(r.readHead(), r.lastType);
      expect(r.pos, hex(input)).to.equal(input.length);
    }), {numRuns: 3000});
    // The property says something only if some inputs decode.
    expect(decoded).to.be.above(100);
  });
});

describe('untyped decoding: fuzz', () => {
  function onlyTarsErrors(input: Uint8Array): void {
    try {
      untypedToJson(decodeUntyped(input));
    } catch (error) {
      if (!(error instanceof TarsError)) throw new Error(`${hex(input)}: ${String(error)}`, {cause: error});
      expect(error.code, hex(input)).to.match(/^DECODE_/);
      expect(error.details.offset, `${error.message} on ${hex(input)}`).to.be.within(0, input.length);
    }
  }

  it('random bytes: a result or a DECODE_ TarsError with an offset within the input, nothing else', () => {
    fc.assert(fc.property(fc.uint8Array({maxLength: 512}), onlyTarsErrors), {numRuns: 3000});
  });

  it('typed bodies with flipped, truncated or inserted bytes: the same', () => {
    const mutated = fc.tuple(typedArb, fc.nat(), fc.integer({min: 1, max: 255}), fc.constantFrom('flip', 'cut', 'insert'),
      fc.uint8Array({minLength: 1, maxLength: 6})).map(([{t, v}, at, xor, how, extra]) => {
      const b = body([[1, t, v]]);
      const i = b.length === 0 ? 0 : at % b.length;
      if (how === 'flip') b[i] ^= xor;
      if (how === 'cut') return b.subarray(0, i);
      if (how === 'insert') return Buffer.concat([b.subarray(0, i), extra, b.subarray(i)]);
      return b;
    });
    fc.assert(fc.property(mutated, onlyTarsErrors), {numRuns: 3000});
  });
});
