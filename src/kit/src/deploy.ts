// Deploying a server on a node, step by step, as `tars server deploy` and the web console's "Deploy a server" run it:
// find the node, stage the package on it (a directory or .tgz on its host, or a version of the patch store it
// downloads), record the server and its adapters in the registry, then activate it and wait for its first
// heart-beat. A failure puts back what ran before (the registry's previous rows, or none for a new server).
import type {Communicator} from '@tars-ts/core';
import {
  formatEndpoint, isLoopbackHost, isWildcardHost, parseEndpoint, parseTarsConfig, writeTarsConfig,
} from '@tars-ts/core';
import type {ErrorCode} from '@tars-ts/core/errors';
import type {NodeCtl, PatchCtl} from '@tars-ts/core/framework';
import {RegistryCtl} from '@tars-ts/core/framework';

import {UserError} from './errors.js';
import {REGISTRY_CTL_OBJ} from './rollout.js';
import type {Step} from './steps.js';

/** `App.Server`. */
export interface DeployServerId {
  readonly application: string;
  readonly serverName: string;
}

/** How a deploy reaches the cluster. */
export interface DeployLinks {
  /** A communicator whose locator is the registry (with the admin token's keys when there is one). */
  readonly communicator: Communicator;
  /** Each registry call's timeout, ms. */
  readonly timeoutMs: number;
  /** Hears what could not be put back after a failure (the failure itself is thrown). */
  readonly warn?: (text: string) => void;
}

/** What to deploy, and how. */
export interface DeployOptions extends DeployServerId {
  /** The node's name; absent: the only live node. */
  readonly node?: string | undefined;
  /** A directory or .tgz on the node's host (with no `release`). */
  readonly packagePath?: string | undefined;
  /** A version of the patch store the node downloads (instead of `packagePath`). */
  readonly release?: PatchCtl.PatchVersion | undefined;
  /** `Obj=ENDPOINT` items: the endpoint of the package's adapter serving Obj, or a new adapter. */
  readonly adapters?: readonly string[] | undefined;
  /** SET name.area.group. */
  readonly set?: string | undefined;
  /** IDC grouping: a group name, auto or off; absent: what the instance had. */
  readonly group?: string | undefined;
  /** The command line run instead of node <entry>. */
  readonly cmd?: string | undefined;
  /** K=V items, checked with {@link checkEnv}. */
  readonly env?: readonly string[] | undefined;
  /** The server's own config text; absent: the one it had. */
  readonly profile?: string | undefined;
  /** How long the node waits for the first heart-beat, ms. */
  readonly waitMs: number;
}

/** What a deploy found and did, step by step. */
export interface DeployCtx {
  node?: RegistryCtl.RegistryNode;
  pkg?: NodeCtl.StagedPackage;
  deployment?: RegistryCtl.ServerDeployment;
  previous?: RegistryCtl.ServerDeployment;
  pid: number;
}

/** `tars server deploy --json`, and the console's deploy answer. */
export interface DeployResultJson {
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

/** The steps of a deploy. */
export type DeployStepName = 'node' | 'stage' | 'record' | 'start';

/** What happens, as it happens: each step `running`, then `ok` (its title says what it found) or `failed`. */
export interface DeployEvent {
  step: DeployStepName;
  result: 'running' | 'ok' | 'failed';
  message: string;
}

/** The object part of a servant name (`App.Server.Obj` -> `Obj`). */
function objOf(servant: string): string {
  return servant.split('.').pop()!;
}

/**
 * The package's adapters as adapters of `id`: `X.Y.SayHelloObj` becomes `App.Server.SayHelloObj` with the adapter
 * `App.Server.SayHelloObjAdapter` (a package made for one name deploys under another).
 */
export function renameAdapters(adapters: readonly RegistryCtl.ServerAdapter[], id: DeployServerId):
  RegistryCtl.ServerAdapter[] {
  return adapters.map((a) => {
    const servant = `${id.application}.${id.serverName}.${objOf(a.servant)}`;
    return {...a, servant, name: `${servant}Adapter`};
  });
}

/**
 * `adapters` with each `Obj=ENDPOINT` applied: the endpoint of the adapter serving Obj replaced, or a new adapter
 * (protocol tars) when there is none. USAGE / BAD_ENDPOINT errors name the bad item.
 */
export function withAdapterFlags(adapters: readonly RegistryCtl.ServerAdapter[], flags: readonly string[],
  id: DeployServerId): RegistryCtl.ServerAdapter[] {
  const out = [...adapters];
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    const obj = eq > 0 ? objOf(flag.slice(0, eq).trim()) : '';
    const endpoint = eq > 0 ? flag.slice(eq + 1).trim() : '';
    if (!/^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(obj) || endpoint === '') {
      throw new UserError(`--adapter ${flag} is not Obj=ENDPOINT`, {code: 'USAGE',
        hint: '--adapter SayHelloObj="tcp -h 127.0.0.1 -p 10015 -t 60000"'});
    }
    try {
      parseEndpoint(endpoint);
    } catch (error) {
      throw new UserError(`--adapter ${obj}: "${endpoint}" is not an endpoint: ${(error as Error).message}`,
        {code: 'BAD_ENDPOINT', hint: 'write it as "tcp -h HOST -p PORT [-t TIMEOUT]"'});
    }
    const servant = `${id.application}.${id.serverName}.${obj}`;
    const at = out.findIndex((a) => a.servant === servant);
    if (at >= 0) out[at] = {...out[at]!, endpoint};
    else out.push(RegistryCtl.ServerAdapter.create({name: `${servant}Adapter`, servant, endpoint}));
  }
  return out;
}

/**
 * `adapters` as the node at `nodeObj` (its NodeObj proxy string) runs them: an adapter bound to a loopback address,
 * as packages are written (`tcp -h 127.0.0.1 -p 10015`), binds the node's own address when the node is reached on
 * another one, so that other hosts can call it (TarsWeb fills in the node's IP the same way). A node on a loopback
 * address (one machine), or an adapter already bound to another address, is left as it is.
 */
export function onNodeHost(adapters: readonly RegistryCtl.ServerAdapter[], nodeObj: string): RegistryCtl.ServerAdapter[] {
  let nodeHost: string | undefined;
  try {
    nodeHost = parseEndpoint(nodeObj.slice(nodeObj.indexOf('@') + 1).split(':')[0]!).host;
  } catch {
    return [...adapters];
  }
  if (isLoopbackHost(nodeHost) || isWildcardHost(nodeHost)) return [...adapters];
  return adapters.map((a) => {
    try {
      const ep = parseEndpoint(a.endpoint);
      return isLoopbackHost(ep.host) ? {...a, endpoint: formatEndpoint({...ep, host: nodeHost})} : a;
    } catch {
      return a; // the registry refuses it with its own message
    }
  });
}

/** `profile` with `/tars/application/server<env>` set to the K=V items (left as it is when there are none). */
export async function profileWithEnv(profile: string, env: readonly string[]): Promise<string> {
  if (env.length === 0) return profile;
  const config = parseTarsConfig(profile, 'the server profile');
  config.child('tars').child('application').child('server').params.set('env', env.join(';'));
  return writeTarsConfig(config);
}

/** `env` checked: each item K=V without ; or | (USAGE naming the item otherwise). */
export function checkEnv(env: readonly string[]): string[] {
  return env.map((kv) => {
    const eq = kv.indexOf('=');
    if (eq <= 0 || /[;|]/.test(kv)) {
      throw new UserError(`--env ${kv} is not K=V`, {code: 'USAGE', hint: 'one variable per --env, e.g. --env GOMAXPROCS=2 (no ; or |)'});
    }
    return kv;
  });
}

/** A node's `-1` answer as a UserError: its text up to a `\nhint: ` line is the message, the rest the hint. */
export function nodeFailure(result: string, code: ErrorCode): UserError {
  const at = result.indexOf('\nhint: ');
  if (at < 0) return new UserError(result, {code});
  return new UserError(result.slice(0, at), {code, hint: result.slice(at + '\nhint: '.length)});
}

/** The live node a deploy goes to among the registry's `nodes`: `name` (which must be alive), else the only live one. */
export function deployNodeOf(nodes: readonly RegistryCtl.RegistryNode[], name: string | undefined):
  RegistryCtl.RegistryNode {
  const alive = nodes.filter((n) => n.alive);
  if (name !== undefined) {
    const node = nodes.find((n) => n.name === name);
    if (!node) {
      throw new UserError(`node "${name}" is not registered`, {code: 'NO_NODE',
        hint: nodes.length > 0 ? `the registry knows: ${nodes.map((n) => n.name).join(', ')}`
          : 'start one: tars node start --locator "tcp -h REGISTRY_HOST -p 17890"'});
    }
    if (!node.alive) {
      throw new UserError(`node "${name}" is registered but silent (no heart-beat)`, {code: 'NO_NODE',
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

/** The IDC grouping of a deploy: `group` when given (NAME, auto, off), else what the instance had. */
function groupOf(flag: string | undefined, old: RegistryCtl.ServerDeployment | undefined):
  {enableGroup: boolean; groupName: string} {
  if (flag === undefined) return {enableGroup: old?.enableGroup ?? false, groupName: old?.groupName ?? ''};
  if (flag === 'off') return {enableGroup: false, groupName: ''};
  return {enableGroup: true, groupName: flag === 'auto' ? '' : flag};
}

/**
 * The steps of deploying `opts` (run them in order on a {@link DeployCtx} `{pid: 0}`, e.g. with runSteps): each
 * reports `running`, then `ok` with what it found, or `failed` with why, to `onEvent`. The first failure throws a
 * UserError (NO_NODE, USAGE, BAD_ARGUMENT, DEPLOY_FAILED) or the call's error, after putting back what ran before.
 */
export function deploySteps(links: DeployLinks, opts: DeployOptions, onEvent?: (event: DeployEvent) => void):
  Step<DeployCtx>[] {
  const id = {application: opts.application, serverName: opts.serverName};
  const name = `${id.application}.${id.serverName}`;
  const env = checkEnv(opts.env ?? []);
  const ctlOf = async (): Promise<RegistryCtl.RegistryCtlProxy> => links.communicator.stringToProxy(
    RegistryCtl.RegistryCtlProxy, REGISTRY_CTL_OBJ, {timeout: links.timeoutMs});
  const nodeCtl = async (node: RegistryCtl.RegistryNode, timeout: number): Promise<NodeCtl.NodeCtlProxy> => {
    const {NodeCtl: N} = await import('@tars-ts/core/framework');
    return links.communicator.stringToProxy(N.NodeCtlProxy, node.nodeObj, {timeout});
  };
  const undo = async (c: DeployCtx): Promise<void> => {
    try {
      const ctl = await ctlOf();
      if (c.previous) await ctl.putServer(c.previous);
      else await ctl.dropServer(id.application, id.serverName, c.node!.name);
    } catch (error) {
      links.warn?.(`could not put the registry's rows back: ${(error as Error).message}`);
    }
  };
  const step = (which: DeployStepName, title: string, run: (c: DeployCtx, s: {title: string}) => Promise<void>):
    Step<DeployCtx> => ({title, run: async (c, s) => {
    onEvent?.({step: which, result: 'running', message: s.title});
    try {
      await run(c, s);
    } catch (error) {
      onEvent?.({step: which, result: 'failed', message: (error as Error).message});
      throw error;
    }
    onEvent?.({step: which, result: 'ok', message: s.title});
  }});
  return [
    step('node', 'Find the node', async (c, s) => {
      c.node = deployNodeOf((await (await ctlOf()).listNodes()).nodes, opts.node);
      s.title = `Node ${c.node.name}`;
    }),
    step('stage', opts.release ? `Download version ${opts.release.version} to the node`
      : `Stage ${opts.packagePath ?? ''} on the node`, async (c, s) => {
      const node = await nodeCtl(c.node!, 600_000);
      const {ret, pkg, result} = await node.stagePackage({application: id.application, serverName: id.serverName,
        packagePath: opts.packagePath ?? '', command: opts.cmd ?? '', patchObj: '', patchFile: opts.release?.file ?? '',
        md5: opts.release?.md5 ?? '', version: opts.release?.version ?? ''});
      if (ret !== 0) throw nodeFailure(result, 'BAD_ARGUMENT');
      c.pkg = pkg;
      s.title = `Staged ${pkg.files} files (${(Number(pkg.bytes) / 1_048_576).toFixed(1)} MB)` +
        (pkg.entry ? `, entry ${pkg.entry}` : `, command ${opts.cmd}`);
    }),
    step('record', `Record ${name} in the registry`, async (c, s) => {
      const adapters = onNodeHost(withAdapterFlags(renameAdapters(c.pkg!.adapters, id), opts.adapters ?? [], id),
        c.node!.nodeObj);
      if (adapters.length === 0) {
        throw new UserError(`the package declares no adapter${c.pkg!.configFile ? ` in ${c.pkg!.configFile}` : ' (no config.conf)'}`,
          {code: 'USAGE', hint: 'give one: --adapter SayHelloObj="tcp -h 127.0.0.1 -p 10015"'});
      }
      const ctl = await ctlOf();
      const {servers} = await ctl.listServers(c.node!.name);
      const old = servers.find((x) => x.application === id.application && x.serverName === id.serverName);
      c.deployment = {application: id.application, serverName: id.serverName, nodeName: c.node!.name, adapters,
        serverType: opts.cmd ? 'tars_cpp' : 'tars_nodejs', setId: opts.set ?? old?.setId ?? '',
        ...groupOf(opts.group, old),
        profile: await profileWithEnv(opts.profile ?? old?.profile ?? '', env), startScript: opts.cmd ?? '',
        settingState: 'active', presentState: '', processId: 0, version: '', patchVersion: ''};
      const {ret, previous, existed, result} = await ctl.putServer(c.deployment);
      if (ret !== 0) {
        // A new server leaves nothing on the node: its staged copy goes.
        if (!old) {
          const {Node} = await import('@tars-ts/core/framework');
          await links.communicator.stringToProxy(Node.NodeProxy, c.node!.nodeObj, {timeout: links.timeoutMs})
            .destroyServer(id.application, id.serverName).catch(() => undefined);
        }
        throw new UserError(`the registry refused ${name}: ${result}`, {code: 'USAGE',
          hint: 'tars server list shows the ports taken; choose others with --adapter Obj="tcp -h HOST -p PORT"'});
      }
      if (existed) c.previous = previous;
      s.title = `Recorded ${name} on ${c.node!.name}: ${adapters.map((a) => `${a.servant.split('.').pop()} ` +
        `${a.endpoint}`).join(', ')}`;
    }),
    step('start', `Start ${name} and wait for its heart-beat`, async (c, s) => {
      const node = await nodeCtl(c.node!, opts.waitMs + 70_000);
      const {ret, result} = await node.activateServer(id.application, id.serverName, opts.waitMs)
        .catch(async (error: unknown) => {
          await undo(c);
          throw error;
        });
      if (ret !== 0) {
        await undo(c);
        throw nodeFailure(result, 'DEPLOY_FAILED');
      }
      const managed = (await node.listManaged()).servers.find((x) => x.application === id.application &&
        x.serverName === id.serverName);
      c.pid = managed?.pid ?? 0;
      s.title = result;
    }),
  ];
}

/** The outcome of a deploy that ran every step of {@link deploySteps} on `ctx`. */
export function deployResultJson(ctx: DeployCtx, opts: DeployOptions): DeployResultJson {
  return {server: `${opts.application}.${opts.serverName}`, node: ctx.node!.name, state: 'active', pid: ctx.pid,
    adapters: ctx.deployment!.adapters.map((a) => ({name: a.name, servant: a.servant, endpoint: a.endpoint})),
    entry: ctx.pkg!.entry, command: opts.cmd ?? '', replaced: ctx.previous !== undefined, files: ctx.pkg!.files,
    bytes: Number(ctx.pkg!.bytes)};
}

/** Runs {@link deploySteps} without a renderer (the console): each step's events go to `onEvent`. */
export async function deployServer(links: DeployLinks, opts: DeployOptions, onEvent?: (event: DeployEvent) => void):
  Promise<DeployResultJson> {
  const ctx: DeployCtx = {pid: 0};
  for (const s of deploySteps(links, opts, onEvent)) await s.run(ctx, {title: s.title});
  return deployResultJson(ctx, opts);
}
