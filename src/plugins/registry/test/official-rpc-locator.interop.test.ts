// An @tars/rpc 2.0.15 client whose `locator` is our QueryObj calls a real server by its bare object name, and keeps
// calling it after the registered endpoint moves to another server.
//
// What @tars/rpc does (read in node_modules; facts only): each proxy of a bare name has an EndpointManager with its
// own @tars/registry client. Before every call it checks a refresh deadline on @tars/utils' `timeProvider` clock
// (process uptime in ms); when due it asks findObjectByIdInSameGroup (InSameSet when a set is configured) and the
// call in hand still goes out on the list it has. A good answer sets the next refresh 60 s later, an empty active
// list 10 s later (the old list kept), a failure 2 s later. The 60 s is a constant of the EndpointManager: no
// communicator property or config key changes it, so the test moves that clock instead of waiting.
//
// When a refresh drops an endpoint, @tars/rpc closes its connection one call timeout later on a timer of its own that
// nothing can cancel (kept for calls still in flight): that timer, at most the 3 s timeout here, may outlive the test.
//
// The servers behind the name are core Applications hosting a generated framework servant (QueryF over a fixed
// snapshot), called through @tars/registry's generated QueryFProxy: each one's answer names the server, so every
// call says which endpoint took it.
/* eslint-disable @typescript-eslint/no-explicit-any */
import {expect} from 'chai';
import {createRequire} from 'node:module';

import {Application, formatEndpoint} from '@tars-ts/core';

import {
  EMPTY_ROWS, MemoryRegistryRepository, QUERY_OBJ, QueryServant, RegistryService, RegistrySnapshot, adapterRow,
  serverRow,
} from '../src/index.js';
import {NotingQueryServant, destroyOfficial, officialCommunicator, officialQueryFProxy} from './official-oracle.js';

const require = createRequire(import.meta.url);
const TARGET = 'Test.TargetServer.TargetObj';
const KEY = {application: 'Test', serverName: 'TargetServer', nodeName: 'node1'};

/** An application on 127.0.0.1:0 hosting one servant. */
async function host(app: string, server: string, servant: string, impl: Parameters<Application['addServant']>[0]):
  Promise<Application> {
  const application = Application.fromOptions({app, server, loglevel: 'NONE', graceMs: 500,
    local: 'tcp -h 127.0.0.1 -p 0', adapters: [{servant, endpoint: 'tcp -h 127.0.0.1 -p 0 -t 60000'}]});
  application.addServant(impl, servant);
  await application.start();
  return application;
}

/** A target server of `servant`: QueryF answering findObjectById('who') with one endpoint whose host is `name`. */
function target(name: string, servant = TARGET): Promise<Application> {
  const snapshot = RegistrySnapshot.build({...EMPTY_ROWS, staticEndpoints: [{servant: 'who',
    endpoint: `tcp -h ${name} -p 1`, presentState: 'active', enableGroup: false, ipGroupName: '', setId: '', owner: 'test'}]}, {now: 0});
  const [app, server] = servant.split('.') as [string, string];
  return host(app, server, servant, new QueryServant(() => snapshot));
}

/** The clock @tars/rpc's EndpointManager judges its refresh deadline by (the @tars/utils instance it loaded). */
function rpcTimeProvider(): {nowTimestamp: () => number} {
  const fromRpc = createRequire(require.resolve('@tars/rpc'));
  return fromRpc('@tars/utils').timeProvider;
}

describe('registry interop: an @tars/rpc client with our QueryObj as its locator', function () {
  this.timeout(20_000);
  let registry: Application;
  let servant: NotingQueryServant;
  let repo: MemoryRegistryRepository;
  let service: RegistryService;
  let serverA: Application | undefined;
  let serverB: Application | undefined;
  const others: Application[] = [];
  let comm: any;
  const clock = rpcTimeProvider();
  const realNow = clock.nowTimestamp;
  let skewMs = 0;

  const lookups = () => servant.calls.filter((c) => c.id === TARGET);
  const port = (app: Application) => app.servantAdapters[0]!.endpoint.port;
  const register = async (app: Application, replace: boolean) => {
    await repo.saveAdapter(adapterRow({...KEY, servant: TARGET, endpoint: `tcp -h 127.0.0.1 -p ${port(app)} -t 60000`}),
      replace);
    await service.refresh();
  };

  before(async () => {
    repo = new MemoryRegistryRepository();
    service = new RegistryService(repo);
    servant = new NotingQueryServant(() => service.snapshot());
    registry = await host('tars', 'tarsregistry', QUERY_OBJ, servant);
    serverA = await target('server-a');
    serverB = await target('server-b');
    await repo.saveServer(serverRow({...KEY, settingState: 'active', presentState: 'active'}), false);
    await register(serverA, false);
    clock.nowTimestamp = () => realNow.call(clock) + skewMs;
    comm = officialCommunicator(3000);
    comm.setProperty('locator', `${QUERY_OBJ}@${formatEndpoint(registry.servantAdapters[0]!.endpoint)}`);
  });

  after(async () => {
    clock.nowTimestamp = realNow;
    if (comm) destroyOfficial(comm);
    await serverA?.close();
    await serverB?.close();
    for (const app of others) await app.close();
    await registry?.close();
  });

  it('resolves the bare object name through findObjectByIdInSameGroup and calls the server listed', async () => {
    const proxy = comm.stringToProxy(officialQueryFProxy(), TARGET);
    const who = async () => (await proxy.findObjectById('who')).response.return.toObject()[0].host as string;
    expect(await who()).to.equal('server-a');
    expect(lookups().map((c) => c.func)).to.deep.equal(['findObjectByIdInSameGroup']);
    expect(lookups()[0]!.nodeName).to.be.a('string').and.not.equal('');

    // The registered endpoint moves to server B. Within its 60 s the client neither asks again nor notices.
    await register(serverB!, true);
    for (let i = 0; i < 3; i++) expect(await who()).to.equal('server-a');
    expect(lookups()).to.have.length(1);

    // 60 s later on the client's clock: the next call asks the registry and still goes out on the old list...
    skewMs += 60_001;
    expect(await who()).to.equal('server-a');
    // ...and once the answer is in, calls go to server B. (Bounded wait: the answer may arrive after that call's.)
    const deadline = Date.now() + 5000;
    let last = '';
    while ((last = await who()) !== 'server-b' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(last).to.equal('server-b');
    expect(lookups().map((c) => c.func)).to.deep.equal(['findObjectByIdInSameGroup', 'findObjectByIdInSameGroup']);

    // Server A gone: the client keeps calling B, without asking the registry again.
    await serverA!.close();
    serverA = undefined;
    for (let i = 0; i < 3; i++) expect(await who()).to.equal('server-b');
    expect(lookups()).to.have.length(2);
  });

  it('asks findObjectByIdInSameSet for a proxy made with a set name, and calls only that set\'s instance', async () => {
    const SET_OBJ = 'Test.SetServer.SetObj';
    const [inSet, noSet] = [await target('server-in-set', SET_OBJ), await target('server-no-set', SET_OBJ)];
    others.push(inSet, noSet);
    for (const [app, nodeName, enableSet] of [[inSet, 'node3', true], [noSet, 'node4', false]] as const) {
      const key = {application: 'Test', serverName: 'SetServer', nodeName};
      await repo.saveServer(serverRow({...key, settingState: 'active', presentState: 'active', enableSet,
        setName: 's', setArea: 'a', setGroup: '1'}), false);
      await repo.saveAdapter(adapterRow({...key, servant: SET_OBJ,
        endpoint: `tcp -h 127.0.0.1 -p ${port(app)} -t 60000`}), false);
    }
    await service.refresh();

    const proxy = comm.stringToProxy(officialQueryFProxy(), SET_OBJ, 's.a.1');
    for (let i = 0; i < 4; i++) {
      expect((await proxy.findObjectById('who')).response.return.toObject()[0].host).to.equal('server-in-set');
    }
    expect(servant.calls.filter((c) => c.id === SET_OBJ).map((c) => c.func)).to.deep.equal(
      ['findObjectByIdInSameSet']);
  });
});
