// Several registries on one PostgreSQL database survive one of them being killed (issue 19, item 2, end to end):
// two `tars registry start --db URL` processes on 127.0.0.1 sharing the run's throwaway database
// (test/support/postgres.ts), a node whose locator lists both, and a small service deployed on it with registry 1 as
// the locator. Shown: `tars.tarsregistry.QueryObj` resolves to both registries from either; a client with the
// two-endpoint locator keeps looking the service up and calling it while registry 1 is killed with SIGKILL (its
// failures counted, the time until lookups succeed again through registry 2 measured), and new clients with that
// locator find it at once (a request whose connection never opens goes to the other registry); registry 2 lists
// registry 1's QueryObj inactive within the registry timeout; the node's heart-beats, now taken by registry 2 alone,
// keep the node and the service active past the node timeout; registry 1 started again (same --data, --db and
// ports) is listed again by both. The figures are printed in one line.
import {expect} from 'chai';
import type {ChildProcess} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {Communicator, ServantProxy, T} from '@tars-ts/core';
import {type EndpointF, QueryF, RegistryCtl} from '@tars-ts/core/framework';

import {endpointOf, exited, killChildren, killPids, startCliDaemon, tarsJson} from '../support/cli-daemon.js';
import {writeServicePackage} from '../support/echo-service.js';
import {consecutiveFreePorts, freePort, stablePortRange} from '../support/ports.js';
import {freshDatabase} from '../support/postgres.js';

const QUERY = 'tars.tarsregistry.QueryObj';
const SERVICE = 'Failover.Echo';
const SERVICE_OBJ = `${SERVICE}.EchoObj`;
const NODE = 'failover-node';
/** The shortest node timeout the registry takes (--node-timeout min), and how often it looks for silent nodes. */
const NODE_TIMEOUT_MS = 15_000;
const REAP_MS = 1000;
const SYNC_MS = 500;
const REGISTRY_TIMEOUT_MS = 3000;
const KEEPALIVE_MS = 1000;

/** The service: `Echo` answers the pid of the process serving it. Its pid goes to PIDS (the test's cleanup). */
const ECHO_JS = (pids: string) => `import {appendFileSync} from 'node:fs';
import {Application, Servant, T} from '@tars-ts/core';
appendFileSync(${JSON.stringify(pids)}, process.pid + '\\n');
// A last resort should every cleanup miss it: no test of this file runs this long.
setTimeout(() => process.exit(0), 300_000).unref();
const ECHO = {name: 'Echo', ret: T.string, params: []};
const app = await Application.fromArgs(process.argv);
class Echo extends Servant {
  static $interface = {name: 'Test.Echo', operations: [ECHO]};
  async Echo() { return {ret: String(process.pid)}; }
}
app.addServant(new Echo(), '${SERVICE_OBJ}');
await app.start();
`;

const ECHO = {name: 'Echo', ret: T.string, params: []};
class EchoProxy extends ServantProxy {
  static $interface = {name: 'Test.Echo', operations: [ECHO]};
  Echo(): Promise<{ret: string}> {
    return this.$invoke(ECHO, []) as Promise<{ret: string}>;
  }
}

/** `host:port` of each endpoint, sorted. */
const hp = (eps: readonly EndpointF.EndpointF[]) => eps.map((e) => `${e.host}:${e.port}`).sort();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `test` every `every` ms until it holds (resolves with the time it did), for at most `ms`. */
async function waitFor(what: string, ms: number, test: () => Promise<boolean>, every = 100): Promise<number> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      if (await test()) return Date.now();
    } catch (error) {
      last = error;
    }
    if (Date.now() > end) {
      throw new Error(`${what}: not within ${ms} ms${last ? ` (last error: ${String(last)})` : ''}`);
    }
    await sleep(every);
  }
}

/** One round of the client loop: a lookup through the two-registry locator, and a call of the service by name. */
interface Round {
  t: number;
  lookup: boolean;
  call: boolean;
}

describe('several registries on one PostgreSQL database survive one being killed (processes)', function () {
  this.timeout(120_000);
  let work: string;
  let url: string;
  const ports = {reg1: 0, reg2: 0, node: 0, service: 0};
  let locator1: string;
  let locator2: string;
  let locatorBoth: string;
  let reg1: ChildProcess | undefined;
  let node: ChildProcess | undefined;
  const children: ChildProcess[] = [];
  const comms: Communicator[] = [];
  let comm: Communicator;
  let query1: QueryF.QueryFProxy;
  let query2: QueryF.QueryFProxy;
  const savedEnv = {config: process.env.TARS_CONFIG_DIR, cache: process.env.TARS_CACHE_DIR};
  const figures: Record<string, number | string> = {};

  const registryArgs = (n: 1 | 2) => ['registry', 'start', '--host', '127.0.0.1', '--port',
    String(n === 1 ? ports.reg1 : ports.reg2), '--data', path.join(work, `registry${n}`), '--db', url,
    '--sync-interval', String(SYNC_MS), '--registry-timeout', String(REGISTRY_TIMEOUT_MS), '--node-timeout',
    String(NODE_TIMEOUT_MS), '--reap-interval', String(REAP_MS)];
  const startRegistry = async (n: 1 | 2): Promise<ChildProcess> => {
    const {child, out} = await startCliDaemon(registryArgs(n));
    children.push(child);
    // It listens where it was told to: the node's locator names these ports.
    expect(endpointOf(out, QUERY)).to.match(new RegExp(`^tcp -h 127\\.0\\.0\\.1 -p ${n === 1 ? ports.reg1
      : ports.reg2}\\b`));
    return child;
  };
  /** The active and inactive QueryObj endpoints `query` lists (findObjectById4Any: no grouping). */
  const queryObjs = async (query: QueryF.QueryFProxy) => {
    const r = await query.findObjectById4Any(QUERY);
    expect(r.ret).to.equal(0);
    return {active: hp(r.activeEp), inactive: hp(r.inactiveEp)};
  };
  const at = (port: number) => `127.0.0.1:${port}`;

  before(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'tars-failover-'));
    // The in-process `tars` commands keep their settings and endpoint cache here, not in the user's.
    process.env.TARS_CONFIG_DIR = path.join(work, 'config');
    process.env.TARS_CACHE_DIR = path.join(work, 'cache');
    url = await freshDatabase('failover');
    // Registry 1 is killed and started again on its ports: keep them out of the ephemeral range.
    ports.reg1 = await stablePortRange(4);
    do ports.reg2 = await stablePortRange(4);
    while (Math.abs(ports.reg2 - ports.reg1) < 4);
    ports.node = await consecutiveFreePorts(2);
    ports.service = await freePort();
    locator1 = `${QUERY}@tcp -h 127.0.0.1 -p ${ports.reg1}`;
    locator2 = `${QUERY}@tcp -h 127.0.0.1 -p ${ports.reg2}`;
    locatorBoth = `${QUERY}@tcp -h 127.0.0.1 -p ${ports.reg1}:tcp -h 127.0.0.1 -p ${ports.reg2}`;

    const t0 = Date.now();
    // Both settled before going on: one that fails must not leave the other starting unseen by the cleanup.
    const regs = await Promise.allSettled([startRegistry(1), startRegistry(2)]);
    for (const r of regs) if (r.status === 'rejected') throw r.reason;
    reg1 = (regs[0] as PromiseFulfilledResult<ChildProcess>).value;
    const ready = Date.now();
    figures.registriesUpMs = ready - t0;
    comm = new Communicator({syncInvokeTimeout: 2000});
    comms.push(comm);
    query1 = comm.stringToProxy(QueryF.QueryFProxy, locator1, {timeout: 2000});
    query2 = comm.stringToProxy(QueryF.QueryFProxy, locator2, {timeout: 2000});
    // Each lists the other once it has synced (every 500 ms). Only then the node: it resolves RegistryObj once (and
    // again every refresh-endpoint-interval, 60 s), and must get both registries' to beat through the survivor.
    const both = [at(ports.reg1), at(ports.reg2)].sort().join();
    figures.mutualListingMs = await waitFor('both registries list both QueryObjs', 5000, async () =>
      (await queryObjs(query1)).active.join() === both && (await queryObjs(query2)).active.join() === both) - ready;

    const t1 = Date.now();
    const started = await startCliDaemon(['node', 'start', '--host', '127.0.0.1', '--port', String(ports.node),
      '--name', NODE, '--data', path.join(work, 'node'), '--locator', locatorBoth, '--keepalive-interval',
      String(KEEPALIVE_MS)]);
    node = started.child;
    children.push(node);
    figures.nodeUpMs = Date.now() - t1;
    // The node registered with one of them; the deploy may reach either: wait until both know it (a sync later).
    const ctls = [ports.reg1, ports.reg2].map((p) => comm.stringToProxy(RegistryCtl.RegistryCtlProxy,
      `tars.tarsregistry.RegistryCtlObj@tcp -h 127.0.0.1 -p ${p + 3}`, {timeout: 2000}));
    await waitFor('both registries know the node', 5000, async () => (await Promise.all(ctls.map((c) =>
      c.listNodes()))).every(({nodes}) => nodes.some((n) => n.name === NODE)));

    // The service's package: a module importing the runtime (linked in, as a tars new project's file: link is).
    const pkg = path.join(work, 'package');
    writeServicePackage(pkg, 'failover-echo', ECHO_JS(path.join(work, 'service.pids')));
    // Deployed with registry 1 as the locator: the CLI resolves RegistryCtlObj through registry 1's QueryObj, which
    // lists both registries' (the store is shared: either takes the writes, the other follows).
    const t2 = Date.now();
    const deployed = await tarsJson<{node: string; pid: number; adapters: {endpoint: string}[]}>(['server', 'deploy',
      SERVICE, '--package', pkg, '--node', NODE, '--adapter', `EchoObj=tcp -h 127.0.0.1 -p ${ports.service} -t 60000`,
      '--locator', locator1]);
    const deployedAt = Date.now();
    figures.deployMs = deployedAt - t2;
    expect(deployed.node).to.equal(NODE);
    expect(deployed.pid).to.be.above(0);
    // The node reports the server's state to the registry without holding up the deploy's answer, to either
    // registry (its RegistryObj lists both); the other takes it at its next sync. Both list it active soon after.
    const activeVia = async (query: QueryF.QueryFProxy) => {
      const r = await query.findObjectById4Any(SERVICE_OBJ);
      return r.ret === 0 && hp(r.activeEp).join() === at(ports.service);
    };
    const [via1, via2] = await Promise.all([query1, query2].map((q) =>
      waitFor('the registry lists the service active', 5000, () => activeVia(q), 20)));
    figures.serviceActiveVia1Ms = via1! - deployedAt;
    figures.serviceActiveVia2Ms = via2! - deployedAt;
  });

  after(async () => {
    for (const c of comms.splice(0)) c.close();
    // The node first (it would start its server again), then the registries, then the service it left running.
    await killChildren([node, ...children].filter((c): c is ChildProcess => c !== undefined));
    children.length = 0;
    if (work) {
      const pids = path.join(work, 'service.pids');
      if (existsSync(pids)) {
        // Only a process still running our package (a pid is never signalled on its number alone).
        killPids(readFileSync(pids, 'utf8').split('\n').filter(Boolean).map(Number).filter((pid) => {
          try {
            return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(work);
          } catch {
            return false;
          }
        }));
      }
      rmSync(work, {recursive: true, force: true});
    }
    for (const [key, value] of [['TARS_CONFIG_DIR', savedEnv.config], ['TARS_CACHE_DIR', savedEnv.cache]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it('tars.tarsregistry.QueryObj resolves to both registries through either; the service through both', async () => {
    const both = [at(ports.reg1), at(ports.reg2)].sort();
    expect(await queryObjs(query1)).to.deep.equal({active: both, inactive: []});
    expect(await queryObjs(query2)).to.deep.equal({active: both, inactive: []});
    for (const locator of [locator1, locator2]) {
      const found = await tarsJson<{endpoints: {endpoint: string; active: boolean}[]}>(['registry', 'find', QUERY,
        '--locator', locator]);
      expect(found.endpoints.filter((e) => e.active).map((e) => / -p (\d+)/.exec(e.endpoint)![1]).sort())
        .to.deep.equal([String(ports.reg1), String(ports.reg2)].sort());
      const service = await tarsJson<{endpoints: {endpoint: string; active: boolean; node: string}[]}>(['registry',
        'find', SERVICE_OBJ, '--locator', locator]);
      expect(service.endpoints.map((e) => `${e.endpoint.includes(`-p ${ports.service}`)} ${e.active} ${e.node}`))
        .to.deep.equal([`true true ${NODE}`]);
    }
  });

  it('registry 1 killed: the client fails over to registry 2, which lists registry 1 inactive, keeps the node ' +
    'and the service alive past the node timeout, and lists registry 1 again once it is back', async () => {
    // A long-lived client with both registries in its locator: a lookup of the service through QueryObj and a call
    // of the service by name (its endpoints refreshed from the registry every 200 ms) per round, every 20 ms.
    const client = new Communicator({locator: locatorBoth, refreshEndpointInterval: 200, syncInvokeTimeout: 1000});
    comms.push(client);
    const lookupPrx = client.stringToProxy(QueryF.QueryFProxy, locatorBoth, {timeout: 1000});
    const echo = client.stringToProxy(EchoProxy, SERVICE_OBJ, {timeout: 1000});
    const rounds: Round[] = [];
    let stop = false;
    const loopDeadline = Date.now() + 45_000;
    const loop = (async () => {
      while (!stop && Date.now() < loopDeadline && rounds.length < 5000) {
        const [lookup, call] = await Promise.all([
          lookupPrx.findObjectByIdInSameGroup(SERVICE_OBJ).then((r) => r.ret === 0 &&
            hp(r.activeEp).includes(at(ports.service)), () => false),
          echo.Echo().then((r) => r.ret !== '', () => false)]);
        rounds.push({t: Date.now(), lookup, call});
        await sleep(20);
      }
    })();
    try {
      // Warm: every round good for a moment before the kill.
      await waitFor('the client looks up and calls the service', 10_000, async () =>
        rounds.length >= 10 && rounds.slice(-10).every((r) => r.lookup && r.call));
      const killAt = Date.now();
      reg1!.kill('SIGKILL');
      await exited(reg1!);

      // (b) The client's lookups: failures after the kill, and when they succeed again (registry 2 only is left).
      await waitFor('lookups succeed again after the kill', 10_000, async () => {
        const after = rounds.filter((r) => r.t > killAt);
        return after.length >= 20 && after.slice(-20).every((r) => r.lookup);
      }, 50);
      const afterKill = rounds.filter((r) => r.t > killAt);
      const lastFailed = afterKill.findLast((r) => !r.lookup);
      const recovered = lastFailed ? afterKill.find((r) => r.t > lastFailed.t && r.lookup)! : afterKill[0]!;
      figures.lookupFailures = afterKill.filter((r) => !r.lookup).length;
      figures.lookupRecoveredMs = recovered.t - killAt;

      // A new client (a process started now, as each `tars` command is) knows nothing of the dead registry: its
      // first lookup goes to either endpoint of its locator, and one sent to the dead one, whose connection never
      // opens, goes on to the other (core/src/rpc/client/object-proxy.ts): none fails, each costs a refused connect.
      let freshFailed = 0;
      let freshSlowestMs = 0;
      const FRESH = 20;
      for (let i = 0; i < FRESH; i++) {
        const fresh = new Communicator();
        const started = performance.now();
        try {
          const r = await fresh.stringToProxy(QueryF.QueryFProxy, locatorBoth, {timeout: 3000})
            .findObjectByIdInSameGroup(SERVICE_OBJ);
          if (r.ret !== 0 || !hp(r.activeEp).includes(at(ports.service))) freshFailed++;
        } catch {
          freshFailed++;
        } finally {
          fresh.close();
        }
        freshSlowestMs = Math.max(freshSlowestMs, performance.now() - started);
      }
      figures.freshClientFailures = `${freshFailed}/${FRESH}`;
      figures.freshClientSlowestMs = Math.round(freshSlowestMs);
      expect(freshFailed, 'fresh clients\' first lookups failing').to.equal(0);

      // (c) Registry 2 lists registry 1's servants inactive within the registry timeout: its QueryObj answers
      // tars.tarsregistry.QueryObj with itself only.
      const inactiveAt = await waitFor('registry 2 lists registry 1 inactive', REGISTRY_TIMEOUT_MS + 5000,
        async () => {
          const objs = await queryObjs(query2);
          return objs.active.join() === at(ports.reg2) && objs.inactive.includes(at(ports.reg1));
        }, 50);
      figures.listedInactiveMs = inactiveAt - killAt;
      const found = await tarsJson<{endpoints: {endpoint: string; active: boolean}[]}>(['registry', 'find', QUERY,
        '--locator', locator2]);
      expect(found.endpoints.filter((e) => e.active).map((e) => e.endpoint)).to.have.length(1)
        .and.satisfy((eps: string[]) => eps[0]!.includes(`-p ${ports.reg2}`));
      expect((await query2.findObjectById(QUERY)).ret.map((e) => e.port)).to.deep.equal([ports.reg2]);

      // (d) Past the node timeout (plus two reaper periods) with registry 2 alone taking the heart-beats: the node
      // is alive and the service active.
      await sleep(Math.max(0, killAt + NODE_TIMEOUT_MS + 2 * REAP_MS + 500 - Date.now()));
      const nodes = await tarsJson<{nodes: {name: string; alive: boolean; lastHeartbeat: string}[]}>(['registry',
        'nodes', '--locator', locator2]);
      const ours = nodes.nodes.find((n) => n.name === NODE);
      expect(ours?.alive, JSON.stringify(nodes)).to.equal(true);
      figures.lastBeatAgoMs = Date.now() - Date.parse(ours!.lastHeartbeat);
      // Its heart-beats went on after the kill: registry 2 took them.
      expect(Date.parse(ours!.lastHeartbeat), 'a heart-beat after the kill').to.be.greaterThan(killAt);
      const service = await tarsJson<{endpoints: {endpoint: string; active: boolean; node: string}[]}>(['registry',
        'find', SERVICE_OBJ, '--locator', locator2, '--all']);
      expect(service.endpoints.map((e) => `${e.endpoint.includes(`-p ${ports.service}`)} ${e.active} ${e.node}`))
        .to.deep.equal([`true true ${NODE}`]);
      figures.sinceKillMs = Date.now() - killAt;

      // The client, all along: lookups failed only right after the kill, calls of the service never.
      const beforeRestart = rounds.filter((r) => r.t > killAt);
      figures.rounds = beforeRestart.length;
      figures.lookupFailuresTotal = beforeRestart.filter((r) => !r.lookup).length;
      figures.callFailures = beforeRestart.filter((r) => !r.call).length;
      expect(figures.lookupFailuresTotal, 'lookups failing after the recovery').to.equal(figures.lookupFailures);
      expect(figures.callFailures).to.equal(0);
      // No failed lookup beyond the one in flight when registry 1 died (the client looks up one at a time).
      expect(figures.lookupFailures).to.be.at.most(1);
      expect(figures.rounds).to.be.above(100);

      // (e) Registry 1 started again, on the same data directory, database and ports: listed by both again.
      const restart = Date.now();
      reg1 = await startRegistry(1);
      const readyAt = Date.now();
      const both = [at(ports.reg1), at(ports.reg2)].sort().join();
      const backAt = await waitFor('both registries list registry 1 again', 5000, async () =>
        (await queryObjs(query2)).active.join() === both && (await queryObjs(query1)).active.join() === both, 50);
      figures.restartReadyMs = readyAt - restart;
      figures.listedAgainMs = backAt - readyAt;
      const again = await tarsJson<{endpoints: {endpoint: string; active: boolean}[]}>(['registry', 'find', QUERY,
        '--locator', locator2]);
      expect(again.endpoints.filter((e) => e.active).map((e) => / -p (\d+)/.exec(e.endpoint)![1]).sort())
        .to.deep.equal([String(ports.reg1), String(ports.reg2)].sort());
      // The restarted registry serves the service from the shared store.
      const r = await query1.findObjectByIdInSameGroup(SERVICE_OBJ);
      expect(hp(r.activeEp)).to.deep.equal([at(ports.service)]);
    } catch (error) {
      console.log(`    registry failover: failed; the figures so far: ${JSON.stringify(figures)}`);
      throw error;
    } finally {
      stop = true;
      await loop;
    }

    console.log(`    registry failover: ${figures.lookupFailures} of the client's lookups failed after the SIGKILL, ` +
      `all succeeding through registry 2 ${figures.lookupRecoveredMs} ms after it (${figures.rounds} rounds, ` +
      `${figures.callFailures} calls of the service failed); fresh clients' first lookups failed ` +
      `${figures.freshClientFailures} (slowest ${figures.freshClientSlowestMs} ms); registry 1 listed inactive by ` +
      `registry 2 ${figures.listedInactiveMs} ms after the kill (registry timeout ${REGISTRY_TIMEOUT_MS} ms, sync ` +
      `${SYNC_MS} ms); node and service still active ${figures.sinceKillMs} ms after it (node timeout ` +
      `${NODE_TIMEOUT_MS} ms, last beat ${figures.lastBeatAgoMs} ms before); registry 1 READY ` +
      `${figures.restartReadyMs} ms after its restart, listed again by both ${figures.listedAgainMs} ms later ` +
      `(setup: registries ${figures.registriesUpMs} ms, each listing the other ${figures.mutualListingMs} ms ` +
      `after both were READY, node ${figures.nodeUpMs} ms, deploy ${figures.deployMs} ms, the service active ` +
      `through registry 1 ${figures.serviceActiveVia1Ms} ms and through registry 2 ${figures.serviceActiveVia2Ms} ` +
      'ms after the deploy returned)');
  });
});
