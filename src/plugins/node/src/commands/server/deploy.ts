import path from 'node:path';

import {Args, Flags} from '@oclif/core';
import type {RegistryCtl} from '@tars-ts/core/framework';
import {UserError} from '@tars-ts/kit';

import {ServerCommand, parseServerId} from '../../server-command.js';
import {nodeFailure, onNodeHost, profileWithEnv, readProfile, renameAdapters, withAdapterFlags} from '../../deploy-plan.js';

/** `tars server deploy --json`. */
export interface DeployJson {
  server: string;
  node: string;
  state: string;
  pid: number;
  adapters: {name: string; servant: string; endpoint: string}[];
  entry: string;
  command: string;
  replaced: boolean;
  files: number;
  bytes: number;
}

interface Ctx {
  node?: RegistryCtl.RegistryNode;
  pkg?: import('@tars-ts/core/framework').NodeCtl.StagedPackage;
  deployment?: RegistryCtl.ServerDeployment;
  previous?: RegistryCtl.ServerDeployment;
  pid: number;
}

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
    const env = (flags.env ?? []).map((kv) => {
      const eq = kv.indexOf('=');
      if (eq <= 0 || /[;|]/.test(kv)) {
        throw new UserError(`--env ${kv} is not K=V`, {code: 'USAGE', hint: 'one variable per --env, e.g. --env GOMAXPROCS=2 (no ; or |)'});
      }
      return kv;
    });
    const profile = flags.profile === undefined ? undefined : await readProfile(flags.profile);
    const {runSteps} = await import('@tars-ts/kit');
    const ctl = await this.ctl(flags);
    const ctx = await runSteps<Ctx>([
      {title: 'Find the node', run: async (c, step) => {
        c.node = await this.deployNode(flags);
        step.title = `Node ${c.node.name}`;
      }},
      {title: release ? `Download version ${release.version} to the node` : `Stage ${source} on the node`,
        run: async (c, step) => {
        const node = await this.nodeCtl(c.node!, flags, 600_000);
        const {ret, pkg, result} = await node.stagePackage({application: id.application, serverName: id.serverName,
          packagePath: source, command: flags.cmd ?? '', patchObj: '', patchFile: release?.file ?? '',
          md5: release?.md5 ?? '', version: release?.version ?? ''});
        if (ret !== 0) throw nodeFailure(result, 'BAD_ARGUMENT');
        c.pkg = pkg;
        step.title = `Staged ${pkg.files} files (${(Number(pkg.bytes) / 1_048_576).toFixed(1)} MB)` +
          (pkg.entry ? `, entry ${pkg.entry}` : `, command ${flags.cmd}`);
      }},
      {title: `Record ${name} in the registry`, run: async (c, step) => {
        const adapters = onNodeHost(withAdapterFlags(renameAdapters(c.pkg!.adapters, id), flags.adapter ?? [], id),
          c.node!.nodeObj);
        if (adapters.length === 0) {
          throw new UserError(`the package declares no adapter${c.pkg!.configFile ? ` in ${c.pkg!.configFile}` : ' (no config.conf)'}`,
            {code: 'USAGE', hint: 'give one: --adapter SayHelloObj="tcp -h 127.0.0.1 -p 10015"'});
        }
        const {servers} = await ctl.listServers(c.node!.name);
        const old = servers.find((s) => s.application === id.application && s.serverName === id.serverName);
        c.deployment = {application: id.application, serverName: id.serverName, nodeName: c.node!.name, adapters,
          serverType: flags.cmd ? 'tars_cpp' : 'tars_nodejs', setId: flags.set ?? old?.setId ?? '',
          ...groupOf(flags.group, old),
          profile: await profileWithEnv(profile ?? old?.profile ?? '', env), startScript: flags.cmd ?? '',
          settingState: 'active', presentState: '', processId: 0, version: '', patchVersion: ''};
        const {ret, previous, existed, result} = await ctl.putServer(c.deployment);
        if (ret !== 0) {
          // A new server leaves nothing on the node: its staged copy goes.
          if (!old) await (await this.nodeProxy(c.node!, flags)).destroyServer(id.application, id.serverName).catch(() => undefined);
          throw new UserError(`the registry refused ${name}: ${result}`, {code: 'USAGE',
            hint: `${this.config.bin} server list shows the ports taken; choose others with --adapter Obj="tcp -h HOST -p PORT"`});
        }
        if (existed) c.previous = previous;
        step.title = `Recorded ${name} on ${c.node!.name}: ${adapters.map((a) => `${a.servant.split('.').pop()} ` +
          `${a.endpoint}`).join(', ')}`;
      }},
      {title: `Start ${name} and wait for its heart-beat`, run: async (c, step) => {
        const node = await this.nodeCtl(c.node!, flags, flags.wait + 70_000);
        const {ret, result} = await node.activateServer(id.application, id.serverName, flags.wait).catch(async (error: unknown) => {
          await this.undo(c, id);
          throw error;
        });
        if (ret !== 0) {
          await this.undo(c, id);
          throw nodeFailure(result, 'DEPLOY_FAILED');
        }
        const managed = (await node.listManaged()).servers.find((s) => s.application === id.application &&
          s.serverName === id.serverName);
        c.pid = managed?.pid ?? 0;
        step.title = result;
      }},
    ], {pid: 0}, this.jsonEnabled());
    const json: DeployJson = {server: name, node: ctx.node!.name, state: 'active', pid: ctx.pid,
      adapters: ctx.deployment!.adapters.map((a) => ({name: a.name, servant: a.servant, endpoint: a.endpoint})),
      entry: ctx.pkg!.entry, command: flags.cmd ?? '', replaced: ctx.previous !== undefined, files: ctx.pkg!.files,
      bytes: Number(ctx.pkg!.bytes)};
    if (!this.jsonEnabled()) {
      this.log(`${name} runs on node ${json.node} (pid ${json.pid}); call it by name through the registry, e.g.`);
      this.log(`  ${this.config.bin} call ${json.adapters[0]!.servant} ...`);
    }
    return json;
  }

  /** Puts the registry's rows back as they were before this deploy. */
  private async undo(c: Ctx, id: {application: string; serverName: string}): Promise<void> {
    const flags = (await this.parse(ServerDeploy)).flags;
    const ctl = await this.ctl(flags);
    try {
      if (c.previous) await ctl.putServer(c.previous);
      else await ctl.dropServer(id.application, id.serverName, c.node!.name);
    } catch (error) {
      this.warn(`could not put the registry's rows back: ${(error as Error).message}`);
    }
  }
}

/** The IDC grouping of a deploy: `--group` when given (NAME, auto, off), else what the instance had. */
function groupOf(flag: string | undefined, old: RegistryCtl.ServerDeployment | undefined):
  {enableGroup: boolean; groupName: string} {
  if (flag === undefined) return {enableGroup: old?.enableGroup ?? false, groupName: old?.groupName ?? ''};
  if (flag === 'off') return {enableGroup: false, groupName: ''};
  return {enableGroup: true, groupName: flag === 'auto' ? '' : flag};
}
