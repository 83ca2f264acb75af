// The supervisor's decisions with a fake clock and a fake launcher: no real process, no real time.
import {expect} from 'chai';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
  type AdminShutdown, type Clock, type LaunchSpec, type LaunchedProcess, type ProcessLauncher, RestartLimiter,
  ServerProcess, type ServerProcessOptions, ServerState, type StateChange, serverLayout, serverStateName,
} from '../src/index.js';

class FakeClock implements Clock {
  constructor(public t = 1_000_000) {}
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.t += Math.max(1, ms);
  }
}

/** Processes that exist only in a map; `dieOnStart` makes each one die at once (a crash loop). */
class FakeLauncher implements ProcessLauncher {
  readonly procs = new Map<number, {alive: boolean; startTime: number; spec: LaunchSpec; ignoreShutdown?: boolean}>();
  readonly kills: [number, string][] = [];
  nextPid = 100;
  dieOnStart = false;
  async launch(spec: LaunchSpec): Promise<LaunchedProcess> {
    const pid = this.nextPid++;
    this.procs.set(pid, {alive: !this.dieOnStart, startTime: pid * 7, spec});
    return {pid, startTime: pid * 7};
  }
  isAlive(pid: number, startTime?: number): boolean {
    const p = this.procs.get(pid);
    return !!p && p.alive && (startTime === undefined || startTime === p.startTime);
  }
  startTimeOf(pid: number): number | undefined {
    const p = this.procs.get(pid);
    return p?.alive ? p.startTime : undefined;
  }
  kill(pid: number, signal: NodeJS.Signals): void {
    this.kills.push([pid, signal]);
    if (signal === 'SIGKILL') this.procs.get(pid)!.alive = false;
  }
  get starts(): number {
    return this.procs.size;
  }
}

describe('node supervisor: decisions (fake clock and launcher)', () => {
  let dir: string;
  let clock: FakeClock;
  let launcher: FakeLauncher;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-supervisor-logic-'));
  });
  after(() => rmSync(dir, {recursive: true, force: true}));
  beforeEach(() => {
    clock = new FakeClock();
    launcher = new FakeLauncher();
  });

  function server(options: Partial<ServerProcessOptions> = {}): ServerProcess {
    return new ServerProcess({application: 'TestApp', serverName: 'Hello', layout: serverLayout(dir, 'TestApp', 'Hello'),
      entry: 'index.js', clock, launcher, ...options});
  }

  it('runs `node <entry> --config=<file>` in bin by default, or the command given at deploy time', async () => {
    const s = server({env: {A: '1'}});
    await s.start();
    const spec = launcher.procs.get(100)!.spec;
    expect(spec.command).to.equal(process.execPath);
    expect(spec.args).to.deep.equal([path.join(dir, 'TestApp.Hello/bin/index.js'),
      `--config=${path.join(dir, 'TestApp.Hello/conf/TestApp.Hello.config.conf')}`]);
    expect(spec.cwd).to.equal(path.join(dir, 'TestApp.Hello/bin'));
    expect(spec.env).to.deep.equal({A: '1'});
    expect(await s.start(), 'a second copy').to.equal(false);
    expect(server({command: ['./run.sh', '-x']}).commandLine()).to.deep.equal(['./run.sh', '-x']);
  });

  it('flap limit: a crash loop is restarted 11 more times within 60 s each, then blocked for 600 s', async () => {
    launcher.dieOnStart = true;
    const s = server();
    const actions: string[] = [];
    for (let i = 0; i < 20; i++) {
      actions.push(await s.check());
      clock.t += 6000; // past the 5 s start grace, well within the 60 s interval
    }
    // 1 first start + 11 quick restarts (official: limited once the quick count exceeds ActivatorMaxCount 10).
    expect(launcher.starts).to.equal(12);
    expect(actions.filter((a) => a === 'limited').length).to.be.greaterThan(0);
    expect(s.snapshot().limiter.limited).to.equal(true);
    // 600 s after the last start: one retry, then blocked again (the limit clears only after a 900 s quiet spell).
    clock.t = s.snapshot().limiter.lastStartAt! + 600_000;
    expect(await s.check()).to.equal('started');
    clock.t += 6000;
    await s.check();
    expect(await s.check()).to.equal('limited');
    expect(launcher.starts).to.equal(13);
    // A manual start is never refused by the limit.
    expect(await s.start()).to.equal(true);
  });

  it('flap limit counting: limits are configurable, a slow start begins a new run, a long quiet spell clears it', () => {
    const l = new RestartLimiter({maxCount: 2, intervalMs: 1000, punishMs: 10_000});
    for (const t of [0, 500, 1000]) l.record(t);
    expect(l.snapshot(1000).quickStarts).to.equal(2);
    l.record(5000); // not quick: a new run
    expect(l.snapshot(5000)).to.include({quickStarts: 0, limited: false});
    for (const t of [5100, 5200, 5300]) l.record(t);
    expect(l.blocked(5400)).to.equal(true);
    expect(l.snapshot(5400).blockedUntil).to.equal(15_300);
    expect(l.blocked(15_300)).to.equal(false);
    l.record(15_300 + 15_001); // more than 1.5 x punish after the last start
    expect(l.snapshot(40_000)).to.include({limited: false, quickStarts: 0});
  });

  it('heart-beat timeout: an Active server silent for heartTimeout is stopped (SIGKILL without AdminObj) and restarted', async () => {
    const s = server({timeouts: {heartTimeoutMs: 45_000}});
    await s.start();
    s.heartbeat('', 100);
    expect(s.snapshot().state).to.equal(ServerState.Active);
    clock.t += 40_000;
    s.heartbeat();
    clock.t += 40_000;
    expect(await s.check()).to.equal('none');
    clock.t += 6000;
    expect(await s.check()).to.equal('heartbeat-timeout');
    expect(launcher.kills).to.deep.equal([[100, 'SIGKILL']]);
    expect(s.snapshot()).to.include({pid: 101, state: ServerState.Activating});
  });

  it('heart-beat timeout per adapter: one declared adapter falling silent is enough', async () => {
    const s = server({adapters: ['TestApp.Hello.AObjAdapter', 'TestApp.Hello.BObjAdapter']});
    await s.start();
    s.heartbeat('');
    for (let i = 0; i < 6; i++) {
      clock.t += 10_000;
      s.heartbeat('TestApp.Hello.AObjAdapter');
      s.heartbeat('AdminAdapter');
    }
    expect(await s.check()).to.equal('heartbeat-timeout');
  });

  it('activating timeout: a server that never becomes Active is stopped; keepActiving buys it time', async () => {
    const s = server({timeouts: {activatingTimeoutMs: 60_000}});
    await s.start();
    clock.t += 50_000;
    s.activating(100);
    clock.t += 50_000;
    expect(await s.check(), 'keepActiving 50 s ago').to.equal('none');
    clock.t += 11_000;
    expect(await s.check()).to.equal('activating-timeout');
    expect(launcher.kills).to.deep.equal([[100, 'SIGKILL']]);
    expect(launcher.starts, 'restarted by auto-start').to.equal(2);
  });

  it('pid gone: Inactive is reported, then restarted; not restarted when auto-start is off', async () => {
    const s = server();
    const changes: StateChange[] = [];
    s.onStateChange((c) => changes.push(c));
    await s.start();
    s.heartbeat('', 100);
    launcher.procs.get(100)!.alive = false;
    clock.t += 6000;
    expect(await s.check()).to.equal('exited');
    expect(changes.map((c) => `${serverStateName(c.to)}:${c.reason}`)).to.deep.equal(
      ['Activating:start', 'Active:heartbeat', 'Inactive:exited', 'Activating:start']);
    s.setAutoStart(false);
    launcher.procs.get(101)!.alive = false;
    clock.t += 6000;
    expect(await s.check()).to.equal('exited');
    expect(await s.check()).to.equal('none');
    expect(launcher.starts).to.equal(2);
  });

  it('graceful stop: AdminF.shutdown on the local endpoint, SIGKILL only after deactivating-timeout; listeners see every state in order', async () => {
    const asked: string[] = [];
    const obeys: AdminShutdown = {async shutdown(endpoint) {
      asked.push(endpoint);
      const p = [...launcher.procs.values()].at(-1)!;
      if (!p.ignoreShutdown) p.alive = false;
    }};
    const s = server({admin: obeys, localEndpoint: () => 'tcp -h 127.0.0.1 -p 30001', timeouts: {deactivatingTimeoutMs: 5000}});
    const seen: string[] = [];
    s.onStateChange((c) => seen.push(`${serverStateName(c.from)}->${serverStateName(c.to)}`));
    await s.start();
    s.heartbeat('', 100);
    expect(await s.stop()).to.equal(true);
    expect(asked).to.deep.equal(['tcp -h 127.0.0.1 -p 30001']);
    expect(launcher.kills).to.deep.equal([]);
    expect(seen).to.deep.equal(['Inactive->Activating', 'Activating->Active', 'Active->Deactivating', 'Deactivating->Inactive']);

    await s.start();
    launcher.procs.get(101)!.ignoreShutdown = true;
    const before = clock.now();
    expect(await s.stop()).to.equal(true);
    expect(launcher.kills).to.deep.equal([[101, 'SIGKILL']]);
    expect(clock.now() - before).to.be.at.least(5000);
    expect(s.snapshot().state).to.equal(ServerState.Inactive);
  });

  it('adopt: takes a running pid with the same start time, refuses a reused pid, never starts a copy', async () => {
    const other = new FakeLauncher();
    other.nextPid = 500;
    const running = await other.launch({command: 'x', args: [], cwd: '/', env: {}});
    const s = server({launcher: other});
    expect(s.adopt(running.pid, running.startTime! + 1), 'reused pid').to.equal(false);
    expect(s.snapshot().state).to.equal(ServerState.Inactive);
    expect(s.adopt(running.pid, running.startTime!)).to.equal(true);
    expect(s.snapshot()).to.include({pid: 500, state: ServerState.Active});
    clock.t += 6000;
    expect(await s.check()).to.equal('none');
    expect(other.starts).to.equal(1);
  });

  it('destroy: stops the process and nothing starts it again', async () => {
    const s = server();
    await s.start();
    expect(await s.destroy()).to.equal(true);
    expect(s.snapshot().state).to.equal(ServerState.Destroyed);
    expect(await s.check()).to.equal('skipped');
    expect(await s.start()).to.equal(false);
    expect(s.heartbeat('', 100)).to.equal(false);
  });
});
