/**
 * Fuzz-style tests of the decoders: whatever the input, every read path either succeeds or throws a TarsError
 * (never a RangeError, TypeError or stack overflow), refuses impossible lengths before allocating, bounds nesting,
 * and reports where it stopped (details and message name the tag, the wire type and the offset).
 */
import {
  DEFAULT_MAX_PACKET, type RequestPacket, type ResponsePacket, T, type TarsType, TarsError,
  TarsReader, TarsWriter, UniAttribute, decodeAnyResponseFrame, decodeRequestFrame, decodeResponseFrame,
  encodeRequestFrame, encodeResponseFrame, encodeTupRequestFrame, frameLength, readStructFields, readValue,
  wireTypeName, writeValue,
} from '@tars-ts/core';
import {expect} from 'chai';
import fc from 'fast-check';
import {InnerT, OuterDef, OuterT, bytes, hex, tarsError} from '../support/codec-helpers.js';

/** Types read by the generic paths, a field of each wire shape. */
const READ_TYPES: TarsType[] = [
  T.bool, T.byte, T.short, T.int, T.long, T.ubyte, T.ushort, T.uint, T.float, T.double, T.string, T.vector(T.byte),
  T.vector(T.int), T.vector(T.vector(T.int)), T.map(T.string, T.vector(T.long)), T.map(T.int, T.string), InnerT,
  OuterT,
];

const MiB = 1024 * 1024;

/** `body` with a correct 4-byte length prefix, so that the frame decoders get to the fields. */
function withLength(body: Uint8Array): Buffer {
  const out = Buffer.alloc(body.length + 4);
  out.writeUInt32BE(body.length + 4, 0);
  out.set(body, 4);
  return out;
}

function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.constructor.name}: ${error.message}`;
  return `a thrown ${typeof error}: ${String(error)}`;
}

/** Runs `fn`; it may return anything or throw a TarsError, nothing else. */
function onlyTarsError(input: Uint8Array, path: string, fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof TarsError)) {
      throw new Error(`${path} on ${hex(input)} threw ${errorText(error)}`, {cause: error});
    }
    if (error.code.startsWith('DECODE_')) {
      expect(error.details.offset, `${path}: ${error.code} without an offset`).to.be.a('number');
    }
  }
}


/** Asserts the details and the message of a codec error name its place. */
function expectPlace(e: TarsError, where: {tag?: number; wireType?: number; offset?: number}): void {
  expect(e.details.offset, 'details.offset').to.be.a('number');
  expect(e.message, 'message names the offset').to.contain(`offset ${e.details.offset}`);
  if (where.offset !== undefined) expect(e.details.offset, 'details.offset').to.equal(where.offset);
  if (where.tag !== undefined) {
    expect(e.details.tag, 'details.tag').to.equal(where.tag);
    expect(e.message, 'message names the tag').to.contain(`tag ${where.tag}`);
  }
  if (where.wireType !== undefined) {
    expect(e.details.wireType, 'details.wireType').to.equal(where.wireType);
    expect(e.message, 'message names the wire type').to.contain(`wire type ${wireTypeName(where.wireType)}`);
  }
}

// ---- the read paths -------------------------------------------------------------------------------------------------

type Op = {kind: number; tag: number};
const READ_OPS: ((r: TarsReader, tag: number) => unknown)[] = [
  (r, t) => r.readBool(t), (r, t) => r.readInt8(t), (r, t) => r.readInt16(t), (r, t) => r.readInt32(t),
  (r, t) => r.readInt64(t), (r, t) => r.readInt64Number(t), (r, t) => r.readUInt8(t), (r, t) => r.readUInt16(t),
  (r, t) => r.readUInt32(t), (r, t) => r.readFloat(t), (r, t) => r.readDouble(t), (r, t) => r.readString(t),
  (r, t) => r.readBytes(t), (r, t) => r.readBytesView(t), (r, t) => r.readListLength(t), (r, t) => r.readMapLength(t),
  (r, t) => (r.beginStruct(t) ? r.endStruct() : undefined), (r, t) => r.readInt32(t, true),
];
const opArb: fc.Arbitrary<Op> = fc.record({kind: fc.nat(READ_OPS.length - 1), tag: fc.nat(255)});

/** Every read path of the brief, on one input. */
function allPaths(input: Uint8Array, tag: number, ops: readonly Op[]): void {
  const reader = (): TarsReader => new TarsReader(input);
  onlyTarsError(input, 'readInt32', () => reader().readInt32(tag, false));
  onlyTarsError(input, 'readString', () => reader().readString(tag, false));
  onlyTarsError(input, 'readBytes', () => reader().readBytes(tag, false));
  onlyTarsError(input, 'readListLength+elements', () => {
    const r = reader();
    const n = r.readListLength(tag, false);
    for (let i = 0; i < n; i++) r.readInt32(0, true);
  });
  onlyTarsError(input, 'readMapLength+entries', () => {
    const r = reader();
    const n = r.readMapLength(tag, false);
    for (let i = 0; i < n; i++) {
      r.readString(0, true);
      r.readBytes(1, true);
    }
  });
  onlyTarsError(input, 'readValue(Outer)', () => readValue(reader(), tag, OuterT, false));
  onlyTarsError(input, 'readValue(Outer)@0', () => readValue(reader(), 0, OuterT, true));
  onlyTarsError(input, 'readStructFields(Outer)', () => readStructFields(reader(), OuterDef));
  for (const t of READ_TYPES) onlyTarsError(input, `readValue(${t.kind})`, () => readValue(reader(), tag, t, true));
  onlyTarsError(input, 'skip all', () => {
    const r = reader();
    while (r.remaining > 0) r.skipPayload(r.readHead(), r.lastType);
  });
  onlyTarsError(input, 'read program', () => {
    const r = reader();
    for (const op of ops) READ_OPS[op.kind](r, op.tag);
  });
  const framed = withLength(input);
  for (const frame of [input, framed]) {
    onlyTarsError(frame, 'decodeRequestFrame', () => decodeRequestFrame(frame));
    onlyTarsError(frame, 'decodeResponseFrame', () => decodeResponseFrame(frame));
    onlyTarsError(frame, 'decodeAnyResponseFrame', () => decodeAnyResponseFrame(frame));
  }
  for (const version of [3, 2] as const) {
    onlyTarsError(input, `UniAttribute.decode v${version}`, () => {
      const attr = UniAttribute.decode(input, version);
      for (const name of attr.names()) {
        for (const t of [T.string, T.int, T.long, T.vector(T.int), T.map(T.string, T.string), InnerT]) {
          onlyTarsError(input, `UniAttribute v${version}.get(${t.kind})`, () => attr.get(name, t));
        }
      }
    });
  }
}

// ---- valid encodings to mutate ------------------------------------------------------------------------------------

const int32 = fc.integer({min: -(2 ** 31), max: 2 ** 31 - 1});
const text = fc.string({maxLength: 12});
const strMap = fc.uniqueArray(fc.tuple(text, text), {selector: (e) => e[0], maxLength: 3}).map((es) => new Map(es));
const innerArb = fc.record({a: int32, s: text}, {requiredKeys: ['a']});
const outerArb = fc.record({
  inner: innerArb,
  v: fc.array(innerArb, {maxLength: 3}),
  n: fc.bigInt({min: -(2n ** 63n), max: 2n ** 63n - 1n}),
  m: fc.uniqueArray(fc.tuple(text, innerArb), {selector: (e) => e[0], maxLength: 3}).map((es) => new Map(es)),
}, {requiredKeys: ['inner', 'v']});
const sBuffer = fc.uint8Array({maxLength: 24});

const validEncoding: fc.Arbitrary<Buffer> = fc.oneof(
  outerArb.map((o) => {
    const w = new TarsWriter();
    writeValue(w, 0, OuterT, o);
    return Buffer.from(w.toBuffer());
  }),
  fc.record({
    iVersion: fc.constantFrom(1, 2, 3), cPacketType: fc.constantFrom(0, 1), iMessageType: int32, iRequestId: int32,
    sServantName: text, sFuncName: text, sBuffer, iTimeout: int32, context: strMap, status: strMap,
  }).map((p: RequestPacket) => encodeRequestFrame(p)),
  fc.record({
    iVersion: fc.constantFrom(1, 3), cPacketType: fc.constant(0), iRequestId: int32, iMessageType: int32, iRet: int32,
    sBuffer, status: strMap, sResultDesc: text, context: strMap,
  }).map((p: ResponsePacket) => encodeResponseFrame(p)),
  fc.tuple(fc.constantFrom(2, 3) as fc.Arbitrary<2 | 3>, text, int32, fc.array(int32, {maxLength: 4}), innerArb)
    .map(([version, s, i, v, inner]) => {
      const attr = new UniAttribute(version).put('s', T.string, s).put('i', T.int, i).put('v', T.vector(T.int), v)
        .put('st', InnerT, inner);
      return version === 3 ? encodeTupRequestFrame(attr, {sServantName: 'A.B.C', sFuncName: 'f'}) : attr.encode();
    }),
);

/** Bytes that are mostly plausible heads: small tags with any of the 16 wire types, lengths, two-byte heads. */
function headish(maxLength: number): fc.Arbitrary<Uint8Array> {
  return fc.array(fc.oneof(
    fc.integer({min: 0, max: 0x3f}),
    fc.constantFrom(0x00, 0x01, 0x02, 0x0c, 0x0a, 0x0b, 0x09, 0x08, 0x0d, 0x06, 0x07, 0x7f, 0xff, 0xf0, 0xfd, 0x80),
  ), {maxLength}).map((a) => Uint8Array.from(a));
}

type Mutation =
  | {kind: 'flip'; at: number; xor: number}
  | {kind: 'truncate'; at: number}
  | {kind: 'insert'; at: number; bytes: Uint8Array};
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({kind: fc.constant('flip' as const), at: fc.nat(), xor: fc.integer({min: 1, max: 255})}),
  fc.record({kind: fc.constant('truncate' as const), at: fc.nat()}),
  fc.record({kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({minLength: 1, maxLength: 8})}),
);

function mutate(input: Buffer, mutations: readonly Mutation[], fixLength: boolean): Buffer {
  let b = Buffer.from(input);
  for (const m of mutations) {
    const at = b.length === 0 ? 0 : m.at % (b.length + (m.kind === 'flip' ? 0 : 1));
    if (m.kind === 'flip') {
      if (b.length > 0) b[at] ^= m.xor;
    } else if (m.kind === 'truncate') {
      b = b.subarray(0, at);
    } else {
      b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
    }
  }
  // Keep a frame's length prefix right, so that the decoders get past it to the mutated fields.
  if (fixLength && b.length >= 4) b.writeUInt32BE(b.length, 0);
  return b;
}

// ---- the tests ----------------------------------------------------------------------------------------------------

describe('codec fuzz: decoders throw only TarsErrors', function () {
  it('(a) random bytes through every read path: success or a TarsError, nothing else', function () {
    fc.assert(fc.property(fc.uint8Array({maxLength: 512}), fc.nat(255), fc.array(opArb, {maxLength: 12}),
      (input, tag, ops) => allPaths(input, tag, ops)), {numRuns: 2000});
  });

  it('(a) random bytes made of plausible heads (small tags, all 16 wire types) through every read path', function () {
    fc.assert(fc.property(headish(512), fc.nat(4), fc.array(opArb, {maxLength: 12}),
      (input, tag, ops) => allPaths(input, tag, ops)), {numRuns: 2000});
  });

  it('(b) valid encodings with flipped, truncated and inserted bytes: success or a TarsError, nothing else', function () {
    fc.assert(fc.property(validEncoding, fc.array(mutationArb, {minLength: 1, maxLength: 3}), fc.boolean(),
      fc.nat(4), fc.array(opArb, {maxLength: 8}), (valid, mutations, fixLength, tag, ops) => {
        allPaths(mutate(valid, mutations, fixLength), tag, ops);
      }), {numRuns: 2000});
  });

  it('(b) the unmutated encodings decode (the mutation test starts from valid input)', function () {
    fc.assert(fc.property(outerArb, (o) => {
      const w = new TarsWriter();
      writeValue(w, 0, OuterT, o);
      const back = readValue(new TarsReader(w.toBuffer()), 0, OuterT, true) as Record<string, unknown>;
      expect(back.inner).to.deep.equal({s: '', ...o.inner});
      expect(back.n).to.equal(o.n ?? 0n);
    }), {numRuns: 200});
  });

  it('every decode error\'s offset lies within the input', function () {
    fc.assert(fc.property(fc.oneof(fc.uint8Array({maxLength: 64}), headish(64),
      validEncoding.chain((v) => fc.array(mutationArb, {minLength: 1, maxLength: 2}).map((m) => mutate(v, m, true)))),
    fc.nat(4), (input, tag) => {
      const paths: (() => unknown)[] = [
        () => new TarsReader(input).readBytes(tag, false),
        () => readValue(new TarsReader(input), tag, OuterT, false),
        () => {
          const r = new TarsReader(input);
          while (r.remaining > 0) r.skipPayload(r.readHead(), r.lastType);
        },
        ...READ_TYPES.map((t) => () => readValue(new TarsReader(input), tag, t, true)),
      ];
      for (const path of paths) {
        try {
          path();
        } catch (error) {
          expect(error).to.be.instanceOf(TarsError);
          const offset = (error as TarsError).details.offset;
          expect(offset, `${(error as TarsError).message} on ${hex(input)}`).to.be.within(0, input.length);
        }
      }
    }), {numRuns: 1000});
  });
});

describe('codec fuzz: hostile inputs', function () {
  const HUGE = '7fffffff'; // 2^31 - 1

  /** `h` padded with zero bytes to 20 bytes. */
  function in20(h: string): Buffer {
    const b = bytes(h);
    return Buffer.concat([b, Buffer.alloc(20 - b.length)]);
  }

  function withoutAllocating(fn: () => unknown): TarsError {
    const before = process.memoryUsage().arrayBuffers;
    const e = tarsError(fn);
    expect(process.memoryUsage().arrayBuffers - before, 'arrayBuffers growth').to.be.below(MiB);
    return e;
  }

  const hugeLengths: {name: string; input: Buffer; direct: (r: TarsReader) => unknown; type: TarsType; wireType: number}[] = [
    {name: 'LIST', input: in20(`09 02 ${HUGE}`), direct: (r) => r.readListLength(0, true), type: T.vector(T.int),
      wireType: 9},
    {name: 'MAP', input: in20(`08 02 ${HUGE}`), direct: (r) => r.readMapLength(0, true), type: T.map(T.int, T.int),
      wireType: 8},
    {name: 'STRING4', input: in20(`07 ${HUGE}`), direct: (r) => r.readString(0, true), type: T.string, wireType: 7},
    {name: 'SIMPLE_LIST', input: in20(`0d 00 02 ${HUGE}`), direct: (r) => r.readBytes(0, true),
      type: T.vector(T.byte), wireType: 13},
  ];

  for (const {name, input, direct, type, wireType} of hugeLengths) {
    it(`a ${name} length of 2^31-1 in a 20-byte buffer is refused without allocating`, function () {
      expect(input.length).to.equal(20);
      const paths: [string, () => unknown][] = [
        ['direct read', () => direct(new TarsReader(input))],
        ['readValue', () => readValue(new TarsReader(input), 0, type, true)],
        ['skipped on the way to tag 1', () => new TarsReader(input).readInt32(1, false)],
        ['skip loop', () => {
          const r = new TarsReader(input);
          r.skipPayload(r.readHead(), r.lastType);
        }],
      ];
      for (const [path, fn] of paths) {
        const e = withoutAllocating(fn);
        expect(e.code, path).to.be.oneOf(['DECODE_BAD_LENGTH', 'DECODE_TRUNCATED']);
        expectPlace(e, {tag: 0, wireType});
        expect(e.details.offset, path).to.be.within(0, 5);
      }
    });
  }

  it('a negative container length (-1) is refused', function () {
    for (const [h, wireType, offset] of [['09 00 ff', 9, 1], ['08 00 ff', 8, 1], ['0d 00 00 ff', 13, 2]] as const) {
      const e = tarsError(() => new TarsReader(bytes(h)).readInt32(1, false));
      expect(e.code, h).to.equal('DECODE_BAD_LENGTH');
      expectPlace(e, {tag: 0, wireType, offset});
    }
  });

  it('a frame whose sBuffer claims 2^31-1 bytes is refused without allocating', function () {
    const body = bytes(`10 01 2c 3c 40 01 56 01 61 66 01 66 7d 00 02 ${HUGE}`);
    const e = withoutAllocating(() => decodeRequestFrame(withLength(body)));
    expect(e.code).to.equal('PACKET_MALFORMED');
    expect((e.cause as TarsError).code).to.equal('DECODE_BAD_LENGTH');
    expect(e.details).to.include({tag: 7, wireType: 13});
    expect(e.details.offset).to.be.a('number');
    const e2 = withoutAllocating(() => UniAttribute.decode(bytes(`08 02 ${HUGE}`)));
    expect(e2.code).to.equal('DECODE_BAD_LENGTH');
  });

  it('100000 nested STRUCT_BEGIN bytes throw DECODE_TOO_DEEP, not a stack overflow', function () {
    const deep = Buffer.alloc(100_000, 0x0a);
    const paths: [string, () => unknown][] = [
      ['skipped on the way to tag 1', () => new TarsReader(deep).readInt32(1, false)],
      ['skip loop', () => {
        const r = new TarsReader(deep);
        while (r.remaining > 0) r.skipPayload(r.readHead(), r.lastType);
      }],
      ['readStruct skipping its fields', () => new TarsReader(deep).readStruct(0, true, (r) => r.readInt32(1, false))],
      ['readValue(Outer) at tag 1', () => readValue(new TarsReader(deep), 1, OuterT, false)],
    ];
    for (const [path, fn] of paths) {
      const e = tarsError(fn);
      expect(e.code, path).to.equal('DECODE_TOO_DEEP');
      expectPlace(e, {tag: 0, wireType: 10});
      expect(e.details.offset, path).to.be.within(200, 300); // about maxDepth (256) bytes in
    }
    const framed = tarsError(() => decodeRequestFrame(withLength(deep)));
    expect(framed.code).to.equal('PACKET_MALFORMED');
    expect((framed.cause as TarsError).code).to.equal('DECODE_TOO_DEEP');
  });

  it('100000 nested LISTs and MAPs throw DECODE_TOO_DEEP', function () {
    for (const unit of ['090001', '080001']) {
      const deep = Buffer.from(unit.repeat(100_000), 'hex');
      const e = tarsError(() => new TarsReader(deep).readInt32(1, false));
      expect(e.code, unit).to.equal('DECODE_TOO_DEEP');
      expectPlace(e, {wireType: parseInt(unit.slice(0, 2), 16)});
    }
  });

  it('nesting exactly maxDepth deep is read, one more is DECODE_TOO_DEEP', function () {
    const nested = (n: number): Buffer => Buffer.concat([Buffer.alloc(n, 0x0a), Buffer.alloc(n, 0x0b), bytes('10 07')]);
    expect(new TarsReader(nested(256)).readInt32(1, true)).to.equal(7);
    expect(tarsError(() => new TarsReader(nested(257)).readInt32(1, true)).code).to.equal('DECODE_TOO_DEEP');
    expect(new TarsReader(nested(4), 0, undefined, {maxDepth: 4}).readInt32(1, true)).to.equal(7);
    expect(tarsError(() => new TarsReader(nested(5), 0, undefined, {maxDepth: 4}).readInt32(1, true)).code)
      .to.equal('DECODE_TOO_DEEP');
  });

  it('wire types 14 and 15 throw DECODE_BAD_WIRE_TYPE when skipped', function () {
    const cases: {h: string; read: (r: TarsReader) => unknown; tag: number; wireType: number; offset: number}[] = [
      {h: '0e', read: (r) => r.readInt32(1), tag: 0, wireType: 14, offset: 0},
      {h: '0f', read: (r) => r.readInt32(1), tag: 0, wireType: 15, offset: 0},
      {h: '00 05 1e 01', read: (r) => r.readInt32(2), tag: 1, wireType: 14, offset: 2},
      {h: '0a 1f 0b', read: (r) => r.readInt32(1), tag: 1, wireType: 15, offset: 1},
      {h: '09 00 01 0e', read: (r) => r.readInt32(1), tag: 0, wireType: 14, offset: 3},
      {h: '16 01 61 3e', read: (r) => r.readInt32(4), tag: 3, wireType: 14, offset: 3},
    ];
    for (const {h, read, tag, wireType, offset} of cases) {
      const e = tarsError(() => read(new TarsReader(bytes(h))));
      expect(e.code, h).to.equal('DECODE_BAD_WIRE_TYPE');
      expectPlace(e, {tag, wireType, offset});
      expect(e.message, h).to.contain(String(wireType));
    }
    // Two-byte head (tag 200): the offset points into that head.
    const e = tarsError(() => new TarsReader(bytes('fe c8')).readInt32(201));
    expect(e.code).to.equal('DECODE_BAD_WIRE_TYPE');
    expectPlace(e, {tag: 200, wireType: 14});
    expect(e.details.offset).to.be.within(0, 1);
  });

  it('wire types 14 and 15 throw DECODE_BAD_WIRE_TYPE when read at their own tag', function () {
    const reads: [string, (r: TarsReader) => unknown][] = [
      ['readInt32', (r) => r.readInt32(1, true)], ['readInt64', (r) => r.readInt64(1, true)],
      ['readDouble', (r) => r.readDouble(1, true)], ['readString', (r) => r.readString(1, true)],
      ['readBytes', (r) => r.readBytes(1, true)], ['readListLength', (r) => r.readListLength(1, true)],
      ['readMapLength', (r) => r.readMapLength(1, true)], ['beginStruct', (r) => r.beginStruct(1, true)],
    ];
    for (const h of ['1e', '1f']) {
      for (const [name, read] of reads) {
        const e = tarsError(() => read(new TarsReader(bytes(h))));
        expect(e.code, `${name} on ${h}`).to.equal('DECODE_BAD_WIRE_TYPE');
        expectPlace(e, {tag: 1, wireType: parseInt(h, 16) & 15, offset: 0});
      }
    }
  });

  it('a frame length below 5 throws PACKET_TOO_SHORT, above 10 MiB PACKET_TOO_LARGE', function () {
    const decoders: [string, (b: Uint8Array) => unknown][] = [
      ['frameLength', (b) => frameLength(b)], ['decodeRequestFrame', decodeRequestFrame],
      ['decodeResponseFrame', decodeResponseFrame], ['decodeAnyResponseFrame', decodeAnyResponseFrame],
    ];
    const tooLarge = DEFAULT_MAX_PACKET + 1;
    const cases: [number, string][] = [
      [3, 'PACKET_TOO_SHORT'], [4, 'PACKET_TOO_SHORT'], [0, 'PACKET_TOO_SHORT'],
      [tooLarge, 'PACKET_TOO_LARGE'], [0xffffffff, 'PACKET_TOO_LARGE'],
    ];
    for (const [length, code] of cases) {
      const frame = Buffer.alloc(16, 0x0c);
      frame.writeUInt32BE(length, 0);
      for (const [name, decode] of decoders) {
        const e = tarsError(() => decode(frame));
        expect(e.code, `${name}, length ${length}`).to.equal(code);
        expect(e.details.offset, `${name}, length ${length}`).to.equal(0);
        expect(e.details.length).to.equal(length);
        expect(e.message).to.contain(String(length));
      }
    }
    // The limit is the caller's: 10 MiB exactly is a valid length, and a smaller maximum is honoured.
    const at = Buffer.alloc(8);
    at.writeUInt32BE(DEFAULT_MAX_PACKET, 0);
    expect(frameLength(at)).to.equal(DEFAULT_MAX_PACKET);
    expect(tarsError(() => frameLength(at, 0, 1024)).code).to.equal('PACKET_TOO_LARGE');
    // The offset is where the frame starts in the buffer.
    const later = Buffer.concat([Buffer.alloc(3), bytes('00000003')]);
    const e = tarsError(() => frameLength(later, 3));
    expect(e.code).to.equal('PACKET_TOO_SHORT');
    expect(e.details.offset).to.equal(3);
  });

  it('a SIMPLE_LIST whose inner head is cut short reports an offset inside the input (0d f0)', function () {
    const input = bytes('0d f0');
    for (const read of [(r: TarsReader) => r.readBytes(0, true), (r: TarsReader) => r.readInt32(1, false)]) {
      const e = tarsError(() => read(new TarsReader(input)));
      expect(e.code).to.equal('DECODE_TRUNCATED');
      expect(e.details.offset).to.be.within(0, input.length);
    }
  });
});
