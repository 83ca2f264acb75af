import type {Kysely} from 'kysely';

import type {UserError} from '../errors.js';

/**
 * What a dialect gives the dialect-neutral part of the store: an open Kysely instance on its database and the
 * meaning of its errors. This is the seam for PostgreSQL (a later issue): a `postgres.ts` returning the same shape
 * (a pg Pool under Kysely's PostgresDialect, with the int8 parser of storage.md) and a line in `BACKENDS`
 * (store.ts); migrations and daemons' queries do not change.
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
}
