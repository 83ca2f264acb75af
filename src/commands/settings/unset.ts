import {Args} from '@oclif/core';

import {TarsCommand} from '@tars-ts/kit';

export default class SettingsUnset extends TarsCommand {
  static override summary = 'Remove a local CLI setting.';
  static override examples = ['<%= config.bin %> <%= command.id %> locator'];
  static override args = {key: Args.string({description: 'setting name', required: true})};

  async run(): Promise<{key: string; removed: boolean}> {
    const {args} = await this.parse(SettingsUnset);
    const removed = this.settings.unset(args.key);
    this.log(removed ? `${args.key} removed` : `${args.key} was not set`);
    return {key: args.key, removed};
  }
}
