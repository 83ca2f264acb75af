import {Args, Flags} from '@oclif/core';

import {ConfigClientCommand, type FileJson, fileJson, slotFlags} from '../../../client.js';
import {keyText} from '../../../rows.js';

/** `tars config ref add|rm --json`. */
export interface RefJson {
  file: FileJson;
  target: FileJson;
  /** add: it was added (false: it was there already); rm: it was removed (false: there was none). */
  changed: boolean;
}

/** The flags naming the referenced file. */
export const targetFlags = {
  'target-name': Flags.string({summary: 'Name of the referenced file (default: the same name).', helpValue: 'NAME'}),
  'target-set': Flags.string({summary: 'SET of the referenced file.', helpValue: 'SET'}),
  'target-node': Flags.string({summary: 'Node of the referenced file.', helpValue: 'NODE'}),
};

export default class ConfigRefAdd extends ConfigClientCommand {
  static override summary = 'Make a config file reference another: its content comes first in the merged file.';
  static override description = `Typically a server- or node-level file references an application-level one (shared settings);
the merged file a server loads is the referenced files' content, then the file's own, so the file's own values win.
Both files must exist, and a reference may not close a cycle.`;

  static override examples = ['<%= config.bin %> <%= command.id %> TestApp.HelloGo app.conf TestApp --target-name common.conf'];

  static override args = {
    owner: Args.string({description: 'App or App.Server of the referencing file', required: true}),
    name: Args.string({description: 'the referencing file name', required: true}),
    target: Args.string({description: 'App or App.Server of the referenced file', required: true}),
  };

  static override flags = {...slotFlags, ...targetFlags};

  async run(): Promise<RefJson> {
    const {args, flags} = await this.parse(ConfigRefAdd);
    const key = this.fileKey(args.owner, args.name, flags);
    const target = this.fileKey(args.target, flags['target-name'] ?? args.name,
      {set: flags['target-set'], node: flags['target-node']});
    const {ConfigCtl} = await import('@tars-ts/core/framework');
    const ctl = await this.configCtl(flags);
    const {ret, result} = await ctl.addReference(ConfigCtl.ConfigFileKey.create({...key}),
      ConfigCtl.ConfigFileKey.create({...target}));
    this.refused(ret, result);
    this.log(`${keyText(key)} references ${keyText(target)}`);
    return {file: fileJson(key), target: fileJson(target), changed: true};
  }
}
