import type {Kysely, Transaction} from 'kysely';

import {UserError} from '../errors.js';
import type {StoreBackend} from './backend.js';
import {type StoreMigrations, checkMigrationNames, migrate} from './migrate.js';
import type {PostgresStoreOptions} from './postgres.js';
import type {SqliteStoreOptions} from './sqlite.js';
import {storeError} from './store-error.js';

/**
 * Where a store lives; `kind` picks the dialect: SQLite (one file per daemon, the default) or PostgreSQL (one
 * database several daemons, and several registries, share; each daemon in its own schema). Daemons' queries and
 * migrations are the same on both.
 */
export type StoreOptions = SqliteStoreOptions | PostgresStoreOptions;

/** A module imported once, on first use: later opens reuse it instead of resolving the import again. */
function lazy<M>(load: () => Promise<M>): () => Promise<M> {
  let loaded: Promise<M> | undefined;
  return () => (loaded ??= load());
}

const sqliteModule = lazy(() => import('./sqlite.js'));
const postgresModule = lazy(() => import('./postgres.js'));

/** The dialects, wired explicitly; each is imported only when a store of its kind is first opened. */
const BACKENDS: {[K in StoreOptions['kind']]: (options: Extract<StoreOptions, {kind: K}>) => Promise<StoreBackend>} = {
  sqlite: async (options) => (await sqliteModule()).openSqliteBackend(options),
  postgres: async (options) => (await postgresModule()).openPostgresBackend(options),
};

/**
 * A daemon's open store. Queries are Kysely's, typed by `DB` (an interface of tables, each an interface of
 * columns). For the same SQL on every dialect, columns hold strings, numbers (integers within 2^53: SQLite returns
 * numbers and rounds beyond; PostgreSQL's `bigint` is read back as a number), 0/1 for booleans and epoch
 * milliseconds for times (`bigint` columns): SQLite binds neither `true` nor `Date`.
 */
export interface Store<DB> {
  /** The dialect. */
  readonly kind: StoreOptions['kind'];
  /**
   * The store as messages name it: the absolute file path for SQLite; the URL without credentials and the schema
   * for PostgreSQL (`postgres://db.example:5432/tars (schema tars_registry)`).
   */
  readonly where: string;
  /** The query builder. Single statements commit on their own; several that must hold together go in `transaction`. */
  readonly db: Kysely<DB>;
  /** The migrations this open applied, in order (empty when the schema was already up to date). */
  readonly applied: readonly string[];
  /**
   * Runs `work` in one transaction: committed when its promise resolves, rolled back (and the error rethrown)
   * when it rejects. On SQLite it takes the write lock at BEGIN, so a read-then-write never fails with SQLITE_BUSY
   * while another process writes (it waits up to the busy timeout); on PostgreSQL it takes an advisory lock of the
   * store's schema at BEGIN, with the same effect across every process sharing the database. Either way the
   * transactions of one store run one at a time.
   * Use `trx`, not `db`, inside `work`: `db` would wait for the transaction to end.
   */
  transaction<T>(work: (trx: Transaction<DB>) => Promise<T>): Promise<T>;
  /**
   * Closes the database (SQLite: checkpoints the WAL; PostgreSQL: ends the pool's connections). Idempotent: later
   * calls return the same promise.
   */
  close(): Promise<void>;
}

/**
 * Opens a daemon's store and brings its schema up to date with `migrations` before returning. Guarantees:
 * - pending migrations apply in name order, each once; if one fails, none of this open's is kept
 *   (STORE_MIGRATION_FAILED);
 * - a database with an applied migration this build does not know is refused before anything is written
 *   (STORE_NEWER_SCHEMA);
 * - a store that cannot be used is one catalogue error naming it, saying what is wrong and what to do, and nothing
 *   is overwritten: STORE_READ_ONLY (file or directory), STORE_CORRUPT (not a database), STORE_OPEN_FAILED (a
 *   directory in its place, locked for longer than the busy timeout, ...).
 * A migration name that is not `NNNN_words` is a bug of the caller: TypeError, before anything is opened.
 */
export async function openStore<DB>(options: StoreOptions, migrations: StoreMigrations): Promise<Store<DB>> {
  checkMigrationNames(migrations);
  const open = BACKENDS[options.kind] as (o: StoreOptions) => Promise<StoreBackend>;
  if (!open) throw new TypeError(`unknown store kind ${JSON.stringify((options as {kind: unknown}).kind)}`);
  const backend = await open(options);
  let applied: string[];
  try {
    const work = (db: Kysely<any>) => migrate(db, migrations, backend.where, backend.schema);
    applied = await (backend.migrating ? backend.migrating(work) : work(backend.db));
  } catch (error) {
    await backend.db.destroy().catch(() => {});
    throw explain(backend, error);
  }
  return new OpenStore<DB>(backend, applied);
}

/**
 * Removes a store and everything in it: a PostgreSQL store's schema (`drop schema ... cascade`), a SQLite store's
 * file with its -wal and -shm. Resolves whether there was one. For `tars cluster reset`; the store must not be open.
 */
export async function removeStore(options: StoreOptions): Promise<boolean> {
  if (options.kind === 'postgres') return (await postgresModule()).dropPostgresStore(options);
  const {existsSync, rmSync} = await import('node:fs');
  const existed = existsSync(options.file);
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${options.file}${suffix}`, {force: true});
  return existed;
}

function explain(backend: StoreBackend, error: unknown): unknown {
  if (error instanceof UserError || error instanceof TypeError) return error;
  return backend.explain(error) ?? storeError('STORE_OPEN_FAILED', backend.where,
    error instanceof Error ? error.message : String(error), 'fix the cause and run again', error);
}

class OpenStore<DB> implements Store<DB> {
  readonly kind: StoreOptions['kind'];
  readonly where: string;
  readonly db: Kysely<DB>;
  readonly applied: readonly string[];
  #closing: Promise<void> | undefined;

  constructor(backend: StoreBackend, applied: string[]) {
    this.kind = backend.kind as StoreOptions['kind'];
    this.where = backend.where;
    this.db = backend.db as Kysely<DB>;
    this.applied = Object.freeze(applied);
  }

  transaction<T>(work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  close(): Promise<void> {
    this.#closing ??= this.db.destroy();
    return this.#closing;
  }
}
