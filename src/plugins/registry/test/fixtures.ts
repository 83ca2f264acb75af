// Rows shared by the registry tests: three IDC groups with a fallback order, objects deployed across groups and
// sets, and helpers that reduce answers to `host:port` lists.
import {CallContext} from '@tars-ts/core';

import {
  type AdapterRow, type NodeRow, type RegistryRows, type ServerRow, adapterRow, serverRow,
} from '../src/index.js';

/** A live node row heart-beaten at `at`. */
export function nodeRow(nodeName: string, at = 0, init: Partial<NodeRow> = {}): NodeRow {
  return {
    nodeName, nodeObj: `tars.tarsnode.NodeObj@tcp -h ${nodeName} -p 19385`, endpointIp: nodeName, endpointPort: 19385,
    dataDir: '/data', version: '3.0', presentState: 'active', lastRegTime: at, lastHeartbeat: at, loadAvg1: 0,
    loadAvg5: 0, loadAvg15: 0, templateName: '', ...init,
  };
}

/** One server instance on node `host` serving `servant` at `host:port`, plus its adapter. */
export function instance(servant: string, host: string, port: number, server: Partial<ServerRow> = {},
  adapter: Partial<AdapterRow> = {}): {server: ServerRow; adapter: AdapterRow} {
  const [application, serverName] = servant.split('.') as [string, string];
  const key = {application, serverName, nodeName: host};
  return {
    server: serverRow({...key, settingState: 'active', presentState: 'active', ...server}),
    adapter: adapterRow({...key, servant, endpoint: `tcp -h ${host} -p ${port} -t 60000`, ...adapter}),
  };
}

/** Rows from instances (nodes made for every host, all heart-beaten at `at`) and extra tables. */
export function rowsOf(instances: {server: ServerRow; adapter: AdapterRow}[], extra: Partial<RegistryRows> = {},
  at = 0): RegistryRows {
  const hosts = [...new Set(instances.map((i) => i.server.nodeName))];
  return {
    nodes: hosts.map((h) => nodeRow(h, at)), servers: instances.map((i) => i.server),
    adapters: instances.map((i) => i.adapter), staticEndpoints: [], groupRules: [], groupPriorities: [], registries: [],
    ...extra,
  };
}

/** Groups 1 (10.1.1.*), 2 (10.2.2.1 and .2), 3 (10.3.3.*), 4 (10.4.4.*); fallback rows south {1,2}, north {3,1}. */
export const GROUPS: Pick<RegistryRows, 'groupRules' | 'groupPriorities'> = {
  groupRules: [
    {groupId: 1, groupName: 'sz', allowIpRule: '10.1.1.*'},
    {groupId: 2, groupName: 'sh', allowIpRule: '10.2.2.1|10.2.2.2'},
    {groupId: 3, groupName: 'bj', allowIpRule: '10.3.3.*'},
    {groupId: 4, groupName: 'gz', allowIpRule: '10.4.4.*'},
  ],
  groupPriorities: [
    // Listed out of order on purpose: `order` decides.
    {id: 'p2', order: 2, groupList: '3;1', station: 'north'},
    {id: 'p1', order: 1, groupList: '1|2', station: 'south'},
  ],
};

/** `host:port` of each endpoint, in order. */
export const hp = (eps: readonly {host: string; port: number}[]): string[] => eps.map((e) => `${e.host}:${e.port}`);

/** An answer as `{ret, active, inactive}` of `host:port` lists. */
export function brief(a: {ret: number; activeEp: {host: string; port: number}[]; inactiveEp: {host: string;
  port: number}[]}): {ret: number; active: string[]; inactive: string[]} {
  return {ret: a.ret, active: hp(a.activeEp), inactive: hp(a.inactiveEp)};
}

/** A call context from `remote` (an IP) and request context entries. */
export function ctxFrom(remote: string | undefined, context: Record<string, string> = {}): CallContext {
  return new CallContext({
    servant: 'tars.tarsregistry.QueryObj', func: 'findObjectByIdInSameGroup', requestId: 1, version: 1,
    oneway: false, messageType: 0, context: new Map(Object.entries(context)), status: new Map(),
    remote: remote === undefined ? undefined : {host: remote, port: 40000},
  });
}
