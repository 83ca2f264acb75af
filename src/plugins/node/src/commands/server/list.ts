import {ServerCommand} from '../../server-command.js';
import type {ServerListJson} from '../../server-view.js';

export default class ServerList extends ServerCommand {
  static override summary = 'List the deployed servers: state (setting / present), pid, uptime, restarts, endpoints.';
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --node 10.0.0.5 --json'];

  async run(): Promise<ServerListJson> {
    const {flags} = await this.parse(ServerList);
    const json = await this.view(flags);
    if (!this.jsonEnabled()) this.log(await (await import('../../server-view.js')).serverTable(json));
    return json;
  }
}
