// Issue 17: the contracts of `tars cluster start|status|stop|reset` against real processes, with their bad input and
// faults. One cluster, started detached on free ports, is shared by the tests in order: what start --json reports
// and saves, a second start, status, a base service killed with -9 and brought back by the node, stop in dependency
// order (a deployed server first), a start after the stop, the node killed with -9 and brought back by a start,
// reset refused without --yes and done with it. Then bad input on fresh directories (a port in use, a directory of a
// newer tars, reset of a directory that is no cluster's), and the foreground mode in a real pseudo-terminal (tmux):
// it starts a killed registry again and stops the whole cluster on Ctrl-C. `cluster start` runs in a child process
// (its daemons are started from the CLI's own entry script); the commands that return run in-process. Every process
// seen is killed by pid in `after`; a Ctrl-C while the foreground start is still starting leaves nothing running.
import {expect} from 'chai';
import {execFileSync} from 'node:child_process';
import {
  existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import {probeLock, processAlive, stripAnsi} from '@tars-ts/kit';
import {execa} from 'execa';

import {type TarsOutput, tars, tarsJson} from '../../../../test/support/cli-daemon.js';
import {echoServiceSource, writeServicePackage} from '../../../../test/support/echo-service.js';
import {connects, freePorts, stablePortRange} from '../../../../test/support/ports.js';
import {sleep, until} from '../../../../test/support/wait.js';
import type {ClusterStatusJson, ServiceStatus} from '../src/cluster.js';

const root = new URL('../../../..', import.meta.url).pathname.replace(/\/$/, '');
const bin = path.join(root, 'bin/dev.js');

/** The cluster's services in start order, each with its servants in the order `--base-port` numbers them. */
const PLAN: readonly {name: string; server: string; role: 'root' | 'managed'; objs: string[]}[] = [
  {name: 'registry', server: 'tars.tarsregistry', role: 'root', objs: ['tars.tarsregistry.QueryObj',
    'tars.tarsregistry.RegistryObj', 'tars.tarsAdminRegistry.AdminRegObj', 'tars.tarsregistry.RegistryCtlObj']},
  {name: 'node', server: 'tars.tarsnode', role: 'root', objs: ['tars.tarsnode.ServerObj', 'tars.tarsnode.NodeObj']},
  {name: 'log', server: 'tars.tarslog', role: 'managed', objs: ['tars.tarslog.LogObj', 'tars.tarsnotify.NotifyObj',
    'tars.tarslog.LogQueryObj']},
  {name: 'config', server: 'tars.tarsconfig', role: 'managed', objs: ['tars.tarsconfig.ConfigObj',
    'tars.tarsconfig.ConfigCtlObj']},
  // stat's /metrics port (HTTP) comes after its servants: base + 14.
  {name: 'stat', server: 'tars.tarsstat', role: 'managed', objs: ['tars.tarsstat.StatObj',
    'tars.tarsproperty.PropertyObj', 'tars.tarsstat.StatQueryObj']},
  {name: 'patch', server: 'tars.tarspatch', role: 'managed', objs: ['tars.tarspatch.PatchObj',
    'tars.tarspatch.PatchCtlObj']},
];
const NAMES = PLAN.map((p) => p.name);
const MANAGED = PLAN.filter((p) => p.role === 'managed').map((p) => p.name);
/** How many consecutive ports `--base-port` takes: 16 servants and stat's /metrics. */
const PORTS = 17;
const METRICS_OFFSET = 14;

/** Each service's data directory, where its lock is: the root ones in DIR/<name>, the node's servers in its layout. */
function dataDirs(dir: string): string[] {
  return PLAN.map((p) => (p.role === 'root' ? path.join(dir, p.name) : path.join(dir, 'node', p.server, 'data')));
}

/** The error a `--json` command printed on failure. */
function errorOf(out: TarsOutput): {code: string; message: string; hint?: string} {
  return (JSON.parse(out.stdout) as {error: {code: string; message: string; hint?: string}}).error;
}

const pidsOf = (services: readonly ServiceStatus[]): Record<string, number | undefined> =>
  Object.fromEntries(services.map((s) => [s.name, s.pid]));

describe('tars cluster start|status|stop|reset, against real processes', function () {
  this.timeout(600_000);
  let work: string;
  let savedConfigDir: string | undefined;
  /** Every pid a test saw, with the directory its command line must name for `after` to kill it. */
  const seen = new Map<number, string>();

  /** Remembers the pids of a status or start, for the clean-up. */
  const remember = (services: readonly ServiceStatus[], dir: string): void => {
    for (const s of services) if (s.pid !== undefined) seen.set(s.pid, dir);
  };

  /** `tars ...args` in a child process, through the CLI's entry script; its output, exit code and duration. */
  async function tarsChild(args: string[], env: Record<string, string | undefined> = {}):
    Promise<TarsOutput & {ms: number}> {
    const began = Date.now();
    const r = await execa(process.execPath, [bin, ...args], {cwd: root, reject: false, timeout: 240_000,
      stdin: 'ignore', env: {TARS_CONFIG_DIR: process.env.TARS_CONFIG_DIR, ...env}});
    return {stdout: String(r.stdout), stderr: String(r.stderr), exit: r.exitCode ?? -1, ms: Date.now() - began};
  }

  /** `tars cluster start --detach --json` in a child process, which must succeed. */
  async function startDetached(dir: string, basePort?: number): Promise<ClusterStatusJson & {ms: number}> {
    const out = await tarsChild(['cluster', 'start', '--detach', '--data', dir, '--json',
      ...(basePort === undefined ? [] : ['--base-port', String(basePort)])]);
    expect(out.exit, `cluster start: ${out.stderr}${out.stdout}`).to.equal(0);
    const json = JSON.parse(out.stdout) as ClusterStatusJson;
    remember(json.services, dir);
    return {...json, ms: out.ms};
  }

  /** `tars cluster status --data DIR --json` in-process: its exit code and JSON (on failure the JSON has `error`). */
  async function status(dir: string): Promise<{exit: number; json: ClusterStatusJson & {error?: {code: string;
    message: string}}}> {
    const out = await tars(['cluster', 'status', '--data', dir, '--json']);
    const json = JSON.parse(out.stdout) as ClusterStatusJson & {error?: {code: string; message: string}};
    remember(json.services ?? [], dir);
    return {exit: out.exit, json};
  }

  /** True when no service of the cluster in `dir` holds its lock. */
  async function locksFree(dir: string): Promise<boolean> {
    const probes = await Promise.all(dataDirs(dir).map((d) => probeLock(d)));
    return probes.every((p) => p.state !== 'held');
  }

  /** Stops what may still run in `dir` (the command first, then SIGKILL to every pid seen there that still runs it). */
  async function cleanUp(dir: string): Promise<void> {
    if (existsSync(path.join(dir, 'cluster.json'))) {
      await tars(['cluster', 'stop', '--data', dir, '--timeout', '3000']).catch(() => undefined);
    }
    for (const [pid, where] of seen) {
      if (where !== dir) continue;
      let cmdline = '';
      try {
        cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        continue; // gone
      }
      // The pid may be another process's by now: only one whose command line names this cluster is killed.
      if (!cmdline.includes(dir)) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  }

  before(() => {
    work = mkdtempSync(path.join(os.tmpdir(), 'tars-cluster-e2e-'));
    savedConfigDir = process.env.TARS_CONFIG_DIR;
    process.env.TARS_CONFIG_DIR = path.join(work, 'cli-config');
  });

  after(() => {
    if (savedConfigDir === undefined) delete process.env.TARS_CONFIG_DIR;
    else process.env.TARS_CONFIG_DIR = savedConfigDir;
    rmSync(work, {recursive: true, force: true});
  });

  describe('one cluster started detached, shared in order', () => {
    let dir: string;
    let base: number;
    let first: ClusterStatusJson & {ms: number};
    const echoServer = 'ClusterTest.Echo';
    let echoPid = 0;
    /** ClusterTest.Echo's process once the start after the stop brought it back. */
    let echoNow = 0;

    before(async () => {
      dir = path.join(work, 'main');
      base = await stablePortRange(PORTS);
      first = await startDetached(dir, base);
      console.log(`      cluster start --detach (cold, 6 services): ${first.ms} ms`);
    });

    after(async () => {
      await cleanUp(dir);
    });

    it('start --detach --json: every base service running, a server of the node or a root daemon, on the ' +
      'ports base..base+16 in the plan\'s order', async () => {
      expect(first.dataDir).to.equal(dir);
      expect(first.locator).to.equal(`tars.tarsregistry.QueryObj@tcp -h 127.0.0.1 -p ${base} -t 60000`);
      expect(first.nodeName).to.equal('127.0.0.1');
      expect(first.services.map((s) => s.name)).to.deep.equal(NAMES);
      let port = base;
      for (const [i, want] of PLAN.entries()) {
        const s = first.services[i]!;
        expect(s, s.name).to.include({name: want.name, server: want.server, role: want.role, state: 'running'});
        expect(s.pid, `${s.name}'s pid`).to.be.a('number');
        expect(processAlive(s.pid!), `${s.name}'s pid ${s.pid} runs`).to.equal(true);
        expect(s.endpoints.map((e) => [e.obj, e.endpoint, e.answered]), s.name).to.deep.equal(
          want.objs.map((obj) => [obj, `tcp -h 127.0.0.1 -p ${port++} -t 60000`, true]));
        if (want.name === 'stat') port++; // its /metrics
      }
      expect(port).to.equal(base + PORTS);
      expect(await connects(base + METRICS_OFFSET), 'stat\'s /metrics listens on base+14').to.equal(true);
      expect(new Set(first.services.map((s) => s.pid)).size, 'six processes').to.equal(6);
    });

    it('saves the registry as the default locator and the directory as the cluster', async () => {
      const locator = await tarsJson<{key: string; value: string | null}>(['settings', 'get', 'locator']);
      expect(locator.value).to.equal(first.locator);
      const cluster = await tarsJson<{key: string; value: string | null}>(['settings', 'get', 'cluster']);
      expect(cluster.value).to.equal(dir);
    });

    it('each managed base service is an active server of the node, with the pid start reported', async () => {
      // No --locator: the saved one is the cluster's registry.
      const list = await tarsJson<{servers: {server: string; node: string; setting: string; state: string;
        pid: number}[]}>(['server', 'list']);
      for (const name of MANAGED) {
        const s = first.services.find((x) => x.name === name)!;
        const row = list.servers.find((r) => r.server === s.server);
        expect(row, `${s.server} in tars server list`).to.not.equal(undefined);
        expect(row).to.include({node: first.nodeName, setting: 'active', state: 'active', pid: s.pid});
      }
    });

    it('a second start is harmless: "already running" for every service, exit 0, the same pids', async () => {
      const again = await tarsChild(['cluster', 'start', '--detach', '--data', dir]);
      console.log(`      cluster start --detach on the running cluster: ${again.ms} ms`);
      expect(again.exit, again.stderr).to.equal(0);
      const said = stripAnsi(again.stderr + again.stdout);
      const pid = pidsOf(first.services);
      expect(said).to.contain(`Registry: already running, pid ${pid.registry}`);
      expect(said).to.contain(`Node ${first.nodeName}: already running, pid ${pid.node}`);
      for (const name of MANAGED) expect(said).to.match(new RegExp(`Base services: .*\\b${name} already running\\b`));
      expect(said).to.not.match(/\b(started|deployed)\b/);
      const {exit, json} = await status(dir);
      expect(exit).to.equal(0);
      expect(pidsOf(json.services)).to.deep.equal(pid);
    });

    it('status: a table naming each service running with its pid, and --json, exit 0; without --data, the saved ' +
      'cluster', async () => {
      const table = await tars(['cluster', 'status', '--data', dir]);
      expect(table.exit, table.stderr).to.equal(0);
      const lines = stripAnsi(table.stdout).split('\n');
      for (const s of first.services) {
        expect(lines.some((l) => new RegExp(`\\b${s.name}\\b.*\\b${s.endpoints[0]!.obj.replaceAll('.', '\\.')}\\b.*` +
          `\\brunning\\b.*\\b${s.pid}\\b`).test(l)), `a row for ${s.name}:\n${table.stdout}`).to.equal(true);
        for (const e of s.endpoints) expect(table.stdout).to.contain(e.endpoint);
      }
      const {exit, json} = await status(dir);
      expect(exit).to.equal(0);
      expect(json.services.map((s) => [s.name, s.state])).to.deep.equal(NAMES.map((n) => [n, 'running']));
      expect(json.locator).to.equal(first.locator);
      // Without --data: the cluster start saved.
      const saved = await tarsJson<ClusterStatusJson>(['cluster', 'status']);
      expect(saved.dataDir).to.equal(dir);
      expect(pidsOf(saved.services)).to.deep.equal(pidsOf(json.services));
    });

    it('a base service killed with -9: status exits 1 naming it while it is down, then the node brings it back ' +
      'with a new pid', async () => {
      const node = first.services.find((s) => s.name === 'node')!.pid!;
      const config = first.services.find((s) => s.name === 'config')!.pid!;
      // The node restarts a dead server within about a second: it is paused meanwhile, so that the state in
      // between is seen for certain, then let go.
      process.kill(node, 'SIGSTOP');
      let resumed = 0;
      try {
        process.kill(config, 'SIGKILL');
        await until(() => !processAlive(config), 'config to die', 5000);
        const down = await status(dir);
        expect(down.exit).to.equal(1);
        expect(down.json.error?.code).to.equal('CLUSTER_NOT_RUNNING');
        expect(down.json.error?.message).to.contain('config (stopped)');
        expect(down.json.services.find((s) => s.name === 'config')).to.include({state: 'stopped'});
        const text = await tars(['cluster', 'status', '--data', dir]);
        expect(text.exit).to.equal(1);
        expect(text.stderr).to.contain('config (stopped)');
      } finally {
        process.kill(node, 'SIGCONT');
        resumed = Date.now();
      }
      let back: ServiceStatus | undefined;
      try {
        await until(async () => {
          const {exit, json} = await status(dir);
          back = json.services.find((s) => s.name === 'config');
          return exit === 0 && back?.state === 'running';
        }, 'the node to bring config back', 30_000);
      } catch (error) {
        const log = readFileSync(path.join(dir, 'node', 'daemon.log'), 'utf8').split('\n').slice(-40).join('\n');
        throw new Error(`${(error as Error).message}; the node's log:\n${log}`);
      }
      console.log(`      config killed with -9: answering again ${Date.now() - resumed} ms after the node resumed`);
      expect(back!.pid).to.be.a('number').and.not.equal(config);
      const list = await tarsJson<{servers: {server: string; state: string; pid: number}[]}>(['server', 'list']);
      expect(list.servers.find((r) => r.server === 'tars.tarsconfig')).to.include({state: 'active', pid: back!.pid});
    });

    it('stop stops everything in dependency order (deployed servers, patch, stat, config, log, node, registry): ' +
      'every pid gone, every lock free', async () => {
      // A server of the user's on the node, which uses the base services: it is stopped first.
      const pkg = path.join(work, 'echo-pkg');
      writeServicePackage(pkg, 'cluster-echo', echoServiceSource(`${echoServer}.EchoObj`, '1'));
      const [echoPort] = await freePorts(1);
      const deployed = await tarsJson<{pid: number; state: string}>(['server', 'deploy', echoServer, '--package', pkg,
        '--adapter', `EchoObj=tcp -h 127.0.0.1 -p ${echoPort} -t 3000`]);
      expect(deployed.state).to.equal('active');
      seen.set(deployed.pid, dir);
      echoPid = deployed.pid;
      const {json: before} = await status(dir);
      const pids = before.services.map((s) => s.pid!);
      expect(pids.every((p) => typeof p === 'number')).to.equal(true);

      const began = Date.now();
      const out = await tars(['cluster', 'stop', '--data', dir]);
      console.log(`      cluster stop (6 services and one deployed server): ${Date.now() - began} ms`);
      expect(out.exit, out.stderr).to.equal(0);
      const lines = out.stdout.trim().split('\n').map((l) => /^(\S+): stopped \(pid (\d+)\)$/.exec(l));
      expect(lines.every(Boolean), out.stdout).to.equal(true);
      expect(lines.map((m) => m![1])).to.deep.equal([echoServer, 'patch', 'stat', 'config', 'log', 'node',
        'registry']);
      const stoppedPid = Object.fromEntries(lines.map((m) => [m![1], Number(m![2])]));
      expect(stoppedPid).to.deep.equal({[echoServer]: deployed.pid, ...pidsOf(before.services)});
      for (const pid of [deployed.pid, ...pids]) {
        await until(() => !processAlive(pid), `pid ${pid} to be gone`, 10_000);
      }
      expect(await locksFree(dir), 'every lock free').to.equal(true);
      const after = await status(dir);
      expect(after.exit).to.equal(4);
      expect(after.json.services.every((s) => s.state === 'stopped')).to.equal(true);
    });

    it('stop with nothing running says so and exits 0', async () => {
      const out = await tars(['cluster', 'stop', '--data', dir]);
      expect(out.exit, out.stderr).to.equal(0);
      expect(out.stdout).to.contain(`the cluster in ${dir} is not running`);
      const json = await tarsJson<{stopped: boolean; services: unknown[]}>(['cluster', 'stop', '--data', dir]);
      expect(json).to.deep.include({stopped: false, services: []});
    });

    it('a start after the stop brings every base service back on the same ports, and the deployed server with ' +
      'them', async () => {
      const again = await startDetached(dir);
      console.log(`      cluster start --detach after a stop: ${again.ms} ms`);
      expect(again.services.map((s) => [s.name, s.state])).to.deep.equal(NAMES.map((n) => [n, 'running']));
      expect(again.services.flatMap((s) => s.endpoints.map((e) => e.endpoint)))
        .to.deep.equal(first.services.flatMap((s) => s.endpoints.map((e) => e.endpoint)));
      expect(again.locator).to.equal(first.locator);
      for (const s of again.services) expect(processAlive(s.pid!), `${s.name}'s pid`).to.equal(true);
      // The stop's help: "tars cluster start brings the same cluster back, with the servers that were running".
      let echo: {server: string; state: string; pid: number} | undefined;
      await until(async () => {
        const list = await tarsJson<{servers: {server: string; state: string; pid: number}[]}>(['server', 'list']);
        echo = list.servers.find((r) => r.server === echoServer);
        if (echo?.pid) seen.set(echo.pid, dir);
        return echo?.state === 'active' && echo.pid > 0;
      }, `the node to run ${echoServer} again`, 30_000);
      expect(echo!.pid).to.not.equal(echoPid);
      expect(processAlive(echo!.pid)).to.equal(true);
      echoNow = echo!.pid;
    });

    it('the node killed with -9: status exits 1 naming it, its servers run on; a start brings it back and it adopts ' +
      'them (the same pids)', async () => {
      const {json: before} = await status(dir);
      const pid = pidsOf(before.services);
      process.kill(pid.node!, 'SIGKILL');
      await until(() => !processAlive(pid.node!), 'the node to die', 5000);
      const down = await status(dir);
      expect(down.exit).to.equal(1);
      expect(down.json.error?.message).to.contain('node (stopped)');
      expect(down.json.services.filter((s) => s.state === 'running').map((s) => s.name))
        .to.deep.equal(NAMES.filter((n) => n !== 'node'));
      const again = await tarsChild(['cluster', 'start', '--detach', '--data', dir]);
      console.log(`      cluster start with only the node down: ${again.ms} ms`);
      expect(again.exit, again.stderr).to.equal(0);
      const said = stripAnsi(again.stderr + again.stdout);
      expect(said).to.contain(`Registry: already running, pid ${pid.registry}`);
      expect(said).to.match(new RegExp(`Node ${first.nodeName}: started, pid \\d+`));
      const {exit, json} = await status(dir);
      expect(exit).to.equal(0);
      const now = pidsOf(json.services);
      expect(now.node).to.not.equal(pid.node);
      expect({...now, node: 0}, 'every other service kept its process').to.deep.equal({...pid, node: 0});
      const list = await tarsJson<{servers: {server: string; state: string; pid: number}[]}>(['server', 'list']);
      expect(list.servers.find((r) => r.server === echoServer)).to.include({state: 'active', pid: echoNow});
    });

    it('stop with the node down still stops the servers the node ran, then a start brings everything back',
      async () => {
      const {json: before} = await status(dir);
      const pid = pidsOf(before.services);
      process.kill(pid.node!, 'SIGKILL');
      await until(() => !processAlive(pid.node!), 'the node to die', 5000);
      const out = await tars(['cluster', 'stop', '--data', dir]);
      expect(out.exit, out.stderr).to.equal(0);
      expect(out.stdout).to.match(new RegExp(`^${echoServer}: stopped`, 'm'));
      for (const p of [echoNow, ...Object.values(pid)]) {
        await until(() => !processAlive(p!), `pid ${p} to be gone`, 15_000);
      }
      expect(await locksFree(dir)).to.equal(true);
      const again = await startDetached(dir);
      expect(again.services.every((s) => s.state === 'running')).to.equal(true);
    });

    it('a start with another --base-port while the cluster runs leaves a saved locator that reaches its registry',
      async () => {
      const other = await stablePortRange(PORTS);
      const out = await tarsChild(['cluster', 'start', '--detach', '--base-port', String(other), '--data', dir]);
      console.log(`      cluster start --base-port ${other} on the cluster running at ${base}: exit ${out.exit}`);
      // Refused, or moved as a whole: either way the CLI's saved locator reaches the cluster's registry.
      const list = await tars(['server', 'list', '--json']);
      expect(list.exit, `tars server list through the saved locator: ${list.stdout}${list.stderr}`).to.equal(0);
      const {exit, json} = await status(dir);
      expect(exit).to.equal(0);
      const saved = (await tarsJson<{value: string | null}>(['settings', 'get', 'locator'])).value;
      expect(json.locator).to.equal(saved);
      const query = json.services.find((s) => s.name === 'registry')!.endpoints[0]!;
      expect(saved).to.equal(`${query.obj}@${query.endpoint}`);
    });

    it('reset without --yes and without a terminal exits 2 with a hint to give --yes, and removes nothing',
      async () => {
      // A child without a terminal (stdin ignored, output piped) and without CI, so the terminal is what is missing.
      const out = await tarsChild(['cluster', 'reset', '--data', dir], {CI: undefined});
      expect(out.exit, out.stderr).to.equal(2);
      expect(out.stderr).to.match(/^hint: .*--yes/m);
      expect(existsSync(path.join(dir, 'cluster.json'))).to.equal(true);
      const {exit} = await status(dir);
      expect(exit, 'the cluster still runs').to.equal(0);
    });

    it('reset --yes stops the cluster, removes its directory and unsets the saved locator', async () => {
      const {json: before} = await status(dir);
      const out = await tars(['cluster', 'reset', '--data', dir, '--yes']);
      expect(out.exit, out.stderr).to.equal(0);
      expect(out.stdout).to.contain(`removed ${dir}`);
      expect(out.stdout).to.match(new RegExp(`^${echoServer}: stopped \\(pid \\d+\\)$`, 'm'));
      for (const s of before.services) {
        expect(out.stdout).to.contain(`${s.name}: stopped (pid ${s.pid})`);
        await until(() => !processAlive(s.pid!), `${s.name} (pid ${s.pid}) to be gone`, 10_000);
      }
      expect(existsSync(dir), `${dir} removed`).to.equal(false);
      expect((await tarsJson<{value: string | null}>(['settings', 'get', 'locator'])).value).to.equal(null);
      expect((await tarsJson<{value: string | null}>(['settings', 'get', 'cluster'])).value).to.equal(null);
    });
  });

  describe('bad input and faults, each on a fresh directory', () => {
    const dirs: string[] = [];

    after(async () => {
      for (const d of dirs) await cleanUp(d);
    });

    it('a port in use: CLUSTER_PORT_IN_USE naming the port and the service, a --base-port hint, nothing left ' +
      'running', async () => {
      const dir = path.join(work, 'port-in-use');
      dirs.push(dir);
      const base = await stablePortRange(PORTS);
      const held = base + 9; // the config servant's ConfigObj
      const holder = net.createServer();
      await new Promise<void>((resolve, reject) => {
        holder.once('error', reject);
        holder.listen(held, '127.0.0.1', resolve);
      });
      const locatorBefore = await tars(['settings', 'get', 'locator', '--json']);
      try {
        const out = await tarsChild(['cluster', 'start', '--detach', '--base-port', String(base), '--data', dir,
          '--json']);
        expect(out.exit, out.stdout).to.equal(1);
        const error = errorOf(out);
        expect(error.code).to.equal('CLUSTER_PORT_IN_USE');
        expect(error.message).to.contain(`port ${held}`).and.to.contain('config')
          .and.to.contain('tars.tarsconfig.ConfigObj');
        expect(error.hint).to.contain('--base-port');
        const text = await tarsChild(['cluster', 'start', '--detach', '--base-port', String(base), '--data', dir]);
        expect(text.exit).to.equal(1);
        expect(text.stderr).to.contain(`port ${held}`).and.to.match(/^hint: .*--base-port/m);
      } finally {
        await new Promise((resolve) => holder.close(resolve));
      }
      expect(await locksFree(dir), 'no lock held').to.equal(true);
      expect(existsSync(dir) ? readdirSync(dir) : [], 'nothing written, not even the cluster file').to.deep.equal([]);
      // The registry's and the node's ports, which a start binds first.
      for (let p = base; p < base + 6; p++) expect(await connects(p), `nothing listens on ${p}`).to.equal(false);
      const {exit, json} = await status(dir);
      expect(exit).to.equal(4);
      expect(json.services.every((s) => s.state === 'stopped')).to.equal(true);
      expect((await tars(['settings', 'get', 'locator', '--json'])).stdout, 'the saved locator is unchanged')
        .to.equal(locatorBefore.stdout);
    });

    it('a directory a newer tars wrote (format 99) is refused with CLUSTER_DATA_TOO_NEW: nothing started, the file ' +
      'unchanged', async () => {
      const dir = path.join(work, 'too-new');
      dirs.push(dir);
      mkdirSync(dir);
      const file = path.join(dir, 'cluster.json');
      const text = `${JSON.stringify({format: 99, version: '9.0.0', host: '127.0.0.1', nodeName: 'future',
        createdAt: '2030-01-01T00:00:00.000Z'}, null, 2)}\n`;
      writeFileSync(file, text);
      const base = await stablePortRange(PORTS);
      const out = await tarsChild(['cluster', 'start', '--detach', '--base-port', String(base), '--data', dir,
        '--json']);
      expect(out.exit, out.stdout).to.equal(1);
      const error = errorOf(out);
      expect(error.code).to.equal('CLUSTER_DATA_TOO_NEW');
      expect(error.message).to.contain('format 99');
      expect(readFileSync(file, 'utf8')).to.equal(text);
      expect(readdirSync(dir)).to.deep.equal(['cluster.json']);
      expect(await locksFree(dir)).to.equal(true);
      for (let p = base; p < base + 6; p++) expect(await connects(p), `nothing listens on ${p}`).to.equal(false);
      // The other commands refuse it the same way.
      const st = await tars(['cluster', 'status', '--data', dir, '--json']);
      expect(st.exit).to.equal(1);
      expect(errorOf(st).code).to.equal('CLUSTER_DATA_TOO_NEW');
      const reset = await tars(['cluster', 'reset', '--data', dir, '--yes', '--json']);
      expect(errorOf(reset).code).to.equal('CLUSTER_DATA_TOO_NEW');
      expect(readFileSync(file, 'utf8')).to.equal(text);
    });

    it('reset of a directory without cluster.json removes nothing', async () => {
      const dir = path.join(work, 'not-a-cluster');
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'keep.txt'), 'mine\n');
      const out = await tars(['cluster', 'reset', '--data', dir, '--yes']);
      expect(out.exit, out.stderr).to.equal(0);
      expect(out.stdout).to.contain(`no cluster in ${dir}: nothing to reset`);
      const json = await tarsJson<{removed: boolean}>(['cluster', 'reset', '--data', dir, '--yes']);
      expect(json.removed).to.equal(false);
      expect(readdirSync(dir)).to.deep.equal(['keep.txt']);
      expect(readFileSync(path.join(dir, 'keep.txt'), 'utf8')).to.equal('mine\n');
    });
  });

  describe('in the foreground, in a pseudo-terminal (tmux)', () => {
    let dir: string;
    const socket = `tars-cluster-${process.pid}`;
    const tmux = (...args: string[]): string => execFileSync('tmux', ['-u', '-L', socket, ...args],
      {encoding: 'utf8', env: {...process.env, LANG: 'C.UTF-8'}});
    const screen = (): string => tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', 'cluster');
    /** Waits until the screen passes `test`; fails with the screen. */
    const shows = async (what: string, test: (s: string) => boolean, ms: number): Promise<string> => {
      const deadline = Date.now() + ms;
      for (;;) {
        const s = screen();
        if (test(s)) return s;
        if (Date.now() > deadline) expect.fail(`${what}: not shown within ${ms} ms; the screen:\n${s}`);
        await sleep(200);
      }
    };

    let early: string | undefined;

    after(async () => {
      try {
        tmux('kill-server');
      } catch {
        // not started, or gone
      }
      if (dir) await cleanUp(dir);
      if (early) await cleanUp(early);
    });

    it('starts the cluster, starts a registry killed with -9 again, and stops the whole cluster on Ctrl-C',
      async () => {
      dir = path.join(work, 'foreground');
      let up = '';
      let began = 0;
      // A port of the range taken meanwhile by another process (the range was free when chosen) makes the start
      // refuse (CLUSTER_PORT_IN_USE) before anything runs: that alone is tried again, on another range.
      for (let attempt = 0; attempt < 3; attempt++) {
        const base = await stablePortRange(PORTS);
        const command = `cd ${root} && TARS_CONFIG_DIR=${process.env.TARS_CONFIG_DIR} node bin/dev.js cluster start ` +
          `--base-port ${base} --data ${dir}; echo "exit=$?"; sleep 60`;
        began = Date.now();
        tmux('new-session', '-d', '-s', 'cluster', '-x', '200', '-y', '60', command);
        up = await shows('the table and the Ctrl-C line', (s) => s.includes('Ctrl-C stops the cluster') ||
          /exit=\d+/.test(s), 120_000);
        if (!/is in use by another process: the cluster's/.test(up)) break;
        tmux('kill-session', '-t', 'cluster');
      }
      expect(up, `cluster start ended early; the screen:\n${up}`).to.contain('Ctrl-C stops the cluster');
      console.log(`      cluster start in the foreground: the table after ${Date.now() - began} ms`);
      const {exit, json} = await status(dir);
      expect(exit).to.equal(0);
      for (const s of json.services) expect(up).to.match(new RegExp(`\\b${s.name}\\b.*\\brunning\\b.*\\b${s.pid}\\b`));

      const registry = json.services.find((s) => s.name === 'registry')!.pid!;
      process.kill(registry, 'SIGKILL');
      const killed = Date.now();
      const restarted = /registry had stopped: started it again \(pid (\d+)\)/;
      const again = await shows('the registry started again', (s) => restarted.test(s), 30_000);
      const newPid = Number(restarted.exec(again)![1]);
      seen.set(newPid, dir);
      console.log(`      registry killed with -9: started again in the foreground after ${Date.now() - killed} ms`);
      expect(newPid).to.not.equal(registry);
      let now: ClusterStatusJson | undefined;
      await until(async () => {
        const r = await status(dir);
        now = r.json;
        return r.exit === 0;
      }, 'every service answering again', 30_000);
      const pids = now!.services.map((s) => s.pid!);
      expect(now!.services.find((s) => s.name === 'registry')!.pid).to.equal(newPid);

      tmux('send-keys', '-t', 'cluster', 'C-c');
      const stoppedAt = Date.now();
      const end = await shows('the command to end', (s) => /exit=\d+/.test(s), 60_000);
      console.log(`      Ctrl-C: the foreground command ended after ${Date.now() - stoppedAt} ms`);
      expect(end).to.contain('stopping the cluster');
      expect(end).to.contain('exit=0');
      for (const name of ['patch', 'stat', 'config', 'log', 'node', 'registry']) {
        expect(end).to.match(new RegExp(`^\\s*${name}: stopped \\(pid \\d+\\)`, 'm'));
      }
      for (const pid of pids) await until(() => !processAlive(pid), `pid ${pid} to be gone`, 10_000);
      expect(await locksFree(dir), 'every lock free').to.equal(true);
    });

    // listr2 would end the command on SIGINT by itself, leaving the daemons started so far in the background.
    it('Ctrl-C while the cluster is still starting leaves nothing running', async () => {
      early = path.join(work, 'interrupted');
      const base = await stablePortRange(PORTS);
      const command = `cd ${root} && TARS_CONFIG_DIR=${process.env.TARS_CONFIG_DIR} node bin/dev.js cluster start ` +
        `--base-port ${base} --data ${early}; echo "exit=$?"; sleep 60`;
      tmux('new-session', '-d', '-s', 'early', '-x', '200', '-y', '60', command);
      const screenOf = (): string => tmux('capture-pane', '-p', '-J', '-t', 'early');
      await until(() => /Node \S+: started, pid \d+/.test(screenOf()), 'the node started', 60_000);
      const shown = screenOf();
      for (const m of shown.matchAll(/: started, pid (\d+)/g)) seen.set(Number(m[1]), early);
      const pids = [...seen].filter(([, d]) => d === early).map(([pid]) => pid);
      expect(pids, shown).to.have.length(2);
      tmux('send-keys', '-t', 'early', 'C-c');
      await until(() => /exit=\d+/.test(screenOf()), 'the command to end', 120_000);
      try {
        for (const pid of pids) await until(() => !processAlive(pid), `pid ${pid} to be gone`, 15_000);
        await until(() => locksFree(early!), 'every lock free', 15_000);
      } catch (error) {
        throw new Error(`${(error as Error).message}; the screen:\n${screenOf()}`);
      }
    });
  });
});
