// Arguments of calls without IDL (core/src/protocol/untyped-args.ts): the inference table and its edge cases,
// forced types (--arg-types) and their errors, the exact bytes, and round trips: what inference encodes is what a
// server of the real signature reads, and what the generic decoder gives back is the JSON that went in.
import {
  type StructDef, T, type TarsType, TarsError, TarsReader, decodeUntyped, encodeUntypedArgs, inferArgs,
  readValue, untypedToJson, untypedTypeName,
} from '@tars-ts/core';
import {expect} from 'chai';
import fc from 'fast-check';

import {hex, tarsError} from '../support/codec-helpers.js';


/** The one argument inferred (or forced) from `text`: type name, value and the body's hex. */
function one(text: string, argTypes?: string): {name: string; value: unknown; hex: string; warnings: readonly string[]} {
  const r = inferArgs([text], argTypes === undefined ? {} : {argTypes});
  expect(r.args).to.have.length(1);
  expect(r.args[0].tag).to.equal(1);
  expect(r.args[0].forced).to.equal(argTypes !== undefined);
  return {name: r.args[0].typeName, value: r.args[0].value, hex: hex(encodeUntypedArgs(r.args)),
    warnings: r.warnings};
}

const s = (text: string): string => Buffer.from(text).toString('hex');

describe('untyped arguments: inference', () => {
  // [text, type, value, body hex at tag 1]
  const TABLE: [string, string, unknown, string][] = [
    ['5', 'int', 5, '1005'],
    ['-5', 'int', -5, '10fb'],
    ['0', 'int', 0, '1c'],
    ['-0', 'int', 0, '1c'],
    ['127', 'int', 127, '107f'],
    ['128', 'int', 128, '110080'],
    ['2147483647', 'int', 2147483647, '127fffffff'],
    ['-2147483648', 'int', -2147483648, '1280000000'],
    ['2147483648', 'long', 2147483648n, '130000000080000000'],
    ['-2147483649', 'long', -2147483649n, '13ffffffff7fffffff'],
    ['9007199254740993', 'long', 9007199254740993n, '130020000000000001'],
    ['9223372036854775807', 'long', 2n ** 63n - 1n, '137fffffffffffffff'],
    ['-9223372036854775808', 'long', -(2n ** 63n), '138000000000000000'],
    ['1.5', 'double', 1.5, '153ff8000000000000'],
    ['-0.0', 'double', -0, '158000000000000000'],
    ['1e3', 'double', 1000, '15408f400000000000'],
    ['2.5E-1', 'double', 0.25, '153fd0000000000000'],
    ['true', 'bool', true, '1001'],
    ['false', 'bool', false, '1c'],
    ['TRUE', 'string', 'TRUE', `1604${s('TRUE')}`],
    ['True', 'string', 'True', `1604${s('True')}`],
    ['', 'string', '', '1600'],
    ['hello world', 'string', 'hello world', `160b${s('hello world')}`],
    ['+5', 'string', '+5', `1602${s('+5')}`],
    ['007', 'string', '007', `1603${s('007')}`],
    ['0x10', 'string', '0x10', `1604${s('0x10')}`],
    ['.5', 'string', '.5', `1602${s('.5')}`],
    ['1.', 'string', '1.', `1602${s('1.')}`],
    ['NaN', 'string', 'NaN', `1603${s('NaN')}`],
    ['Infinity', 'string', 'Infinity', `1608${s('Infinity')}`],
    [' 5', 'string', ' 5', `1602${s(' 5')}`],
    ['"quoted"', 'string', '"quoted"', `1608${s('"quoted"')}`],
    ['null', 'string', 'null', `1604${s('null')}`],
  ];
  for (const [text, name, value, body] of TABLE) {
    it(`${JSON.stringify(text)} -> ${name}`, () => {
      const got = one(text);
      expect(got.name).to.equal(name);
      expect(Object.is(got.value, value) || (typeof value === 'bigint' && got.value === value), String(got.value))
        .to.equal(true);
      expect(got.hex).to.equal(body);
      expect(got.warnings).to.deep.equal([]);
    });
  }

  const JSON_TABLE: [string, string, unknown][] = [
    ['[1, 2, 3]', 'vector<int>', [1, 2, 3]],
    ['  [1]', 'vector<int>', [1]],
    ['[]', 'vector<int>', []],
    ['[1, 3000000000]', 'vector<long>', [1n, 3000000000n]],
    ['[1, 2.5, -2147483648]', 'vector<double>', [1, 2.5, -2147483648]],
    ['[2.5, 1]', 'vector<double>', [2.5, 1]],
    ['[9223372036854775807, -1]', 'vector<long>', [2n ** 63n - 1n, -1n]],
    ['[true, false]', 'vector<bool>', [true, false]],
    ['["a", ""]', 'vector<string>', ['a', '']],
    ['[[1], [], [2, 3]]', 'vector<vector<int>>', [[1], [], [2, 3]]],
    ['[[], ["a"]]', 'vector<vector<string>>', [[], ['a']]],
    ['{"1": 5, "2": "x"}', 'struct{1: int, 2: string}', {1: 5, 2: 'x'}],
    ['{"2": "x", "0": 5}', 'struct{0: int, 2: string}', {2: 'x', 0: 5}],
    ['{"0": {"1": [true]}, "255": 1.5}', 'struct{0: struct{1: vector<bool>}, 255: double}',
      {0: {1: [true]}, 255: 1.5}],
    ['[{"1": 1}, {"2": "a"}, {}]', 'vector<struct{1: int, 2: string}>', [{1: 1}, {2: 'a'}, {}]],
    ['{"a": 1, "b": 2}', 'map<string, int>', new Map([['a', 1], ['b', 2]])],
    ['{"a": 1, "b": 3000000000}', 'map<string, long>', new Map([['a', 1n], ['b', 3000000000n]])],
    ['{"a": [1], "b": []}', 'map<string, vector<int>>', new Map([['a', [1]], ['b', []]])],
    ['{"256": 1}', 'map<string, int>', new Map([['256', 1]])],
    ['{"01": 1}', 'map<string, int>', new Map([['01', 1]])],
    ['{"1": 1, "x": 2}', 'map<string, int>', new Map([['1', 1], ['x', 2]])],
    ['{"__proto__": "p"}', 'map<string, string>', new Map([['__proto__', 'p']])],
    ['{}', 'map<string, string>', new Map()],
    ['[{}, {"a": 1}]', 'vector<map<string, int>>', [new Map(), new Map([['a', 1]])]],
    ['{"a": {}, "b": {"1": true}}', 'map<string, struct{1: bool}>', new Map([['a', {}], ['b', {1: true}]])],
  ];
  for (const [text, name, value] of JSON_TABLE) {
    it(`${text} -> ${name}`, () => {
      const got = one(text);
      expect(got.name).to.equal(name);
      expect(got.value).to.deep.equal(value);
      expect(got.warnings).to.deep.equal([]);
    });
  }

  it('writes a struct argument as STRUCT_BEGIN ... STRUCT_END with members in tag order', () => {
    expect(one('{"2": "x", "0": 5}').hex).to.equal(`1a 00 05 26 01 ${s('x')} 0b`.replaceAll(' ', ''));
  });

  it('sends text that starts like JSON but is not JSON as a string, with a warning naming the argument', () => {
    for (const text of ['[1', '{oops}', '[1,]', '{"a" 1}', `${'['.repeat(300)}${']'.repeat(300)}`]) {
      const r = inferArgs(['x', text]);
      expect(r.args[1].typeName, text).to.equal('string');
      expect(r.args[1].value).to.equal(text);
      expect(r.warnings).to.have.length(1);
      expect(r.warnings[0]).to.match(/^argument 2: starts with '[[{]' but is not valid JSON: .*; sent as a string$/);
    }
  });

  const ERRORS: [string, string, RegExp][] = [
    ['[1, "a"]', 'ENCODE_BAD_VALUE', /^argument 1 \("\[1, \\"a\\"\]"\) at \/1: mixes int and string/],
    ['[true, 1]', 'ENCODE_BAD_VALUE', /at \/1: mixes bool and int/],
    ['[[1], ["a"]]', 'ENCODE_BAD_VALUE', /at \/1: mixes int and string/],
    ['[[1], [[1]]]', 'ENCODE_BAD_VALUE', /at \/1: mixes int and vector<int>/],
    ['[{"1": 1}, {"1": "a"}]', 'ENCODE_BAD_VALUE', /at \/1\/1: mixes int and string/],
    ['[{"a": 1}, {"1": 1}]', 'ENCODE_BAD_VALUE', /mixes map<string, int> and struct\{1: int\}/],
    ['{"1": null}', 'ENCODE_BAD_VALUE', /at \/1: null has no TARS type/],
    ['[null]', 'ENCODE_BAD_VALUE', /at \/0: null has no TARS type/],
    ['{"a": 1, "a": 2}', 'ENCODE_BAD_VALUE', /the key "a" is given twice/],
    ['{"a/b": [1, "x"]}', 'ENCODE_BAD_VALUE', /at \/a~1b\/1: mixes/],
    ['[1.5, 9007199254740993]', 'ENCODE_BAD_VALUE', /at \/1: mixes double and long/],
    ['[3000000000, 0.5]', 'ENCODE_BAD_VALUE', /at \/1: mixes long and double/],
    ['9223372036854775808', 'ENCODE_OUT_OF_RANGE', /does not fit long .*force string with --arg-types/],
    ['-9223372036854775809', 'ENCODE_OUT_OF_RANGE', /does not fit long/],
    ['[99999999999999999999]', 'ENCODE_OUT_OF_RANGE', /at \/0: 99999999999999999999 does not fit long/],
    ['1e999', 'ENCODE_OUT_OF_RANGE', /1e999 does not fit double/],
  ];
  for (const [text, code, message] of ERRORS) {
    it(`refuses ${text} (${code})`, () => {
      const e = tarsError(() => inferArgs(['ok', text]));
      expect(e.code).to.equal(code);
      expect(e.message).to.match(/^argument 2 /);
      expect(e.message.replace('argument 2', 'argument 1')).to.match(message);
      expect(e.details.arg).to.equal(2);
    });
  }

  it('gives no arguments for no texts: an empty body and the signature "()"', () => {
    const r = inferArgs([]);
    expect(r).to.deep.equal({args: [], signature: '()', warnings: []});
    expect(encodeUntypedArgs(r.args)).to.have.length(0);
  });

  it('tags the arguments 1..n and shows the guessed signature', () => {
    const r = inferArgs(['9007199254740993', 'tars', '{"1": 2}']);
    expect(r.args.map((a) => a.tag)).to.deep.equal([1, 2, 3]);
    expect(r.signature).to.equal('(long, string, struct{1: int})');
    expect(hex(encodeUntypedArgs(r.args))).to.equal(`130020000000000001 2604${s('tars')} 3a1002 0b`.replaceAll(' ', ''));
  });
});

describe('untyped arguments: --arg-types', () => {
  const FORCED: [string, string, string, unknown, string?][] = [
    ['int', '5', 'int', 5, '1005'],
    ['short', '-32768', 'short', -32768, '118000'],
    ['byte', '0x7f', 'byte', 127, '107f'],
    ['long', '5', 'long', 5n, '1005'],
    ['long', '-9223372036854775808', 'long', -(2n ** 63n)],
    ['unsigned byte', '255', 'unsigned byte', 255, '1100ff'],
    ['unsigned short', '65535', 'unsigned short', 65535, '120000ffff'],
    ['unsigned int', '4294967295', 'unsigned int', 4294967295, '1300000000ffffffff'],
    ['  unsigned   int ', '0', 'unsigned int', 0, '1c'],
    ['float', '1.5', 'float', 1.5, '143fc00000'],
    ['float', '0', 'float', 0, '1400000000'],
    ['double', '5', 'double', 5, '154014000000000000'],
    ['double', 'NaN', 'double', Number.NaN],
    ['double', '-Infinity', 'double', Number.NEGATIVE_INFINITY],
    ['string', '42', 'string', '42', `1602${s('42')}`],
    ['string', '[1', 'string', '[1'],
    ['string', '', 'string', ''],
    ['bool', 'true', 'bool', true, '1001'],
    ['vector<byte>', 'AQID', 'vector<byte>', Uint8Array.of(1, 2, 3), '1d0000 03 010203'],
    ['vector<byte>', '', 'vector<byte>', new Uint8Array(0), '1d000c'],
    ['vector<byte>', '[1, -1, 255]', 'vector<byte>', Uint8Array.of(1, 255, 255)],
    ['vector<int>', '[]', 'vector<int>', [], '19 0c'],
    ['vector<short>', '[1, "2"]', 'vector<short>', [1, 2]],
    ['vector<long>', '[9223372036854775807, "-5"]', 'vector<long>', [2n ** 63n - 1n, -5n]],
    ['vector<double>', '[1, 2]', 'vector<double>', [1, 2]],
    ['vector<float>', '["NaN", 0.5]', 'vector<float>', [Number.NaN, 0.5]],
    ['vector<string>', '["1", "x"]', 'vector<string>', ['1', 'x']],
    ['map<int, string>', '{"1": "a", "-2": "b"}', 'map<int, string>', new Map([[1, 'a'], [-2, 'b']])],
    ['map<long,bool>', '[{"key": "9223372036854775807", "value": true}]', 'map<long, bool>',
      new Map([[2n ** 63n - 1n, true]])],
    ['map<string, vector<int>>', '{"a": [1]}', 'map<string, vector<int>>', new Map([['a', [1]]])],
    ['map<string, int>', '{"1": 2}', 'map<string, int>', new Map([['1', 2]]), '18 0001 06 01 31 1002'],
    ['struct', '{"1": 5, "3": "x"}', 'struct{1: int, 3: string}', {1: 5, 3: 'x'}],
    ['struct', '{}', 'struct{}', {}, '1a0b'],
    ['vector<struct>', '[{"1": 1}, {"2": "s"}]', 'vector<struct{1: int, 2: string}>', [{1: 1}, {2: 's'}]],
    ['vector<struct>', '[]', 'vector<struct{}>', []],
    ['map<string, struct>', '{"k": {"0": 1}}', 'map<string, struct{0: int}>', new Map([['k', {0: 1}]])],
    ['vector<vector<struct>>', '[[{"0": true}]]', 'vector<vector<struct{0: bool}>>', [[{0: true}]]],
  ];
  for (const [types, text, name, value, body] of FORCED) {
    it(`${types}: ${JSON.stringify(text)} -> ${name}`, () => {
      const got = one(text, types);
      expect(got.name).to.equal(name);
      if (typeof value === 'number' && Number.isNaN(value)) expect(got.value).to.be.NaN;
      else expect(got.value).to.deep.equal(value);
      if (body !== undefined) expect(got.hex).to.equal(body.replaceAll(' ', ''));
      expect(got.warnings).to.deep.equal([]);
    });
  }

  it('takes one type per argument, commas inside <> belonging to the type, from a string or a list', () => {
    const texts = ['1', '{"a": 2}', '3'];
    for (const argTypes of ['short, map<string,int> ,string', ['short', 'map<string, int>', 'string'],
      ['short,map<string,int>', 'string']]) {
      const r = inferArgs(texts, {argTypes});
      expect(r.signature).to.equal('(short, map<string, int>, string)');
      expect(r.args.map((a) => a.forced)).to.deep.equal([true, true, true]);
      expect(r.args[2].value).to.equal('3');
    }
  });

  const VALUE_ERRORS: [string, string, string, RegExp][] = [
    ['int', '3000000000', 'ENCODE_OUT_OF_RANGE', /3000000000 does not fit int \(-2147483648\.\.2147483647\)/],
    ['byte', '-129', 'ENCODE_OUT_OF_RANGE', /does not fit byte/],
    ['unsigned int', '-1', 'ENCODE_OUT_OF_RANGE', /-1 does not fit unsigned int \(0\.\.4294967295\)/],
    ['long', '9223372036854775808', 'ENCODE_OUT_OF_RANGE', /does not fit long/],
    ['short', 'abc', 'ENCODE_BAD_VALUE', /expected an integer \(short\), got "abc"/],
    ['int', '1.5', 'ENCODE_BAD_VALUE', /expected an integer \(int\)/],
    ['int', '', 'ENCODE_BAD_VALUE', /expected an integer/],
    ['bool', 'yes', 'ENCODE_BAD_VALUE', /expected true or false, got "yes"/],
    ['bool', 'TRUE', 'ENCODE_BAD_VALUE', /expected true or false/],
    ['float', '1e39', 'ENCODE_OUT_OF_RANGE', /1e39 does not fit float/],
    ['double', 'x', 'ENCODE_BAD_VALUE', /expected a number \(double\)/],
    ['vector<byte>', 'not base64!', 'ENCODE_BAD_VALUE', /expected bytes as base64/],
    ['vector<byte>', '[256]', 'ENCODE_OUT_OF_RANGE', /at \/0: 256 is not a byte value/],
    ['vector<int>', '{"a": 1}', 'ENCODE_BAD_VALUE', /expected an array, got an object/],
    ['vector<int>', '[1, 2', 'ENCODE_BAD_VALUE', /not valid JSON: expected ',' or '\]' at offset 5/],
    ['vector<short>', '[1, 40000]', 'ENCODE_OUT_OF_RANGE', /at \/1: 40000 does not fit short/],
    ['vector<string>', '[1]', 'ENCODE_BAD_VALUE', /at \/0: expected a string, got the number 1/],
    ['map<int, string>', '{"x": "a"}', 'ENCODE_BAD_VALUE', /at \/x: expected an integer \(int\), got "x"/],
    ['map<int, string>', '[{"key": 1}]', 'ENCODE_BAD_VALUE', /at \/0: expected a map entry/],
    ['map<int, string>', '[{"key": 1, "value": "a"}, {"key": 1, "value": "b"}]', 'ENCODE_BAD_VALUE',
      /at \/1: the key 1 is given twice/],
    ['struct', '{"a": 1}', 'ENCODE_BAD_VALUE', /a struct is keyed by tags \(0\.\.255\), not "a"/],
    ['struct', '[1]', 'ENCODE_BAD_VALUE', /expected a struct as an object keyed by tag, got an array/],
    ['struct', '5', 'ENCODE_BAD_VALUE', /not valid JSON|expected a struct/],
    ['vector<struct>', '[{"1": 1}, {"1": "x"}]', 'ENCODE_BAD_VALUE', /at \/1\/1: mixes int and string/],
  ];
  for (const [types, text, code, message] of VALUE_ERRORS) {
    it(`${types} refuses ${JSON.stringify(text)} (${code})`, () => {
      const e = tarsError(() => inferArgs(['x', text], {argTypes: `string, ${types}`}));
      expect(e.code).to.equal(code);
      expect(e.message).to.match(/^argument 2 /);
      expect(e.message).to.match(message);
      expect(e.details.arg).to.equal(2);
    });
  }

  const TYPE_ERRORS: [string, string[], RegExp][] = [
    ['int', ['1', '2'], /--arg-types gives 1 type\(s\) for 2 argument\(s\)/],
    ['int,string,int', ['1', '2'], /gives 3 type\(s\) for 2 argument\(s\)/],
    ['', ['1'], /gives 0 type\(s\) for 1 argument\(s\)/],
    ['foo', ['1'], /--arg-types "foo": expected a type, found 'foo' at offset 0 \(types: bool, byte/],
    ['vector<int', ['1'], /expected '>', found the end/],
    ['map<int>', ['1'], /expected ',', found '>'/],
    ['unsigned long', ['1'], /expected byte, short or int after unsigned/],
    ['map<struct,int>', ['1'], /map keys must be a scalar type here/],
    ['map<vector<int>,int>', ['1'], /map keys must be a scalar type here.*found 'vector' at offset 4/],
    ['int,,string', ['1', '2'], /expected a type, found ',' at offset 4/],
    ['vector<int>>', ['1'], /expected ',', found '>'/],
    ['Int', ['1'], /expected a type, found 'Int'/],
    ['vector<byte', ['1'], /expected '>'/],
  ];
  for (const [types, texts, message] of TYPE_ERRORS) {
    it(`refuses --arg-types ${JSON.stringify(types)} for ${texts.length} argument(s)`, () => {
      const e = tarsError(() => inferArgs(texts, {argTypes: types}));
      expect(e.code).to.equal('ENCODE_BAD_VALUE');
      expect(e.message).to.match(message);
    });
  }

  it('accepts an empty --arg-types for no arguments', () => {
    expect(inferArgs([], {argTypes: ''}).args).to.deep.equal([]);
  });
});

// ---- round trips ------------------------------------------------------------------------------------------------------

interface Real {
  t: TarsType;
  v: unknown;
  /** The command-line text a user would type for it. */
  text: string;
  /** The same, inside JSON. */
  json: string;
}

/** Doubles as a user types them for inference: with a point or an exponent, so they are not taken as integers. */
function doubleText(v: number): string {
  if (Object.is(v, -0)) return '-0.0';
  const t = String(v);
  return /[.e]/.test(t) ? t : `${t}.0`;
}

const int32 = fc.integer({min: -(2 ** 31), max: 2 ** 31 - 1});
const finiteDouble = fc.double({noNaN: true, noDefaultInfinity: true});
/** What inference takes as a string: not a number, bool or JSON. */
const plainString = fc.string({unit: 'grapheme', maxLength: 10}).filter((x) => one(x).name === 'string' &&
  one(x).warnings.length === 0);

const SCALAR_REALS: fc.Arbitrary<Real>[] = [
  fc.boolean().map((v) => ({t: T.bool, v, text: String(v), json: String(v)})),
  fc.integer({min: -128, max: 127}).map((v) => ({t: T.byte, v, text: String(v), json: String(v)})),
  fc.integer({min: -32768, max: 32767}).map((v) => ({t: T.short, v, text: String(v), json: String(v)})),
  int32.map((v) => ({t: T.int, v, text: String(v), json: String(v)})),
  fc.bigInt({min: -(2n ** 63n), max: 2n ** 63n - 1n}).map((v) => ({t: T.long, v, text: String(v), json: String(v)})),
  fc.integer({min: 0, max: 255}).map((v) => ({t: T.ubyte, v, text: String(v), json: String(v)})),
  fc.integer({min: 0, max: 65535}).map((v) => ({t: T.ushort, v, text: String(v), json: String(v)})),
  fc.integer({min: 0, max: 2 ** 32 - 1}).map((v) => ({t: T.uint, v, text: String(v), json: String(v)})),
  finiteDouble.map((v) => ({t: T.double, v, text: doubleText(v), json: doubleText(v)})),
  plainString.map((v) => ({t: T.string, v, text: v, json: JSON.stringify(v)})),
];

/** Real types a user can express without --arg-types, with values and their texts. */
function realArb(depth: number): fc.Arbitrary<Real> {
  const scalar = fc.oneof(...SCALAR_REALS);
  if (depth === 0) return scalar;
  const inner = realArb(depth - 1);
  // Elements of one vector share the real type: take the first element's type and draw the rest from SCALAR_REALS
  // of the same kind through a fixed element arbitrary.
  const vectorOf = (elem: fc.Arbitrary<Real>): fc.Arbitrary<Real> => fc.array(elem, {maxLength: 3}).map((items) => ({
    t: T.vector(items[0]?.t ?? T.int), v: items.map((i) => i.v), text: `[${items.map((i) => i.json).join(', ')}]`,
    json: `[${items.map((i) => i.json).join(', ')}]`}));
  return fc.oneof(
    {arbitrary: scalar, weight: 2},
    fc.constantFrom(...SCALAR_REALS).chain(vectorOf),
    fc.integer({min: -128, max: 127}).chain(() => fc.array(fc.integer({min: -128, max: 127}), {maxLength: 4}))
      .map((bs) => ({t: T.vector(T.byte), v: Buffer.from(Int8Array.from(bs).buffer), text: JSON.stringify(bs),
        json: JSON.stringify(bs)})),
    // Keys that are all tags ("0".."255") would make a struct: a known limit of inference (force map<string, V>).
    fc.uniqueArray(fc.tuple(fc.string({maxLength: 4}).filter((k) => !/^\d+$/.test(k)), inner),
      {selector: (e) => e[0], minLength: 1, maxLength: 1})
      .map(([[k, r]]) => ({t: T.map(T.string, r.t), v: new Map([[k, r.v]]), text: `{${JSON.stringify(k)}: ${r.json}}`,
        json: `{${JSON.stringify(k)}: ${r.json}}`})),
    fc.uniqueArray(fc.tuple(fc.nat(255), inner), {selector: (f) => f[0], minLength: 1, maxLength: 4}).map((fs) => {
      const sorted = [...fs].sort((a, b) => a[0] - b[0]);
      const def: StructDef = {name: 'Real', fields: sorted.map(([tag, r]) => ({tag, name: `f${tag}`, type: r.t,
        required: true}))};
      // Members in a shuffled order in the text: inference sorts them by tag.
      const text = `{${[...fs].map(([tag, r]) => `"${tag}": ${r.json}`).join(', ')}}`;
      return {t: T.struct(def), v: Object.fromEntries(sorted.map(([tag, r]) => [`f${tag}`, r.v])), text, json: text};
    }),
  );
}

/** A value in one comparable form: bytes as signed numbers (as a vector<byte> given as JSON), maps sorted by key. */
function normal(v: unknown): unknown {
  if (v instanceof Map) {
    return [...v].map(([k, x]) => [normal(k), normal(x)] as const)
      .sort(([a], [b]) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
  }
  if (Array.isArray(v)) return v.map(normal);
  if (v instanceof Uint8Array) return [...new Int8Array(v.buffer, v.byteOffset, v.byteLength)];
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normal(x)]));
  return v;
}

describe('untyped arguments: round trips', () => {
  it('a server of the real signature reads what inference sends (every type expressible without --arg-types)', () => {
    fc.assert(fc.property(fc.array(realArb(2), {maxLength: 4}), (reals) => {
      const {args} = inferArgs(reals.map((r) => r.text));
      const body = encodeUntypedArgs(args);
      const reader = new TarsReader(body);
      reals.forEach((r, i) => {
        const got = readValue(reader, i + 1, r.t, true);
        expect(normal(got), `argument ${i + 1}: ${r.text} as ${untypedTypeName(r.t)} (sent as ${args[i].typeName})`)
          .to.deep.equal(normal(r.v));
      });
    }), {numRuns: 500});
  });

  it('a server of the real signature reads what forced types send, float included', () => {
    const forcedArb = fc.oneof(
      fc.float({noNaN: true, noDefaultInfinity: true}).map((v) => ({t: T.float, v, text: String(v), types: 'float'})),
      fc.integer({min: 0, max: 255}).map((v) => ({t: T.ubyte, v, text: String(v), types: 'unsigned byte'})),
      fc.array(fc.integer({min: -32768, max: 32767}), {maxLength: 3}).map((v) => ({t: T.vector(T.short), v,
        text: JSON.stringify(v), types: 'vector<short>'})),
      fc.array(fc.tuple(int32, fc.string({maxLength: 3})), {maxLength: 3}).map((es) => {
        const m = new Map(es);
        return {t: T.map(T.int, T.string), v: m, text: JSON.stringify(Object.fromEntries(m)),
          types: 'map<int, string>'};
      }),
      fc.string({maxLength: 6}).map((v) => ({t: T.string, v, text: v, types: 'string'})),
    );
    fc.assert(fc.property(fc.array(forcedArb, {minLength: 1, maxLength: 4}), (cases) => {
      const {args} = inferArgs(cases.map((c) => c.text), {argTypes: cases.map((c) => c.types).join(',')});
      const reader = new TarsReader(encodeUntypedArgs(args));
      cases.forEach((c, i) => {
        const got = readValue(reader, i + 1, c.t, true);
        if (c.t === T.float) expect(got).to.equal(Math.fround(c.v as number));
        else expect(normal(got), c.text).to.deep.equal(normal(c.v));
      });
    }), {numRuns: 300});
  });

  it('what inference sends, the generic decoder gives back as the JSON that went in', () => {
    // JSON values inference accepts: no nulls, no mixed arrays (arrays of one kind of scalar), integers in range.
    const leaf = fc.oneof(fc.boolean(), fc.integer(), fc.string({maxLength: 5}),
      fc.double({noNaN: true, noDefaultInfinity: true}).filter((d) => !Number.isInteger(d)));
    const value: fc.Arbitrary<unknown> = fc.letrec<{v: unknown}>((tie) => ({
      v: fc.oneof({depthSize: 'small', withCrossShrink: true}, leaf,
        fc.array(fc.boolean(), {maxLength: 3}), fc.array(fc.string({maxLength: 3}), {maxLength: 3}),
        fc.dictionary(fc.string({maxLength: 3}).filter((k) => !/^\d+$/.test(k)), tie('v'), {maxKeys: 3})
          .filter((o) => Object.keys(o).length > 0 && new Set(Object.values(o).map(kindOf)).size === 1),
        fc.dictionary(fc.nat(255).map(String), tie('v'), {minKeys: 1, maxKeys: 3})),
    })).v;
    fc.assert(fc.property(fc.array(value, {maxLength: 4}), (values) => {
      const texts = values.map((v) => (typeof v === 'string' ? `{"s": ${JSON.stringify(v)}}` : JSON.stringify(v)));
      const {args} = inferArgs(texts);
      const back = untypedToJson(decodeUntyped(encodeUntypedArgs(args))).values;
      texts.forEach((text, i) => {
        expect(back[i + 1], text).to.deep.equal(boolsAsInts(JSON.parse(text)));
      });
    }), {numRuns: 300});
  });
});

/** A coarse kind, so that a generated map's values share one inferred type. */
function kindOf(v: unknown): string {
  if (Array.isArray(v)) return `array:${v.map(kindOf).join(',')}`;
  if (v !== null && typeof v === 'object') return JSON.stringify(Object.keys(v).map((k) => [k, kindOf((v as Record<string, unknown>)[k])]));
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'double';
  return typeof v;
}

/** The wire has no bool: the generic decoder shows true and false as 1 and 0. */
function boolsAsInts(v: unknown): unknown {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (Array.isArray(v)) return v.map(boolsAsInts);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, boolsAsInts(x)]));
  }
  return v;
}

describe('untyped arguments: properties', () => {
  it('every integer in the 64-bit range is inferred exactly: int within 32 bits, long beyond', () => {
    fc.assert(fc.property(fc.bigInt({min: -(2n ** 63n), max: 2n ** 63n - 1n}), (n) => {
      const {args: [a]} = inferArgs([String(n)]);
      const fits32 = n >= -(2n ** 31n) && n < 2n ** 31n;
      expect(a.typeName).to.equal(fits32 ? 'int' : 'long');
      expect(a.value).to.equal(fits32 ? Number(n) : n);
      expect(new TarsReader(encodeUntypedArgs([a])).readInt64(1, true)).to.equal(n);
    }), {numRuns: 500});
  });

  it('text that is no number, bool or JSON is sent verbatim as a string', () => {
    fc.assert(fc.property(fc.string({unit: 'binary', maxLength: 20}), (text) => {
      fc.pre(!/^-?\d/.test(text) && text !== 'true' && text !== 'false' && !/^\s*[[{]/.test(text));
      const {args: [a], warnings} = inferArgs([text]);
      expect(a.typeName).to.equal('string');
      expect(a.value).to.equal(text);
      expect(warnings).to.deep.equal([]);
    }), {numRuns: 500});
  });

  it('any text and any --arg-types give a result or a TarsError, nothing else', () => {
    const typeWords = fc.constantFrom('int', 'long', 'string', 'struct', 'vector<', 'map<', '>', ',', 'unsigned',
      'byte', 'double', 'float', 'bool', ' ', 'vector<byte>');
    const argText = fc.oneof(fc.string({maxLength: 12}), fc.json({maxDepth: 3}), fc.constantFrom('[', '{', '[1,',
      '{"1":', '-', '1e', '9'.repeat(30)));
    fc.assert(fc.property(fc.array(argText, {maxLength: 3}), fc.option(fc.array(typeWords, {maxLength: 8})
      .map((w) => w.join('')), {nil: undefined}), (texts, argTypes) => {
      try {
        const r = inferArgs(texts, argTypes === undefined ? {} : {argTypes});
        encodeUntypedArgs(r.args);
      } catch (error) {
        if (!(error instanceof TarsError)) throw error;
        expect(error.code).to.be.oneOf(['ENCODE_BAD_VALUE', 'ENCODE_OUT_OF_RANGE']);
      }
    }), {numRuns: 2000});
  });
});
