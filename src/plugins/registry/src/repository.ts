// Where the registry keeps its rows: an interface, so that the servants and the model are written once and the
// store (memory for tests, Kysely over SQLite or PostgreSQL for the daemon) is chosen where the registry is wired.
import type {
  AdapterRow, GroupPriorityRow, GroupRuleRow, NodeRow, PresentState, RegistryInfoRow, RegistryRows, ServerKey,
  ServerRow, SettingState, StaticEndpointRow,
} from './rows.js';

/** Load averages a node reports with registerNode and keepAlive. */
export interface NodeLoad {
  readonly avg1: number;
  readonly avg5: number;
  readonly avg15: number;
}

/** What a node says about itself when it registers (Registry.registerNode). */
export interface NodeRegistration {
  readonly nodeName: string;
  readonly nodeObj: string;
  readonly endpointIp: string;
  readonly endpointPort: number;
  readonly dataDir: string;
  readonly version: string;
  readonly load: NodeLoad;
}

/** A node's report of one server's process (Registry.updateServer / updateServerBatch). */
export interface ServerStateUpdate extends ServerKey {
  readonly presentState: PresentState;
  readonly processId: number;
}

/** Which servers Registry.getServers wants: those of one node, optionally one application and one server. */
export interface ServerFilter {
  readonly nodeName: string;
  /** '' or absent: every application. */
  readonly application?: string;
  /** '' or absent: every server. */
  readonly serverName?: string;
}

/** A server instance with its adapters, as getServers describes it. */
export interface ServerWithAdapters {
  readonly server: ServerRow;
  readonly adapters: readonly AdapterRow[];
}

/**
 * The registry's storage. Every method is one atomic change or read; times are the caller's clock (ms since the
 * epoch), never the store's, so that tests and several registries agree. After a write the caller reloads
 * {@link loadRows} into its model: the repository does not notify.
 *
 * Order: rows come back in the order they were first added (a replace or update keeps a row's place; a row removed
 * and added again goes last), as the official tables' auto-increment ids give them; QueryF lists endpoints in it.
 * Lists said to be "by name" are in code-unit order, whatever the database's collation. Rows returned are frozen.
 * A store that keeps its rows durably has committed a write when its promise resolves.
 */
export interface RegistryRepository {
  /**
   * Every row QueryF answers from, in one consistent read (no write lands between two of its tables), each table in
   * the order its rows were first added. The result does not change with later writes.
   */
  loadRows(): Promise<RegistryRows>;

  /**
   * Registers (or re-registers) a node: its row becomes active with lastRegTime = lastHeartbeat = `now`, keeping
   * its template name. Refused ('name-taken') when an active row of that name holds a different, non-empty nodeObj
   * and the new nodeObj is not empty (official rule: a second node under a live node's name).
   */
  registerNode(registration: NodeRegistration, now: number): Promise<'registered' | 'name-taken'>;
  /** Heart-beat: lastHeartbeat = `now`, presentState active, load updated. False when no such node. */
  keepAlive(nodeName: string, load: NodeLoad, now: number): Promise<boolean>;
  /** The node and every server on it become inactive (Registry.destroyNode). False when no such node. */
  destroyNode(nodeName: string): Promise<boolean>;
  /**
   * The reaper's rule (official checkNodeTimeout): every node whose lastHeartbeat is before `heartbeatBefore`
   * becomes inactive, and its servers inactive with processId 0 (an already-inactive silent node's servers too: they
   * may have been reported since). Returns the names of the nodes that were active and are not any more, by name.
   */
  expireNodes(heartbeatBefore: number): Promise<string[]>;
  /** One node's row. */
  getNode(nodeName: string): Promise<NodeRow | undefined>;
  /** Every node, by name. */
  listNodes(): Promise<NodeRow[]>;

  /**
   * Servers of one node with their adapters, tars_dns servers left out (Registry.getServers); servers and adapters
   * in the order first added.
   */
  getServers(filter: ServerFilter): Promise<ServerWithAdapters[]>;
  /** One server instance, if it exists. */
  getServer(key: ServerKey): Promise<ServerRow | undefined>;
  /** Every server instance, in the order first added. */
  listServers(): Promise<ServerRow[]>;
  /** Present state and process id of each named server, all or none; unknown servers are skipped. */
  updateServerStates(updates: readonly ServerStateUpdate[]): Promise<void>;
  /** An operator's start/stop: the setting state. False when no such server. */
  setSettingState(key: ServerKey, state: SettingState): Promise<boolean>;
  /** Lossless rollout: the flow state of a server on each of `nodeNames`. */
  setFlowState(application: string, serverName: string, nodeNames: readonly string[], state: 'active' | 'inactive'):
    Promise<void>;
  /** The TARS version a server reported (Registry.reportVersion). */
  setServerVersion(key: ServerKey, version: string): Promise<void>;
  /** The patch a node has applied to a server (Registry.updatePatchResult). */
  setPatchResult(key: ServerKey, patch: {version: string; user: string; time: string}): Promise<void>;
  /** Adds a server, or replaces it when `replace`; false when it exists and `replace` is false. */
  saveServer(row: ServerRow, replace: boolean): Promise<boolean>;
  /**
   * Adds an adapter, or replaces it when `replace` (key: its server, adapterName). False, and nothing saved, when it
   * exists and `replace` is false, or when its server does not exist: an adapter belongs to a server and is removed
   * with it.
   */
  saveAdapter(row: AdapterRow, replace: boolean): Promise<boolean>;
  /**
   * A deploy: the server instance becomes `server` (added, or every column replaced) with exactly `adapters` (those
   * it had and `adapters` lacks are removed), in one atomic write; a server kept keeps its place in the order, as do
   * adapters kept by name. Every adapter must belong to `server` (else a TypeError, nothing written). Returns what
   * it replaced, or undefined when the instance is new.
   */
  replaceServer(server: ServerRow, adapters: readonly AdapterRow[]): Promise<ServerWithAdapters | undefined>;
  /** Removes a server instance and its adapters. False when no such server. */
  removeServer(key: ServerKey): Promise<boolean>;

  /** Adds or replaces an endpoint not managed by a node (key: owner, servant, endpoint). */
  addStaticEndpoint(row: StaticEndpointRow): Promise<void>;
  /** Removes one (key: owner, servant, endpoint); false when there was none. */
  removeStaticEndpoint(owner: string, servant: string, endpoint: string): Promise<boolean>;

  /** Adds or replaces an IDC group (key: groupId). */
  saveGroupRule(row: GroupRuleRow): Promise<void>;
  /** Removes an IDC group; false when there was none. */
  removeGroupRule(groupId: number): Promise<boolean>;
  /** Adds or replaces a fallback row (key: id). */
  saveGroupPriority(row: GroupPriorityRow): Promise<void>;
  /** Removes a fallback row; false when there was none. */
  removeGroupPriority(id: string): Promise<boolean>;

  // Several registries on one store (a shared PostgreSQL database): each lists its own servants, and each tells the
  // others when it changed a row, so that they reload.

  /** Writes registry `locatorId`'s own servants, replacing its earlier rows, with `now` as their heart-beat. */
  putRegistryInfo(locatorId: string, rows: readonly {servant: string; endpoint: string}[], now: number): Promise<void>;
  /** Removes registry `locatorId`'s rows (its graceful stop). */
  removeRegistryInfo(locatorId: string): Promise<void>;
  /** Every registry's rows. */
  listRegistryInfo(): Promise<RegistryInfoRow[]>;
  /** Says that rows changed: every registry on the store reloads at its next sync. */
  bumpStamp(): Promise<void>;
  /** The change stamp {@link bumpStamp} moves. */
  readStamp(): Promise<number>;
}
