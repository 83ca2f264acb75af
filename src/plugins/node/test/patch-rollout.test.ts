// Issue 16 from the node's side, with a small in-process patch server (the official Patch interface and PatchCtl,
// versions from memory) so that what a real one never does can be arranged: `tars server deploy --version` on two
// nodes, a download resumed from a partial file, an md5 mismatch refused, and the deployed interface used when the
// server has no reflection. The rollout in batches and the rollback run against the real patch server in
// src/plugins/patch/test/rollout-e2e.test.ts.
import {expect} from 'chai';
import {createHash} from 'node:crypto';
import {cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {Application, Communicator, Logger, formatEndpoint} from '@tars-ts/core';
import {Patch, PatchCtl, RegistryCtl} from '@tars-ts/core/framework';
import {type RunningDaemon, startDaemon} from '@tars-ts/kit';
import type {ChildProcess} from 'node:child_process';
import * as tar from 'tar';

import {exited, registryLocatorOf, startCliDaemon, tars} from '../../../../test/support/cli-daemon.js';
import {freePorts} from '../../../../test/support/ports.js';
import {EchoProxy, echoServiceSource} from '../../../../test/support/echo-service.js';
import {until} from '../../../../test/support/wait.js';
import {nodeDaemon} from '../src/daemon.js';

const root = new URL('../../../..', import.meta.url).pathname.replace(/\/$/, '');
const quiet = new Logger('NONE', () => undefined);
const CHUNK = 64 * 1024;



/** A patch server from memory: files by Patch path, versions by number; what was downloaded from where. */
class Store {
  readonly files = new Map<string, Buffer>();
  readonly versions = new Map<string, PatchCtl.PatchVersion>();
  readonly downloads: {file: string; pos: number}[] = [];
  readonly interfaceAsked: string[] = [];
}

class FakePatch extends Patch.PatchServant {
  constructor(private readonly store: Store) {
    super();
  }

  listFileInfo(p: string): {ret: number; vf: Patch.FileInfo[]} {
    const data = this.store.files.get(p);
    if (!data) return {ret: -1, vf: []};
    return {ret: 1, vf: [Patch.FileInfo.create({path: path.basename(p), size: data.length, canExec: false,
      md5: createHash('md5').update(data).digest('hex')})]};
  }

  download(file: string, pos: number): {ret: number; vb: Uint8Array} {
    this.store.downloads.push({file, pos});
    const data = this.store.files.get(file);
    if (!data) return {ret: -1, vb: new Uint8Array()};
    if (pos >= data.length) return {ret: 1, vb: new Uint8Array()};
    return {ret: 0, vb: data.subarray(pos, pos + CHUNK)};
  }

  preparePatchFile(): {ret: number; result: string} {
    return {ret: 0, result: ''};
  }

  deletePatchFile(): {ret: number} {
    return {ret: 0};
  }

  upload(): {ret: number} {
    return {ret: -1};
  }
}

class FakePatchCtl extends PatchCtl.PatchCtlServant {
  constructor(private readonly store: Store) {
    super();
  }

  commitUpload(): PatchCtl.PatchCtl$Results['commitUpload'] {
    return {ret: -1, version: PatchCtl.PatchVersion.create(), result: 'not here'};
  }

  listVersions(): PatchCtl.PatchCtl$Results['listVersions'] {
    return {ret: 0, versions: [...this.store.versions.values()]};
  }

  getVersion(_a: string, _s: string, version: string): PatchCtl.PatchCtl$Results['getVersion'] {
    const v = this.store.versions.get(version);
    return v ? {ret: 0, v, result: ''} : {ret: -1, v: PatchCtl.PatchVersion.create(), result: 'no such version'};
  }

  removeVersion(): PatchCtl.PatchCtl$Results['removeVersion'] {
    return {ret: -1, result: 'not here'};
  }

  getInterface(_a: string, _s: string, version: string): PatchCtl.PatchCtl$Results['getInterface'] {
    this.store.interfaceAsked.push(version);
    return {ret: 0, files: new Map([['Echo.tars', 'module PatchApp { interface Echo { ' +
      'int EchoHello(string req, out string resp); }; };\n']]), result: ''};
  }
}

describe('tars server deploy --version, patch and rollback: two nodes, a patch server', function () {
  this.timeout(240_000);
  let work: string;
  let registry: ChildProcess;
  const nodes: RunningDaemon[] = [];
  let patchApp: Application;
  let locator: string;
  const store = new Store();
  const comm = new Communicator();
  const ports: number[] = [];
  const L = () => ['--locator', locator];

  /** Packs version `v` of the service (core copied in as npm would install it) and adds it to the store. */
  async function release(v: string, md5?: string): Promise<void> {
    const dir = path.join(work, `pkg${v}`);
    mkdirSync(path.join(dir, 'node_modules/@tars-ts/core'), {recursive: true});
    cpSync(path.join(root, 'core/package.json'), path.join(dir, 'node_modules/@tars-ts/core/package.json'));
    cpSync(path.join(root, 'core/dist'), path.join(dir, 'node_modules/@tars-ts/core/dist'), {recursive: true});
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({name: 'patch-echo', type: 'module', main: 'index.js'}));
    writeFileSync(path.join(dir, 'index.js'), echoServiceSource('PatchApp.Echo.EchoObj', v));
    const file = path.join(work, `v${v}.tgz`);
    await tar.c({gzip: true, file, cwd: dir, portable: true}, ['.']);
    const data = readFileSync(file);
    const patchPath = `/PatchApp/Echo/PatchApp.Echo_${v}.tgz`;
    store.files.set(patchPath, data);
    store.versions.set(v, PatchCtl.PatchVersion.create({application: 'PatchApp', serverName: 'Echo', version: v,
      md5: md5 ?? createHash('md5').update(data).digest('hex'), size: BigInt(data.length), file: patchPath}));
  }

  before(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'tars-patch-rollout-'));
    const started = await startCliDaemon(['registry', 'start', '--port', '0', '--data', path.join(work, 'registry')]);
    registry = started.child;
    locator = registryLocatorOf(started.out);
    for (const name of ['node-a', 'node-b']) {
      nodes.push(await startDaemon(nodeDaemon, {port: 0, data: path.join(work, name), locator, logger: quiet,
        settings: {name, 'check-interval': 200}}));
    }
    patchApp = Application.fromOptions({app: 'tars', server: 'tarspatch', logger: quiet, adapters: [
      {servant: 'tars.tarspatch.PatchObj', endpoint: 'tcp -h 127.0.0.1 -p 0'},
      {servant: 'tars.tarspatch.PatchCtlObj', endpoint: 'tcp -h 127.0.0.1 -p 0'}]});
    patchApp.addServant(new FakePatch(store), 'tars.tarspatch.PatchObj');
    patchApp.addServant(new FakePatchCtl(store), 'tars.tarspatch.PatchCtlObj');
    await patchApp.start();
    const ctl = comm.stringToProxy(RegistryCtl.RegistryCtlProxy, 'tars.tarsregistry.RegistryCtlObj',
      {timeout: 3000});
    comm.setProperty('locator', locator);
    for (const a of patchApp.servantAdapters) {
      await ctl.addEndpoint(RegistryCtl.ManualEndpoint.create({servant: a.config.servant,
        endpoint: formatEndpoint(a.endpoint)}));
    }
    ports.push(...await freePorts(2));
    await release('1');
    await until(async () => JSON.parse((await tars(['node', 'list', '--json', ...L()])).stdout).nodes
      .filter((n: {alive: boolean}) => n.alive).length === 2, 'both nodes registered', 20_000);
  });

  after(async () => {
    // The nodes leave their servers running: undeploy stops them.
    await tars(['server', 'undeploy', 'PatchApp.Echo', ...L()]).catch(() => undefined);
    for (const n of nodes) await n.stop();
    await patchApp.close();
    registry.kill('SIGTERM');
    await exited(registry);
    comm.close();
    rmSync(work, {recursive: true, force: true});
  });

  const runs = async (): Promise<Record<string, string>> => {
    const {servers} = await comm.stringToProxy(RegistryCtl.RegistryCtlProxy, 'tars.tarsregistry.RegistryCtlObj')
      .listServers('');
    return Object.fromEntries(servers.map((s) => [s.nodeName, s.patchVersion]));
  };

  it('deploy --version 1 on each node: both answer by name', async () => {
    for (const [i, node] of ['node-a', 'node-b'].entries()) {
      const out = await tars(['server', 'deploy', 'PatchApp.Echo', '--version', '1', '--node', node, '--adapter',
        `EchoObj=tcp -h 127.0.0.1 -p ${ports[i]} -t 3000`, '--json', ...L()]);
      expect(out.exit, out.stderr).to.equal(0);
    }
    expect(await runs()).to.deep.equal({'node-a': '1', 'node-b': '1'});
    const echo = comm.stringToProxy(EchoProxy, 'PatchApp.Echo.EchoObj');
    expect((await echo.EchoHello('x')).resp).to.equal('v1:x');
    // Downloaded in 64 KiB chunks from the start.
    expect(store.downloads.filter((d) => d.file.endsWith('_1.tgz')).map((d) => d.pos).slice(0, 2)).to.deep.equal([0, CHUNK]);
  });

  it('a broken download resumes from the partial file; an md5 mismatch is refused and nothing changes', async () => {
    await release('3');
    const data = store.files.get('/PatchApp/Echo/PatchApp.Echo_3.tgz')!;
    const partDir = path.join(work, 'node-a/PatchApp.Echo/patch');
    mkdirSync(partDir, {recursive: true});
    writeFileSync(path.join(partDir, 'PatchApp.Echo_3.tgz.part'), data.subarray(0, CHUNK + 100));
    store.downloads.length = 0;
    const out = await tars(['server', 'patch', 'PatchApp.Echo', '--version', '3', '--nodes', 'node-a', '--json', ...L()]);
    expect(out.exit, out.stderr).to.equal(0);
    expect(store.downloads[0]!.pos).to.equal(CHUNK + 100);
    expect(await runs()).to.deep.equal({'node-a': '3', 'node-b': '1'});

    await release('4', '0'.repeat(32));
    const bad = await tars(['server', 'patch', 'PatchApp.Echo', '--version', '4', '--nodes', 'node-b', ...L()]);
    expect(bad.exit).to.equal(1);
    expect(bad.stderr).to.match(/rollout stopped at node node-b .*md5 [0-9a-f]{32} is not the package's 0{32}/);
    expect(await runs()).to.deep.equal({'node-a': '3', 'node-b': '1'});
  });

  it('without reflection, tars describe and tars call use the .tars files of the version the nodes run', async () => {
    const profile = path.join(work, 'no-reflection.conf');
    writeFileSync(profile, '<tars>\n<application>\n<server>\nreflection = n\n</server>\n</application>\n</tars>\n');
    for (const [i, [node, version]] of [['node-a', '3'], ['node-b', '1']].entries()) {
      const out = await tars(['server', 'deploy', 'PatchApp.Echo', '--version', version!, '--node', node!, '--adapter',
        `EchoObj=tcp -h 127.0.0.1 -p ${ports[i]} -t 3000`, '--profile', profile, '--json', ...L()]);
      expect(out.exit, out.stderr).to.equal(0);
    }
    store.interfaceAsked.length = 0;
    const described = await tars(['describe', 'PatchApp.Echo.EchoObj', '--json', '-e', `tcp -h 127.0.0.1 -p ${ports[0]}`]);
    // Through an endpoint alone, no registry to ask: no interface.
    expect(described.exit).to.not.equal(0);
    const viaRegistry = await tars(['describe', 'PatchApp.Echo.EchoObj', '--json', ...L()]);
    expect(viaRegistry.exit, viaRegistry.stderr).to.equal(0);
    expect(JSON.parse(viaRegistry.stdout).source).to.match(/PatchApp\.Echo version 3 \(patch server\)/);
    // The newest version the nodes run.
    expect(store.interfaceAsked).to.deep.equal(['3']);
    const called = await tars(['call', 'PatchApp.Echo.EchoObj', 'EchoHello', 'deployed', '--json', ...L()]);
    expect(called.exit, called.stderr).to.equal(0);
    expect(JSON.parse(called.stdout).out.resp).to.match(/^v[13]:deployed$/);
  });
});
