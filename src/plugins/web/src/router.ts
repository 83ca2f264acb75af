// The console's API routes: a method and a path pattern each, matched in the order they were added. The router knows
// which requests change state (POST, DELETE) so the server can guard them (session, CSRF, Origin) before a handler
// runs, and answers 405 for a known path asked with the wrong method and 404 for an unknown one.
import type http from 'node:http';

import {ApiError} from './api-error.js';
import {MAX_BODY, readJson, segment} from './http.js';
import type {Session} from './sessions.js';

/** What a handler gets. */
export interface RouteRequest {
  readonly req: http.IncomingMessage;
  readonly res: http.ServerResponse;
  /** The pattern's capture groups, percent-decoded. */
  readonly params: readonly string[];
  readonly query: URLSearchParams;
  /** The caller's session (undefined only on a console without login that has not handed one out yet). */
  readonly session: Session | undefined;
  /** Who sent it, as the author of what it stores: `tars web (<client address>)`. */
  readonly author: string;
  /** The body as a JSON object (see readJson), read at most once; the route's `bodyLimit` applies. */
  json(): Promise<Record<string, unknown>>;
}

/**
 * A route's answer: a value is sent as JSON with status 200; `undefined` means the handler answered itself (a
 * stream, a file).
 */
export type RouteHandler = (request: RouteRequest) => Promise<unknown>;

export type Method = 'GET' | 'POST' | 'DELETE';

/** How a route is guarded. */
export interface RouteOptions {
  /** The largest body taken, bytes (default 64 KiB). */
  readonly bodyLimit?: number;
}

interface Route {
  readonly method: Method;
  readonly pattern: RegExp;
  readonly handler: RouteHandler;
  readonly options: RouteOptions;
}

/** A matched route, or why none matched. */
export type Match = {route: Route; params: string[]} | {route: undefined; knownPath: boolean};

/** The API's routes. Patterns are anchored regular expressions over the path, e.g. /^\/api\/servers\/([^/]+)$/. */
export class Router {
  private readonly routes: Route[] = [];

  /** Adds a read-only route (a session is needed in login mode). */
  get(pattern: RegExp, handler: RouteHandler): this {
    return this.add('GET', pattern, handler, {});
  }

  /** Adds a state-changing route (same origin, a session and its CSRF token are needed). */
  post(pattern: RegExp, handler: RouteHandler, options: RouteOptions = {}): this {
    return this.add('POST', pattern, handler, options);
  }

  /** Adds a state-changing DELETE route (guarded as POST). */
  delete(pattern: RegExp, handler: RouteHandler, options: RouteOptions = {}): this {
    return this.add('DELETE', pattern, handler, options);
  }

  private add(method: Method, pattern: RegExp, handler: RouteHandler, options: RouteOptions): this {
    if (!pattern.source.startsWith('^') || !pattern.source.endsWith('$')) {
      throw new Error(`route pattern ${pattern} must be anchored (^...$)`);
    }
    this.routes.push({method, pattern, handler, options});
    return this;
  }

  /** Every route, in order: its method and pattern (for the API's own tests and docs). */
  list(): {method: Method; pattern: RegExp}[] {
    return this.routes.map((r) => ({method: r.method, pattern: r.pattern}));
  }

  /** The route for `method` and `path`, its parameters decoded (400 BAD_NAME for bad percent-encoding). */
  match(method: string, path: string): Match {
    let knownPath = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      if (route.method !== method) {
        knownPath = true;
        continue;
      }
      return {route, params: m.slice(1).map((p) => segment(p ?? ''))};
    }
    return {route: undefined, knownPath};
  }

  /** Runs a matched route's handler with the request's parts. */
  static async run(route: Route, params: string[], parts: Omit<RouteRequest, 'params' | 'json'>): Promise<unknown> {
    let body: Promise<Record<string, unknown>> | undefined;
    return route.handler({...parts, params,
      json: () => body ??= readJson(parts.req, route.options.bodyLimit ?? MAX_BODY)});
  }

  /** Whether `method` changes state (and so must pass the CSRF guard). */
  static writes(method: string): boolean {
    return method !== 'GET' && method !== 'HEAD';
  }
}

/** 404 for a path no route knows, 405 for a known path asked with another method. */
export function noRoute(method: string, path: string, knownPath: boolean): ApiError {
  return new ApiError(knownPath ? 405 : 404, knownPath ? 'BAD_METHOD' : 'NOT_FOUND', `no ${method} ${path}`,
    'docs/web.md lists the API');
}
