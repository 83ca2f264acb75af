// The PostgreSQL dialect of the store: a `pg` pool under Kysely's PostgresDialect, configured as storage.md found
// safe (int8 parsed per pool, not globally). Everything PostgreSQL-specific lives here: the URL, the daemon's schema,
// the locks that give the same guarantees as SQLite's single writer, and what PostgreSQL's errors mean.
import {
  CompiledQuery, type DatabaseConnection, type DialectAdapter, type Driver, Kysely, PostgresAdapter, PostgresDialect,
  type PostgresDialectConfig, PostgresDriver, type TransactionSettings,
} from 'kysely';
import pg from 'pg';

import {UserError} from '../errors.js';
import type {StoreBackend} from './backend.js';
import {storeError} from './store-error.js';
import {STORE_SCHEMA, type PostgresUrlParts, parsePostgresUrl, postgresWhere} from './url.js';

/**
 * Where a PostgreSQL store lives: a database (its URL) and, in it, the daemon's own schema. Several daemons (and
 * several registries) may share one database: each daemon's tables and its migration bookkeeping live in its schema
 * (`tars_registry`, `tars_config`, ...), created when missing, so that they never collide.
 */
export interface PostgresStoreOptions {
  kind: 'postgres';
  /** `postgres://[user[:password]@]host[:port]/database[?...]` (libpq's URL form; `postgresql://` too). */
  url: string;
  /**
   * The schema the store's tables live in: lower-case letters, digits and `_`, not starting with a digit (so that it
   * never needs quoting). Every connection of the store has it as its only `search_path` entry.
   */
  schema: string;
  /** How many connections the store keeps at most; default 4 (a daemon's queries are short). */
  maxConnections?: number;
  /** How long connecting may take before the open (or a query) fails, ms; default 10000. */
  connectTimeoutMs?: number;
}

const DEFAULT_MAX_CONNECTIONS = 4;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** int8 (bigint, count(*)): a number when it is a safe integer, a bigint beyond (never rounded). */
const INT8_OID = 20;

/**
 * Every transaction of a store first takes a transaction-level advisory lock of its schema: like SQLite's BEGIN
 * IMMEDIATE, one transaction of a store writes at a time, across every process that shares the database, so a
 * daemon's read-then-write transactions (the next version number, the next id) never interleave. Other schemas'
 * transactions are not held up.
 */
class LockingPostgresDriver extends PostgresDriver {
  readonly #schema: string;

  constructor(config: PostgresDialectConfig, schema: string) {
    super(config);
    this.#schema = schema;
  }

  override async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await super.beginTransaction(connection, settings);
    await connection.executeQuery(CompiledQuery.raw('select pg_advisory_xact_lock(hashtext($1), hashtext($2))',
      ['tars.store', this.#schema]));
  }
}

class StorePostgresDialect extends PostgresDialect {
  readonly #config: PostgresDialectConfig;
  readonly #schema: string;

  constructor(config: PostgresDialectConfig, schema: string) {
    super(config);
    this.#config = config;
    this.#schema = schema;
  }

  override createDriver(): Driver {
    return new LockingPostgresDriver(this.#config, this.#schema);
  }

  override createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }
}

/**
 * Opens a PostgreSQL store: checks the URL and the schema name, connects once (so that an unreachable server, a
 * refused login or a missing database is a catalogue error naming host:port/database, never a password), and
 * returns the backend. The schema is created by {@link StoreBackend.migrating}, under a lock.
 */
export async function openPostgresBackend(options: PostgresStoreOptions): Promise<StoreBackend> {
  const parts = parsePostgresUrl(options.url);
  if (!STORE_SCHEMA.test(options.schema)) {
    throw new TypeError(`store schema ${JSON.stringify(options.schema)} is not lower-case letters, digits and _`);
  }
  const where = postgresWhere(options.url, options.schema);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    // Each connection's search path is the daemon's schema only: unqualified names (every query, Kysely's
    // migration tables) are the daemon's own.
    options: `-c search_path=${options.schema}`,
    types: {getTypeParser: ((oid: number, format?: 'text' | 'binary') => oid === INT8_OID
      ? (value: string) => {
        const n = Number(value);
        return Number.isSafeInteger(n) ? n : BigInt(value);
      }
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser},
  });
  // An idle connection the server closes (a restart, an admin's kill) must not crash the daemon: the pool drops
  // it and the next query connects again.
  pool.on('error', () => {});
  const explain = (error: unknown) => explainPostgresError(where, parts, error);
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => {});
    throw explain(error) ?? storeError('STORE_OPEN_FAILED', where, messageOf(error),
      'check --db and the server', error);
  }
  const db = new Kysely<any>({dialect: new StorePostgresDialect({pool}, options.schema)});
  return {
    kind: 'postgres',
    where,
    db,
    schema: options.schema,
    explain,
    // Concurrent first opens of one database (several registries starting at once) must not race on the schema
    // or on Kysely's bookkeeping tables: everything up to the end of the migrations runs under a session-level
    // advisory lock of the schema, on one connection.
    migrating: (work) => db.connection().execute(async (conn) => {
      await conn.executeQuery(CompiledQuery.raw('select pg_advisory_lock(hashtext($1), hashtext($2))',
        ['tars.migrate', options.schema]));
      try {
        await conn.executeQuery(CompiledQuery.raw(`create schema if not exists ${options.schema}`));
        return await work(conn);
      } finally {
        await conn.executeQuery(CompiledQuery.raw('select pg_advisory_unlock(hashtext($1), hashtext($2))',
          ['tars.migrate', options.schema])).catch(() => {});
      }
    }),
  };
}

/**
 * Drops a PostgreSQL store: its schema, with every table in it (`drop schema ... cascade`); nothing when it does not
 * exist. What `tars cluster reset` does to a cluster's stores in a `--db` database. Errors as
 * {@link openPostgresBackend}'s.
 */
export async function dropPostgresStore(options: Pick<PostgresStoreOptions, 'url' | 'schema'>): Promise<boolean> {
  const parts = parsePostgresUrl(options.url);
  if (!STORE_SCHEMA.test(options.schema)) {
    throw new TypeError(`store schema ${JSON.stringify(options.schema)} is not lower-case letters, digits and _`);
  }
  const where = postgresWhere(options.url, options.schema);
  const client = new pg.Client({connectionString: options.url, connectionTimeoutMillis: DEFAULT_CONNECT_TIMEOUT_MS});
  client.on('error', () => {});
  try {
    await client.connect();
    const {rows} = await client.query('select 1 from information_schema.schemata where schema_name = $1',
      [options.schema]);
    if (rows.length === 0) return false;
    await client.query(`drop schema ${options.schema} cascade`);
    return true;
  } catch (error) {
    throw explainPostgresError(where, parts, error) ?? storeError('STORE_OPEN_FAILED', where, messageOf(error),
      'check --db and the server', error);
  } finally {
    await client.end().catch(() => {});
  }
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.map(messageOf).join('; ');
  return error instanceof Error ? error.message : String(error);
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH',
  'ECONNRESET', 'EPIPE']);

/** The error's code: a libpq SQLSTATE (`28P01`) or a socket's (`ECONNREFUSED`), also inside an AggregateError. */
function codeOf(error: unknown): string | undefined {
  const code = (error as {code?: unknown} | null)?.code;
  if (typeof code === 'string') return code;
  if (error instanceof AggregateError) return error.errors.map(codeOf).find((c) => c !== undefined);
  return undefined;
}

/**
 * The catalogue error for a PostgreSQL (or socket) error met while opening the store, or undefined for one that is
 * not about the store itself. The messages name host:port/database and the user, never the password.
 */
export function explainPostgresError(where: string, parts: PostgresUrlParts, error: unknown): UserError | undefined {
  if (error instanceof UserError && error.code.startsWith('STORE_')) return error;
  const code = codeOf(error);
  const server = `${parts.host}:${parts.port}`;
  const said = messageOf(error);
  if ((code !== undefined && UNREACHABLE.has(code)) || /timeout|terminated/i.test(said) && code === undefined) {
    return storeError('STORE_OPEN_FAILED', where, `cannot connect to PostgreSQL at ${server}/${parts.database} ` +
      `(${code ?? said})`, `is PostgreSQL running at ${server} and listening on TCP (listen_addresses, its ` +
      'firewall)? check the host and port of --db', error);
  }
  if (code === undefined) return undefined;
  const as = parts.user ? `user ${parts.user}` : 'the default user';
  if (code === '28P01' || code === '28000') {
    return storeError('STORE_OPEN_FAILED', where, `PostgreSQL at ${server} refused the login of ${as} to ` +
      `${parts.database}: ${said} (${code})`, 'check the user and password of --db, and the server\'s ' +
      'pg_hba.conf', error);
  }
  if (code === '3D000') {
    return storeError('STORE_OPEN_FAILED', where, `the database ${parts.database} does not exist on ${server} ` +
      `(${code})`, `create it (createdb -h ${parts.host} -p ${parts.port}${parts.user ? ` -U ${parts.user}` : ''} ` +
      `${parts.database}), or name another one in --db`, error);
  }
  if (code === '42501' || code === '25006') {
    return storeError('STORE_READ_ONLY', where, `PostgreSQL does not let ${as} write it: ${said} (${code})`,
      `grant ${as} CREATE on the database ${parts.database} (or create the schema for it), or use a primary ` +
      'server, not a read-only standby', error);
  }
  if (code === '57P03' || code === '53300' || code === '57P01') {
    return storeError('STORE_OPEN_FAILED', where, `PostgreSQL at ${server} cannot take the connection now: ${said} ` +
      `(${code})`, 'wait for the server (starting up, too many connections) and run again', error);
  }
  return undefined;
}
