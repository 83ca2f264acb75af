// tars.tarsregistry.RegistryCtlObj: this toolkit's control interface of the registry (core/framework/idl/
// RegistryCtl.tars), what `tars registry list|add|rm|nodes` call. Reads come from the snapshot, writes go to the
// repository and refresh the model, as every servant of the registry does.
import {isWildcardHost, parseEndpoint} from '@tars-ts/core';
import {RegistryCtl} from '@tars-ts/core/framework';

import type {RegistryService} from './registry-service.js';
import type {ServerWithAdapters} from './repository.js';
import {type AdapterRow, type ServerKey, type ServerRow, adapterRow, serverRow, staticEndpointRow} from './rows.js';

type Results = RegistryCtl.RegistryCtl$Results;

/** A server row and its adapters as a RegistryCtl ServerDeployment. */
export function deploymentOf({server: s, adapters}: ServerWithAdapters): RegistryCtl.ServerDeployment {
  return RegistryCtl.ServerDeployment.create({application: s.application, serverName: s.serverName,
    nodeName: s.nodeName, serverType: s.serverType, setId: s.enableSet ? `${s.setName}.${s.setArea}.${s.setGroup}` : '',
    profile: s.profile, startScript: s.startScript, settingState: s.settingState, presentState: s.presentState,
    processId: s.processId, version: s.tarsVersion, patchVersion: s.patchVersion, enableGroup: s.enableGroup,
    groupName: s.ipGroupName,
    adapters: adapters.map((a) => RegistryCtl.ServerAdapter.create({name: a.adapterName, servant: a.servant,
      endpoint: a.endpoint, protocol: a.protocol, threads: a.threadNum, maxConnections: a.maxConnections,
      queuecap: a.queuecap, queuetimeout: a.queuetimeout, allowIp: a.allowIp}))});
}

const TARS_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

/** The port and host of an endpoint text, for conflicts between adapters of one node. */
function listenOf(endpoint: string): {host: string; port: number} {
  const ep = parseEndpoint(endpoint);
  return {host: ep.host, port: ep.port};
}

/** Two listeners on one node collide: same port, and same host or either on every interface. */
function collide(a: {host: string; port: number}, b: {host: string; port: number}): boolean {
  return a.port === b.port && (a.host === b.host || isWildcardHost(a.host) || isWildcardHost(b.host));
}

/** The official object name of the control servant. */
export const REGISTRY_CTL_OBJ = 'tars.tarsregistry.RegistryCtlObj';

/** Who endpoints added through RegistryCtl belong to (StaticEndpointRow.owner). */
export const MANUAL_OWNER = 'manual';

/** A SET id `name.area.group` with every part given ('*' only as the group). */
function setIdProblem(setId: string): string | undefined {
  if (setId === '') return undefined;
  const parts = setId.split('.');
  if (parts.length !== 3 || parts.some((p) => p === '')) return `set "${setId}" is not name.area.group`;
  if (parts[0] === '*' || parts[1] === '*') return `set "${setId}": only the group may be *`;
  return undefined;
}

/** The control servant over a registry's service. */
export class RegistryCtlServant extends RegistryCtl.RegistryCtlServant {
  constructor(private readonly service: RegistryService) {
    super();
  }

  listObjects(filter: string): RegistryCtl.RegistryCtl$Results['listObjects'] {
    const snapshot = this.service.snapshot();
    const names = snapshot.objectNames.filter((n) => n.includes(filter)).sort();
    const manual = new Map<string, number>();
    for (const row of this.service.model.rows.staticEndpoints) {
      if (row.owner === MANUAL_OWNER) manual.set(row.servant, (manual.get(row.servant) ?? 0) + 1);
    }
    return {ret: 0, objects: names.map((name) => {
      const {activeEp, inactiveEp} = snapshot.findAll(name);
      const nodes = [...new Set([...activeEp, ...inactiveEp].map((e) => e.nodeName))].sort();
      return RegistryCtl.RegistryObject.create({name, active: activeEp.length, inactive: inactiveEp.length, nodes,
        manual: manual.get(name) ?? 0});
    })};
  }

  async addEndpoint(ep: RegistryCtl.ManualEndpoint): Promise<RegistryCtl.RegistryCtl$Results['addEndpoint']> {
    if (!/^[^.\s]+\.[^.\s]+\.[^.\s]+$/.test(ep.servant)) {
      return {ret: -1, result: `"${ep.servant}" is not an object name App.Server.Obj`};
    }
    try {
      parseEndpoint(ep.endpoint);
    } catch (error) {
      return {ret: -1, result: `endpoint "${ep.endpoint}": ${(error as Error).message}`};
    }
    const problem = setIdProblem(ep.setId);
    if (problem) return {ret: -1, result: problem};
    await this.service.repository.addStaticEndpoint(staticEndpointRow({servant: ep.servant, endpoint: ep.endpoint,
      setId: ep.setId, ipGroupName: ep.groupName, enableGroup: ep.enableGroup || ep.groupName !== '',
      owner: MANUAL_OWNER}));
    await this.service.refresh();
    return {ret: 0, result: ''};
  }

  async removeEndpoint(servant: string, endpoint: string): Promise<RegistryCtl.RegistryCtl$Results['removeEndpoint']> {
    const targets = this.service.model.rows.staticEndpoints.filter((r) => r.owner === MANUAL_OWNER &&
      r.servant === servant && (endpoint === '' || r.endpoint === endpoint));
    let removed = 0;
    for (const row of targets) {
      if (await this.service.repository.removeStaticEndpoint(MANUAL_OWNER, row.servant, row.endpoint)) removed++;
    }
    if (removed > 0) await this.service.refresh();
    return {ret: 0, removed};
  }

  listServers(nodeName: string): Results['listServers'] {
    const rows = this.service.model.rows;
    const servers = rows.servers.filter((s) => nodeName === '' || s.nodeName === nodeName)
      .sort((a, b) => a.application.localeCompare(b.application) || a.serverName.localeCompare(b.serverName) ||
        a.nodeName.localeCompare(b.nodeName));
    return {ret: 0, servers: servers.map((server) => deploymentOf({server, adapters: rows.adapters.filter((a) =>
      a.application === server.application && a.serverName === server.serverName && a.nodeName === server.nodeName)}))};
  }

  /** What is wrong with a deployment (names, SET, adapters, ports taken on its node), or undefined. */
  private deploymentProblem(d: RegistryCtl.ServerDeployment): string | undefined {
    for (const [what, name] of [['application', d.application], ['server', d.serverName], ['node', d.nodeName]]) {
      if (what === 'node' ? name!.trim() === '' : !TARS_NAME.test(name!)) return `${what} name "${name}" is not valid`;
    }
    if (d.settingState !== 'active' && d.settingState !== 'inactive') {
      return `setting state "${d.settingState}" is neither active nor inactive`;
    }
    const setProblem = setIdProblem(d.setId);
    if (setProblem) return setProblem;
    if (d.enableGroup && d.groupName.trim() !== '' && this.service.snapshot().groups.groupOfName(d.groupName.trim()) < 0) {
      return `IDC group "${d.groupName}" does not exist (tars registry group list shows them)`;
    }
    const names = new Set<string>();
    const mine: {name: string; at: {host: string; port: number}}[] = [];
    for (const a of d.adapters) {
      if (a.name === '' || names.has(a.name)) return `adapter name "${a.name}" is empty or given twice`;
      names.add(a.name);
      // A server serves its own App.Server.<Obj>, or an object of another server of its application: a base service
      // hosting several official objects (tars.tarslog serves tars.tarsnotify.NotifyObj too).
      const parts = a.servant.split('.');
      if (parts.length !== 3 || parts[0] !== d.application || !parts.every((p) => TARS_NAME.test(p))) {
        return `adapter ${a.name}: servant "${a.servant}" is not ${d.application}.${d.serverName}.<Obj>` +
          ` (or ${d.application}.<Server>.<Obj>)`;
      }
      let at: {host: string; port: number};
      try {
        at = listenOf(a.endpoint);
      } catch (error) {
        return `adapter ${a.name}: endpoint "${a.endpoint}": ${(error as Error).message}`;
      }
      const clash = mine.find((m) => collide(m.at, at));
      if (clash) return `adapters ${clash.name} and ${a.name} both listen on ${at.host}:${at.port}`;
      mine.push({name: a.name, at});
    }
    const rows = this.service.model.rows;
    for (const other of rows.adapters) {
      if (other.nodeName !== d.nodeName || (other.application === d.application && other.serverName === d.serverName)) {
        continue;
      }
      let at: {host: string; port: number};
      try {
        at = listenOf(other.endpoint);
      } catch {
        continue;
      }
      const clash = mine.find((m) => collide(m.at, at));
      if (clash) {
        return `adapter ${clash.name}: port ${at.port} on node ${d.nodeName} is already the port of ` +
          `${other.servant} (${other.endpoint})`;
      }
    }
    return undefined;
  }

  async putServer(d: RegistryCtl.ServerDeployment): Promise<Results['putServer']> {
    const none = {previous: RegistryCtl.ServerDeployment.create(), existed: false};
    const problem = this.deploymentProblem(d);
    if (problem) return {ret: -1, ...none, result: problem};
    const key: ServerKey = {application: d.application, serverName: d.serverName, nodeName: d.nodeName};
    const old = await this.service.repository.getServer(key);
    const [setName = '', setArea = '', setGroup = ''] = d.setId === '' ? [] : d.setId.split('.');
    // What a deploy says replaces its columns; what the node reported (present state, pid, version) stays.
    const row: ServerRow = serverRow({...old, ...key, serverType: d.serverType || 'tars_nodejs', enableSet: d.setId !== '',
      setName, setArea, setGroup, profile: d.profile, startScript: d.startScript,
      settingState: d.settingState as ServerRow['settingState'], enableGroup: d.enableGroup,
      ipGroupName: d.enableGroup ? d.groupName.trim() : ''});
    const adapters: AdapterRow[] = d.adapters.map((a) => adapterRow({...key, adapterName: a.name, servant: a.servant,
      endpoint: a.endpoint, protocol: a.protocol || 'tars', threadNum: a.threads, maxConnections: a.maxConnections,
      queuecap: a.queuecap, queuetimeout: a.queuetimeout, allowIp: a.allowIp}));
    const previous = await this.service.repository.replaceServer(row, adapters);
    await this.service.refresh();
    return previous ? {ret: 0, previous: deploymentOf(previous), existed: true, result: ''} : {ret: 0, ...none, result: ''};
  }

  async dropServer(application: string, serverName: string, nodeName: string): Promise<Results['dropServer']> {
    const removed = await this.service.repository.removeServer({application, serverName, nodeName});
    if (removed) await this.service.refresh();
    return {ret: 0, removed};
  }

  async listNodes(): Promise<RegistryCtl.RegistryCtl$Results['listNodes']> {
    const snapshot = this.service.snapshot();
    const servers = new Map<string, number>();
    for (const s of this.service.model.rows.servers) servers.set(s.nodeName, (servers.get(s.nodeName) ?? 0) + 1);
    const nodes = [...this.service.model.rows.nodes].sort((a, b) => a.nodeName.localeCompare(b.nodeName));
    return {ret: 0, nodes: nodes.map((n) => RegistryCtl.RegistryNode.create({name: n.nodeName, nodeObj: n.nodeObj,
      alive: snapshot.liveNodes.has(n.nodeName), lastHeartbeat: BigInt(n.lastHeartbeat), load1: n.loadAvg1,
      load5: n.loadAvg5, load15: n.loadAvg15, servers: servers.get(n.nodeName) ?? 0, version: n.version,
      presentState: n.presentState}))};
  }

  async listGroups(): Promise<Results['listGroups']> {
    const rows = await this.service.repository.loadRows();
    return {ret: 0,
      groups: [...rows.groupRules].sort((a, b) => a.groupId - b.groupId).map((g) => RegistryCtl.IdcGroup.create({
        groupId: g.groupId, name: g.groupName, ipRule: g.allowIpRule})),
      priorities: [...rows.groupPriorities].sort((a, b) => a.order - b.order || a.id.localeCompare(b.id)).map((p) =>
        RegistryCtl.IdcPriority.create({id: p.id, order: p.order, groupList: p.groupList, station: p.station}))};
  }

  async putGroup(group: RegistryCtl.IdcGroup): Promise<Results['putGroup']> {
    const problem = idcGroupProblem(group);
    if (problem) return {ret: -1, result: problem};
    const rows = await this.service.repository.loadRows();
    const named = rows.groupRules.find((g) => g.groupName === group.name && g.groupId !== group.groupId);
    if (named) return {ret: -1, result: `group ${named.groupId} is already named "${group.name}"`};
    await this.service.repository.saveGroupRule({groupId: group.groupId, groupName: group.name,
      allowIpRule: group.ipRule.split('|').map((ip) => ip.trim()).filter(Boolean).join('|')});
    await this.service.refresh();
    return {ret: 0, result: ''};
  }

  async removeGroup(groupId: number): Promise<Results['removeGroup']> {
    const removed = await this.service.repository.removeGroupRule(groupId);
    if (removed) await this.service.refresh();
    return {ret: 0, removed};
  }

  async putGroupPriority(p: RegistryCtl.IdcPriority): Promise<Results['putGroupPriority']> {
    if (!TARS_NAME.test(p.id)) return {ret: -1, result: `priority id "${p.id}" is not a name (letters, digits, _ and -)`};
    const ids = p.groupList.split(/[|,;]/).map((x) => x.trim()).filter(Boolean);
    if (ids.length === 0 || ids.some((x) => !/^\d+$/.test(x))) {
      return {ret: -1, result: `group list "${p.groupList}" is not group ids separated by |`};
    }
    await this.service.repository.saveGroupPriority({id: p.id, order: p.order, groupList: ids.join('|'),
      station: p.station});
    await this.service.refresh();
    return {ret: 0, result: ''};
  }

  async removeGroupPriority(id: string): Promise<Results['removeGroupPriority']> {
    const removed = await this.service.repository.removeGroupPriority(id);
    if (removed) await this.service.refresh();
    return {ret: 0, removed};
  }
}

/** What is wrong with an IDC group, or undefined: a non-negative id, a name, IPv4 addresses or `a.b.c.*` entries. */
function idcGroupProblem(g: RegistryCtl.IdcGroup): string | undefined {
  if (!Number.isInteger(g.groupId) || g.groupId < 0) return `group id ${g.groupId} is not a non-negative integer`;
  if (!TARS_NAME.test(g.name)) return `group name "${g.name}" is not a name (letters, digits, _ and -)`;
  const ips = g.ipRule.split('|').map((ip) => ip.trim()).filter(Boolean);
  if (ips.length === 0) return 'the group lists no IP (give IPs or a.b.c.* separated by |)';
  const octet = '(25[0-5]|2[0-4]\\d|1?\\d?\\d)';
  const ipv4 = new RegExp(`^${octet}\\.${octet}\\.${octet}\\.(${octet}|\\*)$`);
  const bad = ips.find((ip) => !ipv4.test(ip));
  return bad === undefined ? undefined : `"${bad}" is neither an IPv4 address nor a.b.c.*`;
}
