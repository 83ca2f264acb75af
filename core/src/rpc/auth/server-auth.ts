import {AUTH_STATE} from '../../framework/AuthFTars.js';
import {decodeRequestFrame} from '../../protocol/packets.js';
import {authStateName, authSuccessFrame, verifyAuthPackage} from './handshake.js';

/** The keys an adapter accepts: TarsCpp keeps one access key and its secret per adapter. */
export interface AdapterAuthKeys {
  /** Servant (object) the handshakes must name. */
  objName: string;
  accessKey?: string;
  secretKey?: string;
}

/** Clock and log rate of a {@link ServerAuthGate}; tests inject them. */
export interface ServerAuthOptions {
  /** Seconds since the epoch. Default: Date.now() / 1000. */
  nowSeconds?: () => number;
  /** Clock for the log rate, ms. Default Date.now. */
  nowMs?: () => number;
  /** At most one refusal line per this many ms; the others are counted into the next line. Default 1000. */
  logIntervalMs?: number;
}

/** The verdict on a connection's first frame: the answer to send, or why the connection is closed. */
export type AuthVerdict = {ok: true; answer: Buffer} | {ok: false; state: number; reason: string};

/**
 * The server side of endpoint auth for one `-e 1` adapter (TarsCpp's serverVerifyAuthCallback): the first frame of
 * each connection must be a handshake (a RequestPacket whose sBuffer is a BasicAuthPackage); an accepted one is
 * answered with "AUTH_SUCC" and the connection then serves requests; anything else closes the connection with no
 * answer (as TarsCpp does), and is logged: one line per refused connection (peer, object, access key, state), at
 * most one line per `logIntervalMs`, the lines held back counted into the next one.
 */
export class ServerAuthGate {
  private readonly nowSeconds: () => number;
  private readonly nowMs: () => number;
  private readonly intervalMs: number;
  private lastLineAt = -Infinity;
  private heldBack = 0;
  /** Connections refused so far. */
  refused = 0;
  /** Handshakes accepted so far. */
  accepted = 0;

  constructor(private readonly keys: AdapterAuthKeys, private readonly log: (line: string) => void,
    options: ServerAuthOptions = {}) {
    this.nowSeconds = options.nowSeconds ?? ((): number => Date.now() / 1000);
    this.nowMs = options.nowMs ?? Date.now;
    this.intervalMs = options.logIntervalMs ?? 1000;
  }

  /** Whether the adapter has keys at all (without them every handshake fails with AUTH_WRONG_AK, as in TarsCpp). */
  get configured(): boolean {
    return Boolean(this.keys.accessKey && this.keys.secretKey);
  }

  private secretOf(accessKey: string): string | undefined {
    return accessKey === this.keys.accessKey ? this.keys.secretKey : undefined;
  }

  /** Checks the first frame (length prefix included) of a connection from `peer` (`host:port`). */
  check(frame: Uint8Array, peer: string): AuthVerdict {
    let verdict: AuthVerdict;
    let detail = '';
    try {
      const req = decodeRequestFrame(frame);
      const {state, pkg} = verifyAuthPackage(req.sBuffer, {objName: this.keys.objName,
        secretOf: (ak) => this.secretOf(ak)}, this.nowSeconds());
      if (pkg) detail = `, object ${JSON.stringify(pkg.sObjName)}, access key ${JSON.stringify(pkg.sAccessKey)}`;
      else if (req.sFuncName) detail = `, not a handshake (${req.sServantName}.${req.sFuncName})`;
      verdict = state === AUTH_STATE.AUTH_SUCC ? {ok: true, answer: authSuccessFrame(req)}
        : {ok: false, state, reason: authStateName(state)};
    } catch {
      verdict = {ok: false, state: AUTH_STATE.AUTH_PROTO_ERR, reason: 'AUTH_PROTO_ERR (not a RequestPacket)'};
    }
    if (verdict.ok) {
      this.accepted++;
    } else {
      this.refused++;
      this.note(`refused connection from ${peer}: ${verdict.reason}${detail}`);
    }
    return verdict;
  }

  private note(line: string): void {
    const now = this.nowMs();
    if (now - this.lastLineAt < this.intervalMs) {
      this.heldBack++;
      return;
    }
    this.emit(line, now);
  }

  private emit(line: string, now: number): void {
    const more = this.heldBack;
    this.heldBack = 0;
    this.lastLineAt = now;
    this.log(`auth ${this.keys.objName}: ${line}${more > 0 ? ` (and ${more} more refused before it, not logged)` : ''}`);
  }

  /** Reports the refusals held back since the last line (the adapter calls it when it closes). */
  flush(): void {
    if (this.heldBack === 0) return;
    const more = this.heldBack;
    this.heldBack = 0;
    this.lastLineAt = this.nowMs();
    this.log(`auth ${this.keys.objName}: ${more} more connection${more === 1 ? '' : 's'} refused, not logged`);
  }
}
