import path from 'node:path';

import {Args, Flags} from '@oclif/core';
import {type DeployCtx, type DeployOptions, type DeployResultJson, checkEnv} from '@tars-ts/kit';

import {ServerCommand, parseServerId} from '../../server-command.js';
import {readProfile} from '../../deploy-plan.js';

/** `tars server deploy --json` (the kit's deploy outcome, which the web console answers too). */
export type DeployJson = DeployResultJson;

export default class ServerDeploy extends ServerCommand {
  static override summary = 'Deploy a server on a node from a package (a directory, a .tgz, or a version of the patch store) and start it.';
  static override description = `The package is read from the node's own file system (until the patch service exists, the node and
the CLI share a host). Steps: the node stages a copy (a tars new project's file: link to the core is copied in, so
the copy runs where it lands), the registry records the server and its adapters (from the package's config.conf,
renamed to App.Server, unless --adapter says otherwise), and the node writes the server's config, starts it and
waits for its first heart-beat. If any step fails, what ran before is put back: the previous package, config,
process and registry rows (or nothing at all for a new server).

A service made by tars new runs as "node <entry> --config=<file>" (its entry: the start script's file, else
"main"). Any other server runs the --cmd command line, from its bin directory, with --config=<file> added unless
the command line holds {config}.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> TestApp.HelloGo --package ./HelloGo',
    '<%= config.bin %> <%= command.id %> TestApp.HelloGo --package hello.tgz --adapter SayHelloObj="tcp -h 127.0.0.1 -p 20015"',
    '<%= config.bin %> <%= command.id %> TestApp.GoHello --package ./build --cmd ./GoHello --env GOMAXPROCS=2',
  ];

  static override args = {server: Args.string({description: 'App.Server', required: true})};

  static override flags = {
    package: Flags.string({char: 'p', summary: 'The package: a directory or a .tgz on the node\'s host.',
      helpValue: 'DIR|TGZ', exactlyOne: ['package', 'version']}),
    version: Flags.string({summary: 'A version from the patch store (tars patch upload; tars patch list).',
      helpValue: 'V', exactlyOne: ['package', 'version']}),
    adapter: Flags.string({summary: 'An adapter\'s endpoint: Obj=ENDPOINT (e.g. SayHelloObj="tcp -h 127.0.0.1 -p ' +
      '10015"); replaces the package\'s, or adds one.', multiple: true, helpValue: 'OBJ=ENDPOINT'}),
    set: Flags.string({summary: 'Deploy in the SET name.area.group.', helpValue: 'SET'}),
    group: Flags.string({summary: 'IDC grouping: callers get the endpoints of their own IDC group first (tars ' +
      'registry group): a group NAME, auto (each endpoint in the group of its IP), or off.', helpValue: 'NAME|auto|off'}),
    cmd: Flags.string({summary: 'The command line to run instead of node <entry> (a TarsGo or TarsCpp server).',
      helpValue: 'COMMAND'}),
    env: Flags.string({summary: 'An environment variable for the server: K=V.', multiple: true, helpValue: 'K=V'}),
    profile: Flags.string({summary: 'The server\'s own config (a TARS config file merged over the template, as ' +
      'TarsWeb\'s private template), e.g. a <client> domain setting report-interval. Default: the one it had.', helpValue: 'FILE'}),
    wait: Flags.integer({summary: 'How long to wait for the server\'s first heart-beat, ms.', default: 30_000, min: 1000,
      max: 120_000, helpValue: 'MS'}),
  };

  async run(): Promise<DeployJson> {
    const {args, flags} = await this.parse(ServerDeploy);
    const id = parseServerId(args.server);
    const name = `${id.application}.${id.serverName}`;
    const source = flags.package === undefined ? '' : path.resolve(flags.package);
    const release = flags.version === undefined ? undefined : await this.patchVersion(flags, id, flags.version);
    const env = checkEnv(flags.env ?? []);
    const profile = flags.profile === undefined ? undefined : await readProfile(flags.profile);
    const {deployResultJson, deploySteps, runSteps} = await import('@tars-ts/kit');
    await this.ctl(flags); // makes sure the command's communicator exists
    const opts: DeployOptions = {...id, node: flags.node, packagePath: source, release, adapters: flags.adapter ?? [],
      set: flags.set, group: flags.group, cmd: flags.cmd, env, profile, waitMs: flags.wait};
    const links = {communicator: this.registryCommunicator!, timeoutMs: this.settings.timeout(flags.timeout),
      warn: (text: string) => this.warn(text)};
    const ctx = await runSteps<DeployCtx>(deploySteps(links, opts), {pid: 0}, this.jsonEnabled());
    const json: DeployJson = deployResultJson(ctx, opts);
    if (!this.jsonEnabled()) {
      this.log(`${name} runs on node ${json.node} (pid ${json.pid}); call it by name through the registry, e.g.`);
      this.log(`  ${this.config.bin} call ${json.adapters[0]!.servant} ...`);
    }
    return json;
  }
}
