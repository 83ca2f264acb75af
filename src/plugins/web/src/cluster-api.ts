// What the console shows and does, asked of the base services over TARS (never their databases): the registry
// (RegistryCtl for deployments, nodes and objects; QueryF for each object's endpoints; AdminReg to start and stop a
// server) and each live node (NodeCtl.listManaged: what its processes do right now).
import type {Communicator} from '@tars-ts/core';
import type {NodeCtl, RegistryCtl} from '@tars-ts/core/framework';

import {ApiError, askService} from './api-error.js';

/** The registry's servants the console calls by name (resolved through the locator's QueryObj). */
export const REGISTRY_CTL_OBJ = 'tars.tarsregistry.RegistryCtlObj';
export const ADMIN_REG_OBJ = 'tars.tarsAdminRegistry.AdminRegObj';

/** A node waits up to 8 s for a start and 60 s for a stop: AdminReg (and the console) wait that long. */
const ACTION_TIMEOUT_MS = 75_000;

/** The node's process states (NodeDescriptor.tars ServerState), by number. */
const STATE_NAMES = ['inactive', 'activating', 'active', 'deactivating', 'destroying', 'destroyed'];

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

/** One instance of a server: what the registry wants and last heard, and what its node says now. */
export interface InstanceJson {
  node: string;
  /** The registry's setting state: active (auto-start) or inactive. */
  setting: string;
  /** What the node last reported to the registry. */
  present: string;
  /** The node's own view now ('' when the node is silent or did not answer). */
  state: string;
  pid: number;
  /** When the process was started or adopted, ms since the epoch (0: not running or unknown). */
  startedAt: number;
  /** Starts after the first, by this node. */
  restarts: number;
  version: string;
  /** The patch-store version the node runs ('' for a package deployed from a path). */
  release: string;
  /** `Obj endpoint` of each adapter. */
  endpoints: string[];
}

/** GET /api/tree. Only fields that change when something happens (no heart-beat times), so changes can be diffed. */
export interface TreeJson {
  applications: {name: string; servers: {name: string; instances: InstanceJson[]}[]}[];
  nodes: {name: string; alive: boolean; version: string; servers: number}[];
}

/** GET /api/servers/:app/:server: every instance with its adapters and the node's process details. */
export interface ServerJson {
  server: string;
  application: string;
  serverName: string;
  instances: (InstanceJson & {
    adapters: {name: string; servant: string; endpoint: string; protocol: string; threads: number}[];
    serverType: string;
    setId: string;
    command: string;
    lastExit: string;
    autoStart: boolean;
  })[];
}

/** POST /api/servers/:app/:server/start|stop|restart: what each node answered, and the server afterwards. */
export interface ActionJson {
  server: string;
  action: ServerAction;
  nodes: {node: string; result: string}[];
  after: ServerJson;
}

/** GET /api/registry: every object the registry knows and its endpoints. */
export interface RegistryJson {
  objects: {name: string; nodes: string[]; manual: number; active: string[]; inactive: string[]}[];
}

/** What a server page's buttons do. */
export type ServerAction = 'start' | 'stop' | 'restart';

/** `App` and `Server` checked (400 BAD_NAME naming the fix otherwise). */
export function checkServerId(application: string, serverName: string): void {
  for (const part of [application, serverName]) {
    if (!NAME.test(part)) {
      throw new ApiError(400, 'BAD_NAME', `"${part}" is not an application or server name`,
        'names are letters, digits, _ and -, e.g. /api/servers/TestApp/HelloGo');
    }
  }
}

/** An endpoint of the locator's answer as its usual text (`tcp -h H -p P -t T`). */
function endpointText(e: {host: string; port: number; timeout: number; istcp: number; nodeName: string}): string {
  const proto = e.istcp === 0 ? 'udp' : e.istcp === 2 ? 'ssl' : 'tcp';
  return `${proto} -h ${e.host} -p ${e.port}${e.timeout > 0 ? ` -t ${e.timeout}` : ''}` +
    (e.nodeName ? ` (node ${e.nodeName})` : '');
}

/**
 * The console's view of a cluster through one communicator (whose locator is the registry). Every call that gets no
 * answer rejects with a 502 {@link ApiError} naming the service; the caller owns the communicator.
 */
export class ClusterApi {
  /**
   * @param communicator with the registry as its locator (and the admin token's keys when there is one)
   * @param locator the registry's QueryObj with its endpoints (`tars.tarsregistry.QueryObj@tcp -h H -p P`)
   * @param timeoutMs each lookup's timeout (actions wait up to 75 s: a node's graceful stop)
   */
  constructor(private readonly communicator: Communicator, private readonly locator: string,
    private readonly timeoutMs: number) {}

  private async ctl(): Promise<RegistryCtl.RegistryCtlProxy> {
    const {RegistryCtl: R} = await import('@tars-ts/core/framework');
    return this.communicator.stringToProxy(R.RegistryCtlProxy, REGISTRY_CTL_OBJ, {timeout: this.timeoutMs});
  }

  /** `call()`, its failure as a 502 naming what did not answer. */
  private ask<T>(what: string, call: () => Promise<T>): Promise<T> {
    return askService(what, call,
      'is the cluster up? tars cluster status (or tars registry status) says; the console retries on the next request');
  }

  private async deployments(): Promise<{deployments: RegistryCtl.ServerDeployment[]; nodes: RegistryCtl.RegistryNode[]}> {
    const ctl = await this.ctl();
    const [servers, nodes] = await this.ask('the registry (RegistryCtlObj)', () =>
      Promise.all([ctl.listServers(''), ctl.listNodes()]));
    return {deployments: servers.servers, nodes: nodes.nodes};
  }

  /** What each live node hosting one of `deployments` says of its processes; a silent node is left out. */
  private async managed(deployments: readonly RegistryCtl.ServerDeployment[], nodes: readonly RegistryCtl.RegistryNode[]):
    Promise<Map<string, NodeCtl.ManagedServer[]>> {
    const {NodeCtl: N} = await import('@tars-ts/core/framework');
    const alive = new Map(nodes.filter((n) => n.alive && n.nodeObj.includes('@')).map((n) => [n.name, n]));
    const out = new Map<string, NodeCtl.ManagedServer[]>();
    await Promise.all([...new Set(deployments.map((d) => d.nodeName))].map(async (name) => {
      const node = alive.get(name);
      if (!node) return;
      try {
        const proxy = this.communicator.stringToProxy(N.NodeCtlProxy, node.nodeObj, {timeout: this.timeoutMs});
        out.set(name, (await proxy.listManaged()).servers);
      } catch {
        // a node that does not answer leaves its instances' `state` empty: the registry's view still shows
      }
    }));
    return out;
  }

  private static instance(d: RegistryCtl.ServerDeployment, m: NodeCtl.ManagedServer | undefined): InstanceJson {
    return {node: d.nodeName, setting: d.settingState, present: d.presentState,
      state: m ? STATE_NAMES[m.state] ?? String(m.state) : '', pid: m ? m.pid : d.processId,
      startedAt: m && m.pid > 0 ? Number(m.startedAt) : 0, restarts: Math.max(0, (m?.starts ?? 0) - 1),
      version: m?.version || d.version, release: d.patchVersion,
      endpoints: d.adapters.map((a) => `${a.servant.split('.').pop()} ${a.endpoint}`)};
  }

  /** Applications, their servers and each server's instances per node, sorted by name; and the nodes. */
  async tree(): Promise<TreeJson> {
    const {deployments, nodes} = await this.deployments();
    const managed = await this.managed(deployments, nodes);
    const apps = new Map<string, Map<string, InstanceJson[]>>();
    for (const d of deployments) {
      const m = managed.get(d.nodeName)?.find((s) => s.application === d.application && s.serverName === d.serverName);
      const servers = apps.get(d.application) ?? new Map<string, InstanceJson[]>();
      apps.set(d.application, servers);
      servers.set(d.serverName, [...servers.get(d.serverName) ?? [], ClusterApi.instance(d, m)]);
    }
    const byName = <T extends {name: string}>(a: T, b: T): number => a.name.localeCompare(b.name);
    return {
      applications: [...apps].map(([name, servers]) => ({name, servers: [...servers].map(([s, instances]) =>
        ({name: s, instances: instances.sort((a, b) => a.node.localeCompare(b.node))})).sort(byName)})).sort(byName),
      nodes: nodes.map((n) => ({name: n.name, alive: n.alive, version: n.version, servers: n.servers})).sort(byName),
    };
  }

  /** One server on each of its nodes (404 NO_SERVER when it is deployed nowhere). */
  async server(application: string, serverName: string): Promise<ServerJson> {
    checkServerId(application, serverName);
    const {deployments, nodes} = await this.deployments();
    const mine = deployments.filter((d) => d.application === application && d.serverName === serverName);
    if (mine.length === 0) {
      throw new ApiError(404, 'NO_SERVER', `${application}.${serverName} is not deployed`,
        'the service tree (GET /api/tree) lists what is deployed; deploy with tars server deploy');
    }
    const managed = await this.managed(mine, nodes);
    return {server: `${application}.${serverName}`, application, serverName, instances: mine.map((d) => {
      const m = managed.get(d.nodeName)?.find((s) => s.application === application && s.serverName === serverName);
      return {...ClusterApi.instance(d, m), adapters: d.adapters.map((a) => ({name: a.name, servant: a.servant,
        endpoint: a.endpoint, protocol: a.protocol, threads: a.threads})), serverType: d.serverType, setId: d.setId,
      command: m?.command ?? '', lastExit: m?.lastExit ?? '', autoStart: m?.autoStart ?? d.settingState === 'active'};
    }).sort((a, b) => a.node.localeCompare(b.node))};
  }

  /**
   * start, stop or restart the server on `node` (every node it is deployed on when undefined) through AdminReg, which
   * sets the setting state and asks the node; the first failure rejects (502 NO_ANSWER, or 409 ACTION_FAILED with
   * what the node said). Resolves with each node's answer and the server as it is afterwards.
   */
  async act(application: string, serverName: string, action: ServerAction, node?: string): Promise<ActionJson> {
    const before = await this.server(application, serverName);
    const targets = node === undefined ? before.instances.map((i) => i.node) : [node];
    if (node !== undefined && !before.instances.some((i) => i.node === node)) {
      throw new ApiError(404, 'NO_SERVER', `${before.server} is not deployed on node "${node}"`,
        `it is deployed on: ${before.instances.map((i) => i.node).join(', ')}`);
    }
    const {AdminReg} = await import('@tars-ts/core/framework');
    const admin = this.communicator.stringToProxy(AdminReg.AdminRegProxy, ADMIN_REG_OBJ, {timeout: ACTION_TIMEOUT_MS});
    const calls = action === 'restart' ? ['stopServer', 'startServer'] as const
      : [action === 'start' ? 'startServer' : 'stopServer'] as const;
    const nodes: ActionJson['nodes'] = [];
    for (const target of targets) {
      for (const call of calls) {
        const {ret, result} = await this.ask('the registry (AdminRegObj)', () => admin[call](application, serverName, target));
        if (ret !== 0) {
          throw new ApiError(ret === 1001 ? 502 : 409, ret === 1001 ? 'NO_NODE' : 'ACTION_FAILED',
            `${call} ${before.server} on ${target}: ${result || `AdminReg answered ${ret}`}`,
            ret === 1001 ? 'the node is not registered or silent: tars node list shows the nodes'
              : 'the node log (tars server logs) says why; try again once the cause is fixed');
        }
        if (call === calls.at(-1)) nodes.push({node: target, result});
      }
    }
    return {server: before.server, action, nodes, after: await this.server(application, serverName)};
  }

  /** Every object the registry lists, with its active and inactive endpoints (QueryF.findObjectById4All each). */
  async registry(): Promise<RegistryJson> {
    const {QueryF} = await import('@tars-ts/core/framework');
    const ctl = await this.ctl();
    const {objects} = await this.ask('the registry (RegistryCtlObj)', () => ctl.listObjects(''));
    const query = this.communicator.stringToProxy(QueryF.QueryFProxy, this.locator, {timeout: this.timeoutMs});
    const rows = await Promise.all(objects.map(async (o) => {
      const {activeEp, inactiveEp} = await this.ask('the registry (QueryObj)', () => query.findObjectById4All(o.name));
      return {name: o.name, nodes: o.nodes.filter((n) => n !== ''), manual: o.manual,
        active: activeEp.map(endpointText), inactive: inactiveEp.map(endpointText)};
    }));
    return {objects: rows.sort((a, b) => a.name.localeCompare(b.name))};
  }
}
