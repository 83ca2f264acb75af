// The patch server's versions in the kit's store (Kysely over SQLite). Two tables: the versions, with their .tars
// files as JSON, and one counter per server so that a removed version's number is never handed out again. A version
// is one transaction that also puts its package in place: a daemon killed mid-commit leaves no row (WAL), and a
// package file without a row is removed at the next start.
import {type Store, type StoreMigrations, type StoreOptions, openStore} from '@tars-ts/kit/store';

import type {PatchRepository, VersionRow} from './repository.js';

interface VersionsTable {
  app: string;
  server: string;
  version: number;
  md5: string;
  size: number;
  file: string;
  uploader: string;
  uploaded_at: number;
  comment: string;
  files: number;
  unpacked_bytes: number;
  /** JSON object: path -> content. */
  tars_files: string;
}

interface CountersTable {
  app: string;
  server: string;
  last: number;
}

/** The patch server's tables, as Kysely sees them. */
export interface PatchDB {
  patch_versions: VersionsTable;
  patch_counters: CountersTable;
}

/** Forward-only migrations; a schema change is a new entry that sorts after these. */
export const PATCH_MIGRATIONS: StoreMigrations = {
  '0001_patch': {
    up: async (db) => {
      await db.schema.createTable('patch_versions')
        .addColumn('app', 'text', (c) => c.notNull())
        .addColumn('server', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('md5', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('file', 'text', (c) => c.notNull())
        .addColumn('uploader', 'text', (c) => c.notNull())
        .addColumn('uploaded_at', 'bigint', (c) => c.notNull())
        .addColumn('comment', 'text', (c) => c.notNull())
        .addColumn('files', 'integer', (c) => c.notNull())
        .addColumn('unpacked_bytes', 'bigint', (c) => c.notNull())
        .addColumn('tars_files', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('patch_versions_pk', ['app', 'server', 'version'])
        .execute();
      await db.schema.createTable('patch_counters')
        .addColumn('app', 'text', (c) => c.notNull())
        .addColumn('server', 'text', (c) => c.notNull())
        .addColumn('last', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('patch_counters_pk', ['app', 'server'])
        .execute();
    },
  },
};

function rowOf(r: VersionsTable): VersionRow {
  const tars = JSON.parse(r.tars_files) as Record<string, string>;
  return Object.freeze({app: r.app, server: r.server, version: Number(r.version), md5: r.md5, size: Number(r.size),
    file: r.file, uploader: r.uploader, uploadedAt: Number(r.uploaded_at), comment: r.comment, files: Number(r.files),
    unpackedBytes: Number(r.unpacked_bytes), tarsFiles: new Map(Object.entries(tars))});
}

/** The repository over an open store; {@link openPatchStore} opens and closes both. */
export class SqlPatchRepository implements PatchRepository {
  constructor(private readonly store: Store<PatchDB>) {}

  addVersion(app: string, server: string, make: (version: number) => VersionRow,
    place: (row: VersionRow) => Promise<void>): Promise<VersionRow> {
    return this.store.transaction(async (trx) => {
      const counter = await trx.selectFrom('patch_counters').select('last').where('app', '=', app)
        .where('server', '=', server).executeTakeFirst();
      const version = Number(counter?.last ?? 0) + 1;
      if (counter) {
        await trx.updateTable('patch_counters').set({last: version}).where('app', '=', app).where('server', '=', server)
          .execute();
      } else {
        await trx.insertInto('patch_counters').values({app, server, last: version}).execute();
      }
      const row = make(version);
      await trx.insertInto('patch_versions').values({app, server, version, md5: row.md5, size: row.size,
        file: row.file, uploader: row.uploader, uploaded_at: row.uploadedAt, comment: row.comment, files: row.files,
        unpacked_bytes: row.unpackedBytes, tars_files: JSON.stringify(Object.fromEntries(
          [...row.tarsFiles].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))))}).execute();
      await place(row);
      return row;
    });
  }

  async listVersions(app: string, server: string): Promise<VersionRow[]> {
    let q = this.store.db.selectFrom('patch_versions').selectAll();
    if (app !== '') q = q.where('app', '=', app);
    if (server !== '') q = q.where('server', '=', server);
    // Sorted here, by code points: PostgreSQL orders text by the database's collation (en_US puts `b` before `C`),
    // SQLite by bytes; the listing must not depend on the store.
    const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
    return (await q.execute()).map(rowOf)
      .sort((a, b) => byName(a.app, b.app) || byName(a.server, b.server) || a.version - b.version);
  }

  async getVersion(app: string, server: string, version: number): Promise<VersionRow | undefined> {
    const r = await this.store.db.selectFrom('patch_versions').selectAll().where('app', '=', app)
      .where('server', '=', server).where('version', '=', version).executeTakeFirst();
    return r ? rowOf(r) : undefined;
  }

  async latestVersion(app: string, server: string): Promise<VersionRow | undefined> {
    const r = await this.store.db.selectFrom('patch_versions').selectAll().where('app', '=', app)
      .where('server', '=', server).orderBy('version', 'desc').limit(1).executeTakeFirst();
    return r ? rowOf(r) : undefined;
  }

  async removeVersion(app: string, server: string, version: number): Promise<boolean> {
    const r = await this.store.db.deleteFrom('patch_versions').where('app', '=', app).where('server', '=', server)
      .where('version', '=', version).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}

/** An open patch store: the repository, where it is, and how to close it. */
export interface PatchStore {
  readonly repository: SqlPatchRepository;
  readonly where: string;
  close(): Promise<void>;
}

/**
 * Opens (creating and migrating) the store at `where`: a `StoreOptions` (what the daemon host resolves: SQLite in the
 * data directory, or `--db` PostgreSQL), or a SQLite file's path.
 */
export async function openPatchStore(where: StoreOptions | string): Promise<PatchStore> {
  const store = await openStore<PatchDB>(typeof where === 'string' ? {kind: 'sqlite', file: where} : where,
    PATCH_MIGRATIONS);
  return {repository: new SqlPatchRepository(store), where: store.where, close: () => store.close()};
}
