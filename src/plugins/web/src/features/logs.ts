// A server's remote logs (its files, the last lines of one, a live tail as server-sent events) and its node's log of
// its output; the cluster's notifications and one server's.
import type http from 'node:http';

import {ApiError} from '../api-error.js';
import {checkServerId} from '../cluster-api.js';
import type {Feature} from '../feature.js';
import {eventFrame, openEventStream} from '../http.js';
import {LogsApi, MAX_LINES, MAX_NOTIFICATIONS, checkGrep, countParam, notifyFilter} from '../logs-api.js';

/** The most live tails open at once (each is one poller). */
export const MAX_TAILS = 16;
/** A stream whose unsent output is over this skips lines (and says how many) until the browser catches up. */
const MAX_BUFFERED = 512 * 1024;
/** How often a tail asks the log daemon for new lines, ms. */
const TAIL_INTERVAL_MS = 500;
/** A comment line this often keeps proxies from closing an idle stream. */
const KEEP_ALIVE_MS = 15_000;

/** The file a request names (400 naming the fix when there is none). */
function fileParam(query: URLSearchParams, application: string, serverName: string): string {
  const file = query.get('file') ?? '';
  if (file === '' || file.length > 1000) {
    throw new ApiError(400, 'BAD_REQUEST', file === '' ? 'which file? file= is missing' : 'file= is too long',
      `give file=PATH, a path GET /api/logs/${application}/${serverName} lists`);
  }
  return file;
}

export const logs: Feature = (router, context) => {
  const api = new LogsApi(context.communicator, context.timeoutMs);
  const tails = new Map<http.ServerResponse, () => void>();
  context.onClose(() => {
    for (const [res, stop] of tails) {
      stop();
      res.end();
    }
    tails.clear();
  });

  /** 404 NO_SERVER unless the server is deployed. */
  const deployed = async (application: string, serverName: string) => context.cluster.server(application, serverName);

  router.get(/^\/api\/logs\/([^/]+)\/([^/]+)$/, async ({params}) => {
    await deployed(params[0]!, params[1]!);
    return api.files(params[0]!, params[1]!);
  });

  router.get(/^\/api\/logs\/([^/]+)\/([^/]+)\/lines$/, async ({params, query}) => {
    const [application, serverName] = params as [string, string];
    checkServerId(application, serverName);
    const file = fileParam(query, application, serverName);
    const count = countParam(query.get('n'), 'n', 200, MAX_LINES);
    const grep = checkGrep(query.get('grep'));
    await deployed(application, serverName);
    return api.lines(application, serverName, file, count, grep);
  });

  router.get(/^\/api\/logs\/([^/]+)\/([^/]+)\/node$/, async ({params, query}) => {
    const [application, serverName] = params as [string, string];
    const count = countParam(query.get('n'), 'n', 200, MAX_LINES);
    const server = await deployed(application, serverName);
    const node = query.get('node') ?? (server.instances.length === 1 ? server.instances[0]!.node : '');
    if (!server.instances.some((i) => i.node === node)) {
      throw new ApiError(node === '' ? 400 : 404, node === '' ? 'BAD_REQUEST' : 'NO_SERVER', node === ''
        ? `${server.server} runs on ${server.instances.length} nodes: which one?`
        : `${server.server} is not deployed on node "${node}"`,
      `give node= one of: ${server.instances.map((i) => i.node).join(', ')}`);
    }
    return api.nodeLog(application, serverName, node, count);
  });

  router.get(/^\/api\/logs\/([^/]+)\/([^/]+)\/tail$/, async ({params, query, req, res}) => {
    const [application, serverName] = params as [string, string];
    checkServerId(application, serverName);
    const file = fileParam(query, application, serverName);
    const grep = checkGrep(query.get('grep'));
    if (tails.size >= MAX_TAILS) {
      throw new ApiError(429, 'TOO_MANY_STREAMS', `${MAX_TAILS} live tails are open already`,
        'close a tab following a log, then try again');
    }
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    let opened = false;
    let closed = false;
    let skipped = 0;
    let keepAlive: NodeJS.Timeout | undefined;
    const send = (text: string): void => {
      if (!res.writableEnded && !res.destroyed) res.write(text);
    };
    tails.set(res, stop);
    const end = (): void => {
      closed = true;
      stop();
      clearInterval(keepAlive);
      tails.delete(res);
    };
    req.on('close', end);
    res.on('close', end);
    try {
      await deployed(application, serverName);
      await api.tail(application, serverName, file, grep, {
        ready: (info) => {
          // The browser left while the tail was being set up: follow() returns at once on the settled stop.
          if (closed) return;
          openEventStream(res);
          opened = true;
          send(eventFrame('ready', info));
          keepAlive = setInterval(() => send(': keep-alive\n\n'), KEEP_ALIVE_MS);
        },
        line: (line) => {
          // A browser that does not keep up loses lines, never the console its memory.
          if (res.writableLength > MAX_BUFFERED) {
            skipped += 1;
            return;
          }
          if (skipped > 0) {
            send(eventFrame('skipped', {lines: skipped}));
            skipped = 0;
          }
          send(eventFrame('line', line));
        },
        note: (text) => send(eventFrame('note', {text})),
      }, {stop: stopped, intervalMs: TAIL_INTERVAL_MS, maxLinesPerRead: MAX_LINES});
    } catch (error) {
      end();
      // Before the stream opened, the failure is the answer (404, 502); after, the stream says it and ends.
      if (!opened) throw error;
      const failure = error instanceof ApiError ? error : new ApiError(502, 'NO_ANSWER', (error as Error).message, '');
      send(eventFrame('problem', failure.toJSON()));
    }
    end();
    if (!res.writableEnded) res.end();
    return undefined;
  });

  router.get(/^\/api\/notifications$/, async ({query}) => {
    const filter = notifyFilter(query);
    return api.notifications(filter, countParam(query.get('limit'), 'limit', 100, MAX_NOTIFICATIONS));
  });

  router.get(/^\/api\/notifications\/([^/]+)\/([^/]+)$/, async ({params, query}) => {
    const [application, serverName] = params as [string, string];
    checkServerId(application, serverName);
    const {level} = notifyFilter(query);
    const limit = countParam(query.get('limit'), 'limit', 100, MAX_NOTIFICATIONS);
    await deployed(application, serverName);
    return api.notifications({app: application, server: serverName, level}, limit);
  });
};
