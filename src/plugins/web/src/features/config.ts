// A server's config files: the list, one version with its history, and a push (a rollback is a push of an old
// version's text).
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
};
