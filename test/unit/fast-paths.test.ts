import {expect} from 'chai';
import fc from 'fast-check';

import {TarsReader} from '../../core/src/codec/reader.js';
import {T, readValue, writeValue} from '../../core/src/codec/types.js';
import {TarsWriter} from '../../core/src/codec/writer.js';
import {PacketType, Version} from '../../core/src/protocol/constants.js';
import {
  type OperationDef, RECEIVED_BODY, decodeRequestArgs, decodeResponseBody, encodeRequestArgs, encodeResponseBody,
  operationPlan, readRequestArgs, readResponseBody, writeRequestArgs, writeResponseBody,
} from '../../core/src/protocol/operation.js';
import {
  encodeRequestFrame, encodeRequestFrameWith, encodeResponseFrame, encodeResponseFrameWith, requestPacket,
  responsePacket,
} from '../../core/src/protocol/packets.js';
import {RequestQueue} from '../../core/src/rpc/server/request-queue.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Lengths around every boundary of the length field's width (ZERO, BYTE, SHORT, INT) and the slab. */
const lengths = fc.oneof(fc.integer({min: 0, max: 300}), fc.constantFrom(127, 128, 32767, 32768, 65535, 70000));

describe('in-place bodies and the shared slab of the writer', () => {
  it('writeBytesWith gives the bytes writeBytes gives, whatever the length (property)', () => {
    fc.assert(fc.property(lengths, fc.integer({min: 0, max: 255}), fc.integer({min: 0, max: 20}),
      (n, tag, before) => {
        const payload = Buffer.alloc(n, 0xab);
        const a = new TarsWriter();
        const b = new TarsWriter();
        for (const w of [a, b]) w.writeString(0, 'x'.repeat(before));
        a.writeBytes(tag, payload);
        b.writeBytesWith(tag, (w) => w.writeRaw(payload));
        a.writeInt32(tag === 255 ? 255 : tag + 1, 7);
        b.writeInt32(tag === 255 ? 255 : tag + 1, 7);
        expect(hex(b.toBuffer())).to.equal(hex(a.toBuffer()));
      }), {numRuns: 200});
  });

  it('results handed out stay as they were while later writers reuse the slab (property)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(lengths, fc.integer({min: 0, max: 255})), {minLength: 1, maxLength: 30}),
      (items) => {
        const kept = items.map(([n, fill]) => {
          const w = new TarsWriter();
          w.writeBytes(0, Buffer.alloc(n, fill));
          return {out: w.toBuffer(), n, fill};
        });
        for (const {out, n, fill} of kept) {
          const r = new TarsReader(out);
          expect(r.readBytes(0, true).equals(Buffer.alloc(n, fill))).to.equal(true);
        }
      }), {numRuns: 100});
  });

  it('an encoding nested in another (a writer inside a writer) leaves both intact', () => {
    const outer = new TarsWriter();
    outer.writeString(0, 'outer');
    const inner = new TarsWriter();
    inner.writeBytes(0, Buffer.alloc(10000, 1));
    const innerBytes = inner.toBuffer();
    outer.writeBytes(1, innerBytes);
    const out = outer.toBuffer();
    const r = new TarsReader(out);
    expect(r.readString(0, true)).to.equal('outer');
    expect(hex(r.readBytes(1, true))).to.equal(hex(innerBytes));
  });

  it('request and response frames written in place equal those encoded from a body', () => {
    fc.assert(fc.property(lengths, fc.integer({min: 0, max: 2 ** 31 - 1}), fc.string(), (n, id, ctxValue) => {
      const body = Buffer.alloc(n, 0x5a);
      const context = new Map([['k', ctxValue]]);
      const req = requestPacket({iRequestId: id, sServantName: 'A.B.C', sFuncName: 'f', iTimeout: 3000, context,
        sBuffer: body});
      const {sBuffer: _ignored, ...rest} = req;
      expect(hex(encodeRequestFrameWith(rest, (w) => w.writeRaw(body)))).to.equal(hex(encodeRequestFrame(req)));
      const resp = responsePacket({iRequestId: id, iMessageType: 2, context, sBuffer: body});
      const inPlace = encodeResponseFrameWith({iVersion: Version.TARSVERSION, cPacketType: PacketType.TARSNORMAL,
        iRequestId: id, iMessageType: 2, iRet: 0, status: new Map(), sResultDesc: '', context}, (w) => w.writeRaw(body));
      expect(hex(inPlace)).to.equal(hex(encodeResponseFrame(resp)));
    }), {numRuns: 100});
  });
});

describe('operation plans', () => {
  const op: OperationDef = {name: 'put', ret: T.int, params: [
    {name: 'key', tag: 1, type: T.string, out: false},
    {name: 'blob', tag: 2, type: T.vector(T.byte), out: false},
    {name: 'size', tag: 3, type: T.long, out: true},
  ]};

  it('reads and writes what the version-generic functions read and write', () => {
    const plan = operationPlan(op);
    expect(operationPlan(op)).to.equal(plan);
    const args = ['k', Buffer.from('blob')];
    const w = new TarsWriter();
    writeRequestArgs(w, plan, args);
    expect(hex(w.toBuffer())).to.equal(hex(encodeRequestArgs(op, Version.TARSVERSION, args)));
    const sBuffer = encodeRequestArgs(op, Version.TARSVERSION, args);
    expect(readRequestArgs(plan, sBuffer)).to.deep.equal(decodeRequestArgs(op, Version.TARSVERSION, sBuffer));
    const result = {ret: 3, size: 10n};
    const rw = new TarsWriter();
    writeResponseBody(rw, plan, result);
    const body = encodeResponseBody(op, Version.TARSVERSION, result);
    expect(hex(rw.toBuffer())).to.equal(hex(body));
    expect(readResponseBody(plan, body)).to.deep.equal(decodeResponseBody(op, Version.TARSVERSION, body));
  });

  it('names the argument that cannot be encoded, and checks the count', () => {
    const plan = operationPlan(op);
    expect(() => writeRequestArgs(new TarsWriter(), plan, ['k', 'not bytes'])).to.throw(/argument blob \(vector<byte>\)/);
    expect(() => writeRequestArgs(new TarsWriter(), plan, ['k'])).to.throw(/takes 2 argument/);
    expect(() => writeResponseBody(new TarsWriter(), plan, {size: 1n})).to.throw(/must return a value under "ret"/);
  });
});

describe('byte arrays read as views of received frames', () => {
  it('large values are views of the input, small ones and LIST-of-byte ones copies', () => {
    const w = new TarsWriter();
    w.writeBytes(0, Buffer.alloc(100, 1));
    w.writeBytes(1, Buffer.alloc(9000, 2));
    w.writeListHeader(2, 9000);
    for (let i = 0; i < 9000; i++) w.writeInt8(0, 3);
    const input = w.toBuffer();
    const r = new TarsReader(input, 0, input.length, RECEIVED_BODY);
    const small = r.readBytes(0, true);
    const large = r.readBytes(1, true);
    const list = r.readBytes(2, true);
    expect(small.buffer).to.not.equal(input.buffer);
    expect(large.buffer).to.equal(input.buffer);
    expect(list.buffer).to.not.equal(input.buffer);
    expect(large.equals(Buffer.alloc(9000, 2))).to.equal(true);
    expect(list.equals(Buffer.alloc(9000, 3))).to.equal(true);
    // Without the option a reader always copies.
    const copy = readValue(new TarsReader(input), 1, T.vector(T.byte), true) as Buffer;
    expect(copy.buffer).to.not.equal(input.buffer);
  });

  it('writeValue and readValue round-trip through a view', () => {
    const w = new TarsWriter();
    writeValue(w, 0, T.vector(T.byte), Buffer.alloc(20000, 9));
    const input = w.toBuffer();
    const got = readValue(new TarsReader(input, 0, input.length, RECEIVED_BODY), 0, T.vector(T.byte), true) as Buffer;
    expect(got.length).to.equal(20000);
    expect(got.every((b) => b === 9)).to.equal(true);
  });
});

describe('request queue with synchronous jobs', () => {
  it('a job answered on the spot frees its slot at once, and a drain runs queued ones without recursion', () => {
    const q = new RequestQueue({cap: 200_000, timeoutMs: 1000, concurrency: 1}, () => 0);
    let release!: () => void;
    const ran: number[] = [];
    q.submit({arrivedAt: 0, requestTimeoutMs: 0, run: () => new Promise<void>((r) => {
      release = r;
    }), refuse: () => undefined});
    // 100k synchronous jobs wait behind the asynchronous one; draining them must not grow the stack.
    for (let i = 0; i < 100_000; i++) {
      q.submit({arrivedAt: 0, requestTimeoutMs: 0, run: () => {
        ran.push(i);
      }, refuse: () => undefined});
    }
    expect(q.stats).to.include({waiting: 100_000, running: 1});
    release();
    return Promise.resolve().then(() => Promise.resolve()).then(() => {
      expect(ran).to.have.length(100_000);
      expect(ran[99_999]).to.equal(99_999);
      expect(q.stats).to.include({waiting: 0, running: 0, executed: 100_001});
    });
  });

  it('a job that throws frees its slot', () => {
    const q = new RequestQueue({cap: 10, timeoutMs: 1000, concurrency: 1}, () => 0);
    q.submit({arrivedAt: 0, requestTimeoutMs: 0, run: () => {
      throw new Error('boom');
    }, refuse: () => undefined});
    expect(q.stats).to.include({running: 0, executed: 1});
  });
});

describe('request queue robustness', () => {
  it('a refusal that throws neither stops the queue nor escapes it', async () => {
    const clock = {t: 0};
    const q = new RequestQueue({cap: 10, timeoutMs: 100, concurrency: 1}, () => clock.t);
    let release!: () => void;
    q.submit({arrivedAt: 0, requestTimeoutMs: 0, run: () => new Promise<void>((r) => {
      release = r;
    }), refuse: () => undefined});
    q.submit({arrivedAt: 0, requestTimeoutMs: 0, run: () => undefined, refuse: () => {
      throw new Error('cannot answer');
    }});
    const ran: string[] = [];
    clock.t = 50;
    q.submit({arrivedAt: 50, requestTimeoutMs: 0, run: () => {
      ran.push('late one');
    }, refuse: () => undefined});
    clock.t = 200; // the second job waited 200 ms > 100: refused (and its refusal throws); the third waited 150
    release();
    await new Promise((r) => setImmediate(r));
    expect(q.stats).to.include({expired: 2, running: 0, waiting: 0});
    q.submit({arrivedAt: 200, requestTimeoutMs: 0, run: () => {
      ran.push('next');
    }, refuse: () => undefined});
    expect(ran).to.deep.equal(['next']);
  });
});

describe('JSON (version 5) bodies', () => {
  it('an absent out-parameter named like an Object.prototype member is its zero value, not the inherited member', () => {
    const op: OperationDef = {name: 'f', ret: T.int, params: [
      {name: 'toString', tag: 1, type: T.int, out: true},
      {name: 'constructor', tag: 2, type: T.string, out: true},
    ]};
    const body = Buffer.from(JSON.stringify({tars_ret: 3}));
    expect(decodeResponseBody(op, Version.JSONVERSION, body)).to.deep.equal({ret: 3, toString: 0, constructor: ''});
  });
});
