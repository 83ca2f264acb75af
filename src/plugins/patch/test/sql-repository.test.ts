// The patch versions store on both dialects: version numbers per server never handed out twice (also after a
// removal, and under concurrent uploads), listing and lookups; the same on SQLite and PostgreSQL.
import {expect} from 'chai';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {freshDatabase, freshSchema} from '../../../../test/support/postgres.js';
import {type PatchStore, openPatchStore} from '../src/sql-repository.js';

let database: Promise<string> | undefined;

for (const on of ['sqlite', 'postgres'] as const) {
  describe(`patch versions store (${on})`, () => {
    let dir: string;
    let store: PatchStore;

    beforeEach(async () => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'tars-patch-store-'));
      store = await openPatchStore(on === 'sqlite' ? path.join(dir, 'patch.db') : {kind: 'postgres',
        url: await (database ??= freshDatabase('patch')), schema: freshSchema('patch')});
    });

    afterEach(async () => {
      await store.close();
      rmSync(dir, {recursive: true, force: true});
    });

    const add = (app: string, server: string) => store.repository.addVersion(app, server, (version) => ({app, server,
      version, md5: 'ab'.repeat(16), size: 2 ** 40, file: `/${app}/${server}/${app}.${server}_${version}.tgz`,
      uploader: 'u', uploadedAt: 1_767_225_600_123, comment: '', files: 3, unpackedBytes: 99,
      tarsFiles: new Map([['b.tars', 'x'], ['a.tars', 'y']])}), async () => {});

    it('numbers versions per server, never reusing a removed one; lists and finds them', async () => {
      await add('A', 'S');
      await add('A', 'S');
      await add('A', 'T');
      expect(await store.repository.removeVersion('A', 'S', 2)).to.equal(true);
      expect(await store.repository.removeVersion('A', 'S', 2)).to.equal(false);
      expect((await add('A', 'S')).version).to.equal(3);
      expect((await store.repository.listVersions('A', '')).map((v) => `${v.server}${v.version}`))
        .to.deep.equal(['S1', 'S3', 'T1']);
      const latest = await store.repository.latestVersion('A', 'S');
      expect(latest?.version).to.equal(3);
      expect(latest?.size).to.equal(2 ** 40);
      expect(latest?.uploadedAt).to.equal(1_767_225_600_123);
      expect([...latest!.tarsFiles]).to.deep.equal([['a.tars', 'y'], ['b.tars', 'x']]);
      expect(await store.repository.getVersion('A', 'T', 2)).to.equal(undefined);
    });

    it('concurrent uploads of one server get distinct versions', async () => {
      const rows = await Promise.all(Array.from({length: 8}, () => add('A', 'S')));
      expect(rows.map((r) => r.version).sort((a, b) => a - b)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8]);
    });
  });
}
