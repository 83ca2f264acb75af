// Server overload protection with real sockets: a flood beyond queuecap is refused at once (-9), requests that
// waited longer than queuetimeout are dropped unexecuted (-6), the queue never grows beyond its cap, and normal
// traffic is served right after.
import {expect} from 'chai';

import {
  ADAPTER_DEFAULTS, Communicator, Dispatcher, Logger, ServantAdapter, TarsCallError, formatEndpoint, parseEndpoint,
} from '@tars-ts/core';

import {ProbeProxy} from '../golden/codegen/rpctestTars.js';
import {Probe} from '../support/probe.js';
import {type TestServer, startServer} from '../support/test-server.js';
import {sleep, until} from '../support/wait.js';

const OBJ = 'RpcTest.ProbeServer.ProbeObj';

/** sleep(ms) calls hold until the test releases them (oldest first) when `held`; otherwise they sleep `ms`. */
class Sleeper extends Probe {
  held = true;
  private readonly waiting: (() => void)[] = [];

  override async sleep(ms: number): ReturnType<Probe['sleep']> {
    if (!this.held) return super.sleep(ms);
    this.ran.push(ms);
    await new Promise<void>((r) => this.waiting.push(r));
    return {ret: ms};
  }

  release(): void {
    this.waiting.shift()?.();
  }
}

describe('server overload protection', function () {
  this.timeout(20_000);
  let server: TestServer;
  let impl: Sleeper;
  let comm: Communicator;

  beforeEach(async () => {
    impl = new Sleeper();
    server = await startServer({[OBJ]: impl}, {adapter: 'concurrency = 2\n        queuecap = 5\n        queuetimeout = 300'});
    comm = new Communicator();
  });

  afterEach(async () => {
    comm.close();
    await server.close();
  });

  it('refuses a flood beyond queuecap at once, drops what waited too long unexecuted, then serves normally', async () => {
    const probe = comm.stringToProxy(ProbeProxy, server.proxyString(OBJ));
    const adapter = server.app.servantAdapters[0]!;
    let maxQueued = 0;
    const watch = setInterval(() => {
      maxQueued = Math.max(maxQueued, adapter.stats.queued);
    }, 5);
    // Every -9 must come back while only the first two calls have started (nothing queued has run yet).
    const startedAtRefusal: number[] = [];
    const calls = Array.from({length: 60}, (_, i) => probe.sleep(i, {timeout: 10_000}).then(() => 0,
      (e: TarsCallError) => {
        if (e.returnCode === -9) startedAtRefusal.push(impl.ran.length);
        return e.returnCode;
      }));
    // 2 run (held), 5 wait, 60 - 7 = 53 are refused at once.
    await until(() => adapter.stats.rejected === 53 && adapter.stats.queued === 5 && adapter.stats.running === 2,
      '2 running, 5 queued, 53 refused');
    await until(() => startedAtRefusal.length === 53, 'the 53 refusals received');
    expect(Math.max(...startedAtRefusal)).to.equal(2);
    // Held longer than queuetimeout (a lower bound): when a slot frees, every queued request has waited too long.
    await sleep(400);
    impl.release();
    await until(() => adapter.stats.expired === 5, 'the 5 queued requests dropped');
    expect(impl.ran, 'dropped requests never ran').to.have.length(2);
    impl.release();
    const byCode = new Map<number, number>();
    for (const code of await Promise.all(calls)) byCode.set(code, (byCode.get(code) ?? 0) + 1);
    clearInterval(watch);
    expect(Object.fromEntries(byCode)).to.deep.equal({0: 2, [-9]: 53, [-6]: 5});
    expect(maxQueued).to.be.at.most(5);
    expect(adapter.stats).to.include({rejected: 53, expired: 5, queued: 0, running: 0});
    const status = await server.app.runAdminCommand('tars.viewstatus');
    expect(status).to.match(/rejected \(-9 overload\):\s+53/);
    expect(status).to.match(/expired \(-6 queue timeout\):\s+5/);
    // Normal traffic right after the flood.
    expect(await probe.echo('after')).to.deep.equal({ret: 'after'});
  });

  it('a request whose own timeout passed while it waited is dropped with -6', async () => {
    const probe = comm.stringToProxy(ProbeProxy, server.proxyString(OBJ));
    const busy = [probe.sleep(250), probe.sleep(251)];
    await until(() => impl.ran.length === 2, 'both slots busy');
    const impatient = probe.sleep(1, {timeout: 100}).catch((e: TarsCallError) => e.returnCode);
    expect(await impatient).to.equal(-7);
    await sleep(50); // a lower bound: it has now waited in the server queue longer than its own 100 ms
    impl.release();
    impl.release();
    await Promise.all(busy);
    await until(() => server.app.servantAdapters[0]!.stats.expired === 1, 'the impatient request dropped');
    expect(impl.ran).to.deep.equal([250, 251]);
  });
});

describe('server overload logging', function () {
  this.timeout(20_000);

  it('a flood of refused requests logs a bounded number of lines that account for every refusal', async () => {
    // One WARN line per refused request made a flood write as many log lines as it had requests.
    const lines: string[] = [];
    let clock = 0; // frozen unless the test moves it: the count of lines cannot depend on the machine's speed
    const impl = new Sleeper();
    const dispatcher = new Dispatcher();
    dispatcher.add(OBJ, impl);
    const adapter = new ServantAdapter({
      ...ADAPTER_DEFAULTS, name: 'FloodAdapter', endpoint: parseEndpoint('tcp -h 127.0.0.1 -p 0 -t 60000'),
      servant: OBJ, concurrency: 2, queuecap: 5, allow: [], protocol: 'tars',
    }, dispatcher, {logger: new Logger('WARN', (line) => lines.push(line)), refusalLog: {now: () => clock}});
    await adapter.listen();
    const comm = new Communicator();
    try {
      const probe = comm.stringToProxy(ProbeProxy, `${OBJ}@${formatEndpoint(adapter.endpoint)}`);
      const flood = (n: number): Promise<unknown>[] => Array.from({length: n}, (_, i) => probe.sleep(i).catch(() => 0));
      const first = flood(60); // 2 run (held), 5 wait, 53 are refused
      await until(() => adapter.stats.rejected === 53, '53 refused');
      const refusedLines = (): string[] => lines.filter((l) => l.includes('refused'));
      expect(refusedLines()).to.have.length(1);
      clock += 1000;
      const second = flood(10);
      await until(() => adapter.stats.rejected === 63, '10 more refused');
      expect(refusedLines()).to.have.length(2);
      impl.held = false;
      for (let i = 0; i < 7; i++) impl.release();
      await Promise.all([...first, ...second]);
      await adapter.close(2000);
      const counted = refusedLines().map((l) => Number(/refused (\d+) request/.exec(l)![1]));
      expect(counted).to.deep.equal([1, 53, 9]); // the last 9 reported when the adapter closed
      expect(refusedLines()[2]).to.match(/-9 overload: 9\); latest: -9 for RpcTest\.ProbeServer\.ProbeObj\.sleep /);
    } finally {
      comm.close();
      await adapter.close();
    }
  });
});
