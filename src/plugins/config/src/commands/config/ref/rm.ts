import {Args} from '@oclif/core';

import {ConfigClientCommand, fileJson, slotFlags} from '../../../client.js';
import {keyText} from '../../../rows.js';
import {type RefJson, targetFlags} from './add.js';

export default class ConfigRefRm extends ConfigClientCommand {
  static override summary = 'Remove a reference between two config files.';
  static override examples = ['<%= config.bin %> <%= command.id %> TestApp.HelloGo app.conf TestApp --target-name common.conf'];

  static override args = {
    owner: Args.string({description: 'App or App.Server of the referencing file', required: true}),
    name: Args.string({description: 'the referencing file name', required: true}),
    target: Args.string({description: 'App or App.Server of the referenced file', required: true}),
  };

  static override flags = {...slotFlags, ...targetFlags};

  async run(): Promise<RefJson> {
    const {args, flags} = await this.parse(ConfigRefRm);
    const key = this.fileKey(args.owner, args.name, flags);
    const target = this.fileKey(args.target, flags['target-name'] ?? args.name,
      {set: flags['target-set'], node: flags['target-node']});
    const {ConfigCtl} = await import('@tars-ts/core/framework');
    const ctl = await this.configCtl(flags);
    const {ret, removed, result} = await ctl.removeReference(ConfigCtl.ConfigFileKey.create({...key}),
      ConfigCtl.ConfigFileKey.create({...target}));
    this.refused(ret, result);
    this.log(removed ? `${keyText(key)} no longer references ${keyText(target)}`
      : `${keyText(key)} did not reference ${keyText(target)}`);
    return {file: fileJson(key), target: fileJson(target), changed: removed};
  }
}
