// Call-chain tracing over real sockets: a call into A, which calls B, which calls C, each server with its own tracer
// (as each process has its own); spans joined by the trace context the calls carry.
import {expect} from 'chai';

import {Communicator, type SpanRecord, type SpanSink, TRACEPARENT, Tracer} from '@tars-ts/core';

import {ProbeProxy} from '../golden/codegen/rpctestTars.js';
import {Probe, Relay} from '../support/probe.js';
import {type TestServer, startServer} from '../support/test-server.js';
import {spanChain} from '../support/span-chain.js';

class MemorySink implements SpanSink {
  readonly spans: SpanRecord[] = [];
  add(span: SpanRecord): void {
    this.spans.push(span);
  }
}

describe('call-chain tracing (A -> B -> C)', function () {
  this.timeout(20_000);
  const sink = new MemorySink();
  const servers: TestServer[] = [];
  const tracers: Tracer[] = [];
  let comm: Communicator;
  let client: Tracer;
  let a: ProbeProxy;
  let c: Probe;

  before(async () => {
    c = new Probe();
    const relays = [new Relay(), new Relay()];
    for (const [name, servant] of [['C', c], ['B', relays[1]!], ['A', relays[0]!]] as const) {
      const server = await startServer({[`Tr.${name}.ProbeObj`]: servant});
      const tracer = new Tracer({moduleName: `Tr.${name}`, sinks: [sink],
        onActive: (t) => server.app.communicator.use(t.clientInterceptor)});
      server.app.dispatcher.traceWith(tracer);
      servers.push(server);
      tracers.push(tracer);
    }
    const [cs, bs, as] = servers as [TestServer, TestServer, TestServer];
    relays[1]!.next = bs.app.communicator.stringToProxy(ProbeProxy, cs.proxyString('Tr.C.ProbeObj'));
    relays[0]!.next = as.app.communicator.stringToProxy(ProbeProxy, bs.proxyString('Tr.B.ProbeObj'));
    comm = new Communicator();
    client = new Tracer({moduleName: 'tars.call', sinks: [sink], onActive: (t) => comm.use(t.clientInterceptor)});
    a = comm.stringToProxy(ProbeProxy, as.proxyString('Tr.A.ProbeObj'));
  });

  beforeEach(() => {
    sink.spans.length = 0;
  });

  after(async () => {
    comm.close();
    for (const s of servers) await s.close();
  });

  const chain = (traceId: string): SpanRecord[] => spanChain(sink.spans, traceId);

  it('one trace: six spans, each the child of the one before, whose times nest', async () => {
    const {traceId, result} = client.runTraced(() => a.echo('hi'));
    expect(await result).to.deep.equal({ret: 'hi'});
    const spans = chain(traceId);
    expect(spans.map((s) => `${s.kind} ${s.callee}`)).to.deep.equal(['client Tr.A.ProbeObj', 'server Tr.A.ProbeObj',
      'client Tr.B.ProbeObj', 'server Tr.B.ProbeObj', 'client Tr.C.ProbeObj', 'server Tr.C.ProbeObj']);
    expect(spans[0]!.parentSpanId).to.equal(undefined);
    for (let i = 1; i < spans.length; i++) {
      expect(spans[i]!.parentSpanId, `span ${i}`).to.equal(spans[i - 1]!.spanId);
      expect(spans[i]!.startMs).to.be.at.least(spans[i - 1]!.startMs);
      expect(spans[i]!.endMs).to.be.at.most(spans[i - 1]!.endMs);
    }
    expect(spans.map((s) => s.caller)).to.deep.equal(['tars.call', 'tars.call', 'Tr.A', 'Tr.A', 'Tr.B', 'Tr.B']);
    for (const s of spans) {
      expect(s.ret).to.equal(0);
      expect(s.requestBytes, `${s.kind} ${s.callee}`).to.be.greaterThan(0);
      expect(s.responseBytes, `${s.kind} ${s.callee}`).to.be.greaterThan(0);
      expect(s.peer).to.match(/^127\.0\.0\.1:\d+$/);
    }
  });

  it('an error in C marks every span up the chain, with the code and the text', async () => {
    const {traceId, result} = client.runTraced(() => a.boom('plain'));
    await result.then(() => expect.fail('boom answered'), () => undefined);
    const spans = chain(traceId);
    expect(spans).to.have.length(6);
    for (const s of spans) expect(s.ret, `${s.kind} ${s.callee}`).to.not.equal(0);
    expect(spans.at(-1)!.error).to.contain('boom: plain');
  });

  it('a call nobody traces carries no trace context and makes no span', async () => {
    const seen = await comm.stringToProxy(ProbeProxy, servers[0]!.proxyString('Tr.C.ProbeObj')).whoami();
    expect(seen.ret.status.has(TRACEPARENT)).to.equal(false);
    expect(seen.ret.messageType & 0x100).to.equal(0);
    expect(sink.spans).to.deep.equal([]);
  });

  it('a traced call says so in the message type (0x100) and carries both trace keys', async () => {
    const {result} = client.runTraced(() => comm.stringToProxy(ProbeProxy,
      servers[0]!.proxyString('Tr.C.ProbeObj')).whoami());
    const seen = (await result).ret;
    expect(seen.messageType & 0x100).to.equal(0x100);
    expect(seen.status.get(TRACEPARENT)).to.match(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(seen.status.get('STATUS_TRACE_KEY')).to.match(/^0-[0-9a-f]{32}\|[0-9a-f]{16}$/);
    expect(seen.status.get('TARS_MASTER_NAME')).to.equal('tars.call');
  });
});
