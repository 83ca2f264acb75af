// --reload from the CLI only: a registry, a node and a config center as real processes (the config center started
// with --locator lists itself in the registry, so the service and `tars config` find it by name), a tiny package
// on @tars-ts/core deployed by the node, then push --reload -> the server fetched the new content (its own admin
// command shows the file it wrote) -> rollback --reload -> the old content; --dry-run shows the merged file and
// stores nothing. Every process started here is killed by pid in `after`.
import {expect} from 'chai';
import type {ChildProcess} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {execa} from 'execa';

import {tars, tarsJson, killPids, startCliDaemon, exited} from '../../../../test/support/cli-daemon.js';
import {writeServicePackage} from '../../../../test/support/echo-service.js';
import {freePorts} from '../../../../test/support/ports.js';
import {until} from '../../../../test/support/wait.js';

const root = new URL('../../../..', import.meta.url).pathname.replace(/\/$/, '');





async function consecutiveFreePorts(): Promise<number> {
  const net = await import('node:net');
  const free = (port: number) => new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({host: '127.0.0.1', port, exclusive: true}, () => server.close(() => resolve(true)));
  });
  for (let i = 0; i < 50; i++) {
    const [p] = await freePorts(1);
    if (p! < 65_535 && await free(p! + 1)) return p!;
  }
  throw new Error('no two consecutive free ports in 50 tries');
}


/**
 * The service: no business servant worth the name; it takes app.conf from the config center with addConfig (the
 * file need not exist yet: the listener hears of it on the first tars.loadconfig), and an admin command shows what
 * its listener last saw.
 */
const INDEX_JS = `import {Application, Servant} from '@tars-ts/core';

class Nothing extends Servant {}
Object.defineProperty(Nothing, '$interface', {value: {name: 'Demo.Nothing', operations: []}});

const app = await Application.fromArgs(process.argv);
app.addServant(new Nothing(), 'CfgApp.CfgServer.NothingObj');
let seen = '(nothing yet)';
await app.addConfig('app.conf', (content) => {
  seen = content;
}).catch(() => undefined);
app.addAdminCommand('demo.show', () => seen, 'what the app.conf listener last saw');
await app.start();
`;

interface ReloadOut {
  version?: number;
  reload: {node: string; server: string; ok: boolean; answer?: string; config?: string}[];
}

describe('tars config --reload, end to end from the CLI', function () {
  this.timeout(300_000);
  let work: string;
  let locator: string;
  const daemons: ChildProcess[] = [];
  const serverPids = new Set<number>();
  const SERVER = 'CfgApp.CfgServer';
  let configChild: ChildProcess;
  let configPort: number;
  const L = () => ['--locator', locator];

  before(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'tars-config-e2e-'));
    await execa('node', [path.join(root, 'node_modules/typescript/bin/tsc'), '-b', 'core'], {cwd: root});
    const registry = await startCliDaemon(['registry', 'start', '--port', '0', '--data', path.join(work, 'registry')]);
    daemons.push(registry.child);
    locator = `tars.tarsregistry.QueryObj@${/tars\.tarsregistry\.QueryObj\s+(tcp -h \S+ -p \d+[^\n]*)/.exec(registry.out)![1]!.trim()}`;
    const nodePort = await consecutiveFreePorts();
    const node = await startCliDaemon(['node', 'start', '--port', String(nodePort), '--data', path.join(work, 'node'),
      '--name', 'cfg-node', ...L()]);
    daemons.push(node.child);
    configPort = await consecutiveFreePorts();
    const config = await startCliDaemon(['config', 'start', '--port', String(configPort), '--data', path.join(work, 'config'),
      ...L()]);
    daemons.push(config.child);
    configChild = config.child;
    await until(async () => (await tarsJson<{nodes: {name: string; alive: boolean}[]}>(['node', 'list', ...L()]))
      .nodes.some((n) => n.name === 'cfg-node' && n.alive), 'the node to register', 20_000);

    const pkg = path.join(work, 'pkg');
    writeServicePackage(pkg, 'cfg-server', INDEX_JS);
    const [port] = await freePorts(1);
    const deployed = await tarsJson<{pid: number; state: string}>(['server', 'deploy', SERVER, '--package', pkg,
      '--adapter', `NothingObj=tcp -h 127.0.0.1 -p ${port} -t 60000`, ...L()]);
    serverPids.add(deployed.pid);
    expect(deployed.state).to.equal('active');
  });

  after(async () => {
    killPids(serverPids);
    for (const d of daemons) {
      if (d.exitCode === null && d.signalCode === null) d.kill('SIGKILL');
      await exited(d);
    }
    rmSync(work, {recursive: true, force: true});
  });

  const show = async () => (await tarsJson<{nodes: {answer: string}[]}>(['server', 'notify', SERVER, 'demo.show',
    'app.conf', ...L()])).nodes.map((n) => n.answer);

  it('the config center started with --locator is listed in the registry by name', async () => {
    const list = await tarsJson<{objects: {name: string; active: number}[]}>(['registry', 'list', 'tarsconfig', ...L()]);
    expect(list.objects.map((o) => [o.name, o.active])).to.deep.equal([
      ['tars.tarsconfig.ConfigCtlObj', 1], ['tars.tarsconfig.ConfigObj', 1]]);
  });

  it('refuses a push for a server the registry does not know, and stores nothing', async () => {
    const file = path.join(work, 'x.conf');
    writeFileSync(file, 'x=1\n');
    const out = await tars(['config', 'push', 'CfgApp.Nope', file, ...L()]);
    expect(out.exit).to.equal(1);
    expect(out.stderr).to.match(/^error: unknown server "CfgApp\.Nope"/);
    expect((await tarsJson<{files: unknown[]}>(['config', 'list', ...L()])).files).to.deep.equal([]);
  });

  it('push --reload: each instance fetches the new version and says so; rollback --reload brings the old one back', async () => {
    const file = path.join(work, 'app.conf');
    writeFileSync(file, '<demo>\nvalue=1\n</demo>\n');
    const first = await tarsJson<ReloadOut>(['config', 'push', SERVER, file, '--reload', ...L()]);
    expect(first.version).to.equal(1);
    expect(first.reload.map((r) => [r.node, r.ok])).to.deep.equal([['cfg-node', true]]);
    expect(first.reload[0]!.answer).to.match(/loaded config app\.conf \(23 bytes\)/);
    expect(await show()).to.deep.equal(['<demo>\nvalue=1\n</demo>\n']);

    writeFileSync(file, '<demo>\nvalue=2\n</demo>\n');
    const second = await tarsJson<ReloadOut>(['config', 'push', SERVER, file, '--reload', ...L()]);
    expect(second.version).to.equal(2);
    expect(await show()).to.deep.equal(['<demo>\nvalue=2\n</demo>\n']);

    const text = await tars(['config', 'rollback', SERVER, 'app.conf', '1', '--reload', ...L()]);
    expect(text.exit, text.stderr).to.equal(0);
    expect(text.stdout).to.match(/version 3 restores version 1\nreloaded CfgApp\.CfgServer on cfg-node: loaded config app\.conf/);
    expect(await show()).to.deep.equal(['<demo>\nvalue=1\n</demo>\n']);

    const history = await tarsJson<{versions: {version: number}[]}>(['config', 'history', SERVER, 'app.conf', ...L()]);
    expect(history.versions.map((v) => v.version)).to.deep.equal([1, 2, 3]);
    const diff = await tarsJson<{diff: string}>(['config', 'diff', SERVER, 'app.conf', '--from', '2', '--to', '3', ...L()]);
    expect(diff.diff).to.match(/-value=2\n\+value=1\n/);
  });

  it('--dry-run: the instances that would reload and the merged file each would see; nothing stored', async () => {
    const common = path.join(work, 'common.conf');
    writeFileSync(common, 'shared=1\n');
    expect((await tars(['config', 'push', 'CfgApp', common, ...L()])).exit).to.equal(0);
    expect((await tars(['config', 'ref', 'add', SERVER, 'app.conf', 'CfgApp', '--target-name', 'common.conf', ...L()]))
      .exit).to.equal(0);
    const file = path.join(work, 'app.conf');
    writeFileSync(file, 'value=9\n');
    const dry = await tarsJson<ReloadOut & {dryRun: boolean}>(['config', 'push', SERVER, file, '--dry-run', ...L()]);
    expect(dry.dryRun).to.equal(true);
    expect(dry.version).to.equal(undefined);
    expect(dry.reload.map((r) => [r.server, r.node, r.config])).to.deep.equal([
      ['CfgServer', 'cfg-node', 'shared=1\n\r\n\r\nvalue=9\n']]);
    const history = await tarsJson<{versions: unknown[]}>(['config', 'history', SERVER, 'app.conf', ...L()]);
    expect(history.versions).to.have.length(3);
    expect(await show()).to.deep.equal(['<demo>\nvalue=1\n</demo>\n']);
  });

  it('killed with -9 and started on other ports: its listing is replaced; an instance that cannot reach it says so', async () => {
    const endpoints = async (obj: string) => (await tarsJson<{endpoints: {endpoint: string}[]}>(['registry', 'find', obj,
      '--all', ...L()])).endpoints.map((e) => e.endpoint);
    expect(await endpoints('tars.tarsconfig.ConfigObj')).to.deep.equal([`tcp -h 127.0.0.1 -p ${configPort} -t 60000`]);
    configChild.kill('SIGKILL');
    await exited(configChild);
    const data = path.join(work, 'config');
    const moved = await startCliDaemon(['config', 'start', '--port', '0', '--data', data, ...L()]);
    daemons.push(moved.child);
    const port = /tars\.tarsconfig\.ConfigObj\s+tcp -h \S+ -p (\d+)/.exec(moved.out)![1];
    expect(await endpoints('tars.tarsconfig.ConfigObj')).to.deep.equal([`tcp -h 127.0.0.1 -p ${port} -t 60000`]);
    // The service still holds the old endpoint until its next refresh: the version is stored, the instance's
    // failure is its own answer, and the command exits 1 after printing it.
    const failed = await tars(['config', 'rollback', SERVER, 'app.conf', '2', '--reload', '--json', ...L()]);
    expect(failed.exit).to.equal(1);
    const json = JSON.parse(failed.stdout) as ReloadOut;
    expect(json.version).to.equal(4);
    expect(json.reload.map((r) => [r.node, r.ok])).to.deep.equal([['cfg-node', false]]);
    expect(json.reload[0]!.answer).to.match(new RegExp(`ECONNREFUSED 127\\.0\\.0\\.1:${configPort}`));

    const stopped = await tars(['config', 'stop', '--data', data]);
    expect(stopped.exit, stopped.stderr).to.equal(0);
    expect(await endpoints('tars.tarsconfig.ConfigObj')).to.deep.equal([]);
    expect(await endpoints('tars.tarsconfig.ConfigCtlObj')).to.deep.equal([]);

    // Back on its own ports, the same instance reloads the current version.
    const back = await startCliDaemon(['config', 'start', '--port', String(configPort), '--data', data, ...L()]);
    daemons.push(back.child);
    // The service's connection to that endpoint may still be in its reconnect back-off (100 ms, doubling) from the
    // failures while the center was away: a later reload reaches it (at most 5 tries, 500 ms apart).
    const rollback = async () => tars(['config', 'rollback', SERVER, 'app.conf', '4', '--reload', '--json', ...L()]);
    let ok = await rollback();
    for (let i = 0; i < 5 && ok.exit !== 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      ok = await rollback();
    }
    expect(ok.exit, ok.stderr + ok.stdout).to.equal(0);
    expect((JSON.parse(ok.stdout) as ReloadOut).reload.map((r) => r.ok)).to.deep.equal([true]);
    // Version 4 restored version 2's content; the reference added above comes first.
    expect(await show()).to.deep.equal(['shared=1\n\r\n\r\n<demo>\nvalue=2\n</demo>\n']);
  });
});
