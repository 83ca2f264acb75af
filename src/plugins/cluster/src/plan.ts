// What a local cluster is made of and where each piece listens: pure, so that the port layout, the data directory's
// format and the start order are tested without starting anything.
//
// As TARS runs its framework: the registry and the node are started first, as daemons of their own; every other base
// service is then a server of that node (application `tars`), restarted by it when it dies. The daemons' specs come
// from their plugins' `start` commands (found through oclif, since a plugin imports no other plugin).
import path from 'node:path';

import {type DaemonSpec, UserError, daemonEndpoint} from '@tars-ts/kit';

/** The version of the cluster's data directory layout (DIR/cluster.json `format`). */
export const CLUSTER_FORMAT = 1;
/** The file that marks a cluster's data directory. */
export const CLUSTER_FILE = 'cluster.json';

/** The daemons the cluster starts itself, in start order. */
export const ROOT_SERVICES = ['registry', 'node'] as const;
/** The base services the node runs, in start order (a service may report to the ones before it). */
export const MANAGED_SERVICES = ['log', 'config', 'stat', 'patch'] as const;

/** Ports a base service takes besides its servants': a flag of its start command, and the official port. */
export interface ExtraPort {
  readonly flag: string;
  readonly port: number;
  /** What listens there, for messages. */
  readonly what: string;
}

/** The extra ports of each base service (stat's /metrics). */
export const EXTRA_PORTS: Readonly<Record<string, readonly ExtraPort[]>> = {
  stat: [{flag: 'metrics-port', port: 18089, what: '/metrics (HTTP)'}],
};

/** The most registries a cluster runs (`--registries`). */
export const MAX_REGISTRIES = 5;
/** How far apart the official ports of the registries after the first are (the second's QueryObj is 17900, ...). */
export const REGISTRY_PORT_STEP = 10;

/** One service of the cluster, placed. */
export interface ServicePlan {
  /** The service's name in the cluster: its daemon's (`registry`, `config`, ...), or `registry2`, ... for more registries. */
  readonly name: string;
  /** The daemon it runs: its topic (`registry` for every registry). */
  readonly daemon: string;
  /** `root`: started by the cluster command; `managed`: a server of the node. */
  readonly role: 'root' | 'managed';
  /** The TARS server name (`tarsregistry`, `tarsconfig`, ...), under the application `tars`. */
  readonly server: string;
  /** Each servant and the endpoint it listens on. */
  readonly servants: readonly {obj: string; port: number; endpoint: string}[];
  /** Further ports (a flag of its start command each). */
  readonly extras: readonly (ExtraPort & {assigned: number})[];
  /** Its data directory (a managed one's is the node's data directory of that server: its `datapath`). */
  readonly dataDir: string;
  /** The PostgreSQL URL its store uses (`--db`), for a service that keeps a store in a cluster started with one. */
  readonly db?: string;
}

/** Where the cluster runs. */
export interface PlanOptions {
  /** The cluster's data directory, absolute. */
  readonly dir: string;
  /** The address every servant binds. */
  readonly host: string;
  /** The first of consecutive ports for every servant and extra port; absent: the official ports. */
  readonly basePort?: number | undefined;
  /** The PostgreSQL database every service that keeps a store uses (`--db`); absent: each its SQLite file. */
  readonly db?: string | undefined;
  /** There is an admin token: the admin servants' endpoints ask for it (`-e 1`). */
  readonly authenticated?: boolean;
  /**
   * How many registries run, all on the `db` database (default 1). The second and later ones come right after the
   * first in the plan (`registry2`, ...), each with its own data directory; their servants take consecutive ports
   * (as `tars registry start --port P` lays them out): the official QueryObj port plus 10, 20, ..., or, with a base
   * port, the ports after every other service's.
   */
  readonly registries?: number | undefined;
}

/** The node's data directory inside the cluster's. */
export function nodeDataDir(dir: string): string {
  return path.join(dir, 'node');
}

/**
 * The data directory of a server the node runs, as the node lays it out (`<node data>/<App>.<Server>/data`, the
 * `datapath` of the config file it writes): where a managed base service keeps its store and its lock.
 */
export function managedDataDir(dir: string, server: string): string {
  return path.join(nodeDataDir(dir), `tars.${server}`, 'data');
}

/** How many consecutive ports `--base-port` takes for these daemons, with `registries` registries. */
export function portsNeeded(specs: readonly Pick<DaemonSpec, 'name' | 'servants'>[], registries = 1): number {
  const registry = specs.find((s) => s.name === 'registry')?.servants.length ?? 0;
  return specs.reduce((n, s) => n + s.servants.length + (EXTRA_PORTS[s.name]?.length ?? 0), 0) +
    registry * (registries - 1);
}

/**
 * `--registries N` checked: a whole number from 1 to MAX_REGISTRIES, and more than one only on a shared database
 * (USAGE otherwise: registries on SQLite files would each keep a registry of their own).
 */
export function checkRegistries(registries: number, db: string | undefined): void {
  if (!Number.isInteger(registries) || registries < 1 || registries > MAX_REGISTRIES) {
    throw new UserError(`--registries ${registries} is not a number of registries from 1 to ${MAX_REGISTRIES}`,
      {code: 'USAGE', hint: 'give --registries 2 (or up to 5)'});
  }
  if (registries > 1 && db === undefined) {
    throw new UserError(`--registries ${registries} needs a database the registries share; the cluster keeps its ` +
      'stores in SQLite files, one registry each', {code: 'USAGE',
      hint: 'give the cluster a PostgreSQL database too: --db postgres://USER@HOST:5432/DB'});
  }
}

/**
 * Places every service: `specs` in start order (the root services, then the managed ones). With a base port, every
 * servant and extra port gets the next port in that order; without, the official ones. A range past 65535 is a
 * BAD_PORT usage error naming the highest base port that fits.
 */
export function clusterPlan(specs: readonly DaemonSpec[], options: PlanOptions): ServicePlan[] {
  const registries = options.registries ?? 1;
  const needed = portsNeeded(specs, registries);
  if (options.basePort !== undefined && options.basePort + needed - 1 > 65_535) {
    throw new UserError(`--base-port ${options.basePort} needs ports up to ${options.basePort + needed - 1}, past 65535`,
      {code: 'BAD_PORT', hint: `the cluster takes ${needed} consecutive ports: give at most ${65_536 - needed}`});
  }
  let next = options.basePort;
  const take = (official: number): number => (next === undefined ? official : next++);
  const place = (spec: DaemonSpec, name: string, port: (official: number, i: number) => number): ServicePlan => {
    const role = (ROOT_SERVICES as readonly string[]).includes(spec.name) ? 'root' as const : 'managed' as const;
    const server = spec.server ?? `tars${spec.name}`;
    const servants = spec.servants.map((s, i) => {
      const assigned = port(s.port, i);
      const endpoint = daemonEndpoint(options.host, assigned);
      return {obj: s.obj, port: assigned, endpoint: s.admin && options.authenticated ? `${endpoint} -e 1` : endpoint};
    });
    const extras = (EXTRA_PORTS[spec.name] ?? []).map((e) => ({...e, assigned: take(e.port)}));
    const dataDir = role === 'root' ? path.join(options.dir, name) : managedDataDir(options.dir, server);
    return {name, daemon: spec.name, role, server, servants, extras, dataDir,
      ...(spec.store && options.db !== undefined ? {db: options.db} : {})};
  };
  const plans = specs.map((spec) => place(spec, spec.name, take));
  const registry = specs.find((s) => s.name === 'registry');
  if (!registry || registries === 1) return plans;
  // The further registries: consecutive ports each, from the official QueryObj port plus a step, or after the rest.
  const more = Array.from({length: registries - 1}, (_, k) => {
    const first = next === undefined ? registry.servants[0]!.port + REGISTRY_PORT_STEP * (k + 1) : next;
    if (next !== undefined) next += registry.servants.length;
    return place(registry, `registry${k + 2}`, (_official, i) => first + i);
  });
  const at = plans.findIndex((p) => p.name === 'registry') + 1;
  return [...plans.slice(0, at), ...more, ...plans.slice(at)];
}

/** What DIR/cluster.json holds: the layout's version and how the cluster was started (reused by the next start). */
export interface ClusterFile {
  readonly format: number;
  /** The toolkit's version that wrote it. */
  readonly version: string;
  readonly host: string;
  /** The base port it was started with; absent: the official ports. */
  readonly basePort?: number;
  /** How many registries run (on `db`); absent: one. */
  readonly registries?: number;
  /**
   * The PostgreSQL database (`--db` URL) the stateful services keep their stores in; absent: SQLite in each one's
   * data directory. The file is written readable by its owner only, as the URL may carry a password.
   */
  readonly db?: string;
  readonly nodeName: string;
  readonly createdAt: string;
}

/**
 * The cluster file's content checked: CLUSTER_DATA_TOO_NEW when a newer toolkit wrote it (its format is unknown
 * here), CLUSTER_DATA_INVALID when it is not a cluster file at all.
 */
export function parseClusterFile(text: string, file: string): ClusterFile {
  let parsed: Partial<ClusterFile>;
  try {
    parsed = JSON.parse(text) as Partial<ClusterFile>;
  } catch (error) {
    throw new UserError(`${file} is not valid JSON: ${(error as Error).message}`, {code: 'CLUSTER_DATA_INVALID'});
  }
  if (typeof parsed !== 'object' || parsed === null || !Number.isInteger(parsed.format) ||
    typeof parsed.host !== 'string' || typeof parsed.nodeName !== 'string') {
    throw new UserError(`${file} is not a cluster file (format, host and nodeName are missing)`,
      {code: 'CLUSTER_DATA_INVALID'});
  }
  if (parsed.format! > CLUSTER_FORMAT) {
    throw new UserError(`${path.dirname(file)} was written by a newer tars (${parsed.version ?? 'unknown version'}, ` +
      `data format ${parsed.format}; this one reads format ${CLUSTER_FORMAT})`, {code: 'CLUSTER_DATA_TOO_NEW'});
  }
  return {format: parsed.format!, version: String(parsed.version ?? ''), host: parsed.host!,
    ...(Number.isInteger(parsed.basePort) ? {basePort: parsed.basePort!} : {}),
    ...(Number.isInteger(parsed.registries) && parsed.registries! > 1 ? {registries: parsed.registries!} : {}),
    ...(typeof parsed.db === 'string' && parsed.db !== '' ? {db: parsed.db} : {}), nodeName: parsed.nodeName!,
    createdAt: String(parsed.createdAt ?? '')};
}

/** A command line word quoted for the node's splitter (POSIX shell words, no expansion). */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./{}-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * The command line the node runs for a managed base service: the same CLI (`entry`: node, its options, the
 * script) starting the daemon from the config file the node writes (`{config}`), plus its extra ports and its
 * store's database (`--db`) when the cluster has one.
 */
export function managedCommand(entry: readonly string[], plan: ServicePlan): string {
  const words = [...entry, plan.daemon, 'start', '--config={config}',
    ...plan.extras.flatMap((e) => [`--${e.flag}`, String(e.assigned)]), ...(plan.db ? ['--db', plan.db] : [])];
  return words.map(shellWord).join(' ');
}
