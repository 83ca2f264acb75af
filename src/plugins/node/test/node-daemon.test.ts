// The node daemon in this process against a fake registry (a RegistryObj recording registerNode and keepAlive, and a
// QueryObj listing it) in a core Application on 127.0.0.1:0; and `tars node start --help` through oclif's run.
import {run} from '@oclif/core';
import {captureOutput} from '@oclif/test';
import {expect} from 'chai';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {Application, Communicator, Logger, formatEndpoint, parseEndpoint} from '@tars-ts/core';
import {EndpointF, Node, NodeDescriptor, NodeF, QueryF, Registry} from '@tars-ts/core/framework';
import {type RunningDaemon, startDaemon} from '@tars-ts/kit';

import {NODE_OBJ, SERVER_OBJ, nodeDaemon} from '../src/index.js';

const QUERY_OBJ = 'tars.tarsregistry.QueryObj';
const REGISTRY_OBJ = 'tars.tarsregistry.RegistryObj';
const root = new URL('../../../..', import.meta.url).pathname;

async function until(what: string, test: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A RegistryObj that records what nodes send; registerNode answers `answer`. */
class FakeRegistry extends Registry.RegistryServant {
  registrations: {nodeName: string; ni: NodeDescriptor.NodeInfo}[] = [];
  beats: string[] = [];
  answer = 0;
  reportNode() { return {ret: 0}; }
  registerNode(nodeName: string, ni: NodeDescriptor.NodeInfo) {
    this.registrations.push({nodeName, ni});
    return {ret: this.answer};
  }
  keepAlive(nodeName: string) {
    this.beats.push(nodeName);
    return {ret: 0};
  }
  getServers() { return {ret: []}; }
  updateServer() { return {ret: 0}; }
  updateServerBatch() { return {ret: 0}; }
  destroyNode() { return {ret: 0}; }
  reportVersion() { return {ret: 0}; }
  getNodeTemplate() { return {ret: 0, profileTemplate: ''}; }
  getClientIp() { return {ret: 0, sClientIp: '127.0.0.1'}; }
  updatePatchResult() { return {ret: 0}; }
  getDockerRegistry() { return {ret: 0, doctorRegistries: []}; }
  dockerPull() { return {ret: 0}; }
  getFrameworkKey() { return {ret: -1, fKey: Registry.FrameworkKey.create({})}; }
}

/** A QueryObj that lists RegistryObj (and only it) at `registry()`. */
class FakeQuery extends QueryF.QueryFServant {
  constructor(private readonly registry: () => EndpointF.EndpointF[]) {
    super();
  }
  private find(id: string): EndpointF.EndpointF[] { return id === REGISTRY_OBJ ? this.registry() : []; }
  private found(id: string) {
    const activeEp = this.find(id);
    return {ret: activeEp.length > 0 ? 0 : -1, activeEp, inactiveEp: []};
  }
  findObjectById(id: string) { return {ret: this.find(id)}; }
  findObjectById4Any(id: string) { return this.found(id); }
  findObjectById4All(id: string) { return this.found(id); }
  findObjectByIdInSameGroup(id: string) { return this.found(id); }
  findObjectByIdInSameStation(id: string) { return this.found(id); }
  findObjectByIdInSameSet(id: string) { return this.found(id); }
  findObjectNodeName() { return {ret: -1, nodeName: []}; }
  registerChange() { return {ret: 0}; }
  registerQuery() { return {ret: 0}; }
  getLocker() { return {ret: -1}; }
}

describe('tars node: the node daemon', function () {
  this.timeout(30_000);
  let dir: string;
  let registryApp: Application;
  let registry: FakeRegistry;
  let locator: string;
  let daemon: RunningDaemon | undefined;
  let comm: Communicator;
  const quiet = new Logger('NONE');

  const start = (settings: Record<string, unknown> = {}): Promise<RunningDaemon> => startDaemon(nodeDaemon,
    {port: 0, data: path.join(dir, 'node'), locator, logger: quiet,
      settings: {name: 'node-a', 'keepalive-interval': 50, ...settings}});
  const endpointOf = (d: RunningDaemon, obj: string): string => d.info.endpoints.find((e) => e.obj === obj)!.endpoint;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-node-daemon-'));
    registry = new FakeRegistry();
    registryApp = Application.fromOptions({app: 'tars', server: 'tarsregistry', loglevel: 'NONE', graceMs: 200,
      local: 'tcp -h 127.0.0.1 -p 0', adapters: [
        {servant: QUERY_OBJ, endpoint: 'tcp -h 127.0.0.1 -p 0 -t 60000'},
        {servant: REGISTRY_OBJ, endpoint: 'tcp -h 127.0.0.1 -p 0 -t 60000'}]});
    registryApp.addServant(new FakeQuery(() => {
      const ep = registryApp.servantAdapters[1]!.endpoint;
      return [EndpointF.EndpointF.create({host: ep.host, port: ep.port, timeout: 60_000, istcp: 1})];
    }), QUERY_OBJ);
    registryApp.addServant(registry, REGISTRY_OBJ);
    await registryApp.start();
    locator = `${QUERY_OBJ}@${formatEndpoint(registryApp.servantAdapters[0]!.endpoint)}`;
    comm = new Communicator({});
  });

  afterEach(async () => {
    await daemon?.stop();
    daemon = undefined;
    registry.answer = 0;
    registry.registrations = [];
    registry.beats = [];
  });

  after(async () => {
    comm?.close();
    await registryApp?.close();
    rmSync(dir, {recursive: true, force: true});
  });

  it('registers with its bound NodeObj endpoint, then beats', async () => {
    daemon = await start();
    expect(registry.registrations).to.have.length(1);
    const {nodeName, ni} = registry.registrations[0]!;
    const nodeEndpoint = endpointOf(daemon, NODE_OBJ);
    expect(nodeName).to.equal('node-a');
    expect(ni.nodeName).to.equal('node-a');
    expect(ni.nodeObj).to.equal(`${NODE_OBJ}@${nodeEndpoint}`);
    expect(parseEndpoint(nodeEndpoint).port).to.be.greaterThan(0);
    expect(ni.endpointIp).to.equal('127.0.0.1');
    expect(ni.endpointPort).to.equal(parseEndpoint(nodeEndpoint).port);
    expect(ni.dataDir).to.equal(path.join(dir, 'node'));
    expect(ni.version).to.match(/tars-ts/);
    await until('3 keepAlive beats', () => registry.beats.length >= 3);
    expect(new Set(registry.beats)).to.deep.equal(new Set(['node-a']));
  });

  it('fails the start when the registry says another live node holds the name (ret 1)', async () => {
    registry.answer = 1;
    let error: Error | undefined;
    try {
      daemon = await start();
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).to.match(/refused node name "node-a": another live node holds it/);
    // Nothing left behind: the directory can be taken again.
    registry.answer = 0;
    daemon = await start();
  });

  it('needs a registry: no locator is a clear error', async () => {
    let error: Error | undefined;
    try {
      daemon = await startDaemon(nodeDaemon, {port: 0, data: path.join(dir, 'node'), logger: quiet});
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).to.match(/the node needs a registry: give --locator/);
  });

  it('starts while the registry is down: registration is retried, never fatal', async () => {
    const down = `${QUERY_OBJ}@tcp -h 127.0.0.1 -p 1 -t 1000`;
    daemon = await startDaemon(nodeDaemon, {port: 0, data: path.join(dir, 'node'), locator: down, logger: quiet,
      settings: {name: 'node-b', 'keepalive-interval': 50}});
    expect(daemon.info.state).to.equal('running');
  });

  it('ServerF answers -1 for a server it does not manage; NodeObj says it is not deployed', async () => {
    daemon = await start();
    const serverF = comm.stringToProxy(NodeF.ServerFProxy, `${SERVER_OBJ}@${endpointOf(daemon, SERVER_OBJ)}`);
    const info = NodeF.ServerInfo.create({application: 'App', serverName: 'Nope', pid: process.pid});
    expect((await serverF.keepAlive(info)).ret).to.equal(-1);
    expect((await serverF.keepActiving(info)).ret).to.equal(-1);
    expect((await serverF.reportVersion('App', 'Nope', '1.0')).ret).to.equal(-1);
    expect((await serverF.getLatestKeepAliveTime()).ret).to.equal(0);
    const node = comm.stringToProxy(Node.NodeProxy, `${NODE_OBJ}@${endpointOf(daemon, NODE_OBJ)}`);
    expect(await node.startServer('App', 'Nope')).to.deep.equal({ret: -1,
      result: 'App.Nope is not deployed on node node-a in the registry'});
    expect(await node.stopServer('App', 'Nope')).to.deep.equal({ret: -1,
      result: 'App.Nope is not deployed on node node-a'});
    expect((await node.stopAllServers()).ret).to.equal(0);
    const load = await node.getNodeLoad('', '', 0);
    expect(load.ret).to.equal(0);
    expect(load.fileData).to.match(/load average/);
  });

  it('NodeObj.shutdown stops the daemon gracefully', async () => {
    const d = await start();
    daemon = d;
    const node = comm.stringToProxy(Node.NodeProxy, `${NODE_OBJ}@${endpointOf(d, NODE_OBJ)}`);
    expect((await node.shutdown()).ret).to.equal(0);
    let closed = false;
    void d.closed.then(() => {
      closed = true;
    });
    await until('the daemon to stop', () => closed);
    daemon = undefined;
  });

  it('tars node start --help lists its flags', async () => {
    const {stdout} = await captureOutput(() => run(['node', 'start', '--help'], root));
    for (const flag of ['--name', '--keepalive-interval', '--locator', '--data', '--port', '--detach']) {
      expect(stdout).to.include(flag);
    }
  });
});
