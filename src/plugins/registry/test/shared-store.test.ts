// Several registries on one store (issue 19, item 2): two RegistryServices over one repository, on one injected
// clock, synced by hand as their timers would. What one writes, the other answers after its next sync; heart-beats
// taken by one keep the node alive in the other; each lists the other's QueryObj while it lives.
import {expect} from 'chai';

import {MemoryRegistryRepository, RegistryService, adapterRow, serverRow} from '../src/index.js';
import {brief, hp, nodeRow, rowsOf} from './fixtures.js';

const OBJ = 'App.Server.Obj';
const QUERY = 'tars.tarsregistry.QueryObj';
const NODE_TIMEOUT = 20_000;
const REGISTRY_TIMEOUT = 10_000;

describe('registry: several registries on one store', () => {
  let t: number;
  let repo: MemoryRegistryRepository;
  let a: RegistryService;
  let b: RegistryService;

  beforeEach(async () => {
    t = 1_000_000;
    repo = new MemoryRegistryRepository({...rowsOf([]), nodes: [nodeRow('n1', t)]});
    const options = {clock: () => t, nodeTimeoutMs: NODE_TIMEOUT, registryTimeoutMs: REGISTRY_TIMEOUT, shared: true};
    a = new RegistryService(repo, options);
    b = new RegistryService(repo, options);
    await a.setOwnEndpoints('10.0.0.1:17890', [{servant: QUERY, endpoint: 'tcp -h 10.0.0.1 -p 17890'}]);
    await b.setOwnEndpoints('10.0.0.2:17890', [{servant: QUERY, endpoint: 'tcp -h 10.0.0.2 -p 17890'}]);
    await a.sync();
  });

  it('tars.tarsregistry.QueryObj resolves to both registries, from either', () => {
    for (const r of [a, b]) {
      expect(hp(r.snapshot().findObjectById(QUERY)).sort()).to.deep.equal(['10.0.0.1:17890', '10.0.0.2:17890']);
    }
  });

  it('what one registry writes, the other answers after its next sync, not before', async () => {
    await repo.saveServer(serverRow({application: 'App', serverName: 'Server', nodeName: 'n1', presentState: 'active'}),
      false);
    await repo.saveAdapter(adapterRow({application: 'App', serverName: 'Server', nodeName: 'n1', servant: OBJ,
      endpoint: 'tcp -h 10.1.1.1 -p 5000 -t 60000'}), false);
    await a.refresh();
    expect(hp(a.snapshot().findObjectById(OBJ))).to.deep.equal(['10.1.1.1:5000']);
    expect(hp(b.snapshot().findObjectById(OBJ))).to.deep.equal([]);
    await b.sync();
    expect(hp(b.snapshot().findObjectById(OBJ))).to.deep.equal(['10.1.1.1:5000']);
  });

  it('heart-beats one registry takes keep the node alive in the other', async () => {
    await repo.saveServer(serverRow({application: 'App', serverName: 'Server', nodeName: 'n1', presentState: 'active'}),
      false);
    await repo.saveAdapter(adapterRow({application: 'App', serverName: 'Server', nodeName: 'n1', servant: OBJ,
      endpoint: 'tcp -h 10.1.1.1 -p 5000 -t 60000'}), false);
    await a.refresh();
    await b.sync();
    for (let i = 0; i < 5; i++) {
      t += NODE_TIMEOUT / 2;
      expect(await a.keepAlive('n1', {avg1: 0, avg5: 0, avg15: 0})).to.equal(true);
      await a.sync();
      await b.sync();
    }
    // 2.5 node timeouts after the last full load: alive in both, from the beats a took.
    expect(brief(b.snapshot().findAll(OBJ))).to.deep.equal({ret: 0, active: ['10.1.1.1:5000'], inactive: []});
    // The node falls silent: inactive in both once the timeout passes.
    t += NODE_TIMEOUT + 1;
    await b.sync();
    expect(brief(b.snapshot().findAll(OBJ))).to.deep.equal({ret: 0, active: [], inactive: ['10.1.1.1:5000']});
  });

  it('a registry that stops syncing is listed inactive after the registry timeout; one that withdraws at once',
    async () => {
      t += REGISTRY_TIMEOUT / 2;
      await a.sync();
      expect(hp(a.snapshot().findObjectById(QUERY)).sort()).to.deep.equal(['10.0.0.1:17890', '10.0.0.2:17890']);
      t += REGISTRY_TIMEOUT / 2 + 1; // b has not written for longer than the timeout
      await a.sync();
      expect(brief(a.snapshot().findAll(QUERY))).to.deep.equal({ret: 0, active: ['10.0.0.1:17890'],
        inactive: ['10.0.0.2:17890']});
      await b.sync(); // b is back
      await a.sync();
      expect(hp(a.snapshot().findObjectById(QUERY)).sort()).to.deep.equal(['10.0.0.1:17890', '10.0.0.2:17890']);
      await b.withdraw();
      await a.sync();
      expect(brief(a.snapshot().findAll(QUERY))).to.deep.equal({ret: 0, active: ['10.0.0.1:17890'], inactive: []});
    });

  it('a store of one registry serves no other registry\'s rows (what a killed earlier run left)', async () => {
    await repo.putRegistryInfo('10.0.0.9:1', [{servant: QUERY, endpoint: 'tcp -h 10.0.0.9 -p 1'}], t);
    const alone = new RegistryService(repo, {clock: () => t});
    await alone.setOwnEndpoints('10.0.0.3:17890', [{servant: QUERY, endpoint: 'tcp -h 10.0.0.3 -p 17890'}]);
    expect(brief(alone.snapshot().findAll(QUERY))).to.deep.equal({ret: 0, active: ['10.0.0.3:17890'], inactive: []});
  });
});
