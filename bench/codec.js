// Codec benchmark: encode and decode of one mixed struct with @tars-ts/core (compiled, core/dist) and with the
// official @tars/stream 2.0.3, measured interleaved in the same process.
//
// IDL of the payload (module Bench):
//
//   struct Item  {0 require int id; 1 optional string name; 2 optional double score;};
//   struct Mixed {0 require int a; 1 require short b; 2 require long c; 3 require string s; 4 require string u;
//                 5 require vector<int> vi; 6 require map<string, string> m; 7 require Item nested;
//                 8 require vector<Item> items; 9 require bool flag; 10 require float f;
//                 11 require vector<byte> bytes;};
//
// "ours" is what `tars gen` generates for bench/mixed.tars (generated at run time, see generated.js); "descriptor" is
// the generic path through a StructDef without compiled hooks (writeStructFields/readStructFields), which dynamic
// calls with a .tars file and no generated code use; "theirs" is
// what tars2node generates for @tars/stream (classes with _writeTo/_readFrom, List, Map, BinBuffer; long as an exact
// string through writeInt64(tag, v, true)).

import {createRequire} from 'node:module';
import {isDeepStrictEqual} from 'node:util';
import {T, TarsReader, TarsWriter, readStructFields, writeStructFields} from '@tars-ts/core';
import {loadGenerated} from './generated.js';
import {PROFILES, measureInterleaved} from './harness.js';

const require = createRequire(import.meta.url);
const TarsStream = require('@tars/stream');

/** The speed-up over @tars/stream that the generated path is expected to reach (ours ops/s / theirs ops/s). */
export const TARGET_RATIO = 3;

// ---- the payload -----------------------------------------------------------------------------------------------

function makeValue() {
  const bytes = new Uint8Array(64);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 37 + 11) & 0xff;
  const m = new Map();
  for (let i = 0; i < 8; i++) m.set(`key-${i}`, `value number ${i}`);
  const items = [];
  for (let i = 0; i < 8; i++) items.push({id: i * 1000 - 3000, name: `item-${i}`, score: i * 1.25 + 0.5});
  return {
    a: 123456,
    b: -1234,
    c: 1234567890123n, // > 2^32: written as LONG
    s: 'hello-tars-benchmark', // 20 ASCII characters
    u: 'héllo wörld ✓ 你好', // short, non-ASCII
    vi: [0, 1, -1, 127, -128, 128, -129, 1000, 32767, -32768, 32768, 100000, -100000, 2147483647, -2147483648, 42],
    m,
    nested: {id: 7, name: 'nested', score: 3.25},
    items,
    flag: true,
    f: 1.5, // exact in float32, so it round-trips to an equal number
    bytes,
  };
}

// ---- ours: the generator's real output for bench/mixed.tars ------------------------------------------------------

const {Mixed} = await loadGenerated('mixed.tars');

function encodeOurs(v) {
  return Mixed.encode(v);
}

function decodeOurs(buf) {
  return Mixed.decode(buf);
}

// ---- ours, through descriptors -----------------------------------------------------------------------------------

const ItemDef = {
  name: 'Bench.Item',
  fields: [
    {tag: 0, name: 'id', type: T.int, required: true},
    {tag: 1, name: 'name', type: T.string, required: false},
    {tag: 2, name: 'score', type: T.double, required: false},
  ],
};

const MixedDef = {
  name: 'Bench.Mixed',
  fields: [
    {tag: 0, name: 'a', type: T.int, required: true},
    {tag: 1, name: 'b', type: T.short, required: true},
    {tag: 2, name: 'c', type: T.long, required: true},
    {tag: 3, name: 's', type: T.string, required: true},
    {tag: 4, name: 'u', type: T.string, required: true},
    {tag: 5, name: 'vi', type: T.vector(T.int), required: true},
    {tag: 6, name: 'm', type: T.map(T.string, T.string), required: true},
    {tag: 7, name: 'nested', type: T.struct(ItemDef), required: true},
    {tag: 8, name: 'items', type: T.vector(T.struct(ItemDef)), required: true},
    {tag: 9, name: 'flag', type: T.bool, required: true},
    {tag: 10, name: 'f', type: T.float, required: true},
    {tag: 11, name: 'bytes', type: T.vector(T.byte), required: true},
  ],
};

// The defs carry no writeFields/readFields, so this measures the generic, interpreted path.
function encodeDescriptor(v) {
  const w = new TarsWriter();
  writeStructFields(w, MixedDef, v);
  return w.toBuffer();
}

function decodeDescriptor(buf) {
  return readStructFields(new TarsReader(buf), MixedDef);
}

// ---- theirs: what tars2node generates for @tars/stream ---------------------------------------------------------

const Bench = {};

Bench.Item = function () {
  this.id = 0;
  this.name = '';
  this.score = 0;
  this._classname = 'Bench.Item';
};
Bench.Item._classname = 'Bench.Item';
Bench.Item._write = function (os, tag, value) { os.writeStruct(tag, value); };
Bench.Item._read = function (is, tag, def) { return is.readStruct(tag, true, def); };
Bench.Item._readFrom = function (is) {
  const tmp = new Bench.Item();
  tmp.id = is.readInt32(0, true, 0);
  tmp.name = is.readString(1, false, '');
  tmp.score = is.readDouble(2, false, 0);
  return tmp;
};
Bench.Item.prototype._writeTo = function (os) {
  os.writeInt32(0, this.id);
  os.writeString(1, this.name);
  os.writeDouble(2, this.score);
};
Bench.Item.new = function () { return new Bench.Item(); };
Bench.Item.create = function (is) { return Bench.Item._readFrom(is); };

Bench.Mixed = function () {
  this.a = 0;
  this.b = 0;
  this.c = '0';
  this.s = '';
  this.u = '';
  this.vi = new TarsStream.List(TarsStream.Int32);
  this.m = new TarsStream.Map(TarsStream.String, TarsStream.String);
  this.nested = new Bench.Item();
  this.items = new TarsStream.List(Bench.Item);
  this.flag = false;
  this.f = 0;
  this.bytes = new TarsStream.BinBuffer();
  this._classname = 'Bench.Mixed';
};
Bench.Mixed._classname = 'Bench.Mixed';
Bench.Mixed._write = function (os, tag, value) { os.writeStruct(tag, value); };
Bench.Mixed._read = function (is, tag, def) { return is.readStruct(tag, true, def); };
Bench.Mixed._readFrom = function (is) {
  const tmp = new Bench.Mixed();
  tmp.a = is.readInt32(0, true, 0);
  tmp.b = is.readInt16(1, true, 0);
  tmp.c = is.readInt64(2, true, '0', true);
  tmp.s = is.readString(3, true, '');
  tmp.u = is.readString(4, true, '');
  tmp.vi = is.readList(5, true, TarsStream.List(TarsStream.Int32));
  tmp.m = is.readMap(6, true, TarsStream.Map(TarsStream.String, TarsStream.String));
  tmp.nested = is.readStruct(7, true, Bench.Item);
  tmp.items = is.readList(8, true, TarsStream.List(Bench.Item));
  tmp.flag = is.readBoolean(9, true, false);
  tmp.f = is.readFloat(10, true, 0);
  tmp.bytes = is.readBytes(11, true, TarsStream.BinBuffer);
  return tmp;
};
Bench.Mixed.prototype._writeTo = function (os) {
  os.writeInt32(0, this.a);
  os.writeInt16(1, this.b);
  os.writeInt64(2, this.c, true);
  os.writeString(3, this.s);
  os.writeString(4, this.u);
  os.writeList(5, this.vi);
  os.writeMap(6, this.m);
  os.writeStruct(7, this.nested);
  os.writeList(8, this.items);
  os.writeBoolean(9, this.flag);
  os.writeFloat(10, this.f);
  os.writeBytes(11, this.bytes);
};
Bench.Mixed.new = function () { return new Bench.Mixed(); };
Bench.Mixed.create = function (is) { return Bench.Mixed._readFrom(is); };

function toTheirsItem(v) {
  const item = new Bench.Item();
  item.id = v.id;
  item.name = v.name;
  item.score = v.score;
  return item;
}

function toTheirs(v) {
  const t = new Bench.Mixed();
  t.a = v.a;
  t.b = v.b;
  t.c = v.c.toString();
  t.s = v.s;
  t.u = v.u;
  for (const x of v.vi) t.vi.push(x);
  for (const [k, x] of v.m) t.m.insert(k, x);
  t.nested = toTheirsItem(v.nested);
  for (const item of v.items) t.items.push(toTheirsItem(item));
  t.flag = v.flag;
  t.f = v.f;
  t.bytes.writeNodeBuffer(Buffer.from(v.bytes));
  return t;
}

function encodeTheirs(t) {
  const os = new TarsStream.TarsOutputStream();
  t._writeTo(os);
  return os.getBinBuffer().toNodeBuffer();
}

function decodeTheirs(buf) {
  return Bench.Mixed._readFrom(new TarsStream.TarsInputStream(new TarsStream.BinBuffer(buf)));
}

// ---- cross-checks ----------------------------------------------------------------------------------------------

const canonItem = (i) => ({id: i.id, name: i.name, score: i.score});

/** A plain, comparable form of an ours-shaped value (bigint and bytes as strings, the map as sorted entries). */
function canonOurs(v) {
  return {
    a: v.a, b: v.b, c: v.c.toString(), s: v.s, u: v.u, vi: [...v.vi],
    m: [...v.m.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)),
    nested: canonItem(v.nested), items: v.items.map(canonItem), flag: v.flag, f: v.f,
    bytes: Buffer.from(v.bytes).toString('hex'),
  };
}

/** The same form of a @tars/stream-shaped value. */
function canonTheirs(t) {
  const m = [];
  t.m.forEach((k, x) => { m.push([k, x]); });
  m.sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return {
    a: t.a, b: t.b, c: String(t.c), s: t.s, u: t.u, vi: [...t.vi.value], m,
    nested: canonItem(t.nested), items: t.items.value.map(canonItem), flag: t.flag, f: t.f,
    bytes: t.bytes.toNodeBuffer().toString('hex'),
  };
}

function check(what, actual, expected) {
  if (!isDeepStrictEqual(actual, expected)) {
    throw new Error(`codec cross-check failed: ${what}\n  expected ${JSON.stringify(expected)}\n  got      ` +
      JSON.stringify(actual));
  }
}

/** Every implementation decodes every other's bytes to the original value; aborts (throws) otherwise. */
function crossCheck(value, theirsValue) {
  const expected = canonOurs(value);
  check('@tars/stream input value', canonTheirs(theirsValue), expected);
  const oursBytes = Buffer.from(encodeOurs(value));
  const descBytes = Buffer.from(encodeDescriptor(value));
  const theirsBytes = encodeTheirs(theirsValue);
  if (!oursBytes.equals(descBytes)) {
    throw new Error(`codec cross-check failed: descriptor encoding differs from generated encoding\n  generated  ` +
      `${oursBytes.toString('hex')}\n  descriptor ${descBytes.toString('hex')}`);
  }
  check('ours decodes ours', canonOurs(decodeOurs(oursBytes)), expected);
  check('ours decodes @tars/stream', canonOurs(decodeOurs(theirsBytes)), expected);
  check('descriptor decodes ours', canonOurs(decodeDescriptor(oursBytes)), expected);
  check('descriptor decodes @tars/stream', canonOurs(decodeDescriptor(theirsBytes)), expected);
  check('@tars/stream decodes ours', canonTheirs(decodeTheirs(oursBytes)), expected);
  check('@tars/stream decodes @tars/stream', canonTheirs(decodeTheirs(theirsBytes)), expected);
  return {
    encodedBytes: oursBytes.length,
    theirsEncodedBytes: theirsBytes.length,
    byteIdentical: oursBytes.equals(theirsBytes),
  };
}

/** The payload and the eight operations, for profiling scripts (`node --cpu-prof`) and later benchmarks. */
export const fixtures = {
  makeValue, toTheirs, encodeOurs, decodeOurs, encodeDescriptor, decodeDescriptor,
  encodeTheirs, decodeTheirs,
  ItemDef, MixedDef, Bench,
};

// ---- the module ------------------------------------------------------------------------------------------------

export const name = 'codec';
export const description = 'TARS struct encode/decode: @tars-ts/core (generated and descriptor paths) vs @tars/stream';

/**
 * Runs the benchmark. `opts.quick` selects the short profile; `opts.log` receives messages, `opts.progress` the
 * per-round progress lines.
 * Returns {rows, info}; each row compares one of our paths with @tars/stream on one operation.
 */
export async function run(opts = {}) {
  const profile = opts.profile ?? (opts.quick ? PROFILES.quick : PROFILES.full);
  const log = opts.log ?? (() => {});
  const progress = opts.progress ?? (() => {});
  const value = makeValue();
  const theirsValue = toTheirs(value);
  const info = crossCheck(value, theirsValue);
  log(`codec: cross-check passed (${info.encodedBytes} bytes, byte-identical to @tars/stream: ${info.byteIdentical})`);

  const oursBytes = Buffer.from(encodeOurs(value));
  const theirsBytes = encodeTheirs(theirsValue);
  const cases = {
    'encode/ours': () => encodeOurs(value),
    'encode/descriptor': () => encodeDescriptor(value),
    'encode/theirs': () => encodeTheirs(theirsValue),
    'decode/ours': () => decodeOurs(oursBytes),
    'decode/descriptor': () => decodeDescriptor(oursBytes),
    'decode/theirs': () => decodeTheirs(theirsBytes),
  };
  const r = measureInterleaved(cases, profile, progress);

  const rows = [];
  for (const op of ['encode', 'decode']) {
    const theirs = r[`${op}/theirs`];
    const paths = [
      ['ours', 'generated', TARGET_RATIO],
      ['descriptor', 'descriptor', null],
    ];
    for (const [path, label, target] of paths) {
      const ours = r[`${op}/${path}`];
      const paired = ours.rates.map((x, i) => x / theirs.rates[i]).sort((a, b) => a - b);
      rows.push({
        case: `${op} Mixed (${label})`,
        op,
        path: label,
        ours: strip(ours),
        theirs: strip(theirs),
        ratio: ours.median / theirs.median,
        pairedRatio: paired[paired.length >> 1],
        target,
      });
    }
  }
  const notes = [
    `Mixed encodes to ${info.encodedBytes} bytes, byte-identical to @tars/stream: ${info.byteIdentical}`,
    `${profile.rounds} interleaved rounds of ~${profile.sampleMs} ms per case; ops/s and ratio are medians`,
  ];
  return {rows, notes, info: {...info, profile}};
}

function strip({rates, ...rest}) {
  return rest;
}
