import {Args, Flags} from '@oclif/core';

import {TarsCommand} from '@tars-ts/kit';
import type {NewResult} from '../lib/scaffold.js';

export default class New extends TarsCommand {
  static override summary = 'Create a TARS service project: interface, servant, server, client, config and a test.';

  static override description = [
    'Writes a TypeScript project for the server <App>.<Server> hosting the servant <App>.<Server>.<Servant>Obj, as '
    + "TARS's create_tars_server.sh does: <Servant>.tars (EchoHello, and Greet with a struct, a vector and a map), the "
    + 'code generated from it in src/gen, the implementation src/<Servant>Imp.ts, the server src/<Server>.ts '
    + '(Application.fromArgs; npm start runs it with --config=config.conf), a client example src/client.ts, '
    + 'config.conf for a local run, a test (npm test) and a README.',
    'With --http the same servant also answers HTTP (POST /<Function> with JSON) on a second adapter, whose '
    + 'protocol is not_tars.',
    'Then runs npm install and npm run build in the project, unless --no-install. The project depends on the '
    + "@tars-ts/core of this toolkit through a file: link, and `npm run gen` uses the tars on the PATH or else this "
    + "toolkit's CLI.",
  ].join('\n\n');

  static override examples = [
    {description: 'Create ./HelloGo', command: '<%= config.bin %> <%= command.id %> TestApp HelloGo SayHello'},
    {description: 'Also serve HTTP, into another directory', command: '<%= config.bin %> <%= command.id %> TestApp HelloGo SayHello --http --dir services/hello'},
    {description: 'Only write the files (no npm install, no build)', command: '<%= config.bin %> <%= command.id %> TestApp HelloGo SayHello --no-install'},
  ];

  static override args = {
    app: Args.string({description: 'Application name (App), e.g. TestApp'}),
    server: Args.string({description: 'Server name, e.g. HelloGo; also the default directory'}),
    servant: Args.string({description: 'Servant (interface) name, e.g. SayHello; the object is <App>.<Server>.<Servant>Obj'}),
  };

  static override flags = {
    dir: Flags.string({char: 'd', summary: 'Directory to create the project in (default: ./<Server>).'}),
    force: Flags.boolean({char: 'f', summary: 'Write into an existing non-empty directory, replacing files of the same name.'}),
    install: Flags.boolean({summary: 'Run npm install and npm run build in the project (--no-install: only write files).',
      default: true, allowNo: true}),
    http: Flags.boolean({summary: 'Also serve the servant over HTTP (POST /<Function> with JSON) on its own adapter.'}),
    // Checked by tars new itself (parsePortFlag), so a bad value is one error line, not oclif's parse report.
    port: Flags.string({char: 'p', helpValue: '<port>', summary: "The servant's port (1-65535); the HTTP adapter "
      + '(--http) and then AdminObj take the next free ports above it. Default: 10015, 10016 and 15001, or free '
      + 'ports where those are taken.'}),
    yes: Flags.boolean({char: 'y', summary: 'Never prompt: missing arguments are an error.'}),
  };

  async run(): Promise<NewResult> {
    const {args, flags} = await this.parse(New);
    const {createService, summaryLines} = await import('../lib/new-service.js');
    const {result, plan} = await createService({...args, dir: flags.dir, port: flags.port, http: flags.http,
      force: flags.force, install: flags.install, json: this.jsonEnabled(), yes: flags.yes}, {warn: (line) => this.logToStderr(line)});
    if (!this.jsonEnabled()) for (const line of summaryLines(result, plan)) this.log(line);
    return result;
  }
}
