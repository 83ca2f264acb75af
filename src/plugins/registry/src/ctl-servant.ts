// tars.tarsregistry.RegistryCtlObj: this toolkit's control interface of the registry (core/framework/idl/
// RegistryCtl.tars), what `tars registry list|add|rm|nodes` call. Reads come from the snapshot, writes go to the
// repository and refresh the model, as every servant of the registry does.
import {parseEndpoint} from '@tars-ts/core';
import {RegistryCtl} from '@tars-ts/core/framework';

import type {RegistryService} from './registry-service.js';
import {staticEndpointRow} from './rows.js';

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
}
