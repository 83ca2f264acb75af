import {Args, Flags} from '@oclif/core';

import {ConfigClientCommand, type FileJson, fileJson, slotFlags} from '../../client.js';

/** `tars config get --json`. */
export interface GetJson {
  file: FileJson;
  version: number;
  author: string;
  /** ISO time. */
  time: string;
  comment: string;
  bytes: number;
  content: string;
}

export default class ConfigGet extends ConfigClientCommand {
  static override summary = 'Print a stored config file (the current version, or --version N).';
  static override examples = ['<%= config.bin %> <%= command.id %> TestApp.HelloGo app.conf',
    '<%= config.bin %> <%= command.id %> TestApp.HelloGo app.conf --version 2 --json'];

  static override args = {
    owner: Args.string({description: 'App or App.Server', required: true}),
    name: Args.string({description: 'the config file name', required: true}),
  };

  static override flags = {
    ...slotFlags,
    version: Flags.integer({summary: 'That version (default: the current one).', min: 1, helpValue: 'N'}),
  };

  async run(): Promise<GetJson> {
    const {args, flags} = await this.parse(ConfigGet);
    const key = this.fileKey(args.owner, args.name, flags);
    const {ConfigCtl} = await import('@tars-ts/core/framework');
    const ctl = await this.configCtl(flags);
    const {ret, v, result} = await ctl.get(ConfigCtl.ConfigFileKey.create({...key}), flags.version ?? 0);
    this.refused(ret, result);
    const json: GetJson = {file: fileJson(key), version: v.version, author: v.author,
      time: new Date(Number(v.time)).toISOString(), comment: v.comment, bytes: v.size, content: v.content};
    if (!this.jsonEnabled()) process.stdout.write(v.content);
    return json;
  }
}
