import {Args} from '@oclif/core';

import {SETTINGS, TarsCommand, UserError, shownSetting} from '@tars-ts/kit';

export default class SettingsGet extends TarsCommand {
  static override summary = 'Print one local CLI setting.';
  static override examples = ['<%= config.bin %> <%= command.id %> locator'];
  static override args = {key: Args.string({description: 'setting name (locator, timeout)', required: true})};

  async run(): Promise<{key: string; value: string | null}> {
    const {args} = await this.parse(SettingsGet);
    if (!SETTINGS.has(args.key)) {
      throw new UserError(`unknown setting "${args.key}"`, {hint: `known settings: ${[...SETTINGS.keys()].join(', ')}`});
    }
    const value = shownSetting(args.key, this.settings.get(args.key));
    this.log(value ?? '(not set)');
    return {key: args.key, value: value ?? null};
  }
}
