import {Args} from '@oclif/core';

import {ConfigClientCommand, type FileJson, fileJson, slotFlags} from '../../client.js';

/** `tars config history --json`. */
export interface HistoryJson {
  file: FileJson;
  versions: {version: number; author: string; time: string; comment: string; bytes: number}[];
}

export default class ConfigHistory extends ConfigClientCommand {
  static override summary = 'List every version of a config file, oldest first.';
  static override examples = ['<%= config.bin %> <%= command.id %> TestApp.HelloGo app.conf',
    '<%= config.bin %> <%= command.id %> TestApp common.conf --json'];

  static override args = {
    owner: Args.string({description: 'App or App.Server', required: true}),
    name: Args.string({description: 'the config file name', required: true}),
  };

  static override flags = {...slotFlags};

  async run(): Promise<HistoryJson> {
    const {args, flags} = await this.parse(ConfigHistory);
    const key = this.fileKey(args.owner, args.name, flags);
    const {ConfigCtl} = await import('@tars-ts/core/framework');
    const ctl = await this.configCtl(flags);
    const {ret, versions, result} = await ctl.history(ConfigCtl.ConfigFileKey.create({...key}));
    this.refused(ret, result);
    const json: HistoryJson = {file: fileJson(key), versions: versions.map((v) => ({version: v.version,
      author: v.author, time: new Date(Number(v.time)).toISOString(), comment: v.comment, bytes: v.size}))};
    if (!this.jsonEnabled()) {
      const {renderTable} = await import('@tars-ts/kit');
      this.log(await renderTable(['VERSION', 'TIME', 'AUTHOR', 'BYTES', 'COMMENT'], json.versions.map((v) =>
        [String(v.version), v.time, v.author, String(v.bytes), v.comment || '-'])));
    }
    return json;
  }
}
