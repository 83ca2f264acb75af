// A QueryF servant answering every lookup from a function: the locator of the runtime's own tests (the registry
// daemon has its own, full implementation).
import {type EndpointF, QueryF} from '@tars-ts/core/framework';

/** Answers findObject* with `endpoints(id)` as the active list (and nothing inactive); counts the lookups. */
export class FixedRegistry extends QueryF.QueryFServant {
  lookups = 0;

  constructor(private readonly endpoints: (id: string) => EndpointF.EndpointF[]) {
    super();
  }

  private lists(id: string): {ret: number; activeEp: EndpointF.EndpointF[]; inactiveEp: EndpointF.EndpointF[]} {
    this.lookups++;
    return {ret: 0, activeEp: this.endpoints(id), inactiveEp: []};
  }

  findObjectById(id: string): QueryF.QueryF$Results['findObjectById'] {
    return {ret: this.lists(id).activeEp};
  }

  findObjectById4Any(id: string): QueryF.QueryF$Results['findObjectById4Any'] {
    return this.lists(id);
  }

  findObjectById4All(id: string): QueryF.QueryF$Results['findObjectById4All'] {
    return this.lists(id);
  }

  findObjectByIdInSameGroup(id: string): QueryF.QueryF$Results['findObjectByIdInSameGroup'] {
    return this.lists(id);
  }

  findObjectByIdInSameStation(id: string): QueryF.QueryF$Results['findObjectByIdInSameStation'] {
    return this.lists(id);
  }

  findObjectByIdInSameSet(id: string): QueryF.QueryF$Results['findObjectByIdInSameSet'] {
    return this.lists(id);
  }

  findObjectNodeName(): QueryF.QueryF$Results['findObjectNodeName'] {
    return {ret: 0, nodeName: []};
  }

  registerQuery(): QueryF.QueryF$Results['registerQuery'] {
    return {ret: 0};
  }

  registerChange(): QueryF.QueryF$Results['registerChange'] {
    return {ret: 0};
  }

  getLocker(): QueryF.QueryF$Results['getLocker'] {
    return {ret: 0};
  }
}
