import net from 'node:net';

import {UserError} from '@tars-ts/kit';

/** The ports of a project made by `tars new`. */
export interface ProjectPorts {
  /** The servant's TARS adapter. */
  servant: number;
  /** AdminObj (`local`). */
  admin: number;
  /** The HTTP gateway's adapter, with --http. */
  http?: number;
}

/** Default ports of the scaffolded config (TARS's examples use 10015 for SayHelloObj). */
export const DEFAULT_PORTS = {servant: 10015, http: 10016, admin: 15001} as const;

/** Whether a port can be listened on now. */
export type PortProbe = (port: number) => Promise<boolean>;
/** A port the system hands out as free now. */
export type FreePort = () => Promise<number>;

/** How many ports above --port are tried for the admin and HTTP adapters before any free port is taken. */
const SCAN_LIMIT = 100;

/** Probes by binding 127.0.0.1:port and letting it go, as the server will bind it. */
export const isPortFree: PortProbe = (port) => new Promise((resolve) => {
  const server = net.createServer();
  server.unref();
  server.once('error', () => resolve(false));
  server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
});

/** A port the system picks as free on 127.0.0.1 (bind port 0). */
export const systemFreePort: FreePort = () => new Promise((resolve, reject) => {
  const server = net.createServer();
  server.unref();
  server.once('error', reject);
  server.listen(0, '127.0.0.1', () => {
    const {port} = server.address() as net.AddressInfo;
    server.close(() => resolve(port));
  });
});

/**
 * The value of `--port`: a whole number 1..65535. Anything else is a usage error saying what was given and what is
 * expected.
 */
export function parsePortFlag(input: string): number {
  const text = input.trim();
  const port = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(port) || port < 1 || port > 65535) {
    throw new UserError(`--port must be a port number from 1 to 65535 (got "${input}")`, {code: 'BAD_PORT',
      hint: 'e.g. --port 20015; leave --port out to get 10015, or free ports when it is taken'});
  }
  return port;
}

/** The chosen ports, and lines telling the user where a choice differs from what they would expect. */
export interface PortChoice {
  ports: ProjectPorts;
  notes: string[];
}

/**
 * Chooses the ports of a new project. With `port` (--port): the servant gets it, and the HTTP adapter (with `http`)
 * and then AdminObj take the next free ports above it. Without: each default (10015, 10016, 15001) when it is free,
 * else a port the system hands out. No two choices are the same. A port in use is never refused (the user may stop
 * what holds it) but is noted.
 */
export async function chooseProjectPorts(o: {port?: number; http: boolean}, probe: PortProbe = isPortFree,
  freePort: FreePort = systemFreePort): Promise<PortChoice> {
  const taken = new Set<number>();
  const notes: string[] = [];
  const anyFree = async (): Promise<number> => {
    // Bounded: the system hands out a port it just saw free; a few tries skip ones this choice already took.
    for (let i = 0; i < 20; i++) {
      const p = await freePort();
      if (!taken.has(p)) return p;
    }
    throw new UserError('found no free port on 127.0.0.1', {code: 'NO_FREE_PORT', hint: 'give one with --port'});
  };
  const take = (p: number): number => {
    taken.add(p);
    return p;
  };
  /** The first free port above `from`, or any free port when none is close by. */
  const nextFree = async (from: number): Promise<number> => {
    for (let p = from + 1; p <= Math.min(65535, from + SCAN_LIMIT); p++) {
      if (!taken.has(p) && await probe(p)) return p;
    }
    return anyFree();
  };
  const preferred = async (def: number, role: string): Promise<number> => {
    if (!taken.has(def) && await probe(def)) return def;
    const p = await anyFree();
    notes.push(`port ${def} is in use, so ${role} gets port ${p}`);
    return p;
  };

  if (o.port !== undefined) {
    const servant = take(o.port);
    if (!await probe(servant)) notes.push(`port ${servant} is in use now: the server cannot start until it is free`);
    const http = o.http ? take(await nextFree(servant)) : undefined;
    const admin = take(await nextFree(http ?? servant));
    return {ports: {servant, admin, ...(http === undefined ? {} : {http})}, notes};
  }
  const servant = take(await preferred(DEFAULT_PORTS.servant, 'the servant'));
  const http = o.http ? take(await preferred(DEFAULT_PORTS.http, 'the HTTP gateway')) : undefined;
  const admin = take(await preferred(DEFAULT_PORTS.admin, 'AdminObj'));
  return {ports: {servant, admin, ...(http === undefined ? {} : {http})}, notes};
}
