import {readFileSync} from 'node:fs';

import {Args, Flags} from '@oclif/core';
import {UserError, unifiedDiff} from '@tars-ts/kit';

import {ConfigClientCommand, type FileJson, fileJson, slotFlags} from '../../client.js';

/** `tars config diff --json`. */
export interface DiffJson {
  file: FileJson;
  /** The older side: a version number. */
  from: {version: number};
  /** The newer side: a version number, or the local file. */
  to: {version: number} | {path: string};
  changed: boolean;
  /** Unified diff, '' when equal. */
  diff: string;
}

export default class ConfigDiff extends ConfigClientCommand {
  static override summary = 'Show what changed between two versions of a config file, or against a local file.';
  static override description = `Without flags, the previous version against the current one. --from and --to pick the versions;
--local FILE compares the stored version (--from, default the current one) with a local file. Prints a unified diff
(nothing when equal).`;

  static override examples = ['<%= config.bin %> <%= command.id %> TestApp.HelloGo app.conf',
    '<%= config.bin %> <%= command.id %> TestApp.HelloGo app.conf --from 1 --to 3',
    '<%= config.bin %> <%= command.id %> TestApp.HelloGo app.conf --local ./app.conf'];

  static override args = {
    owner: Args.string({description: 'App or App.Server', required: true}),
    name: Args.string({description: 'the config file name', required: true}),
  };

  static override flags = {
    ...slotFlags,
    from: Flags.integer({summary: 'The older version (default: the one before --to, or the current one with --local).',
      min: 1, helpValue: 'N'}),
    to: Flags.integer({summary: 'The newer version (default: the current one).', min: 1, helpValue: 'N',
      exclusive: ['local']}),
    local: Flags.string({summary: 'Compare with this local file instead of a version.', helpValue: 'FILE'}),
  };

  async run(): Promise<DiffJson> {
    const {args, flags} = await this.parse(ConfigDiff);
    const key = this.fileKey(args.owner, args.name, flags);
    const {ConfigCtl} = await import('@tars-ts/core/framework');
    const ctl = await this.configCtl(flags);
    const wireKey = ConfigCtl.ConfigFileKey.create({...key});
    const get = async (version: number) => {
      const {ret, v, result} = await ctl.get(wireKey, version);
      this.refused(ret, result);
      return v;
    };
    let json: DiffJson;
    if (flags.local !== undefined) {
      let local: string;
      try {
        local = readFileSync(flags.local, 'utf8');
      } catch (error) {
        throw new UserError(`cannot read ${flags.local}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
          {code: 'BAD_ARGUMENT'});
      }
      const stored = await get(flags.from ?? 0);
      const diff = unifiedDiff(stored.content, local, `${args.name} version ${stored.version}`, flags.local);
      json = {file: fileJson(key), from: {version: stored.version}, to: {path: flags.local}, changed: diff !== '', diff};
    } else {
      const to = await get(flags.to ?? 0);
      const fromVersion = flags.from ?? to.version - 1;
      if (fromVersion < 1) {
        throw new UserError(`${args.name} has only version ${to.version}: nothing to compare it with`,
          {code: 'BAD_ARGUMENT', hint: 'give --local FILE to compare it with a local file'});
      }
      const from = await get(fromVersion);
      const diff = unifiedDiff(from.content, to.content, `${args.name} version ${from.version}`,
        `${args.name} version ${to.version}`);
      json = {file: fileJson(key), from: {version: from.version}, to: {version: to.version}, changed: diff !== '', diff};
    }
    if (!this.jsonEnabled()) process.stdout.write(json.diff);
    return json;
  }
}
