// A running registry's parts, put together once: the repository, the service and its model, the servants of every
// object the registry serves, the reaper that expires silent nodes, and the registry's own endpoints. The daemon
// (./daemon.ts) opens one over its store; tests open one over a memory repository.
import {type Logger, type Servant, parseEndpoint} from '@tars-ts/core';

import {ADMIN_REG_OBJ, AdminRegServant} from './admin-reg-servant.js';
import {REGISTRY_CTL_OBJ, RegistryCtlServant} from './ctl-servant.js';
import {QUERY_OBJ, QueryServant} from './query-servant.js';
import type {Clock} from './registry-model.js';
import {RegistryObjServant} from './registry-servant.js';
import {DEFAULT_NODE_TIMEOUT_INTERVAL_MS, RegistryService} from './registry-service.js';
import type {RegistryRepository} from './repository.js';

/** The official object name of the node-facing servant. */
export const REGISTRY_OBJ = 'tars.tarsregistry.RegistryObj';

/** Options of {@link openRegistry}. */
export interface RegistryOptions {
  readonly repository: RegistryRepository;
  readonly clock?: Clock;
  /** A node silent this long is inactive with its servers (default 250 s, at least 15 s). */
  readonly nodeTimeoutMs?: number;
  /** How often silent nodes are written inactive (default 60 s; 0: never, for tests driving {@link expireNodes}). */
  readonly reapIntervalMs?: number;
  /**
   * How often the registry syncs with the others of its store (RegistryService.sync: its own rows, their writes, the
   * nodes' heart-beats they took); 0 (the default here; the daemon's is 1 s): never, for tests driving it.
   */
  readonly syncIntervalMs?: number;
  /** Another registry of the store is listed inactive when silent this long (default 10 s). */
  readonly registryTimeoutMs?: number;
  /** Whether other registries may share the store (RegistryServiceOptions.shared). */
  readonly shared?: boolean;
  /** Auth keys for the registry's calls to nodes (the admin token, when the cluster has one). */
  readonly nodeAuth?: Readonly<Record<string, {accesskey: string; secretkey: string}>>;
  readonly logger?: Logger;
}

/** An open registry: its servants by official object name, and how to list its own endpoints and to close it. */
export interface OpenRegistry {
  readonly service: RegistryService;
  readonly servants: Readonly<Record<string, Servant>>;
  /**
   * Lists the registry's own servants where they listen, as QueryF answers them (`tars.tarsregistry.QueryObj`
   * resolves to this registry). Call once they are bound.
   */
  listOwnEndpoints(bound: readonly {obj: string; endpoint: string}[]): Promise<void>;
  /**
   * Stops the reaper and the sync, and takes the registry's own rows out of the store (the others stop listing it).
   * Idempotent; the repository is the caller's to close.
   */
  close(): Promise<void>;
}

/**
 * Opens a registry over `repository`: loads its rows once (so the first lookup answers from the stored state) and
 * starts the reaper.
 */
export async function openRegistry(options: RegistryOptions): Promise<OpenRegistry> {
  const service = new RegistryService(options.repository, {
    ...(options.clock ? {clock: options.clock} : {}),
    ...(options.nodeTimeoutMs !== undefined ? {nodeTimeoutMs: options.nodeTimeoutMs} : {}),
    ...(options.registryTimeoutMs !== undefined ? {registryTimeoutMs: options.registryTimeoutMs} : {}),
    shared: options.shared ?? false,
  });
  await service.refresh();
  const servants: Record<string, Servant> = {
    [QUERY_OBJ]: new QueryServant(() => service.snapshot()),
    [REGISTRY_OBJ]: new RegistryObjServant(service),
    [REGISTRY_CTL_OBJ]: new RegistryCtlServant(service),
    [ADMIN_REG_OBJ]: new AdminRegServant(service, {...(options.logger ? {logger: options.logger} : {}),
      ...(options.nodeAuth ? {nodeAuth: options.nodeAuth} : {})}),
  };
  const interval = options.reapIntervalMs ?? DEFAULT_NODE_TIMEOUT_INTERVAL_MS;
  let reaping = false;
  const reaper = interval > 0 ? setInterval(() => {
    if (reaping) return;
    reaping = true;
    service.expireNodes().then((expired) => {
      if (expired.length > 0) options.logger?.info(`nodes without heart-beat, now inactive: ${expired.join(', ')}`);
    }, (error: unknown) => {
      options.logger?.error(`expiring silent nodes: ${(error as Error).message}`);
    }).finally(() => {
      reaping = false;
    });
  }, interval) : undefined;
  reaper?.unref();
  const syncMs = options.syncIntervalMs ?? 0;
  let syncing = false;
  const syncer = syncMs > 0 ? setInterval(() => {
    if (syncing) return;
    syncing = true;
    service.sync().catch((error: unknown) => {
      options.logger?.error(`syncing with the store: ${(error as Error).message}`);
    }).finally(() => {
      syncing = false;
    });
  }, syncMs) : undefined;
  syncer?.unref();
  let closing: Promise<void> | undefined;
  return {
    service,
    servants,
    async listOwnEndpoints(bound) {
      const query = bound.find((b) => b.obj === QUERY_OBJ) ?? bound[0];
      const at = query ? parseEndpoint(query.endpoint) : undefined;
      await service.setOwnEndpoints(at ? `${at.host}:${at.port}` : 'self', bound.map(({obj, endpoint}) =>
        ({servant: obj, endpoint})));
    },
    close() {
      closing ??= (async () => {
        if (reaper) clearInterval(reaper);
        if (syncer) clearInterval(syncer);
        (servants[ADMIN_REG_OBJ] as AdminRegServant).close();
        await service.withdraw().catch((error: unknown) => {
          options.logger?.error(`taking this registry out of the store: ${(error as Error).message}`);
        });
      })();
      return closing;
    },
  };
}
