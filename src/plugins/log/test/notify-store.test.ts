// The notify store on both dialects: ids in order, the newest `keep` per server kept, filters; the same on SQLite
// (a file) and PostgreSQL (the run's throwaway server, a schema per test).
import {expect} from 'chai';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {freshDatabase, freshSchema} from '../../../../test/support/postgres.js';
import {NotifyStore} from '../src/notify-store.js';

let database: Promise<string> | undefined;

describe('notify store id on one PostgreSQL schema', () => {
  it('is the same for every daemon opening the schema, even all at once', async () => {
    const where = {kind: 'postgres' as const, url: await (database ??= freshDatabase('notify')),
      schema: freshSchema('shared')};
    const stores = await Promise.all([1, 2, 3, 4].map(() => NotifyStore.open(where, 3)));
    try {
      expect(new Set(stores.map((s) => s.id)).size).to.equal(1);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});

for (const on of ['sqlite', 'postgres'] as const) {
  describe(`notify store (${on})`, () => {
    let dir: string;
    let store: NotifyStore;
    let now = 1_767_225_600_000;

    beforeEach(async () => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'tars-notify-'));
      store = await NotifyStore.open(on === 'sqlite' ? path.join(dir, 'notify.db') : {kind: 'postgres',
        url: await (database ??= freshDatabase('notify')), schema: freshSchema('notify')}, 3, () => now++);
    });

    afterEach(async () => {
      await store.close();
      rmSync(dir, {recursive: true, force: true});
    });

    const entry = (server: string, message: string, level = 0) => ({type: 1, level, app: 'A', server, set: '',
      container: '', message, threadId: '7', nodeName: 'n1'});

    it('numbers entries in order, keeps the newest 3 per server, filters by server, command, id and time', async () => {
      for (let i = 1; i <= 5; i++) await store.add(entry('S', `m${i}`, i === 5 ? 2 : 0));
      const other = await store.add(entry('T', 'other'));
      expect(other.id).to.equal(6);
      const s = await store.list({server: 'S', limit: 10});
      expect(s.map((r) => [r.id, r.message])).to.deep.equal([[3, 'm3'], [4, 'm4'], [5, 'm5']]);
      expect(s[0]!.time).to.be.a('number');
      expect((await store.list({command: '[error]', limit: 10})).map((r) => r.id)).to.deep.equal([5]);
      expect((await store.list({afterId: 4, limit: 10})).map((r) => r.id)).to.deep.equal([5, 6]);
      expect((await store.list({since: s[2]!.time, limit: 10})).map((r) => r.id)).to.deep.equal([5, 6]);
      expect((await store.list({limit: 2})).map((r) => r.id)).to.deep.equal([5, 6]);
    });

    it('has an id of its own, the same for every open of the same store (so instances sharing it can tell)',
      async () => {
        const where = on === 'sqlite' ? path.join(dir, 'notify.db') : undefined;
        const again = where ? await NotifyStore.open(where, 3) : undefined;
        const other = await NotifyStore.open(path.join(dir, 'other.db'), 3);
        try {
          expect(store.id).to.match(/^[0-9a-f-]{36}$/);
          if (again) expect(again.id).to.equal(store.id);
          expect(other.id).to.not.equal(store.id);
        } finally {
          await again?.close();
          await other.close();
        }
      });

    it('concurrent adds get distinct ids, none lost', async () => {
      const rows = await Promise.all(Array.from({length: 12}, (_, i) => store.add(entry(`S${i % 4}`, `c${i}`))));
      expect(rows.map((r) => r.id).sort((a, b) => a - b)).to.deep.equal(Array.from({length: 12}, (_, i) => i + 1));
    });
  });
}
