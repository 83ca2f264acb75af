// The console's HTTP server (node:http, no framework): the page's static files, the JSON API over ClusterApi, the
// server-sent events that push tree changes, and the security around them (sessions, login, CSRF, Host and Origin
// checks). See docs/web.md for the API and the security model.
import {readFileSync} from 'node:fs';
import http from 'node:http';
import type {Socket} from 'node:net';

import type {Communicator} from '@tars-ts/core';
import {UserError, isLoopbackHost, tokenProblem} from '@tars-ts/kit';

import {ApiError} from './api-error.js';
import {ClusterApi, type ServerAction, type TreeJson, checkServerId} from './cluster-api.js';
import {ConfigApi, configFileRef} from './config-api.js';
import {type Session, Sessions} from './sessions.js';

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
  /** Ends the event streams, drops every connection and stops listening; idempotent. */
  close(): Promise<void>;
}

/** The page's files, served from the plugin's public/ directory with their content types. */
const STATIC_FILES: ReadonlyMap<string, {file: string; type: string}> = new Map([
  ['/', {file: 'index.html', type: 'text/html; charset=utf-8'}],
  ['/index.html', {file: 'index.html', type: 'text/html; charset=utf-8'}],
  ['/app.js', {file: 'app.js', type: 'text/javascript; charset=utf-8'}],
  ['/app.css', {file: 'app.css', type: 'text/css; charset=utf-8'}],
  ['/favicon.svg', {file: 'favicon.svg', type: 'image/svg+xml'}],
]);

/** Nothing but this origin: no inline script, no outside fetch, no framing. */
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

/** The largest JSON body taken, bytes (a config file's push may take {@link MAX_CONFIG_BODY}). */
const MAX_BODY = 64 * 1024;
const MAX_CONFIG_BODY = 1024 * 1024;

const ACTION_ROUTE = /^\/api\/servers\/([^/]+)\/([^/]+)\/(start|stop|restart)$/;
const SERVER_ROUTE = /^\/api\/servers\/([^/]+)\/([^/]+)$/;
const CONFIG_LIST_ROUTE = /^\/api\/config\/([^/]+)\/([^/]+)$/;
const CONFIG_FILE_ROUTE = /^\/api\/config\/([^/]+)\/([^/]+)\/files\/([^/]+)$/;

/** The directory of the page's files, next to src/ and dist/. */
const PUBLIC_DIR = new URL('../public/', import.meta.url);

/** Whether a request's Origin (absent: not a cross-site browser request) is the console's own, over HTTP or HTTPS. */
function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  return origin === undefined || (host !== undefined && (origin === `http://${host}` || origin === `https://${host}`));
}

/** A path segment decoded (400 when it is not valid percent-encoding). */
function segment(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new ApiError(400, 'BAD_NAME', `"${text}" is not a valid path segment`, 'percent-encode names in the URL');
  }
}

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
  const files = new Map([...STATIC_FILES].map(([route, f]) => [route, {type: f.type,
    body: readFileSync(new URL(f.file, PUBLIC_DIR))}]));

  const {communicatorFor, REGISTRY_QUERY_OBJ} = await import('@tars-ts/kit');
  const communicator: Communicator = await communicatorFor({proxy: options.locator, obj: REGISTRY_QUERY_OBJ,
    locator: options.locator, via: 'locator'}, {token: options.token,
    ...(options.cacheDir ? {cacheDir: options.cacheDir} : {})});
  const api = new ClusterApi(communicator, options.locator, options.timeoutMs ?? 3000);
  const config = new ConfigApi(communicator, options.timeoutMs ?? 3000);
  const loginRequired = !loopback || options.token !== undefined;
  const sessions = new Sessions(options.token);
  const events = new TreeEvents(api, options.pollMs ?? 2000);
  const sockets = new Set<Socket>();
  let port = options.port ?? 3000;

  /** Loopback consoles answer only to their own names: a DNS-rebinding page cannot reach the API. */
  const hostAllowed = (header: string | undefined): boolean => {
    if (!loopback) return true;
    const names = new Set([`${host}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`,
      host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`]);
    return header !== undefined && names.has(header.toLowerCase());
  };

  const send = (res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, {...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store', 'content-length': Buffer.byteLength(text), ...headers});
    res.end(text);
  };

  const readJson = async (req: http.IncomingMessage, limit = MAX_BODY): Promise<Record<string, unknown>> => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') {
      throw new ApiError(400, 'BAD_REQUEST', `the body must be JSON, not "${type || 'no content type'}"`,
        'send Content-Type: application/json with a JSON object, e.g. {} or {"node": "NAME"}');
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw new ApiError(413, 'BAD_REQUEST', `the body is over ${limit} bytes`, 'send less');
      chunks.push(chunk);
    }
    const text = Buffer.concat(chunks).toString('utf8').trim();
    let body: unknown;
    try {
      body = text === '' ? {} : JSON.parse(text);
    } catch (error) {
      throw new ApiError(400, 'BAD_REQUEST', `the body is not valid JSON: ${(error as Error).message}`,
        'send a JSON object, e.g. {"node": "NAME"}');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new ApiError(400, 'BAD_REQUEST', 'the body must be a JSON object', 'send e.g. {} or {"node": "NAME"}');
    }
    return body as Record<string, unknown>;
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
    const action = ACTION_ROUTE.exec(path);
    if (action && method === 'POST') {
      guardWrite(req);
      const [application, serverName] = [segment(action[1]!), segment(action[2]!)];
      checkServerId(application, serverName);
      const body = await readJson(req);
      if (body.node !== undefined && (typeof body.node !== 'string' || body.node === '')) {
        throw new ApiError(400, 'BAD_REQUEST', '"node" must be a node\'s name', 'leave it out to act on every node');
      }
      const done = await api.act(application, serverName, action[3] as ServerAction, body.node as string | undefined);
      events.poke();
      send(res, 200, done);
      return;
    }
    const configFile = CONFIG_FILE_ROUTE.exec(path);
    if (configFile && method === 'POST') {
      guardWrite(req);
      const [application, serverName, name] = [segment(configFile[1]!), segment(configFile[2]!), segment(configFile[3]!)];
      checkServerId(application, serverName);
      const body = await readJson(req, MAX_CONFIG_BODY);
      const file = configFileRef(name, body);
      if (typeof body.content !== 'string') {
        throw new ApiError(400, 'BAD_REQUEST', 'the push needs "content", the file\'s text',
          'send {"content": "...", "comment": "why"}');
      }
      if (body.comment !== undefined && typeof body.comment !== 'string') {
        throw new ApiError(400, 'BAD_REQUEST', '"comment" must be text', 'send {"content": "...", "comment": "why"}');
      }
      send(res, 200, await config.push(application, serverName, file, body.content, (body.comment as string | undefined)
        ?? '', `tars web (${req.socket.remoteAddress ?? 'unknown'})`));
      return;
    }
    if (method !== 'GET') {
      const known = action || configFile || SERVER_ROUTE.test(path) || CONFIG_LIST_ROUTE.test(path) ||
        ['/api/tree', '/api/registry', '/api/events', '/api/session'].includes(path);
      throw new ApiError(known ? 405 : 404, known ? 'BAD_METHOD' : 'NOT_FOUND', `no ${method} ${path}`,
        'docs/web.md lists the API');
    }
    sessionOf(req);
    if (path === '/api/tree') return send(res, 200, await api.tree());
    if (path === '/api/registry') return send(res, 200, await api.registry());
    if (path === '/api/events') return events.attach(req, res);
    const server = SERVER_ROUTE.exec(path);
    if (server) return send(res, 200, await api.server(segment(server[1]!), segment(server[2]!)));
    const configList = CONFIG_LIST_ROUTE.exec(path);
    if (configList) return send(res, 200, await config.list(segment(configList[1]!), segment(configList[2]!)));
    if (configFile) {
      const q = url.searchParams;
      const file = configFileRef(segment(configFile[3]!), {level: q.get('level') ?? undefined,
        node: q.get('node') ?? undefined, set: q.get('set') ?? undefined});
      const version = q.get('version');
      if (version !== null && !/^[1-9]\d{0,8}$/.test(version)) {
        throw new ApiError(400, 'BAD_REQUEST', `version "${version}" is not a version number`,
          'versions are 1, 2, ...; leave it out for the newest');
      }
      return send(res, 200, await config.file(segment(configFile[1]!), segment(configFile[2]!), file,
        version === null ? undefined : Number(version)));
    }
    throw new ApiError(404, 'NOT_FOUND', `no API route ${path}`, 'docs/web.md lists the API');
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
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`, host, port, loginRequired,
    close: () => closing ??= (async () => {
      events.close();
      const stopped = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await stopped;
      communicator.close();
    })(),
  };
}

/**
 * GET /api/events: one poller for every open stream, running only while there are streams. Each stream gets the
 * tree at once (`event: tree`), then again only when it changed; a failed poll sends `event: problem` with the
 * API error, once until the next success. A comment line every 15 s keeps idle proxies from closing the stream.
 */
class TreeEvents {
  private readonly streams = new Set<http.ServerResponse>();
  private timer: NodeJS.Timeout | undefined;
  private last: string | undefined;
  private lastProblem: string | undefined;
  private polling: Promise<void> | undefined;
  private closed = false;
  private beats = 0;

  constructor(private readonly api: ClusterApi, private readonly pollMs: number) {}

  /** Makes `res` an event stream until the browser goes away or the console closes. */
  attach(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.writeHead(200, {...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no'});
    res.write('retry: 2000\n\n');
    this.streams.add(res);
    req.on('close', () => {
      this.streams.delete(res);
      if (this.streams.size === 0) this.stop();
    });
    if (this.last !== undefined) res.write(`event: tree\ndata: ${this.last}\n\n`);
    if (this.lastProblem !== undefined) res.write(`event: problem\ndata: ${this.lastProblem}\n\n`);
    if (this.timer === undefined && this.polling === undefined) void this.poll();
  }

  /** Polls now (after an action), so streams see its effect without waiting for the next tick. */
  poke(): void {
    if (this.streams.size > 0 && this.polling === undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
      void this.poll();
    }
  }

  private poll(): Promise<void> {
    this.polling = (async () => {
      try {
        const tree: TreeJson = await this.api.tree();
        const text = JSON.stringify(tree);
        this.lastProblem = undefined;
        if (text !== this.last) {
          this.last = text;
          this.broadcast(`event: tree\ndata: ${text}\n\n`);
        }
      } catch (error) {
        const failure = error instanceof ApiError ? error : new ApiError(502, 'NO_ANSWER', (error as Error).message, '');
        const text = JSON.stringify(failure.toJSON());
        if (text !== this.lastProblem) {
          this.lastProblem = text;
          this.last = undefined;
          this.broadcast(`event: problem\ndata: ${text}\n\n`);
        }
      } finally {
        this.polling = undefined;
      }
      if (++this.beats % Math.max(1, Math.round(15_000 / this.pollMs)) === 0) this.broadcast(': keep-alive\n\n');
      if (!this.closed && this.streams.size > 0) this.timer = setTimeout(() => void this.poll(), this.pollMs);
    })();
    return this.polling;
  }

  private broadcast(text: string): void {
    for (const res of this.streams) res.write(text);
  }

  private stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.last = undefined;
    this.lastProblem = undefined;
  }

  /** Ends every stream and the polling. */
  close(): void {
    this.closed = true;
    this.stop();
    for (const res of this.streams) res.end();
    this.streams.clear();
  }
}
