// The official Node client side (@tars/rpc 2.0.15, @tars/registry 2.0.6, Node 20) as an oracle for the registry's
// interop tests: loading it quietly, making its registry client, reading its answers as plain values, and destroying
// every communicator it made, including the hidden ones.
//
// Facts this file relies on (read in node_modules, nothing copied):
//   - require('@tars/registry') is one shared client; `.New()` makes another. `setLocator(obj@endpoint)`, then the
//     first lookup (or `initialize()`) makes a communicator of its own (`Communicator.New()`) and a proxy of
//     @tars/registry's QueryFProxy on the locator. Its node name is the config's `server.nodename`/`localip` when a
//     TARS config is loaded, else the host's first non-internal IPv4 (else IPv6, else 127.0.0.1); every lookup sends
//     it as the request context `node_name`.
//   - An @tars/rpc proxy of a bare object name gets an EndpointManager holding one such client (`Registry.New()`):
//     `communicator.destroy()` never reaches the communicator that client made.
/* eslint-disable @typescript-eslint/no-explicit-any */
import {createRequire} from 'node:module';

import type {CallContext} from '@tars-ts/core';
import type {EndpointF as EndpointFFile} from '@tars-ts/core/framework';

import {QueryServant} from '../src/index.js';

const require = createRequire(import.meta.url);

let rpcModule: any;
/**
 * `@tars/rpc`, loaded on first use. Its modules require each other in a cycle and Node warns about it three times
 * while it loads ("... of module exports inside circular dependency"): those warnings, the oracle's own, are dropped,
 * nothing else. Load it through here before anything that requires it (@tars/registry does).
 */
export function tarsRpc(): any {
  if (rpcModule === undefined) {
    const emitWarning = process.emitWarning;
    process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
      const text = typeof warning === 'string' ? warning : warning.message;
      if (/of module exports inside circular dependency/.test(text)) return;
      (emitWarning as (...a: unknown[]) => void).call(process, warning, ...rest);
    }) as typeof process.emitWarning;
    try {
      rpcModule = require('@tars/rpc');
    } finally {
      process.emitWarning = emitWarning;
    }
  }
  return rpcModule;
}

/** @tars/registry's generated QueryF proxy class (what tars2node emits for QueryF.tars). */
export function officialQueryFProxy(): any {
  tarsRpc();
  return require('@tars/registry/QueryFProxy.js').tars.QueryFProxy;
}

/** The EndpointF fields @tars/registry's EndpointF.tars knows: tags 0-9, 11, 12 (no authType, no nodeName). */
export interface OfficialEndpoint {
  host: string; port: number; timeout: number; istcp: number; grid: number; groupworkid: number;
  grouprealid: number; setId: string; qos: number; bakFlag: number; weight: number; weightType: number;
}

/** Our EndpointF reduced to what the official client can read of it. */
export function asOfficial(ep: EndpointFFile.EndpointF): OfficialEndpoint {
  return {host: ep.host, port: ep.port, timeout: ep.timeout, istcp: ep.istcp, grid: ep.grid,
    groupworkid: ep.groupworkid, grouprealid: ep.grouprealid, setId: ep.setId, qos: ep.qos, bakFlag: ep.bakFlag,
    weight: ep.weight, weightType: ep.weightType};
}

/** A @tars/stream `vector<EndpointF>` as plain values. */
export function officialList(list: any): OfficialEndpoint[] {
  return list.toObject() as OfficialEndpoint[];
}

/** A two-list answer of @tars/registry as `{ret, active, inactive}` of plain endpoints. */
export function officialAnswer(result: any): {ret: number; active: OfficialEndpoint[]; inactive: OfficialEndpoint[]} {
  return {ret: result.response.return, active: officialList(result.response.arguments.activeEp),
    inactive: officialList(result.response.arguments.inactiveEp)};
}

/** A fresh @tars/registry client on `locator`, initialized (so its node name and communicator exist). */
export function officialRegistryClient(locator: string): any {
  tarsRpc();
  const client = require('@tars/registry').New();
  client.setLocator(locator);
  client.initialize();
  return client;
}

/** A fresh @tars/rpc communicator with a call timeout (ms); destroy it with {@link destroyOfficial}. */
export function officialCommunicator(timeoutMs = 3000): any {
  const comm = new (tarsRpc().Communicator)();
  comm.setProperty('timeout', timeoutMs);
  return comm;
}

/**
 * Destroys an @tars/rpc communicator at once, and the communicators its proxies' registry clients made. With each
 * proxy's timeout at 0 first, `destroy()` closes connections now instead of one call timeout later.
 */
export function destroyOfficial(comm: any): void {
  for (const worker of Object.values<any>(comm._workers ?? {})) {
    worker.timeout = 0;
    const inner = worker._manager?._registry?._proxy?._worker?.communicator;
    if (inner && inner !== comm) destroyOfficial(inner);
  }
  comm.destroy();
}

/** Destroys the communicator of a client made by {@link officialRegistryClient}. */
export function destroyOfficialRegistryClient(client: any): void {
  const comm = client?._proxy?._worker?.communicator;
  if (comm) destroyOfficial(comm);
}

/** One lookup our QueryObj received: the function, the object name and the `node_name` context (if any). */
export interface NotedLookup {
  func: string;
  id: string;
  nodeName: string | undefined;
}

/** Our QueryObj, noting every lookup it answers (to show what the official clients ask, and how often). */
export class NotingQueryServant extends QueryServant {
  readonly calls: NotedLookup[] = [];

  private note(func: string, id: string, ctx: CallContext): void {
    this.calls.push({func, id, nodeName: ctx.context.get('node_name')});
  }

  override findObjectById(id: string, ctx?: CallContext): ReturnType<QueryServant['findObjectById']> {
    this.note('findObjectById', id, ctx!);
    return super.findObjectById(id);
  }

  override findObjectById4Any(id: string, ctx?: CallContext): ReturnType<QueryServant['findObjectById4Any']> {
    this.note('findObjectById4Any', id, ctx!);
    return super.findObjectById4Any(id);
  }

  override findObjectById4All(id: string, ctx: CallContext): ReturnType<QueryServant['findObjectById4All']> {
    this.note('findObjectById4All', id, ctx);
    return super.findObjectById4All(id, ctx);
  }

  override findObjectByIdInSameGroup(id: string, ctx: CallContext):
    ReturnType<QueryServant['findObjectByIdInSameGroup']> {
    this.note('findObjectByIdInSameGroup', id, ctx);
    return super.findObjectByIdInSameGroup(id, ctx);
  }

  override findObjectByIdInSameStation(id: string, sStation: string, ctx?: CallContext):
    ReturnType<QueryServant['findObjectByIdInSameStation']> {
    this.note('findObjectByIdInSameStation', id, ctx!);
    return super.findObjectByIdInSameStation(id, sStation);
  }

  override findObjectByIdInSameSet(id: string, setId: string, ctx: CallContext):
    ReturnType<QueryServant['findObjectByIdInSameSet']> {
    this.note('findObjectByIdInSameSet', id, ctx);
    return super.findObjectByIdInSameSet(id, setId, ctx);
  }
}
