import {readFileSync} from 'node:fs';
import path from 'node:path';

import {Args, Flags} from '@oclif/core';
import {ReportedFailure, UserError} from '@tars-ts/kit';

import {ConfigClientCommand, type FileJson, type ReloadJson, fileJson, slotFlags, writeFlags} from '../../client.js';
import {keyText} from '../../rows.js';

/** `tars config push --json`. */
export interface PushJson {
  file: FileJson;
  /** The version stored; absent with --dry-run. */
  version?: number;
  bytes: number;
  author: string;
  comment: string;
  dryRun: boolean;
  reload?: ReloadJson[];
}

export default class ConfigPush extends ConfigClientCommand {
  static override summary = 'Store a file as the next version of an app-, server- or node-level config file.';
  static override description = `App stores an application-level file (every server of the app may reference it), App.Server a
server-level one, --node N the file of App.Server on node N only; --set name.area.group the file for that SET. The
file name is the local file's unless --name says otherwise. Every version is kept with its author ($USER or
--user), time and comment (-m). --reload then tells every affected running instance to fetch it (tars.loadconfig
NAME, through the registry's AdminReg and the node) and prints each instance's answer; --dry-run stores nothing and
prints the instances and the merged file each would load.`;

  static override examples = ['<%= config.bin %> <%= command.id %> TestApp.HelloGo ./app.conf -m "raise the pool size"',
    '<%= config.bin %> <%= command.id %> TestApp common.conf',
    '<%= config.bin %> <%= command.id %> TestApp.HelloGo ./app.conf --node 10.0.0.5 --reload',
    '<%= config.bin %> <%= command.id %> TestApp.HelloGo ./app.conf --set sz.a.1 --dry-run'];

  static override args = {
    owner: Args.string({description: 'App (application level) or App.Server', required: true}),
    file: Args.string({description: 'the local file to store', required: true}),
  };

  static override flags = {
    name: Flags.string({summary: 'Name of the config file (default: the local file\'s name).', helpValue: 'NAME'}),
    ...slotFlags,
    ...writeFlags,
  };

  async run(): Promise<PushJson> {
    const {args, flags} = await this.parse(ConfigPush);
    const key = this.fileKey(args.owner, flags.name ?? path.basename(args.file), flags);
    let content: string;
    try {
      content = readFileSync(args.file, 'utf8');
    } catch (error) {
      throw new UserError(`cannot read ${args.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        {code: 'BAD_ARGUMENT', hint: 'give the path of a readable file'});
    }
    const author = this.author(flags.user);
    const json: PushJson = {file: fileJson(key), bytes: Buffer.byteLength(content), author, comment: flags.message,
      dryRun: flags['dry-run'] === true};
    if (flags['dry-run']) {
      json.reload = await this.reloadInstances(flags, key, {dryRun: true, pending: content});
      if (!this.jsonEnabled()) for (const l of this.reloadLines(key, json.reload, true)) this.log(l);
      return json;
    }
    const {ConfigCtl} = await import('@tars-ts/core/framework');
    const ctl = await this.configCtl(flags);
    const {ret, version, result} = await ctl.push(ConfigCtl.ConfigFileKey.create({...key}), content, author,
      flags.message);
    this.refused(ret, result);
    json.version = version;
    this.log(`stored ${keyText(key)} version ${version} (${json.bytes} bytes, by ${author})`);
    if (flags.reload) {
      json.reload = await this.reloadInstances(flags, key, {dryRun: false});
      for (const l of this.reloadLines(key, json.reload, false)) this.log(l);
      const failed = json.reload.filter((r) => !r.ok);
      if (failed.length > 0) {
        throw new ReportedFailure(`${failed.length} of ${json.reload.length} instance(s) did not reload ${key.name}`, 1,
          json, 'the version is stored; see each instance\'s answer above, then: tars server notify App.Server ' +
          `"tars.loadconfig ${key.name}"`);
      }
    }
    return json;
  }
}
