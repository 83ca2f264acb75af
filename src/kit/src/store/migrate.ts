// Dialect-neutral: Kysely's schema builder and query builder only, so that the same code migrates SQLite and
// (later) PostgreSQL.
import {type Kysely, type MigrationResult, Migrator} from 'kysely';

import {storeError} from './store-error.js';

/**
 * One forward-only schema step of a daemon's store. `up` receives the open transaction (every pending migration of
 * an open runs in one transaction, so a failure rolls all of them back); it must use Kysely's builders only
 * (`db.schema.createTable(...)`, `db.insertInto(...)`), never raw SQL of one dialect, so that it runs on every
 * dialect the store supports. Once released, a migration is never edited: a change is a new migration.
 */
export interface StoreMigration {
  up(db: Kysely<any>): Promise<void>;
}

/**
 * A daemon's migrations by name. Names are `NNNN_words` (four digits, then lower-case letters, digits and `_`), so
 * that sorting them as strings gives the order they apply in; a new migration must sort after every released one.
 */
export type StoreMigrations = Readonly<Record<string, StoreMigration>>;

/** Kysely's bookkeeping table: one row per applied migration. */
const MIGRATION_TABLE = 'kysely_migration';
const NAME = /^\d{4}_[a-z0-9][a-z0-9_]*$/;

/**
 * Throws a TypeError when a migration name does not have the `NNNN_words` shape: a bug of the daemon, found by its
 * first test, never by a user.
 */
export function checkMigrationNames(migrations: StoreMigrations): void {
  for (const name of Object.keys(migrations)) {
    if (!NAME.test(name)) {
      throw new TypeError(`store migration name ${JSON.stringify(name)} is not NNNN_words (e.g. 0001_servers)`);
    }
  }
}

/**
 * The names of the migrations the database records as applied, in order; none for a new database. `schema`: where
 * the bookkeeping is (PostgreSQL: the store's schema, the connections' search path; other schemas of the database
 * are other daemons' stores).
 */
export async function appliedMigrations(db: Kysely<any>, schema?: string): Promise<string[]> {
  const tables = await db.introspection.getTables({withInternalKyselyTables: true});
  if (!tables.some((t) => t.name === MIGRATION_TABLE && (schema === undefined || t.schema === schema))) return [];
  const rows = await db.selectFrom(MIGRATION_TABLE).select('name').orderBy('name').execute();
  return rows.map((r) => String(r.name));
}

/**
 * Brings the schema up to date: refuses (STORE_NEWER_SCHEMA, before writing anything) a database that records a
 * migration this build does not know, then applies the pending ones in name order, in one transaction on dialects
 * with transactional DDL (a failure is STORE_MIGRATION_FAILED and leaves the schema as it was). Returns the names
 * applied now. Errors of the database itself (read-only, locked, ...) are thrown as they are, for the dialect to
 * explain.
 */
export async function migrate(db: Kysely<any>, migrations: StoreMigrations, where: string, schema?: string):
  Promise<string[]> {
  checkMigrationNames(migrations);
  const unknown = (await appliedMigrations(db, schema)).filter((name) => !Object.hasOwn(migrations, name));
  if (unknown.length > 0) throw newerSchema(where, unknown);

  const migrator = new Migrator({db, provider: {getMigrations: async () => ({...migrations})},
    ...(schema === undefined ? {} : {migrationTableSchema: schema})});
  const {error, results = []} = await migrator.migrateToLatest();
  if (error === undefined) return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);

  const failed: MigrationResult | undefined = results.find((r) => r.status === 'Error');
  if (failed) {
    const reason = error instanceof Error ? error.message : String(error);
    throw storeError('STORE_MIGRATION_FAILED', where, `migration ${failed.migrationName} failed (${reason})`,
      'the migrations of this open were rolled back and the store is as it was: this is a bug of tars, please ' +
      'report it with this message', error);
  }
  const message = error instanceof Error ? error.message : '';
  // Another process, running a newer build, migrated between our check and Kysely's.
  const missing = /previously executed migration (\S+) is missing/.exec(message);
  if (missing) throw newerSchema(where, [missing[1]!]);
  // A migration added with a name that sorts before one already applied: a bug of the daemon.
  if (/expected previously executed migration/.test(message)) {
    throw storeError('STORE_MIGRATION_FAILED', where, `the migrations are out of order (${message})`,
      'nothing was applied: a new migration must sort after every applied one; this is a bug of tars, please ' +
      'report it with this message', error);
  }
  throw error;
}

function newerSchema(where: string, unknown: string[]) {
  return storeError('STORE_NEWER_SCHEMA', where,
    `its schema was migrated by a newer build of tars (migrations this build does not know: ${unknown.join(', ')})`,
    'nothing was touched: run the newer build, or give this one another data directory');
}
