// The supervisor with real processes: small servers under fixtures/ started through execa, killed, stopped through
// AdminF.shutdown, adopted. Every pid started here is SIGKILLed in afterEach; waits are bounded polls.
import {expect} from 'chai';
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import {Communicator} from '@tars-ts/core';

import {
  ExecaLauncher, ServerProcess, ServerState, communicatorShutdown, procStartTime, procStartedAtMs, serverLayout,
} from '../src/index.js';
import {killPids} from '../../../../test/support/cli-daemon.js';

const fixture = (name: string): string => new URL(`./fixtures/${name}`, import.meta.url).pathname;
const tsx = new URL(import.meta.resolve('tsx')).href;

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

async function until(what: string, test: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Running, as the supervisor judges it: a killed child not yet reaped by this process (a zombie) is not alive. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return new ExecaLauncher().isAlive(pid);
}

describe('node supervisor: real processes', function () {
  this.timeout(60_000);
  let dir: string;
  let communicator: Communicator;
  const pids = new Set<number>();
  const servers: ServerProcess[] = [];

  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-supervisor-'));
    communicator = new Communicator();
  });
  afterEach(() => {
    for (const s of servers.splice(0)) {
      if (s.snapshot().pid > 0) pids.add(s.snapshot().pid);
      s.close();
    }
    killPids(pids);
    pids.clear();
  });
  after(() => {
    communicator.close();
    rmSync(dir, {recursive: true, force: true});
  });

  async function managed(name: string, script: string, options: {env?: Record<string, string>; maxBytes?: number} = {}) {
    const layout = serverLayout(dir, 'TestApp', name);
    for (const d of [layout.bin, layout.conf, layout.log]) mkdirSync(d, {recursive: true});
    const port = await freePort();
    const local = `tcp -h 127.0.0.1 -p ${port} -t 10000`;
    writeFileSync(layout.configFile, `<tars>\n <application>\n  <server>\n   app = TestApp\n   server = ${name}\n` +
      `   local = ${local}\n  </server>\n </application>\n</tars>\n`);
    const s = new ServerProcess({application: 'TestApp', serverName: name, layout,
      command: [process.execPath, '--import', tsx, '--conditions=tars-dev', fixture(script), `--config=${layout.configFile}`],
      ...(options.env ? {env: options.env} : {}), localEndpoint: local, admin: communicatorShutdown(communicator),
      timeouts: {startGraceMs: 0, deactivatingTimeoutMs: 2000},
      ...(options.maxBytes ? {logRotation: {maxBytes: options.maxBytes, files: 2}} : {})});
    s.onStateChange((c) => {
      if (c.pid > 0) pids.add(c.pid);
    });
    servers.push(s);
    return {s, layout};
  }

  async function startedUp(s: ServerProcess): Promise<number> {
    expect(await s.start()).to.equal(true);
    const pid = s.snapshot().pid;
    pids.add(pid);
    await until('the server to say it started', () => {
      try {
        return / started/.test(readFileSync(s.log.file, 'utf8'));
      } catch {
        return false;
      }
    });
    return pid;
  }

  it('starts the command in bin with the env additions; kill -9 is noticed by check and the server restarted', async () => {
    const {s} = await managed('Crashy', 'admin-server.ts', {env: {TARS_TEST_MARK: 'yes'}});
    const pid = await startedUp(s);
    expect(alive(pid)).to.equal(true);
    expect(s.snapshot().startTime).to.equal(procStartTime(pid));
    expect(readFileSync(`/proc/${pid}/environ`, 'latin1')).to.include('TARS_TEST_MARK=yes');
    process.kill(pid, 'SIGKILL');
    await until('the pid to vanish', () => !new ExecaLauncher().isAlive(pid));
    expect(await s.check()).to.equal('exited');
    const again = s.snapshot().pid;
    pids.add(again);
    expect(again).to.be.greaterThan(0).and.not.equal(pid);
    expect(s.snapshot().state).to.equal(ServerState.Activating);
    await until('the restarted server to run', () => alive(again));
  });

  it('graceful stop: a well-behaved server exits on AdminF.shutdown, without SIGKILL', async () => {
    const {s} = await managed('Polite', 'admin-server.ts');
    const pid = await startedUp(s);
    const reasons: string[] = [];
    s.onStateChange((c) => reasons.push(c.reason));
    expect(await s.stop()).to.equal(true);
    expect(alive(pid)).to.equal(false);
    expect(reasons).to.deep.equal(['stop', 'stopped']);
    expect(s.snapshot()).to.include({state: ServerState.Inactive, pid: 0});
  });

  it('graceful stop: a server ignoring shutdown and SIGTERM is SIGKILLed after deactivating-timeout', async () => {
    const {s} = await managed('Stubborn', 'stubborn-server.ts');
    const pid = await startedUp(s);
    const reasons: string[] = [];
    s.onStateChange((c) => reasons.push(c.reason));
    expect(await s.stop()).to.equal(true);
    expect(alive(pid)).to.equal(false);
    expect(reasons).to.deep.equal(['stop', 'killed']);
    expect(readFileSync(s.log.file, 'utf8')).to.include('shutdown ignored');
  });

  it('stdout and stderr go to <log>/<App>.<Server>.stdout.log, rotated at the size limit keeping N files', async () => {
    const {s, layout} = await managed('Chatty', 'admin-server.ts', {env: {FIXTURE_OUTPUT_BYTES: '5000'}, maxBytes: 4096});
    await startedUp(s);
    expect(s.log.file).to.equal(path.join(layout.log, 'TestApp.Chatty.stdout.log'));
    expect(readFileSync(s.log.file, 'utf8')).to.match(/x{4999}\n/);
    await s.check();
    expect(s.log.files()).to.deep.equal([s.log.file, `${s.log.file}.1`]);
    expect(readFileSync(`${s.log.file}.1`, 'utf8')).to.match(/x{4999}\n/);
    expect(readFileSync(s.log.file, 'utf8').length).to.be.lessThan(4096);
    // The process keeps writing into the truncated live file (it holds an O_APPEND descriptor).
    await s.stop();
    expect(readFileSync(s.log.file, 'utf8')).to.not.match(/x{100}/);
  });

  it('adopt: recognises a running pid by its start time, refuses a reused pid, and never starts a second copy', async () => {
    const {s, layout} = await managed('Adopted', 'admin-server.ts');
    const pid = await startedUp(s);
    const startTime = s.snapshot().startTime!;
    s.close();
    // A node restarted: a new supervisor for the same server.
    const next = new ServerProcess({application: 'TestApp', serverName: 'Adopted', layout, entry: 'unused.js',
      timeouts: {startGraceMs: 0}});
    servers.push(next);
    expect(next.adopt(pid, startTime + 1), 'same pid, another start time').to.equal(false);
    expect(next.adopt(process.pid, startTime), 'another process').to.equal(false);
    expect(next.snapshot().state).to.equal(ServerState.Inactive);
    expect(next.adopt(pid, startTime)).to.equal(true);
    expect(next.snapshot()).to.include({pid, state: ServerState.Active});
    expect(await next.check()).to.equal('none');
    expect(next.snapshot().pid).to.equal(pid);
  });
});

describe('node supervisor: process start times', () => {
  it('procStartedAtMs gives this process\'s start in epoch ms (what keeps an adopted server\'s uptime)', () => {
    const ticks = procStartTime(process.pid)!;
    const started = procStartedAtMs(ticks)!;
    const expected = Date.now() - process.uptime() * 1000;
    // Ticks are 10 ms and the boot time whole seconds: within a second and a half of what Node says.
    expect(Math.abs(started - expected)).to.be.below(1500);
  });
});
