// The console's HTTP server (node:http, no framework): the page's static files, the JSON API over ClusterApi, the
// server-sent events that push tree changes, and the security around them (sessions, login, CSRF, Host and Origin
// checks). See docs/web.md for the API and the security model.
import http from 'node:http';
import type {Socket} from 'node:net';

import type {Communicator} from '@tars-ts/core';
import {UserError, isLoopbackHost, tokenProblem} from '@tars-ts/kit';

import {ApiError} from './api-error.js';
import {ClusterApi} from './cluster-api.js';
import type {ConsoleContext} from './feature.js';
import {FEATURES} from './features/index.js';
import {treeEvents} from './features/servers.js';
import {SECURITY_HEADERS, readJson, sameOrigin, sendJson as send} from './http.js';
import {Router, noRoute} from './router.js';
import {type Session, Sessions} from './sessions.js';
import {loadStaticFiles} from './static-files.js';
import {TreeEvents} from './tree-events.js';

/** How the console runs. */
export interface ConsoleOptions {
  /** The address to bind (default 127.0.0.1). Beyond loopback the admin token is required. */
  readonly host?: string;
  /** The port (0: an ephemeral one; default 3000). */
  readonly port?: number;
  /** The registry's QueryObj with its endpoints. */
  readonly locator: string;
  /** The cluster's admin token: calls to admin objects present it, and the page's login asks for it. */
  readonly token?: string | undefined;
  /** Each lookup's timeout, ms (default 3000). */
  readonly timeoutMs?: number;
  /** How often the events stream asks the registry for changes, ms (default 2000). */
  readonly pollMs?: number;
  /** The communicator's endpoint cache file's directory (the CLI's cache directory), if any. */
  readonly cacheDir?: string;
}

/** A console that serves until {@link RunningConsole.close}. */
export interface RunningConsole {
  /** `http://host:port/`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Whether the page must log in with the admin token (beyond loopback, or whenever a token is configured). */
  readonly loginRequired: boolean;
  /** The API's routes (method and path pattern), in the order they are tried. */
  readonly routes: readonly {method: string; pattern: RegExp}[];
  /** Ends the event streams, drops every connection and stops listening; idempotent. */
  close(): Promise<void>;
}

/** The session's own routes, answered before the router's. */
const SESSION_PATHS = ['/api/session', '/api/login', '/api/logout'];

/**
 * Starts the console: checks the security settings (ADMIN_TOKEN_REQUIRED beyond loopback without a token; a token
 * too weak to guard anything is refused), opens a communicator to the registry and listens. Rejects with a UserError
 * naming the fix when the address cannot be bound.
 */
export async function startConsole(options: ConsoleOptions): Promise<RunningConsole> {
  const host = options.host ?? '127.0.0.1';
  const loopback = isLoopbackHost(host);
  if (!loopback && options.token === undefined) {
    throw new UserError(`the console would let anyone who reaches ${host} start and stop servers: it needs the ` +
      'admin token beyond loopback', {code: 'ADMIN_TOKEN_REQUIRED',
      hint: 'set the cluster\'s token (tars login, or TARS_ADMIN_TOKEN=...), or bind loopback (--host 127.0.0.1)'});
  }
  const weak = options.token === undefined ? undefined : tokenProblem(options.token);
  if (weak) throw new UserError(`the admin token cannot guard the console: ${weak}`, {hint: 'tars login with a longer token'});
  const files = loadStaticFiles();

  const {communicatorFor, REGISTRY_QUERY_OBJ} = await import('@tars-ts/kit');
  const communicator: Communicator = await communicatorFor({proxy: options.locator, obj: REGISTRY_QUERY_OBJ,
    locator: options.locator, via: 'locator'}, {token: options.token,
    ...(options.cacheDir ? {cacheDir: options.cacheDir} : {})});
  const timeoutMs = options.timeoutMs ?? 3000;
  const cluster = new ClusterApi(communicator, options.locator, timeoutMs);
  const loginRequired = !loopback || options.token !== undefined;
  const sessions = new Sessions(options.token);
  const events = new TreeEvents(cluster, options.pollMs ?? 2000);
  const closers: (() => void | Promise<void>)[] = [];
  const context: ConsoleContext = {communicator, locator: options.locator, timeoutMs, token: options.token, cluster,
    poke: () => events.poke(), onClose: (fn) => closers.push(fn)};
  const router = new Router();
  for (const feature of [...FEATURES, treeEvents(events)]) feature(router, context);
  const sockets = new Set<Socket>();
  let port = options.port ?? 3000;

  /** Loopback consoles answer only to their own names: a DNS-rebinding page cannot reach the API. */
  const hostAllowed = (header: string | undefined): boolean => {
    if (!loopback) return true;
    const names = new Set([`${host}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`,
      host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`]);
    return header !== undefined && names.has(header.toLowerCase());
  };

  /** The request's session, required (401 NO_SESSION) unless the console hands sessions out. */
  const sessionOf = (req: http.IncomingMessage): Session | undefined => {
    const session = sessions.get(req.headers.cookie);
    if (!session && loginRequired) {
      throw new ApiError(401, 'NO_SESSION', 'not logged in (or the session expired)',
        'log in with the cluster\'s admin token: POST /api/login {"token": "..."} (the page asks for it)');
    }
    return session;
  };

  /** A state-changing request: same origin, a session, and its CSRF token in X-CSRF-Token. */
  const guardWrite = (req: http.IncomingMessage): Session => {
    const origin = req.headers.origin;
    if (!sameOrigin(origin, req.headers.host)) {
      throw new ApiError(403, 'CSRF', `a request from another origin (${origin}) is refused`,
        'use the console\'s own page');
    }
    const session = sessionOf(req);
    if (!session) {
      throw new ApiError(403, 'CSRF', 'no session cookie: a state-changing request needs the page\'s session',
        'load the page (or GET /api/session) first, then send its csrf value in the X-CSRF-Token header');
    }
    if (!Sessions.csrfMatches(session, req.headers['x-csrf-token'])) {
      throw new ApiError(403, 'CSRF', 'the X-CSRF-Token header is missing or does not match the session',
        'send the csrf value of GET /api/session (or of the login answer) in X-CSRF-Token');
    }
    return session;
  };

  const route = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    if (!hostAllowed(req.headers.host)) {
      throw new ApiError(403, 'BAD_HOST', `the console does not answer to host "${req.headers.host ?? ''}"`,
        `open it as http://${host.includes(':') ? `[${host}]` : host}:${port}/`);
    }
    const url = new URL(req.url ?? '/', 'http://console');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const file = files.get(path);
    if (file && (method === 'GET' || method === 'HEAD')) {
      res.writeHead(200, {...SECURITY_HEADERS, 'content-type': file.type, 'content-length': file.body.length,
        'cache-control': 'no-cache'});
      res.end(method === 'HEAD' ? undefined : file.body);
      return;
    }
    if (!path.startsWith('/api/')) {
      throw new ApiError(404, 'NOT_FOUND', `no page ${path}`, 'the console is at /');
    }
    if (method === 'GET' && path === '/api/session') {
      let session = sessions.get(req.headers.cookie);
      const headers: http.OutgoingHttpHeaders = {};
      if (!session && !loginRequired) {
        session = sessions.create();
        headers['set-cookie'] = Sessions.cookie(session);
      }
      send(res, 200, {loginRequired, authenticated: session !== undefined, ...(session ? {csrf: session.csrf} : {})},
        headers);
      return;
    }
    if (method === 'POST' && path === '/api/login') {
      const origin = req.headers.origin;
      if (!sameOrigin(origin, req.headers.host)) {
        throw new ApiError(403, 'CSRF', `a login from another origin (${origin}) is refused`, 'use the console\'s own page');
      }
      const body = await readJson(req);
      if (typeof body.token !== 'string' || body.token === '') {
        throw new ApiError(400, 'BAD_REQUEST', 'the login needs {"token": "..."}', 'give the cluster\'s admin token');
      }
      const ok = loginRequired ? sessions.login(body.token) : true;
      if (ok === 'throttled') {
        throw new ApiError(429, 'TOO_MANY_LOGINS', 'too many failed logins in this minute', 'wait a minute and try again');
      }
      if (!ok) {
        throw new ApiError(401, 'BAD_TOKEN', 'that is not the cluster\'s admin token',
          'give the token the cluster runs with (TARS_ADMIN_TOKEN or tars login on its machine)');
      }
      const old = sessions.get(req.headers.cookie);
      if (old) sessions.destroy(old);
      const session = sessions.create();
      send(res, 200, {loginRequired, authenticated: true, csrf: session.csrf}, {'set-cookie': Sessions.cookie(session)});
      return;
    }
    if (method === 'POST' && path === '/api/logout') {
      sessions.destroy(guardWrite(req));
      send(res, 200, {loginRequired, authenticated: false}, {'set-cookie': Sessions.clearCookie()});
      return;
    }
    const match = router.match(method, path);
    if (!match.route) throw noRoute(method, path, match.knownPath || SESSION_PATHS.includes(path));
    const session = Router.writes(method) ? guardWrite(req) : sessionOf(req);
    const answer = await Router.run(match.route, match.params, {req, res, query: url.searchParams, session,
      author: `tars web (${req.socket.remoteAddress ?? 'unknown'})`});
    if (answer !== undefined) send(res, 200, answer);
  };

  const httpServer = http.createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      const failure = error instanceof ApiError ? error : new ApiError(500, 'INTERNAL',
        `the console failed: ${(error as Error).message}`, 'this is a bug of the console; DEBUG=tars* tars web shows more');
      if (res.headersSent) res.end();
      else send(res, failure.status, failure.toJSON());
    });
  });
  httpServer.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(port, host, () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    communicator.close();
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(`the console cannot listen on ${host}:${port}: ${(error as Error).message}`, {
      code: code === 'EADDRINUSE' ? 'LISTEN_ADDRESS_IN_USE' : code === 'EACCES' ? 'LISTEN_PERMISSION_DENIED'
        : code === 'EADDRNOTAVAIL' ? 'LISTEN_ADDRESS_NOT_AVAILABLE' : 'LISTEN_FAILED',
      hint: code === 'EADDRINUSE' ? 'another process has that port: give another with --port' : 'check --host and --port'});
  }
  port = (httpServer.address() as {port: number}).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`, host, port, loginRequired, routes: router.list(),
    close: () => closing ??= (async () => {
      events.close();
      for (const fn of closers) await fn();
      const stopped = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await stopped;
      communicator.close();
    })(),
  };
}
