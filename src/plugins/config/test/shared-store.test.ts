// Two config services on one PostgreSQL store, in this process (the daemons' test is multi-instance.test.ts): what
// one writes, the other serves at once (the change stamp); concurrent pushes get distinct, gap-free versions; a
// reference that would close a cycle with one the other just added is refused.
import {expect} from 'chai';

import {ConfigObjServant, ConfigRefused, ConfigService, RateLimiter} from '../src/index.js';
import {type ConfigStore, openConfigStore} from '../src/sql-repository.js';
import {freshDatabase, freshSchema} from '../../../../test/support/postgres.js';
import {ctxFrom, k} from './fixtures.js';

describe('config: two config centers on one PostgreSQL store (in process)', function () {
  this.timeout(60_000);
  let stores: ConfigStore[] = [];
  let a: ConfigService;
  let b: ConfigService;

  beforeEach(async () => {
    const where = {kind: 'postgres' as const, url: await freshDatabase('cfgshared'), schema: freshSchema('config')};
    stores = [await openConfigStore(where), await openConfigStore(where)];
    a = await ConfigService.open(stores[0]!.repository, {shared: true});
    b = await ConfigService.open(stores[1]!.repository, {shared: true});
  });

  afterEach(async () => {
    for (const s of stores) await s.close();
  });

  it('a push through one is what the other serves on the next call, also after a rollback', async () => {
    const objB = new ConfigObjServant(b, new RateLimiter(0));
    const from = ctxFrom('10.0.0.1');
    expect((await objB.loadConfig('A', 'S', 'a.conf', from)).config).to.equal('');
    for (let i = 1; i <= 20; i++) {
      await a.push(k('A.S', 'a.conf'), `v=${i}`, 't', '');
      expect((await objB.loadConfig('A', 'S', 'a.conf', from)).config, `push ${i}`).to.equal(`v=${i}`);
    }
    await a.rollback(k('A.S', 'a.conf'), 3, 't', '');
    expect((await objB.loadConfig('A', 'S', 'a.conf', from)).config).to.equal('v=3');
    expect((await b.history(k('A.S', 'a.conf'))).map((v) => v.version)).to.deep.equal(
      Array.from({length: 21}, (_, i) => i + 1));
  });

  it('calls that arrive together share one stamp read and see the write made before them', async () => {
    await b.fresh();
    await a.push(k('A', 'x.conf'), 'x=1', 't', '');
    const seen = await Promise.all(Array.from({length: 50}, () => b.fresh()));
    expect(seen.every((s) => s.file(k('A', 'x.conf'))?.content === 'x=1')).to.equal(true);
    expect(new Set(seen).size, 'one reload for all of them').to.equal(1);
  });

  it('concurrent pushes through both give every version once, numbered 1..N without a gap', async () => {
    const n = 40;
    const acked = await Promise.all(Array.from({length: n}, (_, i) =>
      (i % 2 === 0 ? a : b).push(k('A.S', 'race.conf'), `i=${i}`, 't', '').then((version) => ({version, i}))));
    expect(acked.map((x) => x.version).sort((p, q) => p - q)).to.deep.equal(Array.from({length: n}, (_, i) => i + 1));
    const history = await a.history(k('A.S', 'race.conf'));
    for (const {version, i} of acked) expect(history[version - 1]!.content).to.equal(`i=${i}`);
    // Two new files pushed at once through both get distinct ids.
    await Promise.all([a.push(k('A', 'new1.conf'), '1', 't', ''), b.push(k('A', 'new2.conf'), '2', 't', '')]);
    const ids = (await a.fresh()).files.map((f) => f.id);
    expect(new Set(ids).size).to.equal(ids.length);
  });

  it('a reference that closes a cycle with one added through the other is refused', async () => {
    await a.push(k('A', 'p.conf'), 'p=1', 't', '');
    await a.push(k('A', 'q.conf'), 'q=1', 't', '');
    await b.fresh();
    await a.addReference(k('A', 'p.conf'), k('A', 'q.conf'));
    const refused = await b.addReference(k('A', 'q.conf'), k('A', 'p.conf')).then(() => undefined, (e: Error) => e);
    expect(refused).to.be.instanceOf(ConfigRefused);
    expect(refused!.message).to.include('would make a cycle');
  });
});
