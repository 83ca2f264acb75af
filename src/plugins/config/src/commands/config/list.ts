import {Args} from '@oclif/core';

import {ConfigClientCommand, type FileJson, fileJson} from '../../client.js';

/** `tars config list --json`. */
export interface ListJson {
  files: (FileJson & {level: 'app' | 'server' | 'node'; version: number; author: string; time: string; comment: string;
    bytes: number; references: FileJson[]})[];
}

const LEVELS = {1: 'app', 2: 'server', 3: 'node'} as const;

export default class ConfigList extends ConfigClientCommand {
  static override summary = 'List the config files with their current version.';
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> TestApp',
    '<%= config.bin %> <%= command.id %> TestApp.HelloGo --json'];

  static override args = {owner: Args.string({description: 'only the files of App, or of App.Server'})};

  async run(): Promise<ListJson> {
    const {args, flags} = await this.parse(ConfigList);
    const owner = args.owner ?? '';
    const dot = owner.indexOf('.');
    const app = dot < 0 ? owner : owner.slice(0, dot);
    const server = dot < 0 ? '' : owner.slice(dot + 1);
    const ctl = await this.configCtl(flags);
    const {files} = await ctl.list(app, server);
    const json: ListJson = {files: files.map((f) => ({...fileJson(f.file), level: LEVELS[f.level as 1 | 2 | 3],
      version: f.current.version, author: f.current.author, time: new Date(Number(f.current.time)).toISOString(),
      comment: f.current.comment, bytes: f.current.size, references: f.references.map((r) => fileJson(r))}))};
    if (!this.jsonEnabled()) {
      const {renderTable} = await import('@tars-ts/kit');
      const ownerOf = (f: FileJson) => f.server ? `${f.app}.${f.server}` : f.app;
      this.log(json.files.length === 0 ? `no config file${owner ? ` of ${owner}` : ''}`
        : await renderTable(['OWNER', 'NAME', 'LEVEL', 'NODE', 'SET', 'VERSION', 'BYTES', 'AUTHOR', 'TIME', 'REFERENCES'],
          json.files.map((f) => [ownerOf(f), f.name, f.level, f.node || '-', f.set || '-', String(f.version),
            String(f.bytes), f.author, f.time, f.references.map((r) => `${ownerOf(r)}/${r.name}`).join(', ') || '-'])));
    }
    return json;
  }
}
