// Which running instances a config file reaches, and telling them to load it again (`tars.loadconfig NAME` through
// AdminReg), or, as a dry run, the merged file each would load with a pending content. Shared by `tars config push
// --reload|--dry-run` and the console's reload and review.
import type {AdminReg, ConfigCtl, RegistryCtl} from '@tars-ts/core/framework';

/** A config file's slot: app, server ('' = app level), node ('' = not node level), SET and name. */
export interface ConfigFileSlot {
  readonly app: string;
  readonly server: string;
  readonly node: string;
  readonly setId: string;
  readonly name: string;
}

/** One instance's reload (or, in a dry run, what it would load). */
export interface ConfigReloadJson {
  app: string;
  server: string;
  node: string;
  set: string;
  /** Dry run: the merged file this instance would load. */
  config?: string;
  /** The instance's answer to tars.loadconfig (or the failure). */
  answer?: string;
  ok: boolean;
}

/** The proxies a reload talks to. */
export interface ConfigReloadProxies {
  readonly registryCtl: RegistryCtl.RegistryCtlProxy;
  /** Needed for a dry run only. */
  readonly configCtl?: ConfigCtl.ConfigCtlProxy;
  /** Needed for a reload only. */
  readonly adminReg?: AdminReg.AdminRegProxy;
}

/**
 * The running instances a change of `file` reaches: the registry's deployed servers of the app (or of app.server), on
 * the file's node and in its SET, whose setting is active. Each is told to reload `file.name` (every failure is its
 * row's `ok: false` with the reason; nothing throws past the registry's list), or with `dryRun` each gets the merged
 * file it would load if `pending` were the file's content.
 */
export async function reloadConfig(proxies: ConfigReloadProxies, file: ConfigFileSlot,
  options: {dryRun: boolean; pending?: string}): Promise<ConfigReloadJson[]> {
  const {servers} = await proxies.registryCtl.listServers(file.node);
  const affected = servers.filter((s) => s.application === file.app && (file.server === '' || s.serverName === file.server)
    && (file.setId === '' || s.setId === file.setId) && s.settingState === 'active');
  const out: ConfigReloadJson[] = [];
  const where = (s: RegistryCtl.ServerDeployment) => ({app: s.application, server: s.serverName, node: s.nodeName,
    set: s.setId});
  if (options.dryRun) {
    if (!proxies.configCtl) throw new Error('a dry run needs the config center (configCtl)');
    const {ConfigCtl: C} = await import('@tars-ts/core/framework');
    for (const s of affected) {
      const r = await proxies.configCtl.resolve(s.application, s.serverName, s.nodeName, s.setId, file.name,
        C.ConfigFileKey.create({...file}), options.pending ?? '');
      out.push({...where(s), ok: r.ret === 0, ...(r.ret === 0 ? {config: r.config} : {answer: r.result})});
    }
    return out;
  }
  if (!proxies.adminReg) throw new Error('a reload needs the registry\'s AdminReg');
  for (const s of affected) {
    try {
      const {ret, result} = await proxies.adminReg.notifyServer(s.application, s.serverName, s.nodeName,
        `tars.loadconfig ${file.name}`);
      out.push({...where(s), ok: ret === 0 && !/^error:/m.test(result),
        answer: ret === 0 ? result : `AdminReg answered ${ret}: ${result}`});
    } catch (error) {
      out.push({...where(s), ok: false, answer: (error as Error).message});
    }
  }
  return out;
}
