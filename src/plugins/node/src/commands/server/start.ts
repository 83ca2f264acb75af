import {Args} from '@oclif/core';

import {type ServerActionJson, ServerCommand} from '../../server-command.js';

export default class ServerStart extends ServerCommand {
  static override summary = 'Start a server on its node(s) and turn its auto-start on (setting state active).';
  static override examples = ['<%= config.bin %> <%= command.id %> TestApp.HelloGo',
    '<%= config.bin %> <%= command.id %> TestApp.HelloGo --node 10.0.0.5'];

  static override args = {server: Args.string({description: 'App.Server', required: true})};

  async run(): Promise<ServerActionJson> {
    const {args, flags} = await this.parse(ServerStart);
    return this.act('start', args.server, flags);
  }
}
