// QueryObj served by a real Application on 127.0.0.1 (ephemeral port): a core Communicator whose locator is that
// QueryObj resolves a bare object name through it and calls the server the registry lists; a node that stops
// heart-beating takes its endpoints out of what the registry answers.
import {expect} from 'chai';

import {Application, Communicator, formatEndpoint} from '@tars-ts/core';
import {NotifyF, QueryF} from '@tars-ts/core/framework';

import {
  MemoryRegistryRepository, QUERY_OBJ, QueryServant, RegistryService, adapterRow, serverRow,
} from '../src/index.js';

const NOTIFY_OBJ = 'Test.NotifyServer.NotifyObj';

/** The "real server" behind the name: records the messages it is sent. */
class Notify extends NotifyF.NotifyServant {
  readonly messages: string[] = [];

  reportNotifyInfo(info: NotifyF.ReportInfo): void {
    this.messages.push(info.sMessage);
  }
}

/** An application on 127.0.0.1:0 hosting one servant. */
async function host(app: string, server: string, servant: string, impl: Parameters<Application['addServant']>[0]):
  Promise<Application> {
  const application = Application.fromOptions({app, server, loglevel: 'NONE', local: 'tcp -h 127.0.0.1 -p 0',
    adapters: [{servant, endpoint: 'tcp -h 127.0.0.1 -p 0 -t 60000'}], graceMs: 1000});
  application.addServant(impl, servant);
  await application.start();
  return application;
}

describe('registry: QueryObj in a real application', function () {
  this.timeout(20_000);
  let now = 1_000_000;
  let registry: Application;
  let target: Application;
  let service: RegistryService;
  const notify = new Notify();

  before(async () => {
    target = await host('Test', 'NotifyServer', NOTIFY_OBJ, notify);
    const port = target.servantAdapters[0]!.endpoint.port;
    const key = {application: 'Test', serverName: 'NotifyServer', nodeName: 'node1'};
    const repo = new MemoryRegistryRepository({
      servers: [serverRow({...key, settingState: 'active', presentState: 'active'})],
      adapters: [adapterRow({...key, servant: NOTIFY_OBJ, endpoint: `tcp -h 127.0.0.1 -p ${port} -t 60000`})],
    });
    await repo.registerNode({nodeName: 'node1', nodeObj: 'tars.tarsnode.NodeObj@tcp -h 127.0.0.1 -p 1',
      endpointIp: '127.0.0.1', endpointPort: 1, dataDir: '/d', version: '1', load: {avg1: 0, avg5: 0, avg15: 0}},
    now);
    service = new RegistryService(repo, {clock: () => now});
    registry = await host('tars', 'tarsregistry', QUERY_OBJ, new QueryServant(() => service.snapshot()));
    // The registry lists itself, as each official registry writes its servants into t_registry_info.
    await repo.addStaticEndpoint({servant: QUERY_OBJ, endpoint: formatEndpoint(registry.servantAdapters[0]!.endpoint),
      presentState: 'active', enableGroup: false, ipGroupName: '', setId: '', owner: 'self'});
    await service.refresh();
  });

  after(async () => {
    await registry?.close();
    await target?.close();
  });

  it('resolves a bare object name through the locator and calls the server it lists', async () => {
    const comm = new Communicator({locator: `${QUERY_OBJ}@${formatEndpoint(registry.servantAdapters[0]!.endpoint)}`});
    try {
      const proxy = comm.stringToProxy(NotifyF.NotifyProxy, NOTIFY_OBJ);
      await proxy.reportNotifyInfo(NotifyF.ReportInfo.create({sApp: 'Test', sServer: 'NotifyServer',
        sMessage: 'found through the registry'}));
      expect(notify.messages).to.deep.equal(['found through the registry']);
      // The registry resolves its own name too.
      const located = await comm.locate(QUERY_OBJ);
      expect(located.active.map((e) => e.port)).to.deep.equal([registry.servantAdapters[0]!.endpoint.port]);
    } finally {
      comm.close();
    }
  });

  it('answers every lookup over the wire, and stops listing a node that no longer heart-beats', async () => {
    const comm = new Communicator();
    try {
      const query = comm.stringToProxy(QueryF.QueryFProxy,
        `${QUERY_OBJ}@${formatEndpoint(registry.servantAdapters[0]!.endpoint)}`);
      const port = target.servantAdapters[0]!.endpoint.port;
      expect((await query.findObjectById(NOTIFY_OBJ)).ret.map((e) => e.port)).to.deep.equal([port]);
      const all = await query.findObjectById4Any(NOTIFY_OBJ);
      expect(all.ret).to.equal(0);
      expect(all.activeEp[0]).to.include({host: '127.0.0.1', port, istcp: 1, nodeName: 'node1', timeout: 60000});
      expect((await query.findObjectByIdInSameSet(NOTIFY_OBJ, 'bad')).ret).to.equal(-1);
      expect((await query.findObjectById4All('No.Such.Obj'))).to.deep.equal({ret: 0, activeEp: [], inactiveEp: []});

      now += 250_001; // node1's last heart-beat is now older than the 250 s timeout
      const after = await query.findObjectByIdInSameGroup(NOTIFY_OBJ);
      expect(after.activeEp).to.deep.equal([]);
      expect(after.inactiveEp.map((e) => e.port)).to.deep.equal([port]);
    } finally {
      comm.close();
    }
  });
});
