// An HTTP face for a TARS servant: POST /<Function> with a JSON object of the in-parameters (by name) calls the
// servant's method, exactly as a TARS call in the JSON protocol would, and answers its JSON result.
//
//   curl -d '{"req": "hello"}' http://127.0.0.1:{{httpPort}}/EchoHello    ->  {"tars_ret":0,"resp":"hello"}
//   curl http://127.0.0.1:{{httpPort}}/                                    ->  the servant's functions
//
// Errors: 404 unknown function, 400 arguments that do not decode, 405 other methods, 413 bodies over the limit,
// 500 an error thrown by the servant; the body is {"error": {"code": <TARS return code>, "message": ...}}.
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';

import {CallContext, type Logger, MessageType, ReturnCode, type Servant, Version} from '@tars-ts/core';

/** Where and as what the gateway serves. */
export interface HttpGatewayOptions {
  host: string;
  /** 0 picks a free port (see {@link HttpGateway.url}). */
  port: number;
  /** The servant name requests are reported under (CallContext.servant). */
  servantName: string;
  adapterName?: string;
  logger?: Logger;
  /** Most connections at once (the adapter's maxconns); further ones are refused. */
  maxConnections?: number;
  /** Largest request body, bytes (default 1 MiB). */
  maxBody?: number;
}

/** A running gateway. */
export interface HttpGateway {
  /** `http://host:port`, with the port actually bound. */
  readonly url: string;
  /** Stops accepting, lets requests in flight finish, closes idle connections. Idempotent. */
  close(): Promise<void>;
}

const STATUS_OF = new Map<number, number>([
  [ReturnCode.TARSSERVERNOFUNCERR, 404],
  [ReturnCode.TARSSERVERDECODEERR, 400],
]);

let requestId = 0;

/** Serves `servant` over HTTP; resolves once listening. */
export async function startHttpGateway(servant: Servant, options: HttpGatewayOptions): Promise<HttpGateway> {
  const maxBody = options.maxBody ?? 1024 * 1024;
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.logger?.error(`http ${req.method} ${req.url}: ${(error as Error).message}`);
      if (!res.headersSent) send(res, 500, {error: {code: ReturnCode.TARSSERVERUNKNOWNERR, message: 'internal error'}});
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const func = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1));
    if (req.method === 'GET' && func === '') {
      const def = servant.$interface;
      send(res, 200, {servant: options.servantName, interface: def.name, functions: def.operations.map((op) => ({
        name: op.name, params: op.params.filter((p) => !p.out).map((p) => p.name),
        out: op.params.filter((p) => p.out).map((p) => p.name)}))});
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      send(res, 405, {error: {code: ReturnCode.TARSSERVERNOFUNCERR, message: `use POST /<Function> (got ${req.method})`}});
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > maxBody) {
        send(res, 413, {error: {code: ReturnCode.TARSSERVERDECODEERR, message: `body over ${maxBody} bytes`}});
        req.destroy();
        return;
      }
      chunks.push(chunk as Buffer);
    }
    const body = size === 0 ? Buffer.from('{}') : Buffer.concat(chunks);
    const ctx = new CallContext({
      servant: options.servantName, func, requestId: ++requestId, version: Version.JSONVERSION, oneway: false,
      messageType: MessageType.TARSMESSAGETYPENULL, context: new Map(), status: new Map(),
      remote: {host: req.socket.remoteAddress ?? '', port: req.socket.remotePort ?? 0},
      ...(options.adapterName ? {adapter: options.adapterName} : {}),
    });
    // $dispatch decodes the JSON arguments, calls the method and encodes its result; it never throws.
    const result = await servant.$dispatch(ctx, body);
    if (result.iRet === ReturnCode.TARSSERVERSUCCESS) {
      res.writeHead(200, {'content-type': 'application/json'});
      res.end(result.sBuffer);
      return;
    }
    send(res, STATUS_OF.get(result.iRet) ?? 500, {error: {code: result.iRet, message: result.sResultDesc}});
  }

  if (options.maxConnections) server.maxConnections = options.maxConnections;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const {port} = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {'content-type': 'application/json'});
  res.end(JSON.stringify(body));
}
