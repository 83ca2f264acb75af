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
});
