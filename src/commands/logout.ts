import {TarsCommand} from '@tars-ts/kit';

export default class Logout extends TarsCommand {
  static override summary = 'Forget the admin token saved on this machine (tars login).';
  static override examples = ['<%= config.bin %> <%= command.id %>'];

  async run(): Promise<{removed: boolean}> {
    await this.parse(Logout);
    const removed = this.settings.unset('token');
    this.log(removed ? `the admin token is removed from ${this.settings.file}` : 'no admin token was saved');
    return {removed};
  }
}
