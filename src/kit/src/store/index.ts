/**
 * `@tars-ts/kit/store`: the daemons' store (design.md, "Daemons"). A subpath of its own, so that commands that keep
 * no state never load Kysely or better-sqlite3 (the CLI's start-up time); the SQLite driver itself loads only when
 * a SQLite store is opened.
 *
 * A daemon declares its tables as a Kysely `DB` type and its migrations, opens the store at start and closes it at
 * stop; it writes Kysely queries only, never raw SQL of one dialect, so that PostgreSQL can be added under it.
 */
export {type Store, type StoreOptions, openStore, removeStore} from './store.js';
export {type StoreMigration, type StoreMigrations} from './migrate.js';
export {type SqliteStoreOptions} from './sqlite.js';
export {type PostgresStoreOptions} from './postgres.js';
// The Kysely types a daemon declares its tables and queries with, so that plugins depend on the kit alone.
export type {ColumnType, Generated, Insertable, Kysely, Selectable, Transaction, Updateable} from 'kysely';
