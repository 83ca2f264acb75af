import {expect} from 'chai';
import fc from 'fast-check';

import {type StructDef, T, TarsError, TarsReader, TarsWriter, readValue, writeValue} from '@tars-ts/core';

const bytes = (h: string): Buffer => Buffer.from(h.replaceAll(' ', ''), 'hex');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function encode(write: (w: TarsWriter) => void): string {
  const w = new TarsWriter(16);
  write(w);
  return hex(w.toBuffer());
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(TarsError);
    return (error as TarsError).code;
  }
  throw new Error('expected a TarsError, nothing was thrown');
}

describe('codec: writer', () => {
  it('compresses integers by value whatever the declared width', () => {
    expect(encode((w) => w.writeInt64(0, 5n))).to.equal('0005');
    expect(encode((w) => w.writeInt64(0, 5))).to.equal('0005');
    expect(encode((w) => w.writeInt16(0, 0))).to.equal('0c');
    expect(encode((w) => w.writeInt8(3, -1))).to.equal('30ff');
  });

  it('writes long exactly over the whole signed 64-bit range', () => {
    expect(encode((w) => w.writeInt64(0, 9223372036854775807n))).to.equal('037fffffffffffffff');
    expect(encode((w) => w.writeInt64(0, -9223372036854775808n))).to.equal('038000000000000000');
    expect(encode((w) => w.writeInt64(0, 2 ** 53 - 1))).to.equal('03001fffffffffffff');
    expect(encode((w) => w.writeInt64(0, -(2 ** 53) + 1))).to.equal('03ffe0000000000001');
  });

  it('writes float and double zero in full, as TarsGo and TarsCpp', () => {
    expect(encode((w) => w.writeFloat(0, 0))).to.equal('0400000000');
    expect(encode((w) => w.writeDouble(1, 0))).to.equal('150000000000000000');
  });

  it('picks STRING1/STRING4 by UTF-8 byte length, not by character count', () => {
    const s85 = 'é'.repeat(85); // 170 bytes: STRING1 through the short-string path
    expect(encode((w) => w.writeString(0, s85)).slice(0, 4)).to.equal('06aa');
    const s128 = 'é'.repeat(128); // 256 bytes: STRING4
    expect(encode((w) => w.writeString(0, s128)).slice(0, 10)).to.equal('0700000100');
    const s127 = 'é'.repeat(127); // 254 bytes: STRING1
    expect(encode((w) => w.writeString(0, s127)).slice(0, 4)).to.equal('06fe');
    const astral = '😀'.repeat(60); // 120 UTF-16 units, 240 bytes
    expect(encode((w) => w.writeString(0, astral)).slice(0, 4)).to.equal('06f0');
  });

  it('writes unsigned types with the next wider routine', () => {
    expect(encode((w) => w.writeUInt8(0, 255))).to.equal('0100ff');
    expect(encode((w) => w.writeUInt16(0, 65535))).to.equal('020000ffff');
    expect(encode((w) => w.writeUInt32(0, 4294967295))).to.equal('0300000000ffffffff');
  });

  it('grows its buffer for large values', () => {
    const big = Buffer.alloc(100_000, 7);
    const w = new TarsWriter(16);
    w.writeBytes(3, big);
    w.writeString(4, 'x'.repeat(70_000));
    const r = new TarsReader(w.toBuffer());
    expect(r.readBytes(3, true).equals(big)).to.equal(true);
    expect(r.readString(4, true)).to.have.length(70_000);
  });

  it('refuses values that do not fit, instead of writing something else', () => {
    expect(codeOf(() => encode((w) => w.writeInt8(0, 128)))).to.equal('ENCODE_OUT_OF_RANGE');
    expect(codeOf(() => encode((w) => w.writeInt16(0, -32769)))).to.equal('ENCODE_OUT_OF_RANGE');
    expect(codeOf(() => encode((w) => w.writeInt32(0, 2 ** 31)))).to.equal('ENCODE_OUT_OF_RANGE');
    expect(codeOf(() => encode((w) => w.writeInt32(0, 1.5)))).to.equal('ENCODE_OUT_OF_RANGE');
    expect(codeOf(() => encode((w) => w.writeInt64(0, 2n ** 63n)))).to.equal('ENCODE_OUT_OF_RANGE');
    expect(codeOf(() => encode((w) => w.writeInt64(0, Number.NaN)))).to.equal('ENCODE_OUT_OF_RANGE');
    expect(codeOf(() => encode((w) => w.writeUInt8(0, -1)))).to.equal('ENCODE_OUT_OF_RANGE');
    expect(codeOf(() => encode((w) => w.writeUInt32(0, 2 ** 32)))).to.equal('ENCODE_OUT_OF_RANGE');
    expect(codeOf(() => encode((w) => w.writeInt32(0, '5' as unknown as number)))).to.equal('ENCODE_BAD_VALUE');
    expect(codeOf(() => encode((w) => w.writeString(0, 5 as unknown as string)))).to.equal('ENCODE_BAD_VALUE');
    expect(codeOf(() => encode((w) => w.writeBool(0, 1 as unknown as boolean)))).to.equal('ENCODE_BAD_VALUE');
    expect(codeOf(() => encode((w) => w.writeBytes(0, [1] as unknown as Uint8Array)))).to.equal('ENCODE_BAD_VALUE');
  });

  it('refuses tags outside 0..255', () => {
    for (const tag of [-1, 256, 1.5, Number.NaN]) {
      expect(codeOf(() => encode((w) => w.writeInt32(tag, 1))), String(tag)).to.equal('ENCODE_BAD_TAG');
    }
  });
});

describe('codec: reader', () => {
  it('reads narrower integer wire types into wider fields, sign-extended', () => {
    expect(new TarsReader(bytes('00ff')).readInt64(0, true)).to.equal(-1n);
    expect(new TarsReader(bytes('00ff')).readInt32(0, true)).to.equal(-1);
    expect(new TarsReader(bytes('0180 00')).readInt32(0, true)).to.equal(-32768);
    expect(new TarsReader(bytes('02ffffffff')).readInt64(0, true)).to.equal(-1n);
    expect(new TarsReader(bytes('0c')).readInt64(0, true)).to.equal(0n);
  });

  it('refuses a wider integer wire type, even when the value would fit', () => {
    expect(codeOf(() => new TarsReader(bytes('0200010000')).readInt16(0, true))).to.equal('DECODE_TYPE_MISMATCH');
    expect(codeOf(() => new TarsReader(bytes('010001')).readInt8(0, true))).to.equal('DECODE_TYPE_MISMATCH');
    expect(codeOf(() => new TarsReader(bytes('030000000000000001')).readInt32(0, true)))
      .to.equal('DECODE_TYPE_MISMATCH');
    expect(codeOf(() => new TarsReader(bytes('060161')).readInt32(0, true))).to.equal('DECODE_TYPE_MISMATCH');
  });

  it('reads FLOAT and ZERO into double, and any non-zero byte as true', () => {
    expect(new TarsReader(bytes('043fc00000')).readDouble(0, true)).to.equal(1.5);
    expect(new TarsReader(bytes('0c')).readDouble(0, true)).to.equal(0);
    expect(new TarsReader(bytes('0c')).readFloat(0, true)).to.equal(0);
    expect(new TarsReader(bytes('0002')).readBool(0, true)).to.equal(true);
    expect(new TarsReader(bytes('00ff')).readBool(0, true)).to.equal(true);
    expect(codeOf(() => new TarsReader(bytes('053ff8000000000000')).readFloat(0, true))).to.equal('DECODE_TYPE_MISMATCH');
  });

  it('reads unsigned types through the wider signed type and truncates (as TarsGo)', () => {
    expect(new TarsReader(bytes('0100c8')).readUInt8(0, true)).to.equal(200);
    expect(new TarsReader(bytes('00ff')).readUInt32(0, true)).to.equal(4294967295);
    expect(new TarsReader(bytes('0300000000ffffffff')).readUInt32(0, true)).to.equal(4294967295);
  });

  it('reads vector<byte> from SIMPLE_LIST and from a LIST of bytes (TarsGo/TarsCpp accept both)', () => {
    expect(hex(new TarsReader(bytes('0d000004010203ff')).readBytes(0, true))).to.equal('010203ff');
    expect(hex(new TarsReader(bytes('09000200010002')).readBytes(0, true))).to.equal('0102');
    expect(codeOf(() => new TarsReader(bytes('0d010004')).readBytes(0, true))).to.equal('DECODE_BAD_SIMPLE_LIST');
  });

  it('readBytes copies, so the result does not change with the input', () => {
    const input = bytes('0d000002aabb');
    const out = new TarsReader(input).readBytes(0, true);
    input[4] = 0;
    expect(hex(out)).to.equal('aabb');
  });

  it('skips unknown fields of every wire type, nested ones too (protocol.md 5.7)', () => {
    expect(new TarsReader(bytes('160178 2a090001001b0b 5003')).readInt32(5, true)).to.equal(3);
    const w = new TarsWriter();
    w.writeInt8(0, 1);
    w.writeInt16(1, 300);
    w.writeInt32(2, 70000);
    w.writeInt64(3, 2n ** 40n);
    w.writeFloat(4, 1.5);
    w.writeDouble(5, 2.5);
    w.writeString(6, 'short');
    w.writeString(7, 'x'.repeat(300));
    writeValue(w, 8, T.map(T.string, T.vector(T.int)), new Map([['k', [1, 2]]]));
    writeValue(w, 9, T.vector(T.vector(T.string)), [['a'], ['b', 'c']]);
    w.writeStructBegin(10);
    w.writeStructBegin(0);
    w.writeBytes(1, Buffer.from('zz'));
    w.writeStructEnd();
    w.writeStructEnd();
    w.writeInt32(11, 0);
    w.writeBytes(12, Buffer.from('abc'));
    w.writeInt32(200, 42);
    expect(new TarsReader(w.toBuffer()).readInt32(200, true)).to.equal(42);
  });

  it('skips unknown higher tags at the end of a nested struct and consumes its STRUCT_END', () => {
    const small: StructDef = {name: 'M.Small', fields: [{tag: 0, name: 'a', type: T.int, required: true}]};
    const big: StructDef = {name: 'M.Small', fields: [
      {tag: 0, name: 'a', type: T.int, required: true},
      {tag: 1, name: 'extra', type: T.map(T.string, T.string), required: true},
      {tag: 2, name: 'more', type: T.struct(small), required: true},
    ]};
    const w = new TarsWriter();
    writeValue(w, 0, T.struct(big), {a: 9, extra: new Map([['x', 'y']]), more: {a: 1}});
    w.writeString(1, 'after');
    const r = new TarsReader(w.toBuffer());
    expect(readValue(r, 0, T.struct(small), true)).to.deep.equal({a: 9});
    expect(r.readString(1, true)).to.equal('after');
  });

  it('fills defaults for absent optional fields and errors on absent required ones', () => {
    const r = new TarsReader(bytes('1005'));
    expect(r.readInt32(0, false, 42)).to.equal(42);
    expect(r.readInt32(1, true)).to.equal(5);
    expect(codeOf(() => new TarsReader(bytes('1005')).readInt32(0, true))).to.equal('DECODE_REQUIRE_MISSING');
    expect(new TarsReader(bytes('')).readString(3, false, 'd')).to.equal('d');
  });

  it('treats STRUCT_END as the end of the fields of a nested struct', () => {
    const r = new TarsReader(bytes('0b 1005'));
    expect(r.readInt32(1, false, -1)).to.equal(-1);
  });

  it('gives errors that name the tag, the wire type and the byte offset', () => {
    try {
      new TarsReader(bytes('0005 16 05 6162')).readString(1, true);
      expect.fail('should throw');
    } catch (error) {
      const e = error as TarsError;
      expect(e.code).to.equal('DECODE_TRUNCATED');
      expect(e.details).to.include({tag: 1, wireType: 6});
      expect(e.details.offset).to.equal(4);
      expect(e.message).to.match(/tag 1, wire type STRING1, offset 4/);
    }
  });

  it('refuses a length the input cannot hold before allocating it', () => {
    expect(codeOf(() => new TarsReader(bytes('09 02 7fffffff 0000')).readListLength(0, true))).to.equal('DECODE_BAD_LENGTH');
    expect(codeOf(() => new TarsReader(bytes('08 02 7fffffff')).readMapLength(0, true))).to.equal('DECODE_BAD_LENGTH');
    expect(codeOf(() => new TarsReader(bytes('0d 00 02 7fffffff')).readBytes(0, true))).to.equal('DECODE_BAD_LENGTH');
    expect(codeOf(() => new TarsReader(bytes('07 7fffffff 61')).readString(0, true))).to.equal('DECODE_TRUNCATED');
    expect(codeOf(() => new TarsReader(bytes('09 00 ff')).readListLength(0, true))).to.equal('DECODE_BAD_LENGTH');
  });

  it('bounds nesting depth with a typed error rather than a stack overflow', () => {
    const deep = Buffer.alloc(200_000, 0x0a);
    expect(codeOf(() => new TarsReader(deep).readInt32(1, false))).to.equal('DECODE_TOO_DEEP');
    const lists = Buffer.from('090001'.repeat(100_000), 'hex');
    expect(codeOf(() => new TarsReader(lists).readInt32(2, false))).to.equal('DECODE_TOO_DEEP');
    const nestedList: ReturnType<typeof T.vector> = T.vector(T.vector(T.vector(T.int)));
    expect(codeOf(() => readValue(new TarsReader(lists), 0, nestedList, true))).to.equal('DECODE_TYPE_MISMATCH');
  });

  it('refuses wire types 14 and 15', () => {
    expect(codeOf(() => new TarsReader(bytes('0e')).readInt32(1, true))).to.equal('DECODE_BAD_WIRE_TYPE');
    expect(codeOf(() => new TarsReader(bytes('0f')).readInt32(1, true))).to.equal('DECODE_BAD_WIRE_TYPE');
  });

  it('reads long into a number only when it is exact', () => {
    expect(new TarsReader(bytes('03001fffffffffffff')).readInt64Number(0, true)).to.equal(2 ** 53 - 1);
    expect(codeOf(() => new TarsReader(bytes('030020000000000000')).readInt64Number(0, true)))
      .to.equal('DECODE_BAD_VALUE');
  });
});

describe('codec: round trips (property)', () => {
  const int64 = fc.bigInt({min: -(2n ** 63n), max: 2n ** 63n - 1n});
  const tag = fc.integer({min: 0, max: 255});

  it('long round-trips all 64 bits at any tag', () => {
    fc.assert(fc.property(tag, int64, (t, v) => {
      const w = new TarsWriter();
      w.writeInt64(t, v);
      expect(new TarsReader(w.toBuffer()).readInt64(t, true)).to.equal(v);
    }), {numRuns: 500});
  });

  it('int/short/byte/unsigned values round-trip and use the narrowest width', () => {
    fc.assert(fc.property(tag, fc.integer({min: -(2 ** 31), max: 2 ** 31 - 1}), (t, v) => {
      const w = new TarsWriter();
      w.writeInt32(t, v);
      const out = w.toBuffer();
      const headLength = t < 15 ? 1 : 2;
      const payload = v === 0 ? 0 : v >= -128 && v <= 127 ? 1 : v >= -32768 && v <= 32767 ? 2 : 4;
      expect(out.length).to.equal(headLength + payload);
      expect(new TarsReader(out).readInt32(t, true)).to.equal(v);
      expect(new TarsReader(out).readInt64(t, true)).to.equal(BigInt(v));
    }), {numRuns: 500});
  });

  it('strings of any content round-trip', () => {
    fc.assert(fc.property(tag, fc.string({unit: 'grapheme', maxLength: 400}), (t, s) => {
      const w = new TarsWriter();
      w.writeString(t, s);
      expect(new TarsReader(w.toBuffer()).readString(t, true)).to.equal(s);
    }), {numRuns: 300});
  });

  it('floats and doubles round-trip bit for bit (NaN, infinities, -0)', () => {
    fc.assert(fc.property(fc.double(), fc.float(), (d, f) => {
      const w = new TarsWriter();
      w.writeDouble(0, d);
      w.writeFloat(1, f);
      const r = new TarsReader(w.toBuffer());
      expect(Object.is(r.readDouble(0, true), d)).to.equal(true);
      expect(Object.is(r.readFloat(1, true), f)).to.equal(true);
    }), {numRuns: 300});
  });
});
