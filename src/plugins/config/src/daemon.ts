// `tars config start`: the config center as a daemon of the kit's host. ConfigObj on the official port 18193 and
// this toolkit's ConfigCtlObj on 18194 (or P and P+1 with --port P); its store is SQLite in the data directory.
// Started with --locator it lists both servants in that registry (RegistryCtl.addEndpoint, removed at stop) so
// that services and `tars config` find it by name, and it refuses pushes for servers the registry does not know.
import path from 'node:path';

import type {DaemonSpec} from '@tars-ts/kit';

import {CONFIG_OBJ} from './config-servant.js';
import {CONFIG_CTL_OBJ} from './ctl-servant.js';

/** The config center's store file inside its data directory. */
export const CONFIG_DB = 'config.db';

/** The registry's control servant, where a config center started with --locator lists itself. */
const REGISTRY_CTL_OBJ = 'tars.tarsregistry.RegistryCtlObj';

/** The config center daemon: what `tars config start|stop|status` run. */
export const configDaemon: DaemonSpec = {
  name: 'config',
  servants: [
    {obj: CONFIG_OBJ, port: 18193},
    {obj: CONFIG_CTL_OBJ, port: 18194},
  ],
  async create(ctx) {
    const [{openConfigStore}, {ConfigService}, {ConfigObjServant}, {ConfigCtlServant}, {RateLimiter}, core,
      {RegistryCtl}] = await Promise.all([import('./sql-repository.js'), import('./config-service.js'),
      import('./config-servant.js'), import('./ctl-servant.js'), import('./rate-limit.js'), import('@tars-ts/core'),
      import('@tars-ts/core/framework')]);
    const file = path.join(ctx.dataDir, CONFIG_DB);
    const store = await openConfigStore(file);
    const communicator = ctx.locator ? new core.Communicator({locator: ctx.locator}) : undefined;
    const registryCtl = communicator?.stringToProxy(RegistryCtl.RegistryCtlProxy, REGISTRY_CTL_OBJ, {timeout: 5000});
    let service;
    try {
      service = await ConfigService.open(store.repository, {
        maxFileBytes: ctx.settings['max-size'] as number | undefined,
        ...(registryCtl ? {instances: async () => {
          const {ret, servers} = await registryCtl.listServers('');
          if (ret !== 0) throw new Error(`the registry answered ${ret} to listServers`);
          return servers.map((s) => ({app: s.application, server: s.serverName, node: s.nodeName, setId: s.setId}));
        }} : {}),
      });
    } catch (error) {
      communicator?.close();
      await store.close();
      throw error;
    }
    const limiter = new RateLimiter(ctx.settings['rate-limit'] as number | undefined,
      ctx.settings['rate-interval'] as number | undefined);
    let listed: {obj: string; endpoint: string}[] = [];
    return {
      servants: {[CONFIG_OBJ]: new ConfigObjServant(service, limiter), [CONFIG_CTL_OBJ]: new ConfigCtlServant(service)},
      store: file,
      async onStarted(bound) {
        if (!registryCtl) return;
        for (const {obj, endpoint} of bound) {
          const {ret, result} = await registryCtl.addEndpoint(RegistryCtl.ManualEndpoint.create({servant: obj,
            endpoint}));
          if (ret !== 0) throw new Error(`the registry refused ${obj}@${endpoint}: ${result}`);
          listed.push({obj, endpoint});
        }
        ctx.logger.info(`listed ${listed.map((l) => l.obj).join(', ')} in the registry ${ctx.locator}`);
      },
      async onClose() {
        for (const {obj, endpoint} of listed) {
          try {
            await registryCtl!.removeEndpoint(obj, endpoint);
          } catch (error) {
            ctx.logger.warn(`could not remove ${obj}@${endpoint} from the registry: ${(error as Error).message}`);
          }
        }
        listed = [];
        communicator?.close();
        await store.close();
      },
    };
  },
};
