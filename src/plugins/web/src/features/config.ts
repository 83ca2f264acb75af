// A server's config files: the list, one version with its history, a review (the diff and what each instance would
// load) before a push, the push (a rollback is a push of an old version's text), the reload of the running
// instances, and references between files.
import {ApiError} from '../api-error.js';
import {checkServerId} from '../cluster-api.js';
import {ConfigApi, configFileRef} from '../config-api.js';
import type {Feature} from '../feature.js';

/** The largest config push taken, bytes. */
const MAX_CONFIG_BODY = 1024 * 1024;

export const config: Feature = (router, context) => {
  const api = new ConfigApi(context.communicator, context.timeoutMs);
  router.get(/^\/api\/config\/([^/]+)\/([^/]+)$/, ({params}) => api.list(params[0]!, params[1]!));
  const FILE = /^\/api\/config\/([^/]+)\/([^/]+)\/files\/([^/]+)$/;
  router.get(FILE, ({params, query}) => {
    const file = configFileRef(params[2]!, {level: query.get('level') ?? undefined, node: query.get('node') ?? undefined,
      set: query.get('set') ?? undefined});
    const version = query.get('version');
    if (version !== null && !/^[1-9]\d{0,8}$/.test(version)) {
      throw new ApiError(400, 'BAD_REQUEST', `version "${version}" is not a version number`,
        'versions are 1, 2, ...; leave it out for the newest');
    }
    return api.file(params[0]!, params[1]!, file, version === null ? undefined : Number(version));
  });
  router.post(FILE, async ({params, json, author}) => {
    const [application, serverName, name] = params as [string, string, string];
    checkServerId(application, serverName);
    const body = await json();
    const file = configFileRef(name, body);
    if (typeof body.content !== 'string') {
      throw new ApiError(400, 'BAD_REQUEST', 'the push needs "content", the file\'s text',
        'send {"content": "...", "comment": "why"}');
    }
    if (body.comment !== undefined && typeof body.comment !== 'string') {
      throw new ApiError(400, 'BAD_REQUEST', '"comment" must be text', 'send {"content": "...", "comment": "why"}');
    }
    return api.push(application, serverName, file, body.content, (body.comment as string | undefined) ?? '', author);
  }, {bodyLimit: MAX_CONFIG_BODY});

  /** The content of a push or review body (400 naming the fix when missing). */
  const contentOf = (body: Record<string, unknown>): string => {
    if (typeof body.content !== 'string') {
      throw new ApiError(400, 'BAD_REQUEST', 'the request needs "content", the file\'s text',
        'send {"content": "...", "comment": "why"}');
    }
    return body.content;
  };
  router.post(/^\/api\/config\/([^/]+)\/([^/]+)\/files\/([^/]+)\/review$/, async ({params, json}) => {
    const body = await json();
    return api.review(params[0]!, params[1]!, configFileRef(params[2]!, body), contentOf(body));
  }, {bodyLimit: MAX_CONFIG_BODY});
  router.post(/^\/api\/config\/([^/]+)\/([^/]+)\/files\/([^/]+)\/reload$/, async ({params, json}) => {
    const done = await api.reload(params[0]!, params[1]!, configFileRef(params[2]!, await json()));
    context.poke();
    return done;
  });
  router.post(/^\/api\/config\/([^/]+)\/([^/]+)\/files\/([^/]+)\/references$/, async ({params, json}) => {
    const body = await json();
    const target = body.target;
    if (typeof target !== 'object' || target === null || Array.isArray(target) ||
      typeof (target as {name?: unknown}).name !== 'string') {
      throw new ApiError(400, 'BAD_REQUEST', 'the request needs "target": the referenced file',
        'send {"target": {"name": "common.conf", "level": "app"}} (add "remove": true to remove it)');
    }
    if (body.remove !== undefined && typeof body.remove !== 'boolean') {
      throw new ApiError(400, 'BAD_REQUEST', '"remove" must be true or false', 'leave it out to add the reference');
    }
    const t = target as {name: string; level?: unknown; node?: unknown; set?: unknown};
    return api.reference(params[0]!, params[1]!, configFileRef(params[2]!, body), configFileRef(t.name, t),
      body.remove === true);
  });
};
