import {AUTH_STATE} from '../../framework/AuthFTars.js';
import {decodeAnyResponseFrame} from '../../protocol/packets.js';
import type {FrameConnection} from '../transport/frame-connection.js';
import {authPackage, authRequestFrame, isAuthSuccess} from './handshake.js';

/** The keys a client presents on connections to one object's `-e 1` endpoints. */
export interface ClientAuthKeys {
  /** The object (servant) name the handshake names. */
  objName: string;
  accessKey: string;
  secretKey: string;
}

/**
 * The code a call fails with when the handshake is refused. The server closes without saying why (TarsCpp), so
 * the client reports AUTH_ERROR (AuthF.tars) and treats the endpoint as one it could not connect to.
 */
export const AUTH_REFUSED_CODE = AUTH_STATE.AUTH_ERROR;

/** Why a client cannot call an `-e 1` endpoint without connecting: keys missing. Undefined when it can try. */
export function missingKeys(objName: string | undefined, keys: ClientAuthKeys | undefined): string | undefined {
  if (keys && keys.accessKey && keys.secretKey) return undefined;
  return `the endpoint requires authentication (-e 1) and no accesskey/secretkey is configured for ` +
    `${objName ?? 'this object'} (<client><${objName ?? 'App.Server.Obj'}> accesskey=..., secretkey=...)`;
}

/**
 * The client side of one connection's handshake (TarsCpp's AdapterProxy::onSendAuthCallback and
 * onVerifyAuthCallback): sends the handshake as the connection's first frame at once, holds every frame sent
 * meanwhile, and on the server's "AUTH_SUCC" sends them in order. Any other answer, no answer within
 * `timeoutMs`, or the server closing first is a refusal: the connection is destroyed and {@link refusal} says why.
 */
export class ClientHandshake {
  /** True until the server accepted the handshake or the connection failed. */
  pending = true;
  private held: {frame: Uint8Array; written?: (error?: Error | null) => void}[] = [];
  private answer = '';
  private readonly timer: NodeJS.Timeout;

  constructor(readonly conn: FrameConnection, private readonly keys: ClientAuthKeys, private readonly endpoint: string,
    timeoutMs: number, private readonly onAccepted: () => void, nowSeconds = Date.now() / 1000) {
    conn.send(authRequestFrame(authPackage(keys.objName, keys.accessKey, keys.secretKey, nowSeconds)));
    this.timer = setTimeout(() => {
      this.answer = `no answer to the handshake in ${timeoutMs} ms`;
      conn.destroy();
    }, timeoutMs);
    this.timer.unref();
  }

  /** Holds a frame until the handshake is accepted. */
  hold(frame: Uint8Array, written?: (error?: Error | null) => void): void {
    this.held.push(written ? {frame, written} : {frame});
  }

  /** The server's answer to the handshake (the connection's first frame from it). */
  onAnswer(frame: Buffer): void {
    clearTimeout(this.timer);
    let accepted = false;
    try {
      const resp = decodeAnyResponseFrame(frame);
      accepted = resp.iRet === 0 && isAuthSuccess(resp);
      if (!accepted) {
        this.answer = `the server answered the handshake with iRet ${resp.iRet}` +
          `${resp.sResultDesc ? ` (${resp.sResultDesc})` : ''}: is the endpoint really -e 1?`;
      }
    } catch {
      this.answer = 'the server answered the handshake with a frame that is not a response';
    }
    if (!accepted) {
      this.conn.destroy();
      return;
    }
    this.pending = false;
    const held = this.held;
    this.held = [];
    for (const h of held) {
      if (!this.conn.send(h.frame, h.written)) h.written?.(new Error('send queue full or connection closed'));
    }
    this.onAccepted();
  }

  /** The connection closed: stops the timer; frames still held are dropped (their calls fail with the close). */
  closed(): void {
    clearTimeout(this.timer);
    const held = this.held;
    this.held = [];
    for (const h of held) h.written?.(new Error(this.refusal()));
  }

  /** One line: why the handshake failed (the call error adds the fix). */
  refusal(): string {
    const why = this.answer || 'the server closed the connection during the handshake';
    return `authentication refused by ${this.endpoint} for ${this.keys.objName} (access key ` +
      `${JSON.stringify(this.keys.accessKey)}): ${why}`;
  }
}
