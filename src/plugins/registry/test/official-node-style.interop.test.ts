// An object registered the way a node does it, seen by the official registry client (@tars/registry 2.0.6): a node
// registers through our RegistryObj (our core client of tars.tarsregistry.RegistryObj), the server is deployed (its
// server and adapter rows), and the node reports it with updateServer; the official client then finds the endpoint
// active. A report of the server stopping, or the node's heart-beat running out on the registry's injected clock,
// moves it to the inactive list the official client reads; a heart-beat brings it back.
/* eslint-disable @typescript-eslint/no-explicit-any */
import {expect} from 'chai';

import {Application, Communicator, formatEndpoint} from '@tars-ts/core';
import {NodeDescriptor, Registry} from '@tars-ts/core/framework';

import {
  MemoryRegistryRepository, QUERY_OBJ, QueryServant, RegistryObjServant, RegistryService, adapterRow, serverRow,
} from '../src/index.js';
import {
  type OfficialEndpoint, destroyOfficialRegistryClient, officialAnswer, officialList, officialRegistryClient,
} from './official-oracle.js';

const REGISTRY_OBJ = 'tars.tarsregistry.RegistryObj';
const OBJ = 'Test.NodeServer.NodeObj';
const NODE = 'node-a';
const TIMEOUT = 60_000;
const KEY = {application: 'Test', serverName: 'NodeServer', nodeName: NODE};
const load = NodeDescriptor.LoadInfo.create({avg1: 0.5, avg5: 0.25, avg15: 0.125});
const state = (serverState: NodeDescriptor.ServerState, processId: number) =>
  NodeDescriptor.ServerStateInfo.create({serverState, processId});

describe('registry interop: an object a node registers through RegistryObj, seen by the official client', function () {
  this.timeout(20_000);
  let now = 1_700_000_000_000;
  let app: Application;
  let repo: MemoryRegistryRepository;
  let service: RegistryService;
  let comm: Communicator;
  let registry: Registry.RegistryProxy;
  let official: any;

  /** `{active, inactive}` host:port lists of the official client's findObjectById4Any and InSameGroup answers. */
  async function seen(): Promise<{byId: string[]; any: {active: string[]; inactive: string[]};
    group: {active: string[]; inactive: string[]}}> {
    const hp = (eps: OfficialEndpoint[]) => eps.map((e) => `${e.host}:${e.port}`);
    const lists = (a: ReturnType<typeof officialAnswer>) => {
      expect(a.ret).to.equal(0);
      return {active: hp(a.active), inactive: hp(a.inactive)};
    };
    return {
      byId: hp(officialList((await official.findObjectById(OBJ)).response.return)),
      any: lists(officialAnswer(await official.findObjectById4Any(OBJ))),
      group: lists(officialAnswer(await official.findObjectByIdInSameGroup(OBJ))),
    };
  }
  const ACTIVE = {byId: ['10.5.5.5:5005'], any: {active: ['10.5.5.5:5005'], inactive: []},
    group: {active: ['10.5.5.5:5005'], inactive: []}};
  const INACTIVE = {byId: [], any: {active: [], inactive: ['10.5.5.5:5005']},
    group: {active: [], inactive: ['10.5.5.5:5005']}};

  before(async () => {
    app = Application.fromOptions({app: 'tars', server: 'tarsregistry', loglevel: 'NONE', graceMs: 500,
      local: 'tcp -h 127.0.0.1 -p 0', adapters: [
        {servant: QUERY_OBJ, endpoint: 'tcp -h 127.0.0.1 -p 0 -t 60000'},
        {servant: REGISTRY_OBJ, endpoint: 'tcp -h 127.0.0.1 -p 0 -t 60000'},
      ]});
    repo = new MemoryRegistryRepository();
    service = new RegistryService(repo, {clock: () => now, nodeTimeoutMs: TIMEOUT});
    app.addServant(new QueryServant(() => service.snapshot()), QUERY_OBJ);
    app.addServant(new RegistryObjServant(service), REGISTRY_OBJ);
    await app.start();
    const [query, reg] = app.servantAdapters;
    comm = new Communicator();
    registry = comm.stringToProxy(Registry.RegistryProxy, `${REGISTRY_OBJ}@${formatEndpoint(reg!.endpoint)}`);
    official = officialRegistryClient(`${QUERY_OBJ}@${formatEndpoint(query!.endpoint)}`);
  });

  after(async () => {
    destroyOfficialRegistryClient(official);
    comm?.close();
    await app?.close();
  });

  it('is active for the official client once the node has registered and reported the server active', async () => {
    const ni = NodeDescriptor.NodeInfo.create({nodeName: NODE,
      nodeObj: 'tars.tarsnode.NodeObj@tcp -h 10.5.5.5 -p 19385', endpointIp: '10.5.5.5', endpointPort: 19385,
      timeOut: 3000, dataDir: '/usr/local/app/tars/tarsnode/data', version: '3.0.0'});
    expect(await registry.registerNode(NODE, ni, load)).to.deep.equal({ret: 0});
    // Deployment (AdminReg's job, not RegistryObj's) writes the server and its adapter; the node has not reported it.
    await repo.saveServer(serverRow({...KEY, settingState: 'active', presentState: 'inactive',
      serverType: 'tars_nodejs'}), false);
    await repo.saveAdapter(adapterRow({...KEY, servant: OBJ, endpoint: 'tcp -h 10.5.5.5 -p 5005 -t 60000'}), false);
    await service.refresh();
    expect(await seen()).to.deep.equal(INACTIVE);

    // tarsnode's argument order: node name first (framework.md 1.3).
    expect(await registry.updateServer(NODE, 'Test', 'NodeServer', state(NodeDescriptor.ServerState.Active, 4321)))
      .to.deep.equal({ret: 0});
    expect(await seen()).to.deep.equal(ACTIVE);
    // What @tars/rpc's EndpointManager takes from an EndpointF: istcp (truthy = tcp), host, port, timeout, setId.
    const [ep] = officialList((await official.findObjectById(OBJ)).response.return);
    expect(ep).to.include({host: '10.5.5.5', port: 5005, timeout: 60000, istcp: 1, setId: '', bakFlag: 0});
  });

  it('is inactive for the official client once the node reports the server stopped, active when started', async () => {
    expect(await registry.updateServer(NODE, 'Test', 'NodeServer', state(NodeDescriptor.ServerState.Inactive, 0)))
      .to.deep.equal({ret: 0});
    expect(await seen()).to.deep.equal(INACTIVE);
    const batch = NodeDescriptor.ServerStateInfo.create({serverState: NodeDescriptor.ServerState.Active,
      processId: 4322, ...KEY});
    expect(await registry.updateServerBatch([batch])).to.deep.equal({ret: 0});
    expect(await seen()).to.deep.equal(ACTIVE);
  });

  it('is inactive once the node\'s heart-beat times out on the registry\'s clock, active after keepAlive', async () => {
    now += TIMEOUT; // exactly at the deadline: still alive
    expect(await seen()).to.deep.equal(ACTIVE);
    now += 1;
    expect(await seen()).to.deep.equal(INACTIVE);
    expect(await registry.keepAlive(NODE, load)).to.deep.equal({ret: 0});
    expect(await seen()).to.deep.equal(ACTIVE);

    // The reaper's expiry outlives the next heart-beat: the node must report its server again.
    now += TIMEOUT + 1;
    expect(await service.expireNodes()).to.deep.equal([NODE]);
    expect(await registry.keepAlive(NODE, load)).to.deep.equal({ret: 0});
    expect(await seen()).to.deep.equal(INACTIVE);
    expect(await registry.updateServer(NODE, 'Test', 'NodeServer', state(NodeDescriptor.ServerState.Active, 4323)))
      .to.deep.equal({ret: 0});
    expect(await seen()).to.deep.equal(ACTIVE);
  });
});
