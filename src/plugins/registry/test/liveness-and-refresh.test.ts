// Time and change: the node heart-beat timeout judged by an injected clock, the reaper's persistent expiry, and the
// snapshot swapped on every write while lookups never reach the repository.
import {expect} from 'chai';

import {
  MemoryRegistryRepository, type RegistryRows, RegistryService, RegistrySnapshot, adapterRow, serverRow,
} from '../src/index.js';
import {brief, hp, instance, nodeRow, rowsOf} from './fixtures.js';

const OBJ = 'App.Server.Obj';
const TIMEOUT = 250_000;

/** A repository that counts full loads, to prove lookups never read it. */
class CountingRepository extends MemoryRegistryRepository {
  loads = 0;

  override async loadRows(): Promise<RegistryRows> {
    this.loads++;
    return super.loadRows();
  }
}

function fakeClock(start = 1_000_000): {now: () => number; advance: (ms: number) => void} {
  let t = start;
  return {now: () => t, advance: (ms) => {
    t += ms;
  }};
}

describe('registry: node liveness and snapshot rebuilds', () => {
  describe('the heart-beat timeout (250 s by default)', () => {
    it('keeps a node\'s endpoints active up to the timeout and makes them inactive one millisecond after', () => {
      const rows = rowsOf([instance(OBJ, '10.0.0.1', 1), instance(OBJ, '10.0.0.2', 2)]);
      const withBeats = {...rows, nodes: [nodeRow('10.0.0.1', 0), nodeRow('10.0.0.2', 100_000)]};
      expect(hp(RegistrySnapshot.build(withBeats, {now: TIMEOUT}).findObjectById(OBJ)))
        .to.deep.equal(['10.0.0.1:1', '10.0.0.2:2']);
      expect(brief(RegistrySnapshot.build(withBeats, {now: TIMEOUT + 1}).findAll(OBJ))).to.deep.equal(
        {ret: 0, active: ['10.0.0.2:2'], inactive: ['10.0.0.1:1']});
    });

    it('takes a configured timeout, never below the official 15 s floor', () => {
      const rows = rowsOf([instance(OBJ, '10.0.0.1', 1)]);
      expect(RegistrySnapshot.build(rows, {now: 20_001, nodeTimeoutMs: 20_000}).findObjectById(OBJ)).to.deep.equal([]);
      expect(RegistrySnapshot.build(rows, {now: 15_000, nodeTimeoutMs: 1}).findObjectById(OBJ)).to.have.length(1);
      expect(RegistrySnapshot.build(rows, {now: 15_001, nodeTimeoutMs: 1}).findObjectById(OBJ)).to.deep.equal([]);
    });

    it('leaves servers with no node row, and static endpoints, to their own states', () => {
      const rows = {...rowsOf([instance(OBJ, 'dns-only', 1)]), nodes: []};
      expect(RegistrySnapshot.build(rows, {now: 10 ** 12}).findObjectById(OBJ)).to.have.length(1);
    });

    it('rebuilds the snapshot from the same rows once the injected clock passes a node\'s deadline', async () => {
      const clock = fakeClock();
      const repo = new CountingRepository();
      const service = new RegistryService(repo, {clock: clock.now});
      await repo.registerNode({nodeName: 'n1', nodeObj: 'tars.tarsnode.NodeObj@tcp -h 10.0.0.1 -p 19385',
        endpointIp: '10.0.0.1', endpointPort: 19385, dataDir: '/d', version: '1', load: {avg1: 0, avg5: 0, avg15: 0}},
      clock.now());
      const key = {application: 'App', serverName: 'Server', nodeName: 'n1'};
      await repo.saveServer(serverRow({...key, settingState: 'active', presentState: 'active'}), false);
      await repo.saveAdapter(adapterRow({...key, servant: OBJ, endpoint: 'tcp -h 10.0.0.1 -p 1'}), false);
      await service.refresh();
      const loads = repo.loads;
      const builds = service.model.buildCount;

      clock.advance(TIMEOUT);
      expect(service.snapshot().findObjectById(OBJ)).to.have.length(1);
      expect(service.model.buildCount).to.equal(builds);
      clock.advance(1);
      expect(brief(service.snapshot().findAll(OBJ))).to.deep.equal({ret: 0, active: [], inactive: ['10.0.0.1:1']});
      expect(service.model.buildCount).to.equal(builds + 1);
      // Later lookups reuse the rebuilt snapshot; none of them read the repository.
      for (let i = 0; i < 5; i++) service.snapshot().findObjectById(OBJ);
      expect(service.model.buildCount).to.equal(builds + 1);
      expect(repo.loads).to.equal(loads);

      // A heart-beat brings the node back before any reaper ran: its servers' rows still say active.
      await repo.keepAlive('n1', {avg1: 1, avg5: 1, avg15: 1}, clock.now());
      await service.refresh();
      expect(service.snapshot().findObjectById(OBJ)).to.have.length(1);
    });

    it('the reaper marks silent nodes and their servers inactive in the repository, as checkNodeTimeout does', async () => {
      const clock = fakeClock(0);
      const repo = new MemoryRegistryRepository(rowsOf([instance(OBJ, 'n1', 1, {processId: 42}),
        instance(OBJ, 'n2', 2)], {}, 0));
      const service = new RegistryService(repo, {clock: clock.now, nodeTimeoutMs: 60_000});
      await service.refresh();
      clock.advance(30_000);
      await repo.keepAlive('n2', {avg1: 0, avg5: 0, avg15: 0}, clock.now());
      clock.advance(30_001);
      expect(await service.expireNodes()).to.deep.equal(['n1']);
      expect((await repo.getNode('n1'))?.presentState).to.equal('inactive');
      expect(await repo.getServer({application: 'App', serverName: 'Server', nodeName: 'n1'})).to.include(
        {presentState: 'inactive', processId: 0});
      expect(brief(service.snapshot().findAll(OBJ))).to.deep.equal({ret: 0, active: ['n2:2'], inactive: ['n1:1']});
      // Unlike the time rule alone, the expiry outlives the next heart-beat: the servers stay inactive until the
      // node reports them again (updateServer).
      await repo.keepAlive('n1', {avg1: 0, avg5: 0, avg15: 0}, clock.now());
      await service.refresh();
      expect(hp(service.snapshot().findObjectById(OBJ))).to.deep.equal(['n2:2']);
      await repo.updateServerStates([{application: 'App', serverName: 'Server', nodeName: 'n1',
        presentState: 'active', processId: 43}]);
      await service.refresh();
      expect(hp(service.snapshot().findObjectById(OBJ))).to.deep.equal(['n1:1', 'n2:2']);
      expect(await service.expireNodes()).to.deep.equal([]);
    });
  });

  describe('rebuild on change', () => {
    it('swaps in a new snapshot after a write and leaves the old one as it was', async () => {
      const repo = new MemoryRegistryRepository(rowsOf([instance(OBJ, 'n1', 1)], {}, 0));
      const service = new RegistryService(repo, {clock: () => 0});
      const before = await service.refresh();
      await repo.addStaticEndpoint({servant: OBJ, endpoint: 'tcp -h 10.9.9.9 -p 9', presentState: 'active',
        enableGroup: false, ipGroupName: '', setId: '', owner: 'static'});
      const after = await service.refresh();
      expect(after).to.not.equal(before);
      expect(hp(before.findObjectById(OBJ))).to.deep.equal(['n1:1']);
      expect(hp(after.findObjectById(OBJ))).to.deep.equal(['n1:1', '10.9.9.9:9']);
      expect(service.snapshot()).to.equal(after);
    });

    it('runs overlapping refreshes one after another, so the last write is in the final snapshot', async () => {
      const repo = new CountingRepository(rowsOf([instance(OBJ, 'n1', 1)], {}, 0));
      const service = new RegistryService(repo, {clock: () => 0});
      const first = service.refresh();
      await repo.addStaticEndpoint({servant: OBJ, endpoint: 'tcp -h 10.9.9.9 -p 9', presentState: 'active',
        enableGroup: false, ipGroupName: '', setId: '', owner: 'static'});
      const second = service.refresh();
      const third = service.refresh();
      const [, two, three] = await Promise.all([first, second, third]);
      expect(two).to.equal(three);
      expect(repo.loads).to.equal(2); // queued refreshes coalesce
      expect(hp(service.snapshot().findObjectById(OBJ))).to.deep.equal(['n1:1', '10.9.9.9:9']);
    });
  });
});
