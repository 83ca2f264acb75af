// The SQLite dialect of the store: better-sqlite3 under Kysely, configured as storage.md found safe. Everything
// SQLite-specific lives here (pragmas, the driver fixes, what SQLite's errors mean); the rest of the store and the
// daemons' queries do not know which dialect runs.
import Database from 'better-sqlite3';
import {
  CompiledQuery, type DatabaseConnection, type Driver, type DialectAdapter, Kysely, SqliteAdapter, SqliteDialect,
  type SqliteDialectConfig, SqliteDriver,
} from 'kysely';
import {accessSync, constants, mkdirSync, statSync} from 'node:fs';
import path from 'node:path';

import {UserError} from '../errors.js';
import type {StoreBackend} from './backend.js';
import {storeError} from './store-error.js';

/** Where a SQLite store lives. */
export interface SqliteStoreOptions {
  kind: 'sqlite';
  /**
   * The database file; it and its directory are created when missing. SQLite keeps `<file>-wal` and `<file>-shm`
   * next to it while the store is open, so the directory must be writable too. `':memory:'` gives a private
   * in-memory store (tests), without WAL.
   */
  file: string;
  /**
   * How long a write waits for another process's write transaction to end before it fails with SQLITE_BUSY.
   * The wait blocks the event loop (better-sqlite3 is synchronous); default 5000 ms.
   */
  busyTimeoutMs?: number;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/**
 * Kysely sends a plain (deferred) BEGIN: a transaction that reads and then writes must upgrade its lock, and SQLite
 * answers a contended upgrade with SQLITE_BUSY at once, without the busy wait (storage.md: 1,469 errors in two
 * processes x 1,000 read-then-upsert transactions). BEGIN IMMEDIATE takes the write lock first, with the busy
 * wait: 0 errors.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/**
 * SQLite does have transactional DDL, but Kysely's adapter says it does not, so its Migrator ran migrations outside
 * a transaction: a failed migration left its tables behind, and processes migrating a new file at once raced.
 * Saying true makes the Migrator run all pending migrations in one (IMMEDIATE, hence exclusive) transaction.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class StoreSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

/**
 * Opens the SQLite file of a store: checks the place first (so that a directory, a read-only file or directory is
 * said in plain words and nothing is created), reads the header before writing anything (a file that is not a
 * database stays as it is), then sets WAL, synchronous=FULL (each commit is fsynced: acknowledged rows survive an OS
 * crash, not just a process kill), foreign keys and the busy timeout.
 */
export async function openSqliteBackend(options: SqliteStoreOptions): Promise<StoreBackend> {
  const memory = options.file === ':memory:';
  const file = memory ? ':memory:' : path.resolve(options.file);
  if (!memory) checkPlace(file);
  let raw: Database.Database | undefined;
  try {
    raw = new Database(file, {timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS});
    raw.pragma('schema_version', {simple: true});
    const mode = raw.pragma('journal_mode = WAL', {simple: true});
    if (!memory && mode !== 'wal') {
      throw storeError('STORE_OPEN_FAILED', file, `SQLite cannot switch it to WAL (journal mode stays ${String(mode)})`,
        'put the store on a local file system that supports shared memory (not a network share)');
    }
    raw.pragma('synchronous = FULL');
    raw.pragma('foreign_keys = ON');
  } catch (error) {
    raw?.close();
    throw explainSqliteError(file, error) ?? error;
  }
  return {
    kind: 'sqlite',
    where: file,
    db: new Kysely<any>({dialect: new StoreSqliteDialect({database: raw})}),
    explain: (error) => explainSqliteError(file, error),
  };
}

/**
 * The catalogue error for a SQLite error met while opening `file`, or undefined for one that is not about the
 * store itself (then the caller reports it as STORE_OPEN_FAILED or rethrows it).
 */
export function explainSqliteError(file: string, error: unknown): UserError | undefined {
  if (isUserError(error)) return error;
  const code = (error as {code?: unknown} | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return undefined;
  const said = `${(error as Error).message} (${code})`;
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return storeError('STORE_CORRUPT', file, `it is not a SQLite database, or it is damaged: ${said}`,
      'the file was left as it is: restore it from a backup, or move it away to start with an empty store', error);
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return storeError('STORE_READ_ONLY', file, `SQLite cannot write it: ${said}`,
      'give this user write access to the file and its directory, or choose another data directory; ' +
      'nothing was changed', error);
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return storeError('STORE_OPEN_FAILED', file, `another process kept it locked for too long: ${said}`,
      'wait for the other process (another daemon on the same data directory?) and run again', error);
  }
  return storeError('STORE_OPEN_FAILED', file, said, 'fix the cause SQLite names and run again', error);
}

function isUserError(error: unknown): error is UserError {
  return error instanceof UserError && error.code.startsWith('STORE_');
}

const READ_ONLY = new Set(['EACCES', 'EPERM', 'EROFS']);

/**
 * Checks, before SQLite sees it, that `file` is a writable file (or can be created) in a writable directory;
 * creates the missing directories. The messages say which of the two is wrong, which SQLite cannot.
 */
function checkPlace(file: string): void {
  const dir = path.dirname(file);
  const code = (e: unknown) => (e as NodeJS.ErrnoException).code ?? '';
  let exists = true;
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) {
      throw storeError('STORE_OPEN_FAILED', file, 'it is a directory, not a database file',
        'give the path of a file (e.g. inside that directory), or move the directory away; nothing was changed');
    }
    if (!stat.isFile()) {
      throw storeError('STORE_OPEN_FAILED', file, 'it is not a regular file',
        'give the path of a regular file; nothing was changed');
    }
  } catch (e) {
    if (isUserError(e)) throw e;
    if (code(e) !== 'ENOENT') {
      throw storeError(READ_ONLY.has(code(e)) ? 'STORE_READ_ONLY' : 'STORE_OPEN_FAILED', file,
        `it cannot be reached (${code(e)})`, 'check the path and the permissions of its directories', e);
    }
    exists = false;
  }
  if (exists) {
    try {
      accessSync(file, constants.R_OK | constants.W_OK);
    } catch (e) {
      throw storeError('STORE_READ_ONLY', file, `the file is read-only for this user (${code(e)})`,
        'give this user write access to it, or choose another data directory; nothing was changed', e);
    }
  } else {
    try {
      mkdirSync(dir, {recursive: true});
    } catch (e) {
      throw storeError(READ_ONLY.has(code(e)) ? 'STORE_READ_ONLY' : 'STORE_OPEN_FAILED', file,
        `its directory cannot be created (${code(e)})`,
        'create the directory with write access for this user, or choose another data directory', e);
    }
  }
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (e) {
    throw storeError('STORE_READ_ONLY', file,
      `its directory ${dir} is read-only for this user (${code(e)}), and SQLite must create the -wal and -shm ` +
      'files next to the database', 'give this user write access to the directory, or choose another data ' +
      'directory; nothing was changed', e);
  }
}
