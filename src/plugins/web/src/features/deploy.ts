// The Deploy tab's routes: the patch store's versions of a server, uploading a package (streamed to the patch server
// in chunks), removing a version, a rollout (patch or rollback) as a job the page follows by server-sent events,
// notify commands and undeploy. See docs/web.md.
import type {RolloutEvent} from '@tars-ts/kit';

import {ApiError} from '../api-error.js';
import {checkServerId} from '../cluster-api.js';
import {DeployApi, type Job, MAX_PACKAGE_BYTES, tooBig} from '../deploy-api.js';
import type {Feature} from '../feature.js';
import {eventFrame, openEventStream, optionalText} from '../http.js';

const SERVER = '([^/]+)\\/([^/]+)';
const route = (tail: string): RegExp => new RegExp(`^\\/api\\/deploy\\/${SERVER}${tail}$`);
/** Content types an upload may have (a cross-site form can send none of them). */
const PACKAGE_TYPES = ['application/gzip', 'application/x-gzip', 'application/octet-stream'];
/** A comment's longest text. */
const MAX_COMMENT = 500;

/** `nodes` of a body: absent, or a list of node names (400 otherwise). */
function nodeList(body: Record<string, unknown>): string[] | undefined {
  const nodes = body.nodes;
  if (nodes === undefined) return undefined;
  if (!Array.isArray(nodes) || nodes.length > 1000 || !nodes.every((n) => typeof n === 'string' && n !== '')) {
    throw new ApiError(400, 'BAD_REQUEST', '"nodes" must be a list of node names', 'e.g. {"nodes": ["node-a"]}, or leave it out for every node');
  }
  return nodes as string[];
}

/** `batch` of a body: 0 (all at once) when absent, else a whole number 0..1000 (400 otherwise). */
function batchOf(body: Record<string, unknown>): number {
  const batch = body.batch ?? 0;
  if (typeof batch !== 'number' || !Number.isInteger(batch) || batch < 0 || batch > 1000) {
    throw new ApiError(400, 'BAD_REQUEST', '"batch" must be a whole number of nodes (0: all at once)', 'e.g. {"batch": 1}');
  }
  return batch;
}

function nodeOf(body: Record<string, unknown>): string | undefined {
  if (body.node !== undefined && (typeof body.node !== 'string' || body.node === '')) {
    throw new ApiError(400, 'BAD_REQUEST', '"node" must be a node\'s name', 'leave it out to act on every node');
  }
  return body.node as string | undefined;
}

function waitHealthyOf(body: Record<string, unknown>): boolean {
  if (body.waitHealthy !== undefined && typeof body.waitHealthy !== 'boolean') {
    throw new ApiError(400, 'BAD_REQUEST', '"waitHealthy" must be true or false', 'e.g. {"waitHealthy": true}');
  }
  return body.waitHealthy === true;
}

/** The Deploy tab's routes (GET/POST/DELETE under /api/deploy/:app/:server, and /api/rollouts/:id[/events]). */
export const deploy: Feature = (router, context) => {
  const api = new DeployApi(context);
  /** Streams that follow a job, ended when the console closes. */
  const streams = new Set<() => void>();
  context.onClose(() => {
    for (const end of streams) end();
  });

  router.get(/^\/api\/rollouts\/([^/]+)$/, async ({params}) => api.job(params[0]!).json);
  router.get(/^\/api\/rollouts\/([^/]+)\/events$/, async ({params, req, res}) => {
    const job: Job = api.job(params[0]!);
    openEventStream(res);
    for (const event of job.json.events) res.write(eventFrame('step', event));
    const end = (): void => {
      job.followers.delete(follow);
      streams.delete(end);
      if (!res.writableEnded) {
        res.write(eventFrame('end', {...job.json, events: undefined}));
        res.end();
      }
    };
    const follow = (event: RolloutEvent | undefined): void => {
      if (event) res.write(eventFrame('step', event));
      else end();
    };
    if (job.json.state !== 'running') {
      end();
      return undefined;
    }
    job.followers.add(follow);
    streams.add(end);
    req.on('close', () => {
      job.followers.delete(follow);
      streams.delete(end);
    });
    return undefined;
  });

  router.get(route(''), ({params}) => api.list(params[0]!, params[1]!));

  router.post(route('\\/upload'), async ({params, query, req, res, author}) => {
    const [application, serverName] = params as [string, string];
    checkServerId(application, serverName);
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!PACKAGE_TYPES.includes(type)) {
      throw new ApiError(400, 'BAD_REQUEST', `the body must be the package (.tgz), not "${type || 'no content type'}"`,
        `send the file's bytes with Content-Type: ${PACKAGE_TYPES[0]}`);
    }
    const md5 = (query.get('md5') ?? '').toLowerCase();
    if (!/^[0-9a-f]{32}$/.test(md5)) {
      throw new ApiError(400, 'BAD_REQUEST', '?md5= must be the package\'s md5 (32 hex digits)',
        'md5sum FILE gives it; the page computes it');
    }
    const comment = query.get('comment') ?? '';
    if (comment.length > MAX_COMMENT) {
      throw new ApiError(400, 'BAD_REQUEST', `the comment is over ${MAX_COMMENT} characters`, 'say it shorter');
    }
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > MAX_PACKAGE_BYTES) throw tooBig();
    const newServer = query.get('new') === '1';
    const info = {md5, comment, uploader: author, newServer};
    if (!(req.headers.accept ?? '').includes('text/event-stream')) {
      return api.upload(application, serverName, req, info);
    }
    // A client that asks for events hears each chunk the patch server stored, then the version (or the failure).
    if (!newServer) await context.cluster.server(application, serverName); // 404 before the stream opens
    openEventStream(res);
    const total = declared === undefined ? 0 : Number(declared);
    try {
      const version = await api.upload(application, serverName, req, info,
        (sent) => res.write(eventFrame('progress', {sent, total})));
      res.write(eventFrame('version', version));
    } catch (error) {
      const failure = error instanceof ApiError ? error : new ApiError(500, 'INTERNAL', (error as Error).message, '');
      res.write(eventFrame('failure', {status: failure.status, ...failure.toJSON()}));
    }
    res.end();
    return undefined;
  });

  router.delete(route('\\/versions\\/([^/]+)'), async ({params}) => {
    const [application, serverName, version] = params as [string, string, string];
    checkServerId(application, serverName);
    if (!/^[1-9]\d{0,9}$/.test(version)) {
      throw new ApiError(400, 'BAD_REQUEST', `"${version}" is not a version number`, 'the versions are 1, 2, ...');
    }
    return api.remove(application, serverName, version);
  });

  router.post(route('\\/patch'), async ({params, json}) => {
    const [application, serverName] = params as [string, string];
    checkServerId(application, serverName);
    const body = await json();
    const version = body.version;
    if (typeof version !== 'string' || !/^[1-9]\d{0,9}$/.test(version)) {
      throw new ApiError(400, 'BAD_REQUEST', '"version" must be a version of the store, as text', 'e.g. {"version": "2", "batch": 1}');
    }
    const nodes = nodeList(body);
    return {job: await api.rollout(application, serverName, {version, batch: batchOf(body), waitHealthy: waitHealthyOf(body),
      ...(nodes ? {nodes} : {})})};
  });

  router.post(route('\\/rollback'), async ({params, json}) => {
    const [application, serverName] = params as [string, string];
    checkServerId(application, serverName);
    const body = await json();
    const nodes = nodeList(body);
    return {job: await api.rollout(application, serverName, {batch: batchOf(body), waitHealthy: waitHealthyOf(body),
      ...(nodes ? {nodes} : {})})};
  });

  router.post(route('\\/notify'), async ({params, json}) => {
    const [application, serverName] = params as [string, string];
    checkServerId(application, serverName);
    const body = await json();
    const command = optionalText(body, 'command', '{"command": "tars.viewstatus"}');
    if (command === undefined) {
      throw new ApiError(400, 'BAD_REQUEST', 'the notify needs "command"', 'e.g. {"command": "tars.viewstatus"}');
    }
    return api.notify(application, serverName, command, nodeOf(body));
  });

  router.post(route('\\/undeploy'), async ({params, json}) => {
    const [application, serverName] = params as [string, string];
    checkServerId(application, serverName);
    const body = await json();
    return api.undeploy(application, serverName, nodeOf(body));
  });
};
