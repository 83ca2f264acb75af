// The base of `tars config push|get|list|history|diff|rollback|ref`: where the config center is, how a file is
// named on the command line, and the reload of affected instances through the registry.
//
// Finding the config center (ConfigCtlObj): with --locator or a saved locator, by name through that registry (a
// config center started with --locator lists itself there); else the config center running on this machine
// (--config-data, default ./.tars/config/), through its lock; else by name through the local registry.
import os from 'node:os';

import {Flags} from '@oclif/core';
import type {Communicator} from '@tars-ts/core';
import type {ConfigCtl} from '@tars-ts/core/framework';
import {type ConfigReloadJson, RegistryClientCommand, type RegistryClientFlags, UserError, daemonStatus} from '@tars-ts/kit';

import {CONFIG_CTL_OBJ} from './ctl-servant.js';
import {configDaemon} from './daemon.js';
import {type FileKey, keyProblem, keyText} from './rows.js';

export interface ConfigClientFlags extends RegistryClientFlags {
  'config-data'?: string | undefined;
}

/** A file as the JSON of every command names it. */
export interface FileJson {
  app: string;
  server: string;
  node: string;
  set: string;
  name: string;
}

/** One instance's reload (or, with --dry-run, what it would load). */
export type ReloadJson = ConfigReloadJson;

export const fileJson = (k: FileKey): FileJson =>
  ({app: k.app, server: k.server, node: k.node, set: k.setId, name: k.name});

/** `--set`, `--node`: which slot of a file. */
export const slotFlags = {
  set: Flags.string({summary: 'The file for one SET (name.area.group); default: the file for no SET.', helpValue: 'SET'}),
  node: Flags.string({summary: 'The node-level file of that node (App.Server only).', helpValue: 'NODE'}),
};

/** --reload, --dry-run, --user, -m of the writing commands. */
export const writeFlags = {
  message: Flags.string({char: 'm', summary: 'Comment stored with the version.', default: '', helpValue: 'TEXT'}),
  user: Flags.string({summary: 'Author stored with the version (default: $USER).', helpValue: 'NAME'}),
  reload: Flags.boolean({summary: 'Then make every affected running instance reload the file (tars.loadconfig).'}),
  'dry-run': Flags.boolean({summary: 'Store nothing: show the instances that would reload and the merged file each would see.'}),
};

export abstract class ConfigClientCommand extends RegistryClientCommand {
  static override baseFlags = {
    ...RegistryClientCommand.baseFlags,
    'config-data': Flags.string({summary: 'Data directory of the local config center, used when no locator is given.',
      helpValue: 'DIR'}),
  };

  private direct?: Communicator;

  /** The config center's control servant (see the file's head for how it is found). */
  protected async configCtl(flags: ConfigClientFlags): Promise<ConfigCtl.ConfigCtlProxy> {
    const {ConfigCtl: C} = await import('@tars-ts/core/framework');
    if (flags.locator ?? this.settings.get('locator')) return this.registry(C.ConfigCtlProxy, flags, CONFIG_CTL_OBJ);
    const local = await daemonStatus(configDaemon, {data: flags['config-data']});
    const ctl = local.running ? local.info.endpoints.find((e) => e.obj === CONFIG_CTL_OBJ) : undefined;
    if (ctl) {
      const {Communicator} = await import('@tars-ts/core');
      this.direct ??= new Communicator();
      return this.direct.stringToProxy(C.ConfigCtlProxy, `${CONFIG_CTL_OBJ}@${ctl.endpoint}`,
        {timeout: this.settings.timeout(flags.timeout)});
    }
    try {
      return await this.registry(C.ConfigCtlProxy, flags, CONFIG_CTL_OBJ);
    } catch (error) {
      if (!(error instanceof UserError) || error.code !== 'NO_ENDPOINT') throw error;
      throw new UserError(`no config center to ask: no --locator, no saved locator, no config center runs in ${
        local.running ? local.info.dataDir : local.dataDir}, and no local registry`, {code: 'NO_ENDPOINT',
        hint: 'start one (tars config start --detach), or give --locator "tcp -h HOST -p 17890" of a registry it is ' +
          'listed in'});
    }
  }

  /** The file key from `App[.Server]`, a name and --set/--node; a BAD_NAME usage error when malformed. */
  protected fileKey(owner: string, name: string, flags: {set?: string | undefined; node?: string | undefined}): FileKey {
    const dot = owner.indexOf('.');
    const key: FileKey = {app: dot < 0 ? owner : owner.slice(0, dot), server: dot < 0 ? '' : owner.slice(dot + 1),
      node: flags.node ?? '', setId: flags.set ?? '', name};
    const problem = keyProblem(key);
    if (problem) {
      throw new UserError(problem, {code: 'BAD_NAME', hint: 'a file is App or App.Server, a plain file name ' +
        '(no /, \\ or ..), optionally --set name.area.group and --node NODE (with App.Server)'});
    }
    return key;
  }

  /** The author of a write: --user, else $USER, else the OS user. */
  protected author(user: string | undefined): string {
    if (user) return user;
    if (process.env.USER) return process.env.USER;
    try {
      return os.userInfo().username;
    } catch {
      return 'unknown';
    }
  }

  /** A ConfigCtl answer: nothing when ret is 0, else a one-line failure. */
  protected refused(ret: number, result: string): void {
    if (ret !== 0) {
      throw new UserError(result || `the config center answered ${ret}`, {code: 'FAILURE',
        hint: 'nothing was changed; tars config list shows the files, tars config history their versions'});
    }
  }

  /**
   * The running instances a change of `key` reaches (the registry's deployed servers of the app, or of app.server,
   * on the node and in the SET the file is for), each told to reload `key.name` through AdminReg, or with
   * `dryRun` the merged file each would load with `pending` as the file's content.
   */
  protected async reloadInstances(flags: ConfigClientFlags, key: FileKey, options: {dryRun: boolean;
    pending?: string}): Promise<ReloadJson[]> {
    const [{RegistryCtl, AdminReg}, {reloadConfig}] = await Promise.all([import('@tars-ts/core/framework'),
      import('@tars-ts/kit')]);
    const registryCtl = await this.registry(RegistryCtl.RegistryCtlProxy, flags, 'tars.tarsregistry.RegistryCtlObj');
    return reloadConfig(options.dryRun ? {registryCtl, configCtl: await this.configCtl(flags)}
      : {registryCtl, adminReg: await this.registry(AdminReg.AdminRegProxy, flags, 'tars.tarsAdminRegistry.AdminRegObj')},
    key, options);
  }

  /** The lines a reload (or a dry run) prints. */
  protected reloadLines(key: FileKey, reloads: ReloadJson[], dryRun: boolean): string[] {
    if (reloads.length === 0) return [`no running instance uses ${keyText(key)}`];
    return reloads.flatMap((r) => {
      const who = `${r.app}.${r.server} on ${r.node}${r.set ? ` [${r.set}]` : ''}`;
      if (dryRun) return r.ok ? [`== ${who} would load ${key.name}:`, r.config ?? ''] : [`== ${who}: ${r.answer}`];
      return [`${r.ok ? 'reloaded' : 'FAILED'} ${who}: ${(r.answer ?? '').trim()}`];
    });
  }

  protected override async finally(err: Error | undefined): Promise<unknown> {
    this.direct?.close();
    return super.finally(err);
  }
}
