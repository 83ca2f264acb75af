// The store's contract (@tars-ts/kit/store) on both dialects: the same tests on SQLite (a file) and on PostgreSQL
// (the run's throwaway server, test/support/postgres.ts; a schema per test), plus what only PostgreSQL has: several
// daemons' schemas in one database, concurrent first opens, transactions serialised across pools, its errors.
// What is SQLite's alone (files that cannot be opened, SIGKILL, two processes on one file) is in store.test.ts.
import Database from 'better-sqlite3';
import {expect} from 'chai';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

import {type Store, type StoreMigrations, type StoreOptions, openStore, removeStore} from '@tars-ts/kit/store';

import {type KvDB, kvMigrations, recording, rejection} from '../fixtures/store/kv-store.js';
import {freePort} from '../support/ports.js';
import {freshDatabase, freshSchema} from '../support/postgres.js';

/** One dialect of the matrix: where a new store goes, and a look at it that does not go through the store. */
interface Dialect {
  readonly kind: StoreOptions['kind'];
  setup(): Promise<void>;
  teardown(): Promise<void>;
  /** A place for a new store (the same one each time it is reopened in a test). */
  fresh(): StoreOptions;
  /** The user tables at `options`, sorted, without Kysely's. */
  tables(options: StoreOptions): Promise<string[]>;
  /** The SQLSTATE/driver code of a foreign key violation. */
  readonly foreignKeyCode: string;
}

function sqliteDialect(): Dialect {
  let dir = '';
  let n = 0;
  return {
    kind: 'sqlite',
    foreignKeyCode: 'SQLITE_CONSTRAINT_FOREIGNKEY',
    setup: async () => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'tars-store-'));
    },
    teardown: async () => rmSync(dir, {recursive: true, force: true}),
    fresh: () => ({kind: 'sqlite', file: path.join(dir, `s${++n}.db`)}),
    tables: async (options) => {
      const raw = new Database((options as {file: string}).file, {readonly: true});
      try {
        return raw.prepare("select name from sqlite_master where type = 'table' and name not like 'kysely%' " +
          'order by name').all().map((r) => (r as {name: string}).name);
      } finally {
        raw.close();
      }
    },
  };
}

function postgresDialect(): Dialect {
  let url = '';
  return {
    kind: 'postgres',
    foreignKeyCode: '23503',
    setup: async () => {
      url = await freshDatabase('store');
    },
    teardown: async () => {},
    fresh: () => ({kind: 'postgres', url, schema: freshSchema('store')}),
    tables: async (options) => {
      const client = new pg.Client({connectionString: url});
      await client.connect();
      try {
        const {rows} = await client.query<{name: string}>('select table_name as name from information_schema.tables ' +
          "where table_schema = $1 and table_name not like 'kysely%' order by table_name",
        [(options as {schema: string}).schema]);
        return rows.map((r) => r.name);
      } finally {
        await client.end();
      }
    },
  };
}

for (const dialect of [sqliteDialect(), postgresDialect()]) {
  describe(`the store's contract on ${dialect.kind}`, function () {
    this.timeout(60_000);
    before(() => dialect.setup());
    after(() => dialect.teardown());

    it('migrations apply in name order, once; reopening runs nothing; a new one applies alone', async () => {
      const where = dialect.fresh();
      const log: string[] = [];
      const first = await openStore(where, recording(['0002_b', '0001_a', '0003_c'], log));
      expect(first.applied).to.deep.equal(['0001_a', '0002_b', '0003_c']);
      expect(first.kind).to.equal(dialect.kind);
      await first.close();
      const again = await openStore(where, recording(['0001_a', '0002_b', '0003_c'], log));
      expect(again.applied).to.deep.equal([]);
      await again.close();
      const more = await openStore(where, recording(['0001_a', '0002_b', '0003_c', '0004_d'], log));
      expect(more.applied).to.deep.equal(['0004_d']);
      await more.close();
      expect(log).to.deep.equal(['0001_a', '0002_b', '0003_c', '0004_d']);
      expect(await dialect.tables(where)).to.deep.equal(['t_0001_a', 't_0002_b', 't_0003_c', 't_0004_d']);
    });

    it('a store migrated by a newer build is refused before anything is written', async () => {
      const where = dialect.fresh();
      const newer = await openStore<KvDB>(where, kvMigrations);
      await newer.db.insertInto('kv').values({key: 'a', value: 1, writer: 't', updated_at: 1}).execute();
      await newer.close();
      const older = {'0001_kv': kvMigrations['0001_kv']!, '0005_extra': {up: async (db: any) => {
        await db.schema.createTable('extra').addColumn('x', 'text').execute();
      }}};
      const err = await rejection(openStore(where, older));
      expect(err.code).to.equal('STORE_NEWER_SCHEMA');
      expect(err.message).to.include('0002_counter').and.include('newer build').and.not.include('\n');
      expect(await dialect.tables(where)).to.deep.equal(['counter', 'kv']);
      const reopened = await openStore<KvDB>(where, kvMigrations);
      expect(await reopened.db.selectFrom('kv').select('key').execute()).to.deep.equal([{key: 'a'}]);
      await reopened.close();
    });

    it('a failing migration rolls back every migration of that open: no table, no row is left behind', async () => {
      const where = dialect.fresh();
      const failing: StoreMigrations = {
        '0003_broken': {
          up: async (db) => {
            await db.schema.createTable('half_done').addColumn('x', 'text').execute();
            await db.insertInto('kv').values({key: 'ghost', value: 0, writer: 'm', updated_at: 0}).execute();
            throw new Error('boom in 0003');
          },
        },
      };
      const fresh = await rejection(openStore(where, {...kvMigrations, ...failing}));
      expect(fresh.code).to.equal('STORE_MIGRATION_FAILED');
      expect(fresh.message).to.include('0003_broken').and.include('boom in 0003');
      expect(await dialect.tables(where)).to.deep.equal([]);

      const store = await openStore<KvDB>(where, kvMigrations);
      await store.db.insertInto('kv').values({key: 'kept', value: 1, writer: 't', updated_at: 0}).execute();
      await store.close();
      expect((await rejection(openStore(where, {...kvMigrations, ...failing}))).code)
        .to.equal('STORE_MIGRATION_FAILED');
      const after = await openStore<KvDB>(where, kvMigrations);
      try {
        expect(after.applied).to.deep.equal([]);
        expect(await after.db.selectFrom('kv').select('key').execute()).to.deep.equal([{key: 'kept'}]);
      } finally {
        await after.close();
      }
      expect(await dialect.tables(where)).to.deep.equal(['counter', 'kv']);
    });

    it('a transaction commits when its work resolves and rolls back when it rejects; close is idempotent',
      async () => {
        const store = await openStore<KvDB>(dialect.fresh(), kvMigrations);
        const row = (key: string) => ({key, value: 2 ** 53 - 1, writer: 't', updated_at: 1_700_000_000_123});
        await store.transaction(async (trx) => {
          await trx.insertInto('kv').values(row('in')).execute();
        });
        const err = await rejection(store.transaction(async (trx) => {
          await trx.insertInto('kv').values(row('out')).execute();
          throw new Error('changed my mind');
        }));
        expect(err.message).to.equal('changed my mind');
        // Epoch ms and integers up to 2^53 - 1 come back as the numbers written (PostgreSQL's int8 too).
        expect(await store.db.selectFrom('kv').select(['key', 'value', 'updated_at']).execute())
          .to.deep.equal([{key: 'in', value: 2 ** 53 - 1, updated_at: 1_700_000_000_123}]);
        const closing = store.close();
        expect(store.close()).to.equal(closing);
        await closing;
      });

    it('upsert, returning, count and max give the same results', async () => {
      const store = await openStore<KvDB>(dialect.fresh(), kvMigrations);
      try {
        for (const [value, writer] of [[1, 'a'], [2, 'b']] as const) {
          await store.db.insertInto('kv').values({key: 'k', value, writer, updated_at: value})
            .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({value: eb.ref('excluded.value'),
              writer: eb.ref('excluded.writer')}))).execute();
        }
        const back = await store.db.insertInto('kv').values({key: 'z', value: 9, writer: 'c', updated_at: 0})
          .returning(['key', 'value']).execute();
        expect(back).to.deep.equal([{key: 'z', value: 9}]);
        const stats = await store.db.selectFrom('kv').select((eb) => [eb.fn.countAll().as('n'),
          eb.fn.max('value').as('top')]).executeTakeFirstOrThrow();
        expect({n: Number(stats.n), top: stats.top}).to.deep.equal({n: 2, top: 9});
        expect(await store.db.selectFrom('kv').select(['key', 'value', 'writer']).orderBy('key').execute())
          .to.deep.equal([{key: 'k', value: 2, writer: 'b'}, {key: 'z', value: 9, writer: 'c'}]);
      } finally {
        await store.close();
      }
    });

    it('transactions of one store run one at a time: concurrent read-then-write loses no update', async () => {
      const store = await openStore<KvDB>(dialect.fresh(), kvMigrations);
      try {
        await Promise.all(Array.from({length: 20}, () => store.transaction(async (trx) => {
          const {n} = await trx.selectFrom('counter').select('n').where('id', '=', 1).executeTakeFirstOrThrow();
          await new Promise((resolve) => setImmediate(resolve));
          await trx.updateTable('counter').set({n: Number(n) + 1}).where('id', '=', 1).execute();
        })));
        expect((await store.db.selectFrom('counter').select('n').executeTakeFirstOrThrow()).n).to.equal(20);
      } finally {
        await store.close();
      }
    });

    it('removeStore drops a closed store and everything in it; a second time there is none', async () => {
      const where = dialect.fresh();
      const store = await openStore<KvDB>(where, kvMigrations);
      await store.db.insertInto('kv').values({key: 'gone', value: 1, writer: 't', updated_at: 0}).execute();
      await store.close();
      expect(await removeStore(where)).to.equal(true);
      expect(await dialect.tables(where).catch(() => [])).to.deep.equal([]);
      expect(await removeStore(where)).to.equal(false);
      const again = await openStore<KvDB>(where, kvMigrations);
      expect(again.applied).to.deep.equal(['0001_kv', '0002_counter']);
      expect(await again.db.selectFrom('kv').selectAll().execute()).to.deep.equal([]);
      await again.close();
    });

    it('foreign keys are enforced', async () => {
      const store = await openStore<any>(dialect.fresh(), {
        '0001_fk': {
          up: async (db) => {
            await db.schema.createTable('parent').addColumn('id', 'integer', (c) => c.primaryKey()).execute();
            await db.schema.createTable('child').addColumn('parent_id', 'integer',
              (c) => c.notNull().references('parent.id')).execute();
          },
        },
      });
      try {
        const err = await rejection(store.db.insertInto('child').values({parent_id: 7}).execute());
        expect((err as {code?: string}).code).to.equal(dialect.foreignKeyCode);
      } finally {
        await store.close();
      }
    });
  });
}

describe('the store on PostgreSQL only', function () {
  this.timeout(60_000);
  let url: string;
  const open: Store<any>[] = [];
  before(async () => {
    url = await freshDatabase('pgonly');
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  const keep = <S extends Store<any>>(s: S): S => {
    open.push(s);
    return s;
  };

  it('daemons sharing a database: each has its schema, the same table names and its own migrations', async () => {
    const a = keep(await openStore<KvDB>({kind: 'postgres', url, schema: 'tars_one'}, kvMigrations));
    const b = keep(await openStore<KvDB>({kind: 'postgres', url, schema: 'tars_two'},
      {'0001_kv': kvMigrations['0001_kv']!}));
    expect(b.applied).to.deep.equal(['0001_kv']);
    expect(a.where).to.match(/^postgres:\/\/127\.0\.0\.1:\d+\/tars_pgonly_\d+_\d+ \(schema tars_one\)$/);
    await a.db.insertInto('kv').values({key: 'x', value: 1, writer: 'a', updated_at: 0}).execute();
    await b.db.insertInto('kv').values({key: 'x', value: 2, writer: 'b', updated_at: 0}).execute();
    expect(await a.db.selectFrom('kv').select('writer').execute()).to.deep.equal([{writer: 'a'}]);
    expect(await b.db.selectFrom('kv').select('writer').execute()).to.deep.equal([{writer: 'b'}]);
    // tars_one's 0002_counter is not tars_two's: reopening two with its one migration is no "newer schema".
    const b2 = keep(await openStore<KvDB>({kind: 'postgres', url, schema: 'tars_two'},
      {'0001_kv': kvMigrations['0001_kv']!}));
    expect(b2.applied).to.deep.equal([]);
  });

  it('four opens of a new schema at once: one applies the migrations, the others find nothing to do', async () => {
    const where: StoreOptions = {kind: 'postgres', url, schema: 'tars_race'};
    const stores = await Promise.all([1, 2, 3, 4].map(async () => keep(await openStore<KvDB>(where, kvMigrations))));
    expect(stores.map((s) => s.applied.length).sort()).to.deep.equal([0, 0, 0, 2]);
  });

  it('transactions of two pools on one schema (two daemons) are serialised too', async () => {
    const where: StoreOptions = {kind: 'postgres', url, schema: 'tars_pools'};
    const [a, b] = [keep(await openStore<KvDB>(where, kvMigrations)), keep(await openStore<KvDB>(where, kvMigrations))];
    const bump = (s: Store<KvDB>) => s.transaction(async (trx) => {
      const {n} = await trx.selectFrom('counter').select('n').where('id', '=', 1).executeTakeFirstOrThrow();
      await trx.updateTable('counter').set({n: Number(n) + 1}).where('id', '=', 1).execute();
    });
    await Promise.all(Array.from({length: 30}, (_, i) => bump(i % 2 === 0 ? a : b)));
    expect((await a.db.selectFrom('counter').select('n').executeTakeFirstOrThrow()).n).to.equal(30);
  });

  it('a connection the server ends (a restart, an admin) is replaced: the next query works, nothing crashes',
    async () => {
      const s = keep(await openStore<KvDB>({kind: 'postgres', url, schema: 'tars_kill'}, kvMigrations));
      await s.db.insertInto('kv').values({key: 'k', value: 1, writer: 'w', updated_at: 0}).execute();
      const admin = new pg.Client({connectionString: url});
      await admin.connect();
      try {
        const {rows} = await admin.query('select pg_terminate_backend(pid) as ended from pg_stat_activity ' +
          'where datname = current_database() and pid <> pg_backend_pid()');
        expect(rows.length).to.be.greaterThan(0);
      } finally {
        await admin.end();
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await s.db.selectFrom('kv').select('key').execute()).to.deep.equal([{key: 'k'}]);
    });

  it('int8 beyond 2^53 comes back as a bigint, never rounded', async () => {
    const s = keep(await openStore<KvDB>({kind: 'postgres', url, schema: 'tars_big'}, kvMigrations));
    await s.db.insertInto('kv').values({key: 'big', value: '9007199254740993' as unknown as number, writer: 'w',
      updated_at: 0}).execute();
    expect((await s.db.selectFrom('kv').select('value').executeTakeFirstOrThrow()).value)
      .to.equal(9_007_199_254_740_993n);
    expect((await s.db.selectFrom('kv').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
      .to.equal(1);
    // The parser is the store's pool's own: pg's global one (other users of pg in the process) is untouched.
    expect(pg.types.getTypeParser(20, 'text')('7')).to.equal('7');
  });

  it('a server that does not answer is STORE_OPEN_FAILED naming host:port/database, never the password', async () => {
    const port = await freePort();
    const err = await rejection(openStore({kind: 'postgres', url: `postgres://tars:sekret@127.0.0.1:${port}/tars`,
      schema: 'tars_x'}, kvMigrations));
    expect(err.code).to.equal('STORE_OPEN_FAILED');
    expect(err.message).to.include(`127.0.0.1:${port}/tars`).and.include('ECONNREFUSED').and.not.include('sekret');
    expect(err.message).to.not.include('\n');
    expect(err.hint).to.include('--db');
  });

  it('a missing database and an unknown role are STORE_OPEN_FAILED saying so', async () => {
    const base = url.slice(0, url.lastIndexOf('/'));
    const missing = await rejection(openStore({kind: 'postgres', url: `${base}/no_such_db`, schema: 'tars_x'},
      kvMigrations));
    expect(missing.code).to.equal('STORE_OPEN_FAILED');
    expect(missing.message).to.include('the database no_such_db does not exist');
    expect(missing.hint).to.include('createdb');
    const role = await rejection(openStore({kind: 'postgres', url: url.replace('//tars@', '//nobody:pw@'),
      schema: 'tars_x'}, kvMigrations));
    expect(role.code).to.equal('STORE_OPEN_FAILED');
    expect(role.message).to.include('refused the login of user nobody').and.not.include(':pw');
  });

  it('a --db that is not a PostgreSQL URL is a USAGE error naming the problem', async () => {
    for (const [bad, said] of [['mysql://h/db', 'scheme mysql'], ['postgres://h', 'no database'],
      ['not a url', 'not a URL']] as const) {
      const err = await rejection(openStore({kind: 'postgres', url: bad, schema: 'tars_x'}, kvMigrations));
      expect(err.code, bad).to.equal('USAGE');
      expect(err.message).to.include(said);
    }
  });
});
