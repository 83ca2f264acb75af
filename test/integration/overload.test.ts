// Server overload protection with real sockets: a flood beyond queuecap is refused at once (-9), requests that
// waited longer than queuetimeout are dropped unexecuted (-6), the queue never grows beyond its cap, and normal
// traffic is served right after.
import {expect} from 'chai';

import {Communicator, TarsCallError} from '@tars-ts/core';

import {ProbeProxy} from '../golden/codegen/rpctestTars.js';
import {Probe as Sleeper} from '../support/probe.js';
import {type TestServer, startServer} from '../support/test-server.js';

const OBJ = 'RpcTest.ProbeServer.ProbeObj';


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

  it('refuses a flood beyond queuecap at once, drops what waited too long, then serves normally', async () => {
    const probe = comm.stringToProxy(ProbeProxy, server.proxyString(OBJ));
    const adapter = server.app.servantAdapters[0]!;
    let maxQueued = 0;
    const watch = setInterval(() => {
      maxQueued = Math.max(maxQueued, adapter.stats.queued);
    }, 5);
    const started = performance.now();
    const outcomes = await Promise.all(Array.from({length: 60}, (_, i) => probe.sleep(200 + i, {timeout: 5000})
      .then(() => ({code: 0, at: performance.now() - started}),
        (e: TarsCallError) => ({code: e.returnCode, at: performance.now() - started}))));
    clearInterval(watch);
    const byCode = new Map<number, number>();
    for (const o of outcomes) byCode.set(o.code, (byCode.get(o.code) ?? 0) + 1);
    // 2 run at once, 5 wait: 60 - 7 = 53 refused with -9 before any sleep ends.
    expect(byCode.get(-9)).to.equal(53);
    const overloads = outcomes.filter((o) => o.code === -9);
    const firstSuccess = Math.min(...outcomes.filter((o) => o.code === 0).map((o) => o.at));
    expect(Math.max(...overloads.map((o) => o.at))).to.be.below(firstSuccess);
    // After ~200 ms two queued requests start (waited < 300 ms); the other three have waited ~400 ms when a slot
    // frees again: -6, never executed.
    expect(byCode.get(0)).to.equal(4);
    expect(byCode.get(-6)).to.equal(3);
    expect(impl.ran).to.have.length(4);
    expect(maxQueued).to.be.at.most(5);
    const s = adapter.stats;
    expect(s).to.include({rejected: 53, expired: 3, queued: 0, running: 0});
    const status = await server.app.runAdminCommand('tars.viewstatus');
    expect(status).to.match(/rejected \(-9 overload\):\s+53/);
    expect(status).to.match(/expired \(-6 queue timeout\):\s+3/);
    // Normal traffic right after the flood.
    expect(await probe.echo('after')).to.deep.equal({ret: 'after'});
  });

  it('a request whose own timeout passed while it waited is dropped with -6', async () => {
    const probe = comm.stringToProxy(ProbeProxy, server.proxyString(OBJ));
    const busy = [probe.sleep(250), probe.sleep(250)];
    const impatient = probe.sleep(1, {timeout: 100}).catch((e: TarsCallError) => e.returnCode);
    expect(await impatient).to.equal(-7);
    await Promise.all(busy);
    await new Promise((r) => setTimeout(r, 20));
    expect(server.app.servantAdapters[0]!.stats.expired).to.equal(1);
    expect(impl.ran).to.deep.equal([250, 250]);
  });
});
