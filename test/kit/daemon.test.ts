// The kit's daemon host through a real oclif CLI (test/fixtures/daemon-cli: a test daemon's start, stop, status and
// a client command, each a subclass of the kit's base commands as a plugin writes them). Daemons run as processes
// of their own; status, stop and the client command also run in this process. Every port is a free one on
// 127.0.0.1, every data directory a temporary one, and every process is killed by pid in the after-hooks.
import {run} from '@oclif/core';
import {captureOutput} from '@oclif/test';
import {expect} from 'chai';
import {type ChildProcess, spawn} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import {
  DaemonLock, type DaemonStatusJson, type DaemonStopJson, MAX_SOCKET_PATH, daemonPorts, lockSocketPath, probeLock,
} from '@tars-ts/kit';

import {until} from '../support/wait.js';

const cliRoot = new URL('../fixtures/daemon-cli/', import.meta.url).pathname;
const bin = path.join(cliRoot, 'bin.ts');

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Every process a test started or saw as a daemon: killed by pid after each test. */
const pids = new Set<number>();
const dirs: string[] = [];

/** Whether a process runs (a zombie whose threads have all exited does not: it holds nothing any more). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return !(/^State:\s*Z/m.test(status) && /^Threads:\s*1$/m.test(status));
  } catch {
    return false;
  }
}

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tars-daemon-'));
  dirs.push(dir);
  return path.join(dir, 'data');
}

/** Runs the test CLI as its own process to its end (bounded). */
function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  const child = spawnCli(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tars-test ${args.join(' ')}: no end within 40 s\n${stdout}\n${stderr}`));
    }, 40_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({code, stdout, stderr});
    });
  });
}

function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=tars-dev', bin, ...args],
    {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, ...env}});
  if (child.pid) pids.add(child.pid);
  return child;
}

interface Foreground {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

/** Starts `probe start` in the foreground; resolves once it printed READY or ended. */
async function foreground(args: string[]): Promise<Foreground> {
  const child = spawnCli(['probe', 'start', ...args]);
  let stdout = '';
  let stderr = '';
  let ended = false;
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => {
    ended = true;
    resolve(code);
  }));
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  await until(() => /^READY$/m.test(stdout) || ended, 'the daemon printed READY or ended', 30_000);
  return {child, stdout: () => stdout, stderr: () => stderr, exit};
}

/** Runs the test CLI in this process (status, stop and the client command; never a start). */
async function inProcess(args: string[]): Promise<Result> {
  const {stdout, stderr, error} = await captureOutput(() => run(args, cliRoot));
  return {code: error?.oclif?.exit ?? (error ? 1 : 0), stdout, stderr};
}

async function listenOn(port: number): Promise<net.Server | undefined> {
  const server = net.createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** A free port P whose P+1 is free too (for --port P on a daemon with two servants). */
async function twoFreePorts(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const first = await listenOn(0);
    const port = (first!.address() as net.AddressInfo).port;
    const second = port < 65_535 ? await listenOn(port + 1) : undefined;
    await new Promise((r) => first!.close(r));
    if (second) {
      await new Promise((r) => second.close(r));
      return port;
    }
  }
  throw new Error('no two consecutive free ports');
}

/** Whether any process runs with `text` in its command line (a daemon left behind). */
function processWith(text: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(text) && alive(Number(entry))) return Number(entry);
    } catch {
      // Ended meanwhile.
    }
  }
  return undefined;
}

describe('kit: the daemon host (tars <daemon> start|stop|status)', function () {
  this.timeout(90_000);

  afterEach(async () => {
    for (const pid of pids) {
      if (pid !== process.pid && alive(pid)) process.kill(pid, 'SIGKILL');
    }
    for (const pid of pids) if (pid !== process.pid) await until(() => !alive(pid), `pid ${pid} gone`, 10_000);
    pids.clear();
  });

  after(() => {
    for (const dir of dirs) rmSync(dir, {recursive: true, force: true});
  });

  it('in the foreground, --port P gives P and P+1, prints them and READY; SIGTERM stops it gracefully, exit 0',
    async () => {
      const data = tempDir();
      const port = await twoFreePorts();
      const d = await foreground(['--port', String(port), '--data', data]);
      const lines = d.stdout().trimEnd().split('\n');
      expect(lines.at(-1)).to.equal('READY');
      expect(lines[0]).to.match(new RegExp(`^probe: pid ${d.child.pid}, data ${data}$`));
      expect(lines.slice(1, 3)).to.deep.equal([
        `  tars.tarsprobe.ProbeObj  tcp -h 127.0.0.1 -p ${port} -t 60000`,
        `  tars.tarsprobe.EchoObj   tcp -h 127.0.0.1 -p ${port + 1} -t 60000`,
      ]);
      expect(readFileSync(path.join(data, 'daemon.pid'), 'utf8').trim()).to.equal(String(d.child.pid));

      // A client command of the topic reaches it with -e.
      const echo = await inProcess(['probe', 'echo', 'hi', '-e', `tcp -h 127.0.0.1 -p ${port}`, '--json']);
      expect(JSON.parse(echo.stdout)).to.deep.equal({ret: 'hi'});
      // ... and with --data, through the daemon's lock.
      const byData = await inProcess(['probe', 'echo', 'by data', '--data', data, '--json']);
      expect(JSON.parse(byData.stdout)).to.deep.equal({ret: 'by data'});

      d.child.kill('SIGTERM');
      expect(await d.exit).to.equal(0);
      expect(existsSync(path.join(data, 'closed')), 'the factory\'s onClose ran').to.equal(true);
      expect(existsSync(path.join(data, 'daemon.pid'))).to.equal(false);
      expect((await probeLock(data)).state).to.equal('free');
    });

  it('--detach returns after READY; status shows it; a second start is refused naming the pid; stop stops it',
    async () => {
      const data = tempDir();
      const locator = 'tars.tarsregistry.QueryObj@tcp -h 127.0.0.1 -p 1';
      const started = await cli(['probe', 'start', '--detach', '--port', '0', '--data', data, '--locator', locator]);
      expect(started.code, started.stderr).to.equal(0);
      expect(started.stdout.trimEnd().split('\n').at(-1)).to.equal('READY');
      const pid = Number(readFileSync(path.join(data, 'daemon.pid'), 'utf8'));
      pids.add(pid);
      expect(started.stdout).to.contain(`probe: pid ${pid}, data ${data}, log ${path.join(data, 'daemon.log')}`);

      const status = await inProcess(['probe', 'status', '--data', data, '--json']);
      expect(status.code).to.equal(0);
      const json = JSON.parse(status.stdout) as DaemonStatusJson;
      expect(json).to.include({name: 'probe', running: true, pid, dataDir: data, store: path.join(data, 'probe.db'),
        log: path.join(data, 'daemon.log')});
      expect(json.endpoints.map((e) => e.obj)).to.deep.equal(['tars.tarsprobe.ProbeObj', 'tars.tarsprobe.EchoObj']);
      expect(started.stdout).to.contain(json.endpoints[0].endpoint);
      const human = await inProcess(['probe', 'status', '--data', data]);
      expect(human.stdout).to.match(new RegExp(`^probe is running: pid ${pid}, up `));

      const again = await cli(['probe', 'start', '--port', '0', '--data', data]);
      expect(again.code).to.equal(1);
      expect(again.stderr).to.contain(`error: probe already runs on data directory ${data} (pid ${pid})`);
      expect(again.stderr).to.contain(`hint: stop it: tars-test probe stop --data ${data}`);
      const againDetached = await inProcess(['probe', 'start', '--detach', '--port', '0', '--data', data, '--json']);
      expect(againDetached.code).to.equal(1);
      expect(JSON.parse(againDetached.stdout).error).to.include({code: 'DAEMON_RUNNING'});
      expect(alive(pid), 'the running daemon is untouched').to.equal(true);

      const stop = await inProcess(['probe', 'stop', '--data', data, '--json']);
      expect(stop.code).to.equal(0);
      expect(JSON.parse(stop.stdout) as DaemonStopJson).to.include({stopped: true, pid, forced: false});
      expect(alive(pid)).to.equal(false);
      expect(existsSync(path.join(data, 'closed')), 'stopped gracefully').to.equal(true);
      const log = readFileSync(path.join(data, 'daemon.log'), 'utf8');
      expect(log).to.contain('READY');
      expect(log, 'the factory got --locator').to.contain(`locator ${locator}`);

      const stopAgain = await inProcess(['probe', 'stop', '--data', data]);
      expect(stopAgain.code).to.equal(0);
      expect(stopAgain.stdout).to.equal(`probe is not running (data directory ${data})\n`);
      const notRunning = await inProcess(['probe', 'status', '--data', data, '--json']);
      expect(notRunning.code).to.equal(4);
      expect(JSON.parse(notRunning.stdout)).to.include({name: 'probe', running: false, dataDir: data});
    });

  it('after kill -9 of the daemon, its stale lock is replaced: start works again', async () => {
    const data = tempDir();
    const first = await cli(['probe', 'start', '--detach', '--port', '0', '--data', data]);
    expect(first.code, first.stderr).to.equal(0);
    const pid = Number(readFileSync(path.join(data, 'daemon.pid'), 'utf8'));
    pids.add(pid);
    process.kill(pid, 'SIGKILL');
    await until(() => !alive(pid), 'the killed daemon gone', 10_000);
    expect((await probeLock(data)).state).to.equal('stale');
    const status = await inProcess(['probe', 'status', '--data', data]);
    expect(status.code).to.equal(4);
    expect(status.stderr).to.contain(`its daemon.pid (pid ${pid}) is stale`);

    const second = await cli(['probe', 'start', '--detach', '--port', '0', '--data', data]);
    expect(second.code, second.stderr).to.equal(0);
    const pid2 = Number(readFileSync(path.join(data, 'daemon.pid'), 'utf8'));
    pids.add(pid2);
    expect(pid2).to.not.equal(pid);
    const stop = await inProcess(['probe', 'stop', '--data', data, '--json']);
    expect(JSON.parse(stop.stdout)).to.include({stopped: true, pid: pid2});
  });

  it('a stale daemon.pid naming a live unrelated process is neither trusted nor signalled, and is removed', async () => {
    const data = tempDir();
    mkdirSync(data, {recursive: true});
    writeFileSync(path.join(data, 'daemon.pid'), `${process.pid}\n`);
    const status = await inProcess(['probe', 'status', '--data', data]);
    expect(status.code).to.equal(4);
    expect(status.stderr).to.contain(`error: probe is not running (data directory ${data}); its daemon.pid ` +
      `(pid ${process.pid}) is stale`);
    const stop = await inProcess(['probe', 'stop', '--data', data, '--json']);
    expect(stop.code).to.equal(0);
    expect(JSON.parse(stop.stdout)).to.deep.equal({name: 'probe', dataDir: data, stopped: false,
      stalePid: process.pid});
    expect(existsSync(path.join(data, 'daemon.pid'))).to.equal(false);
    // Still here: this process was not signalled (a SIGTERM would have ended the test run).
    expect(alive(process.pid)).to.equal(true);

    const none = await inProcess(['probe', 'stop', '--data', path.join(data, 'never-made')]);
    expect(none.code).to.equal(0);
    expect(none.stdout).to.contain('probe is not running');
  });

  it('a port in use: one error line and exit 1; with --detach, no process is left behind', async () => {
    const busy = await listenOn(0);
    const port = (busy!.address() as net.AddressInfo).port;
    try {
      const data = tempDir();
      const r = await cli(['probe', 'start', '--port', String(port), '--data', data]);
      expect(r.code).to.equal(1);
      const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: '));
      expect(errors).to.have.length(1);
      expect(errors[0]).to.contain(`cannot listen on tcp -h 127.0.0.1 -p ${port}`).and.contain('--port');
      expect(r.stderr).to.not.match(/\n\s+at /);
      expect((await probeLock(data)).state, 'the lock is released').to.equal('free');

      const detached = await cli(['probe', 'start', '--detach', '--port', String(port), '--data', data]);
      expect(detached.code).to.equal(1);
      expect(detached.stderr).to.match(new RegExp(`error: probe did not start: adapter \\S+ cannot listen on ` +
        `tcp -h 127.0.0.1 -p ${port}`));
      expect(detached.stderr).to.contain(`last lines of ${path.join(data, 'daemon.log')}:`);
      expect(detached.stderr).to.contain(`hint: the daemon's output is in ${path.join(data, 'daemon.log')}`);
      expect(processWith(data), 'a process left behind').to.equal(undefined);
      expect(existsSync(path.join(data, 'daemon.pid'))).to.equal(false);
      expect((await probeLock(data)).state).to.equal('free');
    } finally {
      await new Promise((r) => busy!.close(r));
    }
  });

  it('stop sends SIGKILL to a daemon that has not ended --timeout ms after SIGTERM', async () => {
    const data = tempDir();
    const started = await cli(['probe', 'start', '--detach', '--port', '0', '--data', data],
      {PROBE_HANG_ON_CLOSE: '1'});
    expect(started.code, started.stderr).to.equal(0);
    const pid = Number(readFileSync(path.join(data, 'daemon.pid'), 'utf8'));
    pids.add(pid);
    const stop = await inProcess(['probe', 'stop', '--data', data, '--timeout', '300', '--json']);
    expect(stop.code).to.equal(0);
    expect(JSON.parse(stop.stdout)).to.include({stopped: true, pid, forced: true});
    expect(alive(pid)).to.equal(false);
    expect(existsSync(path.join(data, 'daemon.pid')), 'its pid file removed').to.equal(false);
    expect((await probeLock(data)).state, 'its lock socket removed').to.equal('free');
  });

  it('a client command with no endpoint and no locator says how to reach the daemon', async () => {
    const saved = process.env.XDG_CONFIG_HOME;
    process.env.XDG_CONFIG_HOME = mkdtempSync(path.join(os.tmpdir(), 'tars-daemon-cfg-'));
    dirs.push(process.env.XDG_CONFIG_HOME);
    try {
      const r = await inProcess(['probe', 'echo', 'hi']);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.contain('error: no probe daemon to ask for tars.tarsprobe.ProbeObj');
      expect(r.stderr).to.contain(`-e 'tcp -h 127.0.0.1 -p 17990'`);
    } finally {
      if (saved === undefined) delete process.env.XDG_CONFIG_HOME;
      else process.env.XDG_CONFIG_HOME = saved;
    }
  });
});

describe('kit: the daemon lock and ports', () => {
  after(() => {
    for (const dir of dirs) rmSync(dir, {recursive: true, force: true});
  });

  it('--port P numbers the servants P, P+1, ...; 0 gives every one a free port; none gives the official ones', () => {
    const spec = {servants: [{obj: 'a.b.A', port: 17890}, {obj: 'a.b.B', port: 17891}, {obj: 'a.b.C', port: 12000}]};
    expect(daemonPorts(spec, undefined)).to.deep.equal([17890, 17891, 12000]);
    expect(daemonPorts(spec, 20000)).to.deep.equal([20000, 20001, 20002]);
    expect(daemonPorts(spec, 0)).to.deep.equal([0, 0, 0]);
    expect(() => daemonPorts(spec, 65_534)).to.throw(/past 65535/);
  });

  it('a data directory too deep for a socket path locks through /tmp, one holder at a time', async () => {
    let data = tempDir();
    while (Buffer.byteLength(path.join(data, 'daemon.sock')) <= MAX_SOCKET_PATH) data = path.join(data, 'deeper-dir');
    mkdirSync(data, {recursive: true});
    const socket = lockSocketPath(data);
    expect(socket).to.match(/^\/tmp\/tars-daemon-[0-9a-f]{16}\.sock$/);
    const info = {protocol: 1 as const, name: 'probe', state: 'running' as const, pid: process.pid,
      startedAt: new Date().toISOString(), dataDir: data, endpoints: []};
    const lock = await DaemonLock.acquire(data, () => info, {bin: 'tars', name: 'probe'});
    try {
      const probe = await probeLock(data);
      expect(probe).to.deep.include({state: 'held'});
      let refused: Error | undefined;
      await DaemonLock.acquire(data, () => info, {bin: 'tars', name: 'probe'}).catch((e: Error) => (refused = e));
      expect(refused?.message).to.equal(`probe already runs on data directory ${data} (pid ${process.pid})`);
    } finally {
      await lock.release();
    }
    expect((await probeLock(data)).state).to.equal('free');
    expect(existsSync(socket)).to.equal(false);
  });
});
