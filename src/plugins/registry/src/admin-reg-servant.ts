// tars.tarsAdminRegistry.AdminRegObj: what operators, the web console and the CLI call to look at and change the
// deployment. Everything the registry knows it answers from its own rows (reads from the model, writes to the
// repository followed by a refresh, as every servant here does); commands for a node go through a NodeChannel and
// answer 1001 (node not registered or not alive) / 1002 (node did not answer) as the official AdminRegistry does.
// Tasks, docker, plugins, user rights and config files are not kept by this registry: they answer what the
// open-source AdminRegistry answers when their tables are missing (-1), with a text where the function has one.
import {type CallContext, type Logger, RUNTIME_VERSION} from '@tars-ts/core';
import {AdminReg, NodeDescriptor} from '@tars-ts/core/framework';

import {
  CommunicatorNodeChannel, type NodeChannel, type NodeLink, nodeDidNotAnswer, nodeErrorText,
} from './node-channel.js';
import {callerHost} from './query-servant.js';
import {sqlTime} from './registry-servant.js';
import type {RegistryService} from './registry-service.js';
import {type PresentState, type ServerKey, type ServerRow, adapterRow, serverRow} from './rows.js';

/** The official object name of the administration servant. */
export const ADMIN_REG_OBJ = 'tars.tarsAdminRegistry.AdminRegObj';

type R = AdminReg.AdminReg$Results;
const E = AdminReg.tarsErrCode;

/** What this registry does not keep, in the words its answers use. */
const NOT_KEPT = {
  tasks: 'tasks are not kept by this registry (tars-ts): run start/stop/patch per server instead',
  docker: 'docker is not supported by this registry (tars-ts)',
  plugins: 'web plugins are not kept by this registry (tars-ts)',
  auth: 'user rights are not kept by this registry (tars-ts): no db_user_system',
  config: 'config files are not kept by this registry (tars-ts): they belong to the config server',
  patch: 'patch packages are not kept by this registry (tars-ts): no t_server_patchs and no tarspatch',
  templates: 'profile templates are not kept by this registry (tars-ts)',
} as const;

/** Options of an {@link AdminRegServant}. */
export interface AdminRegOptions {
  /** Where node commands go (default: each node's registered NodeObj through a communicator of the servant's own). */
  readonly nodes?: NodeChannel;
  /** Timeout of node calls when the default channel is used, ms (default 10 s). */
  readonly nodeCallTimeoutMs?: number;
  /** Auth keys of the default channel (the admin token: nodes' NodeObj asks for it beyond loopback). */
  readonly nodeAuth?: Readonly<Record<string, {accesskey: string; secretkey: string}>>;
  readonly logger?: Logger;
}

/** `app.server_node`: how the official AdminRegistry names a server instance in its texts and in getAllServerIds. */
function serverId(k: ServerKey): string {
  return `${k.application}.${k.serverName}_${k.nodeName}`;
}

/** The ServerState enum name of a value (what the official etos() gives: `Active`, `Inactive`, ...). */
function stateName(state: number): string {
  return Object.entries(NodeDescriptor.ServerState).find(([, v]) => v === state)?.[0] ?? 'Inactive';
}

/** A node call's outcome: the node's answer, or the code and text to give instead. */
type NodeOutcome<T> = {ok: true; value: T} | {ok: false; ret: number; result: string};

/**
 * AdminRegObj over a {@link RegistryService} and a {@link NodeChannel}. Return codes follow the official
 * AdminRegistryImp (see each method); official quirks kept on purpose: getGroupId answers the group as its return
 * value (and, unlike the official, also in `groupId`); insertServerConf stores ServerConf.profile as the server's
 * template name; getAllNodeNames lists live nodes only.
 */
export class AdminRegServant extends AdminReg.AdminRegServant {
  private readonly nodes: NodeChannel;
  private readonly ownsNodes: boolean;

  constructor(private readonly service: RegistryService, private readonly options: AdminRegOptions = {}) {
    super();
    this.ownsNodes = options.nodes === undefined;
    this.nodes = options.nodes ?? new CommunicatorNodeChannel(service, {
      ...(options.nodeCallTimeoutMs !== undefined ? {timeoutMs: options.nodeCallTimeoutMs} : {}),
      ...(options.nodeAuth ? {auth: options.nodeAuth} : {})});
  }

  /** Closes the node channel it made itself (not one it was given). */
  close(): void {
    if (this.ownsNodes) this.nodes.close();
  }

  private get repo() {
    return this.service.repository;
  }

  private get rows() {
    return this.service.model.rows;
  }

  /** Calls node `nodeName`; 1001 when it cannot be asked, 1002 when it does not answer, -1 when it fails. */
  private async callNode<T>(nodeName: string, what: string, call: (node: NodeLink) => Promise<T>):
    Promise<NodeOutcome<T>> {
    const node = this.nodes.forNode(nodeName);
    if (!node) {
      return {ok: false, ret: E.EM_TARS_NODE_NOT_REGISTRY_ERR,
        result: `${what}: node '${nodeName}' is not registered or its heart-beat timed out`};
    }
    try {
      return {ok: true, value: await call(node)};
    } catch (error) {
      const text = nodeErrorText(error);
      this.options.logger?.warn(`${what} on node ${nodeName}: ${text}`);
      return nodeDidNotAnswer(error)
        ? {ok: false, ret: E.EM_TARS_CALL_NODE_TIMEOUT_ERR, result: `${what}: node '${nodeName}' did not answer: ${text}`}
        : {ok: false, ret: E.EM_TARS_UNKNOWN_ERR, result: `${what}: node '${nodeName}' failed: ${text}`};
    }
  }

  /** A node command that answers `{ret, result}`, passed on as it is, or the failure's code and text. */
  private async command(nodeName: string, what: string,
    call: (node: NodeLink) => Promise<{ret: number; result: string}>): Promise<{ret: number; result: string}> {
    const outcome = await this.callNode(nodeName, what, call);
    return outcome.ok ? {ret: outcome.value.ret, result: outcome.value.result} : {ret: outcome.ret, result: outcome.result};
  }

  private async setSetting(key: ServerKey, state: 'active' | 'inactive'): Promise<ServerRow | undefined> {
    await this.repo.setSettingState(key, state);
    await this.service.refresh();
    return this.repo.getServer(key);
  }

  /** tars_dns servers have no process: the registry sets their present state itself (official). */
  private async setDnsPresent(key: ServerKey, presentState: PresentState): Promise<void> {
    await this.repo.updateServerStates([{...key, presentState, processId: 0}]);
    await this.service.refresh();
  }

  // ----- the node's link to AdminReg (push channel of the official tarsnode) -----

  /**
   * Official: remembers the caller's connection as the node's push channel. This registry reaches nodes at their
   * NodeObj instead, so there is nothing to keep; 0 so that a node reporting every 10 s is not told it failed.
   */
  reportNode(): R['reportNode'] {
    return {ret: 0};
  }

  /** A node leaving: it and its servers become inactive (Registry.destroyNode), so commands answer 1001 at once. */
  async deleteNode(rn: NodeDescriptor.ReportNode): Promise<R['deleteNode']> {
    if (await this.repo.destroyNode(rn.nodeName)) await this.service.refresh();
    return {ret: 0};
  }

  /** The answer to a pushed command. Nothing is ever pushed from here, so none is awaited: 0, as officially. */
  reportResult(): R['reportResult'] {
    return {ret: 0};
  }

  // ----- tasks: not kept -----

  addTaskReq(): R['addTaskReq'] {
    return {ret: E.EM_TARS_UNKNOWN_ERR};
  }

  getTaskRsp(taskNo: string): R['getTaskRsp'] {
    return {ret: E.EM_TARS_UNKNOWN_ERR, taskRsp: AdminReg.TaskRsp.create({taskNo, executeLog: NOT_KEPT.tasks})};
  }

  getTaskHistory(): R['getTaskHistory'] {
    return {ret: E.EM_TARS_UNKNOWN_ERR, taskRsps: []};
  }

  setTaskItemInfo(): R['setTaskItemInfo'] {
    return {ret: E.EM_TARS_UNKNOWN_ERR};
  }

  // ----- what the registry knows -----

  /** Distinct applications of every server instance, sorted. */
  getAllApplicationNames(): R['getAllApplicationNames'] {
    return {ret: [...new Set(this.rows.servers.map((s) => s.application))].sort(), result: ''};
  }

  /** Nodes alive now (official: present_state 'active'; here also within the heart-beat timeout), sorted. */
  getAllNodeNames(): R['getAllNodeNames'] {
    return {ret: [...this.service.snapshot().liveNodes].sort(), result: ''};
  }

  async pingNode(name: string): Promise<R['pingNode']> {
    const outcome = await this.callNode(name, `pingNode '${name}'`, (node) => node.ping());
    return outcome.ok ? {ret: true, result: 'ping succ'} : {ret: false, result: outcome.result};
  }

  /** The version the node registered with (official: t_node_info.tars_version); -1 for an unknown node. */
  getNodeVesion(name: string): R['getNodeVesion'] {
    const node = this.rows.nodes.find((n) => n.nodeName === name);
    if (!node) return {ret: -1, version: '', result: `node '${name}' is not in the registry`};
    return {ret: 0, version: node.version, result: ''};
  }

  /** Official: any failure (node unknown or silent included) answers -1 with the reason. */
  async shutdownNode(name: string): Promise<R['shutdownNode']> {
    const outcome = await this.callNode(name, `shutdownNode '${name}'`, (node) => node.proxy.shutdown());
    if (outcome.ok) return {ret: outcome.value.ret, result: outcome.value.result};
    return {ret: -1, result: outcome.result};
  }

  /** Rows `[app.server_node, setting_state, present_state, server_type]`, one per server instance. */
  getAllServerIds(): R['getAllServerIds'] {
    const servers = [...this.rows.servers].sort((a, b) => serverId(a).localeCompare(serverId(b)));
    return {ret: servers.map((s) => [serverId(s), s.settingState, s.presentState, s.serverType]), result: ''};
  }

  /**
   * The registry's view, and the node's: 1003 for an unknown server; tars_dns servers (no process) and nodes that
   * cannot be asked get presentStateInNode = the registry's present state (with 1001/1002 in the latter case).
   */
  async getServerState(application: string, serverName: string, nodeName: string): Promise<R['getServerState']> {
    const key = {application, serverName, nodeName};
    const server = await this.repo.getServer(key);
    if (!server) {
      return {ret: E.EM_TARS_LOAD_SERVICE_DESC_ERR, state: AdminReg.ServerStateDesc.create(),
        result: ` '${serverId(key)}' no config`};
    }
    const state = AdminReg.ServerStateDesc.create({settingStateInReg: server.settingState,
      presentStateInReg: server.presentState, presentStateInNode: server.presentState, processId: server.processId,
      patchVersion: server.patchVersion, patchTime: server.patchTime, patchUser: server.patchUser});
    if (server.serverType === 'tars_dns') return {ret: E.EM_TARS_SUCCESS, state, result: ''};
    const outcome = await this.callNode(nodeName, `getServerState '${serverId(key)}'`,
      (node) => node.proxy.getStateInfo(application, serverName));
    if (!outcome.ok) return {ret: outcome.ret, state, result: outcome.result};
    const {ret, info, result} = outcome.value;
    return {ret, state: {...state, presentStateInNode: stateName(info.serverState), processId: info.processId}, result};
  }

  /** The IDC group of `ip` (exact rule, then its `a.b.c.*`), -1 when none: as the return value, as officially. */
  getGroupId(ip: string): R['getGroupId'] {
    const groupId = this.service.snapshot().groups.groupOfIp(ip);
    return {ret: groupId, groupId, result: groupId < 0 ? `no IDC group holds ${ip}` : ''};
  }

  // ----- commands for a server on its node -----

  /** setting_state = active, then the node starts it (a tars_dns server is just marked active). */
  async startServer(application: string, serverName: string, nodeName: string): Promise<R['startServer']> {
    const key = {application, serverName, nodeName};
    const server = await this.setSetting(key, 'active');
    if (server?.serverType === 'tars_dns') {
      await this.setDnsPresent(key, 'active');
      return {ret: E.EM_TARS_SUCCESS, result: ''};
    }
    return this.command(nodeName, `startServer '${serverId(key)}'`,
      (node) => node.proxy.startServer(application, serverName));
  }

  /**
   * setting_state = inactive, then the node stops it. (The official stopServer asks the node to *start* the server
   * here, a slip; this one stops it.)
   */
  async stopServer(application: string, serverName: string, nodeName: string): Promise<R['stopServer']> {
    const key = {application, serverName, nodeName};
    const server = await this.setSetting(key, 'inactive');
    if (server?.serverType === 'tars_dns') {
      await this.setDnsPresent(key, 'inactive');
      return {ret: E.EM_TARS_SUCCESS, result: ''};
    }
    return this.command(nodeName, `stopServer '${serverId(key)}'`,
      (node) => node.proxy.stopServer(application, serverName));
  }

  /** The node stops it; if that worked, setting_state = active and the node starts it. */
  async restartServer(application: string, serverName: string, nodeName: string): Promise<R['restartServer']> {
    const key = {application, serverName, nodeName};
    const server = await this.repo.getServer(key);
    if (server?.serverType !== 'tars_dns') {
      const stopped = await this.command(nodeName, `restartServer '${serverId(key)}' (stop)`,
        (node) => node.proxy.stopServer(application, serverName));
      if (stopped.ret !== E.EM_TARS_SUCCESS) return stopped;
    }
    await this.setSetting(key, 'active');
    if (server?.serverType === 'tars_dns') {
      await this.setDnsPresent(key, 'active');
      return {ret: E.EM_TARS_SUCCESS, result: ''};
    }
    return this.command(nodeName, `restartServer '${serverId(key)}' (start)`,
      (node) => node.proxy.startServer(application, serverName));
  }

  /** setting_state = inactive, then the node destroys it. */
  async destroyServer(application: string, serverName: string, nodeName: string): Promise<R['destroyServer']> {
    const key = {application, serverName, nodeName};
    const server = await this.setSetting(key, 'inactive');
    if (server?.serverType === 'tars_dns') {
      await this.setDnsPresent(key, 'inactive');
      return {ret: E.EM_TARS_SUCCESS, result: ''};
    }
    return this.command(nodeName, `destroyServer '${serverId(key)}'`,
      (node) => node.proxy.destroyServer(application, serverName));
  }

  /** The node passes `command` to the server's AdminObj and answers its text. */
  notifyServer(application: string, serverName: string, nodeName: string, command: string):
    Promise<R['notifyServer']> {
    return this.command(nodeName, `notifyServer '${serverId({application, serverName, nodeName})}'`,
      (node) => node.proxy.notifyServer(application, serverName, command));
  }

  /**
   * Official: looks the patch id up in t_server_patchs and has tarspatch prepare the package before the node
   * fetches it; without that table the answer is 1009 (EM_TARS_GET_PATCH_FILE_ERR).
   */
  batchPatch(req: NodeDescriptor.PatchRequest): R['batchPatch'] {
    return {ret: E.EM_TARS_GET_PATCH_FILE_ERR, result: `get patch tgz error: ${req.version}: ${NOT_KEPT.patch}`};
  }

  /** The node is asked to stop the server (its answer goes to `log`), then the server's rows are removed. */
  async undeploy(application: string, serverName: string, nodeName: string): Promise<R['undeploy']> {
    const key = {application, serverName, nodeName};
    const stopped = await this.stopServer(application, serverName, nodeName);
    await this.repo.removeServer(key);
    await this.service.refresh();
    return {ret: 0, log: stopped.ret === 0 ? stopped.result : `stop: ${stopped.result} (rows removed anyway)`};
  }

  /**
   * Official: marks the patch published in t_server_patchs. There is no such table here; a successful patch is
   * recorded on the server's row (patch version, user, time) as the node's updatePatchResult would.
   */
  async updatePatchLog(application: string, serverName: string, nodeName: string, patchId: string, user: string,
    _patchType: string, succ: boolean): Promise<R['updatePatchLog']> {
    if (succ) {
      await this.repo.setPatchResult({application, serverName, nodeName}, {version: patchId, user,
        time: sqlTime(this.service.clock())});
      await this.service.refresh();
    }
    return {ret: 0};
  }

  /** The node's patch progress; when it cannot be asked, the registry's view (last patch version) and why. */
  async getPatchPercent(application: string, serverName: string, nodeName: string): Promise<R['getPatchPercent']> {
    const key = {application, serverName, nodeName};
    const outcome = await this.callNode(nodeName, `getPatchPercent '${serverId(key)}'`,
      (node) => node.proxy.getPatchPercent(application, serverName));
    if (outcome.ok) return outcome.value;
    const server = await this.repo.getServer(key);
    return {ret: outcome.ret, tPatchInfo: NodeDescriptor.PatchInfo.create({sVersion: server?.patchVersion ?? '',
      sResult: outcome.result, bSucc: false})};
  }

  delCache(nodeName: string, sFullCacheName: string, sBackupPath: string, sKey: string): Promise<R['delCache']> {
    return this.command(nodeName, `delCache '${sFullCacheName}' on '${nodeName}'`,
      (node) => node.proxy.delCache(sFullCacheName, sBackupPath, sKey));
  }

  /** The node regenerates the server's config and files. */
  loadServer(application: string, serverName: string, nodeName: string): Promise<R['loadServer']> {
    return this.command(nodeName, `loadServer '${serverId({application, serverName, nodeName})}'`,
      (node) => node.proxy.loadServer(application, serverName));
  }

  /** Official: the template chain from t_profile_template; templates are not kept here, so none is found. */
  getProfileTemplate(profileName: string): R['getProfileTemplate'] {
    return {ret: 0, profileTemplate: '', resultDesc: `(${profileName}:template not found) ${NOT_KEPT.templates}`};
  }

  /** The server's profile as getServers gives it to the node (its own text: templates are not kept); -1 if none. */
  async getServerProfileTemplate(application: string, serverName: string, nodeName: string):
    Promise<R['getServerProfileTemplate']> {
    if (application === '' || serverName === '' || nodeName === '') {
      return {ret: -1, profileTemplate: '', resultDesc: 'application, server and node are all needed'};
    }
    const server = await this.repo.getServer({application, serverName, nodeName});
    if (!server) {
      return {ret: -1, profileTemplate: '', resultDesc: `'${serverId({application, serverName, nodeName})}' no config`};
    }
    return {ret: 0, profileTemplate: server.profile, resultDesc: server.templateName === '' ? ''
      : `template '${server.templateName}' not merged: ${NOT_KEPT.templates}`};
  }

  /** The caller's socket IP. */
  getClientIp(ctx: CallContext): R['getClientIp'] {
    return {ret: 0, sClientIp: callerHost({context: new Map(), remote: ctx.remote})};
  }

  /** Official: the remote log server when the node is '' or 'remote' (1007 when none is configured). */
  async getLogFileList(application: string, serverName: string, nodeName: string): Promise<R['getLogFileList']> {
    if (nodeName === '' || nodeName === 'remote') return {ret: E.EM_TARS_PARAMETER_ERR, logFileList: []};
    const outcome = await this.callNode(nodeName, `getLogFileList '${serverId({application, serverName, nodeName})}'`,
      (node) => node.proxy.getLogFileList(application, serverName));
    return outcome.ok ? outcome.value : {ret: outcome.ret, logFileList: []};
  }

  async getLogData(application: string, serverName: string, nodeName: string, logFile: string, cmd: string):
    Promise<R['getLogData']> {
    if (nodeName === '' || nodeName === 'remote') {
      return {ret: E.EM_TARS_PARAMETER_ERR, fileData: 'no remote log server is configured'};
    }
    const outcome = await this.callNode(nodeName, `getLogData '${serverId({application, serverName, nodeName})}'`,
      (node) => node.proxy.getLogData(application, serverName, logFile, cmd));
    return outcome.ok ? outcome.value : {ret: outcome.ret, fileData: outcome.result};
  }

  async getNodeLoad(application: string, serverName: string, nodeName: string, pid: number):
    Promise<R['getNodeLoad']> {
    const outcome = await this.callNode(nodeName, `getNodeLoad '${serverId({application, serverName, nodeName})}'`,
      (node) => node.proxy.getNodeLoad(application, serverName, pid));
    return outcome.ok ? outcome.value : {ret: outcome.ret, fileData: outcome.result};
  }

  /** Official: asks tarspatch to delete an uploaded package; no patch server is known here. */
  deletePatchFile(application: string, serverName: string, patchFile: string): R['deletePatchFile'] {
    this.options.logger?.warn(`deletePatchFile ${application}.${serverName} ${patchFile}: ${NOT_KEPT.patch}`);
    return {ret: E.EM_TARS_UNKNOWN_ERR};
  }

  /**
   * The framework's servers: every adapter of application `tars` (objName `servant@endpoint`), every node
   * (`tarsnode`, objName its NodeObj), and this registry's own servants where they listen.
   */
  getServers(): R['getServers'] {
    const servers: AdminReg.FrameworkServer[] = this.rows.adapters.filter((a) => a.application === 'tars').map((a) =>
      AdminReg.FrameworkServer.create({serverName: a.serverName, nodeName: a.nodeName,
        objName: `${a.servant}@${a.endpoint}`}));
    for (const n of this.rows.nodes) {
      servers.push(AdminReg.FrameworkServer.create({serverName: 'tarsnode', nodeName: n.nodeName, objName: n.nodeObj}));
    }
    for (const e of this.rows.staticEndpoints) {
      const [app, server] = e.servant.split('.');
      if (e.owner !== 'self' || app !== 'tars' || !server) continue;
      const host = /-h\s+(\S+)/.exec(e.endpoint)?.[1] ?? '';
      servers.push(AdminReg.FrameworkServer.create({serverName: server, nodeName: host,
        objName: `${e.servant}@${e.endpoint}`}));
    }
    return {ret: 0, servers};
  }

  /** 0 when the server answers tars_ping (a node, when objName is empty: 1001/1002 as any node call), else -1. */
  async checkServer(server: AdminReg.FrameworkServer): Promise<R['checkServer']> {
    if (server.objName === '') {
      const outcome = await this.callNode(server.nodeName, `checkServer '${server.nodeName}'`, (node) => node.ping());
      return {ret: outcome.ok ? 0 : outcome.ret};
    }
    try {
      await this.nodes.pingObject(server.objName);
      return {ret: 0};
    } catch (error) {
      this.options.logger?.warn(`checkServer ${server.objName}: ${nodeErrorText(error)}`);
      return {ret: -1};
    }
  }

  getVersion(): R['getVersion'] {
    return {ret: 0, version: RUNTIME_VERSION};
  }

  /** Lossless rollout: the instances on `nodeList` leave (or rejoin) the active lists; -1 for an empty list. */
  async updateServerFlowState(application: string, serverName: string, nodeList: string[], bActive: boolean):
    Promise<R['updateServerFlowState']> {
    if (nodeList.length === 0) return {ret: -1};
    await this.repo.setFlowState(application, serverName, nodeList, bActive ? 'active' : 'inactive');
    await this.service.refresh();
    return {ret: 0};
  }

  /** Official: passed to the node (docker login there); failures answer -1 with the reason. */
  async forceDockerLogin(nodeName: string): Promise<R['forceDockerLogin']> {
    const outcome = await this.callNode(nodeName, `forceDockerLogin '${nodeName}'`,
      (node) => node.proxy.forceDockerLogin());
    return outcome.ok ? outcome.value : {ret: E.EM_TARS_UNKNOWN_ERR, result: [outcome.result]};
  }

  checkDockerRegistry(): R['checkDockerRegistry'] {
    return {ret: E.EM_TARS_UNKNOWN_ERR, result: NOT_KEPT.docker};
  }

  /** Official: forwarded to Registry.dockerPull, which answers -1 without docker. */
  dockerPull(): R['dockerPull'] {
    return {ret: E.EM_TARS_UNKNOWN_ERR};
  }

  /** The last heart-beat of each named node, `YYYY-MM-DD HH:MM:SS` (UTC); '' for a node the registry does not know. */
  getNodeList(nodeNames: string[]): R['getNodeList'] {
    const byName = new Map(this.rows.nodes.map((n) => [n.nodeName, n]));
    return {ret: 0, heartbeats: new Map(nodeNames.map((name) => {
      const node = byName.get(name);
      return [name, node ? sqlTime(node.lastHeartbeat) : ''];
    }))};
  }

  /**
   * The node must report the server Inactive (else 1004), then setting_state = inactive, the node destroys it
   * (its answer is not waited on for the result) and the server's rows are removed.
   */
  async uninstallServer(application: string, serverName: string, nodeName: string): Promise<R['uninstallServer']> {
    const key = {application, serverName, nodeName};
    const id = serverId(key);
    const state = await this.callNode(nodeName, `uninstallServer '${id}'`,
      (node) => node.proxy.getStateInfo(application, serverName));
    if (!state.ok) return {ret: state.ret, result: state.result};
    if (state.value.ret !== 0) return {ret: state.value.ret, result: state.value.result};
    if (state.value.info.serverState !== NodeDescriptor.ServerState.Inactive) {
      return {ret: E.EM_TARS_SERVICE_STATE_ERR,
        result: `'${id}' is ${stateName(state.value.info.serverState)} on its node: stop it first`};
    }
    await this.setSetting(key, 'inactive');
    const destroyed = await this.command(nodeName, `uninstallServer '${id}' (destroy)`,
      (node) => node.proxy.destroyServer(application, serverName));
    const removed = await this.repo.removeServer(key);
    await this.service.refresh();
    return {ret: removed ? 0 : -1, result: removed ? destroyed.result : `'${id}' no config`};
  }

  /** Whether any instance of `application.serverName` is deployed. */
  hasServer(application: string, serverName: string): R['hasServer'] {
    return {ret: 0, has: this.rows.servers.some((s) => s.application === application && s.serverName === serverName)};
  }

  /**
   * Adds a server instance (-1 when it exists and `replace` is false; `replace` resets every other column, as
   * MySQL REPLACE does). As officially, ServerConf.profile is the name of the server's profile template.
   */
  async insertServerConf(conf: AdminReg.ServerConf, replace: boolean): Promise<R['insertServerConf']> {
    if (conf.application === '' || conf.serverName === '' || conf.nodeName === '') return {ret: -1};
    if (conf.settingState !== 'active' && conf.settingState !== 'inactive') return {ret: -1};
    const saved = await this.repo.saveServer(serverRow({application: conf.application, serverName: conf.serverName,
      nodeName: conf.nodeName, basePath: conf.basePath, exePath: conf.exePath, settingState: conf.settingState,
      templateName: conf.profile, serverType: conf.serverType === '' ? 'tars_cpp' : conf.serverType,
      startScript: conf.startScript, stopScript: conf.stopScript, monitorScript: conf.monitorScript,
      asyncThreadNum: conf.asyncThreadNum, enableGroup: conf.enableGroup.toLowerCase() === 'y',
      ipGroupName: conf.ipGroupName}), replace);
    if (!saved) return {ret: -1};
    await this.service.refresh();
    return {ret: 0};
  }

  /**
   * Adds an adapter of a server instance (-1 when it exists and `replace` is false, or when the instance is not
   * deployed: the official table takes such an orphan row, the repository contract does not).
   */
  async insertAdapterConf(sApplication: string, serverName: string, nodeName: string, conf: AdminReg.AdapterConf,
    replace: boolean): Promise<R['insertAdapterConf']> {
    if (sApplication === '' || serverName === '' || nodeName === '' || conf.servant === '' || conf.endpoint === '') {
      return {ret: -1};
    }
    const saved = await this.repo.saveAdapter(adapterRow({application: sApplication, serverName, nodeName,
      servant: conf.servant, endpoint: conf.endpoint, ...(conf.adapterName !== '' ? {adapterName: conf.adapterName} : {}),
      threadNum: conf.threadNum, maxConnections: conf.maxConnections, allowIp: conf.allowIp, queuecap: conf.queuecap,
      queuetimeout: conf.queuetimeout, protocol: conf.protocol}), replace);
    if (!saved) return {ret: -1};
    await this.service.refresh();
    return {ret: 0};
  }

  // ----- config files, plugins, user rights: not kept -----

  insertConfigFile(): R['insertConfigFile'] {
    return {ret: E.EM_TARS_UNKNOWN_ERR};
  }

  getConfigFileId(): R['getConfigFileId'] {
    return {ret: E.EM_TARS_UNKNOWN_ERR, configId: 0};
  }

  insertHistoryConfigFile(): R['insertHistoryConfigFile'] {
    return {ret: E.EM_TARS_UNKNOWN_ERR};
  }

  registerPlugin(): R['registerPlugin'] {
    return {ret: E.EM_TARS_UNKNOWN_ERR};
  }

  hasDevAuth(): R['hasDevAuth'] {
    return {ret: E.EM_TARS_UNKNOWN_ERR, has: false};
  }

  hasOpeAuth(): R['hasOpeAuth'] {
    return {ret: E.EM_TARS_UNKNOWN_ERR, has: false};
  }

  hasAdminAuth(): R['hasAdminAuth'] {
    return {ret: E.EM_TARS_UNKNOWN_ERR, has: false};
  }

  checkTicket(): R['checkTicket'] {
    return {ret: E.EM_TARS_UNKNOWN_ERR, uid: ''};
  }

  /** One entry per server instance with its SET (enable_set 'Y'/'N'), as t_server_conf holds it. */
  getServerTree(): R['getServerTree'] {
    return {ret: 0, tree: this.rows.servers.map((s) => AdminReg.ServerTree.create({application: s.application,
      server_name: s.serverName, enable_set: s.enableSet ? 'Y' : 'N', set_name: s.setName, set_area: s.setArea,
      set_group: s.setGroup}))};
  }

  /** Official: the default package in t_server_patchs; none is kept here, so -1 as for a server without one. */
  getPatchPackage(): R['getPatchPackage'] {
    return {ret: -1, pack: AdminReg.PatchPackage.create()};
  }

  /** The t_server_conf rows of the named servers, as column → text maps (official column names). */
  getServerNameList(fullServerName: AdminReg.ApplicationServerName[]): R['getServerNameList'] {
    const wanted = new Set(fullServerName.map((n) => `${n.application}\0${n.serverName}`));
    return {ret: 0, serverList: this.rows.servers.filter((s) => wanted.has(`${s.application}\0${s.serverName}`))
      .map((s) => new Map([
        ['application', s.application], ['server_name', s.serverName], ['node_name', s.nodeName],
        ['setting_state', s.settingState], ['present_state', s.presentState], ['server_type', s.serverType],
        ['template_name', s.templateName], ['enable_set', s.enableSet ? 'Y' : 'N'], ['set_name', s.setName],
        ['set_area', s.setArea], ['set_group', s.setGroup], ['patch_version', s.patchVersion],
        ['patch_time', s.patchTime], ['patch_user', s.patchUser], ['tars_version', s.tarsVersion],
        ['process_id', String(s.processId)], ['flow_state', s.flowState],
      ]))};
  }
}
