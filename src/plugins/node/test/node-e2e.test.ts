// Issue 12's show, from the CLI only: a registry and a node as real processes, a `tars new` service deployed from its
// directory, called by bare name through the registry, killed with -9 and restarted by the node, stopped out of
// discovery, adopted by a node that was itself killed with -9, asked tars.viewstatus, a bad deploy rolled back, and
// undeployed. Every process started here (daemons and the servers the node started) is killed by pid in `after`.
import {runCommand} from '@oclif/test';
import {expect} from 'chai';
import type {ChildProcess} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {processAlive} from '@tars-ts/kit';
import {execa} from 'execa';

import {consecutiveFreePorts, freePorts} from '../../../../test/support/ports.js';
import {tars, tarsJson, killPids, registryLocatorOf, startCliDaemon, exited} from '../../../../test/support/cli-daemon.js';
import {until} from '../../../../test/support/wait.js';

const root = new URL('../../../..', import.meta.url).pathname.replace(/\/$/, '');

interface StatusJson {
  servers: {server: string; node: string; setting: string; present: string; state: string; pid: number;
    restarts: number; endpoints: string[]}[];
}

interface FindJson {
  endpoints: {endpoint: string; active: boolean; node: string}[];
}

describe('tars node and tars server, end to end from the CLI', function () {
  this.timeout(300_000);
  let work: string;
  let locator: string;
  let project: string;
  let nodeData: string;
  let servantPort: number;
  const daemons: ChildProcess[] = [];
  const serverPids = new Set<number>();
  const SERVER = 'TestApp.HelloGo';
  const OBJ = 'TestApp.HelloGo.SayHelloObj';

  const L = () => ['--locator', locator];
  const status = async () => (await tarsJson<StatusJson>(['server', 'status', SERVER, ...L()])).servers[0]!;
  let nodePort: number;
  // The same ports each time: a node started again under its name must register the same NodeObj (the registry
  // refuses a name a live node holds at another address).
  const startNode = async () => {
    const node = await startCliDaemon(['node', 'start', '--port', String(nodePort), '--data', nodeData, '--name', 'e2e-node',
      '--check-interval', '200', ...L()]);
    daemons.push(node.child);
    return node.child;
  };

  before(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'tars-node-e2e-'));
    nodeData = path.join(work, 'node');
    // The project runs against core's dist/: make sure it is current (a no-op when it is).
    await execa('node', [path.join(root, 'node_modules/typescript/bin/tsc'), '-b', 'core'], {cwd: root});
    [servantPort] = await freePorts(1);
    nodePort = await consecutiveFreePorts(2);
    project = path.join(work, 'HelloGo');
    const saved = process.env.npm_config_prefer_offline;
    process.env.npm_config_prefer_offline = 'true';
    try {
      const created = await runCommand(['new', 'TestApp', 'HelloGo', 'SayHello', '--dir', project, '--json',
        '--port', String(servantPort)], {root});
      expect(created.error, created.stderr).to.equal(undefined);
    } finally {
      if (saved === undefined) delete process.env.npm_config_prefer_offline;
      else process.env.npm_config_prefer_offline = saved;
    }
    const registry = await startCliDaemon(['registry', 'start', '--port', '0', '--data', path.join(work, 'registry')]);
    daemons.push(registry.child);
    locator = registryLocatorOf(registry.out);
    await startNode();
    await until(async () => (await tarsJson<{nodes: {name: string; alive: boolean}[]}>(
      ['node', 'list', ...L()])).nodes.some((n) => n.name === 'e2e-node' && n.alive), 'the node to register', 20_000);
  });

  after(async () => {
    killPids(serverPids);
    for (const d of daemons) {
      if (d.exitCode === null && d.signalCode === null) d.kill('SIGKILL');
      await exited(d);
    }
    rmSync(work, {recursive: true, force: true});
  });

  it('deploys a tars new service from its directory; tars call reaches it by bare name through the registry', async () => {
    const deployed = await tarsJson<{state: string; pid: number; node: string; entry: string; adapters: {servant: string}[]}>(
      ['server', 'deploy', SERVER, '--package', project, ...L()]);
    serverPids.add(deployed.pid);
    expect(deployed).to.include({state: 'active', node: 'e2e-node', entry: 'dist/HelloGo.js'});
    expect(deployed.adapters.map((a) => a.servant)).to.deep.equal([OBJ]);
    // The copy runs where it landed: the core is a real directory in the node's copy, not a link to the toolkit.
    const core = path.join(nodeData, SERVER, 'bin/node_modules/@tars-ts/core');
    expect(existsSync(path.join(core, 'dist/index.js'))).to.equal(true);
    expect((await import('node:fs')).lstatSync(core).isSymbolicLink()).to.equal(false);
    const call = await tarsJson<{ret: number; out: {resp: string}}>(['call', OBJ, 'EchoHello', 'tars', ...L()]);
    expect(call.ret).to.equal(0);
    expect(call.out.resp).to.equal('tars');
  });

  it('kill -9 of the server: the node restarts it and tars registry find shows it active again', async () => {
    const before = await status();
    expect(before).to.include({present: 'active', state: 'active'});
    process.kill(before.pid, 'SIGKILL');
    // Seen by the node and by the registry: a new pid, active (the start grace of 5 s after the deploy applies).
    await until(async () => {
      const s = await status();
      if (s.pid > 0) serverPids.add(s.pid);
      return s.pid !== before.pid && s.pid > 0 && s.state === 'active' && s.present === 'active';
    }, 'a new pid, active', 30_000);
    const found = await tarsJson<FindJson>(['registry', 'find', OBJ, ...L()]);
    expect(found.endpoints.map((e) => [e.active, e.node])).to.deep.equal([[true, 'e2e-node']]);
    expect((await status()).restarts).to.equal(1);
    const call = await tarsJson<{out: {resp: string}}>(['call', OBJ, 'EchoHello', 'again', ...L()]);
    expect(call.out.resp).to.equal('again');
  });

  it('tars server notify passes tars.viewstatus to the server and prints its answer', async () => {
    const out = await tars(['server', 'notify', SERVER, 'tars.viewstatus', ...L()]);
    expect(out.exit, out.stderr).to.equal(0);
    expect(out.stdout).to.match(/SayHelloObj/);
    const level = await tarsJson<{nodes: {answer: string}[]}>(['server', 'notify', SERVER, 'tars.setloglevel', 'DEBUG', ...L()]);
    expect(level.nodes[0]!.answer).to.equal('set log level [DEBUG] ok');
  });

  it('tars server stop: inactive, the process gone, and discovery no longer returns it; start brings it back', async () => {
    const {pid} = await status();
    const stopped = await tars(['server', 'stop', SERVER, ...L()]);
    expect(stopped.exit, stopped.stderr).to.equal(0);
    expect(processAlive(pid)).to.equal(false);
    const s = await status();
    expect(s).to.include({setting: 'inactive', present: 'inactive', pid: 0});
    const found = await tarsJson<FindJson>(['registry', 'find', OBJ, '--all', ...L()]);
    expect(found.endpoints.map((e) => e.active)).to.deep.equal([false]);
    const call = await tars(['call', OBJ, 'EchoHello', 'x', ...L(), '--json']);
    expect(call.exit).to.not.equal(0);
    // The check loop leaves a stopped server alone.
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect((await status()).pid).to.equal(0);
    const started = await tarsJson<{nodes: {result: string}[]}>(['server', 'start', SERVER, ...L()]);
    expect(started.nodes[0]!.result).to.match(/is active, pid \d+/);
    const again = await status();
    serverPids.add(again.pid);
    expect(again).to.include({setting: 'active', present: 'active'});
  });

  it('a node killed with -9 and started again adopts the running server: same pid, no second copy', async () => {
    const {pid} = await status();
    const node = daemons.pop()!;
    node.kill('SIGKILL');
    await exited(node);
    await startNode();
    await until(async () => (await status()).state === 'active', 'the node to report the server again', 30_000);
    const s = await status();
    expect(s.pid).to.equal(pid);
    expect(processAlive(pid)).to.equal(true);
    // Exactly one copy: only one process runs the deployed entry.
    const entry = path.join(nodeData, SERVER, 'bin/dist/HelloGo.js');
    const {stdout} = await execa('pgrep', ['-f', entry], {reject: false});
    expect(stdout.trim().split('\n').filter(Boolean).map(Number)).to.deep.equal([pid]);
  });

  it('tars server logs prints the server\'s own log through the node', async () => {
    const out = await tars(['server', 'logs', SERVER, '-n', '20', '--file', 'TestApp/HelloGo/TestApp.HelloGo.log', ...L()]);
    expect(out.exit, out.stderr).to.equal(0);
    expect(out.stdout).to.match(/TestApp\.HelloGo started/);
    const missing = await tars(['server', 'logs', SERVER, '--file', '../../etc/passwd', ...L()]);
    expect(missing.exit).to.not.equal(0);
  });

  it('a deploy whose server exits at once fails with its last lines, and the running version stays', async () => {
    const {pid} = await status();
    const bad = path.join(work, 'bad');
    mkdirSync(bad);
    writeFileSync(path.join(bad, 'index.js'), 'console.error("boom: no database");\nprocess.exit(3);\n');
    const out = await tars(['server', 'deploy', SERVER, '--package', bad, '--adapter',
      `SayHelloObj=tcp -h 127.0.0.1 -p ${servantPort} -t 60000`, ...L()]);
    expect(out.exit).to.equal(1);
    expect(out.stderr).to.match(/exited at once/).and.to.match(/boom: no database/);
    const s = await status();
    serverPids.add(s.pid);
    expect(s).to.include({present: 'active', setting: 'active'});
    expect(s.pid).to.not.equal(pid); // the old version was stopped for the attempt, then started again
    const call = await tarsJson<{out: {resp: string}}>(['call', OBJ, 'EchoHello', 'still here', ...L()]);
    expect(call.out.resp).to.equal('still here');
  });

  it('bad input: an unknown server, a package without an entry; nothing is left behind', async () => {
    const unknown = await tars(['server', 'start', 'TestApp.Nope', ...L()]);
    expect(unknown.exit).to.equal(2);
    expect(unknown.stderr).to.match(/TestApp\.Nope is not deployed/);
    const empty = path.join(work, 'empty');
    mkdirSync(empty);
    writeFileSync(path.join(empty, 'package.json'), '{"main": "dist/x.js"}');
    const out = await tars(['server', 'deploy', 'TestApp.Empty', '--package', empty, ...L()]);
    expect(out.exit).to.equal(2);
    expect(out.stderr).to.match(/no runnable entry: dist\/x\.js does not exist/).and.to.match(/npm run build/);
    expect(existsSync(path.join(nodeData, 'TestApp.Empty'))).to.equal(false);
    // A port another process holds: named, with the fix; nothing deployed.
    const net = await import('node:net');
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const held = (holder.address() as import('node:net').AddressInfo).port;
    try {
      const taken = await tars(['server', 'deploy', 'TestApp.HelloGo2', '--package', project, '--adapter',
        `SayHelloObj=tcp -h 127.0.0.1 -p ${held}`, ...L()]);
      expect(taken.exit).to.equal(1);
      expect(taken.stderr).to.match(new RegExp(`port ${held} on 127\\.0\\.0\\.1 is in use by another process`))
        .and.to.match(/hint: free it, or deploy with --adapter SayHelloObj=/);
      expect(existsSync(path.join(nodeData, 'TestApp.HelloGo2'))).to.equal(false);
    } finally {
      holder.close();
    }
    // A node that is not registered.
    const nowhere = await tars(['server', 'deploy', 'TestApp.HelloGo2', '--package', project, '--node', 'nope', ...L()]);
    expect(nowhere.exit).to.equal(1);
    expect(nowhere.stderr).to.match(/node "nope" is not registered/).and.to.match(/hint: the registry knows: e2e-node/);
    const listed = await tarsJson<StatusJson>(['server', 'list', ...L()]);
    expect(listed.servers.map((x) => x.server)).to.deep.equal([SERVER]);
  });

  it('tars server undeploy stops the server and removes it from the node and the registry', async () => {
    const {pid} = await status();
    const out = await tars(['server', 'undeploy', SERVER, ...L()]);
    expect(out.exit, out.stderr).to.equal(0);
    expect(processAlive(pid)).to.equal(false);
    expect(existsSync(path.join(nodeData, SERVER))).to.equal(false);
    expect((await tarsJson<StatusJson>(['server', 'list', ...L()])).servers).to.deep.equal([]);
  });
});
