// RegistryObj over the memory repository: node registration rules, heart-beats, server descriptors, state
// reports with the official argument order of updateServer, and QueryF seeing every write at once.
import {expect} from 'chai';

import {NodeDescriptor} from '@tars-ts/core/framework';

import {
  MemoryRegistryRepository, QueryServant, RegistryObjServant, RegistryService, adapterRow, serverRow,
} from '../src/index.js';
import {ctxFrom, hp} from './fixtures.js';

const OBJ = 'App.Server.Obj';
const KEY = {application: 'App', serverName: 'Server', nodeName: 'node1'};
const info = (nodeObj: string) => NodeDescriptor.NodeInfo.create({nodeName: 'node1', nodeObj, endpointIp: '10.0.0.1',
  endpointPort: 19385, dataDir: '/data', version: '3.0'});
const load = NodeDescriptor.LoadInfo.create({avg1: 0.5, avg5: 0.25, avg15: 0.125});

describe('registry: RegistryObj', () => {
  let now: number;
  let repo: MemoryRegistryRepository;
  let service: RegistryService;
  let registry: RegistryObjServant;
  let query: QueryServant;

  beforeEach(async () => {
    now = 1_000_000;
    repo = new MemoryRegistryRepository({
      servers: [serverRow({...KEY, presentState: 'inactive', enableSet: true, setName: 's', setArea: 'a',
        setGroup: '1', asyncThreadNum: 1}), serverRow({...KEY, serverName: 'Dns', serverType: 'tars_dns'})],
      adapters: [adapterRow({...KEY, servant: OBJ, endpoint: 'tcp -h 10.0.0.1 -p 1', threadNum: 4})],
    });
    service = new RegistryService(repo, {clock: () => now});
    registry = new RegistryObjServant(service);
    query = new QueryServant(() => service.snapshot());
    await service.refresh();
  });

  it('registers a node, refuses a second live node object under its name, and takes it back once it is dead', async () => {
    const obj = 'tars.tarsnode.NodeObj@tcp -h 10.0.0.1 -p 19385';
    expect(await registry.registerNode('node1', info(obj), load)).to.deep.equal({ret: 0});
    expect(await repo.getNode('node1')).to.include({nodeObj: obj, presentState: 'active', lastHeartbeat: now,
      loadAvg1: 0.5});
    expect(await registry.registerNode('node1', info(obj), load)).to.deep.equal({ret: 0});
    expect(await registry.registerNode('node1', info('tars.tarsnode.NodeObj@tcp -h 10.0.0.2 -p 19385'), load))
      .to.deep.equal({ret: 1});
    expect(await registry.registerNode('node1', info(''), load)).to.deep.equal({ret: 0});
    await registry.destroyNode('node1');
    expect(await registry.registerNode('node1', info('tars.tarsnode.NodeObj@tcp -h 10.0.0.2 -p 19385'), load))
      .to.deep.equal({ret: 0});
  });

  it('answers keepAlive 0 even for an unknown node, and moves the heart-beat of a known one', async () => {
    expect(await registry.keepAlive('nobody', load)).to.deep.equal({ret: 0});
    await registry.registerNode('node1', info('n'), load);
    now += 5000;
    expect(await registry.keepAlive('node1', load)).to.deep.equal({ret: 0});
    expect((await repo.getNode('node1'))?.lastHeartbeat).to.equal(now);
  });

  it('describes the servers of a node with their adapters, leaving tars_dns servers out', async () => {
    const {ret} = await registry.getServers('', '', 'node1');
    expect(ret.map((s) => s.serverName)).to.deep.equal(['Server']);
    expect(ret[0]).to.include({application: 'App', nodeName: 'node1', settingState: 'active',
      presentState: 'inactive', setId: 's.a.1', asyncThreadNum: 3});
    expect(ret[0]!.adapters.get(`${OBJ}Adapter`)).to.include({servant: OBJ, endpoint: 'tcp -h 10.0.0.1 -p 1',
      threadNum: '4', protocol: 'tars'});
    expect((await registry.getServers('Other', '', 'node1')).ret).to.deep.equal([]);
    expect((await registry.getServers('', '', 'node2')).ret).to.deep.equal([]);
  });

  it('reads updateServer\'s first argument as the node name, as tarsnode sends it, and QueryF sees it at once', async () => {
    await registry.registerNode('node1', info('n'), load);
    expect(query.findObjectById(OBJ).ret).to.deep.equal([]);
    const state = NodeDescriptor.ServerStateInfo.create({serverState: NodeDescriptor.ServerState.Active, processId: 7});
    expect(await registry.updateServer('node1', 'App', 'Server', state)).to.deep.equal({ret: 0});
    expect(await repo.getServer(KEY)).to.include({presentState: 'active', processId: 7});
    expect(hp(query.findObjectById(OBJ).ret)).to.deep.equal(['10.0.0.1:1']);

    const stopped = NodeDescriptor.ServerStateInfo.create({serverState: NodeDescriptor.ServerState.Inactive,
      processId: 0, ...KEY});
    expect(await registry.updateServerBatch([stopped])).to.deep.equal({ret: 0});
    expect(query.findObjectById(OBJ).ret).to.deep.equal([]);
  });

  it('takes a destroyed node\'s servers out of the active lists', async () => {
    await registry.registerNode('node1', info('n'), load);
    await repo.updateServerStates([{...KEY, presentState: 'active', processId: 1}]);
    await service.refresh();
    expect(query.findObjectById(OBJ).ret).to.have.length(1);
    expect(await registry.destroyNode('node1')).to.deep.equal({ret: 0});
    expect(query.findObjectById(OBJ).ret).to.deep.equal([]);
  });

  it('records versions and patches, and tells a caller its IP', async () => {
    await registry.reportVersion('App', 'Server', 'node1', '3.0.1');
    await registry.updatePatchResult({sApplication: 'App', sServerName: 'Server', sNodeName: 'node1',
      sVersion: '12', sUserName: 'ops'});
    expect(await repo.getServer(KEY)).to.include({tarsVersion: '3.0.1', patchVersion: '12', patchUser: 'ops',
      patchTime: '1970-01-01 00:16:40'});
    expect(registry.getClientIp(ctxFrom('::ffff:10.9.8.7', {node_name: 'ignored'}))).to.deep.equal(
      {ret: 0, sClientIp: '10.9.8.7'});
  });
});
