import type {Kysely} from 'kysely';

import type {UserError} from '../errors.js';

/**
 * What a dialect gives the dialect-neutral part of the store: an open Kysely instance on its database and the
 * meaning of its errors. `sqlite.ts` and `postgres.ts` return this shape and `BACKENDS` (store.ts) wires them;
 * migrations and daemons' queries do not know which one runs.
 */
export interface StoreBackend {
  readonly kind: string;
  /** The store as messages name it: a file path, or a database URL without its password. */
  readonly where: string;
  readonly db: Kysely<any>;
  /**
   * A driver error met while opening (migrating), as a store error (read-only, corrupt, locked, ...), or
   * undefined when it is not one the dialect knows.
   */
  explain(error: unknown): UserError | undefined;
  /**
   * The schema the store's tables live in, on dialects that have schemas (PostgreSQL); absent for SQLite (one file
   * per store). Migrations look for their bookkeeping there only.
   */
  readonly schema?: string;
  /**
   * Runs the migrations (`work`, given the Kysely instance to migrate with) under the dialect's lock against other
   * processes opening the same database at once, after making the store's schema if needed. Absent: `work(db)`
   * as it is (SQLite's migrations run in one IMMEDIATE transaction, which excludes other writers by itself).
   */
  migrating?<T>(work: (db: Kysely<any>) => Promise<T>): Promise<T>;
}
