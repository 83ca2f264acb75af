// The base of `tars server ...`: the registry (the one source of truth for what runs where), the nodes it knows, and
// the instances of one server. Commands change the deployment through the registry (RegistryCtl, AdminReg) and
// read or act on a node through its registered NodeObj (Node and this toolkit's NodeCtl functions).
import {Args, Flags} from '@oclif/core';
import type {NodeCtl, RegistryCtl} from '@tars-ts/core/framework';
import {RegistryClientCommand, type RegistryClientFlags, UserError} from '@tars-ts/kit';

/** The registry's control servant. */
export const REGISTRY_CTL_OBJ = 'tars.tarsregistry.RegistryCtlObj';
/** The registry's administration servant. */
export const ADMIN_REG_OBJ = 'tars.tarsAdminRegistry.AdminRegObj';
/** The patch server's own servant (versions), listed in the registry by the patch daemon. */
export const PATCH_CTL_OBJ = 'tars.tarspatch.PatchCtlObj';

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

/** `tars server patch|rollback --json`. */
export interface RolloutJson {
  server: string;
  version: string;
  batches: string[][];
  nodes: {node: string; result: string}[];
}

/** How a rollout goes. */
export interface RolloutOptions {
  /** Nodes to patch ('' or absent: every node the server is deployed on). */
  readonly nodes?: readonly string[];
  /** Instances patched at once (0: all). */
  readonly batch: number;
  /** How long each instance has for its first heart-beat, ms. */
  readonly waitMs: number;
  /** Also wait until the registry hands the instance's endpoints out again before the next batch. */
  readonly waitHealthy: boolean;
  /**
   * After taking an instance out of discovery, wait this long (ms) before restarting it, so that long-lived clients
   * refresh their endpoint lists (refresh-endpoint-interval, 60 s by default) and stop calling it.
   */
  readonly drainMs?: number;
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
    const nodes = await this.nodes(flags);
    const alive = nodes.filter((n) => n.alive);
    if (flags.node !== undefined) {
      const node = nodes.find((n) => n.name === flags.node);
      if (!node) {
        throw new UserError(`node "${flags.node}" is not registered`, {code: 'NO_NODE',
          hint: nodes.length > 0 ? `the registry knows: ${nodes.map((n) => n.name).join(', ')}`
            : 'start one: tars node start --locator "tcp -h REGISTRY_HOST -p 17890"'});
      }
      if (!node.alive) {
        throw new UserError(`node "${flags.node}" is registered but silent (no heart-beat)`, {code: 'NO_NODE',
          hint: 'start it again (tars node start ...), or deploy to another --node'});
      }
      return node;
    }
    if (alive.length === 1) return alive[0]!;
    if (alive.length === 0) {
      throw new UserError('no live node is registered to deploy to', {code: 'NO_NODE',
        hint: 'start one: tars node start --locator "tcp -h REGISTRY_HOST -p 17890" (tars node list shows them)'});
    }
    throw new UserError(`${alive.length} nodes are alive: say which with --node`, {code: 'USAGE',
      hint: `--node ${alive.map((n) => n.name).join(' or --node ')}`});
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
   * Rolls version `release` out to the instances of `id` (on `opts.nodes`), `opts.batch` at a time: each node
   * downloads and stages the package (NodeCtl.stagePackage from the patch server), then, taken out of discovery
   * first when other instances serve meanwhile (AdminReg.updateServerFlowState), switches to it and restarts it
   * (NodeCtl.activateServer: back to the previous version by itself when the new one does not come up), and is put
   * back into discovery. A failure stops the rollout and says where; instances already done stay on the new version.
   */
  protected async rollout(flags: ServerFlags, id: ServerId, release: import('@tars-ts/core/framework').PatchCtl.PatchVersion,
    opts: RolloutOptions): Promise<RolloutJson> {
    const name = `${id.application}.${id.serverName}`;
    let instances = await this.instances(flags, id);
    if (opts.nodes && opts.nodes.length > 0) {
      const missing = opts.nodes.filter((n) => !instances.some((i) => i.nodeName === n));
      if (missing.length > 0) {
        throw new UserError(`${name} is not deployed on ${missing.join(', ')}`, {code: 'NO_SERVER',
          hint: `it runs on: ${instances.map((i) => i.nodeName).join(', ')}`});
      }
      instances = instances.filter((i) => opts.nodes!.includes(i.nodeName));
    }
    const size = opts.batch > 0 ? opts.batch : instances.length;
    const batches: RegistryCtl.ServerDeployment[][] = [];
    for (let i = 0; i < instances.length; i += size) batches.push(instances.slice(i, i + size));
    const nodes = new Map((await this.nodes(flags)).map((n) => [n.name, n]));
    const admin = await this.adminReg(flags, 15_000);
    const all = (await this.instances({...flags, node: undefined}, id)).length;
    const json: RolloutJson = {server: name, version: release.version, batches: batches.map((b) => b.map((i) => i.nodeName)),
      nodes: []};
    const {runSteps} = await import('@tars-ts/kit');
    const done: string[] = [];
    const where = (node: string, k: number) => `node ${node} (batch ${k + 1} of ${batches.length}; ` +
      `done: ${done.join(', ') || 'none'})`;
    const steps = batches.flatMap((batch, k) => [
      {title: `Batch ${k + 1}/${batches.length}: download version ${release.version} to ${batch.map((i) => i.nodeName)
        .join(', ')}`, run: async (_: unknown, step: {title: string}) => {
        await Promise.all(batch.map(async (inst) => {
          const node = nodes.get(inst.nodeName);
          if (!node?.alive) throw new UserError(`rollout stopped at ${where(inst.nodeName, k)}: the node is not alive`, {code: 'NO_NODE'});
          const ctl = await this.nodeCtl(node, flags, 600_000);
          const {ret, pkg, result} = await ctl.stagePackage({application: id.application, serverName: id.serverName,
            packagePath: '', command: '', patchObj: '', patchFile: release.file, md5: release.md5,
            version: release.version});
          if (ret !== 0) {
            throw new UserError(`rollout stopped at ${where(inst.nodeName, k)}: ${result.split('\nhint: ')[0]}`,
              {code: 'DEPLOY_FAILED'});
          }
          step.title = `Batch ${k + 1}/${batches.length}: ${inst.nodeName} has version ${release.version} (${pkg.files} files)`;
        }));
      }},
      {title: `Batch ${k + 1}/${batches.length}: switch and restart ${batch.map((i) => i.nodeName).join(', ')}`,
        run: async (_: unknown, step: {title: string}) => {
        const nodeNames = batch.map((i) => i.nodeName);
        // Out of discovery while it restarts, when other instances serve meanwhile: calls by name keep working.
        const lossless = all > batch.length;
        if (lossless) {
          await admin.updateServerFlowState(id.application, id.serverName, nodeNames, false);
          if (opts.drainMs) await new Promise((resolve) => setTimeout(resolve, opts.drainMs));
        }
        try {
          await Promise.all(batch.map(async (inst) => {
            const ctl = await this.nodeCtl(nodes.get(inst.nodeName)!, flags, opts.waitMs + 70_000);
            const {ret, result} = await ctl.activateServer(id.application, id.serverName, opts.waitMs);
            if (ret !== 0) {
              throw new UserError(`rollout stopped at ${where(inst.nodeName, k)}: ${result}`, {code: 'DEPLOY_FAILED',
                hint: 'that node went back to the version it ran; fix the package and run the rollout again'});
            }
            json.nodes.push({node: inst.nodeName, result});
            done.push(inst.nodeName);
          }));
        } finally {
          if (lossless) await admin.updateServerFlowState(id.application, id.serverName, nodeNames, true);
        }
        if (opts.waitHealthy) await this.waitInDiscovery(flags, batch);
        step.title = `Batch ${k + 1}/${batches.length}: ${nodeNames.join(', ')} run version ${release.version}`;
      }},
    ]);
    await runSteps(steps, {}, this.jsonEnabled());
    if (!this.jsonEnabled()) this.log(`${name}: version ${release.version} runs on ${done.join(', ')}`);
    return json;
  }

  /** Until the registry hands out every adapter of `instances` as active again (at most 30 s). */
  private async waitInDiscovery(flags: ServerFlags, instances: readonly RegistryCtl.ServerDeployment[]): Promise<void> {
    const {QueryF} = await import('@tars-ts/core/framework');
    const query = await this.registry(QueryF.QueryFProxy, flags);
    const deadline = Date.now() + 30_000;
    for (const inst of instances) {
      for (const a of inst.adapters) {
        const port = Number(/-p\s+(\d+)/.exec(a.endpoint)?.[1] ?? 0);
        for (;;) {
          const {activeEp} = await query.findObjectById4Any(a.servant);
          if (activeEp.some((e) => e.port === port)) break;
          if (Date.now() > deadline) {
            throw new UserError(`${a.servant} on ${inst.nodeName} is not handed out by the registry after 30 s`,
              {code: 'DEPLOY_FAILED'});
          }
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
    }
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
