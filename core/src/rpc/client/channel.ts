import dgram from 'node:dgram';
import net from 'node:net';

import {
  DEFAULT_MAX_PACKET, PacketType, RECONNECT_NOTICE, ReturnCode, TARS_PING,
} from '../../protocol/constants.js';
import {type Endpoint, endpointKey} from '../../protocol/endpoint.js';
import {
  type ResponsePacket, decodeAnyResponseFrame, encodeRequestFrame, frameLength, requestPacket,
} from '../../protocol/packets.js';
import {AUTH_REFUSED_CODE, type ClientAuthKeys, ClientHandshake, missingKeys} from '../auth/client-auth.js';
import {FrameConnection} from '../transport/frame-connection.js';
import {type ClientTls, connectTls} from '../transport/tls.js';

/** A call that failed before a response came: the TARS code to report and what happened. */
export class LocalFailure extends Error {
  /** @param connectFailed the connection could not be established (endpoint health blocks at once on this). */
  constructor(readonly code: number, message: string, readonly connectFailed = false) {
    super(message);
    this.name = 'LocalFailure';
  }
}

interface Pending {
  resolve(p: ResponsePacket): void;
  reject(e: LocalFailure): void;
  /** Date.now() after which the call times out. */
  deadline: number;
  timeoutMs: number;
  conn: FrameConnection | undefined;
}

/** Options of a channel. */
export interface ChannelOptions {
  maxPacket?: number;
  /** First reconnect delay after a failed connect (doubles up to `maxBackoffMs`). Default 100 ms. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Connect timeout, ms. Default 3000. */
  connectTimeoutMs?: number;
  /**
   * Keep-alive (`keep-alive-interval`, ms; 0 = off): a connection that sent nothing for this long sends a one-way
   * tars_ping, as TarsGo does, so idle connections survive servers' -t idle timeouts and dead peers show up.
   */
  keepAliveMs?: number;
  /** Servant name the keep-alive pings are addressed to (every TARS server answers tars_ping for any). */
  keepAliveServant?: string;
  /** For an `ssl` endpoint: the CAs to trust and the client certificate; without it, the system's CAs and none. */
  tls?: ClientTls;
  /** Keys for an endpoint with `-e 1` (endpoint auth, docs/auth.md): the handshake sent first on each connection. */
  auth?: ClientAuthKeys;
}

/**
 * The client side of one endpoint: sends request frames and matches responses to them by request id. Each request
 * has its own timeout. Implementations: TCP (one reused connection, reconnect with back-off) and UDP.
 */
export interface Channel {
  readonly endpoint: Endpoint;
  /** Sends a frame; resolves with the response, or null for one-way requests once sent. Rejects with LocalFailure. */
  send(frame: Uint8Array, requestId: number, timeoutMs: number, oneway: boolean): Promise<ResponsePacket | null>;
  close(): void;
}

abstract class BaseChannel implements Channel {
  protected readonly pending = new Map<number, Pending>();
  protected closed = false;
  /** One timer per channel instead of one per call: armed for the earliest deadline, re-armed by each sweep. */
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweepAt = Infinity;

  constructor(readonly endpoint: Endpoint, protected readonly options: ChannelOptions) {}

  abstract send(frame: Uint8Array, requestId: number, timeoutMs: number, oneway: boolean): Promise<ResponsePacket | null>;
  abstract close(): void;

  protected wait(requestId: number, timeoutMs: number, conn?: FrameConnection): Promise<ResponsePacket> {
    return new Promise<ResponsePacket>((resolve, reject) => {
      const deadline = Date.now() + timeoutMs;
      if (this.pending.size === 0) this.busy(true);
      this.pending.set(requestId, {resolve, reject, deadline, timeoutMs, conn});
      if (deadline < this.sweepAt) this.armSweep(deadline);
    });
  }

  /**
   * The sweep timer stays armed when the calls are answered (re-arming it per call cost a timer-list insertion per
   * call); it never keeps the process alive: while calls are pending, the channel's socket does ({@link busy}).
   */
  private armSweep(at: number): void {
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    this.sweepAt = at;
    this.sweepTimer = setTimeout(() => this.sweep(), Math.max(0, at - Date.now()) + 1);
    this.sweepTimer.unref();
  }

  /** Calls are pending (true) or none any more (false): the socket must keep the process alive meanwhile. */
  protected busy(_pending: boolean): void {}

  private settled(): void {
    if (this.pending.size === 0) this.busy(false);
  }

  /** Stops the sweep timer (the channel is closed). */
  protected stopSweep(): void {
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    this.sweepTimer = undefined;
    this.sweepAt = Infinity;
  }

  private sweep(): void {
    this.sweepTimer = undefined;
    this.sweepAt = Infinity;
    const now = Date.now();
    let next = Infinity;
    for (const [id, p] of this.pending) {
      if (p.deadline <= now) {
        this.pending.delete(id);
        p.reject(new LocalFailure(ReturnCode.TARSINVOKETIMEOUT, `no answer in ${p.timeoutMs} ms`));
      } else if (p.deadline < next) {
        next = p.deadline;
      }
    }
    if (next < Infinity) this.armSweep(next);
    this.settled();
  }

  /** Takes a pending call out (answered, failed); undefined when it already timed out. */
  protected take(requestId: number): Pending | undefined {
    const p = this.pending.get(requestId);
    if (!p) return undefined;
    this.pending.delete(requestId);
    this.settled();
    return p;
  }

  /** Routes a response frame to its request. Returns false when the frame is not a response. */
  protected onResponse(frame: Buffer): boolean {
    let resp: ResponsePacket;
    try {
      resp = decodeAnyResponseFrame(frame, this.options.maxPacket ?? DEFAULT_MAX_PACKET);
    } catch {
      return false;
    }
    if (resp.iRequestId === 0) {
      if (resp.sResultDesc === RECONNECT_NOTICE) this.onReconnectNotice();
      return true;
    }
    const p = this.take(resp.iRequestId);
    if (!p) return true; // answered after its timeout
    p.resolve(resp);
    return true;
  }

  protected onReconnectNotice(): void {}

  protected failAll(code: number, message: string, conn?: FrameConnection, connectFailed = false): void {
    for (const [id, p] of this.pending) {
      if (conn && p.conn !== conn) continue;
      this.pending.delete(id);
      p.reject(new LocalFailure(code, message, connectFailed));
    }
    this.settled();
  }
}

/**
 * TCP: one connection per endpoint, opened on the first request and reused; frames sent in one tick go out in a
 * few writes (FrameConnection). A failed connect fails the requests waiting on it with -8 and holds further
 * connects back for a doubling delay (100 ms up to 5 s); requests in that window fail at once with -8. A reconnect notice
 * ("_reconnect_") from a server that is shutting down moves new requests to a new connection while the old one
 * finishes.
 */
export class TcpChannel extends BaseChannel {
  private conn?: FrameConnection;
  private isConnected = false;
  private backoff = 0;
  private retryAt = 0;
  private lastError = '';
  private keepAliveTimer?: NodeJS.Timeout;
  private sentSinceTick = 0;
  private keepAliveId = 0;
  /** `-e 1`: the handshake of the current connection while it is pending (frames sent meanwhile wait in it). */
  private handshake?: ClientHandshake;
  /** The last connect attempt failed in the handshake: calls during the back-off fail with the auth code. */
  private authRefused = false;

  /** Keep-alive pings sent so far. */
  keepAlivesSent = 0;

  private startKeepAlive(): void {
    const interval = this.options.keepAliveMs ?? 0;
    if (interval <= 0 || this.keepAliveTimer) return;
    this.keepAliveTimer = setInterval(() => {
      const conn = this.conn;
      if (conn && this.isConnected && this.sentSinceTick === 0) {
        // Request ids of pings count down from the top of the range: they never meet the communicator's ids.
        this.keepAliveId = this.keepAliveId <= 1_000_000_000 ? 2147483647 : this.keepAliveId - 1;
        conn.send(encodeRequestFrame(requestPacket({cPacketType: PacketType.TARSONEWAY, iRequestId: this.keepAliveId,
          sServantName: this.options.keepAliveServant ?? 'tars.keepalive', sFuncName: TARS_PING,
          iTimeout: interval})));
        this.keepAlivesSent++;
      }
      this.sentSinceTick = 0;
    }, interval);
    this.keepAliveTimer.unref();
  }

  /**
   * The connection holds the process open only while a call waits for its answer: a client script ends by itself
   * once its calls are done, and the idle connection stays for reuse as long as the process lives.
   */
  protected override busy(pending: boolean): void {
    if (pending) this.conn?.socket.ref();
    else this.conn?.socket.unref();
  }

  private connect(): FrameConnection {
    const {host, port, bind, protocol} = this.endpoint;
    // ssl: connected once the TLS handshake is done; a failed one is a failed connect.
    const secure = protocol === 'ssl';
    const socket = secure ? connectTls(this.endpoint, this.options.tls)
      : net.connect({host, port, ...(bind ? {localAddress: bind} : {})});
    // Held only while calls wait ({@link busy}); a one-way frame is held by its connect and write requests.
    if (this.pending.size === 0) socket.unref();
    let established = false;
    let handshake: ClientHandshake | undefined;
    const connectTimer = setTimeout(() => {
      if (!established) socket.destroy(new Error(`connect timed out after ${this.options.connectTimeoutMs ?? 3000} ms`));
    }, this.options.connectTimeoutMs ?? 3000);
    const onFrame = (frame: Buffer): void => {
      if (!this.onResponse(frame)) {
        this.lastError = 'the server sent a frame that is not a response';
        conn.destroy();
      }
    };
    const conn = new FrameConnection(socket, {
      // -e 1: the first frame from the server answers the handshake.
      onFrame: this.endpoint.authType === 0 ? onFrame
        : (frame) => (handshake?.pending ? handshake.onAnswer(frame) : onFrame(frame)),
      onError: (error) => {
        this.lastError = error.message;
      },
      onClose: () => {
        clearTimeout(connectTimer);
        if (this.conn === conn) {
          this.conn = undefined;
          this.isConnected = false;
        }
        // A refused handshake counts as a failed connect (back-off, endpoint health), with the auth code; a connection
        // that never opened is a plain connect failure.
        const refused = established && handshake?.pending ? handshake.refusal() : undefined;
        handshake?.closed();
        if (this.handshake === handshake) this.handshake = undefined;
        if (refused) {
          this.backoff = Math.min(Math.max(this.options.backoffMs ?? 100, this.backoff * 2),
            this.options.maxBackoffMs ?? 5000);
          this.retryAt = Date.now() + this.backoff;
          this.lastError = refused;
          this.authRefused = true;
          this.failAll(AUTH_REFUSED_CODE, refused, conn, true);
        } else if (!established) {
          this.authRefused = false;
          this.backoff = Math.min(Math.max(this.options.backoffMs ?? 100, this.backoff * 2),
            this.options.maxBackoffMs ?? 5000);
          this.retryAt = Date.now() + this.backoff;
          this.failAll(ReturnCode.TARSPROXYCONNECTERR, `cannot connect: ${this.lastError || 'connection refused'}`, conn,
            true);
        } else {
          this.failAll(ReturnCode.TARSPROXYCONNECTERR,
            `connection closed before the answer${this.lastError ? ` (${this.lastError})` : ''}`, conn);
        }
      },
    }, {maxPacket: this.options.maxPacket ?? DEFAULT_MAX_PACKET});
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      established = true;
      clearTimeout(connectTimer);
      this.backoff = 0;
      this.lastError = '';
      if (this.conn === conn && !handshake) this.isConnected = true;
    });
    if (this.endpoint.authType !== 0) {
      handshake = new ClientHandshake(conn, this.options.auth!, endpointKey(this.endpoint),
        this.options.connectTimeoutMs ?? 3000, () => {
          if (this.conn === conn) this.isConnected = true;
          if (this.handshake === handshake) this.handshake = undefined;
        });
      this.handshake = handshake;
    }
    return conn;
  }

  send(frame: Uint8Array, requestId: number, timeoutMs: number, oneway: boolean): Promise<ResponsePacket | null> {
    if (this.closed) return Promise.reject(new LocalFailure(ReturnCode.TARSSENDREQUESTERR, 'the proxy is closed'));
    if (!this.conn) {
      const wait = this.retryAt - Date.now();
      if (this.endpoint.authType !== 0) {
        const missing = missingKeys(this.options.auth?.objName ?? this.options.keepAliveServant, this.options.auth);
        if (missing) return Promise.reject(new LocalFailure(AUTH_REFUSED_CODE, missing, true));
      }
      if (wait > 0) {
        return Promise.reject(new LocalFailure(this.authRefused ? AUTH_REFUSED_CODE : ReturnCode.TARSPROXYCONNECTERR,
          `cannot connect (${this.lastError || 'refused'}); next attempt in ${wait} ms`, true));
      }
      this.conn = this.connect();
      this.startKeepAlive();
    }
    this.sentSinceTick++;
    const conn = this.conn;
    if (oneway) {
      // Resolved once the frame is handed to the socket, so that closing right after loses nothing.
      return new Promise((resolve, reject) => {
        const fail = (): void => reject(new LocalFailure(ReturnCode.TARSSENDREQUESTERR,
          'send queue full or connection closed'));
        const written = (error?: Error | null): void => (error ? fail() : resolve(null));
        if (this.handshake !== undefined && this.handshake.conn === conn) this.handshake.hold(frame, written);
        else if (!conn.send(frame, written)) fail();
      });
    }
    const answer = this.wait(requestId, timeoutMs, conn);
    if (this.handshake !== undefined && this.handshake.conn === conn) this.handshake.hold(frame);
    else if (!conn.send(frame)) this.failOne(requestId, 'send queue full or connection closed');
    return answer;
  }

  private failOne(requestId: number, message: string): void {
    this.take(requestId)?.reject(new LocalFailure(ReturnCode.TARSSENDREQUESTERR, message));
  }

  protected override onReconnectNotice(): void {
    // New requests go to a new connection; the old one stays open for the answers still due on it and the
    // server closes it when done.
    this.conn = undefined;
    this.isConnected = false;
  }

  close(): void {
    this.closed = true;
    if (this.keepAliveTimer) clearInterval(this.keepAliveTimer);
    this.failAll(ReturnCode.TARSSENDREQUESTERR, 'the communicator was closed');
    this.stopSweep();
    // end, not destroy: frames already queued (one-way calls) still go out.
    const conn = this.conn;
    conn?.end();
    if (conn) setTimeout(() => conn.destroy(), 1000).unref();
    this.conn = undefined;
  }
}

/** UDP: one datagram per frame each way (protocol.md 2.10); a lost datagram shows up as a timeout. */
export class UdpChannel extends BaseChannel {
  private socket?: dgram.Socket;

  private open(): dgram.Socket {
    const socket = dgram.createSocket(this.endpoint.host.includes(':') ? 'udp6' : 'udp4');
    socket.on('message', (msg) => {
      try {
        if (frameLength(msg, 0, this.options.maxPacket ?? DEFAULT_MAX_PACKET) === msg.length) this.onResponse(msg);
      } catch {
        // a malformed datagram is dropped
      }
    });
    socket.on('error', () => {
      // send errors are reported per request; nothing else to do with an unconnected socket
    });
    socket.unref();
    return socket;
  }

  /** As for TCP: the socket holds the process open only while a call waits for its answer. */
  protected override busy(pending: boolean): void {
    if (pending) this.socket?.ref();
    else this.socket?.unref();
  }

  send(frame: Uint8Array, requestId: number, timeoutMs: number, oneway: boolean): Promise<ResponsePacket | null> {
    if (this.closed) return Promise.reject(new LocalFailure(ReturnCode.TARSSENDREQUESTERR, 'the proxy is closed'));
    this.socket ??= this.open();
    const answer = oneway ? null : this.wait(requestId, timeoutMs);
    this.socket.send(frame, this.endpoint.port, this.endpoint.host, (error) => {
      if (!error) return;
      this.take(requestId)?.reject(new LocalFailure(ReturnCode.TARSSENDREQUESTERR,
        `UDP send failed: ${error.message}`));
    });
    return answer ?? Promise.resolve(null);
  }

  close(): void {
    this.closed = true;
    this.failAll(ReturnCode.TARSSENDREQUESTERR, 'the communicator was closed');
    this.stopSweep();
    this.socket?.close();
    this.socket = undefined;
  }
}

/** A channel for an endpoint: TCP for tcp, TCP over TLS for ssl (with `options.tls`), UDP for udp. */
export function createChannel(endpoint: Endpoint, options: ChannelOptions = {}): Channel {
  return endpoint.protocol === 'udp' ? new UdpChannel(endpoint, options) : new TcpChannel(endpoint, options);
}
