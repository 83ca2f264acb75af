import dgram from 'node:dgram';
import net from 'node:net';
import type tls from 'node:tls';

import type {AdapterConfig} from '../../config/server-config.js';
import {DEFAULT_MAX_PACKET, PacketType, RECONNECT_NOTICE, Version} from '../../protocol/constants.js';
import {TarsError} from '../../errors/tars-error.js';
import {type Endpoint, formatEndpoint} from '../../protocol/endpoint.js';
import {type RequestPacket, encodeResponseFrame, frameLength, responsePacket} from '../../protocol/packets.js';
import {ServerAuthGate, type ServerAuthOptions} from '../auth/server-auth.js';
import type {Logger} from '../logger.js';
import {FrameConnection} from '../transport/frame-connection.js';
import {type ServerTls, createTlsServer} from '../transport/tls.js';
import type {Dispatcher, RequestOrigin} from './dispatcher.js';
import {listenFailure} from './listen-error.js';
import {RefusalLog, type RefusalLogOptions} from './refusal-log.js';
import {RequestQueue} from './request-queue.js';

const EMPTY = new Uint8Array(0);

/** One client connection of an adapter, as `tars.connection` lists it. */
export interface ConnectionInfo {
  readonly remote: string;
  readonly since: Date;
  readonly requests: number;
  readonly inFlight: number;
}

/** Counters of an adapter, as `tars.viewstatus` shows them. */
export interface AdapterStats {
  connections: number;
  requests: number;
  /** Requests waiting or executing. */
  inFlight: number;
  /** Requests waiting in the queue now. */
  queued: number;
  /** Requests executing now. */
  running: number;
  /** Refused because the queue was full (-9). */
  rejected: number;
  /** Dropped because they waited longer than queuetimeout (-6). */
  expired: number;
  /** Longest wait in the queue of a request that ran, ms. */
  maxWaitMs: number;
  refusedConnections: number;
  badFrames: number;
}

interface ServerConnection {
  readonly conn: FrameConnection;
  readonly remote: {host: string; port: number};
  /** The origin handed to the dispatcher with each request (one object per connection). */
  readonly origin: RequestOrigin;
  requests: number;
  inFlight: number;
  /** Whether every request so far was TARS (v1): only such clients can take a ResponsePacket-shaped notice. */
  onlyTars: boolean;
  /** `-e 1` adapters: whether the connection's handshake was accepted. */
  authed?: boolean;
}

/** Options of a {@link ServantAdapter}. */
export interface AdapterOptions {
  maxPacket?: number;
  logger?: Logger;
  /** Where the endpoint comes from, for the fix of a listen error: default "its endpoint". */
  endpointOrigin?: string;
  /** How refused requests (-9, -6) are logged: at most one line per second by default (tests inject a clock). */
  refusalLog?: RefusalLogOptions;
  /** Certificate, key and client verification of an `ssl` endpoint (required for one; unused for tcp and udp). */
  tls?: ServerTls;
  /** Clock and log rate of endpoint auth (`-e 1`; tests inject a clock). */
  auth?: ServerAuthOptions;
}

/** ms a TLS client gets to finish its handshake when the endpoint sets no -t. */
const HANDSHAKE_TIMEOUT = 10_000;

/**
 * Listens on one endpoint (TCP, TLS or UDP) and feeds the requests it receives to a {@link Dispatcher}. Enforces
 * `maxconns` (further connections are closed at once) and `allow` (connections from other addresses are refused);
 * a malformed frame closes its connection and nothing else. When a connection's peer does not read its responses,
 * reading from it pauses until the socket drains. On an `ssl` endpoint a connection counts once its TLS handshake
 * is done; one that fails it (a plaintext client, a client certificate missing or not trusted) is closed and
 * counted as refused, and nothing it sent reaches the dispatcher.
 */
export class ServantAdapter {
  private server?: net.Server | tls.Server;
  private udp?: dgram.Socket;
  private readonly connections = new Set<ServerConnection>();
  private closing = false;
  private boundPort = 0;
  private readonly counters = {connections: 0, requests: 0, refusedConnections: 0, badFrames: 0};
  /** The request queue: overload protection (queuecap, queuetimeout, concurrency). */
  readonly queue: RequestQueue;
  private readonly refusals: RefusalLog;
  /** Endpoint auth of a TCP `-e 1` adapter (docs/auth.md); undefined otherwise. */
  readonly authGate?: ServerAuthGate;

  constructor(readonly config: AdapterConfig, private readonly dispatcher: Dispatcher,
    private readonly options: AdapterOptions = {}) {
    this.queue = new RequestQueue({cap: config.queuecap, timeoutMs: config.queuetimeout,
      concurrency: config.concurrency});
    this.refusals = new RefusalLog((line) => this.options.logger?.warn(line), `adapter ${config.name}`,
      options.refusalLog);
    if (config.endpoint.authType !== 0) {
      // As in TarsCpp, auth applies to connections (tcp, ssl); a udp -e 1 endpoint is served without it.
      if (config.endpoint.protocol === 'udp') {
        options.logger?.warn(`adapter ${config.name}: -e ${config.endpoint.authType} has no effect on udp`);
      } else {
        this.authGate = new ServerAuthGate({objName: config.servant, accessKey: config.accesskey,
          secretKey: config.secretkey}, (line) => this.options.logger?.warn(line), options.auth);
        if (!this.authGate.configured) {
          options.logger?.warn(`adapter ${config.name}: -e 1 but no accesskey/secretkey: every connection is refused`);
        }
      }
    }
  }

  /** Counters for tars.viewstatus. */
  get stats(): AdapterStats {
    const q = this.queue.stats;
    return {...this.counters, inFlight: q.running + q.waiting, queued: q.waiting, running: q.running,
      rejected: q.rejected, expired: q.expired, maxWaitMs: q.maxWaitMs};
  }

  get name(): string {
    return this.config.name;
  }

  /** The endpoint it listens on, with the port actually bound (endpoints may ask for port 0). */
  get endpoint(): Endpoint {
    return {...this.config.endpoint, port: this.boundPort || this.config.endpoint.port};
  }

  /**
   * Starts listening; resolves once bound. A failure to bind rejects with a one-line TarsError naming the adapter,
   * the endpoint and the fix (see {@link listenFailure}) and leaves nothing bound; listen may then be called again.
   */
  async listen(): Promise<void> {
    const {host, port, protocol} = this.config.endpoint;
    if (protocol === 'ssl' && !this.options.tls) {
      throw new TarsError('CONFIG_INVALID', `adapter ${this.name} listens on ssl but has no certificate: set cert ` +
        'and key (in <server>, or in the adapter\'s domain)', {adapter: this.name});
    }
    try {
      if (protocol === 'udp') {
        const udp = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
        await new Promise<void>((resolve, reject) => {
          udp.once('error', reject);
          udp.bind(port, host, () => {
            udp.off('error', reject);
            resolve();
          });
        }).catch((error: unknown) => {
          udp.close();
          throw error;
        });
        // Errors are logged only once bound: a bind failure is the caller's to report, as one line.
        udp.on('message', (msg, rinfo) => this.onDatagram(msg, rinfo));
        udp.on('error', (error) => this.options.logger?.error(`adapter ${this.name}: ${error.message}`));
        this.udp = udp;
        this.boundPort = udp.address().port;
        return;
      }
      const server = protocol === 'ssl'
        ? createTlsServer(this.options.tls!, this.config.endpoint.timeout || HANDSHAKE_TIMEOUT,
          (socket) => this.onConnection(socket), (error, remote) => this.onHandshakeFailure(error, remote))
        : net.createServer((socket) => this.onConnection(socket));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      server.on('error', (error) => this.options.logger?.error(`adapter ${this.name}: ${error.message}`));
      this.server = server;
      this.boundPort = (server.address() as net.AddressInfo).port;
    } catch (error) {
      throw listenFailure(this.name, this.config.endpoint, error, this.options.endpointOrigin);
    }
  }

  /** A TLS client that did not complete its handshake: refused, logged. */
  private onHandshakeFailure(error: Error, remote: string): void {
    this.counters.refusedConnections++;
    this.options.logger?.warn(`adapter ${this.name}: refused connection from ${remote} (TLS handshake failed: ` +
      `${error.message})`);
  }

  private allowed(address: string): boolean {
    const allow = this.config.allow;
    if (allow.length === 0) return true;
    const plain = address.replace(/^::ffff:/, '');
    return allow.some((a) => a === plain || (a.endsWith('*') && plain.startsWith(a.slice(0, -1))));
  }

  private onConnection(socket: net.Socket): void {
    const host = (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    if (this.closing || this.connections.size >= this.config.maxconns || !this.allowed(host)) {
      this.counters.refusedConnections++;
      this.options.logger?.warn(`adapter ${this.name}: refused connection from ${host}:${socket.remotePort} ` +
        (this.closing ? '(closing)' : this.connections.size >= this.config.maxconns
          ? `(maxconns ${this.config.maxconns} reached)` : '(not in allow list)'));
      socket.destroy();
      return;
    }
    const remote = {host, port: socket.remotePort ?? 0};
    const entry: ServerConnection = {
      remote,
      origin: {adapter: this.name, remote},
      requests: 0,
      inFlight: 0,
      onlyTars: true,
      conn: undefined as unknown as FrameConnection,
    };
    const gate = this.authGate;
    const conn = new FrameConnection(socket, {
      onFrame: gate ? (frame) => (entry.authed ? this.onFrame(entry, frame) : this.onHandshake(gate, entry, frame))
        : (frame) => this.onFrame(entry, frame),
      onError: (error) => {
        if ((error as {code?: string}).code?.startsWith('PACKET_')) {
          this.counters.badFrames++;
          this.options.logger?.warn(`adapter ${this.name}: closing ${host}:${entry.remote.port}: ${error.message}`);
        }
      },
      onClose: () => {
        this.connections.delete(entry);
        this.counters.connections = this.connections.size;
      },
      onDrain: () => conn.resume(),
    }, {maxPacket: this.options.maxPacket ?? DEFAULT_MAX_PACKET});
    (entry as {conn: FrameConnection}).conn = conn;
    // The endpoint's -t is the idle timeout (TarsCpp, @tars/rpc): a connection with no traffic and nothing in flight
    // for that long is closed, so stalled clients cannot hold maxconns slots.
    const idle = this.config.endpoint.timeout;
    if (idle > 0) {
      socket.setTimeout(idle, () => {
        if (entry.inFlight === 0) {
          this.options.logger?.debug(`adapter ${this.name}: closing idle connection ${host}:${entry.remote.port}`);
          conn.destroy();
        }
      });
    }
    this.connections.add(entry);
    this.counters.connections = this.connections.size;
  }

  /** The first frame of a connection to a `-e 1` adapter: accepted handshake answered, anything else closes. */
  private onHandshake(gate: ServerAuthGate, entry: ServerConnection, frame: Buffer): void {
    // Frames that came in the same read as a refused handshake are dropped with their connection.
    if (!entry.conn.isOpen) return;
    const verdict = gate.check(frame, `${entry.remote.host}:${entry.remote.port}`);
    if (!verdict.ok) {
      entry.conn.destroy();
      return;
    }
    entry.authed = true;
    entry.conn.send(verdict.answer);
  }

  private onFrame(entry: ServerConnection, frame: Buffer): void {
    let req: RequestPacket;
    try {
      req = this.dispatcher.decode(frame);
    } catch (error) {
      this.counters.badFrames++;
      this.options.logger?.warn(`adapter ${this.name}: closing ${entry.remote.host}:${entry.remote.port}: ` +
        (error as Error).message);
      entry.conn.destroy();
      return;
    }
    entry.requests++;
    entry.inFlight++;
    if (req.iVersion !== Version.TARSVERSION) entry.onlyTars = false;
    const respond = (response: Buffer | null): void => {
      entry.inFlight--;
      if (response && !entry.conn.send(response)) {
        this.options.logger?.warn(`adapter ${this.name}: dropped the response to ${entry.remote.host}: ` +
          'connection closed or not reading');
      }
      // Backpressure: a peer that does not read its responses gets no more requests read until it drains.
      if (entry.conn.needsDrain) entry.conn.pause();
    };
    this.submit(req, entry.origin, respond);
  }

  /** Puts a request through the queue: executed in turn, or refused with -9 (queue full) or -6 (waited too long). */
  private submit(req: RequestPacket, origin: RequestOrigin, respond: (frame: Buffer | null) => void): void {
    this.counters.requests++;
    const arrivedAt = performance.now();
    this.queue.submit({
      arrivedAt,
      requestTimeoutMs: req.iTimeout,
      run: () => {
        // A servant that answers synchronously is answered without a promise.
        const out = this.dispatcher.handle(req, origin, arrivedAt);
        if (out instanceof Promise) return out.then(respond);
        respond(out);
        return undefined;
      },
      refuse: (code, message) => {
        this.refusals.note(code, `for ${req.sServantName}.${req.sFuncName} from ${origin.remote?.host ?? '?'}: ` +
          message);
        this.dispatcher.countRefusal(req, origin, code, arrivedAt);
        respond(req.cPacketType === PacketType.TARSONEWAY ? null
          : this.dispatcher.reply(req, {iRet: code, sBuffer: EMPTY, sResultDesc: message}, new Map()));
      },
    });
  }

  private onDatagram(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    let req: RequestPacket;
    try {
      if (frameLength(msg, 0, this.options.maxPacket ?? DEFAULT_MAX_PACKET) !== msg.length) throw new Error('length');
      req = this.dispatcher.decode(msg);
    } catch {
      this.counters.badFrames++;
      return;
    }
    this.submit(req, {adapter: this.name, remote: {host: rinfo.address, port: rinfo.port}}, (response) => {
      if (response && this.udp && !this.closing) this.udp.send(response, rinfo.port, rinfo.address);
    });
  }

  /** The connections, for `tars.connection`. */
  connectionList(): ConnectionInfo[] {
    return [...this.connections].map((c) => ({
      remote: `${c.remote.host}:${c.remote.port}`, since: new Date(c.conn.openedAt), requests: c.requests,
      inFlight: c.inFlight,
    }));
  }

  /**
   * Stops accepting connections and requests, tells TarsGo-style clients to reconnect elsewhere (a response with
   * request id 0 and "_reconnect_"), waits for the requests in flight (up to `graceMs`), then closes every
   * connection. Idempotent.
   */
  async close(graceMs = 5000): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    // TUP clients read every answer as a RequestPacket (@tars/rpc's throws on a ResponsePacket), so only connections
    // that spoke plain TARS get the notice.
    const notice = encodeResponseFrame(responsePacket({iRequestId: 0, sResultDesc: RECONNECT_NOTICE}));
    for (const c of this.connections) if (c.onlyTars && c.requests > 0) c.conn.send(notice);
    this.server?.close();
    await this.queue.idle(graceMs);
    for (const c of this.connections) c.conn.end();
    // Give peers a moment to read the last responses, then force what is left.
    await new Promise((r) => setTimeout(r, 20));
    for (const c of this.connections) c.conn.destroy();
    this.refusals.flush();
    this.authGate?.flush();
    this.udp?.close();
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** One line for logs and status: name, endpoint, servant. */
  toString(): string {
    return `${this.name} ${formatEndpoint(this.endpoint)} -> ${this.config.servant}`;
  }
}
