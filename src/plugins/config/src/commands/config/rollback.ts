import {Args} from '@oclif/core';
import {ReportedFailure} from '@tars-ts/kit';

import {ConfigClientCommand, type FileJson, type ReloadJson, fileJson, slotFlags, writeFlags} from '../../client.js';
import {keyText} from '../../rows.js';

/** `tars config rollback --json`. */
export interface RollbackJson {
  file: FileJson;
  /** The version whose content is restored. */
  restored: number;
  /** The new version holding it; absent with --dry-run. */
  version?: number;
  author: string;
  dryRun: boolean;
  reload?: ReloadJson[];
}

export default class ConfigRollback extends ConfigClientCommand {
  static override summary = 'Make an earlier version of a config file current again (stored as a new version).';
  static override description = `The content of VERSION is stored as the next version, so the history keeps every version, the
rollback included. --reload and --dry-run as for push.`;

  static override examples = ['<%= config.bin %> <%= command.id %> TestApp.HelloGo app.conf 2',
    '<%= config.bin %> <%= command.id %> TestApp.HelloGo app.conf 2 --reload'];

  static override args = {
    owner: Args.string({description: 'App or App.Server', required: true}),
    name: Args.string({description: 'the config file name', required: true}),
    version: Args.integer({description: 'the version to restore', required: true, min: 1}),
  };

  static override flags = {...slotFlags, ...writeFlags};

  async run(): Promise<RollbackJson> {
    const {args, flags} = await this.parse(ConfigRollback);
    const key = this.fileKey(args.owner, args.name, flags);
    const {ConfigCtl} = await import('@tars-ts/core/framework');
    const ctl = await this.configCtl(flags);
    const wireKey = ConfigCtl.ConfigFileKey.create({...key});
    const author = this.author(flags.user);
    const json: RollbackJson = {file: fileJson(key), restored: args.version, author, dryRun: flags['dry-run'] === true};
    if (flags['dry-run']) {
      const {ret, v, result} = await ctl.get(wireKey, args.version);
      this.refused(ret, result);
      json.reload = await this.reloadInstances(flags, key, {dryRun: true, pending: v.content});
      if (!this.jsonEnabled()) for (const l of this.reloadLines(key, json.reload, true)) this.log(l);
      return json;
    }
    const {ret, newVersion, result} = await ctl.rollback(wireKey, args.version, author, flags.message);
    this.refused(ret, result);
    json.version = newVersion;
    this.log(`${keyText(key)}: version ${newVersion} restores version ${args.version}`);
    if (flags.reload) {
      json.reload = await this.reloadInstances(flags, key, {dryRun: false});
      for (const l of this.reloadLines(key, json.reload, false)) this.log(l);
      const failed = json.reload.filter((r) => !r.ok);
      if (failed.length > 0) {
        throw new ReportedFailure(`${failed.length} of ${json.reload.length} instance(s) did not reload ${key.name}`, 1,
          json, 'the rollback is stored; see each instance\'s answer above');
      }
    }
    return json;
  }
}
