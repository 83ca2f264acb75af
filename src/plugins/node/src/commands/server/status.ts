import {Args} from '@oclif/core';

import {ServerCommand, parseServerId} from '../../server-command.js';
import type {ServerListJson} from '../../server-view.js';

export default class ServerStatus extends ServerCommand {
  static override summary = 'Show one server on each of its nodes: state (setting / present), pid, uptime, restarts.';
  static override examples = ['<%= config.bin %> <%= command.id %> TestApp.HelloGo',
    '<%= config.bin %> <%= command.id %> TestApp.HelloGo --json'];

  static override args = {server: Args.string({description: 'App.Server', required: true})};

  async run(): Promise<ServerListJson> {
    const {args, flags} = await this.parse(ServerStatus);
    const json = await this.view(flags, parseServerId(args.server));
    if (!this.jsonEnabled()) this.log(await (await import('../../server-view.js')).serverTable(json));
    return json;
  }
}
