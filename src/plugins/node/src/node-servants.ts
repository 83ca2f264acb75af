// The servants of the node daemon: ServerObj (ServerF: what the servers it runs report) and NodeObj (Node: what the
// registry and operators ask of it). Both read the node's ManagedServers: the one place a deploy adds a server.
import os from 'node:os';

import type {CallContext} from '@tars-ts/core';
import {Node, NodeDescriptor, NodeF} from '@tars-ts/core/framework';

import {type ServerProcess, ServerState} from './supervisor/index.js';

/** The servers one node manages, by `App.Server`. Empty until a server is deployed (or adopted). */
export class ManagedServers {
  private readonly byId = new Map<string, ServerProcess>();

  /** The server `application.serverName`, or undefined when this node does not manage it. */
  get(application: string, serverName: string): ServerProcess | undefined {
    return this.byId.get(`${application}.${serverName}`);
  }

  /** Starts managing `server` (a deploy, an adoption); replaces one of the same name. */
  add(server: ServerProcess): void {
    this.byId.set(server.id, server);
  }

  /** Every managed server. */
  all(): ServerProcess[] {
    return [...this.byId.values()];
  }
}

/** The machine's load as the registry wants it (LoadInfo: 1, 5 and 15 minute load averages). */
export function currentLoad(): NodeDescriptor.LoadInfo {
  const [avg1, avg5, avg15] = os.loadavg();
  return NodeDescriptor.LoadInfo.create({avg1, avg5, avg15});
}

/**
 * ServerF (`tars.tarsnode.ServerObj`): keepAlive, keepActiving and reportVersion go to the ServerProcess of
 * (application, serverName). As tarsnode: 0 when the node manages that server, -1 when it does not; a keepAlive or
 * keepActiving with pid <= 0 is ignored (answered 0 for a known server). getLatestKeepAliveTime: the time, in
 * seconds since the epoch, of the latest keepAlive any server sent (0 before the first).
 */
export class ServerFImpl extends NodeF.ServerFServant {
  private latestKeepAlive = 0;

  constructor(private readonly servers: ManagedServers) {
    super();
  }

  keepAlive(info: NodeF.ServerInfo): {ret: number} {
    const server = this.servers.get(info.application, info.serverName);
    if (!server) return {ret: -1};
    if (info.pid > 0) {
      this.latestKeepAlive = Math.floor(Date.now() / 1000);
      server.heartbeat(info.adapter, info.pid);
    }
    return {ret: 0};
  }

  keepActiving(info: NodeF.ServerInfo): {ret: number} {
    const server = this.servers.get(info.application, info.serverName);
    if (!server) return {ret: -1};
    if (info.pid > 0) server.activating(info.pid);
    return {ret: 0};
  }

  reportVersion(app: string, serverName: string, version: string): {ret: number} {
    const server = this.servers.get(app, serverName);
    if (!server) return {ret: -1};
    server.reportVersion(version);
    return {ret: 0};
  }

  getLatestKeepAliveTime(): {ret: number} {
    return {ret: this.latestKeepAlive};
  }
}

/** What NodeObj needs of its node. */
export interface NodeServantHost {
  /** The node's name, as registered. */
  readonly nodeName: string;
  readonly servers: ManagedServers;
  /** Stops the node daemon gracefully (after the call is answered). */
  requestStop(): void;
}

type Answer = {ret: number; result: string};

/**
 * Node (`tars.tarsnode.NodeObj`). Node-wide calls answer for real: shutdown (the daemon stops gracefully once it has
 * answered), stopAllServers, getNodeLoad. A call about a server this node does not manage answers -1 with
 * "server App.Server is not deployed on node N"; for a managed one, startServer, stopServer and getStateInfo act on
 * its ServerProcess and the calls that need a deployed package (load, patch, destroy, notify, logs) answer -1 "not
 * supported yet". {@link withServer} is the one place where a deployed server is looked up.
 */
export class NodeImpl extends Node.NodeServant {
  constructor(private readonly node: NodeServantHost) {
    super();
  }

  /** The managed server, or the -1 answer for one that is not deployed here. */
  private withServer<R extends {ret: number}>(application: string, serverName: string,
    missing: (message: string) => R, act: (server: ServerProcess) => R | Promise<R>): R | Promise<R> {
    const server = this.node.servers.get(application, serverName);
    if (!server) return missing(`server ${application}.${serverName} is not deployed on node ${this.node.nodeName}`);
    return act(server);
  }

  private unsupported(what: string): Answer {
    return {ret: -1, result: `${what} is not supported yet by node ${this.node.nodeName}`};
  }

  private plain(application: string, serverName: string, what: string): Answer | Promise<Answer> {
    return this.withServer(application, serverName, (result) => ({ret: -1, result}), () => this.unsupported(what));
  }

  destroyServer(application: string, serverName: string): Answer | Promise<Answer> {
    return this.plain(application, serverName, 'destroyServer');
  }

  patchPro(req: NodeDescriptor.PatchRequest): Answer | Promise<Answer> {
    return this.plain(req.appname, req.servername, 'patchPro');
  }

  shutdown(_ctx: CallContext): Answer {
    this.node.requestStop();
    return {ret: 0, result: `node ${this.node.nodeName} is stopping`};
  }

  async stopAllServers(): Promise<Answer> {
    const servers = this.node.servers.all();
    const stopped = await Promise.all(servers.map(async (s) => s.stop().catch(() => false)));
    const failed = servers.filter((_, i) => !stopped[i]).map((s) => s.id);
    if (failed.length > 0) return {ret: -1, result: `could not stop ${failed.join(', ')}`};
    return {ret: 0, result: `stopped ${servers.length} server(s) on node ${this.node.nodeName}`};
  }

  loadServer(application: string, serverName: string): Answer | Promise<Answer> {
    return this.plain(application, serverName, 'loadServer');
  }

  startServer(application: string, serverName: string): Answer | Promise<Answer> {
    return this.withServer(application, serverName, (result) => ({ret: -1, result}), async (s) => (await s.start()
      ? {ret: 0, result: `${s.id} started`} : {ret: -1, result: `${s.id} did not start`}));
  }

  stopServer(application: string, serverName: string): Answer | Promise<Answer> {
    return this.withServer(application, serverName, (result) => ({ret: -1, result}), async (s) => (await s.stop()
      ? {ret: 0, result: `${s.id} stopped`} : {ret: -1, result: `${s.id} did not stop`}));
  }

  notifyServer(application: string, serverName: string, _command: string): Answer | Promise<Answer> {
    return this.plain(application, serverName, 'notifyServer');
  }

  getStateInfo(application: string, serverName: string):
  Node.Node$Results['getStateInfo'] | Promise<Node.Node$Results['getStateInfo']> {
    const info = NodeDescriptor.ServerStateInfo.create({nodeName: this.node.nodeName, application, serverName,
      serverState: ServerState.Inactive, settingState: ServerState.Inactive});
    return this.withServer(application, serverName, (result) => ({ret: -1, info, result}), (s) => {
      const snap = s.snapshot();
      return {ret: 0, result: '', info: {...info, serverState: snap.state, processId: snap.pid,
        settingState: snap.autoStart ? ServerState.Active : ServerState.Inactive}};
    });
  }

  getPatchPercent(application: string, serverName: string):
  Node.Node$Results['getPatchPercent'] | Promise<Node.Node$Results['getPatchPercent']> {
    const tPatchInfo = NodeDescriptor.PatchInfo.create({});
    return this.withServer(application, serverName, (sResult) => ({ret: -1, tPatchInfo: {...tPatchInfo, sResult}}),
      () => ({ret: -1, tPatchInfo: {...tPatchInfo, sResult: this.unsupported('getPatchPercent').result}}));
  }

  delCache(): Answer {
    return this.unsupported('delCache');
  }

  getLogFileList(application: string, serverName: string):
  Node.Node$Results['getLogFileList'] | Promise<Node.Node$Results['getLogFileList']> {
    return this.withServer(application, serverName, () => ({ret: -1, logFileList: []}),
      () => ({ret: -1, logFileList: []}));
  }

  getLogData(application: string, serverName: string):
  Node.Node$Results['getLogData'] | Promise<Node.Node$Results['getLogData']> {
    return this.withServer(application, serverName, (fileData) => ({ret: -1, fileData}),
      () => ({ret: -1, fileData: this.unsupported('getLogData').result}));
  }

  getNodeLoad(): Node.Node$Results['getNodeLoad'] {
    const l = currentLoad();
    return {ret: 0, fileData: `node ${this.node.nodeName}: load average ${[l.avg1, l.avg5, l.avg15]
      .map((x) => x.toFixed(2)).join(', ')}; ${os.cpus().length} cpus; ${Math.round(os.freemem() / 1_048_576)} MB ` +
      `free of ${Math.round(os.totalmem() / 1_048_576)} MB; ${this.node.servers.all().length} managed server(s)`};
  }

  forceDockerLogin(): Node.Node$Results['forceDockerLogin'] {
    return {ret: -1, result: [this.unsupported('forceDockerLogin').result]};
  }
}
