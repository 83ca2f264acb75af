import path from 'node:path';

import {REGISTRY_QUERY_OBJ, RegistryClientCommand, adminToken} from '@tars-ts/kit';

export default class Shell extends RegistryClientCommand {
  static override summary = 'An interactive session on a cluster: call, bench, ping, describe, find, servers, stat.';

  static override description = `Opens a session on the cluster whose registry is --locator (else the saved locator, else the registry
running here), with one connection for every command:

  call Obj.Func [args...]          as tars call: one argument per in-parameter, or --data '{"param": value}'
  bench Obj.Func [args...] -n N -c C   N calls (at most 1000000), C in flight (at most 1000); Ctrl-C stops it
  ping Obj, describe Obj, find Obj, servers, stat [App.Server]
  use App.Server                   then Obj.Func and Obj mean App.Server.Obj (use - clears it)
  .json on|off, help [command], exit (or quit, or Ctrl-D)

Tab completes commands, object names (from the registry), function names after "Obj." and the parameter names
inside --data '{...'. The history is kept across runs (at most 1000 lines, in the CLI's data directory, readable
by you only).

With stdin not a terminal, each line is run in order with no prompt and nothing is kept: the exit code is that of
the last command that failed (0 when none did), so that a script can pipe commands in.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --locator "tcp -h 10.0.0.1 -p 17890"',
    'echo "call TestApp.HelloGo.SayHelloObj EchoHello tars" | <%= config.bin %> <%= command.id %>',
  ];

  async run(): Promise<void> {
    const {flags} = await this.parse(Shell);
    const locator = await this.registryLocator(flags);
    const [{communicatorFor}, {ShellSession}, {runRepl}] = await Promise.all([import('@tars-ts/kit'),
      import('../lib/shell/session.js'), import('../lib/shell/repl.js')]);
    const token = adminToken(this.settings);
    const comm = await communicatorFor({proxy: locator, obj: REGISTRY_QUERY_OBJ, locator, via: 'locator'},
      {cacheDir: this.config.cacheDir, token});
    const terminal = Boolean(process.stdin.isTTY && process.stdout.isTTY);
    let code: number;
    try {
      const session = new ShellSession({comm, locator, timeout: this.settings.timeout(flags.timeout),
        cacheDir: this.config.cacheDir, token, cwd: process.cwd(), json: this.jsonEnabled(),
        out: (text) => process.stdout.write(`${text}\n`), err: (text) => process.stderr.write(`${text}\n`)});
      code = await runRepl(session, {input: process.stdin, output: process.stdout, terminal,
        historyFile: path.join(this.config.dataDir, 'shell_history'),
        banner: `tars shell on ${locator} (help lists the commands, Tab completes, exit or Ctrl-D ends)`});
    } finally {
      comm.close();
    }
    if (code !== 0) this.exit(code);
  }
}
