// Deploying a server that does not exist yet from the console, with the kit's deploy (src/kit/src/deploy.ts) that
// `tars server deploy --version` runs: the package comes from the patch store (uploaded first with
// POST /api/deploy/:app/:server/upload?new=1), the node stages it, the registry records the server and its adapters,
// and the node starts it and waits for its first heart-beat.
import {parseEndpoint} from '@tars-ts/core';
import type {PatchCtl, RegistryCtl} from '@tars-ts/core/framework';
import {
  type DeployEvent, type DeployResultJson, PATCH_CTL_OBJ, REGISTRY_CTL_OBJ, UserError, deployServer,
} from '@tars-ts/kit';

import {ApiError, askService} from './api-error.js';
import {checkServerId} from './cluster-api.js';
import type {ConsoleContext} from './feature.js';

/** The longest wait for the first heart-beat a request may ask for, ms. */
export const MAX_WAIT_MS = 120_000;
/** Adapters a request may declare. */
const MAX_ADAPTERS = 32;
/** Env items a request may declare. */
const MAX_ENV = 64;
/** A field's longest text (command lines, SET and group names, env items). */
const MAX_TEXT = 1024;

/** POST /api/deploy, checked. */
export interface NewServerRequest {
  readonly application: string;
  readonly serverName: string;
  readonly node?: string;
  readonly version: string;
  readonly adapters: readonly {obj: string; endpoint: string}[];
  readonly set?: string;
  readonly group?: string;
  readonly cmd?: string;
  readonly env: readonly string[];
  readonly waitMs: number;
}

const OBJ = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

function bad(field: string, message: string, example: string): ApiError {
  return new ApiError(400, 'BAD_REQUEST', `"${field}" ${message}`, `e.g. ${example}`);
}

function text(body: Record<string, unknown>, field: string, example: string, pattern?: RegExp): string | undefined {
  const value = body[field];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || value.length > MAX_TEXT || /[\r\n]/.test(value) ||
    (pattern && !pattern.test(value))) {
    throw bad(field, pattern ? `must match ${pattern.source}` : `must be one line of text up to ${MAX_TEXT} characters`,
      example);
  }
  return value;
}

/**
 * A POST /api/deploy body checked field by field: 400 BAD_NAME for a bad application or server name (as
 * checkServerId), 400 BAD_REQUEST naming the field otherwise (adapters' endpoints parsed as the runtime does).
 */
export function newServerRequest(body: Record<string, unknown>): NewServerRequest {
  for (const field of ['application', 'server'] as const) {
    if (typeof body[field] !== 'string' || body[field] === '') {
      throw new ApiError(400, 'BAD_NAME', `"${field}" is missing`, 'e.g. {"application": "TestApp", "server": "Hello", ...}');
    }
  }
  const application = body.application as string;
  const serverName = body.server as string;
  checkServerId(application, serverName);
  const version = body.version;
  if (typeof version !== 'string' || !/^[1-9]\d{0,9}$/.test(version)) {
    throw bad('version', 'must be a version of the patch store, as text (upload the package first)', '{"version": "1"}');
  }
  const node = text(body, 'node', '{"node": "node-a"} (or leave it out for the only live node)');
  const rawAdapters = body.adapters ?? [];
  if (!Array.isArray(rawAdapters) || rawAdapters.length > MAX_ADAPTERS) {
    throw bad('adapters', `must be a list of up to ${MAX_ADAPTERS} {obj, endpoint}`,
      '{"adapters": [{"obj": "SayHelloObj", "endpoint": "tcp -h 127.0.0.1 -p 10015"}]}');
  }
  const adapters = rawAdapters.map((a: unknown, i) => {
    const item = (a ?? {}) as {obj?: unknown; endpoint?: unknown};
    if (typeof item.obj !== 'string' || !OBJ.test(item.obj)) {
      throw bad(`adapters[${i}].obj`, 'must be an object name (letters, digits, _ and -)', '"SayHelloObj"');
    }
    if (typeof item.endpoint !== 'string' || item.endpoint.trim() === '' || item.endpoint.length > MAX_TEXT) {
      throw bad(`adapters[${i}].endpoint`, 'must be an endpoint', '"tcp -h 127.0.0.1 -p 10015 -t 60000"');
    }
    try {
      parseEndpoint(item.endpoint.trim());
    } catch (error) {
      throw bad(`adapters[${i}].endpoint`, `is not an endpoint: ${(error as Error).message}`,
        '"tcp -h 127.0.0.1 -p 10015 -t 60000"');
    }
    return {obj: item.obj, endpoint: item.endpoint.trim()};
  });
  if (new Set(adapters.map((a) => a.obj)).size !== adapters.length) {
    throw bad('adapters', 'names an object twice', 'one row per object');
  }
  const set = text(body, 'set', '{"set": "sz.a.1"}', /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_*-]+$/);
  const group = text(body, 'group', '{"group": "auto"} (a name, auto or off)', /^[A-Za-z0-9_.-]+$/);
  const cmd = text(body, 'cmd', '{"cmd": "./GoHello"} (leave it out for a tars new service)');
  const rawEnv = body.env ?? [];
  if (!Array.isArray(rawEnv) || rawEnv.length > MAX_ENV || !rawEnv.every((kv) => typeof kv === 'string' &&
    kv.length <= MAX_TEXT && kv.indexOf('=') > 0 && !/[;|\r\n]/.test(kv))) {
    throw bad('env', `must be a list of up to ${MAX_ENV} K=V items (no ; or |)`, '{"env": ["GOMAXPROCS=2"]}');
  }
  const wait = body.wait ?? 30_000;
  if (typeof wait !== 'number' || !Number.isInteger(wait) || wait < 1000 || wait > MAX_WAIT_MS) {
    throw bad('wait', `must be ms from 1000 to ${MAX_WAIT_MS}`, '{"wait": 30000}');
  }
  return {application, serverName, version, adapters, env: rawEnv as string[], waitMs: wait,
    ...(node === undefined ? {} : {node}), ...(set === undefined ? {} : {set}), ...(group === undefined ? {} : {group}),
    ...(cmd === undefined ? {} : {cmd})};
}

const STATUS_OF: Record<string, [number, string]> = {
  NO_NODE: [409, 'NO_NODE'], USAGE: [409, 'DEPLOY_REFUSED'], BAD_ENDPOINT: [400, 'BAD_REQUEST'],
  BAD_ARGUMENT: [409, 'DEPLOY_REFUSED'], DEPLOY_FAILED: [409, 'DEPLOY_FAILED'],
};

/** A deploy's failure as the API's error: a kit UserError keeps its words; a call that got no answer is 502. */
export function deployFailure(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof UserError) {
    const [status, code] = STATUS_OF[error.code] ?? [409, 'DEPLOY_FAILED'];
    return new ApiError(status, code, error.message, error.hint ?? 'the node log says why');
  }
  return new ApiError(502, 'NO_ANSWER', `a base service did not answer: ${(error as Error).message.split('\n')[0]}`,
    'is the cluster up? tars cluster status says');
}

/** The console's deploy of new servers on one cluster. Rejects with {@link ApiError}s. */
export class NewServerApi {
  constructor(private readonly context: ConsoleContext) {}

  /** The registry's nodes (for the page's node picker). */
  async nodes(): Promise<{nodes: {name: string; alive: boolean}[]}> {
    const {RegistryCtl: R} = await import('@tars-ts/core/framework');
    const ctl: RegistryCtl.RegistryCtlProxy = this.context.communicator.stringToProxy(R.RegistryCtlProxy,
      REGISTRY_CTL_OBJ, {timeout: this.context.timeoutMs});
    const {nodes} = await askService('the registry (RegistryCtlObj)', () => ctl.listNodes());
    return {nodes: nodes.map((n) => ({name: n.name, alive: n.alive}))};
  }

  /**
   * Checks what can be checked before anything changes: the version is in the patch store (404 NO_VERSION), the
   * server is not deployed on the node already (409 ALREADY_DEPLOYED naming the Deploy tab's patch). Resolves with
   * the version to deploy.
   */
  async check(request: NewServerRequest): Promise<PatchCtl.PatchVersion> {
    const server = `${request.application}.${request.serverName}`;
    const {PatchCtl: C, RegistryCtl: R} = await import('@tars-ts/core/framework');
    const ctl: RegistryCtl.RegistryCtlProxy = this.context.communicator.stringToProxy(R.RegistryCtlProxy,
      REGISTRY_CTL_OBJ, {timeout: this.context.timeoutMs});
    const {servers} = await askService('the registry (RegistryCtlObj)', () => ctl.listServers(request.node ?? ''));
    const there = servers.filter((s) => s.application === request.application && s.serverName === request.serverName);
    if (there.length > 0) {
      throw new ApiError(409, 'ALREADY_DEPLOYED', `${server} is already deployed on ${there.map((s) => s.nodeName)
        .join(', ')}`, `update it with patch: its Deploy tab, POST /api/deploy/${request.application}/${
        request.serverName}/patch, or tars server patch ${server} --version ${request.version}`);
    }
    const patch: PatchCtl.PatchCtlProxy = this.context.communicator.stringToProxy(C.PatchCtlProxy, PATCH_CTL_OBJ,
      {timeout: this.context.timeoutMs});
    const {ret, v} = await askService('the patch server (PatchCtlObj)',
      () => patch.getVersion(request.application, request.serverName, request.version));
    if (ret !== 0) {
      throw new ApiError(404, 'NO_VERSION', `${server} has no version ${request.version} in the patch store`,
        `upload the package first: POST /api/deploy/${request.application}/${request.serverName}/upload?new=1`);
    }
    return v;
  }

  /** Deploys `request` (checked with {@link check}); each step's events go to `onEvent`. */
  async deploy(request: NewServerRequest, release: PatchCtl.PatchVersion, onEvent?: (event: DeployEvent) => void):
    Promise<DeployResultJson> {
    try {
      return await deployServer({communicator: this.context.communicator, timeoutMs: this.context.timeoutMs},
        {application: request.application, serverName: request.serverName, node: request.node, release,
          adapters: request.adapters.map((a) => `${a.obj}=${a.endpoint}`), set: request.set, group: request.group,
          cmd: request.cmd, env: request.env, waitMs: request.waitMs}, onEvent);
    } catch (error) {
      throw deployFailure(error);
    } finally {
      this.context.poke();
    }
  }
}
