// Small network facts the daemons' commands share: whether a port can be bound, and how to dial a bound endpoint.
import net from 'node:net';

/** Whether `port` on `host` can be listened on now. */
export function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({host, port, exclusive: true}, () => server.close(() => resolve(true)));
  });
}

/** An endpoint as a client on this machine dials it: a wildcard host (`0.0.0.0`, `::`, `*`) becomes 127.0.0.1. */
export function loopbackEndpoint(endpoint: string): string {
  return endpoint.replace(/ -h (0\.0\.0\.0|::|\*)( |$)/, ' -h 127.0.0.1$2');
}
