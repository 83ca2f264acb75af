// Ports for tests: free ones on 127.0.0.1, and whether something accepts connections on one.
import net from 'node:net';

/** `n` distinct free ports: all held open at once, so none is handed out twice. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = Array.from({length: n}, () => net.createServer());
  await Promise.all(servers.map((s) => new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.listen(0, '127.0.0.1', resolve);
  })));
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

/** A free TCP port on 127.0.0.1 (bound to port 0, then released). */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}

/** Whether `port` on 127.0.0.1 can be listened on now. */
function listenable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({host: '127.0.0.1', port, exclusive: true}, () => server.close(() => resolve(true)));
  });
}

/** A free port P whose next `count - 1` ports are free too (a daemon given --port P takes P, P+1, ...). */
export async function consecutiveFreePorts(count: number): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const [p] = await freePorts(1);
    let ok = p! + count - 1 <= 65_535;
    for (let k = 1; ok && k < count; k++) ok = await listenable(p! + k);
    if (ok) return p!;
  }
  throw new Error(`no ${count} consecutive free ports in 50 tries`);
}

/**
 * A free port P whose next `count - 1` ports are free too, below Linux's ephemeral range (32768-60999): for daemons
 * that tests kill and the node restarts, whose port an outgoing connection could otherwise take as its source port
 * while they are down (the restart then fails: address in use).
 */
export async function stablePortRange(count: number, low = 20_000, high = 32_000): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const base = low + Math.floor(Math.random() * (high - low - count));
    let ok = true;
    for (let p = base; ok && p < base + count; p++) ok = await listenable(p);
    if (ok) return base;
  }
  throw new Error(`no ${count} consecutive free ports between ${low} and ${high} in 50 tries`);
}

/** True when something accepts a connection on 127.0.0.1:`port` now. */
export function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
