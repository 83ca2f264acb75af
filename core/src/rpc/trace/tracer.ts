/**
 * Call-chain tracing: which calls are traced, the span of each side, and where finished spans go.
 *
 * - A server continues the trace a request carries (trace-context.ts: `traceparent`, else TarsCpp's
 *   `STATUS_TRACE_KEY`): its span is a child of the caller's, and it serves the request inside an async context
 *   holding that span, so that every call it makes meanwhile is a child of it.
 * - A call made outside any traced request starts a trace (a root) when sampled: at `sampleRate`, always for a
 *   dyed call (`traceDyed`), always inside {@link Tracer.runTraced}.
 * - Cost of what is not traced: the server checks the status map of the request (nothing when it is empty) and,
 *   with a sample rate, draws a random number; no async context is entered and nothing is allocated. A process
 *   with no tracer (the default: `trace-sample-rate` 0 and no dye) pays nothing at all.
 *
 * Finished spans go to {@link SpanSink}s (the log daemon in batches, an OpenTelemetry exporter), which never block.
 */
import {AsyncLocalStorage} from 'node:async_hooks';

import {TarsWriter} from '../../codec/writer.js';
import {currentDyeKey, dyeingStarted} from '../dye.js';
import type {ClientCall, ClientInterceptor, ClientNext, RawResult} from '../interceptors.js';
import type {CallContext} from '../servant.js';
import type {SpanRecord} from './span.js';
import {type TraceContext, extractTraceContext, injectTraceContext, newSpanId, newTraceId} from './trace-context.js';

/** Where finished spans go (its owner closes it). `add` must never block or throw. */
export interface SpanSink {
  add(span: SpanRecord): void;
}

/** The span being served or the trace being started: what calls made meanwhile hang under. */
export interface ActiveTrace {
  readonly traceId: string;
  /** The span calls made now are children of; '' inside {@link Tracer.runTraced} before any call (they are roots). */
  readonly spanId: string;
  readonly traceState?: string;
  readonly tarsFlags?: string;
}

export interface TracerOptions {
  /** Share of calls that start a trace when nothing else decides (0..1; default 0: only dyed and forced ones). */
  sampleRate?: number;
  /** Whether a dyed call or request starts a trace (default true). */
  traceDyed?: boolean;
  /** The caller's name in client spans (`App.Server`; the CLI's `tars.call`). */
  moduleName: string;
  /** Where finished spans go. */
  sinks: readonly SpanSink[];
  /** Draws in [0, 1) for sampling (tests); default Math.random. */
  random?: () => number;
  /** Epoch ms now, fractional (tests); default the monotonic clock from the process's start time. */
  now?: () => number;
  /**
   * Called once when the first trace runs here (a traced request served, {@link Tracer.runTraced}), or at once with
   * a sample rate (then from the constructor: use the argument, not a variable the constructor's result is assigned
   * to): where the owner installs {@link Tracer.clientInterceptor}, so that calls take the proxy's direct path while
   * nothing is traced.
   */
  onActive?: (tracer: Tracer) => void;
}

/** The status key with the caller's module name in a traced call (TarsGo's opentelemetry filter sets it too). */
export const MASTER_NAME = 'TARS_MASTER_NAME';

/**
 * Calls to these objects are never traced: where the runtime reports to (log lines, spans, stats, properties,
 * notifications), and the plumbing under every call (the locator's endpoint lookups, heart-beats to the registry and
 * the node), which would otherwise show in whichever trace first made a proxy, and its timers, run.
 */
const UNTRACED_OBJECTS = new Set(['tars.tarslog.LogObj', 'tars.tarsstat.StatObj', 'tars.tarsproperty.PropertyObj',
  'tars.tarsnotify.NotifyObj', 'tars.tarsregistry.QueryObj', 'tars.tarsregistry.RegistryObj',
  'tars.tarsnode.ServerObj']);

const storage = new AsyncLocalStorage<ActiveTrace>();
let entered = false;

/** The trace of the request being served here (or of {@link Tracer.runTraced}), if any. */
export function currentTrace(): ActiveTrace | undefined {
  return entered ? storage.getStore() : undefined;
}

function enter<T>(active: ActiveTrace, fn: () => T): T {
  entered = true;
  return storage.run(active, fn);
}

/** The encoded size of a call's arguments, written aside when the proxy writes them straight into the frame. */
function bodySize(body: Uint8Array | ((w: TarsWriter) => void)): number {
  if (typeof body !== 'function') return body.length;
  const w = new TarsWriter();
  body(w);
  return w.toBuffer().length;
}

/**
 * A span record, always of one shape (absent fields undefined): records built with conditional spreads
 * (`...(x ? {x} : {})`) cost about a microsecond each, a good part of what a traced call costs.
 */
function record(traceId: string, spanId: string, parentSpanId: string | undefined, kind: 'client' | 'server',
  caller: string, callee: string, func: string, peer: string | undefined, startMs: number, endMs: number, ret: number,
  error: string | undefined, requestBytes: number | undefined, responseBytes: number | undefined,
  tarsFlags: string | undefined): SpanRecord {
  return {traceId, spanId, parentSpanId, kind, caller, callee, func, peer, startMs, endMs, ret, error, requestBytes,
    responseBytes, tarsFlags};
}

/** A span open on the server side: {@link Tracer.serverSpan} made it, the dispatcher ends it. */
export interface ServerSpan {
  /** Runs the servant (and what it calls) as this span. */
  run<T>(fn: () => T): T;
  /** Ends the span with the request's return code and the response body's size. */
  end(ret: number, responseBytes: number | undefined, error?: string): void;
}

export class Tracer {
  private readonly sampleRate: number;
  private readonly traceDyed: boolean;
  private readonly random: () => number;
  private readonly now: () => number;
  /** Spans finished, by kind. */
  readonly counts = {client: 0, server: 0};

  constructor(private readonly options: TracerOptions) {
    const rate = options.sampleRate ?? 0;
    this.sampleRate = Number.isFinite(rate) ? Math.min(1, Math.max(0, rate)) : 0;
    this.traceDyed = options.traceDyed ?? true;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? (() => performance.timeOrigin + performance.now());
    if (this.sampleRate > 0 || (this.traceDyed && dyeingStarted())) this.activate();
  }

  private active = false;

  private activate(): void {
    if (this.active) return;
    this.active = true;
    this.options.onActive?.(this);
  }

  /** Whether a call with no trace to continue starts one: dyed, or drawn at the sample rate. */
  private sampleRoot(dyed: boolean): boolean {
    if (dyed && this.traceDyed) return true;
    return this.sampleRate > 0 && this.random() < this.sampleRate;
  }

  private finish(span: SpanRecord): void {
    this.counts[span.kind]++;
    for (const sink of this.options.sinks) {
      try {
        sink.add(span);
      } catch {
        // a sink never breaks a call
      }
    }
  }

  /**
   * Runs `fn` as the start of a trace: every call it makes (and what they make) is traced, whatever the sample rate.
   * Returns the trace id with `fn`'s result (`tars call --trace`).
   */
  runTraced<T>(fn: () => T, traceId = newTraceId()): {traceId: string; result: T} {
    this.activate();
    return {traceId, result: enter({traceId, spanId: ''}, fn)};
  }

  /**
   * The client side: a span around every traced call, its context written into the call's status. A call with no
   * trace to continue and not sampled goes through untouched, and synchronously: no promise of its own (an async
   * wrapper around every call cost ~0.1 us of CPU each, more than sampling 1% of them).
   */
  readonly clientInterceptor: ClientInterceptor = (call, next) => {
    // The runtime's own reports and plumbing are never traced: a span of a log send would be sent as a log line,
    // whose send would make a span...
    if (UNTRACED_OBJECTS.has(call.obj)) return next(call);
    const parent = currentTrace();
    if (parent === undefined) {
      // The framework's own calls (the registry, the config center, ...) are traced only as part of a traced call.
      if (call.obj.startsWith('tars.')) return next(call);
      const dyed = call.options.dyeKey !== undefined || (dyeingStarted() && currentDyeKey() !== undefined);
      if (!this.sampleRoot(dyed)) return next(call);
    }
    return this.tracedCall(call, next, parent);
  };

  /** One traced call: its span, a child of `parent` or a new trace's root. */
  private async tracedCall(call: ClientCall, next: ClientNext, parent: ActiveTrace | undefined): Promise<RawResult> {
    const traceId = parent?.traceId ?? newTraceId();
    const spanId = newSpanId();
    const status = new Map<string, string>(call.options.status instanceof Map ? call.options.status
      : Object.entries(call.options.status ?? {}));
    injectTraceContext(status, traceId, spanId, true, parent);
    status.set(MASTER_NAME, this.options.moduleName);
    const startMs = this.now();
    const parentSpanId = parent?.spanId || undefined;
    const tarsFlags = parent?.tarsFlags || undefined;
    const requestBytes = bodySize(call.sBuffer);
    let result: RawResult;
    try {
      result = await next({...call, options: {...call.options, status}});
    } catch (error) {
      const e = error as {returnCode?: unknown; message?: string; endpoint?: string};
      this.finish(record(traceId, spanId, parentSpanId, 'client', this.options.moduleName, call.obj, call.func,
        typeof e.endpoint === 'string' && e.endpoint ? e.endpoint : undefined, startMs, this.now(),
        typeof e.returnCode === 'number' ? e.returnCode : -99, e.message ?? String(error), requestBytes, undefined,
        tarsFlags));
      throw error;
    }
    const {host, port} = result.endpoint as {host?: string; port?: number};
    this.finish(record(traceId, spanId, parentSpanId, 'client', this.options.moduleName, call.obj, call.func,
      host !== undefined ? `${host}:${port}` : undefined, startMs, this.now(), result.response?.iRet ?? 0, undefined,
      requestBytes, result.response?.sBuffer.length, tarsFlags));
    return result;
  }

  /**
   * The server side, for the dispatcher: the span of a request when it is traced (its caller's trace continued, or
   * a root sampled here), else undefined (and nothing else happens).
   */
  serverSpan(ctx: CallContext, requestBytes: number): ServerSpan | undefined {
    const incoming: TraceContext | undefined = ctx.status.size === 0 ? undefined : extractTraceContext(ctx.status);
    if (incoming ? !incoming.sampled : !this.sampleRoot(ctx.dyeKey !== undefined)) return undefined;
    this.activate();
    const traceId = incoming?.traceId ?? newTraceId();
    const spanId = newSpanId();
    const active: ActiveTrace = {traceId, spanId, traceState: incoming?.traceState || undefined,
      tarsFlags: incoming?.tarsFlags || undefined};
    const startMs = this.now();
    const caller = ctx.status.get(MASTER_NAME) ?? '';
    let ended = false;
    return {
      run: (fn) => enter(active, fn),
      end: (ret, responseBytes, error) => {
        if (ended) return;
        ended = true;
        this.finish(record(traceId, spanId, incoming?.spanId, 'server', caller, ctx.servant, ctx.func,
          ctx.remote ? `${ctx.remote.host}:${ctx.remote.port}` : undefined, startMs, this.now(), ret,
          error || undefined, requestBytes, responseBytes, incoming?.tarsFlags || undefined));
      },
    };
  }

}
