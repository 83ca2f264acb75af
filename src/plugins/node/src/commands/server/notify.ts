import {Args} from '@oclif/core';

import {ServerCommand, parseServerId} from '../../server-command.js';

/** `tars server notify --json`. */
export interface NotifyJson {
  server: string;
  command: string;
  nodes: {node: string; answer: string}[];
}

export default class ServerNotify extends ServerCommand {
  static override summary = 'Send an admin command to a server (tars.viewstatus, tars.setloglevel DEBUG, tars.help, ...).';
  static override description = `The node passes the command to the server's AdminObj, and the server's answer is printed (one per node).
Every TARS server knows tars.help, tars.viewstatus, tars.viewversion, tars.setloglevel LEVEL, tars.connection and
tars.loadconfig FILE; a service may register its own.`;

  static override examples = ['<%= config.bin %> <%= command.id %> TestApp.HelloGo tars.viewstatus',
    '<%= config.bin %> <%= command.id %> TestApp.HelloGo "tars.setloglevel DEBUG"'];

  static override args = {
    server: Args.string({description: 'App.Server', required: true}),
    command: Args.string({description: 'the command line, e.g. tars.viewstatus', required: true}),
  };

  static override strict = false;

  async run(): Promise<NotifyJson> {
    const {args, argv, flags} = await this.parse(ServerNotify);
    const id = parseServerId(args.server);
    // Words after the command are its parameters: `tars server notify A.S tars.setloglevel DEBUG` works unquoted.
    const command = (argv as string[]).slice(1).join(' ');
    const admin = await this.adminReg(flags, 15_000);
    const json: NotifyJson = {server: `${id.application}.${id.serverName}`, command, nodes: []};
    for (const inst of await this.instances(flags, id)) {
      const {ret, result} = await admin.notifyServer(id.application, id.serverName, inst.nodeName, command);
      const failure = this.adminFailure(ret, result, `notify ${json.server} on ${inst.nodeName}`);
      if (failure) throw failure;
      json.nodes.push({node: inst.nodeName, answer: result});
    }
    if (!this.jsonEnabled()) {
      for (const n of json.nodes) this.log(json.nodes.length > 1 ? `== ${n.node}\n${n.answer}` : n.answer);
    }
    return json;
  }
}
