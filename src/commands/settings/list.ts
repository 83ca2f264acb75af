import {SETTINGS, TarsCommand, shownSetting} from '@tars-ts/kit';

export default class SettingsList extends TarsCommand {
  static override summary = 'List the local CLI settings and where they are stored.';
  static override examples = ['<%= config.bin %> <%= command.id %>'];

  async run(): Promise<{file: string; settings: Record<string, string>}> {
    await this.parse(SettingsList);
    const store = this.settings;
    const settings = Object.fromEntries(Object.entries(store.all()).map(([k, v]) => [k, shownSetting(k, v)!]));
    for (const [key, spec] of SETTINGS) this.log(`${key} = ${settings[key] ?? '(not set)'}    # ${spec.description}`);
    this.log(`-- ${store.file}`);
    return {file: store.file, settings};
  }
}
