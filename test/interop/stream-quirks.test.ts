/**
 * The documented disagreements between @tars/stream 2.0.3 and the other implementations (protocol.md 5.7 and 6,
 * plus the related notes of 1.3, 1.6, 1.8 and 2.3) that concern reading what @tars/stream writes or @tars/stream
 * reading what we write: one test per behaviour, each asserting what both sides actually do.
 */

import {
  DEFAULT_MAX_PACKET, type StructDef, T, TarsError, TarsReader, UniAttribute, decodeAnyResponseFrame,
  decodeRequestFrame, decodeResponseFrame, encodeResponseFrame, readValue, responsePacket, writeValue,
} from '@tars-ts/core';
import {expect} from 'chai';
import {Tars, bytes, hex, node, nodeIn, ours} from '../support/codec-helpers.js';

/** The error a call throws (fails the test when it does not throw). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return expect.fail('expected an error');
}

function tarsCode(fn: () => unknown): string {
  const e = thrown(fn);
  expect(e).to.be.instanceOf(TarsError);
  return (e as TarsError).code;
}

// struct Inner { 0 require int a; 1 optional string s; };   struct Outer { 0 require Inner inner; 1 require vector<Inner> v; 2 optional long n; };
const InnerDef: StructDef = {
  name: 'Test.Inner',
  fields: [
    {tag: 0, name: 'a', type: T.int, required: true},
    {tag: 1, name: 's', type: T.string, required: false},
  ],
};
const OuterDef: StructDef = {
  name: 'Test.Outer',
  fields: [
    {tag: 0, name: 'inner', type: T.struct(InnerDef), required: true},
    {tag: 1, name: 'v', type: T.vector(T.struct(InnerDef)), required: true},
    {tag: 2, name: 'n', type: T.long, required: false},
  ],
};

/** tars2node's class for Inner (as in @tars/stream's sample/tars/Ext.js). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const Inner: any = function (this: any) {
  this.a = 0;
  this.s = '';
  this._classname = 'Test.Inner';
};
Inner._classname = 'Test.Inner';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
Inner._write = function (os: any, tag: number, value: any) { os.writeStruct(tag, value); };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
Inner._read = function (is: any, tag: number, def: any) { return is.readStruct(tag, true, def); };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
Inner._readFrom = function (is: any) {
  const tmp = new Inner();
  tmp.a = is.readInt32(0, true, 0);
  tmp.s = is.readString(1, false, '');
  return tmp;
};
// eslint-disable-next-line @typescript-eslint/no-explicit-any
Inner.prototype._writeTo = function (this: any, os: any) {
  os.writeInt32(0, this.a);
  os.writeString(1, this.s);
};
Inner.new = function () { return new Inner(); };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
Inner.create = function (is: any) { return Inner._readFrom(is); };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const Outer: any = function (this: any) {
  this.inner = new Inner();
  this.v = Tars.List(Inner);
  this.n = 0;
  this._classname = 'Test.Outer';
};
Outer._classname = 'Test.Outer';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
Outer._readFrom = function (is: any) {
  const tmp = new Outer();
  tmp.inner = is.readStruct(0, true, Inner);
  tmp.v = is.readList(1, true, Tars.List(Inner));
  tmp.n = is.readInt64(2, false, 0);
  return tmp;
};
// eslint-disable-next-line @typescript-eslint/no-explicit-any
Outer.prototype._writeTo = function (this: any, os: any) {
  os.writeStruct(0, this.inner);
  os.writeList(1, this.v);
  os.writeInt64(2, this.n);
};
Outer.create = function (is: unknown) { return Outer._readFrom(is); };

function nodeInner(a: number, s: string): unknown {
  const x = new Inner();
  x.a = a;
  x.s = s;
  return x;
}

describe('interop: @tars/stream quirks (protocol.md 5.7 and 6)', function () {
  describe('floating point', function () {
    it('float 0: @tars/stream writes ZERO_TAG 0c, we read it as 0; we write 04 00000000, @tars/stream reads 0', function () {
      const fromNode = node((os) => os.writeFloat(3, 0));
      expect(hex(fromNode)).to.equal('3c');
      expect(new TarsReader(fromNode).readFloat(3, true)).to.equal(0);
      expect(readValue(new TarsReader(fromNode), 3, T.float, true)).to.equal(0);

      const fromUs = ours((w) => w.writeFloat(3, 0));
      expect(hex(fromUs)).to.equal('3400000000');
      expect(nodeIn(fromUs).readFloat(3, true, 99)).to.equal(0);
    });

    it('double 0: @tars/stream writes ZERO_TAG 0c, we read it as 0; we write 05 0000000000000000, @tars/stream reads 0', function () {
      const fromNode = node((os) => os.writeDouble(0, 0));
      expect(hex(fromNode)).to.equal('0c');
      expect(new TarsReader(fromNode).readDouble(0, true)).to.equal(0);

      const fromUs = ours((w) => w.writeDouble(0, 0));
      expect(hex(fromUs)).to.equal('050000000000000000');
      expect(nodeIn(fromUs).readDouble(0, true, 99)).to.equal(0);
    });

    it('-0: @tars/stream writes ZERO_TAG (the sign is lost), we write the sign and @tars/stream keeps it', function () {
      expect(hex(node((os) => os.writeDouble(0, -0)))).to.equal('0c');
      expect(Object.is(new TarsReader(bytes('0c')).readDouble(0, true), 0)).to.equal(true);
      const fromUs = ours((w) => w.writeDouble(0, -0));
      expect(hex(fromUs)).to.equal('058000000000000000');
      expect(Object.is(nodeIn(fromUs).readDouble(0, true, 0), -0)).to.equal(true);
    });

    it('FLOAT read into a double: we return 1.5, @tars/stream throws "read double type mismatch"', function () {
      const b = bytes('04 3fc00000'); // what a peer with a float field writes (our writeFloat gives the same)
      expect(hex(ours((w) => w.writeFloat(0, 1.5)))).to.equal(hex(b));
      expect(new TarsReader(b).readDouble(0, true)).to.equal(1.5);
      const e = thrown(() => nodeIn(b).readDouble(0, true, 0)) as {message: string};
      expect(e).to.be.instanceOf(Tars.DecodeMismatch);
      expect(e.message).to.match(/read double type mismatch/);
    });

    it('DOUBLE read into a float: refused by both (DECODE_TYPE_MISMATCH / DecodeMismatch)', function () {
      const b = node((os) => os.writeDouble(0, 1.5));
      expect(hex(b)).to.equal('053ff8000000000000');
      expect(tarsCode(() => new TarsReader(b).readFloat(0, true))).to.equal('DECODE_TYPE_MISMATCH');
      expect(thrown(() => nodeIn(b).readFloat(0, true, 0))).to.be.instanceOf(Tars.DecodeMismatch);
    });
  });

  describe('integers and bool', function () {
    it('BYTE read into a long: 5 in both (00 05)', function () {
      expect(new TarsReader(bytes('00 05')).readInt64(0, true)).to.equal(5n);
      expect(nodeIn(bytes('00 05')).readInt64(0, true, 0)).to.equal(5);
    });

    it('INT read into a short: refused by both, no narrowing read (02 00010000)', function () {
      const b = bytes('02 00010000');
      expect(tarsCode(() => new TarsReader(b).readInt16(0, true))).to.equal('DECODE_TYPE_MISMATCH');
      expect(thrown(() => nodeIn(b).readInt16(0, true, 0))).to.be.instanceOf(Tars.DecodeMismatch);
    });

    it('bool byte 2 (00 02): true in ours (as TarsGo/TarsCpp), false in @tars/stream', function () {
      const b = bytes('00 02');
      expect(new TarsReader(b).readBool(0, true)).to.equal(true);
      expect(nodeIn(b).readBoolean(0, true, false)).to.equal(false);
    });

    it('bool true we write (00 01) is true in @tars/stream; its true is true in ours', function () {
      const fromUs = ours((w) => w.writeBool(0, true));
      expect(hex(fromUs)).to.equal('0001');
      expect(nodeIn(fromUs).readBoolean(0, true, false)).to.equal(true);
      expect(hex(node((os) => os.writeBoolean(0, true)))).to.equal('0001');
      expect(new TarsReader(node((os) => os.writeBoolean(0, false))).readBool(0, true)).to.equal(false);
    });
  });

  describe('skip-to-tag and require/optional', function () {
    const skip = bytes('16 01 78  2a 09 0001 00 1b 0b  50 03');

    it('skips a string@1 and a struct@2 holding a list: both read 3 at tag 5', function () {
      expect(new TarsReader(skip).readInt32(5, true)).to.equal(3);
      expect(nodeIn(skip).readInt32(5, true, 0)).to.equal(3);
    });

    it('a missing require field: @tars/stream throws DecodeRequireNotExist, we throw DECODE_REQUIRE_MISSING', function () {
      const b = bytes('10 05');
      expect(thrown(() => nodeIn(b).readInt32(0, true, 0))).to.be.instanceOf(Tars.DecodeRequireNotExist);
      const e = thrown(() => new TarsReader(b).readInt32(0, true)) as TarsError;
      expect(e).to.be.instanceOf(TarsError);
      expect(e.code).to.equal('DECODE_REQUIRE_MISSING');
      expect(e.wireCode).to.equal(undefined);
      expect(e.details.tag).to.equal(0);
    });

    it('a missing optional field: both give the default (42)', function () {
      const b = bytes('10 05');
      expect(nodeIn(b).readInt32(0, false, 42)).to.equal(42);
      expect(new TarsReader(b).readInt32(0, false, 42)).to.equal(42);
    });
  });

  describe('optional fields and ResponsePacket', function () {
    it('@tars/stream always writes optional fields (s="" as 16 00); we read that, and it reads our omitted form', function () {
      const outer = new Outer();
      outer.inner = nodeInner(7, 'hi');
      outer.v.push(nodeInner(1000, ''));
      outer.n = 5;
      const fromNode = node((os) => os.writeStruct(0, outer));
      // protocol.md 5.3, byte for byte.
      expect(hex(fromNode)).to.equal('0a0a000716026869' + '0b' + '1900010a0103e816000b' + '2005' + '0b');
      const OuterT = T.struct(OuterDef);
      const want = {inner: {a: 7, s: 'hi'}, v: [{a: 1000, s: ''}], n: 5n};
      expect(readValue(new TarsReader(fromNode), 0, OuterT, true)).to.deep.equal(want);
      // With every field given, we write what @tars/stream writes.
      expect(hex(ours((w) => writeValue(w, 0, OuterT, want)))).to.equal(hex(fromNode));

      // The TarsGo/TarsCpp form (empty optional s omitted), which is what we write when s is absent.
      const omitted = ours((w) => writeValue(w, 0, OuterT, {inner: {a: 7, s: 'hi'}, v: [{a: 1000}], n: 5n}));
      expect(hex(omitted)).to.equal('0a0a0007160268690b1900010a0103e80b20050b');
      const back = nodeIn(omitted).readStruct(0, true, Outer);
      expect(back.v.value[0].a).to.equal(1000);
      expect(back.v.value[0].s).to.equal('');
      expect(back.inner.s).to.equal('hi');
      expect(back.n).to.equal(5);
    });

    it('ResponsePacket: @tars/stream writes empty sResultDesc and context (86 00 98 0c); we omit them by default and it still reads our frame', function () {
      const sBuffer = bytes('0c 26 0a 68656c6c6f2074617273');
      const p = responsePacket({iRequestId: 1, sBuffer});
      const nodeFrame = bytes('00000022 1001 2c 3001 4c 5c 6d00000d 0c260a68656c6c6f2074617273 780c 8600 980c');
      // writeEmptyOptional gives @tars/stream's bytes (protocol.md 5.6); our default gives TarsGo/TarsCpp's.
      expect(hex(encodeResponseFrame(p, {writeEmptyOptional: true}))).to.equal(hex(nodeFrame));
      const ourFrame = encodeResponseFrame(p);
      expect(hex(ourFrame)).to.equal('0000001e10012c30014c5c6d00000d0c260a68656c6c6f2074617273780c');

      const decoded = decodeResponseFrame(nodeFrame);
      expect(decoded.sResultDesc).to.equal('');
      expect(decoded.context.size).to.equal(0);
      expect(hex(decoded.sBuffer)).to.equal(hex(sBuffer));

      const is = nodeIn(ourFrame);
      expect(is._binBuffer.readInt32()).to.equal(ourFrame.length);
      expect(is.readInt16(1, true, 0)).to.equal(1);
      expect(is.readInt8(2, true, 0)).to.equal(0);
      expect(is.readInt32(3, true, 0)).to.equal(1);
      expect(is.readInt32(4, true, 0)).to.equal(0);
      expect(is.readInt32(5, true, 0)).to.equal(0);
      expect(hex(is.readBytes(6, true, Tars.BinBuffer).toNodeBuffer())).to.equal(hex(sBuffer));
      expect(is.readMap(7, true, Tars.Map(Tars.String, Tars.String)).size()).to.equal(0);
      expect(is.readString(8, false, 'absent')).to.equal('absent');
      expect(is.readMap(9, false, Tars.Map(Tars.String, Tars.String)).size()).to.equal(0);
    });
  });

  describe('TUP', function () {
    it('v2 list type name: @tars/stream writes "List<int32>", we read it; our default "list<int32>" is not found by @tars/stream, listSpelling "List" is', function () {
      const ua = new Tars.UniAttribute();
      ua.tupVersion = 2;
      const list = Tars.List(Tars.Int32);
      list.push(1);
      ua.writeList('v', list);
      const fromNode: Buffer = ua.encode().toNodeBuffer();
      // protocol.md 5.5
      expect(hex(fromNode)).to.equal('080001060176180001060b4c6973743c696e7433323e1d0000050900010001');
      expect(UniAttribute.decode(fromNode, 2).get('v', T.vector(T.int))).to.deep.equal([1]);

      const read = (b: Uint8Array): unknown => {
        const back = new Tars.UniAttribute();
        back.tupVersion = 2;
        back.decode(new Tars.BinBuffer(Buffer.from(b)));
        return back.readList('v', Tars.List(Tars.Int32)).value;
      };
      const lower = new UniAttribute(2).put('v', T.vector(T.int), [1]).encode();
      expect(hex(lower)).to.contain(Buffer.from('list<int32>').toString('hex'));
      const e = thrown(() => read(lower)) as {message: string};
      expect(e).to.be.instanceOf(Tars.TupNotFoundKey);
      expect(e.message).to.match(/type match fail/);

      const upper = new UniAttribute(2, {listSpelling: 'List'}).put('v', T.vector(T.int), [1]).encode();
      expect(hex(upper)).to.equal(hex(fromNode));
      expect(read(upper)).to.deep.equal([1]);
    });

    it('return value: @tars/stream stores it only under "" (not "tars_ret"); we find it under ""', function () {
      const ua = new Tars.UniAttribute();
      ua.writeInt32('', 42);
      ua.writeString('greeting', 'hello tars');
      const attr = UniAttribute.decode(ua.encode().toNodeBuffer(), 3);
      expect(attr.names()).to.deep.equal(['', 'greeting']);
      expect(attr.get('', T.int)).to.equal(42);
      expect(attr.get('greeting', T.string)).to.equal('hello tars');
      expect(tarsCode(() => attr.get('tars_ret', T.int))).to.equal('TUP_KEY_MISSING');
    });

    it('TUP response shape: @tars/stream\'s RequestPacket-shaped reply with STATUS_RESULT_CODE/DESC decodes to iRet and sResultDesc', function () {
      const reply = (code: string, desc: string): Buffer => {
        const tup = new Tars.Tup();
        tup.servantName = 'TestApp.HelloGo.SayHelloObj';
        tup.funcName = 'EchoHello';
        tup.requestId = 9;
        tup._status.insert('STATUS_RESULT_CODE', code);
        tup._status.insert('STATUS_RESULT_DESC', desc);
        tup.writeInt32('', 0);
        return tup.encode().toNodeBuffer();
      };
      const failed = decodeAnyResponseFrame(reply('-3', 'no func'));
      expect(failed.iVersion).to.equal(3);
      expect(failed.iRequestId).to.equal(9);
      expect(failed.iRet).to.equal(-3);
      expect(failed.sResultDesc).to.equal('no func');

      const ok = decodeAnyResponseFrame(reply('0', ''));
      expect(ok.iRet).to.equal(0);
      expect(ok.sResultDesc).to.equal('');
      expect(UniAttribute.decode(ok.sBuffer, 3).get('', T.int)).to.equal(0);
    });
  });

  describe('framing and containers', function () {
    it('max frame: @tars/stream writes frames over 10 MiB; we refuse them by default (PACKET_TOO_LARGE) and read them with a larger maxPacket', function () {
      const tup = new Tars.Tup();
      tup.servantName = 'A.B.C';
      tup.funcName = 'big';
      tup.requestId = 1;
      const payload = Buffer.alloc(DEFAULT_MAX_PACKET, 0x61);
      tup.writeBytes('blob', new Tars.BinBuffer(payload));
      const frame: Buffer = tup.encode().toNodeBuffer();
      expect(frame.length).to.be.greaterThan(DEFAULT_MAX_PACKET);
      expect(frame.readUInt32BE(0)).to.equal(frame.length);

      const e = thrown(() => decodeRequestFrame(frame)) as TarsError;
      expect(e).to.be.instanceOf(TarsError);
      expect(e.code).to.equal('PACKET_TOO_LARGE');

      const p = decodeRequestFrame(frame, 2 * DEFAULT_MAX_PACKET);
      const blob = UniAttribute.decode(p.sBuffer, 3).get<Uint8Array>('blob', T.vector(T.byte));
      expect(blob.length).to.equal(DEFAULT_MAX_PACKET);
      expect(blob[0]).to.equal(0x61);
      expect(blob[DEFAULT_MAX_PACKET - 1]).to.equal(0x61);
    });

    it('map entry order: @tars/stream keeps insertion order for string keys; we read entries in wire order, any order', function () {
      const m = Tars.Map(Tars.String, Tars.Int32);
      m.insert('b', 2);
      m.insert('a', 1);
      m.insert('c', 300);
      const fromNode = node((os) => os.writeMap(0, m));
      expect(hex(fromNode)).to.equal('080003' + '060162' + '1002' + '060161' + '1001' + '060163' + '11012c');
      const got = readValue(new TarsReader(fromNode), 0, T.map(T.string, T.int), true) as Map<string, number>;
      expect([...got]).to.deep.equal([['b', 2], ['a', 1], ['c', 300]]);

      // TarsCpp's sorted order, as we would write it from a sorted Map, reads the same in @tars/stream.
      const sorted = ours((w) => writeValue(w, 0, T.map(T.string, T.int), new Map([['a', 1], ['b', 2], ['c', 300]])));
      const back = nodeIn(sorted).readMap(0, true, Tars.Map(Tars.String, Tars.Int32));
      expect(back.get('a')).to.equal(1);
      expect(back.get('b')).to.equal(2);
      expect(back.get('c')).to.equal(300);
    });

    it('one-byte string with the high bit set (06 01 e9): @tars/stream decodes it as latin-1 "é", we decode UTF-8', function () {
      const b = bytes('06 01 e9');
      expect(nodeIn(b).readString(0, true, '')).to.equal('é');
      expect(new TarsReader(b).readString(0, true)).to.equal(Buffer.from([0xe9]).toString('utf8'));
      expect(new TarsReader(b).readString(0, true)).to.equal('\ufffd');
      // Two such bytes are UTF-8 to both.
      expect(nodeIn(bytes('06 02 c3a9')).readString(0, true, '')).to.equal('é');
      expect(new TarsReader(bytes('06 02 c3a9')).readString(0, true)).to.equal('é');
    });

    it('vector<byte> as a LIST of bytes (TarsGo/TarsCpp accept it): we read it, @tars/stream\'s readBytes refuses it', function () {
      const b = bytes('09 0003 0001 0002 00ff');
      expect(hex(new TarsReader(b).readBytes(0, true))).to.equal('0102ff');
      expect(thrown(() => nodeIn(b).readBytes(0, true, Tars.BinBuffer))).to.be.instanceOf(Tars.DecodeMismatch);
    });

    it('tag 256: @tars/stream writes a corrupt head (f1 00: SHORT at tag 0), we refuse the tag (ENCODE_BAD_TAG)', function () {
      // (0xF0 | BYTE) << 8 | 256 overflows into the type bits: the byte 1 becomes a truncated SHORT at tag 0.
      expect(hex(node((os) => os.writeInt32(256, 1)))).to.equal('f10001');
      expect(tarsCode(() => ours((w) => w.writeInt32(256, 1)))).to.equal('ENCODE_BAD_TAG');
    });
  });

  describe('not in protocol.md: found while writing these tests', function () {
    it('@tars/stream writes non-negative integer map keys in ascending order, not insertion order; we read either', function () {
      const m = Tars.Map(Tars.Int32, Tars.String);
      m.insert(5, 'a');
      m.insert(-1, 'b');
      m.insert(2, 'c');
      const fromNode = node((os) => os.writeMap(0, m));
      expect(hex(fromNode)).to.equal('080003' + '0002' + '160163' + '0005' + '160161' + '00ff' + '160162');
      const got = readValue(new TarsReader(fromNode), 0, T.map(T.int, T.string), true) as Map<number, string>;
      expect([...got]).to.deep.equal([[2, 'c'], [5, 'a'], [-1, 'b']]);
    });

    it('@tars/stream loses a map entry whose key is "__proto__"; we write and read it as an ordinary key', function () {
      const m = new Map([['__proto__', 1], ['b', 2]]);
      const fromUs = ours((w) => writeValue(w, 0, T.map(T.string, T.int), m));
      expect(hex(fromUs)).to.equal('080002' + '06095f5f70726f746f5f5f' + '1001' + '060162' + '1002');
      const back = readValue(new TarsReader(fromUs), 0, T.map(T.string, T.int), true) as Map<string, number>;
      expect([...back]).to.deep.equal([['__proto__', 1], ['b', 2]]);
      const nm = nodeIn(fromUs).readMap(0, true, Tars.Map(Tars.String, Tars.Int32));
      expect(nm.size()).to.equal(1);
      expect(nm.get('b')).to.equal(2);
    });
  });
});
