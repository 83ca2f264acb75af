// What every answer of the console shares: the security headers, JSON bodies in and out, path segments decoded.
import type http from 'node:http';

import {ApiError} from './api-error.js';

/** Nothing but this origin: no inline script, no outside fetch, no framing. */
export const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
} as const;

/** The largest JSON body a route takes unless it says otherwise, bytes. */
export const MAX_BODY = 64 * 1024;

/** Sends `body` as JSON with `status` (never cached). */
export function sendJson(res: http.ServerResponse, status: number, body: unknown,
  headers: http.OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store', 'content-length': Buffer.byteLength(text), ...headers});
  res.end(text);
}

/** Makes `res` a server-sent event stream (the caller writes `event:`/`data:` frames and ends it). */
export function openEventStream(res: http.ServerResponse, retryMs = 2000): void {
  res.writeHead(200, {...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no'});
  res.write(`retry: ${retryMs}\n\n`);
}

/** One server-sent event frame: `event` with `data` as JSON. */
export function eventFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}

/**
 * The request's body as a JSON object (an empty body is `{}`): 400 BAD_REQUEST when it is not JSON with
 * `Content-Type: application/json` or not an object, 413 when it is over `limit` bytes.
 */
export async function readJson(req: http.IncomingMessage, limit = MAX_BODY): Promise<Record<string, unknown>> {
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
}

/** A path segment decoded (400 BAD_NAME when it is not valid percent-encoding). */
export function segment(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new ApiError(400, 'BAD_NAME', `"${text}" is not a valid path segment`, 'percent-encode names in the URL');
  }
}

/** Whether a request's Origin (absent: not a cross-site browser request) is the console's own, over HTTP or HTTPS. */
export function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  return origin === undefined || (host !== undefined && (origin === `http://${host}` || origin === `https://${host}`));
}

/** An optional text field of a body: undefined when absent, 400 BAD_REQUEST naming `example` when not a string. */
export function optionalText(body: Record<string, unknown>, field: string, example: string): string | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw new ApiError(400, 'BAD_REQUEST', `"${field}" must be text`, `send e.g. ${example}`);
  }
  return value;
}
