// Client governance with three real servers on loopback: a killed server is blocked and traffic moves to the
// others with a bounded number of failed calls; a slow server is blocked by the failure-ratio rule and restored
// after it recovers; consistent hashing remaps only about 1/N of the keys when one of N endpoints goes.
import {expect} from 'chai';

import {Communicator, type ObjectProxy, TarsCallError, formatEndpoint} from '@tars-ts/core';

import {ProbeProxy} from '../golden/codegen/rpctestTars.js';
import {Probe as Named} from '../support/probe.js';
import {freePort} from '../support/ports.js';
import {type TestServer, startServer} from '../support/test-server.js';

const OBJ = 'RpcTest.ProbeServer.ProbeObj';


interface Cluster {
  servers: TestServer[];
  servants: Named[];
  /** `Obj@ep1:ep2:ep3` over the given servers. */
  proxyString(indexes?: number[]): string;
  close(): Promise<void>;
}

async function cluster(n: number): Promise<Cluster> {
  const servants = Array.from({length: n}, (_, i) => new Named(`s${i}`));
  const servers = await Promise.all(servants.map((s) => startServer({[OBJ]: s})));
  return {
    servers, servants,
    proxyString: (indexes = servants.map((_, i) => i)) => `${OBJ}@` + indexes.map((i) =>
      formatEndpoint(servers[i]!.app.servantAdapters[0]!.endpoint)).join(':'),
    close: async () => {
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}

function stateOf(proxy: ObjectProxy, index: number): string {
  return proxy.endpointManager.health()[index]!.state;
}

describe('client governance against real servers', function () {
  this.timeout(30_000);
  let c: Cluster;
  let comm: Communicator;

  afterEach(async () => {
    comm?.close();
    await c?.close();
  });

  it('a killed server is blocked at its first failed connect; the failures during the switch are bounded', async () => {
    c = await cluster(3);
    comm = new Communicator({blocking: {retryIntervalMs: 60_000}});
    const proxy = comm.stringToProxy(ProbeProxy, c.proxyString());
    const raw = comm.objectProxy(c.proxyString());
    let ok = 0;
    const failures: number[] = [];
    const served = new Map<string, number>();
    const load = async (calls: number): Promise<void> => {
      await Promise.all(Array.from({length: 8}, async () => {
        for (let i = 0; i < calls / 8; i++) {
          try {
            const {ret} = await proxy.echo('x', {timeout: 1000});
            served.set(ret, (served.get(ret) ?? 0) + 1);
            ok++;
          } catch (error) {
            failures.push((error as TarsCallError).returnCode);
          }
        }
      }));
    };
    await load(240);
    expect(ok).to.equal(240);
    expect([...served.keys()].sort()).to.deep.equal(['s0', 's1', 's2']);
    await c.servers[1]!.close();
    served.clear();
    await load(400);
    // Calls in flight on the closed connection, plus the first connect attempt: at most the concurrency (8) and one.
    expect(failures.length).to.be.at.most(9);
    expect(failures.every((code) => code === -8 || code === -7)).to.equal(true);
    expect(ok + failures.length).to.equal(640);
    expect(stateOf(raw, 1)).to.equal('blocked');
    // Once blocked, nothing more goes to it: the last 200 calls were all served by the other two.
    served.clear();
    const before = failures.length;
    await load(200);
    expect(failures.length).to.equal(before);
    expect([...served.keys()].sort()).to.deep.equal(['s0', 's2']);
  });

  it('a request whose connection never opened goes to another endpoint, not back to the caller as -8', async () => {
    c = await cluster(1);
    comm = new Communicator();
    const dead = `tcp -h 127.0.0.1 -p ${await freePort()} -t 60000`;
    const live = formatEndpoint(c.servers[0]!.app.servantAdapters[0]!.endpoint);
    // The dead endpoint first: a round-robin start picks it for the very first call.
    const proxy = comm.stringToProxy(ProbeProxy, `${OBJ}@${dead}:${live}`);
    for (let i = 0; i < 20; i++) expect((await proxy.echo('x', {timeout: 2000})).ret).to.equal('s0');
    expect(stateOf(comm.objectProxy(`${OBJ}@${dead}:${live}`), 0)).to.equal('blocked');
    // With no other endpoint to go to, the connect failure is the caller's, at once.
    const alone = comm.stringToProxy(ProbeProxy, `${OBJ}@${dead}`);
    const error = await alone.echo('x', {timeout: 2000}).then(() => undefined, (e: TarsCallError) => e);
    expect(error?.returnCode).to.equal(-8);
    // A ping names each endpoint: the dead one answers with its failure, not with the live one's time.
    const pings = await comm.objectProxy(`${OBJ}@${dead}:${live}`).ping();
    expect(pings.map((p) => (p.error as TarsCallError | undefined)?.returnCode ?? 0)).to.deep.equal([-8, 0]);
  });

  it('a slow server is blocked by the timeout-ratio rule, then restored by a probe after it recovers', async () => {
    c = await cluster(3);
    comm = new Communicator({blocking: {checkWindowMs: 400, minCallsInWindow: 4, minFailuresInWindow: 2,
      failRatio: 0.5, consecutiveFailures: 1000, retryIntervalMs: 600}});
    const proxy = comm.stringToProxy(ProbeProxy, c.proxyString());
    const raw = comm.objectProxy(c.proxyString());
    c.servants[2]!.delayMs = 300;
    const states: string[] = [];
    const deadline = Date.now() + 4000;
    while (Date.now() < deadline && stateOf(raw, 2) !== 'blocked') {
      await Promise.all(Array.from({length: 6}, () => proxy.echo('x', {timeout: 80}).catch(() => undefined)));
      await new Promise((r) => setTimeout(r, 20));
    }
    states.push(stateOf(raw, 2));
    expect(states).to.deep.equal(['blocked']);
    // While blocked (before the retry interval) it gets no calls.
    const callsWhenBlocked = c.servants[2]!.calls;
    for (let i = 0; i < 30; i++) expect((await proxy.echo('x', {timeout: 500})).ret).to.not.equal('s2');
    expect(c.servants[2]!.calls).to.equal(callsWhenBlocked);
    // It recovers; after the retry interval one probe call goes through and brings it back.
    c.servants[2]!.delayMs = 0;
    await new Promise((r) => setTimeout(r, 650));
    const seen = new Set<string>();
    for (let i = 0; i < 30; i++) seen.add((await proxy.echo('x', {timeout: 500})).ret);
    expect(stateOf(raw, 2)).to.equal('active');
    expect(seen.has('s2')).to.equal(true);
  });

  it('consistent hashing: removing one of N endpoints remaps only about 1/N of the keys', async () => {
    c = await cluster(4);
    comm = new Communicator();
    const full = comm.stringToProxy(ProbeProxy, c.proxyString([0, 1, 2, 3]));
    const less = comm.stringToProxy(ProbeProxy, c.proxyString([0, 1, 3]));
    const keys = Array.from({length: 400}, (_, i) => `user-${i}`);
    const route = async (p: ProbeProxy): Promise<string[]> => {
      const out: string[] = [];
      for (const k of keys) out.push((await p.echo(k, {hashCode: k, hashType: 'consistent'})).ret);
      return out;
    };
    const before = await route(full);
    const after = await route(less);
    const moved = keys.filter((_, i) => before[i] !== after[i]);
    const onRemoved = keys.filter((_, i) => before[i] === 's2');
    // Exactly the keys of the removed endpoint move, and they are about a quarter of all keys.
    expect(moved).to.deep.equal(onRemoved);
    expect(moved.length / keys.length).to.be.within(0.1, 0.45);
    // The same key always lands on the same server.
    expect(await route(full)).to.deep.equal(before);
  });

  it('modulo hashing sends a hash code to the same server every time', async () => {
    c = await cluster(3);
    comm = new Communicator();
    const proxy = comm.stringToProxy(ProbeProxy, c.proxyString());
    for (const code of [1, 2, 77, 1000]) {
      const first = (await proxy.echo('x', {hashCode: code})).ret;
      for (let i = 0; i < 5; i++) expect((await proxy.echo('x', {hashCode: code})).ret).to.equal(first);
    }
  });

  it('weighted endpoints get traffic in proportion to -w', async () => {
    c = await cluster(2);
    comm = new Communicator();
    const eps = [0, 1].map((i) => `${formatEndpoint(c.servers[i]!.app.servantAdapters[0]!.endpoint)} -w ${i === 0 ? 30 : 10} -v 1`);
    const proxy = comm.stringToProxy(ProbeProxy, `${OBJ}@${eps.join(':')}`);
    const count = new Map<string, number>();
    for (let i = 0; i < 80; i++) {
      const {ret} = await proxy.echo('x');
      count.set(ret, (count.get(ret) ?? 0) + 1);
    }
    expect(count.get('s0')).to.equal(60);
    expect(count.get('s1')).to.equal(20);
  });
});
