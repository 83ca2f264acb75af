/**
 * Trace context on the wire, in the request's status map, in the two forms TARS implementations use:
 *
 * - W3C Trace Context: `traceparent` (`00-<trace id, 32 hex>-<parent span id, 16 hex>-<flags, 2 hex>`) and
 *   `tracestate` when present, lower-case keys, as TarsGo's OpenTelemetry filter writes them into `status`
 *   (contrib/middleware/opentelemetry: a propagation.MapCarrier over Req.Status).
 * - TarsCpp's call chain (tarstrace), also in TarsGo (tars/util/trace): `STATUS_TRACE_KEY` with the message type bit
 *   TARSMESSAGETYPETRACE (0x100), valued `<flags hex>[.<param KB>]-<trace id>|<span id>` (the receiver's parent is
 *   the span id), or `...|<span id>|<parent span id>`.
 *
 * A call carries both, so that TarsGo (OpenTelemetry) and TarsCpp/TarsGo (tarstrace) servers continue it; a server
 * reads `traceparent` first, then `STATUS_TRACE_KEY`. All pure functions: no clock, no I/O.
 */
import {randomFillSync} from 'node:crypto';

/** The status key of W3C `traceparent` (lower case, as OpenTelemetry propagators write it). */
export const TRACEPARENT = 'traceparent';
/** The status key of W3C `tracestate`. */
export const TRACESTATE = 'tracestate';
/** TarsCpp's status key of the call chain (ServantProxy::STATUS_TRACE_KEY). */
export const STATUS_TRACE_KEY = 'STATUS_TRACE_KEY';

/** The trace a span belongs to and where it hangs, as a call carries it to the next hop. */
export interface TraceContext {
  /** 32 lower-case hex digits, not all zero. */
  readonly traceId: string;
  /** The caller's span: 16 lower-case hex digits (W3C), or 32 from a TarsCpp caller. */
  readonly spanId: string;
  /** Whether the trace is recorded (W3C flag 01; a TarsCpp trace key is always a recorded trace). */
  readonly sampled: boolean;
  /** W3C `tracestate`, passed on unchanged. */
  readonly traceState?: string;
  /** TarsCpp's trace type (which annotations log their parameters), passed on unchanged; 0 when none. */
  readonly tarsFlags?: string;
}

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;
const ZERO32 = '0'.repeat(32);
const ZERO16 = '0'.repeat(16);

/**
 * Parses a W3C `traceparent`. Version 00 exactly as the spec says; a higher version is read by its first four fields
 * (the spec's rule for future versions); anything else (bad length, upper case, all-zero ids, version ff) is
 * undefined: the server then starts a trace of its own, as the spec asks.
 */
export function parseTraceparent(value: string, traceState?: string): TraceContext | undefined {
  const parts = value.trim().split('-');
  if (parts.length < 4) return undefined;
  const [version, traceId, spanId, flags] = parts as [string, string, string, string];
  if (!/^[0-9a-f]{2}$/.test(version) || version === 'ff') return undefined;
  if (version === '00' && parts.length !== 4) return undefined;
  if (!HEX32.test(traceId) || traceId === ZERO32 || !HEX16.test(spanId) || spanId === ZERO16) return undefined;
  if (!/^[0-9a-f]{2}$/.test(flags)) return undefined;
  const sampled = (Number.parseInt(flags, 16) & 1) === 1;
  return {traceId, spanId, sampled, ...(traceState ? {traceState} : {})};
}

/** `00-<trace>-<span>-<01|00>`; a 32-hex (TarsCpp) span id is cut to its last 16 digits. */
export function formatTraceparent(traceId: string, spanId: string, sampled: boolean): string {
  return `00-${traceId}-${spanId.length > 16 ? spanId.slice(-16) : spanId}-${sampled ? '01' : '00'}`;
}

/**
 * Parses TarsCpp's `STATUS_TRACE_KEY`: `<flags>[.<KB>]-<trace id>|<span id>` (the caller's span: our parent), or
 * `...|<span id>|<parent id>` (TarsGateway's three parts; the first id after the trace is the span). Ids are taken as
 * lower-case hex of 16 or 32 digits; anything else is undefined.
 */
export function parseTarsTraceKey(value: string): TraceContext | undefined {
  const [head, span] = value.split('|');
  if (head === undefined || span === undefined) return undefined;
  const dash = head.indexOf('-');
  const flags = dash > 0 ? head.slice(0, dash) : '0';
  const traceId = (dash > 0 ? head.slice(dash + 1) : head).toLowerCase();
  const spanId = span.toLowerCase();
  if (!/^[0-9a-f]{1,2}(\.\d+)?$/.test(flags)) return undefined;
  if (!/^[0-9a-f]{16}([0-9a-f]{16})?$/.test(traceId) || !/^[0-9a-f]{16}([0-9a-f]{16})?$/.test(spanId)) {
    return undefined;
  }
  return {traceId: traceId.length === 16 ? traceId.padStart(32, '0') : traceId, spanId, sampled: true,
    tarsFlags: flags};
}

/** TarsCpp's `STATUS_TRACE_KEY` for a call: `<flags>-<trace id>|<span id>` (the callee takes the span as parent). */
export function formatTarsTraceKey(traceId: string, spanId: string, tarsFlags = '0'): string {
  return `${tarsFlags}-${traceId}|${spanId}`;
}

/** The caller's trace context in a request's status map: `traceparent` first, then `STATUS_TRACE_KEY`. */
export function extractTraceContext(status: ReadonlyMap<string, string>): TraceContext | undefined {
  const parent = status.get(TRACEPARENT);
  if (parent !== undefined) {
    const w3c = parseTraceparent(parent, status.get(TRACESTATE));
    if (w3c) return w3c;
  }
  const tars = status.get(STATUS_TRACE_KEY);
  return tars === undefined ? undefined : parseTarsTraceKey(tars);
}

/** Writes the context of a call from span `spanId` into `status`: both forms, so that every TARS server follows. */
export function injectTraceContext(status: Map<string, string>, traceId: string, spanId: string, sampled: boolean,
  from?: Pick<TraceContext, 'traceState' | 'tarsFlags'>): void {
  status.set(TRACEPARENT, formatTraceparent(traceId, spanId, sampled));
  if (from?.traceState) status.set(TRACESTATE, from.traceState);
  if (sampled) status.set(STATUS_TRACE_KEY, formatTarsTraceKey(traceId, spanId, from?.tarsFlags));
}

// Ids: random, from a pool refilled 4 KiB at a time (one crypto call per 256 span ids).
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

function randomHex(bytes: number): string {
  for (;;) {
    if (poolAt + bytes > pool.length) {
      randomFillSync(pool);
      poolAt = 0;
    }
    const hex = pool.toString('hex', poolAt, poolAt + bytes);
    poolAt += bytes;
    // All zeros is invalid in W3C; 2^-64 at worst, but never send one.
    if (!/^0+$/.test(hex)) return hex;
  }
}

/** A new trace id: 32 random lower-case hex digits. */
export function newTraceId(): string {
  return randomHex(16);
}

/** A new span id: 16 random lower-case hex digits. */
export function newSpanId(): string {
  return randomHex(8);
}
