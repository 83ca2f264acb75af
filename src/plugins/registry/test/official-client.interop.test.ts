// The official Node client (@tars/rpc 2.0.15 with @tars/registry) configured with `locator` = our QueryObj: it
// resolves a bare object name through our registry (findObjectByIdInSameGroup, with its node_name context), then
// calls the endpoint we listed, which is our QueryObj again, through @tars/registry's own generated QueryF proxy.
/* eslint-disable @typescript-eslint/no-explicit-any */
import {expect} from 'chai';
import {createRequire} from 'node:module';

import {Application, formatEndpoint} from '@tars-ts/core';

import {MemoryRegistryRepository, QUERY_OBJ, QueryServant, RegistryService, adapterRow, serverRow} from '../src/index.js';

const require = createRequire(import.meta.url);
const TARGET = 'Test.HelloServer.HelloObj';

/**
 * `@tars/rpc`: its modules require each other in a cycle and Node warns about it while it loads; those warnings
 * (the oracle's own) are dropped, nothing else.
 */
function tarsRpc(): any {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (/of module exports inside circular dependency/.test(String(warning))) return;
    (emitWarning as (...a: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return require('@tars/rpc');
  } finally {
    process.emitWarning = emitWarning;
  }
}

describe('registry interop: the official @tars/rpc client resolves through our QueryObj', function () {
  this.timeout(20_000);
  let app: Application;
  let comm: any;

  before(async () => {
    app = Application.fromOptions({app: 'tars', server: 'tarsregistry', loglevel: 'NONE', graceMs: 500,
      local: 'tcp -h 127.0.0.1 -p 0', adapters: [{servant: QUERY_OBJ, endpoint: 'tcp -h 127.0.0.1 -p 0 -t 60000'}]});
    const repo = new MemoryRegistryRepository();
    const service = new RegistryService(repo);
    app.addServant(new QueryServant(() => service.snapshot()), QUERY_OBJ);
    await app.start();
    const self = formatEndpoint(app.servantAdapters[0]!.endpoint);
    await repo.addStaticEndpoint({servant: QUERY_OBJ, endpoint: self, presentState: 'active', enableGroup: false, ipGroupName: '', setId: '',
      owner: 'self'});
    const key = {application: 'Test', serverName: 'HelloServer', nodeName: 'node1'};
    await repo.saveServer(serverRow({...key, settingState: 'active', presentState: 'active'}), false);
    await repo.saveAdapter(adapterRow({...key, servant: TARGET, endpoint: 'tcp -h 10.0.0.7 -p 7 -t 3000 -w 10 -v 1'}),
      false);
    await service.refresh();
    comm = new (tarsRpc().Communicator)();
    comm.setProperty('timeout', 3000);
    comm.setProperty('locator', `${QUERY_OBJ}@${self}`);
  });

  after(async () => {
    if (comm) {
      for (const worker of Object.values<any>(comm._workers ?? {})) worker.timeout = 0;
      comm.destroy();
    }
    await app?.close();
  });

  it('finds the registry by its bare name, then reads an object\'s endpoints from it', async () => {
    const {QueryFProxy} = require('@tars/registry/QueryFProxy.js').tars;
    const query = comm.stringToProxy(QueryFProxy, QUERY_OBJ);
    const byId = await query.findObjectById(TARGET);
    expect(byId.response.return.toObject()).to.deep.equal([{host: '10.0.0.7', port: 7, timeout: 3000, istcp: 1,
      grid: 0, groupworkid: -1, grouprealid: -1, setId: '', qos: 0, bakFlag: 0, weight: 10, weightType: 1}]);
    // (@tars/registry's EndpointF.tars predates authType and nodeName: it skips those tags.)
    const any = await query.findObjectById4Any(TARGET);
    expect(any.response.return).to.equal(0);
    expect(any.response.arguments.activeEp.toObject().map((e: any) => e.port)).to.deep.equal([7]);
    const set = await query.findObjectByIdInSameSet(TARGET, 'no-such-set');
    expect(set.response.return).to.equal(-1);
  });
});
