// `tars registry start|stop|status|list|find|add|rm|nodes` through the real CLI (oclif's run, the root package with
// this plugin), against a registry daemon started in this process on free ports with a temp data directory.
import {run} from '@oclif/core';
import {captureOutput} from '@oclif/test';
import {expect} from 'chai';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {Communicator, Logger, stderrSink} from '@tars-ts/core';
import {NodeDescriptor, Registry} from '@tars-ts/core/framework';
import {type RunningDaemon, startDaemon} from '@tars-ts/kit';

import {registryDaemon} from '../src/daemon.js';

const root = new URL('../../../..', import.meta.url).pathname;

async function tars(args: string[]): Promise<{stdout: string; stderr: string; exit: number}> {
  const {stdout, stderr, error} = await captureOutput(() => run(args, root));
  return {stdout, stderr, exit: error?.oclif?.exit ?? (error ? 1 : 0)};
}

describe('tars registry', function () {
  this.timeout(30_000);
  let dir: string;
  let daemon: RunningDaemon;
  let locator: string;
  const data = (): string => path.join(dir, 'registry');

  const start = async (): Promise<void> => {
    daemon = await startDaemon(registryDaemon, {port: 0, data: data(), logger: new Logger('NONE', stderrSink)});
    const query = daemon.info.endpoints.find((e) => e.obj === 'tars.tarsregistry.QueryObj')!;
    locator = `tars.tarsregistry.QueryObj@${query.endpoint}`;
  };

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-registry-cmd-'));
    await start();
  });

  afterEach(async () => {
    await daemon?.stop();
    rmSync(dir, {recursive: true, force: true});
  });

  it('add, list, find and rm an object registered by hand, in plain columns when not on a terminal', async () => {
    const obj = 'TestApp.HelloGo.SayHelloObj';
    const add = await tars(['registry', 'add', obj, '-e', 'tcp -h 10.0.0.5 -p 10015', '-e', 'tcp -h 10.0.0.6 -p 10015',
      '--locator', locator]);
    expect(add.exit, add.stderr).to.equal(0);
    expect(add.stdout).to.contain(`added ${obj}@tcp -h 10.0.0.5 -p 10015`);
    const list = await tars(['registry', 'list', 'HelloGo', '--locator', locator]);
    expect(list.stdout.split('\n')[0]).to.match(/^OBJECT\s+ACTIVE\s+INACTIVE\s+NODES\s+BY HAND$/);
    expect(list.stdout).to.match(/TestApp\.HelloGo\.SayHelloObj\s+2\s+0\s+-\s+2/);
    const find = await tars(['registry', 'find', obj, '--locator', locator, '--json']);
    const json = JSON.parse(find.stdout) as {lookup: string; endpoints: {endpoint: string; active: boolean}[]};
    expect(json.lookup).to.equal('findObjectByIdInSameGroup');
    // As a client gets them: with the timeout the registry fills in (-t 3000).
    expect(json.endpoints.map((e) => [e.endpoint, e.active])).to.deep.equal([
      ['tcp -h 10.0.0.5 -p 10015 -t 3000', true], ['tcp -h 10.0.0.6 -p 10015 -t 3000', true]]);
    const rm = await tars(['registry', 'rm', obj, '-e', 'tcp -h 10.0.0.5 -p 10015', '--locator', locator, '--json']);
    expect(JSON.parse(rm.stdout)).to.deep.equal({obj, removed: 1});
    const after = await tars(['registry', 'find', obj, '--all', '--locator', locator, '--json']);
    expect((JSON.parse(after.stdout) as {endpoints: unknown[]}).endpoints).to.have.length(1);
  });

  it('--set and --group reach QueryF: a client of the SET gets them, --weight goes into the endpoint', async () => {
    const obj = 'TestApp.SetGo.SetObj';
    await tars(['registry', 'add', obj, '-e', 'tcp -h 10.1.0.1 -p 1', '--set', 'sz.a.1', '--weight', '50',
      '--locator', locator]);
    const inSet = await tars(['registry', 'find', obj, '--set', 'sz.a.1', '--locator', locator, '--json']);
    const [ep] = (JSON.parse(inSet.stdout) as {endpoints: {endpoint: string; setId: string; weight: number}[]}).endpoints;
    expect(ep).to.deep.include({setId: 'sz.a.1', weight: 50});
    expect(ep!.endpoint).to.match(/-w 50/);
    const badSet = await tars(['registry', 'add', obj, '-e', 'tcp -h 10.1.0.2 -p 1', '--set', 'sz.*.1', '--locator', locator]);
    expect(badSet.exit).to.equal(2);
    expect(badSet.stderr).to.match(/only the group may be \*/);
  });

  it('group set|list|rm|fallback: IDC groups decide what a caller gets; bad groups are refused (exit 2)', async () => {
    for (const [id, name, ips] of [['1', 'here', '127.0.0.1'], ['2', 'there', '10.9.9.*']]) {
      const set = await tars(['registry', 'group', 'set', id!, name!, ips!, '--locator', locator]);
      expect(set.exit, set.stderr).to.equal(0);
    }
    const obj = 'TestApp.Near.NearObj';
    await tars(['registry', 'add', obj, '-e', 'tcp -h 10.8.0.1 -p 1', '--group', 'here', '--locator', locator]);
    await tars(['registry', 'add', obj, '-e', 'tcp -h 10.9.9.1 -p 1', '--group', 'there', '--locator', locator]);
    // This test calls from 127.0.0.1: group "here".
    const find = await tars(['registry', 'find', obj, '--locator', locator, '--json']);
    expect((JSON.parse(find.stdout) as {endpoints: {endpoint: string; active: boolean}[]}).endpoints
      .filter((e) => e.active).map((e) => e.endpoint)).to.deep.equal(['tcp -h 10.8.0.1 -p 1 -t 3000']);

    const fallback = await tars(['registry', 'group', 'fallback', 'near', '--order', '1', '--groups', '1,2',
      '--locator', locator]);
    expect(fallback.exit, fallback.stderr).to.equal(0);
    const list = await tars(['registry', 'group', 'list', '--locator', locator, '--json']);
    expect(JSON.parse(list.stdout)).to.deep.equal({
      groups: [{groupId: 1, name: 'here', ips: ['127.0.0.1']}, {groupId: 2, name: 'there', ips: ['10.9.9.*']}],
      fallback: [{id: 'near', order: 1, groups: [1, 2], station: ''}]});

    const badIp = await tars(['registry', 'group', 'set', '3', 'x', '10.1.1', '--locator', locator]);
    expect(badIp.exit).to.equal(2);
    expect(badIp.stderr).to.match(/"10\.1\.1" is neither an IPv4 address nor a\.b\.c\.\*/);
    const twice = await tars(['registry', 'group', 'set', '3', 'here', '10.3.3.3', '--locator', locator]);
    expect(twice.exit).to.equal(2);
    expect(twice.stderr).to.match(/group 1 is already named "here"/);

    const rm = await tars(['registry', 'group', 'rm', '2', '--locator', locator, '--json']);
    expect(JSON.parse(rm.stdout)).to.deep.equal({groupId: 2, removed: true});
    const rmRow = await tars(['registry', 'group', 'fallback', 'near', '--rm', '--locator', locator, '--json']);
    expect(JSON.parse(rmRow.stdout)).to.deep.equal({id: 'near', removed: true});
    const left = await tars(['registry', 'group', 'list', '--locator', locator]);
    expect(left.stdout).to.match(/^ID\s+NAME\s+IPS\n1\s+here\s+127\.0\.0\.1\n$/);
  });

  it('a malformed endpoint is refused before anything is sent (exit 2), naming the bad part', async () => {
    const r = await tars(['registry', 'add', 'A.B.C', '-e', 'tcp -h 10.0.0.5 -p notaport', '--locator', locator]);
    expect(r.exit).to.equal(2);
    expect(r.stderr).to.match(/^error: -e "tcp -h 10\.0\.0\.5 -p notaport": .*port/);
    const name = await tars(['registry', 'add', 'NotAnObject', '-e', 'tcp -h 1.2.3.4 -p 1', '--locator', locator]);
    expect(name.exit).to.equal(2);
  });

  it('an unknown object: empty lists, exit 0, as TARS answers', async () => {
    const r = await tars(['registry', 'find', 'No.Such.Obj', '--locator', locator, '--json']);
    expect(r.exit).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({obj: 'No.Such.Obj', lookup: 'findObjectByIdInSameGroup', endpoints: []});
  });

  it('nodes shows a node that registered and heart-beats; the registry lists its own servants', async () => {
    const registryObj = daemon.info.endpoints.find((e) => e.obj === 'tars.tarsregistry.RegistryObj')!;
    const comm = new Communicator();
    try {
      const reg = comm.stringToProxy(Registry.RegistryProxy, `tars.tarsregistry.RegistryObj@${registryObj.endpoint}`);
      const {ret} = await reg.registerNode('node-a', NodeDescriptor.NodeInfo.create({nodeName: 'node-a',
        nodeObj: 'tars.tarsnode.NodeObj@tcp -h 127.0.0.1 -p 19385', endpointIp: '127.0.0.1', endpointPort: 19385,
        version: '0.1.0'}), NodeDescriptor.LoadInfo.create({avg1: 0.5, avg5: 0.25, avg15: 0.125}));
      expect(ret).to.equal(0);
    } finally {
      comm.close();
    }
    const nodes = await tars(['registry', 'nodes', '--locator', locator, '--json']);
    const [node] = (JSON.parse(nodes.stdout) as {nodes: {name: string; alive: boolean; load: number[]}[]}).nodes;
    expect(node).to.deep.include({name: 'node-a', alive: true, load: [0.5, 0.25, 0.125]});
    const own = await tars(['registry', 'find', 'tars.tarsregistry.RegistryCtlObj', '--locator', locator, '--json']);
    expect((JSON.parse(own.stdout) as {endpoints: unknown[]}).endpoints).to.have.length(1);
  });

  it('state survives a restart; status shows the store; the local registry is found without --locator', async () => {
    await tars(['registry', 'add', 'Keep.Me.Obj', '-e', 'tcp -h 10.0.0.9 -p 9', '--locator', locator]);
    await daemon.stop();
    await start();
    const list = await tars(['registry', 'list', '--data', data(), '--json']);
    expect(list.exit, list.stderr).to.equal(0);
    expect((JSON.parse(list.stdout) as {objects: {name: string}[]}).objects.map((o) => o.name)).to.include('Keep.Me.Obj');
    const status = await tars(['registry', 'status', '--data', data(), '--json']);
    expect(JSON.parse(status.stdout)).to.deep.include({running: true, store: path.join(data(), 'registry.db')});
  });

  it('with no registry anywhere, says how to start or name one (exit 2)', async () => {
    const saved = process.env.TARS_CONFIG_DIR;
    process.env.TARS_CONFIG_DIR = dir;
    try {
      const r = await tars(['registry', 'list', '--data', path.join(dir, 'none')]);
      expect(r.exit).to.equal(2);
      expect(r.stderr).to.match(/^error: no registry to ask/);
      expect(r.stderr).to.match(/hint: start one \(tars registry start --detach\)/);
    } finally {
      if (saved === undefined) delete process.env.TARS_CONFIG_DIR;
      else process.env.TARS_CONFIG_DIR = saved;
    }
  });
});
