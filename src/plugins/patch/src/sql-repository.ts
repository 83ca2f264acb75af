// The patch server's versions in the kit's store (Kysely over SQLite). Two tables: the versions, with their .tars
// files as JSON, and one counter per server so that a removed version's number is never handed out again. A version
// is one transaction that also puts its package in place: a daemon killed mid-commit leaves no row (WAL), and a
// package file without a row is removed at the next start.
//
// With a store shared by several patch servers (PostgreSQL), the files live in it too (SqlPackageFiles, migration
// 0002): patch_files names each upload and each file of the Patch root, patch_chunks holds their bytes as the
// uploads brought them (one row per Patch.upload chunk, at its byte offset). Committing an upload re-labels its
// file row as the version's package in the version's own transaction: no byte is copied, and no half package is
// ever visible.
import {type Store, type StoreMigrations, type StoreOptions, type Transaction, openStore} from '@tars-ts/kit/store';

import type {FileArea, PackageFiles, PatchRepository, StoredFile, UploadChunk, VersionRow} from './repository.js';

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

interface FilesTable {
  id: number;
  area: FileArea;
  path: string;
  size: number;
  md5: string;
  declared_md5: string;
  /** 0/1. */
  complete: number;
  touched_at: number;
}

interface ChunksTable {
  file_id: number;
  /** Byte offset of the chunk in its file. */
  pos: number;
  size: number;
  data: Buffer;
}

/** One row (id 1): the last file id handed out; ids are never given again, so a stale id finds nothing. */
interface FileIdsTable {
  id: number;
  last: number;
}

/** The patch server's tables, as Kysely sees them. */
export interface PatchDB {
  patch_versions: VersionsTable;
  patch_counters: CountersTable;
  patch_files: FilesTable;
  patch_chunks: ChunksTable;
  patch_file_ids: FileIdsTable;
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
  // The files of a shared store (PostgreSQL); on SQLite the tables stay empty (its packages are files on disk).
  '0002_patch_files': {
    up: async (db) => {
      await db.schema.createTable('patch_files')
        .addColumn('id', 'bigint', (c) => c.primaryKey())
        .addColumn('area', 'text', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('md5', 'text', (c) => c.notNull())
        .addColumn('declared_md5', 'text', (c) => c.notNull())
        .addColumn('complete', 'integer', (c) => c.notNull())
        .addColumn('touched_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('patch_files_path', ['area', 'path'])
        .execute();
      await db.schema.createTable('patch_chunks')
        .addColumn('file_id', 'bigint', (c) => c.notNull())
        .addColumn('pos', 'bigint', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        // PostgreSQL's binary type; SQLite takes any type name and keeps a Buffer as a BLOB.
        .addColumn('data', 'bytea', (c) => c.notNull())
        .addPrimaryKeyConstraint('patch_chunks_pk', ['file_id', 'pos'])
        .execute();
      await db.schema.createTable('patch_file_ids')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('last', 'bigint', (c) => c.notNull())
        .execute();
      await db.insertInto('patch_file_ids').values({id: 1, last: 0}).execute();
    },
  },
};

function rowOf(r: VersionsTable): VersionRow {
  const tars = JSON.parse(r.tars_files) as Record<string, string>;
  return Object.freeze({app: r.app, server: r.server, version: Number(r.version), md5: r.md5, size: Number(r.size),
    file: r.file, uploader: r.uploader, uploadedAt: Number(r.uploaded_at), comment: r.comment, files: Number(r.files),
    unpackedBytes: Number(r.unpacked_bytes), tarsFiles: new Map(Object.entries(tars))});
}

/** Takes the next version number of (app, server) and inserts `make`'s row, in `trx`. */
async function insertVersion(trx: Transaction<PatchDB>, app: string, server: string,
  make: (version: number) => VersionRow): Promise<VersionRow> {
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
  return row;
}

/** The repository over an open store; {@link openPatchStore} opens and closes both. */
export class SqlPatchRepository implements PatchRepository {
  constructor(private readonly store: Store<PatchDB>) {}

  addVersion(app: string, server: string, make: (version: number) => VersionRow,
    place: (row: VersionRow) => Promise<void>): Promise<VersionRow> {
    return this.store.transaction(async (trx) => {
      const row = await insertVersion(trx, app, server, make);
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

function fileOf(r: FilesTable): StoredFile {
  return Object.freeze({id: Number(r.id), area: r.area, path: r.path, size: Number(r.size), md5: r.md5,
    declaredMd5: r.declared_md5, complete: Number(r.complete) === 1, touchedAt: Number(r.touched_at)});
}

/** How many chunks one query of {@link SqlPackageFiles.chunks} brings at most (Patch.upload's are 1 MiB or less). */
const CHUNKS_PER_READ = 4;

/** The files of a shared store (see the file's head); over the same store as the versions. */
export class SqlPackageFiles implements PackageFiles {
  constructor(private readonly store: Store<PatchDB>) {}

  async file(area: FileArea, path: string): Promise<StoredFile | undefined> {
    const r = await this.store.db.selectFrom('patch_files').selectAll().where('area', '=', area)
      .where('path', '=', path).executeTakeFirst();
    return r ? fileOf(r) : undefined;
  }

  async rootFiles(): Promise<StoredFile[]> {
    return (await this.store.db.selectFrom('patch_files').selectAll().where('area', '=', 'root').execute()).map(fileOf);
  }

  appendUpload(path: string, chunk: UploadChunk, maxBytes: number, now: number):
    Promise<{outcome: 'ok'; file: StoredFile} | {outcome: 'identical' | 'none' | 'tooBig'}> {
    const declared = chunk.md5.toLowerCase();
    const data = Buffer.from(chunk.content.buffer, chunk.content.byteOffset, chunk.content.byteLength);
    return this.store.transaction(async (trx) => {
      const had = await trx.selectFrom('patch_files').selectAll().where('area', '=', 'upload').where('path', '=', path)
        .executeTakeFirst();
      let id: number;
      let pos: number;
      if (chunk.firstChunk) {
        if (had && Number(had.complete) === 1 && had.declared_md5 === declared && had.md5 === declared) {
          return {outcome: 'identical' as const};
        }
        if (had) await removeFile(trx, Number(had.id));
        id = await nextFileId(trx);
        pos = 0;
        await trx.insertInto('patch_files').values({id, area: 'upload', path, size: 0, md5: '', declared_md5: declared,
          complete: 0, touched_at: now}).execute();
      } else {
        if (!had || Number(had.complete) === 1) return {outcome: 'none' as const};
        id = Number(had.id);
        pos = Number(had.size);
        if (pos + data.length > maxBytes) {
          await removeFile(trx, id);
          return {outcome: 'tooBig' as const};
        }
      }
      if (data.length > 0) {
        await trx.insertInto('patch_chunks').values({file_id: id, pos, size: data.length, data}).execute();
      }
      const size = pos + data.length;
      await trx.updateTable('patch_files').set({size, complete: chunk.lastChunk ? 1 : 0, touched_at: now})
        .where('id', '=', id).execute();
      return {outcome: 'ok' as const, file: Object.freeze({id, area: 'upload' as const, path, size, md5: '',
        declaredMd5: declared, complete: chunk.lastChunk, touchedAt: now})};
    });
  }

  async setMd5(id: number, md5: string): Promise<void> {
    await this.store.db.updateTable('patch_files').set({md5}).where('id', '=', id).execute();
  }

  async *chunks(id: number, from = 0, until = Number.MAX_SAFE_INTEGER): AsyncIterable<Buffer> {
    // The chunk holding byte `from`, then the ones after it up to `until`, a few per query (each query a statement
    // of its own: nothing is held open between them).
    let next = from;
    const first = await this.store.db.selectFrom('patch_chunks').select((eb) => eb.fn.max('pos').as('pos'))
      .where('file_id', '=', id).where('pos', '<=', from).executeTakeFirst();
    let at = Number(first?.pos ?? 0);
    let skip = from - at;
    while (at < until) {
      const rows = await this.store.db.selectFrom('patch_chunks').select(['pos', 'size', 'data'])
        .where('file_id', '=', id).where('pos', '>=', at).where('pos', '<', until).orderBy('pos')
        .limit(CHUNKS_PER_READ).execute();
      if (rows.length === 0) return;
      for (const r of rows) {
        const pos = Number(r.pos);
        if (pos > next) throw new Error(`file ${id} has no bytes ${next}..${pos - 1} (a chunk is missing)`);
        const data = Buffer.isBuffer(r.data) ? r.data : Buffer.from(r.data);
        if (data.length !== Number(r.size)) throw new Error(`file ${id}: the chunk at ${pos} is not whole`);
        yield skip > 0 ? data.subarray(skip) : data;
        skip = 0;
        next = pos + data.length;
      }
      at = next;
    }
  }

  async read(id: number, pos: number, length: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const data of this.chunks(id, pos, pos + length)) parts.push(data);
    return Buffer.concat(parts).subarray(0, length);
  }

  copyToRoot(id: number, path: string, md5: string, now: number): Promise<boolean> {
    return this.store.transaction(async (trx) => {
      const from = await trx.selectFrom('patch_files').selectAll().where('id', '=', id).where('area', '=', 'upload')
        .where('complete', '=', 1).executeTakeFirst();
      if (!from) return false;
      const there = await trx.selectFrom('patch_files').select('id').where('area', '=', 'root').where('path', '=', path)
        .executeTakeFirst();
      if (there) await removeFile(trx, Number(there.id));
      const copy = await nextFileId(trx);
      await trx.insertInto('patch_files').values({id: copy, area: 'root', path, size: from.size, md5,
        declared_md5: '', complete: 1, touched_at: now}).execute();
      await trx.insertInto('patch_chunks').columns(['file_id', 'pos', 'size', 'data'])
        .expression((eb) => eb.selectFrom('patch_chunks').select([eb.val(copy).as('file_id'), 'pos', 'size', 'data'])
          .where('file_id', '=', id))
        .execute();
      return true;
    });
  }

  remove(id: number): Promise<boolean> {
    return this.store.transaction((trx) => removeFile(trx, id));
  }

  removeIdleUploads(before: number): Promise<number> {
    return this.store.transaction(async (trx) => {
      const idle = await trx.selectFrom('patch_files').select('id').where('area', '=', 'upload')
        .where('complete', '=', 0).where('touched_at', '<', before).execute();
      for (const {id} of idle) await removeFile(trx, Number(id));
      return idle.length;
    });
  }

  commitUpload(app: string, server: string, id: number, md5: string, make: (version: number) => VersionRow):
    Promise<VersionRow | undefined> {
    return this.store.transaction(async (trx) => {
      const upload = await trx.selectFrom('patch_files').select('id').where('id', '=', id).where('area', '=', 'upload')
        .where('complete', '=', 1).executeTakeFirst();
      if (!upload) return undefined;
      const row = await insertVersion(trx, app, server, make);
      const there = await trx.selectFrom('patch_files').select('id').where('area', '=', 'root')
        .where('path', '=', row.file).executeTakeFirst();
      if (there) await removeFile(trx, Number(there.id));
      await trx.updateTable('patch_files').set({area: 'root', path: row.file, md5, declared_md5: ''})
        .where('id', '=', id).execute();
      return row;
    });
  }

  removeVersion(app: string, server: string, version: number, file: string): Promise<boolean> {
    return this.store.transaction(async (trx) => {
      const r = await trx.deleteFrom('patch_versions').where('app', '=', app).where('server', '=', server)
        .where('version', '=', version).executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) return false;
      const there = await trx.selectFrom('patch_files').select('id').where('area', '=', 'root').where('path', '=', file)
        .executeTakeFirst();
      if (there) await removeFile(trx, Number(there.id));
      return true;
    });
  }
}

/** The next file id (never one handed out before), in `trx`. */
async function nextFileId(trx: Transaction<PatchDB>): Promise<number> {
  await trx.updateTable('patch_file_ids').set((eb) => ({last: eb('last', '+', 1)})).where('id', '=', 1).execute();
  const {last} = await trx.selectFrom('patch_file_ids').select('last').where('id', '=', 1).executeTakeFirstOrThrow();
  return Number(last);
}

/** Removes file `id`'s bytes and row in `trx`; false when there was no such file. */
async function removeFile(trx: Transaction<PatchDB>, id: number): Promise<boolean> {
  await trx.deleteFrom('patch_chunks').where('file_id', '=', id).execute();
  const r = await trx.deleteFrom('patch_files').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** An open patch store: the repository, where it is, and how to close it. */
export interface PatchStore {
  readonly repository: SqlPatchRepository;
  /** The files in the store, for a patch server that shares it (see the file's head). */
  readonly files: SqlPackageFiles;
  /** The dialect: a PostgreSQL store may be shared by several patch servers. */
  readonly kind: 'sqlite' | 'postgres';
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
  return {repository: new SqlPatchRepository(store), files: new SqlPackageFiles(store), kind: store.kind,
    where: store.where, close: () => store.close()};
}
