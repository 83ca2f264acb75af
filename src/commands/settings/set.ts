import {Args} from '@oclif/core';

import {TarsCommand, shownSetting} from '@tars-ts/kit';

export default class SettingsSet extends TarsCommand {
  static override summary = 'Save a local CLI setting (e.g. the default locator).';
  static override examples = [
    '<%= config.bin %> <%= command.id %> locator "tars.tarsregistry.QueryObj@tcp -h 127.0.0.1 -p 17890"',
    '<%= config.bin %> <%= command.id %> timeout 5000',
  ];

  static override args = {
    key: Args.string({description: 'setting name (locator, timeout)', required: true}),
    value: Args.string({description: 'value', required: true}),
  };

  async run(): Promise<{key: string; value: string}> {
    const {args} = await this.parse(SettingsSet);
    await this.settings.set(args.key, args.value);
    const shown = shownSetting(args.key, args.value)!;
    this.log(`${args.key} = ${shown}`);
    return {key: args.key, value: shown};
  }
}
