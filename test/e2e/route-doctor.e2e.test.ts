// `tars route` and `tars doctor` (issue 21) on a real cluster with one blocked endpoint (a listener that accepts and
// never answers, registered by hand next to a live instance) and one stopped server, compared with golden outputs
// (ports, pids, times and round-trip times masked). UPDATE_GOLDEN=1 rewrites the golden files.
import {expect} from 'chai';
import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import {tars} from '../support/cli-daemon.js';
import {echoServiceSource, writeServicePackage} from '../support/echo-service.js';
import {freePorts} from '../support/ports.js';
import {type TestCluster, startTestCluster, stopTestCluster} from '../support/test-cluster.js';

const GOLDEN = new URL('../golden/cli/', import.meta.url).pathname;

/**
 * A server hosting its own echo object that also calls Doc.Echo.EchoObj by name every 100 ms (4 in flight, 400 ms
 * timeout), as a real caller would: its runtime blocks the hung endpoint, which `tars route --from` then shows.
 */
const CALLER_SOURCE = `import {Application, Servant, ServantProxy, T} from '@tars-ts/core';
const ECHO = {name: 'EchoHello', ret: T.int, params: [{name: 'req', tag: 1, type: T.string, out: false},
  {name: 'resp', tag: 2, type: T.string, out: true}]};
class Echo extends Servant {
  static $interface = {name: 'Test.Echo', operations: [ECHO]};
  EchoHello(req) { return {ret: 0, resp: req}; }
}
class EchoProxy extends ServantProxy {
  static $interface = {name: 'Test.Echo', operations: [ECHO]};
  EchoHello(req) { return this.$invoke(ECHO, [req]); }
}
const app = await Application.fromArgs(process.argv);
app.addServant(new Echo(), 'Doc.Caller.EchoObj');
await app.start();
const echo = app.communicator.stringToProxy(EchoProxy, 'Doc.Echo.EchoObj', {timeout: 400});
setInterval(() => { for (let i = 0; i < 4; i++) echo.EchoHello('x').catch(() => undefined); }, 100);
`;

/** Output with what changes from run to run masked. */
function masked(text: string): string {
  return text.replace(/-p \d+/g, '-p PORT').replace(/pid \d+/g, 'pid PID').replace(/\d+\.\d+ ms/g, 'N ms')
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'TIME').replace(/\(\d+\)/g, '(N)');
}

function expectGolden(name: string, actual: string): void {
  const file = path.join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, actual);
  expect(actual).to.equal(readFileSync(file, 'utf8'));
}

describe('tars route and tars doctor on a cluster with a blocked endpoint and a stopped server', function () {
  this.timeout(180_000);
  let cluster: TestCluster | undefined;
  let silent: net.Server;
  const held: net.Socket[] = [];

  before(async () => {
    cluster = await startTestCluster('tars-route-');
    const [echoPort, downPort, silentPort] = await freePorts(3);
    for (const [server, port] of [['Echo', echoPort], ['Down', downPort]] as const) {
      const pkg = path.join(cluster.work, `pkg-${server}`);
      writeServicePackage(pkg, server.toLowerCase(), echoServiceSource(`Doc.${server}.EchoObj`, '1'));
      const deployed = await tars(['server', 'deploy', `Doc.${server}`, '--package', pkg, '--adapter',
        `EchoObj=tcp -h 127.0.0.1 -p ${port} -t 60000`]);
      expect(deployed.exit, deployed.stderr + deployed.stdout).to.equal(0);
    }
    const stopped = await tars(['server', 'stop', 'Doc.Down']);
    expect(stopped.exit, stopped.stderr).to.equal(0);
    // accepts and never answers: a hung instance, which a client blocks after its timeouts
    silent = net.createServer((socket) => {
      held.push(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(silentPort, '127.0.0.1', resolve));
    const added = await tars(['registry', 'add', 'Doc.Echo.EchoObj', '-e', `tcp -h 127.0.0.1 -p ${silentPort} -t 3000`]);
    expect(added.exit, added.stderr).to.equal(0);
  });

  after(async () => {
    for (const s of held) s.destroy();
    await new Promise<void>((resolve) => silent ? silent.close(() => resolve()) : resolve());
    await stopTestCluster(cluster);
  });

  it('route: the live instance is the pick, the hung one is blocked, and the rotation names only the live one',
    async () => {
      const out = await tars(['route', 'Doc.Echo.EchoObj', '--timeout', '1000']);
      expect(out.exit, out.stderr).to.equal(0);
      expectGolden('route-blocked.txt', masked(out.stdout));
      const json = JSON.parse((await tars(['route', 'Doc.Echo.EchoObj', '--timeout', '1000', '--json'])).stdout);
      expect(json.endpoints.map((e: {verdict: string}) => e.verdict)).to.deep.equal(['candidate', 'blocked']);
      expect(json.pick).to.equal(json.endpoints[0].endpoint);
    });

  it('route --hash: the same key picks the same endpoint every time', async () => {
    const picks = new Set<string>();
    for (let i = 0; i < 3; i++) {
      picks.add(JSON.parse((await tars(['route', 'Doc.Echo.EchoObj', '--hash', 'user-7', '--timeout', '1000', '--json']))
        .stdout).pick);
    }
    expect(picks.size).to.equal(1);
  });

  it('route of an object the registry does not know names the closest one', async () => {
    const out = await tars(['route', 'Doc.Echo.EchoOb']);
    expect(out.exit).to.equal(2);
    expect(out.stderr).to.match(/knows no endpoint of Doc\.Echo\.EchoOb/);
    expect(out.stderr).to.match(/did you mean Doc\.Echo\.EchoObj\?/);
  });

  it('doctor on the object with a hung endpoint: the ping of that endpoint fails, with the code\'s doctor as next step',
    async () => {
      const out = await tars(['doctor', 'Doc.Echo.EchoObj', '--timeout', '1000']);
      expect(out.exit).to.equal(1);
      expectGolden('doctor-blocked.txt', masked(out.stdout));
    });

  it('doctor on the stopped server: no active endpoint, the stop named with the command that starts it', async () => {
    const out = await tars(['doctor', 'Doc.Down.EchoObj', '--timeout', '1000']);
    expect(out.exit).to.equal(1);
    expectGolden('doctor-stopped.txt', masked(out.stdout));
  });

  it('doctor on a return code prints its guide; an unknown code is a usage error', async () => {
    const out = await tars(['doctor', '-10']);
    expect(out.exit).to.equal(0);
    expectGolden('doctor-code-10.txt', out.stdout);
    const bad = await tars(['doctor', 'nonsense']);
    expect(bad.exit).to.equal(2);
    expect(bad.stderr).to.match(/neither a TARS return code nor an object/);
  });

  it('route --from a caller: the endpoint its runtime has blocked, and since when and why', async () => {
    const callerPkg = path.join(cluster!.work, 'pkg-caller');
    writeServicePackage(callerPkg, 'caller', CALLER_SOURCE);
    const [callerPort] = await freePorts(1);
    const caller = await tars(['server', 'deploy', 'Doc.Caller', '--package', callerPkg, '--adapter',
      `EchoObj=tcp -h 127.0.0.1 -p ${callerPort} -t 60000`]);
    expect(caller.exit, caller.stderr + caller.stdout).to.equal(0);
    type Row = {verdict: string; why: string; seenBy?: {caller: string; state: string; since?: string; reason?: string}[]};
    let rows: Row[] = [];
    const started = Date.now();
    let rounds = 0;
    for (let i = 0; i < 60; i++) {
      rounds = i + 1;
      const out = await tars(['route', 'Doc.Echo.EchoObj', '--from', 'Doc.Caller', '--timeout', '1000', '--json']);
      expect(out.exit, out.stderr).to.equal(0);
      rows = JSON.parse(out.stdout).endpoints as Row[];
      if (rows.some((r) => r.seenBy?.some((v) => v.state !== 'active'))) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    console.log(`      blocked by the caller after ${rounds} round(s), ${Date.now() - started} ms`);
    const hung = rows[1]!;
    expect(hung.verdict).to.equal('blocked');
    const view = hung.seenBy!.find((v) => v.state !== 'active')!;
    expect(view.caller).to.match(/^Doc\.Caller on /);
    expect(Date.parse(view.since!)).to.be.greaterThan(0);
    expect(view.reason).to.be.a('string').and.not.equal('');
    expect(hung.why).to.match(/^Doc\.Caller on \S+ has it (blocked|probing) since /);
    expect(rows[0]!.seenBy?.[0]?.state).to.equal('active');
    const text = await tars(['route', 'Doc.Echo.EchoObj', '--from', 'Doc.Caller', '--timeout', '1000']);
    expect(text.stdout).to.match(/seen by Doc\.Caller on \S+: (blocked|probing), \d+ failure\(s\) in a row, since /);
    const noCaller = await tars(['route', 'Doc.Echo.EchoObj', '--from', 'Doc.Nobody']);
    expect(noCaller.exit).to.equal(2);
    expect(noCaller.stderr).to.match(/Doc\.Nobody has no running instance/);
  });
});
