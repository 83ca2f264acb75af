// Issue 17's chaos test, from the CLI only: a cluster started as a user starts it (`tars cluster start --detach` in
// a child process), a small echo service deployed on its node, state seeded in every store (two config versions, an
// uploaded package, notify rows). Then each base service in turn (log, config, stat, patch, node, registry) is killed
// with -9 while a `tars call --repeat` child calls the echo service by bare name: the failed calls of each kill are
// printed (no bound is asserted on them: they are the measurement), every killed service comes back (the node
// restarts the four it runs; `tars cluster start` the node and the registry, the node adopting what runs), and at
// the end every store still shows what was seeded. Every process started here is killed by pid in `after`.
import {expect} from 'chai';
import {type ChildProcess, spawn} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {Communicator, ServantProxy, T} from '@tars-ts/core';
import {processAlive} from '@tars-ts/kit';

import {killChildren, killPids, tars, tarsJson} from '../../../../test/support/cli-daemon.js';
import {stablePortRange} from '../../../../test/support/ports.js';
import {sleep, until} from '../../../../test/support/wait.js';
import {writeServicePackage} from '../../../../test/support/echo-service.js';

const root = new URL('../../../..', import.meta.url).pathname.replace(/\/$/, '');
const bin = path.join(root, 'bin/dev.js');

const SERVER = 'Chaos.Echo';
const OBJ = 'Chaos.Echo.EchoObj';

/** The echo service: EchoHello answers its argument, Count says how many EchoHello calls it has answered. */
const ECHO_SOURCE = `import {Application, Servant, T} from '@tars-ts/core';
const ECHO = {name: 'EchoHello', ret: T.int, params: [{name: 'req', tag: 1, type: T.string, out: false},
  {name: 'resp', tag: 2, type: T.string, out: true}]};
const COUNT = {name: 'Count', ret: T.long, params: []};
let calls = 0n;
class Echo extends Servant {
  static $interface = {name: 'Chaos.Echo', operations: [ECHO, COUNT]};
  EchoHello(req) { calls++; return {ret: 0, resp: req}; }
  Count() { return {ret: calls}; }
}
const app = await Application.fromArgs(process.argv);
app.addServant(new Echo(), '${OBJ}');
await app.start();
`;

const COUNT = {name: 'Count', ret: T.long, params: []};

/** A proxy for the echo service's Count, called at its endpoint (not through the registry: it gets killed). */
class CountProxy extends ServantProxy {
  static override readonly $interface = {name: 'Chaos.Echo', operations: [COUNT]};
  Count(): Promise<{ret: bigint}> {
    return this.$invoke(COUNT, []);
  }
}

interface ServiceStatus {
  name: string;
  state: 'running' | 'not answering' | 'stopped';
  pid?: number;
}

interface RepeatJson {
  calls: number;
  ok: number;
  failed: number;
  byCode: Record<string, number>;
  callsPerSec: number;
  maxMs: number;
}

interface ServerRow {
  server: string;
  node: string;
  setting: string;
  present: string;
  state: string;
  pid: number;
  release?: string;
  endpoints?: string[];
}

interface NotifyEntry {
  time?: string;
  server: string;
  message: string;
  level?: string;
}

/** One kill's numbers, for the closing note. */
interface KillRecord {
  service: string;
  pid: number;
  calls: number;
  failed: number;
  byCode: Record<string, number>;
  /** Calls the echo service answered after the kill, in this load. */
  afterKill: number;
  backMs: number;
}

describe('chaos: kill -9 of each base service under tars call --repeat load by bare name', function () {
  this.timeout(600_000);
  let work: string;
  let dataDir: string;
  let configDir: string;
  let savedConfigDir: string | undefined;
  let savedCacheDir: string | undefined;
  let echoPort: number;
  let counter: CountProxy;
  const comm = new Communicator();
  /** Every child process started here (the cluster start, load clients), killed by pid in `after`. */
  const children: ChildProcess[] = [];
  /** Every pid the cluster was seen with (daemons, servers of the node), killed in `after` if still alive. */
  const seenPids = new Set<number>();
  const kills: KillRecord[] = [];
  let seeded: {servers: ServerRow[]; configHistory: {versions: {version: number}[]};
    patches: {versions: {version: string}[]}; notify: NotifyEntry[]};

  // The CLI's endpoint cache (TARS_CACHE_DIR) is the test's own too: a bare name resolves from it with the registry down.
  const env = (): NodeJS.ProcessEnv => ({...process.env, TARS_CONFIG_DIR: configDir,
    TARS_CACHE_DIR: path.join(work, 'cache')});

  /** `tars ...args` as a child process, as a user types it; its exit code and output. */
  function tarsChild(args: string[], timeoutMs = 120_000): Promise<{exit: number; stdout: string; stderr: string}> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [bin, ...args], {cwd: root, env: env(), stdio: ['ignore', 'pipe', 'pipe']});
      children.push(child);
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (c: Buffer) => {
        stdout += c.toString();
      });
      child.stderr!.on('data', (c: Buffer) => {
        stderr += c.toString();
      });
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`tars ${args.join(' ')}: no end in ${timeoutMs} ms: ${stdout}${stderr}`));
      }, timeoutMs);
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        resolve({exit: code ?? (signal ? 128 : 1), stdout, stderr});
      });
    });
  }

  /** `tars cluster status --json`, whatever its exit code (1 while a service is down). */
  async function clusterStatus(): Promise<ServiceStatus[]> {
    const out = await tars(['cluster', 'status', '--data', dataDir, '--json']);
    const services = (JSON.parse(out.stdout) as {services?: ServiceStatus[]}).services ?? [];
    for (const s of services) if (s.pid) seenPids.add(s.pid);
    return services;
  }

  async function startCluster(): Promise<ServiceStatus[]> {
    const out = await tarsChild(['cluster', 'start', '--detach', '--data', dataDir, '--json']);
    expect(out.exit, `tars cluster start: ${out.stderr}${out.stdout}`).to.equal(0);
    return clusterStatus();
  }

  const pidsOf = (services: ServiceStatus[]): Record<string, number | undefined> =>
    Object.fromEntries(services.map((s) => [s.name, s.pid]));

  async function echoStatus(): Promise<ServerRow> {
    const s = (await tarsJson<{servers: ServerRow[]}>(['server', 'status', SERVER])).servers[0]!;
    if (s.pid > 0) seenPids.add(s.pid);
    return s;
  }

  /** What the stores hold, read through the saved locator as a user reads them. */
  async function readState(): Promise<typeof seeded> {
    return {
      servers: (await tarsJson<{servers: ServerRow[]}>(['server', 'list'])).servers,
      configHistory: await tarsJson<typeof seeded.configHistory>(['config', 'history', SERVER, 'echo.conf']),
      patches: await tarsJson<typeof seeded.patches>(['patch', 'list', SERVER]),
      notify: (await tarsJson<{entries: NotifyEntry[]}>(['notify', 'list', '--limit', '1000'])).entries,
    };
  }

  /** A registration as it must survive: who runs what where, not the pid of the moment. */
  const registration = (s: ServerRow): string => `${s.server} on ${s.node}: ${s.setting}, release ${s.release ?? ''}, ` +
    `endpoints ${(s.endpoints ?? []).join(', ')}`;

  /** The load: `tars call OBJ EchoHello --repeat n` in a child process, by bare name through the saved locator. */
  function load(n: number, concurrency: number): {child: Promise<RepeatJson>; started: () => Promise<void>} {
    let before: bigint | undefined;
    const counted = counter.Count().then((r) => {
      before = r.ret;
    });
    const run = counted.then(() => tarsChild(['call', OBJ, 'EchoHello', 'chaos', '--repeat', String(n), '--concurrency',
      String(concurrency), '--json']));
    return {
      child: run.then((out) => {
        expect(out.exit, `tars call --repeat: ${out.stderr}${out.stdout}`).to.be.oneOf([0, 3, 4]);
        return JSON.parse(out.stdout) as RepeatJson;
      }),
      // Begun: the echo service has answered calls of this load (its count moved past what it was before).
      started: async () => {
        await counted;
        await until(async () => (await counter.Count()).ret > before! + 20n, 'the load to begin calling', 60_000);
      },
    };
  }

  /** A client started while `what`: `tars call --repeat 200` by bare name must find the echo service and call it. */
  async function freshCall(what: string): Promise<void> {
    const out = await tarsChild(['call', OBJ, 'EchoHello', 'fresh', '--repeat', '200', '--json']);
    const fresh = JSON.parse(out.stdout) as Partial<RepeatJson> & {error?: {code: string; message: string}};
    console.log(`      a new tars call --repeat 200 by bare name, ${what}: exit ${out.exit}, ` +
      `${fresh.error ? `${fresh.error.code}: ${fresh.error.message}` : `${fresh.failed}/${fresh.calls} failed`}`);
    expect(out.exit, `${out.stderr}${out.stdout}`).to.equal(0);
    expect(fresh.failed).to.equal(0);
  }

  let loadCalls = 4000;
  const CONCURRENCY = 4;

  /**
   * Kills `service` with -9 while the load runs, waits for the load's summary, then for the service to be back
   * (`restore` brings it back when the node does not). Records the failed calls.
   */
  async function killUnderLoad(service: string, restore?: () => Promise<void>, during?: () => Promise<void>):
    Promise<{pid: number}> {
    const pid = pidsOf(await clusterStatus())[service];
    expect(pid, `${service} has a pid`).to.be.a('number');
    const running = load(loadCalls, CONCURRENCY);
    await running.started();
    const atKill = (await counter.Count()).ret;
    process.kill(pid!, 'SIGKILL');
    const killedAt = Date.now();
    await until(() => !processAlive(pid!), `${service} (pid ${pid}) to die`, 5000);
    const result = await running.child;
    // The load overlapped the kill: it went on calling after it (else this kill measured nothing).
    const afterKill = Number((await counter.Count()).ret - atKill);
    expect(afterKill, 'calls answered after the kill').to.be.above(0);
    if (during) await during();
    if (restore) await restore();
    await until(async () => {
      const s = (await clusterStatus()).find((x) => x.name === service);
      return s?.state === 'running' && s.pid !== pid;
    }, `${service} running again with a new pid`, 90_000);
    const backMs = Date.now() - killedAt;
    kills.push({service, pid: pid!, calls: result.calls, failed: result.failed, byCode: result.byCode, afterKill,
      backMs});
    console.log(`      kill -9 ${service} (pid ${pid}): ${result.failed}/${result.calls} calls failed ` +
      `(${afterKill} answered after the kill; by code ${JSON.stringify(result.byCode)}, max ${result.maxMs} ms, ` +
      `${result.callsPerSec} calls/s); back after ${backMs} ms`);
    expect(result.calls).to.equal(loadCalls);
    return {pid: pid!};
  }

  before(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'tars-chaos-'));
    dataDir = path.join(work, 'cluster');
    configDir = path.join(work, 'config');
    mkdirSync(configDir);
    savedConfigDir = process.env.TARS_CONFIG_DIR;
    savedCacheDir = process.env.TARS_CACHE_DIR;
    process.env.TARS_CONFIG_DIR = configDir;
    process.env.TARS_CACHE_DIR = path.join(work, 'cache');
    const base = await stablePortRange(17);
    const out = await tarsChild(['cluster', 'start', '--detach', '--base-port', String(base), '--data', dataDir,
      '--json']);
    // Whatever the outcome, remember what runs, so that `after` can end it.
    await clusterStatus().catch(() => undefined);
    expect(out.exit, `tars cluster start: ${out.stderr}${out.stdout}`).to.equal(0);

    // The echo service, as a package linked to the core as `tars new` links it (no npm install).
    const pkg = path.join(work, 'echo');
    writeServicePackage(pkg, 'chaos-echo', ECHO_SOURCE);
    echoPort = await stablePortRange(1);
    const deployed = await tarsJson<{state: string; pid: number}>(['server', 'deploy', SERVER, '--package', pkg,
      '--adapter', `EchoObj=tcp -h 127.0.0.1 -p ${echoPort} -t 60000`]);
    seenPids.add(deployed.pid);
    expect(deployed.state).to.equal('active');
    counter = comm.stringToProxy(CountProxy, `${OBJ}@tcp -h 127.0.0.1 -p ${echoPort}`, {timeout: 3000});

    // State in every store: two config versions, an uploaded package, notify rows (a crash the node reports).
    const conf = path.join(work, 'echo.conf');
    for (const v of ['1', '2']) {
      writeFileSync(conf, `<echo>\n  version = ${v}\n</echo>\n`);
      await tarsJson(['config', 'push', SERVER, conf, '-m', `version ${v}`]);
    }
    await tarsJson(['patch', 'upload', SERVER, pkg, '-m', 'chaos']);
    await tarsJson(['server', 'notify', SERVER, 'tars.viewstatus']);
    // The node leaves a server alone for 5 s after it starts; then a kill -9 is a crash it restarts and reports.
    await sleep(5500);
    const crashed = await echoStatus();
    process.kill(crashed.pid, 'SIGKILL');
    await until(async () => {
      const s = await echoStatus();
      return s.pid !== crashed.pid && s.pid > 0 && s.state === 'active';
    }, 'the echo server restarted by the node', 30_000);
    await until(async () => (await tarsJson<{entries: NotifyEntry[]}>(['notify', 'list', '--limit', '1000'])).entries
      .some((e) => e.message.includes(String(crashed.pid))), 'the crash in tars notify list', 30_000);
    seeded = await readState();
    expect(seeded.servers.map((x) => x.server)).to.include(SERVER);
    expect(seeded.configHistory.versions.map((v) => v.version)).to.deep.equal([1, 2]);
    expect(seeded.patches.versions.map((v) => v.version)).to.deep.equal(['1']);
    console.log(`      seeded: ${seeded.servers.length} servers, ${seeded.configHistory.versions.length} config versions, ` +
      `${seeded.patches.versions.length} package version, ${seeded.notify.length} notify rows`);

    // A load long enough to outlast a kill by a few seconds: sized from this machine's rate, measured once.
    const probe = load(20_000, CONCURRENCY);
    const rate = (await probe.child).callsPerSec;
    loadCalls = Math.max(2000, Math.min(500_000, rate * 8));
    console.log(`      load: ${rate} calls/s with ${CONCURRENCY} in flight; ${loadCalls} calls per kill`);
  });

  after(async () => {
    comm.close();
    const stopped = await tars(['cluster', 'stop', '--data', dataDir, '--timeout', '5000']).catch(() => undefined);
    if (stopped && stopped.exit !== 0) console.log(`      cluster stop: exit ${stopped.exit}: ${stopped.stderr}`);
    await clusterStatus().catch(() => undefined);
    killPids(seenPids);
    await killChildren(children);
    if (savedConfigDir === undefined) delete process.env.TARS_CONFIG_DIR;
    else process.env.TARS_CONFIG_DIR = savedConfigDir;
    if (savedCacheDir === undefined) delete process.env.TARS_CACHE_DIR;
    else process.env.TARS_CACHE_DIR = savedCacheDir;
    rmSync(work, {recursive: true, force: true});
    if (kills.length > 0) {
      console.log('      failed calls per kill: ' +
        kills.map((k) => `${k.service} ${k.failed}/${k.calls}`).join(', '));
    }
  });

  for (const service of ['log', 'config', 'stat', 'patch']) {
    it(`kill -9 of ${service}: calls go on, the node starts it again (new pid, running)`, async () => {
      const echo = await echoStatus();
      await killUnderLoad(service);
      // The echo server was not touched.
      expect((await echoStatus()).pid).to.equal(echo.pid);
    });
  }

  it('kill -9 of the node: calls go on; tars cluster start brings it back and it adopts every running server', async () => {
    const before = pidsOf(await clusterStatus());
    const echo = await echoStatus();
    await killUnderLoad('node', async () => {
      await startCluster();
    }, async () => {
      // The node is still down, the echo server up: the registry must still give its endpoint to a new client.
      await freshCall('node down');
    });
    const after = pidsOf(await clusterStatus());
    for (const s of ['registry', 'log', 'config', 'stat', 'patch']) {
      expect(after[s], `${s} adopted, same pid`).to.equal(before[s]);
    }
    await until(async () => (await echoStatus()).state === 'active', 'the node to report the echo server', 30_000);
    expect((await echoStatus()).pid, 'the echo server adopted, same pid').to.equal(echo.pid);
  });

  it('kill -9 of the registry: calls go on from the resolved endpoints, a new tars call resolves the bare name from ' +
    'its endpoint cache; tars cluster start brings the registry back', async () => {
    const before = pidsOf(await clusterStatus());
    const echo = await echoStatus();
    await killUnderLoad('registry', async () => {
      await startCluster();
    }, async () => {
      // The registry is still down: a client started now has only the CLI's endpoint cache to find the service.
      await freshCall('registry down');
    });
    const after = pidsOf(await clusterStatus());
    for (const s of ['node', 'log', 'config', 'stat', 'patch']) {
      expect(after[s], `${s} left alone, same pid`).to.equal(before[s]);
    }
    await until(async () => (await echoStatus()).state === 'active', 'the registry to know the echo server', 30_000);
    expect((await echoStatus()).pid).to.equal(echo.pid);
  });

  it('after every kill, every store shows what was seeded: registrations, config versions, packages, notify rows', async () => {
    expect(kills.map((k) => k.service)).to.deep.equal(['log', 'config', 'stat', 'patch', 'node', 'registry']);
    const now = await readState();
    expect(now.servers.map(registration)).to.deep.equal(seeded.servers.map(registration));
    expect(now.configHistory).to.deep.equal(seeded.configHistory);
    expect(now.patches).to.deep.equal(seeded.patches);
    const key = (e: NotifyEntry): string => JSON.stringify(e);
    const rows = new Set(now.notify.map(key));
    expect(seeded.notify.filter((e) => !rows.has(key(e))), 'notify rows lost').to.deep.equal([]);
    // What the node reported of the kills (printed: a kill of log itself may take its own report with it).
    for (const k of kills) {
      const seen = now.notify.filter((e) => e.message.includes(`pid ${k.pid} `) || e.message.endsWith(`pid ${k.pid})`));
      console.log(`      notify rows naming ${k.service}'s killed pid ${k.pid}: ${seen.map((e) => e.message).join(' | ') ||
        'none'}`);
    }
    console.log(`      notify rows: ${seeded.notify.length} seeded, ${now.notify.length} at the end`);
    // The node's report of each crash of a server it runs reaches the notify daemon, that of the notify daemon's own
    // crash included (sent while it restarts, it is tried again until it is back).
    for (const k of kills.filter((x) => ['log', 'config', 'stat', 'patch'].includes(x.service))) {
      await until(async () => (await tarsJson<{entries: NotifyEntry[]}>(['notify', 'list', '--limit', '1000'])).entries
        .some((e) => e.message.includes(`pid ${k.pid} `)), `the node's report of ${k.service}'s crash (pid ${k.pid})`,
      20_000);
    }
    // And the echo service still answers by name.
    const call = await tarsJson<{ret: number; out: {resp: string}}>(['call', OBJ, 'EchoHello', 'still here']);
    expect(call.out.resp).to.equal('still here');
  });
});
