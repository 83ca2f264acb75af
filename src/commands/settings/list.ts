import {SETTINGS, TarsCommand} from '@tars-ts/kit';

export default class SettingsList extends TarsCommand {
  static override summary = 'List the local CLI settings and where they are stored.';
  static override examples = ['<%= config.bin %> <%= command.id %>'];

  async run(): Promise<{file: string; settings: Record<string, string>}> {
    await this.parse(SettingsList);
    const store = this.settings;
    const settings = store.all();
    for (const [key, spec] of SETTINGS) this.log(`${key} = ${settings[key] ?? '(not set)'}    # ${spec.description}`);
    this.log(`-- ${store.file}`);
    return {file: store.file, settings};
  }
}
