import {Args} from '@oclif/core';

import {type ServerActionJson, ServerCommand} from '../../server-command.js';

export default class ServerRestart extends ServerCommand {
  static override summary = 'Stop a server, then start it again (auto-start on).';
  static override examples = ['<%= config.bin %> <%= command.id %> TestApp.HelloGo',
    '<%= config.bin %> <%= command.id %> TestApp.HelloGo --node 10.0.0.5'];

  static override args = {server: Args.string({description: 'App.Server', required: true})};

  async run(): Promise<ServerActionJson> {
    const {args, flags} = await this.parse(ServerRestart);
    return this.act('restart', args.server, flags);
  }
}
