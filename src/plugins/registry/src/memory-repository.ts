// RegistryRepository over plain maps: for tests, and for a registry that needs no persistence. Rows are replaced,
// never mutated, so a loadRows() result stays valid after later writes. A Map keeps insertion order and `set` on an
// existing key keeps its place: exactly the "order first added" the repository contract asks for.
import type {
  NodeLoad, NodeRegistration, RegistryRepository, ServerFilter, ServerStateUpdate, ServerWithAdapters,
} from './repository.js';
import {
  type AdapterRow, EMPTY_ROWS, type GroupPriorityRow, type GroupRuleRow, type NodeRow, type RegistryInfoRow,
  type RegistryRows,
  type ServerKey, type ServerRow, type SettingState, type StaticEndpointRow, serverKeyOf,
} from './rows.js';

const adapterKey = (a: AdapterRow): string => `${serverKeyOf(a)}\0${a.adapterName}`;
const staticKey = (owner: string, servant: string, endpoint: string): string => `${owner}\0${servant}\0${endpoint}`;
/** Code-unit order: what a SQL store sorts to as well (localeCompare would depend on the process's locale). */
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A {@link RegistryRepository} in memory, optionally seeded with rows. */
export class MemoryRegistryRepository implements RegistryRepository {
  private readonly nodes = new Map<string, NodeRow>();
  private readonly servers = new Map<string, ServerRow>();
  private readonly adapters = new Map<string, AdapterRow>();
  private readonly statics = new Map<string, StaticEndpointRow>();
  private readonly rules = new Map<number, GroupRuleRow>();
  private readonly priorities = new Map<string, GroupPriorityRow>();
  private readonly registries = new Map<string, RegistryInfoRow>();
  private stamp = 0;

  constructor(seed: Partial<RegistryRows> = {}) {
    const rows = {...EMPTY_ROWS, ...seed};
    // Copies, frozen: the contract hands out frozen rows, and the caller keeps its seed objects to itself.
    const own = <T extends object>(row: T): T => Object.freeze({...row});
    for (const n of rows.nodes) this.nodes.set(n.nodeName, own(n));
    for (const s of rows.servers) this.servers.set(serverKeyOf(s), own(s));
    for (const a of rows.adapters) this.adapters.set(adapterKey(a), own(a));
    for (const e of rows.staticEndpoints) this.statics.set(staticKey(e.owner, e.servant, e.endpoint), own(e));
    for (const r of rows.groupRules) this.rules.set(r.groupId, own(r));
    for (const p of rows.groupPriorities) this.priorities.set(p.id, own(p));
    for (const r of rows.registries) this.registries.set(`${r.locatorId}\0${r.servant}`, own(r));
  }

  async loadRows(): Promise<RegistryRows> {
    return Object.freeze({
      nodes: Object.freeze([...this.nodes.values()]),
      servers: Object.freeze([...this.servers.values()]),
      adapters: Object.freeze([...this.adapters.values()]),
      staticEndpoints: Object.freeze([...this.statics.values()]),
      groupRules: Object.freeze([...this.rules.values()]),
      groupPriorities: Object.freeze([...this.priorities.values()]),
      registries: Object.freeze([...this.registries.values()].sort((a, b) => byText(a.locatorId, b.locatorId) ||
        byText(a.servant, b.servant))),
    });
  }

  async registerNode(r: NodeRegistration, now: number): Promise<'registered' | 'name-taken'> {
    const old = this.nodes.get(r.nodeName);
    if (old && old.presentState === 'active' && old.nodeObj !== '' && r.nodeObj !== '' && old.nodeObj !== r.nodeObj) {
      return 'name-taken';
    }
    this.nodes.set(r.nodeName, Object.freeze({
      nodeName: r.nodeName, nodeObj: r.nodeObj, endpointIp: r.endpointIp, endpointPort: r.endpointPort,
      dataDir: r.dataDir, version: r.version, presentState: 'active', lastRegTime: now, lastHeartbeat: now,
      loadAvg1: r.load.avg1, loadAvg5: r.load.avg5, loadAvg15: r.load.avg15, templateName: old?.templateName ?? '',
    }));
    return 'registered';
  }

  async keepAlive(nodeName: string, load: NodeLoad, now: number): Promise<boolean> {
    const old = this.nodes.get(nodeName);
    if (!old) return false;
    this.nodes.set(nodeName, Object.freeze({...old, lastHeartbeat: now, presentState: 'active',
      loadAvg1: load.avg1, loadAvg5: load.avg5, loadAvg15: load.avg15}));
    return true;
  }

  async destroyNode(nodeName: string): Promise<boolean> {
    const old = this.nodes.get(nodeName);
    if (!old) return false;
    this.nodes.set(nodeName, Object.freeze({...old, presentState: 'inactive'}));
    this.deactivateServersOf(nodeName, false);
    return true;
  }

  async expireNodes(heartbeatBefore: number): Promise<string[]> {
    const expired: string[] = [];
    for (const node of this.nodes.values()) {
      if (node.lastHeartbeat >= heartbeatBefore) continue;
      // Official: the UPDATE matches every silent node, already-inactive ones included; report only real changes.
      if (node.presentState === 'active') expired.push(node.nodeName);
      this.nodes.set(node.nodeName, Object.freeze({...node, presentState: 'inactive'}));
      this.deactivateServersOf(node.nodeName, true);
    }
    return expired.sort(byText);
  }

  private deactivateServersOf(nodeName: string, clearPid: boolean): void {
    for (const [key, s] of this.servers) {
      if (s.nodeName !== nodeName) continue;
      this.servers.set(key, Object.freeze({...s, presentState: 'inactive', ...(clearPid ? {processId: 0} : {})}));
    }
  }

  async getNode(nodeName: string): Promise<NodeRow | undefined> {
    return this.nodes.get(nodeName);
  }

  async listNodes(): Promise<NodeRow[]> {
    return [...this.nodes.values()].sort((a, b) => byText(a.nodeName, b.nodeName));
  }

  async getServers(filter: ServerFilter): Promise<ServerWithAdapters[]> {
    const out: ServerWithAdapters[] = [];
    for (const s of this.servers.values()) {
      if (s.nodeName !== filter.nodeName || s.serverType === 'tars_dns') continue;
      if (filter.application && s.application !== filter.application) continue;
      if (filter.serverName && s.serverName !== filter.serverName) continue;
      const key = serverKeyOf(s);
      out.push({server: s, adapters: [...this.adapters.values()].filter((a) => serverKeyOf(a) === key)});
    }
    return out;
  }

  async getServer(key: ServerKey): Promise<ServerRow | undefined> {
    return this.servers.get(serverKeyOf(key));
  }

  async listServers(): Promise<ServerRow[]> {
    return [...this.servers.values()];
  }

  async updateServerStates(updates: readonly ServerStateUpdate[]): Promise<void> {
    for (const u of updates) {
      const key = serverKeyOf(u);
      const old = this.servers.get(key);
      if (old) this.servers.set(key, Object.freeze({...old, presentState: u.presentState, processId: u.processId}));
    }
  }

  private patch(key: ServerKey, change: Partial<ServerRow>): boolean {
    const k = serverKeyOf(key);
    const old = this.servers.get(k);
    if (!old) return false;
    this.servers.set(k, Object.freeze({...old, ...change}));
    return true;
  }

  async setSettingState(key: ServerKey, state: SettingState): Promise<boolean> {
    return this.patch(key, {settingState: state});
  }

  async setFlowState(application: string, serverName: string, nodeNames: readonly string[],
    state: 'active' | 'inactive'): Promise<void> {
    for (const nodeName of nodeNames) this.patch({application, serverName, nodeName}, {flowState: state});
  }

  async setServerVersion(key: ServerKey, version: string): Promise<void> {
    this.patch(key, {tarsVersion: version});
  }

  async setPatchResult(key: ServerKey, patch: {version: string; user: string; time: string}): Promise<void> {
    this.patch(key, {patchVersion: patch.version, patchUser: patch.user, patchTime: patch.time});
  }

  async saveServer(row: ServerRow, replace: boolean): Promise<boolean> {
    const key = serverKeyOf(row);
    if (this.servers.has(key) && !replace) return false;
    this.servers.set(key, Object.freeze({...row}));
    return true;
  }

  async saveAdapter(row: AdapterRow, replace: boolean): Promise<boolean> {
    const key = adapterKey(row);
    if (!this.servers.has(serverKeyOf(row))) return false;
    if (this.adapters.has(key) && !replace) return false;
    this.adapters.set(key, Object.freeze({...row}));
    return true;
  }

  async replaceServer(server: ServerRow, adapters: readonly AdapterRow[]): Promise<ServerWithAdapters | undefined> {
    const k = serverKeyOf(server);
    if (adapters.some((a) => serverKeyOf(a) !== k)) throw new TypeError('replaceServer: an adapter of another server');
    const old = this.servers.get(k);
    const previous = old ? {server: old, adapters: [...this.adapters.values()].filter((a) => serverKeyOf(a) === k)}
      : undefined;
    this.servers.set(k, Object.freeze({...server}));
    const keep = new Set(adapters.map(adapterKey));
    for (const [ak, a] of this.adapters) if (serverKeyOf(a) === k && !keep.has(ak)) this.adapters.delete(ak);
    for (const a of adapters) this.adapters.set(adapterKey(a), Object.freeze({...a}));
    return previous;
  }

  async removeServer(key: ServerKey): Promise<boolean> {
    const k = serverKeyOf(key);
    if (!this.servers.delete(k)) return false;
    for (const [ak, a] of this.adapters) if (serverKeyOf(a) === k) this.adapters.delete(ak);
    return true;
  }

  async addStaticEndpoint(row: StaticEndpointRow): Promise<void> {
    this.statics.set(staticKey(row.owner, row.servant, row.endpoint), Object.freeze({...row}));
  }

  async removeStaticEndpoint(owner: string, servant: string, endpoint: string): Promise<boolean> {
    return this.statics.delete(staticKey(owner, servant, endpoint));
  }

  async saveGroupRule(row: GroupRuleRow): Promise<void> {
    this.rules.set(row.groupId, Object.freeze({...row}));
  }

  async removeGroupRule(groupId: number): Promise<boolean> {
    return this.rules.delete(groupId);
  }

  async saveGroupPriority(row: GroupPriorityRow): Promise<void> {
    this.priorities.set(row.id, Object.freeze({...row}));
  }

  async removeGroupPriority(id: string): Promise<boolean> {
    return this.priorities.delete(id);
  }

  async putRegistryInfo(locatorId: string, rows: readonly {servant: string; endpoint: string}[], now: number):
    Promise<void> {
    await this.removeRegistryInfo(locatorId);
    for (const r of rows) {
      this.registries.set(`${locatorId}\0${r.servant}`, Object.freeze({locatorId, servant: r.servant,
        endpoint: r.endpoint, lastHeartbeat: now}));
    }
  }

  async removeRegistryInfo(locatorId: string): Promise<void> {
    for (const [key, r] of this.registries) if (r.locatorId === locatorId) this.registries.delete(key);
  }

  async listRegistryInfo(): Promise<RegistryInfoRow[]> {
    return [...this.registries.values()].sort((a, b) => byText(a.locatorId, b.locatorId) ||
      byText(a.servant, b.servant));
  }

  async bumpStamp(): Promise<void> {
    this.stamp++;
  }

  async readStamp(): Promise<number> {
    return this.stamp;
  }
}
