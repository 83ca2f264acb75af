// Rolling a version of the patch store out to a server's nodes, in batches: what `tars server patch|rollback` run
// as listr steps and the web console runs as a job whose events stream to the page. Each node downloads and stages
// the package (NodeCtl.stagePackage from the patch server), then, taken out of discovery first when other instances
// serve meanwhile (AdminReg.updateServerFlowState), switches to it and restarts (NodeCtl.activateServer: back to the
// previous version by itself when the new one does not come up), and is put back into discovery. A failure stops the
// rollout and says where; the nodes already done stay on the new version.
import type {Communicator} from '@tars-ts/core';
import type {PatchCtl, RegistryCtl} from '@tars-ts/core/framework';

import {UserError} from './errors.js';
import type {Step} from './steps.js';

/** The registry's control servant. */
export const REGISTRY_CTL_OBJ = 'tars.tarsregistry.RegistryCtlObj';
/** The registry's administration servant. */
export const ADMIN_REG_OBJ = 'tars.tarsAdminRegistry.AdminRegObj';

/** How a rollout reaches the cluster. */
export interface RolloutLinks {
  /** A communicator whose locator is the registry (with the admin token's keys when there is one). */
  readonly communicator: Communicator;
  /** The registry's QueryObj with its endpoints (asked while waiting for an instance to be handed out again). */
  readonly locator: string;
  /** Each registry lookup's timeout, ms. */
  readonly timeoutMs: number;
}

/** How a rollout goes. */
export interface RolloutOptions {
  /** Nodes to patch (absent or empty: every node the server is deployed on). */
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

/** `tars server patch|rollback --json`, and a console rollout's outcome. */
export interface RolloutJson {
  server: string;
  version: string;
  batches: string[][];
  nodes: {node: string; result: string}[];
}

/** A step of one node in a rollout. */
export type RolloutStepName = 'download' | 'out-of-discovery' | 'switch' | 'in-discovery' | 'healthy';

/** What happens to a node, as it happens. */
export interface RolloutEvent {
  node: string;
  /** 1-based. */
  batch: number;
  batches: number;
  step: RolloutStepName;
  /** `running` when the step starts, then `ok` or `failed`. */
  result: 'running' | 'ok' | 'failed';
  /** What the node said, or why it failed. */
  message: string;
}

/** A rollout worked out: the server's instances in batches and the registry's nodes. */
export interface RolloutPlan {
  readonly application: string;
  readonly serverName: string;
  readonly release: PatchCtl.PatchVersion;
  readonly batches: readonly (readonly RegistryCtl.ServerDeployment[])[];
  readonly nodes: ReadonlyMap<string, RegistryCtl.RegistryNode>;
  /** How many instances the server has on every node (a batch smaller than that goes out of discovery first). */
  readonly all: number;
}

/**
 * The batches of a rollout of `release` to `application`.`serverName` (on `opts.nodes`, else everywhere it is
 * deployed). UserError NO_SERVER when it is deployed nowhere or not on a node named.
 */
export async function planRollout(links: RolloutLinks, application: string, serverName: string,
  release: PatchCtl.PatchVersion, opts: RolloutOptions): Promise<RolloutPlan> {
  const {RegistryCtl: R} = await import('@tars-ts/core/framework');
  const ctl = links.communicator.stringToProxy(R.RegistryCtlProxy, REGISTRY_CTL_OBJ, {timeout: links.timeoutMs});
  const [{servers}, {nodes}] = await Promise.all([ctl.listServers(''), ctl.listNodes()]);
  const name = `${application}.${serverName}`;
  const mine = servers.filter((s) => s.application === application && s.serverName === serverName);
  if (mine.length === 0) {
    throw new UserError(`${name} is not deployed`, {code: 'NO_SERVER',
      hint: 'tars server list shows what is deployed where'});
  }
  let instances = mine;
  if (opts.nodes && opts.nodes.length > 0) {
    const missing = opts.nodes.filter((n) => !mine.some((i) => i.nodeName === n));
    if (missing.length > 0) {
      throw new UserError(`${name} is not deployed on ${missing.join(', ')}`, {code: 'NO_SERVER',
        hint: `it runs on: ${mine.map((i) => i.nodeName).join(', ')}`});
    }
    instances = mine.filter((i) => opts.nodes!.includes(i.nodeName));
  }
  const size = opts.batch > 0 ? opts.batch : instances.length;
  const batches: RegistryCtl.ServerDeployment[][] = [];
  for (let i = 0; i < instances.length; i += size) batches.push(instances.slice(i, i + size));
  return {application, serverName, release, batches, nodes: new Map(nodes.map((n) => [n.name, n])), all: mine.length};
}

/**
 * The rollout of `plan` as steps (two per batch: download, then switch and restart), for runSteps or to run in
 * order; `json` fills as nodes finish, `onEvent` hears every node's step as it starts and ends. A step that fails
 * throws a UserError naming the node and what is done (NO_NODE, DEPLOY_FAILED); the caller stops there.
 */
export function rolloutSteps(links: RolloutLinks, plan: RolloutPlan, opts: RolloutOptions, json: RolloutJson,
  onEvent: (event: RolloutEvent) => void = () => undefined): Step<object>[] {
  const {application, serverName, release, batches, nodes, all} = plan;
  const done: string[] = [];
  const where = (node: string, k: number) => `node ${node} (batch ${k + 1} of ${batches.length}; ` +
    `done: ${done.join(', ') || 'none'})`;
  const emit = (node: string, k: number, step: RolloutStepName, result: RolloutEvent['result'], message = ''): void =>
    onEvent({node, batch: k + 1, batches: batches.length, step, result, message});
  /** Runs `work` for `node`'s `step`, announcing its start and its end (a failure's message too). */
  const track = async <T>(node: string, k: number, step: RolloutStepName, work: () => Promise<T>,
    said: (value: T) => string = () => ''): Promise<T> => {
    emit(node, k, step, 'running');
    try {
      const value = await work();
      emit(node, k, step, 'ok', said(value));
      return value;
    } catch (error) {
      emit(node, k, step, 'failed', (error as Error).message);
      throw error;
    }
  };
  const nodeCtl = async (node: RegistryCtl.RegistryNode, timeout: number) => {
    const {NodeCtl: N} = await import('@tars-ts/core/framework');
    return links.communicator.stringToProxy(N.NodeCtlProxy, node.nodeObj, {timeout});
  };
  const adminReg = async () => {
    const {AdminReg} = await import('@tars-ts/core/framework');
    return links.communicator.stringToProxy(AdminReg.AdminRegProxy, ADMIN_REG_OBJ, {timeout: 15_000});
  };
  return batches.flatMap((batch, k) => [
    {title: `Batch ${k + 1}/${batches.length}: download version ${release.version} to ${batch.map((i) => i.nodeName)
      .join(', ')}`, run: async (_: unknown, step: {title: string}) => {
      await Promise.all(batch.map((inst) => track(inst.nodeName, k, 'download', async () => {
        const node = nodes.get(inst.nodeName);
        if (!node?.alive) {
          throw new UserError(`rollout stopped at ${where(inst.nodeName, k)}: the node is not alive`, {code: 'NO_NODE'});
        }
        const ctl = await nodeCtl(node, 600_000);
        const {ret, pkg, result} = await ctl.stagePackage({application, serverName, packagePath: '', command: '',
          patchObj: '', patchFile: release.file, md5: release.md5, version: release.version});
        if (ret !== 0) {
          throw new UserError(`rollout stopped at ${where(inst.nodeName, k)}: ${result.split('\nhint: ')[0]}`,
            {code: 'DEPLOY_FAILED'});
        }
        step.title = `Batch ${k + 1}/${batches.length}: ${inst.nodeName} has version ${release.version} (${pkg.files} files)`;
        return pkg.files;
      }, (files) => `version ${release.version} staged (${files} files)`)));
    }},
    {title: `Batch ${k + 1}/${batches.length}: switch and restart ${batch.map((i) => i.nodeName).join(', ')}`,
      run: async (_: unknown, step: {title: string}) => {
      const nodeNames = batch.map((i) => i.nodeName);
      // Out of discovery while it restarts, when other instances serve meanwhile: calls by name keep working.
      const lossless = all > batch.length;
      const admin = await adminReg();
      if (lossless) {
        await Promise.all(nodeNames.map((n) => track(n, k, 'out-of-discovery', async () => {
          if (n === nodeNames[0]) await admin.updateServerFlowState(application, serverName, nodeNames, false);
        }, () => 'out of discovery while it restarts')));
        if (opts.drainMs) await new Promise((resolve) => setTimeout(resolve, opts.drainMs));
      }
      try {
        await Promise.all(batch.map((inst) => track(inst.nodeName, k, 'switch', async () => {
          const ctl = await nodeCtl(nodes.get(inst.nodeName)!, opts.waitMs + 70_000);
          const {ret, result} = await ctl.activateServer(application, serverName, opts.waitMs);
          if (ret !== 0) {
            throw new UserError(`rollout stopped at ${where(inst.nodeName, k)}: ${result}`, {code: 'DEPLOY_FAILED',
              hint: 'that node went back to the version it ran; fix the package and run the rollout again'});
          }
          json.nodes.push({node: inst.nodeName, result});
          done.push(inst.nodeName);
          return result;
        }, (result) => result || `runs version ${release.version}`)));
      } finally {
        if (lossless) {
          await admin.updateServerFlowState(application, serverName, nodeNames, true);
          for (const n of nodeNames) emit(n, k, 'in-discovery', 'ok', 'back in discovery');
        }
      }
      if (opts.waitHealthy) {
        await Promise.all(batch.map((inst) => track(inst.nodeName, k, 'healthy',
          () => waitInDiscovery(links, inst), () => 'handed out by the registry again')));
      }
      step.title = `Batch ${k + 1}/${batches.length}: ${nodeNames.join(', ')} run version ${release.version}`;
    }},
  ]);
}

/** Until the registry hands out every adapter of `inst` as active again (at most 30 s; DEPLOY_FAILED then). */
async function waitInDiscovery(links: RolloutLinks, inst: RegistryCtl.ServerDeployment): Promise<void> {
  const {QueryF} = await import('@tars-ts/core/framework');
  const query = links.communicator.stringToProxy(QueryF.QueryFProxy, links.locator, {timeout: links.timeoutMs});
  const deadline = Date.now() + 30_000;
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

/** A rollout's JSON before any node is done. */
export function rolloutJson(plan: RolloutPlan): RolloutJson {
  return {server: `${plan.application}.${plan.serverName}`, version: plan.release.version,
    batches: plan.batches.map((b) => b.map((i) => i.nodeName)), nodes: []};
}
