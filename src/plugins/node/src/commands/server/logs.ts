import {setTimeout as sleep} from 'node:timers/promises';

import {Args, Flags} from '@oclif/core';
import {UserError} from '@tars-ts/kit';

import {ServerCommand, parseServerId} from '../../server-command.js';

/** `tars server logs --json` (without -f). */
export interface LogsJson {
  server: string;
  node: string;
  file: string;
  data: string;
}

export default class ServerLogs extends ServerCommand {
  static override summary = 'Print the last lines of a server\'s output (stdout and stderr), or follow it with -f.';
  static override description = `Reads through the node: the server's stdout/stderr log by default, or --file, a file of its log
directory (its own log, when its config sets logpath). With -f, new lines are printed as they come, across
rotations, until interrupted.`;

  static override examples = ['<%= config.bin %> <%= command.id %> TestApp.HelloGo', '<%= config.bin %> <%= command.id %> TestApp.HelloGo -f -n 10'];

  static override args = {server: Args.string({description: 'App.Server', required: true})};

  static override flags = {
    lines: Flags.integer({char: 'n', summary: 'How many of the last lines to print first.', default: 50, min: 0,
      helpValue: 'N'}),
    follow: Flags.boolean({char: 'f', summary: 'Keep printing new lines until interrupted.', exclusive: ['json']}),
    file: Flags.string({summary: 'A file of the server\'s log directory, e.g. its own log App/Server/App.Server.log ' +
      '(default: its stdout/stderr log).',
      helpValue: 'NAME'}),
    interval: Flags.integer({summary: 'How often -f asks the node for new lines, ms.', default: 500, min: 50,
      helpValue: 'MS', hidden: true}),
  };

  async run(): Promise<LogsJson> {
    const {args, flags} = await this.parse(ServerLogs);
    const id = parseServerId(args.server);
    const instances = await this.instances(flags, id);
    if (instances.length > 1) {
      throw new UserError(`${args.server} runs on ${instances.length} nodes: say which with --node`, {code: 'USAGE',
        hint: `--node ${instances.map((i) => i.nodeName).join(' or --node ')}`});
    }
    const nodeName = instances[0]!.nodeName;
    const node = await this.nodeCtl(nodeName, flags);
    const read = async (offset: number, lines: number) => {
      const {ret, chunk, result} = await node.readLog(id.application, id.serverName, flags.file ?? '', BigInt(offset),
        lines, 256 * 1024);
      if (ret !== 0) throw new UserError(result, {code: 'FAILURE', hint: `${this.config.bin} server status ${args.server}`});
      return chunk;
    };
    const first = flags.lines > 0 ? await read(0, flags.lines) : {...await read(0, 1), data: ''};
    const json: LogsJson = {server: args.server, node: nodeName, file: first.file, data: first.data};
    if (this.jsonEnabled()) return json;
    process.stdout.write(first.data);
    if (first.size === 0n && !flags.file) {
      const own = `${id.application}/${id.serverName}/${id.application}.${id.serverName}.log`;
      this.logToStderr(`(its stdout/stderr log is empty; the server's own log: ${this.config.bin} server logs ` +
        `${args.server} --file ${own})`);
    }
    if (!flags.follow) return json;
    let offset = Number(first.nextOffset);
    let stop = false;
    const onSignal = () => {
      stop = true;
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      while (!stop) {
        await sleep(flags.interval);
        const chunk = await read(offset, 0);
        if (chunk.data !== '') process.stdout.write(chunk.data);
        offset = Number(chunk.nextOffset);
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    return json;
  }
}
