// tars.tarsregistry.RegistryObj: what nodes call to register, heart-beat, fetch the servers they run and report
// their state. Every write goes to the repository and then refreshes the snapshot QueryObj answers from.
import type {CallContext} from '@tars-ts/core';
import {
  NodeDescriptor, Registry, RegistryDescriptor,
} from '@tars-ts/core/framework';

import {callerHost} from './query-servant.js';
import type {RegistryService} from './registry-service.js';
import type {ServerWithAdapters} from './repository.js';
import type {PresentState} from './rows.js';

type R = Registry.Registry$Results;

/** The present state a ServerState value is stored as (the enum name, lower-cased, as MySQL's enum match does). */
export function presentStateOf(state: number): PresentState {
  const names: PresentState[] = ['inactive', 'activating', 'active', 'deactivating', 'destroying', 'destroyed'];
  return names[state] ?? 'inactive';
}

/** `YYYY-MM-DD HH:MM:SS` (UTC) of a clock reading: the form the official tables keep times in. */
export function sqlTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** A server row and its adapters as the ServerDescriptor getServers returns (profile: the server's own text). */
export function serverDescriptorOf({server: s, adapters}: ServerWithAdapters): RegistryDescriptor.ServerDescriptor {
  // Official: at least 3 async threads (0 for tars_nodejs) unless more are configured.
  const floor = s.serverType === 'tars_nodejs' ? 0 : 3;
  return RegistryDescriptor.ServerDescriptor.create({
    application: s.application, serverName: s.serverName, nodeName: s.nodeName, basePath: s.basePath,
    exePath: s.exePath, settingState: s.settingState, presentState: s.presentState, profile: s.profile,
    patchVersion: s.patchVersion, patchTime: s.patchTime, patchUser: s.patchUser, serverType: s.serverType,
    startScript: s.startScript, stopScript: s.stopScript, monitorScript: s.monitorScript,
    configCenterPort: s.configCenterPort, asyncThreadNum: Math.max(s.asyncThreadNum, floor),
    setId: s.enableSet ? `${s.setName}.${s.setArea}.${s.setGroup}` : '', runType: s.runType,
    baseImageId: s.baseImageId,
    adapters: new Map(adapters.map((a) => [a.adapterName, RegistryDescriptor.AdapterDescriptor.create({
      adapterName: a.adapterName, threadNum: String(a.threadNum), endpoint: a.endpoint,
      maxConnections: a.maxConnections, allowIp: a.allowIp, servant: a.servant, queuecap: a.queuecap,
      queuetimeout: a.queuetimeout, protocol: a.protocol, handlegroup: a.handlegroup,
    })])),
  });
}

/**
 * RegistryObj over a {@link RegistryService}, with the official return codes: registerNode 0 ok / 1 name held by
 * another live node / 2 storage error; keepAlive always 0 (a node never learns from it that its row is missing);
 * updateServer reads its first three arguments as (nodeName, app, serverName), as tarsnode sends them, not in the
 * IDL's order. Docker, framework keys and profile templates are not kept here: they answer empty.
 */
export class RegistryObjServant extends Registry.RegistryServant {
  constructor(private readonly service: RegistryService) {
    super();
  }

  private get repo() {
    return this.service.repository;
  }

  /** Official: records the caller's connection as the node's push channel; nothing to store without one. */
  reportNode(): R['reportNode'] {
    return {ret: 0};
  }

  async registerNode(nodeName: string, ni: NodeDescriptor.NodeInfo, li: NodeDescriptor.LoadInfo):
    Promise<R['registerNode']> {
    try {
      const result = await this.repo.registerNode({nodeName, nodeObj: ni.nodeObj, endpointIp: ni.endpointIp,
        endpointPort: ni.endpointPort, dataDir: ni.dataDir, version: ni.version,
        load: {avg1: li.avg1, avg5: li.avg5, avg15: li.avg15}}, this.service.clock());
      if (result === 'name-taken') return {ret: 1};
      await this.service.refresh();
      return {ret: 0};
    } catch {
      return {ret: 2};
    }
  }

  async keepAlive(nodeName: string, load: NodeDescriptor.LoadInfo): Promise<R['keepAlive']> {
    try {
      await this.service.keepAlive(nodeName, {avg1: load.avg1, avg5: load.avg5, avg15: load.avg15});
    } catch {
      // Official: queued to a worker and answered 0 before the write; its failure never reaches the node.
    }
    return {ret: 0};
  }

  async getServers(app: string, serverName: string, nodeName: string): Promise<R['getServers']> {
    const servers = await this.repo.getServers({nodeName, application: app, serverName});
    return {ret: servers.map(serverDescriptorOf)};
  }

  /** On the wire tag 1 is the node name (tarsnode and tarsregistry both swap it with the IDL's `app`). */
  async updateServer(nodeName: string, app: string, serverName: string, state: NodeDescriptor.ServerStateInfo):
    Promise<R['updateServer']> {
    return this.updateStates([{application: app, serverName, nodeName, presentState: presentStateOf(state.serverState),
      processId: state.processId}]);
  }

  async updateServerBatch(vState: NodeDescriptor.ServerStateInfo[]): Promise<R['updateServerBatch']> {
    return this.updateStates(vState.map((s) => ({application: s.application, serverName: s.serverName,
      nodeName: s.nodeName, presentState: presentStateOf(s.serverState), processId: s.processId})));
  }

  private async updateStates(updates: Parameters<RegistryService['repository']['updateServerStates']>[0]):
    Promise<{ret: number}> {
    try {
      await this.repo.updateServerStates(updates);
      await this.service.refresh();
      return {ret: 0};
    } catch {
      return {ret: -1};
    }
  }

  async destroyNode(nodeName: string): Promise<R['destroyNode']> {
    try {
      await this.repo.destroyNode(nodeName);
      await this.service.refresh();
    } catch {
      // Official: errors are logged, the answer is 0 regardless.
    }
    return {ret: 0};
  }

  async reportVersion(app: string, serverName: string, nodeName: string, version: string):
    Promise<R['reportVersion']> {
    try {
      await this.repo.setServerVersion({application: app, serverName, nodeName}, version);
      await this.service.refresh();
    } catch {
      // Official: queued; the node always gets 0.
    }
    return {ret: 0};
  }

  getNodeTemplate(): R['getNodeTemplate'] {
    return {ret: 0, profileTemplate: ''};
  }

  /** The caller's socket IP (official `Current::getIp`, not the node_name context). */
  getClientIp(ctx: CallContext): R['getClientIp'] {
    return {ret: 0, sClientIp: callerHost({context: new Map(), remote: ctx.remote})};
  }

  async updatePatchResult(result: Registry.PatchResult): Promise<R['updatePatchResult']> {
    try {
      await this.repo.setPatchResult({application: result.sApplication, serverName: result.sServerName,
        nodeName: result.sNodeName}, {version: result.sVersion, user: result.sUserName,
        time: sqlTime(this.service.clock())});
      await this.service.refresh();
      return {ret: 0};
    } catch {
      return {ret: -1};
    }
  }

  getDockerRegistry(): R['getDockerRegistry'] {
    return {ret: 0, doctorRegistries: []};
  }

  dockerPull(): R['dockerPull'] {
    return {ret: -1};
  }

  getFrameworkKey(): R['getFrameworkKey'] {
    return {ret: 0, fKey: Registry.FrameworkKey.create()};
  }
}
