// The daemons' store (@tars-ts/kit/store) on real files: migrations, the newer-schema guard, stores that cannot be
// opened, durability under SIGKILL and two processes writing one file. better-sqlite3 is used directly only to look
// at a file as SQLite sees it (integrity_check, tables), independently of the store under test.
import Database from 'better-sqlite3';
import {expect} from 'chai';
import {type ChildProcess, spawn} from 'node:child_process';
import {chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {type StoreMigrations, openStore} from '@tars-ts/kit/store';

import {type KvDB, kvMigrations, rejection} from '../fixtures/store/kv-store.js';
import {until} from '../support/wait.js';

const child = new URL('../fixtures/store/store-child.ts', import.meta.url).pathname;
const repo = new URL('../../', import.meta.url).pathname;

/** What the directory holds, each file with its bytes: to show that a refused open changed nothing. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((name) => {
    const full = path.join(dir, name);
    try {
      return [name, readFileSync(full).toString('base64')];
    } catch {
      return [name, '(not a file)'];
    }
  }));
}

interface Running {
  proc: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

function run(args: string[], options: {uid?: number; env?: Record<string, string>} = {}): Running {
  const proc = spawn(process.execPath, ['--import', 'tsx', '--conditions=tars-dev', child, ...args], {
    cwd: repo, stdio: ['pipe', 'pipe', 'pipe'], env: {...process.env, ...options.env},
    ...(options.uid === undefined ? {} : {uid: options.uid, gid: options.uid}),
  });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)));
  return {proc, out: () => out, err: () => err, exited};
}

describe('the store (@tars-ts/kit/store)', function () {
  this.timeout(60_000);
  let dir: string;
  const started: ChildProcess[] = [];

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-store-'));
  });

  afterEach(() => {
    for (const p of started) if (p.exitCode === null && p.signalCode === null && p.pid) process.kill(p.pid, 'SIGKILL');
    started.length = 0;
    chmodSync(dir, 0o700);
    for (const name of readdirSync(dir)) chmodSync(path.join(dir, name), 0o700);
    rmSync(dir, {recursive: true, force: true});
  });

  // Migration order, a newer build refused, a failing migration rolled back, transactions and foreign keys are the
  // store's contract on every dialect: test/kit/store-dialects.test.ts runs them on SQLite and PostgreSQL. Here: what
  // is SQLite's own (the file left byte-identical, the file named, file-system refusals, crash safety).
  describe('migrations', () => {
    it('a database migrated by a newer build is refused and stays byte-identical', async () => {
      const file = path.join(dir, 'newer.db');
      const newer = await openStore<KvDB>({kind: 'sqlite', file}, kvMigrations);
      await newer.db.insertInto('kv').values({key: 'a', value: 1, writer: 't', updated_at: Date.now()}).execute();
      await newer.close();
      const before = snapshot(dir);

      const older = {'0001_kv': kvMigrations['0001_kv']!};
      const err = await rejection(openStore({kind: 'sqlite', file}, older));
      expect(err.code).to.equal('STORE_NEWER_SCHEMA');
      expect(err.message).to.include(file).and.include('0002_counter').and.include('newer build');
      expect(err.message).to.not.include('\n');
      expect(snapshot(dir)).to.deep.equal(before);

      // Still fine for the build that knows it.
      const reopened = await openStore<KvDB>({kind: 'sqlite', file}, kvMigrations);
      expect(await reopened.db.selectFrom('kv').select('key').execute()).to.deep.equal([{key: 'a'}]);
      await reopened.close();
    });

    it('a failing migration rolls back every migration of that open: no table is left behind', async () => {
      const file = path.join(dir, 'fail.db');
      const failing: StoreMigrations = {
        '0003_broken': {
          up: async (db) => {
            await db.schema.createTable('half_done').addColumn('x', 'text').execute();
            await db.insertInto('kv').values({key: 'ghost', value: 0, writer: 'm', updated_at: 0}).execute();
            throw new Error('boom in 0003');
          },
        },
      };
      // On a new file, the good migrations pending with the broken one are rolled back too.
      const fresh = await rejection(openStore({kind: 'sqlite', file}, {...kvMigrations, ...failing}));
      expect(fresh.code).to.equal('STORE_MIGRATION_FAILED');
      expect(fresh.message).to.include(file).and.include('0003_broken').and.include('boom in 0003');
      const raw = new Database(file, {readonly: true});
      try {
        const tables = raw.prepare("select name from sqlite_master where type = 'table' and name not like 'kysely%'")
          .all();
        expect(tables).to.deep.equal([]);
      } finally {
        raw.close();
      }

      // On a migrated file, the store is as it was: its rows, its migrations.
      const store = await openStore<KvDB>({kind: 'sqlite', file}, kvMigrations);
      await store.db.insertInto('kv').values({key: 'kept', value: 1, writer: 't', updated_at: 0}).execute();
      await store.close();
      const err = await rejection(openStore({kind: 'sqlite', file}, {...kvMigrations, ...failing}));
      expect(err.code).to.equal('STORE_MIGRATION_FAILED');
      const after = await openStore<KvDB>({kind: 'sqlite', file}, kvMigrations);
      try {
        expect(after.applied).to.deep.equal([]);
        expect((await after.db.introspection.getTables()).map((t) => t.name).sort()).to.deep.equal(['counter', 'kv']);
        expect(await after.db.selectFrom('kv').select('key').execute()).to.deep.equal([{key: 'kept'}]);
      } finally {
        await after.close();
      }
    });

    it('a migration name that does not sort as written is a TypeError, before anything is created', async () => {
      const file = path.join(dir, 'names.db');
      for (const name of ['1_short', '0001-dash', '0001_Upper', 'servers']) {
        const err = await rejection(openStore({kind: 'sqlite', file}, {[name]: {up: async () => {}}}));
        expect(err).to.be.instanceOf(TypeError);
        expect(err.message).to.include(name);
      }
      expect(readdirSync(dir)).to.deep.equal([]);
    });
  });

  describe('a store that cannot be opened: one line naming the file, nothing changed', () => {
    it('a file that is not a database is STORE_CORRUPT and stays as it was', async () => {
      const file = path.join(dir, 'text.db');
      writeFileSync(file, 'this is a text file, not a database; SQLite must not overwrite it.\n'.repeat(20));
      const before = snapshot(dir);
      const err = await rejection(openStore({kind: 'sqlite', file}, kvMigrations));
      expect(err.code).to.equal('STORE_CORRUPT');
      expect(err.message).to.include(file).and.include('not a SQLite database').and.include('backup');
      expect(err.message).to.not.include('\n');
      expect(snapshot(dir)).to.deep.equal(before);
    });

    it('a directory where the file should be is STORE_OPEN_FAILED', async () => {
      const file = path.join(dir, 'registry.db');
      mkdirSync(file);
      const err = await rejection(openStore({kind: 'sqlite', file}, kvMigrations));
      expect(err.code).to.equal('STORE_OPEN_FAILED');
      expect(err.message).to.include(file).and.include('is a directory');
      expect(readdirSync(file)).to.deep.equal([]);
    });

    it('a missing directory is created; the store says it is that file', async () => {
      const file = path.join(dir, 'a', 'b', 'new.db');
      const store = await openStore({kind: 'sqlite', file}, kvMigrations);
      expect(store.kind).to.equal('sqlite');
      expect(store.where).to.equal(file);
      await store.close();
      expect(readdirSync(path.join(dir, 'a', 'b'))).to.deep.equal(['new.db']);
    });

    // Root may write any file, so the refusals are checked in a process running as nobody when the tests run as root.
    // It starts as root and drops to nobody once its modules are loaded: nobody may not be able to read the checkout
    // (a clone in a private temporary directory, as CI makes).
    const asOther = process.getuid?.() === 0;
    async function openElsewhere(file: string): Promise<{ok?: boolean; code?: string; message?: string}> {
      if (!asOther) {
        try {
          await (await openStore({kind: 'sqlite', file}, kvMigrations)).close();
          return {ok: true};
        } catch (e) {
          return e as {code: string; message: string};
        }
      }
      const warm = mkdtempSync(path.join(os.tmpdir(), 'tars-warm-'));
      const r = run(['open', file, '65534', path.join(warm, 'warm.db')]);
      started.push(r.proc);
      const code = await r.exited;
      rmSync(warm, {recursive: true, force: true});
      expect(code, r.err()).to.equal(0);
      return JSON.parse(r.out()) as {ok?: boolean; code?: string; message?: string};
    }

    async function migrated(file: string): Promise<void> {
      await (await openStore({kind: 'sqlite', file}, kvMigrations)).close();
    }

    it('a read-only file is STORE_READ_ONLY and is not touched', async () => {
      const file = path.join(dir, 'ro.db');
      await migrated(file);
      chmodSync(file, 0o444);
      chmodSync(dir, 0o777);
      const before = snapshot(dir);
      const r = await openElsewhere(file);
      expect(r.code, JSON.stringify(r)).to.equal('STORE_READ_ONLY');
      expect(r.message).to.include(file).and.include('read-only').and.include('write access');
      expect(snapshot(dir)).to.deep.equal(before);
    });

    it('a read-only directory is STORE_READ_ONLY naming the directory, for an existing and for a new file',
      async () => {
        const file = path.join(dir, 'in-ro-dir.db');
        await migrated(file);
        chmodSync(file, 0o666);
        chmodSync(dir, 0o555);
        const before = snapshot(dir);
        for (const target of [file, path.join(dir, 'new.db')]) {
          const r = await openElsewhere(target);
          expect(r.code, JSON.stringify(r)).to.equal('STORE_READ_ONLY');
          expect(r.message).to.include(target).and.include(`directory ${dir} is read-only`);
        }
        expect(snapshot(dir)).to.deep.equal(before);
      });
  });

  describe('several processes', () => {
    it('every acknowledged commit survives SIGKILL, and the file passes integrity_check', async () => {
      const file = path.join(dir, 'killed.db');
      const writer = run(['write', file, '100000', 'k']);
      started.push(writer.proc);
      const acks = () => [...writer.out().matchAll(/^ack (\d+)$/gm)].map((m) => Number(m[1]));
      await until(() => acks().length >= 300 || writer.proc.exitCode !== null, 'the writer acknowledged 300 commits',
        40_000);
      expect(writer.proc.exitCode, writer.err()).to.equal(null);
      process.kill(writer.proc.pid!, 'SIGKILL');
      await writer.exited;
      // Lines read after the kill were written before it: they count as acknowledged too.
      const acked = acks();
      expect(acked.length).to.be.at.least(300).and.below(100_000);

      const store = await openStore<KvDB>({kind: 'sqlite', file}, kvMigrations);
      try {
        const keys = new Set((await store.db.selectFrom('kv').select('key').execute()).map((r) => r.key));
        const missing = acked.filter((i) => !keys.has(`k:${i}`));
        expect(missing, 'acknowledged rows missing after SIGKILL').to.deep.equal([]);
        // At most one row more: a transaction that committed just before the kill, its ack not yet written.
        expect(keys.size).to.be.within(acked.length, acked.length + 1);
      } finally {
        await store.close();
      }
      const raw = new Database(file, {readonly: true});
      try {
        expect(raw.pragma('integrity_check', {simple: true})).to.equal('ok');
      } finally {
        raw.close();
      }
    });

    it('two processes migrating and writing one new file at once: no SQLITE_BUSY, no lost update', async () => {
      const file = path.join(dir, 'shared.db');
      const count = 300;
      const writers = ['a', 'b'].map((name) => run(['write', file, String(count), name], {env: {WAIT: '1'}}));
      started.push(...writers.map((w) => w.proc));
      await until(() => writers.every((w) => /^ready/m.test(w.out()) || w.proc.exitCode !== null),
        'both writers opened the store', 40_000);
      for (const w of writers) w.proc.stdin!.write('go\n');
      const codes = await Promise.all(writers.map((w) => w.exited));
      expect(codes, writers.map((w) => w.err()).join('\n')).to.deep.equal([0, 0]);
      for (const w of writers) expect(w.out()).to.match(new RegExp(`^done ok=${count} busy=0 other=0$`, 'm'));
      // Both opened a new file at once: the migrations were applied by exactly one of them.
      const applied = writers.map((w) => /^ready (.*)$/m.exec(w.out())![1]);
      expect(applied.sort()).to.deep.equal(['', '0001_kv,0002_counter']);

      const store = await openStore<KvDB>({kind: 'sqlite', file}, kvMigrations);
      try {
        const {n} = await store.db.selectFrom('counter').select('n').executeTakeFirstOrThrow();
        expect(n).to.equal(2 * count);
        const rows = await store.db.selectFrom('kv').select(({fn}) => fn.countAll<number>().as('rows'))
          .executeTakeFirstOrThrow();
        expect(Number(rows.rows)).to.equal(2 * count);
      } finally {
        await store.close();
      }
    });
  });

  describe('loading', () => {
    it('the kit\'s main entry never loads the store, Kysely or better-sqlite3 (CLI start-up time)', () => {
      const kit = path.join(repo, 'src/kit/src');
      const outside = readdirSync(kit, {recursive: true, encoding: 'utf8'})
        .filter((f) => f.endsWith('.ts') && !f.startsWith(`store${path.sep}`));
      expect(outside).to.include('index.ts');
      for (const f of outside) {
        const text = readFileSync(path.join(kit, f), 'utf8');
        expect(text, f).to.not.match(/from\s+['"](kysely|better-sqlite3|pg|\.\/store[^'"]*)['"]/);
        expect(text, f).to.not.match(/import\(\s*['"](kysely|better-sqlite3|pg|\.\/store[^'"]*)['"]/);
        // From the store, the main entry takes types, and the --db URL check (store/url.ts) only.
        for (const [, from] of text.matchAll(/^import\s+(?!type\b)[^;]*?from\s+['"]([^'"]*\/store\/[^'"]*)['"]/gms)) {
          expect(from, f).to.match(/\/store\/url\.js$/);
        }
      }
      const url = readFileSync(path.join(kit, 'store', 'url.ts'), 'utf8');
      expect([...url.matchAll(/from\s+['"]([^'"]+)['"]/g)].map((m) => m[1])).to.deep.equal(['../errors.js']);
    });
  });
});
