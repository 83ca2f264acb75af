// Spans to an OpenTelemetry collector over OTLP/HTTP (core/src/rpc/trace/otlp-sink.ts, with the official exporter):
// a small HTTP receiver in the test decodes the JSON that arrives (resourceSpans/scopeSpans/spans) for a real traced
// call through two in-process servers configured with `trace-otlp` (the Application wiring); and a collector that is
// down or answers errors loses spans (counted) without ever holding up or failing a call; and without the optional
// packages, @tars-ts/core still loads and an OTLP sink says once what to install.
import {execFile} from 'node:child_process';
import {once} from 'node:events';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import zlib from 'node:zlib';

import {expect} from 'chai';

import {Communicator, OtlpSpanSink, type SpanRecord, Tracer, otlpTracesUrl} from '@tars-ts/core';

import {ProbeProxy} from '../golden/codegen/rpctestTars.js';
import {freePort} from '../support/ports.js';
import {Probe, Relay} from '../support/probe.js';
import {type TestServer, startServer} from '../support/test-server.js';
import {until} from '../support/wait.js';
import {spanChain} from '../support/span-chain.js';

/** An OTLP/JSON attribute value. */
interface AnyValue {
  stringValue?: string;
  intValue?: number | string;
  boolValue?: boolean;
  doubleValue?: number;
}

/** One span as it arrived, with the resource and scope it came under. */
interface Received {
  service: string;
  scope: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  start: bigint;
  end: bigint;
  attributes: Record<string, string | number | boolean | undefined>;
  status: {code?: number; message?: string};
}

function value(v: AnyValue): string | number | boolean | undefined {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  return v.boolValue ?? v.doubleValue;
}

type Attributes = Record<string, string | number | boolean | undefined>;

function attrs(list: {key: string; value: AnyValue}[] | undefined): Attributes {
  return Object.fromEntries((list ?? []).map((a) => [a.key, value(a.value)]));
}

/** An OTLP/HTTP receiver on 127.0.0.1: decodes every POST's JSON; answers `status` (200 unless told). */
class Receiver {
  readonly spans: Received[] = [];
  readonly posts: {path: string; contentType: string}[] = [];
  status = 200;
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = zlib.gunzipSync(body);
      this.posts.push({path: req.url ?? '', contentType: req.headers['content-type'] ?? ''});
      if (this.status === 200) this.decode(JSON.parse(body.toString('utf8')));
      res.writeHead(this.status, {'content-type': 'application/json'}).end('{}');
    });
  });

  async start(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1/traces`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private decode(doc: {resourceSpans: {resource: {attributes: []}; scopeSpans: {scope: {name: string};
    spans: {traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number;
      startTimeUnixNano: string; endTimeUnixNano: string; attributes: []; status?: {code?: number;
        message?: string}}[]}[]}[]}): void {
    for (const rs of doc.resourceSpans) {
      const service = String(attrs(rs.resource.attributes)['service.name']);
      for (const ss of rs.scopeSpans) {
        for (const s of ss.spans) {
          this.spans.push({service, scope: ss.scope.name, traceId: s.traceId, spanId: s.spanId,
            ...(s.parentSpanId ? {parentSpanId: s.parentSpanId} : {}), name: s.name, kind: s.kind,
            start: BigInt(s.startTimeUnixNano), end: BigInt(s.endTimeUnixNano), attributes: attrs(s.attributes),
            status: s.status ?? {}});
        }
      }
    }
  }
}

const SERVER = 2;
const CLIENT = 3;
const ERROR = 2;

describe('spans to an OpenTelemetry collector (OTLP/HTTP JSON)', function () {
  this.timeout(30_000);
  const receiver = new Receiver();
  const servers: TestServer[] = [];
  let url: string;
  let comm: Communicator;
  let clientSink: OtlpSpanSink;
  let client: Tracer;
  let a: ProbeProxy;

  before(async () => {
    url = await receiver.start();
    const b = await startServer({'Ot.B.ProbeObj': new Probe()}, {server: `trace-otlp = ${url}`});
    const relay = new Relay();
    const as = await startServer({'Ot.A.ProbeObj': relay}, {server: `trace-otlp = ${url}`});
    servers.push(b, as);
    relay.next = as.app.communicator.stringToProxy(ProbeProxy, b.proxyString('Ot.B.ProbeObj'));
    comm = new Communicator();
    clientSink = new OtlpSpanSink({url, serviceName: 'tars.call'});
    client = new Tracer({moduleName: 'tars.call', sinks: [clientSink], onActive: (t) => comm.use(t.clientInterceptor)});
    a = comm.stringToProxy(ProbeProxy, as.proxyString('Ot.A.ProbeObj'));
  });

  after(async () => {
    comm?.close();
    await clientSink?.close(1000);
    for (const s of servers) await s.close();
    await receiver.close();
  });

  const chain = (traceId: string): Received[] => spanChain(receiver.spans, traceId);

  it('makes a tracer of a server with trace-otlp and no log daemon', () => {
    for (const s of servers) {
      expect(s.app.tracer, s.app.name).to.not.equal(undefined);
      expect(s.app.otlpSink, s.app.name).to.not.equal(undefined);
    }
  });

  it('a call A -> B arrives as four spans, each the child of the one before, with names, kinds and attributes',
    async () => {
      const {traceId, result} = client.runTraced(() => a.echo('hi'));
      expect(await result).to.deep.equal({ret: 'hi'});
      // No flush: the sinks' own timers export within a second.
      await until(() => receiver.spans.filter((s) => s.traceId === traceId).length >= 4, 'four spans', 10_000);
      const spans = chain(traceId);
      expect(spans.map((s) => `${s.service} ${s.kind} ${s.name}`)).to.deep.equal([
        `tars.call ${CLIENT} ProbeObj.echo`, `Ot.A ${SERVER} ProbeObj.echo`, `Ot.A ${CLIENT} ProbeObj.echo`,
        `Ot.B ${SERVER} ProbeObj.echo`]);
      expect(receiver.posts.every((p) => p.path === '/v1/traces' && p.contentType.startsWith('application/json')))
        .to.equal(true);
      expect(traceId).to.match(/^[0-9a-f]{32}$/);
      for (const [i, s] of spans.entries()) {
        expect(s.spanId, `span ${i}`).to.match(/^[0-9a-f]{16}$/);
        expect(s.scope).to.equal('@tars-ts/core');
        if (i > 0) {
          expect(s.start >= spans[i - 1]!.start, `span ${i} starts within its parent`).to.equal(true);
          expect(s.end <= spans[i - 1]!.end, `span ${i} ends within its parent`).to.equal(true);
        }
        expect(s.end > s.start, `span ${i} lasts`).to.equal(true);
        expect(s.status.code ?? 0, `span ${i} status`).to.equal(0);
        expect(s.attributes['tars.rpc.ret']).to.equal(0);
        expect(s.attributes['tars.method']).to.equal('echo');
        expect(s.attributes['tars.peer']).to.match(/^127\.0\.0\.1:\d+$/);
        expect(s.attributes['tars.request.size']).to.be.a('number').greaterThan(0);
        expect(s.attributes['tars.response.size']).to.be.a('number').greaterThan(0);
      }
      const [callA, servedA, callB, servedB] = spans as [Received, Received, Received, Received];
      expect(callA.attributes).to.include({'tars.interface': 'Ot.A.ProbeObj', 'tars.slave.name': 'Ot.A',
        'tars.master.name': 'tars.call', 'tars.slave.ip': '127.0.0.1', 'tars.protocol': 'tars'});
      expect(servedA.attributes).to.include({'tars.interface': 'Ot.A.ProbeObj', 'tars.master.name': 'tars.call',
        'tars.master.ip': '127.0.0.1'});
      expect(callB.attributes).to.include({'tars.interface': 'Ot.B.ProbeObj', 'tars.master.name': 'Ot.A'});
      expect(servedB.attributes).to.include({'tars.interface': 'Ot.B.ProbeObj', 'tars.master.name': 'Ot.A'});
      // The peer of a call is the port its server listens on; of a request, the caller's address.
      expect(callB.attributes['tars.slave.port']).to.equal(servers[0]!.proxyString('Ot.B.ProbeObj').split('-p ')[1]!
        .split(' ')[0]);
      expect(servedB.attributes['tars.client.port']).to.match(/^\d+$/);
    });

  it('an error in B marks its span and the calls up the chain ERROR, with the code and the text', async () => {
    const {traceId, result} = client.runTraced(() => a.boom('plain'));
    await result.then(() => expect.fail('boom answered'), () => undefined);
    await Promise.all([clientSink.flush(), ...servers.map((s) => s.app.otlpSink!.flush())]);
    const spans = chain(traceId);
    expect(spans.map((s) => `${s.service} ${s.kind} ${s.name}`)).to.deep.equal([
      `tars.call ${CLIENT} ProbeObj.boom`, `Ot.A ${SERVER} ProbeObj.boom`, `Ot.A ${CLIENT} ProbeObj.boom`,
      `Ot.B ${SERVER} ProbeObj.boom`]);
    for (const s of spans) {
      expect(s.status.code, `${s.service} ${s.kind}`).to.equal(ERROR);
      expect(s.attributes['tars.rpc.ret'], `${s.service} ${s.kind}`).to.be.a('number').and.not.equal(0);
    }
    expect(spans.at(-1)!.status.message).to.contain('boom: plain');
  });

  it('the counters say what the collector took', async () => {
    await clientSink.flush();
    const stats = clientSink.stats;
    expect(stats.exported).to.be.at.least(2);
    expect(stats.dropped).to.equal(0);
    expect(stats.failedExports).to.equal(0);
    expect(stats.queued).to.equal(0);
  });

  it('a server closing flushes the spans of its last requests to the collector', async () => {
    const c = await startServer({'Ot.C.ProbeObj': new Probe()}, {server: `trace-otlp = ${url}\ntrace-rate = 1`});
    try {
      const proxy = new Communicator();
      try {
        await proxy.stringToProxy(ProbeProxy, c.proxyString('Ot.C.ProbeObj')).echo('last');
      } finally {
        proxy.close();
      }
    } finally {
      await c.close();
    }
    // Sampled at C (trace-rate 1): a root span, there once close has resolved, not a timer tick later.
    const mine = receiver.spans.filter((s) => s.service === 'Ot.C');
    expect(mine.map((s) => `${s.kind} ${s.name} ${s.parentSpanId ?? 'root'}`)).to.deep.equal([
      `${SERVER} ProbeObj.echo root`]);
    expect(c.app.otlpSink!.stats).to.include({exported: 1, dropped: 0});
  });

  it('a URL with no path posts to /v1/traces', () => {
    expect(otlpTracesUrl('http://collector:4318')).to.equal('http://collector:4318/v1/traces');
    expect(otlpTracesUrl('http://collector:4318/')).to.equal('http://collector:4318/v1/traces');
    expect(otlpTracesUrl('http://collector:4318/otlp/v1/traces')).to.equal('http://collector:4318/otlp/v1/traces');
  });
});

describe('an OTLP collector that is away', function () {
  this.timeout(30_000);

  function span(i: number): SpanRecord {
    const now = Date.now();
    return {traceId: 'ab'.repeat(16), spanId: (i + 1).toString(16).padStart(16, '0'), kind: 'server', caller: 'x',
      callee: 'Ot.D.ProbeObj', func: 'echo', startMs: now, endMs: now + 1, ret: 0};
  }

  it('loses the spans, counted, and never holds up or fails a call', async () => {
    const down = `http://127.0.0.1:${await freePort()}/v1/traces`;
    const d = await startServer({'Ot.D.ProbeObj': new Probe()}, {server: `trace-otlp = ${down}\ntrace-rate = 1`});
    const comm = new Communicator();
    try {
      const sink = d.app.otlpSink!;
      const proxy = comm.stringToProxy(ProbeProxy, d.proxyString('Ot.D.ProbeObj'));
      for (let round = 0; round < 3; round++) {
        const answers = await Promise.all(Array.from({length: 20}, (_, i) => proxy.echo(`m${round}.${i}`)));
        expect(answers.map((x) => x.ret)).to.deep.equal(Array.from({length: 20}, (_, i) => `m${round}.${i}`));
        if (round === 0) await sink.flush().then(() => undefined, () => expect.fail('flush rejected'));
      }
      // 60 calls answered; the first 20 spans were tried (ECONNREFUSED, retried by the exporter within its
      // timeout) and dropped; the last 40 wait in the queue: nothing a call waited for.
      const stats = sink.stats;
      expect(d.app.tracer!.counts.server).to.equal(60);
      expect(stats.exported).to.equal(0);
      expect(stats.failedExports).to.be.at.least(1);
      expect(stats.dropped).to.equal(20);
      expect(stats.queued).to.equal(40);
      expect(stats.lastError).to.match(/ECONNREFUSED/);
      // Closing with the collector away drops what is queued (an export retried would hold the process); an export
      // the timer started meanwhile may still be in flight.
      comm.close();
      await d.close();
      const closed = sink.stats;
      expect(closed.exported).to.equal(0);
      expect(closed.dropped + closed.queued, JSON.stringify(closed)).to.equal(60);
      expect(closed.queued, 'at most one batch in flight').to.be.at.most(40);
    } finally {
      comm.close();
      await d.close();
    }
  });

  it('drops spans beyond its queue at once, counted, and sends the rest once the collector answers', async () => {
    const receiver = new Receiver();
    receiver.status = 503; // retried by the exporter, then given up: counted as a failed export
    const url = await receiver.start();
    const sink = new OtlpSpanSink({url, serviceName: 'Ot.E', maxQueued: 10, batchSpans: 100, intervalMs: 60_000,
      timeoutMs: 500});
    try {
      await sink.ready();
      for (let i = 0; i < 25; i++) sink.add(span(i));
      expect(sink.stats).to.include({queued: 10, dropped: 15});
      await sink.flush();
      expect(sink.stats).to.include({queued: 0, dropped: 25, exported: 0, failedExports: 1});
      expect(receiver.posts.length).to.be.at.least(1);
      receiver.status = 200;
      for (let i = 0; i < 5; i++) sink.add(span(i));
      await sink.flush();
      expect(sink.stats).to.include({exported: 5, dropped: 25, failedExports: 1});
      expect(receiver.spans.map((s) => s.spanId)).to.deep.equal([1, 2, 3, 4, 5].map((n) => n.toString(16)
        .padStart(16, '0')));
    } finally {
      await sink.close(1000);
      await receiver.close();
    }
    sink.add(span(99));
    expect(sink.stats.dropped, 'a span after close is dropped').to.equal(26);
  });

  it('a 32-hex (TarsCpp) span id goes out as its last 16 digits', async () => {
    const receiver = new Receiver();
    const url = await receiver.start();
    const sink = new OtlpSpanSink({url, serviceName: 'Ot.F', intervalMs: 60_000});
    try {
      sink.add({...span(0), spanId: '0123456789abcdef' + 'fedcba9876543210', parentSpanId: 'aa'.repeat(16)});
      await sink.flush();
      expect(receiver.spans.map((s) => [s.spanId, s.parentSpanId])).to.deep.equal([['fedcba9876543210',
        'aa'.repeat(8)]]);
    } finally {
      await sink.close(1000);
      await receiver.close();
    }
  });
});

describe('without the OpenTelemetry packages', function () {
  this.timeout(30_000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'otlp-missing-'));
    // A resolve hook that finds no @opentelemetry package, as in a service that did not install them.
    writeFileSync(path.join(dir, 'hook.mjs'), `export async function resolve(specifier, context, next) {
  if (specifier.startsWith('@opentelemetry/')) {
    const e = new Error(\`Cannot find package '\${specifier}'\`);
    e.code = 'ERR_MODULE_NOT_FOUND';
    throw e;
  }
  return next(specifier, context);
}
`);
    writeFileSync(path.join(dir, 'register.mjs'), `import {register} from 'node:module';
register('./hook.mjs', import.meta.url);
`);
  });

  after(() => rmSync(dir, {recursive: true, force: true}));

  it('@tars-ts/core loads, and an OTLP sink reports once what to install, then drops and counts', async () => {
    const code = `
import {OtlpSpanSink} from '@tars-ts/core';
const errors = [];
const sink = new OtlpSpanSink({url: 'http://127.0.0.1:9/v1/traces', serviceName: 'X.Y',
  onError: (e) => errors.push(e.message)});
const ready = await sink.ready().then(() => 'ready', (e) => e.message);
sink.add({traceId: 'ab'.repeat(16), spanId: '1'.repeat(16), kind: 'server', caller: '', callee: 'X.Y.Obj',
  func: 'f', startMs: 1, endMs: 2, ret: 0});
await sink.flush();
await sink.close(100);
console.log(JSON.stringify({ready, errors, stats: sink.stats}));
`;
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const out = await new Promise<string>((resolve, reject) => execFile(process.execPath, ['--import', 'tsx',
      '--conditions=tars-dev', '--import', path.join(dir, 'register.mjs'), '--input-type=module', '-e', code],
    {cwd: root, timeout: 20_000}, (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`))
      : resolve(stdout))));
    const {ready, errors, stats} = JSON.parse(out.trim().split('\n').at(-1)!) as {ready: string; errors: string[];
      stats: {dropped: number; exported: number}};
    expect(ready).to.match(/^trace-otlp needs the OpenTelemetry packages.*npm install @opentelemetry\/api@1\.9\.1 /);
    for (const pkg of ['core', 'resources', 'sdk-trace-base', 'exporter-trace-otlp-http']) {
      expect(ready).to.contain(`@opentelemetry/${pkg}@`);
    }
    expect(errors).to.deep.equal([ready]);
    expect(stats).to.include({dropped: 1, exported: 0});
  });
});
