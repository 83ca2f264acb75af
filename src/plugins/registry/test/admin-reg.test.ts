// AdminRegObj over the wire: a real Application hosts QueryObj, RegistryObj and AdminRegObj over a memory repository;
// a second one hosts a fake node (a NodeServant of the generated stub) that registers through RegistryObj, and a
// socket that accepts and never answers plays a node that hangs. Every function is called through the generated
// AdminRegProxy at least once.
import {type Server, type Socket, createServer} from 'node:net';

import {expect} from 'chai';

import {Application, Communicator, formatEndpoint} from '@tars-ts/core';
import {AdminReg, Node, NodeDescriptor, QueryF, Registry} from '@tars-ts/core/framework';

import {
  ADMIN_REG_OBJ, AdminRegServant, MemoryRegistryRepository, QUERY_OBJ, QueryServant, RegistryObjServant,
  RegistryService, adapterRow, serverRow,
} from '../src/index.js';
import {REGISTRY_OBJ, openRegistry} from '../src/registry.js';
import {GROUPS} from './fixtures.js';

const NODE_OBJ = 'tars.tarsnode.NodeObj';
const {ServerState} = NodeDescriptor;
const E = AdminReg.tarsErrCode;

/** A node that does what it is told and remembers it; each server's state is what `states` says. */
class FakeNode extends Node.NodeServant {
  readonly calls: string[] = [];
  readonly states = new Map<string, number>();

  private did(what: string): {ret: number; result: string} {
    this.calls.push(what);
    return {ret: 0, result: `done: ${what}`};
  }

  destroyServer(app: string, server: string) {
    return this.did(`destroyServer ${app}.${server}`);
  }

  patchPro(req: NodeDescriptor.PatchRequest) {
    return this.did(`patchPro ${req.appname}.${req.servername}`);
  }

  shutdown() {
    return this.did('shutdown');
  }

  stopAllServers() {
    return this.did('stopAllServers');
  }

  loadServer(app: string, server: string) {
    return this.did(`loadServer ${app}.${server}`);
  }

  startServer(app: string, server: string) {
    return this.did(`startServer ${app}.${server}`);
  }

  stopServer(app: string, server: string) {
    return this.did(`stopServer ${app}.${server}`);
  }

  notifyServer(app: string, server: string, command: string) {
    return this.did(`notifyServer ${app}.${server} ${command}`);
  }

  getStateInfo(app: string, server: string) {
    this.calls.push(`getStateInfo ${app}.${server}`);
    return {ret: 0, result: 'state', info: NodeDescriptor.ServerStateInfo.create({
      serverState: (this.states.get(`${app}.${server}`) ?? ServerState.Active) as NodeDescriptor.ServerState,
      processId: 4242})};
  }

  getPatchPercent(app: string, server: string) {
    this.calls.push(`getPatchPercent ${app}.${server}`);
    return {ret: 0, tPatchInfo: NodeDescriptor.PatchInfo.create({bPatching: true, iPercent: 40, sVersion: '7'})};
  }

  delCache(name: string, backup: string, key: string) {
    return this.did(`delCache ${name} ${backup} ${key}`);
  }

  getLogFileList(app: string, server: string) {
    this.calls.push(`getLogFileList ${app}.${server}`);
    return {ret: 0, logFileList: [`${app}.${server}.log`]};
  }

  getLogData(app: string, server: string, file: string, cmd: string) {
    this.calls.push(`getLogData ${app}.${server} ${file} ${cmd}`);
    return {ret: 0, fileData: 'line 1\n'};
  }

  getNodeLoad(app: string, server: string, pid: number) {
    this.calls.push(`getNodeLoad ${app}.${server} ${pid}`);
    return {ret: 0, fileData: 'load 0.1'};
  }

  forceDockerLogin() {
    this.calls.push('forceDockerLogin');
    return {ret: 0, result: ['logged in']};
  }
}

/** An application on 127.0.0.1:0 hosting `servants` (object name -> servant), each on its own adapter. */
async function host(app: string, server: string, servants: Record<string, Parameters<Application['addServant']>[0]>):
  Promise<Application> {
  const application = Application.fromOptions({app, server, loglevel: 'NONE',
    adapters: Object.keys(servants).map((servant) => ({servant, endpoint: 'tcp -h 127.0.0.1 -p 0 -t 60000'})),
    graceMs: 1000});
  for (const [name, servant] of Object.entries(servants)) application.addServant(servant, name);
  await application.start();
  return application;
}

const at = (application: Application, obj: string): string =>
  `${obj}@${formatEndpoint(application.adapter(`${obj}Adapter`)!.endpoint)}`;

const KEY = {application: 'App', serverName: 'Server', nodeName: 'node1'};
const load = NodeDescriptor.LoadInfo.create({avg1: 0.5, avg5: 0.25, avg15: 0.125});

describe('registry: AdminRegObj', function () {
  this.timeout(30_000);
  let now: number;
  let repo: MemoryRegistryRepository;
  let service: RegistryService;
  let adminServant: AdminRegServant;
  let registryApp: Application;
  let adminApp: Application;
  let nodeApp: Application;
  let silent: Server;
  const sockets: Socket[] = [];
  const node = new FakeNode();
  let comm: Communicator;
  let admin: AdminReg.AdminRegProxy;
  let registry: Registry.RegistryProxy;
  let query: QueryF.QueryFProxy;

  /** Registers `nodeName` through RegistryObj with the NodeObj `nodeObj`. */
  async function registerNode(nodeName: string, nodeObj: string): Promise<void> {
    const {ret} = await registry.registerNode(nodeName, NodeDescriptor.NodeInfo.create({nodeName, nodeObj,
      endpointIp: '127.0.0.1', endpointPort: 1, dataDir: '/data', version: '3.0.1'}), load);
    expect(ret).to.equal(0);
  }

  before(async () => {
    now = Date.UTC(2024, 0, 2, 3, 4, 5);
    repo = new MemoryRegistryRepository({
      servers: [
        serverRow({...KEY, settingState: 'inactive', presentState: 'inactive', profile: '<tars>\n</tars>',
          templateName: 'tars.default', patchVersion: '6'}),
        serverRow({...KEY, serverName: 'Dns', serverType: 'tars_dns', nodeName: 'ghost'}),
        serverRow({...KEY, serverName: 'Ghosted', nodeName: 'ghost', presentState: 'active', processId: 9,
          patchVersion: '3'}),
        serverRow({application: 'tars', serverName: 'tarsconfig', nodeName: 'node1', enableSet: true, setName: 's',
          setArea: 'a', setGroup: '1'}),
      ],
      adapters: [adapterRow({application: 'tars', serverName: 'tarsconfig', nodeName: 'node1',
        servant: 'tars.tarsconfig.ConfigObj', endpoint: 'tcp -h 127.0.0.1 -p 1 -t 60000'})],
      ...GROUPS,
    });
    service = new RegistryService(repo, {clock: () => now});
    await service.refresh();
    adminServant = new AdminRegServant(service, {nodeCallTimeoutMs: 500});
    registryApp = await host('tars', 'tarsregistry', {[QUERY_OBJ]: new QueryServant(() => service.snapshot()),
      [REGISTRY_OBJ]: new RegistryObjServant(service)});
    // Core requires a server's objects to be named after it: AdminRegObj is tars.tarsAdminRegistry's.
    adminApp = await host('tars', 'tarsAdminRegistry', {[ADMIN_REG_OBJ]: adminServant});
    nodeApp = await host('tars', 'tarsnode', {[NODE_OBJ]: node});
    silent = createServer((socket) => {
      sockets.push(socket); // accepted, never answered
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));

    comm = new Communicator();
    admin = comm.stringToProxy(AdminReg.AdminRegProxy, at(adminApp, ADMIN_REG_OBJ), {timeout: 10_000});
    registry = comm.stringToProxy(Registry.RegistryProxy, at(registryApp, REGISTRY_OBJ));
    query = comm.stringToProxy(QueryF.QueryFProxy, at(registryApp, QUERY_OBJ));
    await registerNode('node1', at(nodeApp, NODE_OBJ));
    const silentPort = (silent.address() as {port: number}).port;
    await registerNode('silent', `${NODE_OBJ}@tcp -h 127.0.0.1 -p ${silentPort} -t 60000`);
  });

  after(async () => {
    comm?.close();
    adminServant?.close();
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => (silent ? silent.close(() => resolve()) : resolve()));
    await adminApp?.close();
    await registryApp?.close();
    await nodeApp?.close();
  });

  it('starts, stops and restarts a server on a registered node, writing its setting state first', async () => {
    expect(await admin.startServer('App', 'Server', 'node1')).to.deep.equal({ret: 0,
      result: 'done: startServer App.Server'});
    expect((await repo.getServer(KEY))?.settingState).to.equal('active');
    expect(await admin.stopServer('App', 'Server', 'node1')).to.deep.equal({ret: 0,
      result: 'done: stopServer App.Server'});
    expect((await repo.getServer(KEY))?.settingState).to.equal('inactive');
    node.calls.length = 0;
    expect((await admin.restartServer('App', 'Server', 'node1')).ret).to.equal(0);
    expect(node.calls).to.deep.equal(['stopServer App.Server', 'startServer App.Server']);
    expect((await repo.getServer(KEY))?.settingState).to.equal('active');
  });

  it('passes the other node commands on and gives back the node\'s answers', async () => {
    node.calls.length = 0;
    expect(await admin.notifyServer('App', 'Server', 'node1', 'tars.setloglevel DEBUG')).to.deep.equal({ret: 0,
      result: 'done: notifyServer App.Server tars.setloglevel DEBUG'});
    expect((await admin.loadServer('App', 'Server', 'node1')).ret).to.equal(0);
    expect(await admin.getLogFileList('App', 'Server', 'node1')).to.deep.equal({ret: 0,
      logFileList: ['App.Server.log']});
    expect(await admin.getLogData('App', 'Server', 'node1', 'App.Server.log', 'tail -10')).to.deep.equal({ret: 0,
      fileData: 'line 1\n'});
    expect(await admin.getNodeLoad('App', 'Server', 'node1', 77)).to.deep.equal({ret: 0, fileData: 'load 0.1'});
    expect((await admin.delCache('node1', 'cache', '/bak', 'k')).ret).to.equal(0);
    expect((await admin.getPatchPercent('App', 'Server', 'node1')).tPatchInfo).to.include({bPatching: true,
      iPercent: 40, sVersion: '7'});
    expect(await admin.forceDockerLogin('node1')).to.deep.equal({ret: 0, result: ['logged in']});
    expect(await admin.pingNode('node1')).to.deep.equal({ret: true, result: 'ping succ'});
    expect(await admin.checkServer(AdminReg.FrameworkServer.create({nodeName: 'node1'}))).to.deep.equal({ret: 0});
    expect((await admin.destroyServer('App', 'Server', 'node1')).ret).to.equal(0);
    expect(node.calls).to.deep.equal(['notifyServer App.Server tars.setloglevel DEBUG', 'loadServer App.Server',
      'getLogFileList App.Server', 'getLogData App.Server App.Server.log tail -10', 'getNodeLoad App.Server 77',
      'delCache cache /bak k', 'getPatchPercent App.Server', 'forceDockerLogin', 'destroyServer App.Server']);
    expect(await admin.shutdownNode('node1')).to.deep.equal({ret: 0, result: 'done: shutdown'});
  });

  it('describes a server from the registry and from its node', async () => {
    const {ret, state} = await admin.getServerState('App', 'Server', 'node1');
    expect(ret).to.equal(0);
    expect(state).to.include({settingStateInReg: 'inactive', presentStateInReg: 'inactive',
      presentStateInNode: 'Active', processId: 4242, patchVersion: '6'});
    expect(await admin.getServerState('App', 'Nothing', 'node1')).to.include({ret: E.EM_TARS_LOAD_SERVICE_DESC_ERR,
      result: " 'App.Nothing_node1' no config"});
    // tars_dns servers have no process: the registry answers for them, node or not.
    expect((await admin.getServerState('App', 'Dns', 'ghost')).state.presentStateInNode).to.equal('inactive');
  });

  it('answers 1001 for a node that is unknown, gone silent past the timeout or deleted', async () => {
    const start = await admin.startServer('App', 'Server', 'ghost');
    expect(start.ret).to.equal(E.EM_TARS_NODE_NOT_REGISTRY_ERR);
    expect(start.result).to.contain("node 'ghost' is not registered");
    const state = await admin.getServerState('App', 'Ghosted', 'ghost');
    expect(state.ret).to.equal(E.EM_TARS_NODE_NOT_REGISTRY_ERR);
    expect(state.state).to.include({presentStateInReg: 'active', presentStateInNode: 'active', processId: 9});
    const patch = await admin.getPatchPercent('App', 'Ghosted', 'ghost');
    expect(patch.ret).to.equal(E.EM_TARS_NODE_NOT_REGISTRY_ERR);
    expect(patch.tPatchInfo).to.include({sVersion: '3', bPatching: false});
    expect(patch.tPatchInfo.sResult).to.contain('not registered');
    expect((await admin.pingNode('ghost')).ret).to.equal(false);
    expect((await admin.shutdownNode('ghost')).ret).to.equal(-1);
    expect((await admin.forceDockerLogin('ghost')).ret).to.equal(-1);
    expect(await admin.getLogFileList('App', 'Server', 'ghost')).to.deep.equal({ret: 1001, logFileList: []});

    // Registered through the same NodeObj, then silent for longer than the node timeout (250 s).
    await registerNode('stale', at(nodeApp, NODE_OBJ));
    expect((await admin.loadServer('App', 'Server', 'stale')).ret).to.equal(0);
    now += 250_001;
    expect((await admin.loadServer('App', 'Server', 'stale')).ret).to.equal(E.EM_TARS_NODE_NOT_REGISTRY_ERR);
    // node1 and silent heart-beat again; a node that says goodbye is not asked any more.
    for (const name of ['node1', 'silent']) expect((await registry.keepAlive(name, load)).ret).to.equal(0);
    await registerNode('leaving', at(nodeApp, NODE_OBJ));
    expect((await admin.pingNode('leaving')).ret).to.equal(true);
    expect(await admin.deleteNode(NodeDescriptor.ReportNode.create({nodeName: 'leaving', sid: 'x'}))).to.deep.equal(
      {ret: 0});
    expect((await admin.pingNode('leaving')).ret).to.equal(false);
  });

  it('answers 1002 for a node that accepts the connection and never answers', async () => {
    const start = await admin.startServer('App', 'Server', 'silent');
    expect(start.ret).to.equal(E.EM_TARS_CALL_NODE_TIMEOUT_ERR);
    expect(start.result).to.contain("node 'silent' did not answer");
    expect((await admin.getServerState('App', 'Server', 'silent')).ret).to.equal(1003); // no such server there
    expect((await admin.notifyServer('App', 'Server', 'silent', 'x')).ret).to.equal(E.EM_TARS_CALL_NODE_TIMEOUT_ERR);
    expect(await admin.pingNode('silent')).to.include({ret: false});
    expect(await admin.checkServer(AdminReg.FrameworkServer.create({nodeName: 'silent'}))).to.deep.equal(
      {ret: E.EM_TARS_CALL_NODE_TIMEOUT_ERR});
  });

  it('deploys a server with insertServerConf + insertAdapterConf, lists it once its node reports it active, and ' +
    'takes it out of the active list with updateServerFlowState', async () => {
    const conf = AdminReg.ServerConf.create({application: 'Demo', serverName: 'Echo', nodeName: 'node1',
      serverType: 'tars_go', profile: 'tars.go.default'});
    expect(await admin.insertServerConf(conf, false)).to.deep.equal({ret: 0});
    expect(await admin.insertServerConf(conf, false)).to.deep.equal({ret: -1});
    expect(await admin.insertServerConf(conf, true)).to.deep.equal({ret: 0});
    expect(await repo.getServer({application: 'Demo', serverName: 'Echo', nodeName: 'node1'})).to.include({
      settingState: 'active', presentState: 'inactive', serverType: 'tars_go', templateName: 'tars.go.default',
      asyncThreadNum: 3, enableGroup: false});
    const adapter = AdminReg.AdapterConf.create({adapterName: 'Demo.Echo.EchoObjAdapter', servant: 'Demo.Echo.EchoObj',
      endpoint: 'tcp -h 127.0.0.1 -p 20001 -t 60000'});
    expect(await admin.insertAdapterConf('Demo', 'Echo', 'node1', adapter, false)).to.deep.equal({ret: 0});
    expect(await admin.insertAdapterConf('Demo', 'Echo', 'node1', adapter, false)).to.deep.equal({ret: -1});
    expect((await repo.getServers({nodeName: 'node1', application: 'Demo'}))[0]!.adapters[0]).to.include({
      threadNum: 5, maxConnections: 10240, queuecap: 100000, queuetimeout: 600000, protocol: 'tars'});

    const ports = async (f: 'activeEp' | 'inactiveEp') => (await query.findObjectById4Any('Demo.Echo.EchoObj'))[f]
      .map((e) => e.port);
    expect(await ports('activeEp')).to.deep.equal([]);
    expect(await ports('inactiveEp')).to.deep.equal([20001]);
    const active = NodeDescriptor.ServerStateInfo.create({serverState: ServerState.Active, processId: 5});
    expect(await registry.updateServer('node1', 'Demo', 'Echo', active)).to.deep.equal({ret: 0});
    expect((await query.findObjectById('Demo.Echo.EchoObj')).ret.map((e) => e.port)).to.deep.equal([20001]);

    expect(await admin.updateServerFlowState('Demo', 'Echo', ['node1'], false)).to.deep.equal({ret: 0});
    expect(await ports('activeEp')).to.deep.equal([]);
    expect(await ports('inactiveEp')).to.deep.equal([20001]);
    expect(await admin.updateServerFlowState('Demo', 'Echo', [], true)).to.deep.equal({ret: -1});
    expect(await admin.updateServerFlowState('Demo', 'Echo', ['node1'], true)).to.deep.equal({ret: 0});
    expect(await ports('activeEp')).to.deep.equal([20001]);
  });

  it('answers what the registry knows: names, ids, nodes, groups, trees, profiles, versions', async () => {
    expect(await admin.getAllApplicationNames()).to.deep.equal({ret: ['App', 'Demo', 'tars'], result: ''});
    expect(await admin.getAllNodeNames()).to.deep.equal({ret: ['node1', 'silent'], result: ''});
    const ids = (await admin.getAllServerIds()).ret;
    expect(ids).to.deep.include(['Demo.Echo_node1', 'active', 'active', 'tars_go']);
    expect(ids).to.deep.include(['App.Dns_ghost', 'active', 'inactive', 'tars_dns']);
    const {heartbeats} = await admin.getNodeList(['node1', 'nobody']);
    expect([...heartbeats]).to.deep.equal([['node1', new Date(now).toISOString().slice(0, 19).replace('T', ' ')],
      ['nobody', '']]);
    expect(await admin.getNodeVesion('node1')).to.deep.equal({ret: 0, version: '3.0.1', result: ''});
    expect((await admin.getNodeVesion('nobody')).ret).to.equal(-1);
    expect(await admin.getGroupId('10.2.2.2')).to.deep.equal({ret: 2, groupId: 2, result: ''});
    expect(await admin.getGroupId('10.3.3.77')).to.include({ret: 3, groupId: 3});
    expect(await admin.getGroupId('192.168.0.1')).to.include({ret: -1, groupId: -1});
    expect(await admin.getClientIp()).to.deep.equal({ret: 0, sClientIp: '127.0.0.1'});
    expect((await admin.getVersion()).version).to.match(/^\d+\.\d+\.\d+/);
    expect(await admin.hasServer('Demo', 'Echo')).to.deep.equal({ret: 0, has: true});
    expect(await admin.hasServer('Demo', 'Nope')).to.deep.equal({ret: 0, has: false});
    expect((await admin.getServerTree()).tree).to.deep.include(AdminReg.ServerTree.create({application: 'tars',
      server_name: 'tarsconfig', enable_set: 'Y', set_name: 's', set_area: 'a', set_group: '1'}));
    const list = (await admin.getServerNameList([AdminReg.ApplicationServerName.create({application: 'Demo',
      serverName: 'Echo'})])).serverList;
    expect(list.map((m) => [m.get('node_name'), m.get('present_state'), m.get('flow_state')])).to.deep.equal(
      [['node1', 'active', 'active']]);
    expect(await admin.getProfileTemplate('tars.default')).to.include({ret: 0, profileTemplate: ''});
    expect((await admin.getProfileTemplate('tars.default')).resultDesc).to.contain('template not found');
    const profile = await admin.getServerProfileTemplate('App', 'Server', 'node1');
    expect(profile).to.include({ret: 0, profileTemplate: '<tars>\n</tars>'});
    expect(profile.resultDesc).to.contain('tars.default');
    expect((await admin.getServerProfileTemplate('App', 'Nope', 'node1')).ret).to.equal(-1);
  });

  it('lists the framework\'s servers and checks whether they answer', async () => {
    const {ret, servers} = await admin.getServers();
    expect(ret).to.equal(0);
    expect(servers).to.deep.include(AdminReg.FrameworkServer.create({serverName: 'tarsconfig', nodeName: 'node1',
      objName: 'tars.tarsconfig.ConfigObj@tcp -h 127.0.0.1 -p 1 -t 60000'}));
    expect(servers).to.deep.include(AdminReg.FrameworkServer.create({serverName: 'tarsnode', nodeName: 'node1',
      objName: at(nodeApp, NODE_OBJ)}));
    expect(await admin.checkServer(AdminReg.FrameworkServer.create({objName: at(registryApp, REGISTRY_OBJ)})))
      .to.deep.equal({ret: 0});
    // Nothing listens on port 1 of 127.0.0.1.
    expect(await admin.checkServer(AdminReg.FrameworkServer.create({objName: 'tars.tarsconfig.ConfigObj@tcp -h ' +
      '127.0.0.1 -p 1 -t 60000'}))).to.deep.equal({ret: -1});
  });

  it('starts and stops tars_dns servers in the registry alone', async () => {
    const dns = {...KEY, serverName: 'Dns', nodeName: 'ghost'};
    expect(await admin.startServer('App', 'Dns', 'ghost')).to.deep.equal({ret: 0, result: ''});
    expect(await repo.getServer(dns)).to.include({settingState: 'active', presentState: 'active'});
    expect(await admin.stopServer('App', 'Dns', 'ghost')).to.deep.equal({ret: 0, result: ''});
    expect(await repo.getServer(dns)).to.include({settingState: 'inactive', presentState: 'inactive'});
  });

  it('records a patch, uninstalls only a server its node reports stopped, and undeploys', async () => {
    expect(await admin.updatePatchLog('App', 'Server', 'node1', '12', 'ops', 'patch', true)).to.deep.equal({ret: 0});
    expect(await repo.getServer(KEY)).to.include({patchVersion: '12', patchUser: 'ops'});

    const uninstall = await admin.uninstallServer('App', 'Server', 'node1');
    expect(uninstall.ret).to.equal(E.EM_TARS_SERVICE_STATE_ERR);
    expect(await repo.getServer(KEY)).to.not.equal(undefined);
    node.states.set('App.Server', ServerState.Inactive);
    node.calls.length = 0;
    expect(await admin.uninstallServer('App', 'Server', 'node1')).to.deep.equal({ret: 0,
      result: 'done: destroyServer App.Server'});
    expect(node.calls).to.deep.equal(['getStateInfo App.Server', 'destroyServer App.Server']);
    expect(await repo.getServer(KEY)).to.equal(undefined);
    expect((await admin.uninstallServer('App', 'Server', 'ghost')).ret).to.equal(E.EM_TARS_NODE_NOT_REGISTRY_ERR);

    const echo = {application: 'Demo', serverName: 'Echo', nodeName: 'node1'};
    expect(await admin.undeploy('Demo', 'Echo', 'node1', 'ops')).to.deep.equal({ret: 0,
      log: 'done: stopServer Demo.Echo'});
    expect(await repo.getServer(echo)).to.equal(undefined);
    expect((await query.findObjectById4Any('Demo.Echo.EchoObj')).inactiveEp).to.deep.equal([]);
  });

  it('answers -1 (or the official code) with a reason for what this registry does not keep', async () => {
    const task = AdminReg.TaskReq.create({taskNo: 't1'});
    expect(await admin.addTaskReq(task)).to.deep.equal({ret: -1});
    const rsp = await admin.getTaskRsp('t1');
    expect(rsp.ret).to.equal(-1);
    expect(rsp.taskRsp.executeLog).to.contain('tasks are not kept');
    expect(await admin.getTaskHistory('App', 'Server', 'start')).to.deep.equal({ret: -1, taskRsps: []});
    expect(await admin.setTaskItemInfo('i1', new Map([['status', '3']]))).to.deep.equal({ret: -1});
    expect(await admin.insertConfigFile('App.Server', 'a.conf', 'x', '', 1, false)).to.deep.equal({ret: -1});
    expect(await admin.getConfigFileId('App.Server', 'a.conf', '', 1)).to.deep.equal({ret: -1, configId: 0});
    expect(await admin.insertHistoryConfigFile(1, 'r', 'x', false)).to.deep.equal({ret: -1});
    expect(await admin.registerPlugin(AdminReg.PluginConf.create({name: 'p'}))).to.deep.equal({ret: -1});
    expect(await admin.hasDevAuth('App', 'Server', 'u')).to.deep.equal({ret: -1, has: false});
    expect(await admin.hasOpeAuth('App', 'Server', 'u')).to.deep.equal({ret: -1, has: false});
    expect(await admin.hasAdminAuth('u')).to.deep.equal({ret: -1, has: false});
    expect(await admin.checkTicket('t')).to.deep.equal({ret: -1, uid: ''});
    const docker = await admin.checkDockerRegistry('r', 'u', 'p');
    expect(docker.ret).to.equal(-1);
    expect(docker.result).to.contain('docker is not supported');
    expect(await admin.dockerPull('img')).to.deep.equal({ret: -1});
    const patch = await admin.batchPatch(NodeDescriptor.PatchRequest.create({appname: 'App', servername: 'Server',
      nodename: 'node1', version: '12'}));
    expect(patch.ret).to.equal(E.EM_TARS_GET_PATCH_FILE_ERR);
    expect(patch.result).to.contain('get patch tgz error: 12');
    expect(await admin.getPatchPackage('App', 'Server', 0, 1)).to.deep.equal({ret: -1,
      pack: AdminReg.PatchPackage.create()});
    expect(await admin.deletePatchFile('App', 'Server', 'a.tgz')).to.deep.equal({ret: -1});
    expect(await admin.getLogFileList('App', 'Server', 'remote')).to.deep.equal({ret: E.EM_TARS_PARAMETER_ERR,
      logFileList: []});
    expect((await admin.getLogData('App', 'Server', '', 'f', 'tail')).ret).to.equal(E.EM_TARS_PARAMETER_ERR);
    // The push channel of the official tarsnode: accepted, nothing to keep.
    expect(await admin.reportNode(NodeDescriptor.ReportNode.create({nodeName: 'node1', sid: 's'}))).to.deep.equal(
      {ret: 0});
    expect(await admin.reportResult(1, 'callback_startServer', 0, 'ok')).to.deep.equal({ret: 0});
  });
});

describe('registry: openRegistry serves AdminRegObj', () => {
  it('adds the AdminReg servant to the registry\'s servants and closes it with the registry', async () => {
    const opened = await openRegistry({repository: new MemoryRegistryRepository(), reapIntervalMs: 0});
    try {
      expect(opened.servants[ADMIN_REG_OBJ]).to.be.instanceOf(AdminRegServant);
    } finally {
      opened.close();
    }
  });
});
