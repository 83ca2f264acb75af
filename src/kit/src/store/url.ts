// A store's place as the command line gives it (`--db URL`): parsed and shown without credentials. No driver is
// loaded here, so that commands (and the daemon host) can check a URL before anything opens it.
import {UserError} from '../errors.js';

/** A PostgreSQL schema name a store may live in: never needs quoting. */
export const STORE_SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;

/** The parts of a PostgreSQL URL that messages may show: never the user's password. */
export interface PostgresUrlParts {
  host: string;
  port: number;
  database: string;
  user?: string;
}

/**
 * Parses a `--db` URL: `postgres://` or `postgresql://`, a host, an optional port, a database name. Throws a USAGE
 * error naming what is wrong (without echoing a password) for anything else.
 */
export function parsePostgresUrl(url: string): PostgresUrlParts {
  const bad = (what: string) => new UserError(`--db ${redactUrl(url)}: ${what}`, {code: 'USAGE',
    hint: 'give a PostgreSQL URL: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE, e.g. ' +
      'postgres://tars@127.0.0.1:5432/tars'});
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw bad('not a URL');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw bad(`the scheme ${parsed.protocol.replace(/:$/, '')} is not postgres (the default store, SQLite, ` +
      'needs no --db)');
  }
  if (parsed.hostname === '') throw bad('no host');
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (database === '' || database.includes('/')) throw bad('no database name after the host (…/DATABASE)');
  const port = parsed.port === '' ? 5432 : Number(parsed.port);
  return {host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), port, database,
    ...(parsed.username ? {user: decodeURIComponent(parsed.username)} : {})};
}

/** The URL without its credentials (user and password) and query: what messages and `status` show. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    return parsed.toString();
  } catch {
    // Not a URL: drop anything that looks like credentials before an @.
    return url.replace(/\/\/[^/@]*@/, '//');
  }
}

/** How the store names a PostgreSQL store: its URL without credentials and its schema. */
export function postgresWhere(url: string, schema: string): string {
  return `${redactUrl(url)} (schema ${schema})`;
}

