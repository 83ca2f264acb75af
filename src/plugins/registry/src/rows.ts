// The registry's state as rows: the shape a store holds (the official db_tars tables t_node_info, t_server_conf,
// t_adapter_conf, t_registry_info, t_server_group_rule, t_group_priority, reduced to the columns the registry
// reads). Plain readonly data, so that a memory repository, a SQL store and the tests all speak the same thing.

/** setting_state: what an operator wants (AdminReg start/stop writes it). */
export type SettingState = 'active' | 'inactive';

/**
 * present_state: what the node last reported (Registry.updateServer). The official column is a MySQL enum without
 * 'destroying', which MySQL then stores as ''; we keep the lower-cased ServerState name instead.
 */
export type PresentState = 'active' | 'inactive' | 'activating' | 'deactivating' | 'destroying' | 'destroyed';

/** A node (t_node_info). Times are milliseconds since the epoch, from the registry's clock. */
export interface NodeRow {
  readonly nodeName: string;
  /** `tars.tarsnode.NodeObj@tcp -h ... -p ...`, as the node registered it. */
  readonly nodeObj: string;
  readonly endpointIp: string;
  readonly endpointPort: number;
  readonly dataDir: string;
  /** The node's TARS version (NodeInfo.version). */
  readonly version: string;
  readonly presentState: 'active' | 'inactive';
  readonly lastRegTime: number;
  /** Last registerNode or keepAlive; servers of a node silent for longer than the node timeout are inactive. */
  readonly lastHeartbeat: number;
  readonly loadAvg1: number;
  readonly loadAvg5: number;
  readonly loadAvg15: number;
  /** Profile template the node's config is made from ('' = the registry's default). */
  readonly templateName: string;
}

/** The identity of a server instance: one server of one application on one node. */
export interface ServerKey {
  readonly application: string;
  readonly serverName: string;
  readonly nodeName: string;
}

/** A server instance (t_server_conf). */
export interface ServerRow extends ServerKey {
  readonly settingState: SettingState;
  readonly presentState: PresentState;
  /** AdminReg.updateServerFlowState: 'inactive' takes the instance out of the active list without stopping it. */
  readonly flowState: 'active' | 'inactive';
  readonly processId: number;
  /** enable_group: the instance takes part in IDC grouping (its groupworkid is its group, else -1). */
  readonly enableGroup: boolean;
  /** ip_group_name: the IDC group by name; '' = the group of the endpoint host's IP. */
  readonly ipGroupName: string;
  readonly enableSet: boolean;
  readonly setName: string;
  readonly setArea: string;
  readonly setGroup: string;
  /** 1 = standby instance: never returned to clients. */
  readonly bakFlag: number;
  /** tars_cpp, tars_go, tars_nodejs, ..., tars_dns (not deployed by nodes: getServers leaves it out). */
  readonly serverType: string;
  readonly basePath: string;
  readonly exePath: string;
  readonly templateName: string;
  /** The server's own config text, merged over its template by getServers. */
  readonly profile: string;
  readonly asyncThreadNum: number;
  readonly patchVersion: string;
  readonly patchTime: string;
  readonly patchUser: string;
  /** TARS version the server reported (Registry.reportVersion). */
  readonly tarsVersion: string;
  readonly startScript: string;
  readonly stopScript: string;
  readonly monitorScript: string;
  readonly configCenterPort: number;
  readonly runType: string;
  readonly baseImageId: string;
}

/** One adapter of a server instance (t_adapter_conf): where one servant listens. */
export interface AdapterRow extends ServerKey {
  readonly adapterName: string;
  /** Full object name, e.g. `Test.HelloServer.HelloObj`. */
  readonly servant: string;
  /** TARS endpoint text, e.g. `tcp -h 10.0.0.1 -p 10015 -t 60000`. */
  readonly endpoint: string;
  readonly threadNum: number;
  readonly maxConnections: number;
  readonly allowIp: string;
  readonly queuecap: number;
  readonly queuetimeout: number;
  /** 'tars' or 'not_tars'. */
  readonly protocol: string;
  readonly handlegroup: string;
}

/**
 * An endpoint not managed by any node (t_registry_info: the registries' own servants, or an endpoint added by hand):
 * served by findObject* like an adapter, active while its presentState is 'active'; node liveness does not apply.
 */
export interface StaticEndpointRow {
  readonly servant: string;
  readonly endpoint: string;
  readonly presentState: 'active' | 'inactive';
  readonly enableGroup: boolean;
  /** The IDC group by name ('' = the group of the endpoint host's IP), as ServerRow.ipGroupName. */
  readonly ipGroupName: string;
  /** SET membership `name.area.group` ('' = none), as a set-enabled server's. */
  readonly setId: string;
  /** Who added it (a registry's locator id, or 'static'); the pair (owner, servant, endpoint) is unique. */
  readonly owner: string;
}

/**
 * A registry's own servant where it listens (t_registry_info): every registry on a shared store writes its own at
 * each sync tick, so that `tars.tarsregistry.QueryObj` resolves to every live registry; a registry whose rows are
 * older than the registry timeout is listed as inactive.
 */
export interface RegistryInfoRow {
  /** The registry (`host:port` of its QueryObj). */
  readonly locatorId: string;
  readonly servant: string;
  readonly endpoint: string;
  /** Epoch ms of its last sync tick. */
  readonly lastHeartbeat: number;
}

/** An IDC group (t_server_group_rule). */
export interface GroupRuleRow {
  readonly groupId: number;
  readonly groupName: string;
  /** IPs in the group, `|`-separated; an entry `a.b.c.*` covers that /24. */
  readonly allowIpRule: string;
}

/** A row of the IDC fallback order (t_group_priority); rows are consulted by ascending `order`. */
export interface GroupPriorityRow {
  readonly id: string;
  readonly order: number;
  /** Group ids, separated by `|`, `,` or `;` as in the official table. */
  readonly groupList: string;
  readonly station: string;
}

/** Everything the registry answers QueryF from; what a repository loads in one go. */
export interface RegistryRows {
  readonly nodes: readonly NodeRow[];
  readonly servers: readonly ServerRow[];
  readonly adapters: readonly AdapterRow[];
  readonly staticEndpoints: readonly StaticEndpointRow[];
  readonly groupRules: readonly GroupRuleRow[];
  readonly groupPriorities: readonly GroupPriorityRow[];
  /** Every registry's own servants (those of a store no other registry shares: its own, or none). */
  readonly registries: readonly RegistryInfoRow[];
}

/** No rows at all. */
export const EMPTY_ROWS: RegistryRows = Object.freeze({
  nodes: [], servers: [], adapters: [], staticEndpoints: [], groupRules: [], groupPriorities: [], registries: [],
});

/** `app.server_node`-style key of a server instance, for maps (the parts cannot contain the separator `\0`). */
export function serverKeyOf(k: ServerKey): string {
  return `${k.application}\0${k.serverName}\0${k.nodeName}`;
}

/** A ServerRow with every column at the official table's default, overridden by `init`. */
export function serverRow(init: ServerKey & Partial<ServerRow>): ServerRow {
  return {
    settingState: 'active', presentState: 'inactive', flowState: 'active', processId: 0, enableGroup: false,
    ipGroupName: '', enableSet: false, setName: '', setArea: '', setGroup: '', bakFlag: 0, serverType: 'tars_cpp',
    basePath: '', exePath: '', templateName: '', profile: '', asyncThreadNum: 3, patchVersion: '', patchTime: '',
    patchUser: '', tarsVersion: '', startScript: '', stopScript: '', monitorScript: '', configCenterPort: 0,
    runType: '', baseImageId: '', ...init,
  };
}

/** A StaticEndpointRow: active, no IDC group, no SET, owner 'static', overridden by `init`. */
export function staticEndpointRow(init: Pick<StaticEndpointRow, 'servant' | 'endpoint'> & Partial<StaticEndpointRow>):
  StaticEndpointRow {
  return {presentState: 'active', enableGroup: false, ipGroupName: '', setId: '', owner: 'static', ...init};
}

/** An AdapterRow with the official AdapterConf defaults, overridden by `init`. */
export function adapterRow(init: ServerKey & Pick<AdapterRow, 'servant' | 'endpoint'> & Partial<AdapterRow>):
  AdapterRow {
  return {
    adapterName: `${init.servant}Adapter`, threadNum: 5, maxConnections: 10240, allowIp: '', queuecap: 100000,
    queuetimeout: 600000, protocol: 'tars', handlegroup: '', ...init,
  };
}
