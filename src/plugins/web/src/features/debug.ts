// The interface debugger: a server's objects with their interfaces, a call of any function with JSON arguments, and
// .tars text pasted for a server whose interface the cluster cannot give (kept for the session only).
import {ApiError} from '../api-error.js';
import {checkServerId} from '../cluster-api.js';
import {
  DebugApi, MAX_CALL_TIMEOUT_MS, MAX_PASTED_SERVERS, type PastedFiles, checkPasted, pastedFiles,
} from '../debug-api.js';
import type {Feature} from '../feature.js';
import type {Session} from '../sessions.js';

/** The largest call body taken, bytes. */
const MAX_CALL_BODY = 1024 * 1024;

export const debug: Feature = (router, context) => {
  const api = new DebugApi(context.communicator, context.cluster, context.timeoutMs);
  /** Pasted .tars files per session, per App.Server (gone with the session). */
  const pasted = new WeakMap<Session, Map<string, PastedFiles>>();
  const pastedOf = (session: Session | undefined, server: string): PastedFiles | undefined =>
    session ? pasted.get(session)?.get(server) : undefined;

  const SERVER = /^\/api\/debug\/([^/]+)\/([^/]+)$/;
  router.get(SERVER, ({params, session}) =>
    api.describe(params[0]!, params[1]!, pastedOf(session, `${params[0]}.${params[1]}`)));

  router.post(/^\/api\/debug\/([^/]+)\/([^/]+)\/call$/, async ({params, json, session}) => {
    const [application, serverName] = params as [string, string];
    checkServerId(application, serverName);
    const body = await json();
    const example = 'send {"obj": "EchoObj", "function": "EchoHello", "args": {"req": "hi"}}';
    for (const field of ['obj', 'function'] as const) {
      if (typeof body[field] !== 'string' || body[field] === '') {
        throw new ApiError(400, 'BAD_REQUEST', `"${field}" must be the ${field === 'obj' ? 'object' : 'function'}'s name`,
          example);
      }
    }
    const args = body.args ?? {};
    if (args === null || typeof args !== 'object' || Array.isArray(args)) {
      throw new ApiError(400, 'BAD_REQUEST', '"args" must be an object keyed by parameter name', example);
    }
    if (body.node !== undefined && (typeof body.node !== 'string' || body.node === '')) {
      throw new ApiError(400, 'BAD_REQUEST', '"node" must be a node\'s name', 'leave it out to let the registry pick');
    }
    const timeoutMs = body.timeoutMs ?? context.timeoutMs;
    if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_CALL_TIMEOUT_MS) {
      throw new ApiError(400, 'BAD_REQUEST', `"timeoutMs" must be a whole number of ms from 1 to ${MAX_CALL_TIMEOUT_MS}`,
        'e.g. {"timeoutMs": 5000}, or leave it out for the console\'s timeout');
    }
    return api.call(application, serverName, {obj: body.obj as string, func: body.function as string,
      args: args as Record<string, unknown>, node: body.node as string | undefined, timeoutMs},
    pastedOf(session, `${application}.${serverName}`));
  }, {bodyLimit: MAX_CALL_BODY});

  const INTERFACE = /^\/api\/debug\/([^/]+)\/([^/]+)\/interface$/;
  router.post(INTERFACE, async ({params, json, session}) => {
    const [application, serverName] = params as [string, string];
    checkServerId(application, serverName);
    const files = pastedFiles(await json());
    const server = `${application}.${serverName}`;
    await checkPasted(files, server);
    const mine = pasted.get(session!) ?? new Map<string, PastedFiles>();
    if (!mine.has(server) && mine.size >= MAX_PASTED_SERVERS) {
      throw new ApiError(409, 'TOO_MANY', `.tars text is kept for at most ${MAX_PASTED_SERVERS} servers per session`,
        'drop one (DELETE /api/debug/:app/:server/interface) first');
    }
    mine.set(server, files);
    pasted.set(session!, mine);
    return api.describe(application, serverName, files);
  }, {bodyLimit: MAX_CALL_BODY});
  router.delete(INTERFACE, async ({params, json, session}) => {
    const [application, serverName] = params as [string, string];
    checkServerId(application, serverName);
    await json(); // `{}`: a body, if any, is JSON as for every state-changing request
    pasted.get(session!)?.delete(`${application}.${serverName}`);
    return api.describe(application, serverName, undefined);
  });
};
