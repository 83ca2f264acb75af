// Issue 13's show, from the CLI: a registry, a node and the stat daemon (listed in the registry through --locator)
// as real processes; a service with a fast and a slow function deployed on the node (its report-interval 1 s, set
// with --profile); `tars call --repeat` load through the registry, with timeouts from the slow function; the counts
// both sides reported, and their latency, read back with `tars stat watch --once --json`. Every process started
// here is killed by pid in `after`.
import {expect} from 'chai';
import type {ChildProcess} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {consecutiveFreePorts, freePorts} from '../../../../test/support/ports.js';
import {exited, registryLocatorOf, startCliDaemon, tars, tarsJson} from '../../../../test/support/cli-daemon.js';
import {until} from '../../../../test/support/wait.js';
import type {WatchJson, WatchRowJson} from '../src/watch.js';
import {writeServicePackage} from '../../../../test/support/echo-service.js';






/** A service on @tars-ts/core (linked as `tars new` links it): EchoHello answers at once, Slow after `ms`. */
const SERVICE = `import {Application, Servant, T} from '@tars-ts/core';
const ECHO = {name: 'EchoHello', ret: T.int, params: [{name: 'req', tag: 1, type: T.string, out: false},
  {name: 'resp', tag: 2, type: T.string, out: true}]};
const SLOW = {name: 'Slow', ret: T.int, params: [{name: 'ms', tag: 1, type: T.int, out: false}]};
class Echo extends Servant {
  static $interface = {name: 'StatE2E.Echo', operations: [ECHO, SLOW]};
  EchoHello(req) { return {ret: 0, resp: req}; }
  async Slow(ms) { await new Promise((r) => setTimeout(r, ms)); return {ret: 0}; }
}
const app = await Application.fromArgs(process.argv);
app.addServant(new Echo(), 'StatE2E.Echo.EchoObj');
await app.start();
`;

const PROFILE = `<tars>
  <application>
    <client>
      report-interval = 1000
    </client>
  </application>
</tars>
`;

interface RepeatJson {
  calls: number;
  ok: number;
  failed: number;
  byCode: Record<string, number>;
}

describe('tars stat, end to end: load on a deployed service, read back with tars stat watch', function () {
  this.timeout(300_000);
  let work: string;
  let locator: string;
  const daemons: ChildProcess[] = [];
  let serverPid = 0;
  const L = () => ['--locator', locator];

  before(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'tars-stat-e2e-'));
    const registry = await startCliDaemon(['registry', 'start', '--port', '0', '--data', path.join(work, 'registry')]);
    daemons.push(registry.child);
    locator = registryLocatorOf(registry.out);
    const stat = await startCliDaemon(['stat', 'start', '--port', '0', '--data', path.join(work, 'stat'),
      '--metrics-port', '0', ...L()]);
    daemons.push(stat.child);
    const nodePort = await consecutiveFreePorts(2);
    const node = await startCliDaemon(['node', 'start', '--port', String(nodePort), '--data', path.join(work, 'node'),
      '--name', 'stat-e2e', ...L()]);
    daemons.push(node.child);
    await until(async () => (await tarsJson<{nodes: {alive: boolean}[]}>(['node', 'list', ...L()])).nodes
      .some((n) => n.alive), 'the node to register', 20_000);
    // The stat daemon lists StatObj in the registry (--locator): servers and tars call find it by name.
    await until(async () => (await tarsJson<{endpoints: unknown[]}>(['registry', 'find', 'tars.tarsstat.StatObj',
      ...L()])).endpoints.length > 0, 'StatObj listed in the registry', 20_000);
  });

  after(async () => {
    if (serverPid > 0) {
      try {
        process.kill(serverPid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    for (const d of daemons.reverse()) {
      if (d.exitCode === null && d.signalCode === null) d.kill('SIGKILL');
      await exited(d);
    }
    rmSync(work, {recursive: true, force: true});
  });

  it('success, timeouts and latency of tars call --repeat load match on both sides', async () => {
    const pkg = path.join(work, 'pkg');
    writeServicePackage(pkg, 'stat-e2e', SERVICE);
    writeFileSync(path.join(work, 'profile.conf'), PROFILE);
    const [port] = await freePorts(1);
    const deployed = await tarsJson<{pid: number}>(['server', 'deploy', 'StatE2E.Echo', '--package', pkg,
      '--adapter', `EchoObj=tcp -h 127.0.0.1 -p ${port} -t 60000`, '--profile', path.join(work, 'profile.conf'),
      ...L()]);
    serverPid = deployed.pid;

    const fast = await tarsJson<RepeatJson>(['call', 'StatE2E.Echo.EchoObj', 'EchoHello', 'x', '--repeat', '5000',
      '--concurrency', '32', ...L()]);
    expect(fast).to.include({calls: 5000, ok: 5000, failed: 0});
    // Slow takes 300 ms; the caller gives up after 100 ms: every call times out on the caller's side, and the
    // callee still serves (and counts) each one.
    const slow = await tars(['call', 'StatE2E.Echo.EchoObj', 'Slow', '300', '--repeat', '64', '--concurrency', '32',
      '--timeout', '100', '--json', ...L()]);
    const slowJson = JSON.parse(slow.stdout) as RepeatJson;
    expect(slowJson.calls).to.equal(64);
    expect(slowJson.failed).to.equal(64);

    const row = (rows: WatchRowJson[], iface: string, side: string) =>
      rows.find((r) => r.callee === 'StatE2E.Echo' && r.interface === iface && r.side === side);
    let watch: WatchJson | undefined;
    await until(async () => {
      watch = await tarsJson<WatchJson>(['stat', 'watch', '--once', '--by', 'interface', '--app', 'StatE2E', ...L()]);
      // The callee reports every second; it has served every Slow call once 300 ms have passed since the last.
      return row(watch.rows, 'EchoHello', 'server')?.calls === 5000 && row(watch.rows, 'Slow', 'server')?.calls === 64;
    }, 'the callee\'s reports of every call', 30_000);
    const rows = watch!.rows;
    // What the caller (tars call, reporting as tars.call) saw.
    expect(row(rows, 'EchoHello', 'client')).to.include({calls: 5000, success: 5000, timeout: 0, exception: 0});
    expect(row(rows, 'Slow', 'client')).to.include({calls: 64, success: 0, timeout: 64, exception: 0});
    // What the callee saw: every call served, the slow ones in 300 ms or more.
    expect(row(rows, 'EchoHello', 'server')).to.include({success: 5000, timeout: 0, exception: 0});
    const slowServer = row(rows, 'Slow', 'server')!;
    expect(slowServer).to.include({success: 64, timeout: 0, exception: 0});
    // At least 300 ms less Node's timer granularity: setTimeout counts from the event loop's clock (whole ms, taken
    // when the loop turn began), so a 300 ms timer can end up to 1 ms before 300 ms of performance.now() pass.
    expect(slowServer.avgMs).to.be.at.least(299);
    expect(slowServer.p99Ms).to.be.at.least(500); // the 200-500 ms bucket's upper bound
    expect(row(rows, 'EchoHello', 'server')!.avgMs).to.be.below(slowServer.avgMs);
    // By caller: the load came from tars call.
    const byCaller = await tarsJson<WatchJson>(['stat', 'watch', '--once', '--by', 'caller', '--app', 'StatE2E',
      '--side', 'client', ...L()]);
    expect(byCaller.rows.map((r) => r.caller)).to.deep.equal(['tars.call']);
  });
});
