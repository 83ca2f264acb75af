// The servants of the node daemon: ServerObj (ServerF: what the servers it runs report) and NodeObj (Node: what the
// registry and operators ask of it). Both read the node's ManagedServers: the one place a deploy adds a server.
import os from 'node:os';

import type {CallContext} from '@tars-ts/core';
import {Node, NodeCtl, NodeDescriptor, NodeF, RegistryCtl} from '@tars-ts/core/framework';

import type {NodeServers} from './node-servers.js';
import {type ServerProcess, ServerState, procStartedAtMs} from './supervisor/index.js';

/** What the ServerObj servant needs of the node's servers. */
export interface HeartbeatTargets {
  /** The managed server, or undefined when this node does not manage it. */
  get(application: string, serverName: string): ServerProcess | undefined;
  /** A server reported its framework version (passed on to the registry). */
  versionReported?(application: string, serverName: string, version: string): void;
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

  constructor(private readonly servers: HeartbeatTargets) {
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
    this.servers.versionReported?.(app, serverName, version);
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
  readonly servers: NodeServers;
  /** Stops the node daemon gracefully (after the call is answered). */
  requestStop(): void;
}

type Answer = {ret: number; result: string};
/** How long startServer waits for the server's first keepAlive, ms (the registry's node call waits 10 s). */
const START_WAIT_MS = 8000;
const N = NodeCtl.NodeCtl$def;

/**
 * NodeObj: the official Node interface and, beside it under names Node does not use, this toolkit's NodeCtl
 * (core/framework/idl/NodeCtl.tars: listManaged, stagePackage, activateServer, readLog). Server calls go to the
 * node's {@link NodeServers}; a server this node does not manage answers -1 with a text saying so. Not kept here
 * (answered -1 with a text): patchPro from a patch server (packages are staged from the node's own disk until the
 * patch service exists), delCache, docker.
 */
export class NodeImpl extends Node.NodeServant {
  static override readonly $interface = {name: Node.Node$def.name,
    operations: [...Node.Node$def.operations, ...N.operations]};

  constructor(private readonly node: NodeServantHost) {
    super();
  }

  private get servers(): NodeServers {
    return this.node.servers;
  }

  private unsupported(what: string): Answer {
    return {ret: -1, result: `${what} is not supported by node ${this.node.nodeName} (tars-ts)`};
  }

  destroyServer(application: string, serverName: string): Promise<Answer> {
    return this.servers.destroy(application, serverName);
  }

  patchPro(req: NodeDescriptor.PatchRequest): Answer {
    return this.unsupported(`patchPro of ${req.appname}.${req.servername} from a patch server ` +
      '(stage the package with tars server deploy --package instead)');
  }

  shutdown(_ctx: CallContext): Answer {
    this.node.requestStop();
    return {ret: 0, result: `node ${this.node.nodeName} is stopping`};
  }

  async stopAllServers(): Promise<Answer> {
    const servers = this.servers.all();
    const results = await Promise.all(servers.map((s) => {
      const {application, serverName} = s.snapshot();
      return this.servers.stop(application, serverName);
    }));
    const failed = results.filter((r) => r.ret !== 0).map((r) => r.result);
    if (failed.length > 0) return {ret: -1, result: failed.join('; ')};
    return {ret: 0, result: `stopped ${servers.length} server(s) on node ${this.node.nodeName}`};
  }

  loadServer(application: string, serverName: string): Promise<Answer> {
    return this.servers.reload(application, serverName);
  }

  startServer(application: string, serverName: string): Promise<Answer> {
    return this.servers.start(application, serverName, START_WAIT_MS);
  }

  stopServer(application: string, serverName: string): Promise<Answer> {
    return this.servers.stop(application, serverName);
  }

  notifyServer(application: string, serverName: string, command: string): Promise<Answer> {
    return this.servers.notify(application, serverName, command);
  }

  getStateInfo(application: string, serverName: string): Node.Node$Results['getStateInfo'] {
    const info = NodeDescriptor.ServerStateInfo.create({nodeName: this.node.nodeName, application, serverName,
      serverState: ServerState.Inactive, settingState: ServerState.Inactive});
    const s = this.servers.get(application, serverName);
    if (!s) return {ret: -1, info, result: `server ${application}.${serverName} is not deployed on node ${this.node.nodeName}`};
    const snap = s.snapshot();
    return {ret: 0, result: '', info: {...info, serverState: snap.state, processId: snap.pid,
      settingState: snap.autoStart ? ServerState.Active : ServerState.Inactive}};
  }

  getPatchPercent(application: string, serverName: string): Node.Node$Results['getPatchPercent'] {
    const p = this.servers.patchPercent(application, serverName);
    if (!p) {
      return {ret: -1, tPatchInfo: NodeDescriptor.PatchInfo.create({sResult: `no patch of ${application}.${serverName} ` +
        `on node ${this.node.nodeName}`})};
    }
    return {ret: 0, tPatchInfo: NodeDescriptor.PatchInfo.create({bPatching: p.status === 'downloading' ||
      p.status === 'unpacking', iPercent: p.percent, iModifyTime: Math.floor(Date.now() / 1000), sVersion: p.version,
    sResult: p.status, bSucc: p.status === 'staged'})};
  }

  delCache(): Answer {
    return this.unsupported('delCache');
  }

  async getLogFileList(application: string, serverName: string): Promise<Node.Node$Results['getLogFileList']> {
    const files = await this.servers.logFiles(application, serverName);
    return Array.isArray(files) ? {ret: 0, logFileList: files} : {ret: -1, logFileList: []};
  }

  /**
   * Official: runs `cmd` through a shell on the file. Here only `tail -n N` and `head -n N` (and a bare `tail`,
   * 100 lines) are understood; anything else is refused, never run.
   */
  async getLogData(application: string, serverName: string, logFile: string, cmd: string):
    Promise<Node.Node$Results['getLogData']> {
    const m = /^\s*(tail|head)(?:\s+-n\s*(\d+))?\s*$/.exec(cmd);
    if (!m) return {ret: -1, fileData: `"${cmd}" is not understood: give "tail -n N" or "head -n N"`};
    const lines = Number(m[2] ?? 100);
    if (m[1] === 'tail') {
      const read = await this.servers.readLog(application, serverName, logFile, 0, Math.max(1, lines), 1024 * 1024);
      return read.chunk ? {ret: 0, fileData: read.chunk.data} : {ret: -1, fileData: read.outcome.result};
    }
    const read = await this.servers.readLog(application, serverName, logFile, 0, 0, 1024 * 1024);
    if (!read.chunk) return {ret: -1, fileData: read.outcome.result};
    const head = read.chunk.data.split('\n').slice(0, lines).join('\n');
    return {ret: 0, fileData: head};
  }

  getNodeLoad(): Node.Node$Results['getNodeLoad'] {
    const l = currentLoad();
    return {ret: 0, fileData: `node ${this.node.nodeName}: load average ${[l.avg1, l.avg5, l.avg15]
      .map((x) => x.toFixed(2)).join(', ')}; ${os.cpus().length} cpus; ${Math.round(os.freemem() / 1_048_576)} MB ` +
      `free of ${Math.round(os.totalmem() / 1_048_576)} MB; ${this.servers.all().length} managed server(s)`};
  }

  forceDockerLogin(): Node.Node$Results['forceDockerLogin'] {
    return {ret: -1, result: [this.unsupported('forceDockerLogin').result]};
  }

  // ----- NodeCtl (this toolkit's own functions on NodeObj) -----

  listManaged(): NodeCtl.NodeCtl$Results['listManaged'] {
    return {ret: 0, servers: this.servers.list().map(({process, command}) => {
      const snap = process.snapshot();
      return NodeCtl.ManagedServer.create({application: snap.application, serverName: snap.serverName,
        // The process's own start (from /proc), so an adopted server's uptime is not reset by a node restart.
        state: snap.state, pid: snap.pid, startedAt: BigInt(Math.round((snap.pid > 0 && snap.startTime !== undefined
          ? procStartedAtMs(snap.startTime) : undefined) ?? snap.startedAt ?? 0)), starts: snap.starts,
        version: snap.version ?? '', autoStart: snap.autoStart,
        lastHeartbeat: BigInt(Math.round(snap.lastHeartbeatAt ?? 0)),
        blockedUntil: BigInt(Math.round(snap.limiter.blockedUntil ?? 0)), command, lastExit: snap.lastExit ?? ''});
    })};
  }

  async stagePackage(req: NodeCtl.StageRequest): Promise<NodeCtl.NodeCtl$Results['stagePackage']> {
    const {outcome, info} = await this.servers.stage(req);
    const pkg = NodeCtl.StagedPackage.create(info ? {entry: info.entry, files: info.files, bytes: BigInt(info.bytes),
      configFile: info.configFile, adapters: info.adapters.map((a) => RegistryCtl.ServerAdapter.create({name: a.name,
        servant: a.servant, endpoint: a.endpoint, protocol: a.protocol, ...(a.threads ? {threads: a.threads} : {}),
        ...(a.maxConnections ? {maxConnections: a.maxConnections} : {}), ...(a.queuecap ? {queuecap: a.queuecap} : {}),
        ...(a.queuetimeout ? {queuetimeout: a.queuetimeout} : {})}))} : {});
    return {ret: outcome.ret, pkg, result: outcome.result};
  }

  activateServer(application: string, serverName: string, waitMs: number): Promise<Answer> {
    return this.servers.activate(application, serverName, Math.min(Math.max(waitMs, 1000), 120_000));
  }

  async readLog(application: string, serverName: string, file: string, offset: bigint, lines: number,
    maxBytes: number): Promise<NodeCtl.NodeCtl$Results['readLog']> {
    const {outcome, chunk} = await this.servers.readLog(application, serverName, file, Number(offset), lines, maxBytes);
    return {ret: outcome.ret, result: outcome.result, chunk: NodeCtl.LogChunk.create(chunk ? {file: chunk.file,
      offset: BigInt(chunk.offset), nextOffset: BigInt(chunk.nextOffset), size: BigInt(chunk.size), data: chunk.data}
      : {})};
  }
}
