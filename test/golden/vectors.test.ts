// Golden wire vectors from ../shared/spec/vectors.json (copied to test/fixtures) and protocol.md section 5, both
// directions: our writer produces exactly the recorded bytes, and our reader gets the value back from them.
import {expect} from 'chai';
import {readFileSync} from 'node:fs';

import {
  type StructDef, T, TarsReader, TarsWriter, UniAttribute, decodeAnyResponseFrame, decodeRequestFrame,
  decodeResponseFrame, encodeRequestFrame, encodeResponseFrame, readValue, requestPacket, responsePacket,
  writeValue,
} from '@tars-ts/core';

const vectors = JSON.parse(readFileSync(new URL('../fixtures/vectors.json', import.meta.url), 'utf8')) as
  Record<string, string>;

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Buffer => Buffer.from(h.replaceAll(' ', ''), 'hex');

function encode(write: (w: TarsWriter) => void): string {
  const w = new TarsWriter();
  write(w);
  return hex(w.toBuffer());
}

interface ScalarCase {
  key: string;
  write: (w: TarsWriter) => void;
  read: (r: TarsReader) => unknown;
  value: unknown;
  /** Our writer deliberately differs from Node here (float/double zero written in full, as TarsGo/TarsCpp). */
  oursHex?: string;
}

const int64Values = [0, 1, 127, 128, -1, -128, -129, 255, 256, 32767, 32768, -32768, -32769, 65535, 65536,
  2147483647, 2147483648, -2147483648, -2147483649, 1099511627776, -1099511627776];

const scalarCases: ScalarCase[] = [
  ...int64Values.map((v): ScalarCase => ({
    key: `int64 tag0 = ${v}`, value: BigInt(v),
    write: (w) => w.writeInt64(0, BigInt(v)), read: (r) => r.readInt64(0, true),
  })),
  {key: 'int32 tag1 = 255', value: 255, write: (w) => w.writeInt32(1, 255), read: (r) => r.readInt32(1, true)},
  {key: 'int32 tag14 = 1', value: 1, write: (w) => w.writeInt32(14, 1), read: (r) => r.readInt32(14, true)},
  {key: 'int32 tag15 = 1', value: 1, write: (w) => w.writeInt32(15, 1), read: (r) => r.readInt32(15, true)},
  {key: 'int32 tag200 = 0', value: 0, write: (w) => w.writeInt32(200, 0), read: (r) => r.readInt32(200, true)},
  {key: 'int32 tag255 = 300', value: 300, write: (w) => w.writeInt32(255, 300), read: (r) => r.readInt32(255, true)},
  {key: 'bool tag0 = true', value: true, write: (w) => w.writeBool(0, true), read: (r) => r.readBool(0, true)},
  {key: 'bool tag0 = false', value: false, write: (w) => w.writeBool(0, false), read: (r) => r.readBool(0, true)},
  {key: 'uint8 tag0 = 200 (unsigned byte)', value: 200, write: (w) => w.writeUInt8(0, 200),
    read: (r) => r.readUInt8(0, true)},
  {key: 'uint16 tag0 = 40000 (unsigned short)', value: 40000, write: (w) => w.writeUInt16(0, 40000),
    read: (r) => r.readUInt16(0, true)},
  {key: 'uint32 tag0 = 3000000000 (unsigned int)', value: 3000000000, write: (w) => w.writeUInt32(0, 3000000000),
    read: (r) => r.readUInt32(0, true)},
  {key: 'float tag0 = 1.5', value: 1.5, write: (w) => w.writeFloat(0, 1.5), read: (r) => r.readFloat(0, true)},
  {key: 'float tag0 = 0  (node writes ZeroTag)', value: 0, write: (w) => w.writeFloat(0, 0),
    read: (r) => r.readFloat(0, true), oursHex: '0400000000'},
  {key: 'double tag0 = 1.5', value: 1.5, write: (w) => w.writeDouble(0, 1.5), read: (r) => r.readDouble(0, true)},
  {key: 'double tag0 = 0 (node writes ZeroTag)', value: 0, write: (w) => w.writeDouble(0, 0),
    read: (r) => r.readDouble(0, true), oursHex: '050000000000000000'},
  {key: 'string tag0 = ""', value: '', write: (w) => w.writeString(0, ''), read: (r) => r.readString(0, true)},
  {key: 'string tag0 = "tars"', value: 'tars', write: (w) => w.writeString(0, 'tars'),
    read: (r) => r.readString(0, true)},
  {key: 'string tag0 = 255 x "a" (max STRING1)', value: 'a'.repeat(255), write: (w) => w.writeString(0, 'a'.repeat(255)),
    read: (r) => r.readString(0, true)},
  {key: 'string tag0 = 300 x "a" (STRING4)', value: 'a'.repeat(300), write: (w) => w.writeString(0, 'a'.repeat(300)),
    read: (r) => r.readString(0, true)},
  {key: 'string tag0 = "é" (utf8)', value: 'é', write: (w) => w.writeString(0, 'é'), read: (r) => r.readString(0, true)},
];

const inner: StructDef = {name: 'Test.Inner', fields: [
  {tag: 0, name: 'a', type: T.int, required: true},
  {tag: 1, name: 's', type: T.string, required: false},
]};
const outer: StructDef = {name: 'Test.Outer', fields: [
  {tag: 0, name: 'inner', type: T.struct(inner), required: true},
  {tag: 1, name: 'v', type: T.vector(T.struct(inner)), required: true},
  {tag: 2, name: 'n', type: T.long, required: false},
]};

interface TypedCase {key: string; type: Parameters<typeof writeValue>[2]; value: unknown}
const typedCases: TypedCase[] = [
  {key: 'map<string,int> tag0 = {a:1, b:300}', type: T.map(T.string, T.int), value: new Map([['a', 1], ['b', 300]])},
  {key: 'map<string,int> tag0 = {} (empty)', type: T.map(T.string, T.int), value: new Map()},
  {key: 'vector<int> tag0 = [1,2,70000]', type: T.vector(T.int), value: [1, 2, 70000]},
  {key: 'vector<string> tag0 = ["x",""]', type: T.vector(T.string), value: ['x', '']},
  {key: 'vector<byte> tag0 = 01 02 03 ff (SIMPLE_LIST)', type: T.vector(T.byte), value: bytes('010203ff')},
  {key: 'vector<byte> tag0 = empty', type: T.vector(T.byte), value: Buffer.alloc(0)},
  {key: 'struct Outer{0:Inner{a=7,s="hi"},1:[Inner{a=1000,s=""}],2:n=5} at tag0', type: T.struct(outer),
    value: {inner: {a: 7, s: 'hi'}, v: [{a: 1000, s: ''}], n: 5n}},
];

describe('golden vectors (spec/vectors.json)', () => {
  it('covers every vector in the file', () => {
    const covered = new Set([...scalarCases, ...typedCases].map((c) => c.key));
    const packetKeys = Object.keys(vectors).filter((k) => !covered.has(k));
    // The rest are packet, TUP and response vectors, each checked by a test below.
    expect(packetKeys).to.have.members([
      'args sBuffer (TARS v1): string "tars" at tag 1',
      'RequestPacket frame (v1, @tars/rpc compose)',
      'RequestPacket frame (v1, reqId 2, context {k:v}, dyed key u1)',
      'RequestPacket frame (v1, reqId 3, oneway cPacketType=1)',
      'RequestPacket frame (tars_ping, reqId 4, empty sBuffer)',
      'TUP v3 request frame (Tars.Tup, key "name" = "tars")',
      'TUP v3 sBuffer only (UniAttribute)',
      'TUP v2 request frame (Tars.Tup, key "name" = "tars")',
      'TUP v2 sBuffer only (UniAttribute)',
      'TUP v2 UniAttribute with list<int32> key v=[1] (check type-name spelling)',
      'response sBuffer: ret int 0 @tag0, out string @tag2',
      'ResponsePacket frame (v1, reqId 1, iRet 0)',
      'ResponsePacket frame (v1, reqId 1, iRet -3 TARSSERVERNOFUNCERR, desc "no func")',
    ]);
  });

  describe('scalars', () => {
    for (const c of scalarCases) {
      it(`${c.key}: encodes and decodes`, () => {
        const expected = vectors[c.key];
        expect(expected, 'vector present').to.be.a('string');
        expect(encode(c.write)).to.equal(c.oursHex ?? expected);
        expect(c.read(new TarsReader(bytes(expected)))).to.deep.equal(c.value);
        if (c.oursHex) expect(c.read(new TarsReader(bytes(c.oursHex)))).to.deep.equal(c.value);
      });
    }
  });

  describe('containers and structs', () => {
    for (const c of typedCases) {
      it(`${c.key}: encodes and decodes`, () => {
        const expected = vectors[c.key];
        expect(encode((w) => writeValue(w, 0, c.type, c.value))).to.equal(expected);
        const back = readValue(new TarsReader(bytes(expected)), 0, c.type, true);
        expect(back).to.deep.equal(c.value);
      });
    }

    it('Outer without the empty optional string matches the TarsGo/TarsCpp form and reads the same', () => {
      const goForm = '0a0a0007160268690b1900010a0103e80b20050b';
      const back = readValue(new TarsReader(bytes(goForm)), 0, T.struct(outer), true);
      expect(back).to.deep.equal({inner: {a: 7, s: 'hi'}, v: [{a: 1000, s: ''}], n: 5n});
    });

    it('vector<unsigned byte> is a LIST of short-encoded elements (protocol.md 5.2)', () => {
      expect(encode((w) => writeValue(w, 0, T.vector(T.ubyte), [1, 2]))).to.equal('09000200010002');
    });
  });

  describe('packets', () => {
    const servant = 'TestApp.HelloGo.SayHelloObj';
    const args = bytes(vectors['args sBuffer (TARS v1): string "tars" at tag 1']);

    it('args sBuffer: string "tars" at tag 1', () => {
      expect(encode((w) => w.writeString(1, 'tars'))).to.equal('160474617273');
    });

    const requestCases = [
      {key: 'RequestPacket frame (v1, @tars/rpc compose)', p: {iRequestId: 1}},
      {key: 'RequestPacket frame (v1, reqId 2, context {k:v}, dyed key u1)', p: {
        iRequestId: 2, iMessageType: 4, context: new Map([['k', 'v']]),
        status: new Map([['STATUS_DYED_KEY', 'u1']]),
      }},
      {key: 'RequestPacket frame (v1, reqId 3, oneway cPacketType=1)', p: {iRequestId: 3, cPacketType: 1}},
      {key: 'RequestPacket frame (tars_ping, reqId 4, empty sBuffer)', p: {
        iRequestId: 4, sFuncName: 'tars_ping', sBuffer: new Uint8Array(0),
      }},
    ];
    for (const c of requestCases) {
      it(`${c.key}: encodes and decodes`, () => {
        const p = requestPacket({sServantName: servant, sFuncName: 'EchoHello', sBuffer: args, iTimeout: 3000, ...c.p});
        expect(hex(encodeRequestFrame(p))).to.equal(vectors[c.key]);
        const back = decodeRequestFrame(bytes(vectors[c.key]));
        expect({...back, sBuffer: hex(back.sBuffer)}).to.deep.equal({...p, sBuffer: hex(p.sBuffer)});
      });
    }

    it('ResponsePacket with iRet 0: Node form (empty optionals written) and the TarsGo/TarsCpp form', () => {
      const sBuffer = bytes(vectors['response sBuffer: ret int 0 @tag0, out string @tag2']);
      expect(encode((w) => {
        w.writeInt32(0, 0);
        w.writeString(2, 'hello tars');
      })).to.equal(hex(sBuffer));
      const p = responsePacket({iRequestId: 1, sBuffer});
      const nodeForm = vectors['ResponsePacket frame (v1, reqId 1, iRet 0)'];
      expect(hex(encodeResponseFrame(p, {writeEmptyOptional: true}))).to.equal(nodeForm);
      expect(hex(encodeResponseFrame(p))).to.equal('0000001e10012c30014c5c6d00000d0c260a68656c6c6f2074617273780c');
      for (const form of [nodeForm, '0000001e10012c30014c5c6d00000d0c260a68656c6c6f2074617273780c']) {
        const back = decodeResponseFrame(bytes(form));
        expect(back.iRequestId).to.equal(1);
        expect(back.iRet).to.equal(0);
        expect(hex(back.sBuffer)).to.equal(hex(sBuffer));
        const r = new TarsReader(back.sBuffer);
        expect(r.readInt32(0, true)).to.equal(0);
        expect(r.readString(2, true)).to.equal('hello tars');
      }
    });

    it('ResponsePacket with iRet -3 "no func"', () => {
      const key = 'ResponsePacket frame (v1, reqId 1, iRet -3 TARSSERVERNOFUNCERR, desc "no func")';
      const p = responsePacket({iRequestId: 1, iRet: -3, sResultDesc: 'no func'});
      expect(hex(encodeResponseFrame(p, {writeEmptyOptional: true}))).to.equal(vectors[key]);
      const back = decodeAnyResponseFrame(bytes(vectors[key]));
      expect(back.iRet).to.equal(-3);
      expect(back.sResultDesc).to.equal('no func');
    });
  });

  describe('TUP', () => {
    const servant = 'TestApp.HelloGo.SayHelloObj';

    for (const version of [3, 2] as const) {
      it(`v${version} sBuffer and whole frame`, () => {
        const attr = new UniAttribute(version).put('name', T.string, 'tars');
        expect(hex(attr.encode())).to.equal(vectors[`TUP v${version} sBuffer only (UniAttribute)`]);
        const frameKey = `TUP v${version} request frame (Tars.Tup, key "name" = "tars")`;
        const frame = encodeRequestFrame(requestPacket({
          iVersion: version, iRequestId: 1, sServantName: servant, sFuncName: 'EchoHello', sBuffer: attr.encode(),
          iTimeout: 3000,
        }));
        expect(hex(frame)).to.equal(vectors[frameKey]);
        const p = decodeRequestFrame(bytes(vectors[frameKey]));
        expect(p.iVersion).to.equal(version);
        expect(UniAttribute.decode(p.sBuffer, version).get('name', T.string)).to.equal('tars');
      });
    }

    it('v2 list type names: "List<int32>" as Node writes it, "list<int32>" as TarsCpp/TarsJava do', () => {
      const key = 'TUP v2 UniAttribute with list<int32> key v=[1] (check type-name spelling)';
      const node = new UniAttribute(2, {listSpelling: 'List'}).put('v', T.vector(T.int), [1]);
      expect(hex(node.encode())).to.equal(vectors[key]);
      const cpp = new UniAttribute(2).put('v', T.vector(T.int), [1]);
      expect(cpp.encode().toString('latin1')).to.contain('list<int32>');
      for (const encoded of [node.encode(), cpp.encode()]) {
        expect(UniAttribute.decode(encoded, 2).get('v', T.vector(T.int))).to.deep.equal([1]);
      }
    });

    it('an empty UniAttribute is 08 0c', () => {
      expect(hex(new UniAttribute(3).encode())).to.equal('080c');
      expect(hex(new UniAttribute(2).encode())).to.equal('080c');
    });
  });
});
