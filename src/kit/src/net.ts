// Small network facts the daemons' commands share: whether a port can be bound, how to dial a bound endpoint, and
// this host's address.
import net from 'node:net';
import os from 'node:os';

import {isWildcardHost} from '@tars-ts/core/endpoint';

export {isLoopbackHost, isWildcardHost} from '@tars-ts/core/endpoint';

/** Whether `port` on `host` can be listened on now. */
export function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({host, port, exclusive: true}, () => server.close(() => resolve(true)));
  });
}

/** `endpoint` (text) with a wildcard host (`0.0.0.0`, `::`, `*`; {@link isWildcardHost}) replaced by `host`. */
function onHost(endpoint: string, host: () => string): string {
  return endpoint.replace(/(-h\s+)(\S+)/, (whole, flag: string, h: string) => (isWildcardHost(h) ? flag + host() : whole));
}

/** An endpoint as a client on this machine dials it: a wildcard host becomes 127.0.0.1. */
export function loopbackEndpoint(endpoint: string): string {
  return onHost(endpoint, () => '127.0.0.1');
}

/** This host's first external (non-loopback) IPv4 address, or undefined when it has none. */
export function hostAddress(): string | undefined {
  for (const addresses of Object.values(os.networkInterfaces())) {
    const found = addresses?.find((a) => a.family === 'IPv4' && !a.internal);
    if (found) return found.address;
  }
  return undefined;
}

/**
 * An endpoint as other hosts must dial it: a wildcard host becomes this host's first external IPv4 address
 * ({@link hostAddress}; 127.0.0.1 on a host with none); any other endpoint is returned as it is.
 */
export function reachableEndpoint(endpoint: string): string {
  return onHost(endpoint, () => hostAddress() ?? '127.0.0.1');
}
