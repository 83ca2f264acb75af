// Heart-beats of live nodes move deadlines without rebuilding the snapshot: a rebuild per heart-beat stalled every
// lookup for ~100 ms, many times a second, with 10,000 objects (the registry benchmark).
import {expect} from 'chai';

import {MemoryRegistryRepository, type RegistryRows, RegistryService} from '../src/index.js';
import {hp, instance, rowsOf} from './fixtures.js';

const OBJ = 'App.Server.Obj';
const TIMEOUT = 250_000;
const LOAD = {avg1: 0.5, avg5: 0.25, avg15: 0.125};

/** A repository whose loads can be held, to reproduce a load that began before a heart-beat. */
class GatedRepository extends MemoryRegistryRepository {
  gate?: Promise<void>;
  loads = 0;

  override async loadRows(): Promise<RegistryRows> {
    this.loads++;
    const rows = await super.loadRows();
    await this.gate;
    return rows;
  }
}

function clock(start = 1_000_000): {now: () => number; advance: (ms: number) => void} {
  let t = start;
  return {now: () => t, advance: (ms) => {
    t += ms;
  }};
}

async function service(): Promise<{svc: RegistryService; repo: GatedRepository; time: ReturnType<typeof clock>}> {
  const time = clock();
  const repo = new GatedRepository(rowsOf([instance(OBJ, 'n1', 1), instance(OBJ, 'n2', 2)], {}, time.now()));
  const svc = new RegistryService(repo, {clock: time.now, nodeTimeoutMs: TIMEOUT});
  await svc.refresh();
  return {svc, repo, time};
}

describe('registry: heart-beats', () => {
  it('a heart-beat of a live node neither rebuilds the snapshot nor reloads the rows, and keeps the node alive', async () => {
    const {svc, repo, time} = await service();
    const builds = svc.model.buildCount;
    const loads = repo.loads;
    for (let i = 0; i < 10; i++) {
      time.advance(100_000);
      expect(await svc.keepAlive('n1', LOAD)).to.equal(true);
      expect(await svc.keepAlive('n2', LOAD)).to.equal(true);
    }
    // 1,000 s later both are alive: every heart-beat moved its deadline.
    expect(hp(svc.snapshot().findObjectById(OBJ))).to.deep.equal(['n1:1', 'n2:2']);
    expect(svc.model.buildCount).to.equal(builds);
    expect(repo.loads).to.equal(loads);
    expect(svc.model.rows.nodes.find((n) => n.nodeName === 'n1')).to.deep.include({loadAvg1: 0.5, loadAvg15: 0.125});
  });

  it('a node that stops heart-beating still times out', async () => {
    const {svc, time} = await service();
    time.advance(200_000);
    await svc.keepAlive('n1', LOAD);
    time.advance(TIMEOUT - 100_000);
    expect(hp(svc.snapshot().findObjectById(OBJ))).to.deep.equal(['n1:1']);
  });

  it('a heart-beat of a silent node reloads: its endpoints come back', async () => {
    const {svc, repo, time} = await service();
    time.advance(TIMEOUT + 1);
    expect(svc.snapshot().findObjectById(OBJ)).to.deep.equal([]);
    const loads = repo.loads;
    await svc.keepAlive('n2', LOAD);
    expect(repo.loads).to.equal(loads + 1);
    expect(hp(svc.snapshot().findObjectById(OBJ))).to.deep.equal(['n2:2']);
  });

  it('a load that began before a heart-beat does not take it back', async () => {
    const {svc, repo, time} = await service();
    let open!: () => void;
    repo.gate = new Promise((r) => {
      open = r;
    });
    time.advance(200_000);
    const loading = svc.refresh(); // reads the rows now, held at the gate
    await svc.keepAlive('n1', LOAD);
    open();
    await loading;
    time.advance(TIMEOUT - 100_000); // past n1's old deadline, before its new one
    expect(hp(svc.snapshot().findObjectById(OBJ))).to.deep.equal(['n1:1']);
  });

  it('an unknown node is not alive for a heart-beat', async () => {
    const {svc} = await service();
    expect(await svc.keepAlive('nobody', LOAD)).to.equal(false);
  });
});
