// Deploying from the console, asked of the base services over TARS as the CLI does it (and with the kit's code that
// `tars patch upload` and `tars server patch|rollback` run): the patch store's versions (PatchCtlObj), an upload
// streamed in chunks to PatchObj, a rollout as a job whose events the page follows, notify commands and undeploy
// through AdminReg and RegistryCtl.
import {randomBytes} from 'node:crypto';
import type http from 'node:http';

import type {Patch, PatchCtl, RegistryCtl} from '@tars-ts/core/framework';
import {
  ADMIN_REG_OBJ, PATCH_CTL_OBJ, PATCH_OBJ, PackageRefused, REGISTRY_CTL_OBJ, type RolloutEvent, type RolloutJson,
  type RolloutLinks, UserError, type VersionJson, planRollout, rollbackVersion, rolloutJson, rolloutSteps, storeUpload,
  versionJson,
} from '@tars-ts/kit';

import {ApiError, noAnswer} from './api-error.js';
import {checkServerId} from './cluster-api.js';
import type {ConsoleContext} from './feature.js';

/** The largest package the console takes, bytes (413 beyond it). */
export const MAX_PACKAGE_BYTES = 256 * 1024 * 1024;
/** Rollout jobs kept (running and finished) for the page to follow; the oldest finished go first. */
const MAX_JOBS = 50;
/** Events one job keeps (a rollout of a few hundred nodes fits). */
const MAX_JOB_EVENTS = 5000;
/** A notify command's longest text. */
const MAX_COMMAND = 1024;
/** What AdminReg waits for a node's undeploy (a graceful stop may take a minute). */
const ACTION_TIMEOUT_MS = 75_000;

/** GET /api/deploy/:app/:server: the patch store's versions and which node runs which. */
export interface DeployJson {
  server: string;
  /** Newest first; `nodes`: the nodes that run it now. */
  versions: (VersionJson & {nodes: string[]})[];
  instances: {node: string; release: string; state: string}[];
  /** The rollout running for this server, if any. */
  running: JobJson | null;
}

/** A rollout job as the API shows it. */
export interface JobJson {
  id: string;
  server: string;
  kind: 'patch' | 'rollback';
  version: string;
  batch: number;
  batches: string[][];
  state: 'running' | 'done' | 'failed';
  /** ms since the epoch. */
  startedAt: number;
  events: RolloutEvent[];
  /** When done. */
  outcome?: RolloutJson;
  /** When failed: why, and where it stopped. */
  error?: {code: string; message: string; hint: string};
}

/** One job: its JSON and the streams that follow it. */
export interface Job {
  readonly json: JobJson;
  /** Called with each event, and with `undefined` when the job ends. */
  readonly followers: Set<(event: RolloutEvent | undefined) => void>;
}

/** A rollout asked for. */
export interface RolloutRequest {
  /** A version of the store; undefined: the one before the newest the nodes run (rollback). */
  readonly version?: string;
  readonly batch: number;
  readonly nodes?: readonly string[];
  readonly waitHealthy: boolean;
}

const STATUS_OF: Record<string, [number, string]> = {
  NO_SERVER: [404, 'NO_SERVER'], NO_NODE: [502, 'NO_NODE'], DEPLOY_FAILED: [409, 'ACTION_FAILED'],
  USAGE: [409, 'NO_VERSION'], FAILURE: [409, 'ACTION_FAILED'],
};

/** A kit UserError (or a call that got no answer) as the API's error. */
function apiError(error: unknown, what: string): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof UserError) {
    const [status, code] = STATUS_OF[error.code] ?? [409, 'ACTION_FAILED'];
    return new ApiError(status, code, error.message, error.hint ?? 'tars server status shows the server');
  }
  return noAnswer(error, what);
}

/** The console's deploy actions on one cluster. Rejects with {@link ApiError}s. */
export class DeployApi {
  private readonly jobs = new Map<string, Job>();

  constructor(private readonly context: ConsoleContext) {}

  private get links(): RolloutLinks {
    return {communicator: this.context.communicator, locator: this.context.locator, timeoutMs: this.context.timeoutMs};
  }

  private async patchCtl(): Promise<PatchCtl.PatchCtlProxy> {
    const {PatchCtl: C} = await import('@tars-ts/core/framework');
    return this.context.communicator.stringToProxy(C.PatchCtlProxy, PATCH_CTL_OBJ, {timeout: this.context.timeoutMs});
  }

  private async patchObj(): Promise<Patch.PatchProxy> {
    const {Patch: P} = await import('@tars-ts/core/framework');
    // A chunk's write and the commit's archive check take longer than a lookup.
    return this.context.communicator.stringToProxy(P.PatchProxy, PATCH_OBJ, {timeout: 60_000});
  }

  private async ask<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw apiError(error, what);
    }
  }

  /** The patch store's versions of the server (PatchCtl.listVersions), newest first. */
  private async versionRows(application: string, serverName: string): Promise<PatchCtl.PatchVersion[]> {
    const ctl = await this.patchCtl();
    const {ret, versions} = await this.ask('the patch server (PatchCtlObj)',
      () => ctl.listVersions(application, serverName));
    if (ret !== 0) {
      throw new ApiError(502, 'NO_ANSWER', `the patch server answered ${ret} to listVersions`, 'tars patch status says');
    }
    return [...versions].sort((a, b) => Number(b.version) - Number(a.version));
  }

  /** The server's versions with the nodes that run each (404 NO_SERVER when it is deployed nowhere). */
  async list(application: string, serverName: string): Promise<DeployJson> {
    const detail = await this.context.cluster.server(application, serverName);
    const versions = await this.versionRows(application, serverName);
    return {server: detail.server, versions: versions.map((v) => ({...versionJson(v),
      nodes: detail.instances.filter((i) => i.release === v.version).map((i) => i.node)})),
    instances: detail.instances.map((i) => ({node: i.node, release: i.release, state: i.state || i.present})),
    running: this.runningJob(detail.server)?.json ?? null};
  }

  /**
   * Streams the request's body (a .tgz) to the patch server as the next version of the server, one chunk at a time,
   * checking it is at most {@link MAX_PACKAGE_BYTES} (413) and has `md5`; 400 BAD_PACKAGE with the patch server's
   * words when it refuses the archive; 404 NO_SERVER when the server is deployed nowhere, unless `info.newServer`.
   * `onSent` hears the bytes stored so far.
   */
  async upload(application: string, serverName: string, req: http.IncomingMessage,
    info: {md5: string; comment: string; uploader: string; newServer?: boolean},
    onSent?: (bytes: number) => void): Promise<VersionJson> {
    // A package for a server not deployed yet (the "Deploy a server" form, ?new=1) needs only valid names.
    checkServerId(application, serverName);
    const detail = info.newServer ? {server: `${application}.${serverName}`}
      : await this.context.cluster.server(application, serverName);
    const [patch, ctl] = await Promise.all([this.patchObj(), this.patchCtl()]);
    const name = `${application}.${serverName}_${Date.now()}_${randomBytes(4).toString('hex')}.tgz`;
    let received = 0;
    async function* body(): AsyncGenerator<Uint8Array> {
      for await (const piece of req as AsyncIterable<Buffer>) {
        received += piece.length;
        if (received > MAX_PACKAGE_BYTES) throw tooBig();
        yield piece;
      }
    }
    try {
      return await storeUpload(patch, ctl, {app: application, server: serverName, name, md5: info.md5}, body(),
        {comment: info.comment, uploader: info.uploader}, onSent);
    } catch (error) {
      if (error instanceof PackageRefused) {
        throw new ApiError(400, 'BAD_PACKAGE', `the patch server refused the package for ${detail.server}: ${
          error.result}`, 'upload a .tgz of the server (tar czf NAME.tgz -C DIR .); nothing was stored');
      }
      if (error instanceof UserError && error.message.includes('answered -3')) {
        throw new ApiError(400, 'BAD_PACKAGE', `the package's md5 is not ${info.md5}: ${error.message}`,
          'send the md5 of the file in ?md5= (the page computes it); nothing was stored');
      }
      throw apiError(error, 'the patch server (PatchObj)');
    }
  }

  /** Removes a version from the store; 409 VERSION_RUNNING when a node runs it, 404 NO_VERSION when there is none. */
  async remove(application: string, serverName: string, version: string): Promise<{server: string; version: string;
    removed: true}> {
    const detail = await this.context.cluster.server(application, serverName);
    const runs = detail.instances.filter((i) => i.release === version).map((i) => i.node);
    if (runs.length > 0) {
      throw new ApiError(409, 'VERSION_RUNNING', `version ${version} of ${detail.server} runs on ${runs.join(', ')}`,
        'patch those nodes to another version first; a version a node runs stays in the store for its rollback');
    }
    const versions = await this.versionRows(application, serverName);
    if (!versions.some((v) => v.version === version)) {
      throw new ApiError(404, 'NO_VERSION', `${detail.server} has no version ${version} in the patch store`,
        `its versions: ${versions.map((v) => v.version).join(', ') || 'none (upload one)'}`);
    }
    const ctl = await this.patchCtl();
    const {ret, result} = await this.ask('the patch server (PatchCtlObj)',
      () => ctl.removeVersion(application, serverName, version));
    if (ret !== 0) {
      throw new ApiError(409, 'ACTION_FAILED', result || `removeVersion answered ${ret}`, 'GET the versions again');
    }
    return {server: detail.server, version, removed: true};
  }

  /** The running rollout of `server` (App.Server), if any. */
  private runningJob(server: string): Job | undefined {
    return [...this.jobs.values()].find((j) => j.json.server === server && j.json.state === 'running');
  }

  /** A job by id (404 NO_JOB). */
  job(id: string): Job {
    const job = this.jobs.get(id);
    if (!job) {
      throw new ApiError(404, 'NO_JOB', `no rollout ${id}`, 'the console keeps the last 50 rollouts until it restarts');
    }
    return job;
  }

  /**
   * Starts a rollout job of a version (a rollback: the one before the newest the nodes run) and resolves once it is
   * planned: 404 NO_SERVER or NO_VERSION, 409 ROLLOUT_RUNNING naming the rollout of that server that runs. The job
   * goes on in the background; its events go to {@link Job.followers}.
   */
  async rollout(application: string, serverName: string, request: RolloutRequest): Promise<JobJson> {
    const server = `${application}.${serverName}`;
    const busy = () => {
      const running = this.runningJob(server);
      if (running) {
        throw new ApiError(409, 'ROLLOUT_RUNNING', `rollout ${running.json.id} of ${server} to version ${
          running.json.version} is running`, `wait for it (GET /api/rollouts/${running.json.id}) and try again`);
      }
    };
    busy();
    const detail = await this.context.cluster.server(application, serverName);
    const versions = await this.versionRows(application, serverName);
    let release: PatchCtl.PatchVersion;
    if (request.version === undefined) {
      try {
        release = rollbackVersion(server, detail.instances.map((i) => i.release), versions);
      } catch (error) {
        throw new ApiError(409, 'NO_VERSION', (error as Error).message,
          'a rollback needs the nodes on a store version with an older one in the store');
      }
    } else {
      const found = versions.find((v) => v.version === request.version);
      if (!found) {
        throw new ApiError(404, 'NO_VERSION', `${server} has no version ${request.version} in the patch store`,
          `its versions: ${versions.map((v) => v.version).join(', ') || 'none (upload one)'}`);
      }
      release = found;
    }
    const opts = {batch: request.batch, waitMs: 30_000, waitHealthy: request.waitHealthy,
      ...(request.nodes && request.nodes.length > 0 ? {nodes: request.nodes} : {})};
    let plan;
    try {
      plan = await planRollout(this.links, application, serverName, release, opts);
    } catch (error) {
      throw apiError(error, 'the registry (RegistryCtlObj)');
    }
    busy(); // another request may have started one while this one asked
    const outcome = rolloutJson(plan);
    const job: Job = {json: {id: randomBytes(6).toString('hex'), server, kind: request.version === undefined ? 'rollback'
      : 'patch', version: release.version, batch: request.batch, batches: outcome.batches, state: 'running',
    startedAt: Date.now(), events: []}, followers: new Set()};
    this.keep(job);
    const emit = (event: RolloutEvent): void => {
      if (job.json.events.length < MAX_JOB_EVENTS) job.json.events.push(event);
      if (event.step === 'switch' && event.result !== 'running') this.context.poke();
      for (const f of job.followers) f(event);
    };
    void (async () => {
      try {
        for (const step of rolloutSteps(this.links, plan, opts, outcome, emit)) await step.run({}, {title: step.title});
        job.json.outcome = outcome;
        job.json.state = 'done';
      } catch (error) {
        job.json.error = apiError(error, 'a node').toJSON().error;
        job.json.state = 'failed';
      }
      this.context.poke();
      for (const f of job.followers) f(undefined);
      job.followers.clear();
    })();
    return job.json;
  }

  /** Adds `job`, dropping the oldest finished ones beyond {@link MAX_JOBS}. */
  private keep(job: Job): void {
    this.jobs.set(job.json.id, job);
    for (const [id, j] of this.jobs) {
      if (this.jobs.size <= MAX_JOBS) break;
      if (j.json.state !== 'running') this.jobs.delete(id);
    }
  }

  /** Sends `command` to the server on every node (or `node`) through AdminReg.notifyServer; each node's answer. */
  async notify(application: string, serverName: string, command: string, node?: string): Promise<{server: string;
    command: string; nodes: {node: string; ok: boolean; answer: string}[]}> {
    if (command.trim() === '' || command.length > MAX_COMMAND || /[\r\n]/.test(command)) {
      throw new ApiError(400, 'BAD_REQUEST', `"command" must be one line of 1 to ${MAX_COMMAND} characters`,
        'e.g. {"command": "tars.viewstatus"} or {"command": "tars.setloglevel DEBUG"}');
    }
    const targets = await this.targets(application, serverName, node);
    const {AdminReg} = await import('@tars-ts/core/framework');
    const admin = this.context.communicator.stringToProxy(AdminReg.AdminRegProxy, ADMIN_REG_OBJ, {timeout: 15_000});
    const nodes = await Promise.all(targets.instances.map(async (n) => {
      const {ret, result} = await this.ask('the registry (AdminRegObj)',
        () => admin.notifyServer(application, serverName, n, command.trim()));
      return {node: n, ok: ret === 0, answer: result || (ret === 0 ? '' : `AdminReg answered ${ret}`)};
    }));
    return {server: targets.server, command: command.trim(), nodes};
  }

  /**
   * Undeploys the server from every node (or `node`): AdminReg.destroyServer (stops it and removes its files), then
   * RegistryCtl.dropServer, as `tars server undeploy`; 409 ACTION_FAILED (502 NO_NODE) with what the node said.
   */
  async undeploy(application: string, serverName: string, node?: string): Promise<{server: string;
    nodes: {node: string; result: string}[]}> {
    const targets = await this.targets(application, serverName, node);
    const running = this.runningJob(targets.server);
    if (running) {
      throw new ApiError(409, 'ROLLOUT_RUNNING', `rollout ${running.json.id} of ${targets.server} is running`,
        'wait for it to end, then undeploy');
    }
    const {AdminReg, RegistryCtl: R} = await import('@tars-ts/core/framework');
    const admin = this.context.communicator.stringToProxy(AdminReg.AdminRegProxy, ADMIN_REG_OBJ,
      {timeout: ACTION_TIMEOUT_MS});
    const ctl: RegistryCtl.RegistryCtlProxy = this.context.communicator.stringToProxy(R.RegistryCtlProxy,
      REGISTRY_CTL_OBJ, {timeout: this.context.timeoutMs});
    const nodes: {node: string; result: string}[] = [];
    try {
      for (const n of targets.instances) {
        const {ret, result} = await this.ask('the registry (AdminRegObj)',
          () => admin.destroyServer(application, serverName, n));
        if (ret !== 0) {
          throw new ApiError(ret === 1001 ? 502 : 409, ret === 1001 ? 'NO_NODE' : 'ACTION_FAILED',
            `undeploy ${targets.server} on ${n}: ${result || `AdminReg answered ${ret}`}`, ret === 1001
              ? 'the node is not registered or silent: tars node list shows the nodes' : 'the node log says why');
        }
        await this.ask('the registry (RegistryCtlObj)', () => ctl.dropServer(application, serverName, n));
        nodes.push({node: n, result: result || 'undeployed'});
      }
    } finally {
      this.context.poke();
    }
    return {server: targets.server, nodes};
  }

  /** The nodes to act on: `node` (404 when the server is not there) or every node the server is deployed on. */
  private async targets(application: string, serverName: string, node?: string): Promise<{server: string;
    instances: string[]}> {
    checkServerId(application, serverName);
    const detail = await this.context.cluster.server(application, serverName);
    const all = detail.instances.map((i) => i.node);
    if (node !== undefined && !all.includes(node)) {
      throw new ApiError(404, 'NO_SERVER', `${detail.server} is not deployed on node "${node}"`,
        `it is deployed on: ${all.join(', ')}`);
    }
    return {server: detail.server, instances: node === undefined ? all : [node]};
  }
}

/** 413 naming the limit. */
export function tooBig(): ApiError {
  return new ApiError(413, 'TOO_LARGE', `the package is over ${MAX_PACKAGE_BYTES / 1024 / 1024} MiB, the console's limit`,
    'upload a smaller package, or upload it with tars patch upload (the patch server takes up to 2 GiB)');
}
