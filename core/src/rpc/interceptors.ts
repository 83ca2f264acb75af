/**
 * Interceptors around a call, on both sides (design.md "Runtime behaviour", style rule 5): what stat reporting,
 * tracing, authentication and dyeing plug into, without touching the proxy or the dispatcher again.
 *
 * An interceptor receives the call and `next`, the rest of the chain (the transport or the servant at its end). It
 * may change the call before passing it on, observe or replace the outcome, or answer by itself without calling
 * `next` (a short circuit: a cache, an authentication refusal). Chains run in the order interceptors were added:
 * the first added is the outermost. With no interceptor installed the proxy and the dispatcher take their direct
 * path: nothing is allocated or called for the chain.
 */
import type {Endpoint} from '../protocol/endpoint.js';
import type {ResponsePacket} from '../protocol/packets.js';
import type {TarsWriter} from '../codec/writer.js';
import type {CallOptions} from './call-options.js';
import type {CallContext, CallSuccess, DispatchResult} from './servant.js';

/** A raw call: a function name and an encoded body, as `tars call` and `tars ping` make them. */
export interface RawCall {
  func: string;
  /** The encoded arguments, or a function writing them into the request frame (no buffer of their own). */
  sBuffer: Uint8Array | ((w: TarsWriter) => void);
  version?: number;
  /** Value of a `routekey` parameter, for STATUS_GRID_KEY. */
  routeKey?: string | undefined;
}

/** The outcome of a raw call: the response (null for one-way calls) and the endpoint that answered. */
export interface RawResult {
  response: ResponsePacket | null;
  endpoint: Endpoint;
  ms: number;
}

/** One call on its way out, as a client interceptor sees it. */
export interface ClientCall extends RawCall {
  /** The object (servant) called. */
  readonly obj: string;
  /** The call's options: timeout, context, status, dye key, hash code, one-way. */
  readonly options: CallOptions;
  /** An endpoint chosen by the caller (`tars_ping` of each endpoint); else load balancing picks one. */
  readonly endpoint?: Endpoint | undefined;
}

/** The rest of a client chain. Rejects with a TarsCallError when the call fails (a non-zero iRet included). */
export type ClientNext = (call: ClientCall) => Promise<RawResult>;

/** Wraps a client call: see the module comment. Pass a changed copy of `call` to `next` to change the call. */
export type ClientInterceptor = (call: ClientCall, next: ClientNext) => Promise<RawResult>;

/** What the servant (or an interceptor answering for it) produced: a result to encode, or a framework answer. */
export type ServerOutcome = DispatchResult | CallSuccess;

/** The rest of a server chain: the servant at its end. Never throws. */
export type ServerNext = () => ServerOutcome | Promise<ServerOutcome>;

/**
 * Wraps the dispatch of one request to its servant, after framework checks (protocol version, SET, servant known)
 * and never for `tars_ping` or `tars_describe`. Answer without the servant by returning a {@link DispatchResult}
 * (`{iRet, sBuffer, sResultDesc}`, e.g. {@link refusal}). A thrown error (or rejected promise) is answered like one
 * a servant threw: its TARS code when it has one, else -99 with its message.
 */
export type ServerInterceptor = (ctx: CallContext, next: ServerNext) => ServerOutcome | Promise<ServerOutcome>;

const EMPTY = new Uint8Array(0);

/** A framework answer with a TARS return code and a text, for server interceptors that refuse a call. */
export function refusal(iRet: number, sResultDesc: string): DispatchResult {
  return {iRet, sBuffer: EMPTY, sResultDesc};
}

/** Composes a client chain ending in `transport`; `transport` itself when there is no interceptor. */
export function composeClient(interceptors: readonly ClientInterceptor[], transport: ClientNext): ClientNext {
  let next = transport;
  for (let i = interceptors.length - 1; i >= 0; i--) {
    const interceptor = interceptors[i]!;
    const inner = next;
    next = (call) => interceptor(call, inner);
  }
  return next;
}
