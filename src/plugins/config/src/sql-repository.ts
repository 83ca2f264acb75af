// The config center's files in the kit's store (Kysely over SQLite by default). Three tables after the official
// t_config_files, t_config_history_files and t_config_references: a file slot with its current version number,
// every version's content, and the references in the order they were added. Every write is one transaction, so
// a daemon killed mid-push leaves either the whole version or none of it (WAL: the file is never half-written).
// Several config centers may share one PostgreSQL store: the store's transactions run one at a time across them (the
// kit's lock), so a read-then-write (the next version, the next id) never interleaves with another's, and every
// write moves a change stamp (config_stamp) on, which the others read to know that what they serve is stale.
import {
  type Kysely, type Store, type StoreMigrations, type StoreOptions, type Transaction, openStore,
} from '@tars-ts/kit/store';

import type {ConfigRepository, NewVersion} from './repository.js';
import type {ConfigRows, FileKey, FileRow, Level, VersionRow} from './rows.js';

interface FilesTable {
  id: number;
  app: string;
  server: string;
  node: string;
  set_id: string;
  name: string;
  level: number;
  /** The current version. */
  version: number;
}

interface VersionsTable {
  file_id: number;
  version: number;
  content: string;
  author: string;
  time: number;
  comment: string;
}

/** One row (id 1): the change stamp, moved on by every write in its own transaction. */
interface StampTable {
  id: number;
  stamp: number;
}

interface ReferencesTable {
  from_id: number;
  to_id: number;
  seq: number;
}

/** The config center's tables, as Kysely sees them. */
export interface ConfigDB {
  config_files: FilesTable;
  config_versions: VersionsTable;
  config_references: ReferencesTable;
  config_stamp: StampTable;
}

/** Forward-only migrations; a schema change is a new entry that sorts after these. */
export const CONFIG_MIGRATIONS: StoreMigrations = {
  '0001_config': {
    up: async (db) => {
      await db.schema.createTable('config_files')
        .addColumn('id', 'bigint', (c) => c.primaryKey())
        .addColumn('app', 'text', (c) => c.notNull())
        .addColumn('server', 'text', (c) => c.notNull())
        .addColumn('node', 'text', (c) => c.notNull())
        .addColumn('set_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('level', 'integer', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        // The official unique key of t_config_files (server_name, filename, host, level, set): one slot per key.
        .addUniqueConstraint('config_files_key', ['app', 'server', 'node', 'set_id', 'name'])
        .execute();
      await db.schema.createTable('config_versions')
        .addColumn('file_id', 'bigint', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('content', 'text', (c) => c.notNull())
        .addColumn('author', 'text', (c) => c.notNull())
        .addColumn('time', 'bigint', (c) => c.notNull())
        .addColumn('comment', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('config_versions_pk', ['file_id', 'version'])
        .execute();
      await db.schema.createTable('config_references')
        .addColumn('from_id', 'bigint', (c) => c.notNull())
        .addColumn('to_id', 'bigint', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('config_references_pk', ['from_id', 'to_id'])
        .execute();
    },
  },
  '0002_config_stamp': {
    up: async (db) => {
      await db.schema.createTable('config_stamp')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('stamp', 'bigint', (c) => c.notNull())
        .execute();
      await db.insertInto('config_stamp').values({id: 1, stamp: 0}).execute();
    },
  },
};

type Db = Kysely<ConfigDB> | Transaction<ConfigDB>;

function whereKey(db: Db, key: FileKey) {
  return db.selectFrom('config_files').selectAll().where('app', '=', key.app).where('server', '=', key.server)
    .where('node', '=', key.node).where('set_id', '=', key.setId).where('name', '=', key.name);
}

/** Moves the change stamp on: every write transaction does it, so that other config centers see the change. */
async function bump(trx: Transaction<ConfigDB>): Promise<void> {
  await trx.updateTable('config_stamp').set((eb) => ({stamp: eb('stamp', '+', 1)})).where('id', '=', 1).execute();
}

function versionOf(r: VersionsTable): VersionRow {
  return {version: Number(r.version), content: r.content, author: r.author, time: Number(r.time), comment: r.comment};
}

/** The repository over an open store; {@link openConfigStore} opens and closes both. */
export class SqlConfigRepository implements ConfigRepository {
  constructor(private readonly store: Store<ConfigDB>) {}

  async loadRows(): Promise<ConfigRows> {
    // In a transaction: writes wait for it (the store's lock), so the rows and the stamp are of one moment.
    return this.store.transaction(async (trx) => {
      const stamp = await trx.selectFrom('config_stamp').select('stamp').where('id', '=', 1).executeTakeFirstOrThrow();
      const files = await trx.selectFrom('config_files')
        .innerJoin('config_versions', (j) => j.onRef('config_versions.file_id', '=', 'config_files.id')
          .onRef('config_versions.version', '=', 'config_files.version'))
        .select(['config_files.id', 'app', 'server', 'node', 'set_id', 'name', 'level', 'config_files.version',
          'content', 'author', 'time', 'comment'])
        .orderBy('config_files.id').execute();
      const refs = await trx.selectFrom('config_references').selectAll().orderBy('seq').execute();
      return Object.freeze({
        files: Object.freeze(files.map((f): FileRow => Object.freeze({id: Number(f.id), key: Object.freeze({
          app: f.app, server: f.server, node: f.node, setId: f.set_id, name: f.name}), level: Number(f.level) as Level,
          version: Number(f.version), content: f.content, author: f.author, time: Number(f.time), comment: f.comment}))),
        references: Object.freeze(refs.map((r) => Object.freeze([Number(r.from_id), Number(r.to_id)] as const))),
        stamp: Number(stamp.stamp),
      });
    });
  }

  async stamp(): Promise<number> {
    const row = await this.store.db.selectFrom('config_stamp').select('stamp').where('id', '=', 1)
      .executeTakeFirstOrThrow();
    return Number(row.stamp);
  }

  push(key: FileKey, level: Level, v: NewVersion): Promise<number> {
    return this.store.transaction(async (trx) => {
      await bump(trx);
      let file = await whereKey(trx, key).executeTakeFirst();
      if (!file) {
        const last = await trx.selectFrom('config_files').select((eb) => eb.fn.max('id').as('last')).executeTakeFirst();
        file = {id: Number(last?.last ?? 0) + 1, app: key.app, server: key.server, node: key.node, set_id: key.setId,
          name: key.name, level, version: 0};
        await trx.insertInto('config_files').values(file).execute();
      }
      const version = Number(file.version) + 1;
      await trx.insertInto('config_versions').values({file_id: Number(file.id), version, content: v.content,
        author: v.author, time: v.time, comment: v.comment}).execute();
      await trx.updateTable('config_files').set({version}).where('id', '=', Number(file.id)).execute();
      return version;
    });
  }

  rollback(key: FileKey, from: number, v: Omit<NewVersion, 'content'>): Promise<number | undefined> {
    return this.store.transaction(async (trx) => {
      const file = await whereKey(trx, key).executeTakeFirst();
      if (!file) return undefined;
      const old = await trx.selectFrom('config_versions').selectAll().where('file_id', '=', Number(file.id))
        .where('version', '=', from).executeTakeFirst();
      if (!old) return undefined;
      await bump(trx);
      const version = Number(file.version) + 1;
      await trx.insertInto('config_versions').values({file_id: Number(file.id), version, content: old.content,
        author: v.author, time: v.time, comment: v.comment}).execute();
      await trx.updateTable('config_files').set({version}).where('id', '=', Number(file.id)).execute();
      return version;
    });
  }

  async history(key: FileKey): Promise<VersionRow[] | undefined> {
    return this.store.transaction(async (trx) => {
      const file = await whereKey(trx, key).executeTakeFirst();
      if (!file) return undefined;
      const rows = await trx.selectFrom('config_versions').selectAll().where('file_id', '=', Number(file.id))
        .orderBy('version').execute();
      return rows.map(versionOf);
    });
  }

  async version(key: FileKey, version: number): Promise<VersionRow | undefined> {
    return this.store.transaction(async (trx) => {
      const file = await whereKey(trx, key).executeTakeFirst();
      if (!file) return undefined;
      const row = await trx.selectFrom('config_versions').selectAll().where('file_id', '=', Number(file.id))
        .where('version', '=', version === 0 ? Number(file.version) : version).executeTakeFirst();
      return row ? versionOf(row) : undefined;
    });
  }

  addReference(from: number, to: number, check?: (references: ConfigRows['references']) => void): Promise<boolean> {
    return this.store.transaction(async (trx) => {
      if (check) {
        const refs = await trx.selectFrom('config_references').select(['from_id', 'to_id']).orderBy('seq').execute();
        check(refs.map((r) => [Number(r.from_id), Number(r.to_id)] as const));
      }
      const has = await trx.selectFrom('config_references').select('seq').where('from_id', '=', from)
        .where('to_id', '=', to).executeTakeFirst();
      if (has) return false;
      await bump(trx);
      const last = await trx.selectFrom('config_references').select((eb) => eb.fn.max('seq').as('last'))
        .executeTakeFirst();
      await trx.insertInto('config_references').values({from_id: from, to_id: to, seq: Number(last?.last ?? 0) + 1})
        .execute();
      return true;
    });
  }

  removeReference(from: number, to: number): Promise<boolean> {
    return this.store.transaction(async (trx) => {
      const r = await trx.deleteFrom('config_references').where('from_id', '=', from).where('to_id', '=', to)
        .executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) return false;
      await bump(trx);
      return true;
    });
  }
}

/** An open config store: the repository, where it is, and how to close it. */
export interface ConfigStore {
  readonly repository: SqlConfigRepository;
  readonly where: string;
  /** The dialect: a PostgreSQL store may be shared by several config centers. */
  readonly kind: 'sqlite' | 'postgres';
  close(): Promise<void>;
}

/**
 * Opens (creating and migrating) the store at `where`: a `StoreOptions` (what the daemon host resolves: SQLite in the
 * data directory, or `--db` PostgreSQL), or a SQLite file's path.
 */
export async function openConfigStore(where: StoreOptions | string): Promise<ConfigStore> {
  const store = await openStore<ConfigDB>(typeof where === 'string' ? {kind: 'sqlite', file: where} : where,
    CONFIG_MIGRATIONS);
  return {repository: new SqlConfigRepository(store), where: store.where, kind: store.kind,
    close: () => store.close()};
}
