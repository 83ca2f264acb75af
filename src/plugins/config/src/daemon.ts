// `tars config start`: the config center as a daemon of the kit's host. ConfigObj on the official port 18193 and
// this toolkit's ConfigCtlObj on 18194 (or P and P+1 with --port P); its store is SQLite in the data directory, or
// with --db a PostgreSQL database that several config centers may share (each then checks the store's change stamp
// before every answer: ./config-service.ts).
// Started with --locator it lists both servants in that registry (RegistryCtl.addEndpoint, removed at stop) so
// that services and `tars config` find it by name, and it refuses pushes for servers the registry does not know.
import {readFileSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import type {DaemonSpec} from '@tars-ts/kit';

import {CONFIG_OBJ} from './config-servant.js';
import {CONFIG_CTL_OBJ} from './ctl-servant.js';

/** The config center's store file inside its data directory. */
export const CONFIG_DB = 'config.db';

/**
 * What the config center listed in the registry, kept in its data directory until a graceful stop removes both: a
 * daemon killed with -9 and started again (maybe on other ports) first removes what its last run listed.
 */
export const LISTED_FILE = 'registry-listing.json';

/** The registry's control servant, where a config center started with --locator lists itself. */
const REGISTRY_CTL_OBJ = 'tars.tarsregistry.RegistryCtlObj';

/** The config center daemon: what `tars config start|stop|status` run. */
export const configDaemon: DaemonSpec = {
  name: 'config',
  store: {file: CONFIG_DB},
  servants: [
    {obj: CONFIG_OBJ, port: 18193},
    {obj: CONFIG_CTL_OBJ, port: 18194, admin: true},
  ],
  async create(ctx) {
    const [{openConfigStore}, {ConfigService}, {ConfigObjServant}, {ConfigCtlServant}, {RateLimiter}, core,
      {RegistryCtl}] = await Promise.all([import('./sql-repository.js'), import('./config-service.js'),
      import('./config-servant.js'), import('./ctl-servant.js'), import('./rate-limit.js'), import('@tars-ts/core'),
      import('@tars-ts/core/framework')]);
    const store = await openConfigStore(ctx.store ?? path.join(ctx.dataDir, CONFIG_DB));
    const communicator = ctx.locator ? new core.Communicator({locator: ctx.locator}) : undefined;
    const registryCtl = communicator?.stringToProxy(RegistryCtl.RegistryCtlProxy, REGISTRY_CTL_OBJ, {timeout: 5000});
    let service;
    try {
      service = await ConfigService.open(store.repository, {
        maxFileBytes: ctx.settings['max-size'] as number | undefined,
        // Only a server database is shared by several config centers: there each answer checks the change stamp.
        shared: store.kind === 'postgres',
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
      store: store.where,
      async onStarted(bound) {
        if (!registryCtl || ctx.managed) return;
        const listing = path.join(ctx.dataDir, LISTED_FILE);
        for (const old of previousListing(listing)) {
          if (bound.some((b) => b.obj === old.obj && b.endpoint === old.endpoint)) continue;
          await registryCtl.removeEndpoint(old.obj, old.endpoint);
        }
        for (const {obj, endpoint} of bound) {
          const {ret, result} = await registryCtl.addEndpoint(RegistryCtl.ManualEndpoint.create({servant: obj,
            endpoint}));
          if (ret !== 0) throw new Error(`the registry refused ${obj}@${endpoint}: ${result}`);
          listed.push({obj, endpoint});
          writeFileSync(listing, `${JSON.stringify(listed)}\n`);
        }
        ctx.logger.info(`listed ${listed.map((l) => l.obj).join(', ')} in the registry ${ctx.locator}`);
      },
      async onClose() {
        const left = [...listed];
        for (const {obj, endpoint} of listed) {
          try {
            await registryCtl!.removeEndpoint(obj, endpoint);
            left.splice(left.findIndex((l) => l.obj === obj && l.endpoint === endpoint), 1);
          } catch (error) {
            ctx.logger.warn(`could not remove ${obj}@${endpoint} from the registry: ${(error as Error).message}`);
          }
        }
        // What could not be removed stays in the file: the next start removes it.
        const listing = path.join(ctx.dataDir, LISTED_FILE);
        if (listed.length > 0 && left.length === 0) rmSync(listing, {force: true});
        else if (left.length > 0) writeFileSync(listing, `${JSON.stringify(left)}\n`);
        listed = [];
        communicator?.close();
        await store.close();
      },
    };
  },
};

/** The endpoints a previous run listed (none when the file is missing or unreadable). */
function previousListing(file: string): {obj: string; endpoint: string}[] {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return Array.isArray(parsed) ? parsed.filter((e): e is {obj: string; endpoint: string} =>
      typeof e?.obj === 'string' && typeof e?.endpoint === 'string') : [];
  } catch {
    return [];
  }
}
