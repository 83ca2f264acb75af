// tars.tarsregistry.QueryObj: what every TARS client asks to turn an object name into endpoints. Answers from the
// current snapshot only; each call reads one map entry.
import type {CallContext} from '@tars-ts/core';
import {QueryF} from '@tars-ts/core/framework';

import type {RegistrySnapshot} from './registry-snapshot.js';

/** The official object name of the query servant. */
export const QUERY_OBJ = 'tars.tarsregistry.QueryObj';

/**
 * The host a caller is grouped by, as the official registry's `Current::getHostName`: the request context's
 * `node_name` when the caller sent one (TARS clients send their node name, an IP by default), else the socket's
 * peer IP (an IPv4-mapped IPv6 address reduced to its IPv4 form). '' when neither is known: no group.
 */
export function callerHost(ctx: Pick<CallContext, 'context' | 'remote'>): string {
  // Official: the key's presence decides, even with an empty value (framework.md 0.2 says "non-empty"; the code
  // in TarsCpp's Current::getHostName only checks presence).
  const nodeName = ctx.context.get('node_name');
  if (nodeName !== undefined) return nodeName;
  const host = ctx.remote?.host ?? '';
  return host.startsWith('::ffff:') && host.includes('.') ? host.slice('::ffff:'.length) : host;
}

type R = QueryF.QueryF$Results;

/**
 * QueryF over a snapshot source (usually `() => service.snapshot()`), with the official semantics: findObjectById4Any
 * returns everything, findObjectById4All the group-filtered lists (the names are swapped in the official registry),
 * the rest as {@link RegistrySnapshot} documents. The enterprise-only functions answer -1 as open-source
 * tarsregistry does.
 */
export class QueryServant extends QueryF.QueryFServant {
  /** @param snapshot returns the snapshot to answer from; called once per request. */
  constructor(private readonly snapshot: () => RegistrySnapshot) {
    super();
  }

  findObjectById(id: string): R['findObjectById'] {
    return {ret: this.snapshot().findObjectById(id)};
  }

  findObjectById4Any(id: string): R['findObjectById4Any'] {
    return this.snapshot().findAll(id);
  }

  findObjectById4All(id: string, ctx: CallContext): R['findObjectById4All'] {
    return this.snapshot().findInGroupPriority(id, callerHost(ctx));
  }

  findObjectByIdInSameGroup(id: string, ctx: CallContext): R['findObjectByIdInSameGroup'] {
    return this.snapshot().findInGroupPriority(id, callerHost(ctx));
  }

  findObjectByIdInSameStation(id: string, sStation: string): R['findObjectByIdInSameStation'] {
    return this.snapshot().findInSameStation(id, sStation);
  }

  findObjectByIdInSameSet(id: string, setId: string, ctx: CallContext): R['findObjectByIdInSameSet'] {
    return this.snapshot().findInSameSet(id, setId, callerHost(ctx));
  }

  findObjectNodeName(): R['findObjectNodeName'] {
    return {ret: -1, nodeName: []};
  }

  registerChange(): R['registerChange'] {
    return {ret: -1};
  }

  registerQuery(): R['registerQuery'] {
    return {ret: -1};
  }

  getLocker(): R['getLocker'] {
    return {ret: -1};
  }
}
