// A running registry's parts, put together once: the repository, the service and its model, the servants of every
// object the registry serves, the reaper that expires silent nodes, and the registry's own endpoints. The daemon
// (./daemon.ts) opens one over its store; tests open one over a memory repository.
import type {Logger, Servant} from '@tars-ts/core';

import {ADMIN_REG_OBJ, AdminRegServant} from './admin-reg-servant.js';
import {REGISTRY_CTL_OBJ, RegistryCtlServant} from './ctl-servant.js';
import {QUERY_OBJ, QueryServant} from './query-servant.js';
import type {Clock} from './registry-model.js';
import {RegistryObjServant} from './registry-servant.js';
import {DEFAULT_NODE_TIMEOUT_INTERVAL_MS, RegistryService} from './registry-service.js';
import type {RegistryRepository} from './repository.js';
import {staticEndpointRow} from './rows.js';

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
  /** Stops the reaper. Idempotent; the repository is the caller's to close. */
  close(): void;
}

/**
 * Opens a registry over `repository`: loads its rows once (so the first lookup answers from the stored state) and
 * starts the reaper.
 */
export async function openRegistry(options: RegistryOptions): Promise<OpenRegistry> {
  const service = new RegistryService(options.repository, {
    ...(options.clock ? {clock: options.clock} : {}),
    ...(options.nodeTimeoutMs !== undefined ? {nodeTimeoutMs: options.nodeTimeoutMs} : {}),
  });
  await service.refresh();
  const servants: Record<string, Servant> = {
    [QUERY_OBJ]: new QueryServant(() => service.snapshot()),
    [REGISTRY_OBJ]: new RegistryObjServant(service),
    [REGISTRY_CTL_OBJ]: new RegistryCtlServant(service),
    [ADMIN_REG_OBJ]: new AdminRegServant(service, options.logger ? {logger: options.logger} : {}),
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
  return {
    service,
    servants,
    async listOwnEndpoints(bound) {
      await service.setOwnEndpoints(bound.map(({obj, endpoint}) => staticEndpointRow({servant: obj, endpoint,
        owner: 'self'})));
    },
    close() {
      if (reaper) clearInterval(reaper);
      (servants[ADMIN_REG_OBJ] as AdminRegServant).close();
    },
  };
}
