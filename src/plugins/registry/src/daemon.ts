// `tars registry start`: the registry as a daemon of the kit's host. Its store is SQLite in the data directory, or
// a PostgreSQL database (--db) that several registries share; its servants are the official ones on the official
// ports (QueryObj 17890, RegistryObj 17891, AdminRegObj 12000) and this toolkit's RegistryCtlObj (17892), or P,
// P+1, P+2, P+3 with --port P.
import path from 'node:path';

import type {DaemonSpec} from '@tars-ts/kit';

/** The registry's store file inside its data directory. */
export const REGISTRY_DB = 'registry.db';

/** The registry daemon: what `tars registry start|stop|status` run. */
export const registryDaemon: DaemonSpec = {
  name: 'registry',
  announce: false,
  store: {file: REGISTRY_DB},
  servants: [
    {obj: 'tars.tarsregistry.QueryObj', port: 17890},
    {obj: 'tars.tarsregistry.RegistryObj', port: 17891},
    {obj: 'tars.tarsAdminRegistry.AdminRegObj', port: 12000, admin: true},
    {obj: 'tars.tarsregistry.RegistryCtlObj', port: 17892, admin: true},
  ],
  async create(ctx) {
    const [{openRegistry}, {openRegistryStore}, {adminAuth}] = await Promise.all([import('./registry.js'),
      import('./sql-repository.js'), import('@tars-ts/kit')]);
    const store = await openRegistryStore(ctx.store ?? path.join(ctx.dataDir, REGISTRY_DB));
    const nodeTimeoutMs = ctx.settings['node-timeout'] as number | undefined;
    const reapIntervalMs = ctx.settings['reap-interval'] as number | undefined;
    // Only a server database is shared by several registries (the official deployment's db_tars): there each
    // lists its own servants and follows the others' writes; one registry alone on its SQLite file has no one to
    // sync with.
    const shared = ctx.store?.kind === 'postgres';
    const syncIntervalMs = shared ? (ctx.settings['sync-interval'] as number | undefined) ?? 1000 : 0;
    const registryTimeoutMs = ctx.settings['registry-timeout'] as number | undefined;
    let registry;
    try {
      registry = await openRegistry({repository: store.repository, logger: ctx.logger,
        ...(nodeTimeoutMs !== undefined ? {nodeTimeoutMs} : {}),
        ...(reapIntervalMs !== undefined ? {reapIntervalMs} : {}), syncIntervalMs, shared,
        ...(registryTimeoutMs !== undefined ? {registryTimeoutMs} : {}),
        ...(ctx.adminToken !== undefined ? {nodeAuth: adminAuth(ctx.adminToken)!} : {})});
    } catch (error) {
      await store.close();
      throw error;
    }
    const opened = registry;
    return {
      servants: opened.servants,
      store: store.where,
      onStarted: (bound) => opened.listOwnEndpoints(bound),
      async onClose() {
        await opened.close();
        await store.close();
      },
    };
  },
};
