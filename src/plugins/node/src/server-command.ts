// The base of `tars server ...`: the registry (the one source of truth for what runs where), the nodes it knows, and
// the instances of one server. Commands change the deployment through the registry (RegistryCtl, AdminReg) and
// read or act on a node through its registered NodeObj (Node and this toolkit's NodeCtl functions).
import {Args, Flags} from '@oclif/core';
import type {NodeCtl, RegistryCtl} from '@tars-ts/core/framework';
import {
  ADMIN_REG_OBJ, PATCH_CTL_OBJ, REGISTRY_CTL_OBJ, RegistryClientCommand, type RegistryClientFlags, type RolloutJson,
  type RolloutOptions, UserError, deployNodeOf,
} from '@tars-ts/kit';

// The rollout itself is the kit's (src/kit/src/rollout.ts), which the web console runs too.
export {ADMIN_REG_OBJ, PATCH_CTL_OBJ, REGISTRY_CTL_OBJ, type RolloutJson, type RolloutOptions};

/** `App.Server`, checked. */
export interface ServerId {
  readonly application: string;
  readonly serverName: string;
}

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

/** Parses `App.Server` (BAD_NAME with the fix when it is not one). */
export function parseServerId(text: string): ServerId {
  const parts = text.split('.');
  if (parts.length !== 2 || !parts.every((p) => NAME.test(p))) {
    throw new UserError(`"${text}" is not a server name App.Server`, {code: 'BAD_NAME',
      hint: 'give the application and the server, e.g. TestApp.HelloGo (letters, digits, _ and -)'});
  }
  return {application: parts[0]!, serverName: parts[1]!};
}

/** `tars server start|stop|restart|undeploy --json`: each instance acted on, and what its node answered. */
export interface ServerActionJson {
  server: string;
  action: 'start' | 'stop' | 'restart' | 'undeploy';
  nodes: {node: string; result: string}[];
}

/** The flags `tars server patch` and `tars server rollback` share. */
export const ROLLOUT_FLAGS = {
  nodes: Flags.string({summary: 'Only these nodes (comma-separated names).', helpValue: 'A,B'}),
  batch: Flags.integer({summary: 'Nodes done at once (0: all).', default: 0, min: 0, helpValue: 'N'}),
  'wait-healthy': Flags.boolean({summary: 'Before the next batch, wait until the registry hands the instances ' +
    'out again.'}),
  drain: Flags.integer({summary: 'With --batch, how long an instance stays out of discovery before it restarts, ' +
    'ms (long-lived clients refresh their endpoints every refresh-endpoint-interval).', default: 0, min: 0,
    helpValue: 'MS'}),
  wait: Flags.integer({summary: 'How long each server has for its first heart-beat, ms.', default: 30_000,
    min: 1000, max: 120_000, helpValue: 'MS'}),
};

/** The rollout options of {@link ROLLOUT_FLAGS} as parsed. */
export function rolloutOptions(flags: {nodes?: string | undefined; batch: number; 'wait-healthy': boolean;
  drain: number; wait: number}): RolloutOptions {
  return {batch: flags.batch, waitMs: flags.wait, waitHealthy: flags['wait-healthy'], drainMs: flags.drain,
    ...(flags.nodes ? {nodes: flags.nodes.split(',').map((n) => n.trim()).filter(Boolean)} : {})};
}

/** A server's flags: the registry's, and the node to act on. */
export interface ServerFlags extends RegistryClientFlags {
  node?: string | undefined;
}

/** A server command: the registry's proxies and each node's NodeObj. */
export abstract class ServerCommand extends RegistryClientCommand {
  static override baseFlags = {
    ...RegistryClientCommand.baseFlags,
    node: Flags.string({summary: 'The node (its name, as `tars node list` shows it). Default: every node the server ' +
      'is deployed on (deploy: the one live node).', helpValue: 'NAME'}),
  };

  protected async ctl(flags: ServerFlags): Promise<RegistryCtl.RegistryCtlProxy> {
    const {RegistryCtl: R} = await import('@tars-ts/core/framework');
    return this.registry(R.RegistryCtlProxy, flags, REGISTRY_CTL_OBJ);
  }

  /** The registry's nodes, by name. */
  protected async nodes(flags: ServerFlags): Promise<RegistryCtl.RegistryNode[]> {
    return (await (await this.ctl(flags)).listNodes()).nodes;
  }

  /** The live node a deploy goes to: --node (which must be alive), else the only live node. */
  protected async deployNode(flags: ServerFlags): Promise<RegistryCtl.RegistryNode> {
    return deployNodeOf(await this.nodes(flags), flags.node);
  }

  /** The instances of `id` (on --node, when given); NO_SERVER when there is none. */
  protected async instances(flags: ServerFlags, id: ServerId): Promise<RegistryCtl.ServerDeployment[]> {
    const {servers} = await (await this.ctl(flags)).listServers(flags.node ?? '');
    const mine = servers.filter((s) => s.application === id.application && s.serverName === id.serverName);
    if (mine.length === 0) {
      throw new UserError(`${id.application}.${id.serverName} is not deployed${flags.node ? ` on node ${flags.node}` : ''}`,
        {code: 'NO_SERVER', hint: `${this.config.bin} server list shows what is deployed where`});
    }
    return mine;
  }

  /** NodeObj of a node (its NodeCtl functions), calls timing out after `timeoutMs`. */
  protected async nodeCtl(node: RegistryCtl.RegistryNode | string, flags: ServerFlags, timeoutMs?: number):
    Promise<NodeCtl.NodeCtlProxy> {
    const {NodeCtl: N} = await import('@tars-ts/core/framework');
    const nodeObj = typeof node === 'string' ? await this.nodeObjOf(node, flags) : node.nodeObj;
    await this.ctl(flags); // makes sure the command's communicator exists
    return this.registryCommunicator!.stringToProxy(N.NodeCtlProxy, nodeObj,
      {timeout: timeoutMs ?? this.settings.timeout(flags.timeout)});
  }

  /** NodeObj of a node as the official Node interface. */
  protected async nodeProxy(node: RegistryCtl.RegistryNode, flags: ServerFlags): Promise<import('@tars-ts/core/framework').Node.NodeProxy> {
    const {Node} = await import('@tars-ts/core/framework');
    await this.ctl(flags);
    return this.registryCommunicator!.stringToProxy(Node.NodeProxy, node.nodeObj,
      {timeout: this.settings.timeout(flags.timeout)});
  }

  private async nodeObjOf(name: string, flags: ServerFlags): Promise<string> {
    const node = (await this.nodes(flags)).find((n) => n.name === name);
    if (!node || !node.nodeObj.includes('@')) {
      throw new UserError(`node "${name}" is not registered`, {code: 'NO_NODE',
        hint: `${this.config.bin} node list shows the nodes`});
    }
    return node.nodeObj;
  }

  /**
   * An AdminReg answer as an outcome: nothing when ret is 0; else a UserError naming the instance (NO_NODE when the
   * node is not registered or silent, DEPLOY_FAILED when the node could not bring the server up, FAILURE otherwise).
   */
  protected adminFailure(ret: number, result: string, what: string): UserError | undefined {
    if (ret === 0) return undefined;
    if (ret === 1001) return new UserError(`${what}: ${result}`, {code: 'NO_NODE'});
    const code = /exited at once|did not report in/.test(result) ? 'DEPLOY_FAILED' : 'FAILURE';
    return new UserError(`${what}: ${result}${ret === 1002 ? '' : ` (${ret})`}`, {code});
  }

  /** The patch server's PatchCtl, resolved by name through the registry. */
  protected async patchCtl(flags: ServerFlags): Promise<import('@tars-ts/core/framework').PatchCtl.PatchCtlProxy> {
    const {PatchCtl} = await import('@tars-ts/core/framework');
    return this.registry(PatchCtl.PatchCtlProxy, flags, PATCH_CTL_OBJ);
  }

  /** Version `version` of `id` in the patch store (USAGE naming how to list them when there is none). */
  protected async patchVersion(flags: ServerFlags, id: ServerId, version: string):
    Promise<import('@tars-ts/core/framework').PatchCtl.PatchVersion> {
    const ctl = await this.patchCtl(flags);
    const {ret, v, result} = await ctl.getVersion(id.application, id.serverName, version).catch((error: unknown) => {
      throw new UserError(`the patch server could not be asked for version ${version} of ${id.application}.` +
        `${id.serverName}: ${(error as Error).message}`, {code: 'NO_ENDPOINT',
        hint: 'start it with the registry as locator: tars patch start --locator "tcp -h REGISTRY_HOST -p 17890"'});
    });
    if (ret !== 0) {
      throw new UserError(`version ${version} of ${id.application}.${id.serverName} is not in the patch store` +
        (result ? ` (${result})` : ''), {code: 'USAGE',
        hint: `${this.config.bin} patch list ${id.application}.${id.serverName} shows the versions`});
    }
    return v;
  }

  /** The administration servant of the registry. */
  protected async adminReg(flags: ServerFlags, timeoutMs?: number): Promise<import('@tars-ts/core/framework').AdminReg.AdminRegProxy> {
    const {AdminReg} = await import('@tars-ts/core/framework');
    const proxy = await this.registry(AdminReg.AdminRegProxy, flags, ADMIN_REG_OBJ);
    return timeoutMs === undefined ? proxy : this.registryCommunicator!.stringToProxy(AdminReg.AdminRegProxy,
      ADMIN_REG_OBJ, {timeout: timeoutMs});
  }

  /**
   * start, stop, restart or undeploy every instance of `server` (on --node, when given) through AdminReg, which sets
   * the setting state and asks the node. Restart shows its steps. The first failure stops the command.
   */
  protected async act(action: ServerActionJson['action'], server: string, flags: ServerFlags): Promise<ServerActionJson> {
    const id = parseServerId(server);
    const name = `${id.application}.${id.serverName}`;
    const instances = await this.instances(flags, id);
    // The node waits up to 8 s for a start and up to 60 s for a stop: give AdminReg (and it the node) that long.
    const admin = await this.adminReg(flags, 75_000);
    const ctl = await this.ctl(flags);
    const json: ServerActionJson = {server: name, action, nodes: []};
    const {runSteps} = await import('@tars-ts/kit');
    const steps = instances.flatMap((inst) => {
      const where = `${name} on ${inst.nodeName}`;
      const call = async (what: 'startServer' | 'stopServer' | 'destroyServer', title: {title: string}): Promise<void> => {
        const {ret, result} = await admin[what](id.application, id.serverName, inst.nodeName);
        const failure = this.adminFailure(ret, result, `${what} ${where}`);
        if (failure) throw failure;
        title.title = result || `${where}: ${what} done`;
        json.nodes.push({node: inst.nodeName, result});
      };
      switch (action) {
        case 'start': return [{title: `Start ${where}`, run: (_: unknown, t: {title: string}) => call('startServer', t)}];
        case 'stop': return [{title: `Stop ${where}`, run: (_: unknown, t: {title: string}) => call('stopServer', t)}];
        case 'restart': return [
          {title: `Stop ${where}`, run: (_: unknown, t: {title: string}) => call('stopServer', t)},
          {title: `Start ${where}`, run: (_: unknown, t: {title: string}) => call('startServer', t)},
        ];
        case 'undeploy': return [
          {title: `Stop ${where} and remove its files`, run: (_: unknown, t: {title: string}) => call('destroyServer', t)},
          {title: `Remove ${where} from the registry`, run: async (_: unknown, t: {title: string}) => {
            await ctl.dropServer(id.application, id.serverName, inst.nodeName);
            t.title = `${where} removed from the registry`;
          }},
        ];
      }
    });
    await runSteps(steps, {}, this.jsonEnabled() || action !== 'restart' && action !== 'undeploy');
    if (!this.jsonEnabled() && action !== 'restart' && action !== 'undeploy') {
      for (const n of json.nodes) this.log(`${n.node}: ${n.result}`);
    }
    return json;
  }

  /**
   * The instances of `id` (every server when undefined; on --node when given) joined with what their nodes say; a
   * node that does not answer leaves its servers' node columns empty (and a warning).
   */
  protected async view(flags: ServerFlags, id?: ServerId): Promise<import('./server-view.js').ServerListJson> {
    const {serverRows} = await import('./server-view.js');
    const deployments = id ? await this.instances(flags, id)
      : (await (await this.ctl(flags)).listServers(flags.node ?? '')).servers;
    const alive = new Map((await this.nodes(flags)).filter((n) => n.alive).map((n) => [n.name, n]));
    const managed = new Map<string, NodeCtl.ManagedServer[]>();
    await Promise.all([...new Set(deployments.map((d) => d.nodeName))].map(async (name) => {
      const node = alive.get(name);
      if (!node) return;
      try {
        managed.set(name, (await (await this.nodeCtl(node, flags)).listManaged()).servers);
      } catch (error) {
        this.warn(`node ${name} did not answer: ${(error as Error).message}`);
      }
    }));
    return serverRows(deployments, managed);
  }

  /**
   * Rolls version `release` out to the instances of `id` (on `opts.nodes`, or --node), `opts.batch` at a time, with
   * the kit's rollout (see planRollout and rolloutSteps): each node stages the package, then switches and restarts,
   * out of discovery meanwhile when others serve. A failure stops the rollout and says where; instances already done
   * stay on the new version.
   */
  protected async rollout(flags: ServerFlags, id: ServerId, release: import('@tars-ts/core/framework').PatchCtl.PatchVersion,
    opts: RolloutOptions): Promise<RolloutJson> {
    const {planRollout, rolloutJson, rolloutSteps, runSteps} = await import('@tars-ts/kit');
    await this.instances(flags, id); // NO_SERVER (naming --node) when there is nothing to roll out to
    let nodes = opts.nodes;
    if (flags.node !== undefined) {
      const outside = (nodes ?? []).filter((n) => n !== flags.node);
      if (outside.length > 0) {
        throw new UserError(`${id.application}.${id.serverName} is not deployed on ${outside.join(', ')} on node ` +
          `${flags.node}`, {code: 'NO_SERVER', hint: `--node ${flags.node} leaves only that node to patch`});
      }
      nodes = [flags.node];
    }
    await this.ctl(flags);
    const links = {communicator: this.registryCommunicator!, locator: await this.registryLocator(flags),
      timeoutMs: this.settings.timeout(flags.timeout)};
    const plan = await planRollout(links, id.application, id.serverName, release, {...opts, ...(nodes ? {nodes} : {})});
    const json = rolloutJson(plan);
    await runSteps(rolloutSteps(links, plan, opts, json), {}, this.jsonEnabled());
    if (!this.jsonEnabled()) {
      this.log(`${json.server}: version ${release.version} runs on ${json.nodes.map((n) => n.node).join(', ')}`);
    }
    return json;
  }
}

/**
 * `tars server start|stop|restart|undeploy <App.Server>`: the commands differ only in their `action` and summary
 * (see {@link ServerCommand.act}).
 */
export abstract class ServerActionCommand extends ServerCommand {
  /** What the command does to every instance of the server. */
  static action: ServerActionJson['action'];
  static override examples = ['<%= config.bin %> <%= command.id %> TestApp.HelloGo',
    '<%= config.bin %> <%= command.id %> TestApp.HelloGo --node 10.0.0.5 --json'];

  static override args = {server: Args.string({description: 'App.Server', required: true})};

  async run(): Promise<ServerActionJson> {
    const {args, flags} = await this.parse(ServerActionCommand);
    return this.act((this.constructor as typeof ServerActionCommand).action, args.server, flags);
  }
}
