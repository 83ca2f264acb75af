import {Args} from '@oclif/core';

import {TarsCommand} from '../../lib/base-command.js';

export default class SettingsGet extends TarsCommand {
  static override summary = 'Print one local CLI setting.';
  static override examples = ['<%= config.bin %> <%= command.id %> locator'];
  static override args = {key: Args.string({description: 'setting name (locator, timeout)', required: true})};

  async run(): Promise<{key: string; value: string | null}> {
    const {args} = await this.parse(SettingsGet);
    const {Settings, SETTINGS} = await import('../../lib/settings.js');
    const {UserError} = await import('../../lib/user-error.js');
    if (!SETTINGS.has(args.key)) {
      throw new UserError(`unknown setting "${args.key}"`, {hint: `known settings: ${[...SETTINGS.keys()].join(', ')}`});
    }
    const value = new Settings(this.config.configDir).get(args.key);
    this.log(value ?? '(not set)');
    return {key: args.key, value: value ?? null};
  }
}
