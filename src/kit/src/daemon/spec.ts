// What a base service tells the daemon host about itself: a name, its servants with their official names and ports,
// and a factory. Types only, plus pure helpers: importing this file loads nothing of the runtime.
import path from 'node:path';

import type {Logger, Servant, ServerAdapterOptions} from '@tars-ts/core';

import {UserError} from '../errors.js';
import type {StoreOptions} from '../store/store.js';
import {parsePostgresUrl} from '../store/url.js';

/** One servant of a daemon, as the official TARS deployment names it and where it listens by default. */
export interface DaemonServantSpec {
  /** The official object name, e.g. `tars.tarsregistry.QueryObj`: what real TARS clients ask the locator for. */
  readonly obj: string;
  /** The official port (design.md "Daemons"), used when `--port` is not given. */
  readonly port: number;
  /** Adapter settings other than the servant and the endpoint (queuecap, maxconns, ...); the runtime's defaults else. */
  readonly adapter?: Omit<ServerAdapterOptions, 'servant' | 'endpoint'>;
  /**
   * An administrative object (deploy, start/stop, pushes, uploads, registry writes): with an admin token its
   * endpoint asks for it (`-e 1`, access key `tars-admin`), and bound beyond loopback it needs one (admin-token.ts).
   */
  readonly admin?: boolean;
}

/** What a daemon's factory gets: the options of `start`, resolved. */
export interface DaemonContext {
  /** The daemon's name (`registry`). */
  readonly name: string;
  /** The host every servant binds (`--host`, default 127.0.0.1). */
  readonly host: string;
  /**
   * Each servant's configured endpoint (`tcp -h HOST -p PORT -t 60000`), in the spec's order. A port 0 (`--port 0`)
   * is only bound at start: the status and the start output show the bound one.
   */
  readonly endpoints: readonly {obj: string; endpoint: string}[];
  /** The data directory, absolute and existing (`--data`, default `./.tars/<name>/`); the daemon owns it while it runs. */
  readonly dataDir: string;
  /**
   * `--locator` (or the `<client> locator` of `--config`): the registry's QueryObj proxy string, when given. The
   * application's communicator uses it too.
   */
  readonly locator?: string;
  /**
   * The daemon runs as a server a node manages (`start --config FILE`, the file the node wrote): the registry knows
   * its servants from its deployment, so it lists nothing there by itself, and the node restarts it when it dies.
   */
  readonly managed: boolean;
  /**
   * Where the daemon's store is, for a daemon that keeps one ({@link DaemonSpec.store}): the SQLite file in the data
   * directory by default, or, with `--db postgres://...`, that database and the daemon's own schema in it
   * (`tars_<name>`). Pass it to `openStore` as it is. Absent for a daemon without a store.
   */
  readonly store?: StoreOptions;
  /** The daemon's log: stderr in the foreground, DIR/daemon.log when detached. */
  readonly logger: Logger;
  /** The admin token, when there is one: what the daemon's own calls to admin objects (a node's NodeObj) present. */
  readonly adminToken?: string;
  /** The daemon's own flags of `start` (those its start command adds to the common ones), by flag name. */
  readonly settings: Readonly<Record<string, unknown>>;
  /**
   * Stops the daemon gracefully, as SIGTERM does: what a servant's own shutdown call (tarsnode's NodeObj.shutdown)
   * uses. Returns at once; the stop runs after the current call has been answered. Ignored before the daemon runs.
   */
  readonly requestStop: () => void;
}

/** What a daemon's factory returns: its servants, and what to do once they have stopped. */
export interface DaemonInstance {
  /** One servant per {@link DaemonServantSpec}, keyed by its official object name. */
  readonly servants: Readonly<Record<string, Servant>>;
  /**
   * Runs once when the daemon stops (or fails to start after the factory ran), after every servant has stopped
   * taking calls: close the store, flush what must be flushed. A failure is logged; the daemon still stops.
   */
  onClose?(): void | Promise<void>;
  /** Where the daemon keeps its data (a database file, a URL without credentials), shown by `status`. */
  readonly store?: string;
  /**
   * Runs once every servant listens, with the endpoints they are bound to (a `--port 0` servant's real port) as
   * other hosts dial them (a wildcard host, 0.0.0.0, replaced by this host's address): e.g. the registry lists its
   * own servants, the node gives its NodeObj to the registry. A throw stops the daemon and fails the start.
   */
  onStarted?(bound: readonly {obj: string; endpoint: string}[]): void | Promise<void>;
}

/**
 * A base service as the daemon host runs it: `tars <name> start|stop|status` are this object plus a summary.
 *
 * ```ts
 * export const registryDaemon: DaemonSpec = {
 *   name: 'registry',
 *   servants: [{obj: 'tars.tarsregistry.QueryObj', port: 17890}, {obj: 'tars.tarsregistry.RegistryObj', port: 17891},
 *     {obj: 'tars.tarsAdminRegistry.AdminRegObj', port: 12000}],
 *   async create(ctx) {
 *     const {openRegistry} = await import('./registry.js');     // heavy imports here, not at the top
 *     const reg = await openRegistry(ctx.dataDir, ctx.logger);
 *     return {servants: {'tars.tarsregistry.QueryObj': reg.query, ...}, onClose: () => reg.close(), store: reg.file};
 *   },
 * };
 * ```
 */
export interface DaemonSpec {
  /** The topic and the data directory's default name: `registry` -> `tars registry start`, `./.tars/registry/`. */
  readonly name: string;
  /** The TARS server name; default `tars<name>` (`tarsregistry`), under the application `tars`. */
  readonly server?: string;
  /**
   * Whether the daemon, started with `--locator`, lists its servants in that registry (as endpoints added by hand,
   * taken out on a graceful stop) so that they resolve by name. Default true; the registry (which lists its own)
   * and the node (whose objects are per host, reached through the registry's node rows) say false.
   */
  readonly announce?: boolean;
  /** The servants in the order `--port P` numbers them: the first gets P, the next P+1, ... (spec/cli.md). */
  readonly servants: readonly DaemonServantSpec[];
  /**
   * The daemon keeps a store (see `@tars-ts/kit/store`): its `start` takes `--db URL` (PostgreSQL), and its factory
   * gets {@link DaemonContext.store}. `file` is the SQLite file's name in the data directory, the default store.
   */
  readonly store?: {readonly file: string};
  /**
   * Makes the servants, once the data directory is locked and before anything listens. Import heavy modules here.
   * A throw ends the start with that error (a UserError keeps its code and hint).
   */
  create(ctx: DaemonContext): DaemonInstance | Promise<DaemonInstance>;
}

/** The options `start` resolves from its flags. */
export interface DaemonStartOptions {
  host?: string | undefined;
  /** The first servant's port; the next ones follow. 0: every servant on a free port. Absent: the official ports. */
  port?: number | undefined;
  data?: string | undefined;
  locator?: string | undefined;
  /**
   * A server config file as a node writes it (`--config FILE`): the servants' endpoints are its adapters' (matched by
   * servant name), the data directory its `datapath` (unless `data` is given), the locator its `<client> locator`,
   * and the daemon sends its heart-beats to the node it names. `host`, `port` and `locator` are not used with it.
   */
  config?: string | undefined;
  /**
   * The admin token (TARS_ADMIN_TOKEN, else the saved setting): the admin servants ask for it; a daemon with admin
   * servants bound beyond loopback refuses to start without one (ADMIN_TOKEN_REQUIRED).
   */
  adminToken?: string | undefined;
  /** The daemon's own flags (see {@link DaemonContext.settings}). */
  settings?: Readonly<Record<string, unknown>> | undefined;
  /**
   * `--db URL`: the PostgreSQL database of the daemon's store instead of its SQLite file (daemons with a
   * {@link DaemonSpec.store} only).
   */
  db?: string | undefined;
}

/** The default host of a daemon's servants: local only, unless `--host` says otherwise. */
export const DEFAULT_DAEMON_HOST = '127.0.0.1';

/** The default data directory of a daemon, absolute: `./.tars/<name>/` under `cwd`. */
export function defaultDataDir(name: string, cwd = process.cwd()): string {
  return path.resolve(cwd, '.tars', name);
}

/** The data directory of `--data DIR` (absolute) or the default one. */
export function dataDirOf(spec: Pick<DaemonSpec, 'name'>, data: string | undefined, cwd = process.cwd()): string {
  return data ? path.resolve(cwd, data) : defaultDataDir(spec.name, cwd);
}

/**
 * The port of each servant: `--port P` gives the first P and the next P+1, P+2, ... in the spec's order; 0 gives
 * every servant a free port; absent, the official ports. A range past 65535 is a BAD_PORT usage error.
 */
export function daemonPorts(spec: Pick<DaemonSpec, 'servants'>, port: number | undefined): number[] {
  if (port === undefined) return spec.servants.map((s) => s.port);
  if (port === 0) return spec.servants.map(() => 0);
  const last = port + spec.servants.length - 1;
  if (!Number.isInteger(port) || port < 0 || last > 65_535) {
    throw new UserError(`--port ${port} gives ports ${port}..${last}, past 65535`, {code: 'BAD_PORT',
      hint: `give a first port of at most ${65_536 - spec.servants.length}, or leave --port out for the official ports`});
  }
  return spec.servants.map((_, i) => port + i);
}

/** The PostgreSQL schema a daemon's store lives in when it shares a database (`--db`): `tars_<name>`. */
export function daemonSchema(spec: Pick<DaemonSpec, 'name'>): string {
  return `tars_${spec.name.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;
}

/**
 * The store options of a daemon: undefined for one without a store; with `db`, that PostgreSQL database and the
 * daemon's schema; else its SQLite file in `dataDir`. A `db` that is not a PostgreSQL URL, or one given to a daemon
 * that keeps no store, is a USAGE error (exit 2), before anything starts.
 */
export function daemonStoreOptions(spec: Pick<DaemonSpec, 'name' | 'store'>, dataDir: string, db: string | undefined):
  StoreOptions | undefined {
  if (!spec.store) {
    if (db === undefined) return undefined;
    throw new UserError(`--db: the ${spec.name} daemon keeps no store`, {code: 'USAGE',
      hint: 'only the daemons that keep a store (registry, config, log, stat, patch) take --db; leave it out'});
  }
  if (db === undefined) return {kind: 'sqlite', file: path.join(dataDir, spec.store.file)};
  parsePostgresUrl(db);
  return {kind: 'postgres', url: db, schema: daemonSchema(spec)};
}

/** The TARS endpoint text of a daemon servant: TCP, the idle timeout TARS servers use. */
export function daemonEndpoint(host: string, port: number): string {
  return `tcp -h ${host} -p ${port} -t 60000`;
}
