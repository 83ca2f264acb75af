// The life of a local cluster: start (what is not running yet), status, stop (in dependency order), reset. The
// registry and the node are detached daemons of the kit's host, each with its data directory under the cluster's;
// every other base service is a server of the node (deployed through the registry and the node's NodeCtl, as
// `tars server deploy` does), so the node restarts it when it dies. Everything is found through the daemons' locks
// and direct endpoints: status and stop work with the registry or the node down.
import {chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type {Communicator} from '@tars-ts/core';
import type {NodeCtl, RegistryCtl} from '@tars-ts/core/framework';
import {
  type DaemonInfo, type DaemonSpec, UserError, adminAuth, checkAdminToken, daemonStatus, isWildcardHost, loopbackEndpoint,
  pingEndpoint, portFree, processAlive, redactUrl, startDetached, stopDaemon,
} from '@tars-ts/kit';

import {
  CLUSTER_FILE, CLUSTER_FORMAT, type ClusterFile, MANAGED_SERVICES, ROOT_SERVICES, type ServicePlan, clusterPlan,
  checkRegistries, managedCommand, nodeDataDir, parseClusterFile, portsNeeded,
} from './plan.js';

const QUERY_OBJ = 'tars.tarsregistry.QueryObj';
const REGISTRY_CTL_OBJ = 'tars.tarsregistry.RegistryCtlObj';
const NODE_OBJ = 'tars.tarsnode.NodeObj';
/** The toolkit version written into cluster.json. */
export const TOOLKIT_VERSION = '0.1.0';
/** How long a managed base service has for its first heart-beat, and the cluster for every servant to answer, ms. */
export const DEFAULT_WAIT_MS = 60_000;

/** One service as `tars cluster status` shows it. */
export interface ServiceStatus {
  readonly name: string;
  /** `tars.<server>`. */
  readonly server: string;
  readonly role: 'root' | 'managed';
  /** running: it holds its lock and every servant answers tars_ping; not answering: it holds its lock, some do not. */
  readonly state: 'running' | 'not answering' | 'stopped';
  readonly pid?: number;
  readonly dataDir: string;
  readonly endpoints: readonly {obj: string; endpoint: string; answered: boolean; error?: string}[];
}

/** What `tars cluster start|status --json` print. */
export interface ClusterStatusJson {
  readonly dataDir: string;
  /** The registry's QueryObj: the locator the CLI saved. */
  readonly locator: string;
  readonly nodeName: string;
  readonly services: readonly ServiceStatus[];
}

/** How a cluster is reached and where. */
export interface ClusterOptions {
  /** The cluster's data directory, absolute. */
  readonly dir: string;
  /** Every daemon's spec, by name (the registry, the node and the managed base services). */
  readonly specs: ReadonlyMap<string, DaemonSpec>;
  /** Node's arguments and the CLI's entry script, to start daemons (`node [opts] bin/run.js ...`). */
  readonly entry: readonly string[];
  /** The CLI's name for hints. */
  readonly bin: string;
  /** The admin token (TARS_ADMIN_TOKEN or `tars login`), when there is one: the admin objects ask for it. */
  readonly adminToken?: string | undefined;
}

/** What a start did for each service. */
export type StartAction = 'started' | 'deployed' | 'already running';

/** What {@link Cluster.stop} did for each service. */
export interface StopOutcome {
  readonly name: string;
  readonly stopped: boolean;
  readonly detail: string;
}

/** A cluster on this machine, by its data directory. */
export class Cluster {
  private communicator?: Communicator;

  constructor(private readonly options: ClusterOptions) {}

  get dir(): string {
    return this.options.dir;
  }

  /**
   * A cluster bound beyond loopback needs the admin token (ADMIN_TOKEN_REQUIRED before anything starts): its admin
   * objects (deploy, start/stop, config push, patch upload, registry writes) would be open to the network.
   */
  checkAdminToken(file: ClusterFile): void {
    for (const spec of this.options.specs.values()) checkAdminToken(spec, file.host, this.options.adminToken, this.options.bin);
  }

  /** DIR/cluster.json, or undefined when the directory holds no cluster yet. CLUSTER_DATA_TOO_NEW/INVALID. */
  readFile(): ClusterFile | undefined {
    const file = path.join(this.dir, CLUSTER_FILE);
    if (!existsSync(file)) return undefined;
    return parseClusterFile(readFileSync(file, 'utf8'), file);
  }

  /**
   * The cluster file for a start: the existing one with `host` and `basePort` replaced when given, or a new one (see
   * {@link save}). Refuses a directory a newer tars wrote, and moving a cluster that runs (CLUSTER_RUNNING).
   */
  async prepare(given: {host?: string | undefined; basePort?: number | undefined; db?: string | undefined;
    registries?: number | undefined}): Promise<ClusterFile> {
    const old = this.readFile();
    const host = given.host ?? old?.host ?? '127.0.0.1';
    const basePort = given.basePort ?? old?.basePort;
    const db = given.db ?? old?.db;
    const registries = given.registries ?? old?.registries ?? 1;
    checkRegistries(registries, db);
    if (old && db !== old.db) {
      // The stores move with --db: a running registry would keep its old one while the rest followed.
      const running = await this.running(this.plan(old));
      if (running.size > 0) {
        const stores = (url: string | undefined): string => (url ? redactUrl(url) : 'SQLite files');
        throw new UserError(`the cluster in ${this.dir} runs with its stores in ${stores(old.db)} ` +
          `(${[...running.keys()].join(', ')}); it cannot switch to ${stores(db)} while it runs`, {
          code: 'CLUSTER_RUNNING',
          hint: `stop it first: ${this.options.bin} cluster stop${this.dirFlag()}, then start it again with --db`});
      }
    }
    if (old && (host !== old.host || basePort !== old.basePort || registries !== (old.registries ?? 1))) {
      // A running cluster stays where it is: moving only what is not running would split it (and its node and
      // services know the registries they were started with).
      const running = await this.running(this.plan(old));
      if (running.size > 0) {
        type Where = {host: string; basePort?: number | undefined; registries?: number | undefined};
        const where = (f: Where): string =>
          `${f.host} ${f.basePort === undefined ? 'on the official ports' : `ports ${f.basePort}..` +
            `${f.basePort + this.portsNeeded(f.registries) - 1}`}` +
          ((f.registries ?? 1) > 1 ? ` with ${f.registries} registries` : '');
        throw new UserError(`the cluster in ${this.dir} runs on ${where(old)} (${[...running.keys()].join(', ')}); ` +
          `it cannot move to ${where({host, basePort, registries})} while it runs`, {code: 'CLUSTER_RUNNING',
          hint: `stop it first: ${this.options.bin} cluster stop${this.dirFlag()}, then start it again with the new ` +
            'flags'});
      }
    }
    const next: ClusterFile = {format: CLUSTER_FORMAT, version: TOOLKIT_VERSION, host,
      ...(basePort === undefined ? {} : {basePort}), ...(registries > 1 ? {registries} : {}),
      ...(db === undefined ? {} : {db}),
      nodeName: old?.nodeName ?? (isWildcardHost(host) ? os.hostname() : host),
      createdAt: old?.createdAt ?? new Date().toISOString()};
    return next;
  }

  /** Writes DIR/cluster.json (once the start's checks passed: a refused start leaves the directory as it was). */
  save(next: ClusterFile): void {
    if (JSON.stringify(next) === JSON.stringify(this.readFile())) return;
    mkdirSync(this.dir, {recursive: true});
    const file = path.join(this.dir, CLUSTER_FILE);
    // A start killed here leaves the old file or the new one, never half of one.
    // With --db the file may hold a password: readable by its owner only.
    writeFileSync(`${file}.tmp`, `${JSON.stringify(next, null, 2)}\n`, {mode: next.db ? 0o600 : 0o644});
    if (next.db) chmodSync(`${file}.tmp`, 0o600);
    renameSync(`${file}.tmp`, file);
  }

  /**
   * The warning for a port range inside the system's ephemeral range (Linux: /proc/sys/net/ipv4/ip_local_port_range),
   * where an outgoing connection may take a service's port as its source port while the service restarts.
   */
  ephemeralWarning(plan: readonly ServicePlan[]): string | undefined {
    let range: number[];
    try {
      range = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    } catch {
      return undefined;
    }
    const [low, high] = range as [number, number];
    const ports = plan.flatMap((p) => [...p.servants.map((x) => x.port), ...p.extras.map((e) => e.assigned)]);
    const inside = ports.filter((p) => p >= low && p <= high);
    if (inside.length === 0) return undefined;
    return `ports ${inside[0]}..${inside.at(-1)} are in this system's ephemeral range (${low}-${high}): while a ` +
      'service restarts, an outgoing connection may take its port; a --base-port below ' + `${low - this.portsNeeded(plan.filter((p) => p.daemon === 'registry').length)} avoids it`;
  }

  /** ` --data DIR` for hints, unless the directory is the default one. */
  private dirFlag(): string {
    return this.dir === path.resolve('.tars') ? '' : ` --data ${this.dir}`;
  }

  /** The specs in start order: the root services, then the managed ones. */
  private orderedSpecs(): DaemonSpec[] {
    return [...ROOT_SERVICES, ...MANAGED_SERVICES].map((name) => {
      const spec = this.options.specs.get(name);
      if (!spec) throw new Error(`ClusterOptions.specs has no ${name} daemon`);
      return spec;
    });
  }

  /** Every service placed, for the cluster file `file`. */
  plan(file: ClusterFile): ServicePlan[] {
    return clusterPlan(this.orderedSpecs(), {dir: this.dir, host: file.host, basePort: file.basePort, db: file.db,
      registries: file.registries, authenticated: this.options.adminToken !== undefined});
  }

  /** How many ports `--base-port` takes (with `registries` registries). */
  portsNeeded(registries = 1): number {
    return portsNeeded(this.orderedSpecs(), registries);
  }

  /** The registries' QueryObj, as clients dial it: every registry's endpoint, the first registry's first. */
  locatorOf(plan: readonly ServicePlan[]): string {
    return `${QUERY_OBJ}@${plan.filter((p) => p.daemon === 'registry')
      .map((p) => loopbackEndpoint(p.servants[0]!.endpoint)).join(':')}`;
  }

  /** Which services hold their lock now, with what they say of themselves. */
  async running(plan: readonly ServicePlan[]): Promise<Map<string, DaemonInfo>> {
    const out = new Map<string, DaemonInfo>();
    await Promise.all(plan.map(async (p) => {
      const status = await daemonStatus({name: p.name}, {data: p.dataDir}).catch(() => undefined);
      if (status?.running) out.set(p.name, status.info);
    }));
    return out;
  }

  /**
   * Refuses to start when a port the cluster is about to bind is held: CLUSTER_PORT_IN_USE naming the port, the
   * service and `--base-port`. Ports of services that run are theirs; a managed service's are the node's concern
   * while the node runs (it may be restarting it right now).
   */
  async checkPorts(plan: readonly ServicePlan[], running: ReadonlyMap<string, DaemonInfo>, file: ClusterFile):
    Promise<void> {
    const nodeUp = running.has('node');
    for (const p of plan) {
      if (running.has(p.name) || (p.role === 'managed' && nodeUp)) continue;
      const ports = [...p.servants.map((s) => ({port: s.port, what: s.obj})),
        ...p.extras.map((e) => ({port: e.assigned, what: e.what}))];
      for (const {port, what} of ports) {
        if (await portFree(file.host, port)) continue;
        const needed = this.portsNeeded(file.registries);
        throw new UserError(`port ${port} on ${file.host} is in use by another process: the cluster's ${p.name} ` +
          `needs it (${what})`, {code: 'CLUSTER_PORT_IN_USE',
          hint: `stop what holds it (ss -ltnp 'sport = :${port}'), or give the cluster other ports: ` +
            `${this.options.bin} cluster start --base-port 30000 (it takes ${needed} consecutive ports)`});
      }
    }
  }

  /** Starts a root daemon (the registry or the node) in the background, unless it runs. */
  async startRoot(p: ServicePlan, file: ClusterFile, plan: readonly ServicePlan[], running: Map<string, DaemonInfo>):
    Promise<StartAction> {
    if (running.has(p.name)) return 'already running';
    const spec = this.options.specs.get(p.daemon)!;
    // On the official ports only the first registry is where its daemon puts it by default.
    const port = file.basePort !== undefined || p.name !== p.daemon ? p.servants[0]!.port : undefined;
    const args = [p.daemon, 'start', '--data', p.dataDir, '--host', file.host,
      ...(port === undefined ? [] : ['--port', String(port)]),
      ...(p.name === 'node' ? ['--locator', this.locatorOf(plan), '--name', file.nodeName] : []),
      ...(p.db ? ['--db', p.db] : [])];
    const info = await startDetached(spec, {entry: this.options.entry, args, data: p.dataDir, bin: this.options.bin,
      ...(port === undefined ? {} : {port})});
    running.set(p.name, info);
    return 'started';
  }

  private comm(core: typeof import('@tars-ts/core')): Communicator {
    const auth = adminAuth(this.options.adminToken);
    this.communicator ??= new core.Communicator(auth ? {auth} : {});
    return this.communicator;
  }

  /** The registry's control servant and the node's NodeObj (Node and NodeCtl), at their endpoints. */
  private async proxies(running: ReadonlyMap<string, DaemonInfo>, timeout = 5000) {
    const [core, framework] = await Promise.all([import('@tars-ts/core'), import('@tars-ts/core/framework')]);
    const comm = this.comm(core);
    // Any registry that runs will do: they share one store.
    const at = (daemon: string, obj: string): string => {
      const e = [...running].filter(([name]) => name === daemon || (daemon === 'registry' && /^registry\d+$/.test(name)))
        .flatMap(([, info]) => info.endpoints).find((x) => x.obj === obj);
      if (!e) throw new UserError(`the cluster's ${daemon} does not run`, {code: 'CLUSTER_NOT_RUNNING'});
      return `${obj}@${loopbackEndpoint(e.endpoint)}`;
    };
    return {
      framework,
      ctl: () => comm.stringToProxy(framework.RegistryCtl.RegistryCtlProxy, at('registry', REGISTRY_CTL_OBJ), {timeout}),
      node: (ms = timeout) => comm.stringToProxy(framework.Node.NodeProxy, at('node', NODE_OBJ), {timeout: ms}),
      nodeCtl: (ms = timeout) => comm.stringToProxy(framework.NodeCtl.NodeCtlProxy, at('node', NODE_OBJ), {timeout: ms}),
    };
  }

  /**
   * Deploys each managed base service on the node (all at once), or starts it when it is deployed as wanted but
   * not running, or leaves it when it runs: its deployment in the registry is the adapters of the plan and the
   * command line of this CLI, so that a cluster started again by another checkout or on other ports follows.
   */
  async startManaged(plan: readonly ServicePlan[], file: ClusterFile, running: ReadonlyMap<string, DaemonInfo>,
    waitMs = DEFAULT_WAIT_MS): Promise<Map<string, StartAction>> {
    const {framework, ctl, node, nodeCtl} = await this.proxies(running, 10_000);
    const {RegistryCtl: R} = framework;
    const [{servers: deployed}, {servers: managed}] = await Promise.all([ctl().listServers(file.nodeName),
      nodeCtl().listManaged()]);
    const actions = new Map<string, StartAction>();
    const failures: string[] = [];
    await Promise.all(plan.filter((p) => p.role === 'managed').map(async (p) => {
      const want: RegistryCtl.ServerDeployment = R.ServerDeployment.create({application: 'tars', serverName: p.server,
        nodeName: file.nodeName, serverType: 'tars_nodejs', startScript: managedCommand([process.execPath, ...this.options.entry], p),
        settingState: 'active', adapters: p.servants.map((s) => R.ServerAdapter.create({name: `${s.obj}Adapter`,
          servant: s.obj, endpoint: s.endpoint, protocol: 'tars'}))});
      const old = deployed.find((d) => d.application === 'tars' && d.serverName === p.server);
      const mine = managed.find((m) => m.application === 'tars' && m.serverName === p.server);
      try {
        if (old && sameDeployment(old, want) && mine) {
          if (mine.state === framework.NodeDescriptor.ServerState.Active && mine.pid > 0) {
            actions.set(p.name, 'already running');
            return;
          }
          const {ret, result} = await node(waitMs + 5000).startServer('tars', p.server);
          if (ret !== 0) throw new Error(result);
          actions.set(p.name, 'started');
          return;
        }
        await this.deploy(p, {...want, profile: old?.profile ?? ''}, old, waitMs, nodeCtl, ctl);
        actions.set(p.name, 'deployed');
      } catch (error) {
        failures.push(`${p.name}: ${(error as Error).message.split('\nhint: ')[0]}`);
      }
    }));
    if (failures.length > 0) {
      throw new UserError(`the node could not run ${failures.length === 1 ? 'a base service' : 'base services'}: ` +
        failures.join('; '), {code: 'DEPLOY_FAILED',
        hint: `each server's output is under ${nodeDataDir(this.dir)}/tars.<server>/log/; ${this.options.bin} ` +
          'server logs tars.<server> shows it'});
    }
    return actions;
  }

  /** Stages the service's package on the node, records it in the registry and starts it; undone on failure. */
  private async deploy(p: ServicePlan, want: RegistryCtl.ServerDeployment, old: RegistryCtl.ServerDeployment | undefined,
    waitMs: number, nodeCtl: (ms?: number) => NodeCtl.NodeCtlProxy, ctl: () => RegistryCtl.RegistryCtlProxy):
    Promise<void> {
    const packageDir = this.packageDir(p);
    const staged = await nodeCtl(120_000).stagePackage({application: 'tars', serverName: p.server,
      packagePath: packageDir, command: want.startScript, patchObj: '', patchFile: '', md5: '', version: ''});
    if (staged.ret !== 0) throw new Error(staged.result);
    const put = await ctl().putServer(want);
    if (put.ret !== 0) throw new Error(`the registry refused tars.${p.server}: ${put.result}`);
    const {ret, result} = await nodeCtl(waitMs + 70_000).activateServer('tars', p.server, waitMs);
    if (ret !== 0) {
      // What the registry had before comes back (the node has put its own side back already).
      if (old) await ctl().putServer(old).catch(() => undefined);
      else await ctl().dropServer('tars', p.server, want.nodeName).catch(() => undefined);
      throw new Error(result);
    }
  }

  /**
   * The package a managed service is deployed from: no code of its own (the node runs this CLI), only a README
   * saying so, kept in DIR/packages/tars.<server>/.
   */
  private packageDir(p: ServicePlan): string {
    const dir = path.join(this.dir, 'packages', `tars.${p.server}`);
    mkdirSync(dir, {recursive: true});
    writeFileSync(path.join(dir, 'README'), `tars.${p.server}: the ${p.name} base service of the cluster in ` +
      `${this.dir}.\nThe node runs it as this toolkit's "${this.options.bin} ${p.name} start --config=<file>"; ` +
      'this package holds no code.\n');
    return dir;
  }

  /**
   * Waits until every servant of every service answers tars_ping (each service's endpoints as its lock gives them),
   * up to `waitMs`; then the status. CLUSTER_NOT_RUNNING naming what does not answer when the time is up.
   */
  async waitAnswering(plan: readonly ServicePlan[], waitMs = DEFAULT_WAIT_MS): Promise<ServiceStatus[]> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const status = await this.status(plan);
      const down = status.filter((s) => s.state !== 'running');
      if (down.length === 0) return status;
      if (Date.now() >= deadline) {
        throw new UserError(`not every service of the cluster answers after ${waitMs} ms: ` +
          down.map((s) => `${s.name} (${s.state})`).join(', '), {code: 'CLUSTER_NOT_RUNNING',
          hint: `${this.options.bin} cluster status shows each; the node's log is ${nodeDataDir(this.dir)}/daemon.log`});
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** Each service: whether it holds its lock, its pid, and whether each servant answers tars_ping. */
  async status(plan: readonly ServicePlan[]): Promise<ServiceStatus[]> {
    const running = await this.running(plan);
    return Promise.all(plan.map(async (p): Promise<ServiceStatus> => {
      const info = running.get(p.name);
      const base = {name: p.name, server: `tars.${p.server}`, role: p.role, dataDir: p.dataDir};
      if (!info) {
        return {...base, state: 'stopped', endpoints: p.servants.map((s) => ({obj: s.obj, endpoint: s.endpoint,
          answered: false}))};
      }
      const endpoints = await Promise.all(p.servants.map(async (s) => {
        const endpoint = info.endpoints.find((e) => e.obj === s.obj)?.endpoint ?? s.endpoint;
        const error = await pingEndpoint({obj: s.obj, endpoint}, this.options.adminToken);
        return {obj: s.obj, endpoint, answered: error === undefined, ...(error === undefined ? {} : {error})};
      }));
      return {...base, state: endpoints.every((e) => e.answered) ? 'running' : 'not answering', pid: info.pid,
        endpoints};
    }));
  }

  /**
   * Stops the whole cluster in dependency order: the node's other servers first (they use the base services), then
   * the managed base services in reverse start order (each through the node, which keeps them deployed: a start
   * brings them back), then the node, then the registry. A service whose lock is free is skipped.
   */
  async stop(plan: readonly ServicePlan[], file: ClusterFile, timeoutMs = 10_000,
    progress: (line: string) => void = () => undefined): Promise<StopOutcome[]> {
    const running = await this.running(plan);
    const out: StopOutcome[] = [];
    // Servers the node ran go on without it (as under tarsnode): only the node can stop them gracefully, so a node
    // that is down is started first (and the registry it needs), adopting them.
    if (!running.has('node') && this.orphanedServers().length > 0) {
      progress('the node is down: starting it to stop the servers it runs');
      for (const p of plan.filter((x) => x.role === 'root')) await this.startRoot(p, file, plan, running);
    }
    const managedPlans = plan.filter((p) => p.role === 'managed').reverse();
    if (running.has('node')) {
      const {node, nodeCtl} = await this.proxies(running, timeoutMs + 10_000);
      const ours = new Set(managedPlans.map((p) => `tars.${p.server}`));
      const {servers} = await nodeCtl(5000).listManaged().catch(() => ({servers: [] as NodeCtl.ManagedServer[]}));
      const others = servers.filter((s) => !ours.has(`${s.application}.${s.serverName}`) && s.pid > 0);
      await Promise.all(others.map(async (s) => {
        const id = `${s.application}.${s.serverName}`;
        const r = await node().stopServer(s.application, s.serverName).catch((e: Error) => ({ret: -1, result: e.message}));
        out.push({name: id, stopped: r.ret === 0, detail: r.ret === 0 ? `stopped (pid ${s.pid})` : r.result});
      }));
      for (const p of managedPlans) {
        const info = running.get(p.name);
        if (!info) continue;
        const r = await node().stopServer('tars', p.server).catch((e: Error) => ({ret: -1, result: e.message}));
        out.push({name: p.name, stopped: r.ret === 0, detail: r.ret === 0 ? `stopped (pid ${info.pid})` : r.result});
      }
    }
    // Without the node (or where it failed), the managed services are stopped as the daemons they are.
    const after = await this.running(plan);
    const order = [...managedPlans, ...plan.filter((p) => p.name === 'node'),
      ...plan.filter((p) => p.daemon === 'registry')];
    for (const p of order) {
      if (!after.has(p.name)) continue;
      const r = await stopDaemon({name: p.name}, {data: p.dataDir, timeoutMs});
      const known = out.findIndex((o) => o.name === p.name);
      const outcome = {name: p.name, stopped: r.stopped, detail: r.stopped
        ? `stopped (pid ${r.pid}${r.forced ? ', killed with SIGKILL' : ''})` : 'was not running'};
      if (known >= 0) out[known] = outcome;
      else out.push(outcome);
    }
    return out;
  }

  /**
   * The servers of the node other than the base services whose process still runs while the node is down: each
   * `App.Server` directory of the node's data whose run.json (what the node records of the process it started)
   * names a live pid.
   */
  orphanedServers(): string[] {
    let names: string[];
    try {
      names = readdirSync(nodeDataDir(this.dir), {withFileTypes: true})
        .filter((e) => e.isDirectory() && /^[^.]+\.[^.]+$/.test(e.name) && !e.name.startsWith('tars.'))
        .map((e) => e.name);
    } catch {
      return [];
    }
    return names.filter((name) => {
      try {
        const {pid} = JSON.parse(readFileSync(path.join(nodeDataDir(this.dir), name, 'run.json'), 'utf8')) as
          {pid?: unknown};
        return typeof pid === 'number' && pid > 0 && processAlive(pid);
      } catch {
        return false;
      }
    });
  }

  /**
   * Drops the stores the cluster's services keep in its `--db` database (each service's schema, `tars_<name>`; a
   * SQLite store goes with the directory). Returns what each did: `dropped`, `none` (there was none), or the error.
   */
  async dropDatabaseStores(plan: readonly ServicePlan[]): Promise<{name: string; schema: string; result: string}[]> {
    const [{removeStore}, {daemonSchema}] = await Promise.all([import('@tars-ts/kit/store'), import('@tars-ts/kit')]);
    const out: {name: string; schema: string; result: string}[] = [];
    for (const p of plan) {
      // The registries share one store: dropped once.
      if (!p.db || p.name !== p.daemon) continue;
      const schema = daemonSchema({name: p.daemon});
      try {
        out.push({name: p.name, schema, result: await removeStore({kind: 'postgres', url: p.db, schema}) ? 'dropped'
          : 'none'});
      } catch (error) {
        out.push({name: p.name, schema, result: (error as Error).message});
      }
    }
    return out;
  }

  /** Removes the cluster's data directory (stop it first). Only a directory with a cluster.json is removed. */
  remove(): void {
    if (!existsSync(path.join(this.dir, CLUSTER_FILE))) {
      throw new UserError(`${this.dir} holds no ${CLUSTER_FILE}: it is not a cluster's data directory, nothing was ` +
        'removed', {code: 'CLUSTER_DATA_INVALID', hint: 'give the cluster\'s directory with --data'});
    }
    rmSync(this.dir, {recursive: true, force: true});
  }

  close(): void {
    this.communicator?.close();
  }
}

/** Whether a deployment already is what the cluster wants (command line, adapters, setting). */
function sameDeployment(have: RegistryCtl.ServerDeployment, want: RegistryCtl.ServerDeployment): boolean {
  const key = (d: RegistryCtl.ServerDeployment): string => JSON.stringify(d.adapters.map((a) => [a.servant, a.endpoint])
    .sort());
  return have.startScript === want.startScript && have.settingState === 'active' && key(have) === key(want);
}
