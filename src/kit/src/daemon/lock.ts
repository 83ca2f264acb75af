// The single-instance lock of a data directory: a Unix domain socket the daemon listens on. Only one process can
// listen on a socket path, and the kernel stops the listening when the process dies, however it dies (kill -9
// included): the lock needs no cleanup to be released and is never a guess from a pid. A socket file left by a
// dead daemon refuses connections, which tells it apart from a live one; it is then replaced. The same socket
// answers every connection with one JSON line (the daemon's status), which is how `status` and `stop` learn the
// pid they act on: only the holder of the lock can answer there.
import {createHash} from 'node:crypto';
import {existsSync, linkSync, realpathSync, renameSync, unlinkSync} from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import {shellQuote} from '@tars-ts/core/errors';

import {UserError} from '../errors.js';

/** The socket's name inside the data directory. */
export const LOCK_SOCKET = 'daemon.sock';

/**
 * The longest socket path the system takes: sun_path is 108 bytes on Linux and 104 on macOS and the BSDs, one of
 * them the terminating NUL.
 */
export const MAX_SOCKET_PATH = process.platform === 'linux' ? 107 : 103;

/** What a daemon says about itself on its lock socket (protocol 1: one JSON line, then the socket closes). */
export interface DaemonInfo {
  protocol: 1;
  name: string;
  /** `starting` until every servant listens, `running`, then `stopping` once a graceful stop began. */
  state: 'starting' | 'running' | 'stopping';
  pid: number;
  /** ISO time the daemon took its lock. */
  startedAt: string;
  dataDir: string;
  /** Each servant and the endpoint it is bound to (the real port, also for --port 0); empty while starting. */
  endpoints: {obj: string; endpoint: string}[];
  /** AdminObj's endpoint (AdminF: shutdown, notify, getPid). */
  admin?: string;
  /** Where the daemon keeps its data, as its factory says. */
  store?: string;
  /** The log of a detached daemon. */
  log?: string;
}

/** What is found at a data directory's lock. */
export type LockProbe =
  | {state: 'free'}
  /** A socket file nobody listens on: its daemon died without closing it. */
  | {state: 'stale'}
  | {state: 'held'; info: DaemonInfo}
  /** Something listens but gave no status in time (a hung or stopped process, or another program's socket). */
  | {state: 'unresponsive'; reason: string};

/**
 * The path of a data directory's lock socket: `DIR/daemon.sock`, or, when that path is longer than the system
 * allows ({@link MAX_SOCKET_PATH}), `/tmp/tars-daemon-<16 hex of sha256(real path of DIR)>.sock` (on Windows, a
 * named pipe of that name always). The fallback is a function of the data directory's real path alone, so every
 * `start`, `stop` and `status` of that directory finds the same socket whatever its working directory or TMPDIR.
 * `dataDir` must exist (its real path is taken).
 */
export function lockSocketPath(dataDir: string): string {
  const real = realpathSync(dataDir);
  const hash = createHash('sha256').update(real).digest('hex').slice(0, 16);
  if (process.platform === 'win32') return `\\\\.\\pipe\\tars-daemon-${hash}`;
  const inDir = path.join(real, LOCK_SOCKET);
  return Buffer.byteLength(inDir) <= MAX_SOCKET_PATH ? inDir : `/tmp/tars-daemon-${hash}.sock`;
}

/**
 * Connects to a lock socket and reads the holder's status. ENOENT: free; ECONNREFUSED: stale (a file nobody listens
 * on); a connection that gives no valid status within `timeoutMs`: unresponsive.
 */
export function probeSocket(socket: string, timeoutMs = 2000): Promise<LockProbe> {
  return new Promise((resolve) => {
    const conn = net.connect(socket);
    let text = '';
    let connected = false;
    const done = (result: LockProbe): void => {
      clearTimeout(timer);
      conn.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done({state: 'unresponsive', reason: connected
      ? `no status within ${timeoutMs} ms` : `no connection within ${timeoutMs} ms`}), timeoutMs);
    conn.setEncoding('utf8');
    conn.on('connect', () => {
      connected = true;
    });
    conn.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > 65_536) done({state: 'unresponsive', reason: 'the status is too long: not a tars daemon'});
    });
    conn.on('end', () => {
      try {
        const info = JSON.parse(text) as DaemonInfo;
        if (info?.protocol !== 1 || typeof info.pid !== 'number') throw new Error('not a tars daemon status');
        done({state: 'held', info});
      } catch (error) {
        done({state: 'unresponsive', reason: `unreadable status: ${(error as Error).message}`});
      }
    });
    conn.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') done({state: 'free'});
      else if (error.code === 'ECONNREFUSED') done({state: 'stale'});
      else done({state: 'unresponsive', reason: error.message});
    });
  });
}

/** {@link probeSocket} of a data directory; a directory that does not exist is free. */
export async function probeLock(dataDir: string, timeoutMs?: number): Promise<LockProbe> {
  if (!existsSync(dataDir)) return {state: 'free'};
  return probeSocket(lockSocketPath(dataDir), timeoutMs);
}

/**
 * Removes a stale lock socket without ever removing a live one: the file is first moved aside (atomically) and
 * probed there; only a file that still refuses connections is deleted. Should a competitor have replaced the stale
 * file by its live lock between our probe and the move, the live one is put back. Missing files are no error.
 */
export async function removeStaleSocket(socket: string): Promise<void> {
  // In the data directory, a name no longer than the socket's own, so that it fits the path limit too; in /tmp (the
  // fallback, a short path), the socket's name plus a suffix, never a name another program may use.
  const suffix = process.pid.toString(36);
  const aside = path.basename(socket) === LOCK_SOCKET ? path.join(path.dirname(socket), `s.${suffix}`)
    : `${socket}.${suffix}`;
  try {
    renameSync(socket, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const probe = await probeSocket(aside);
  if (probe.state === 'held' || probe.state === 'unresponsive') {
    try {
      linkSync(aside, socket);
    } catch {
      // Another start took the path meanwhile: that one holds the lock now.
    }
  }
  try {
    unlinkSync(aside);
  } catch {
    // Already gone.
  }
}

/**
 * The lock of a data directory, held by a running daemon: a listening Unix socket that answers each connection
 * with {@link DaemonInfo}. Released by {@link release}, or by the kernel when the process ends in any way.
 */
export class DaemonLock {
  private constructor(readonly socket: string, private readonly server: net.Server) {}

  /**
   * Takes the lock of `dataDir` (which must exist), or fails with DAEMON_RUNNING naming the holder's pid. A stale
   * socket file (its daemon died) is replaced. `status` is called for every status request and must not throw.
   * `bin` and `name` make the hint (`tars registry stop --data DIR`).
   */
  static async acquire(dataDir: string, status: () => DaemonInfo, who: {bin: string; name: string}): Promise<DaemonLock> {
    const socket = lockSocketPath(dataDir);
    for (let attempt = 0; attempt < 5; attempt++) {
      const server = net.createServer((conn) => {
        conn.on('error', () => {});
        let info: DaemonInfo;
        try {
          info = status();
        } catch (error) {
          conn.destroy(error as Error);
          return;
        }
        conn.end(JSON.stringify(info) + '\n');
      });
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(socket, () => {
            server.off('error', reject);
            resolve();
          });
        });
        // Status requests must not keep a stopping daemon alive, and neither must the lock itself: the daemon's
        // servants are what keep it running.
        server.unref();
        return new DaemonLock(socket, server);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'EADDRINUSE') {
          throw new UserError(`cannot lock data directory ${dataDir}: listening on ${socket} failed: ` +
            `${(error as Error).message}`, {code: 'DAEMON_START_FAILED',
            hint: 'the data directory must be on a local file system that allows Unix sockets; give another --data'});
        }
      }
      const probe = await probeSocket(socket);
      if (probe.state === 'held') throw runningError(probe.info.pid, dataDir, who);
      if (probe.state === 'unresponsive') {
        throw new UserError(`data directory ${dataDir} is locked by a process that does not answer (${probe.reason}; ` +
          `lock ${socket})`, {code: 'DAEMON_RUNNING',
          hint: `is a daemon hung there? see DIR/daemon.pid, stop that process, or give another --data`});
      }
      if (probe.state === 'stale') await removeStaleSocket(socket);
    }
    throw new UserError(`cannot lock data directory ${dataDir}: ${socket} kept being taken and released`,
      {code: 'DAEMON_START_FAILED', hint: 'another start runs on the same directory at the same time; try again'});
  }

  /** Stops listening and removes the socket file; idempotent. */
  release(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) {
        resolve();
        return;
      }
      this.server.close(() => resolve());
    });
  }
}

/** DAEMON_RUNNING for a data directory held by `pid`. */
export function runningError(pid: number, dataDir: string, who: {bin: string; name: string}): UserError {
  return new UserError(`${who.name} already runs on data directory ${dataDir} (pid ${pid})`, {code: 'DAEMON_RUNNING',
    hint: `stop it: ${who.bin} ${who.name} stop --data ${shellQuote(dataDir)}; or give this one another --data`});
}
