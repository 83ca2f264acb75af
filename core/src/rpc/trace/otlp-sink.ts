/**
 * Spans to an OpenTelemetry collector (Jaeger, Tempo, Zipkin behind one) over OTLP/HTTP, with the official exporter
 * (`@opentelemetry/exporter-trace-otlp-http`: JSON, POST to the URL), so that TARS calls show next to everything else.
 *
 * Each {@link SpanRecord} becomes the ReadableSpan the exporter takes, in TarsGo's form
 * (contrib/middleware/opentelemetry): name `<Obj>.<func>`, kind SERVER or CLIENT, attributes `tars.interface`
 * (servant), `tars.method`, `tars.rpc.ret`, `tars.master.name` (the caller's module), `tars.slave.name` (the callee's
 * App.Server), the peer's address split as TarsGo does (`tars.master.ip`/`tars.client.port` on the server,
 * `tars.slave.ip`/`tars.slave.port` on the client) and whole in `tars.peer`, `tars.request.size`, `tars.response.size`;
 * status ERROR with the error text when the return code is not 0; resource `service.name` = the module name. A
 * 32-hex span id (a TarsCpp caller's) is cut to its last 16 digits, as the traceparent we send has it.
 *
 * Batched here, never blocking a call: a bounded queue (beyond it spans are dropped and counted), one export in
 * flight, sent every `intervalMs` or as soon as `batchSpans` are queued. The OpenTelemetry packages are optional
 * for services (peer dependencies of @tars-ts/core): they are loaded with import() only when a sink is made, and a
 * missing one is reported once, naming what to install (see {@link OtlpSpanSink.ready}).
 */
import type {ExportResult} from '@opentelemetry/core';
import type {Resource} from '@opentelemetry/resources';
import type {ReadableSpan, SpanExporter} from '@opentelemetry/sdk-trace-base';

import {runUndyed} from '../dye.js';
import {type ReportTimer, realReportTimer} from '../stat/report-timer.js';
import type {SpanRecord} from './span.js';
import type {SpanSink} from './tracer.js';

/** The packages an OTLP sink loads, at the versions @tars-ts/core is tested with. */
export const OTLP_PACKAGES = ['@opentelemetry/api@1.9.1', '@opentelemetry/core@2.12.1',
  '@opentelemetry/resources@2.12.1', '@opentelemetry/sdk-trace-base@2.12.1',
  '@opentelemetry/exporter-trace-otlp-http@0.223.1'] as const;

/** The instrumentation scope our spans are reported under. */
export const OTLP_SCOPE = {name: '@tars-ts/core', version: '0.1.0'};

export interface OtlpSpanSinkOptions {
  /**
   * The collector's OTLP/HTTP traces URL (`http://host:4318/v1/traces`), POSTed to as given; a URL with no path
   * gets `/v1/traces` (as OTEL_EXPORTER_OTLP_ENDPOINT does).
   */
  url: string;
  /** Resource `service.name`: the module name (`App.Server`). */
  serviceName: string;
  /** More resource attributes. */
  resourceAttributes?: Record<string, string>;
  /** HTTP headers of every export (an API key). */
  headers?: Record<string, string>;
  /** ms between exports (default 1000). */
  intervalMs?: number;
  /** Most spans in one export; this many queued are sent at once (default 512). */
  batchSpans?: number;
  /** Most spans queued (default 4096); further spans are dropped and counted. */
  maxQueued?: number;
  /** The time one export may take, the exporter's retries included (default 5000 ms). */
  timeoutMs?: number;
  /** Told once when the packages cannot be loaded (the service keeps running; spans are dropped and counted). */
  onError?: (error: Error) => void;
  /** The export timer (tests). */
  timer?: ReportTimer;
}

/** Counters of an {@link OtlpSpanSink}, in spans unless said otherwise. */
export interface OtlpSpanSinkStats {
  /** Spans the collector took. */
  exported: number;
  /** Spans dropped: queue full, export failed, packages missing, or added after close. */
  dropped: number;
  /** Spans queued now (in flight included). */
  queued: number;
  /** Exports (POSTs) made, and how many failed. */
  exports: number;
  failedExports: number;
  /** The last failure, '' when none. */
  lastError: string;
}

/** What the sink uses of the OpenTelemetry packages. */
interface Otlp {
  exporter: SpanExporter;
  resource: Resource;
  kinds: {server: number; client: number};
  statusError: number;
  statusUnset: number;
  sampled: number;
}

/** The error for packages that are not installed: names every one, with the command that installs them. */
export function missingOtlpPackages(cause: unknown): Error {
  const detail = (cause as Error)?.message ?? String(cause);
  return new Error(`trace-otlp needs the OpenTelemetry packages, which are optional for services: ` +
    `npm install ${OTLP_PACKAGES.join(' ')} (${detail.split('\n')[0]})`, {cause});
}

/** `http://h:4318` -> `http://h:4318/v1/traces`; anything with a path unchanged. */
export function otlpTracesUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.pathname === '' || u.pathname === '/') u.pathname = '/v1/traces';
    return u.href;
  } catch {
    return url;
  }
}

async function loadOtlp(options: OtlpSpanSinkOptions): Promise<Otlp> {
  let modules;
  try {
    modules = await Promise.all([import('@opentelemetry/api'), import('@opentelemetry/core'),
      import('@opentelemetry/resources'), import('@opentelemetry/exporter-trace-otlp-http')]);
  } catch (error) {
    throw missingOtlpPackages(error);
  }
  const [api, , resources, http] = modules;
  const exporter = new http.OTLPTraceExporter({url: otlpTracesUrl(options.url), headers: options.headers,
    timeoutMillis: options.timeoutMs ?? 5000, concurrencyLimit: 1});
  const resource = resources.defaultResource().merge(resources.resourceFromAttributes({
    ...options.resourceAttributes, 'service.name': options.serviceName}));
  return {exporter, resource, kinds: {server: api.SpanKind.SERVER, client: api.SpanKind.CLIENT},
    statusError: api.SpanStatusCode.ERROR, statusUnset: api.SpanStatusCode.UNSET, sampled: api.TraceFlags.SAMPLED};
}

/** Epoch ms (fractional) as OpenTelemetry's HrTime: [seconds, nanoseconds]. */
export function hrTime(ms: number): [number, number] {
  const seconds = Math.floor(ms / 1000);
  const nanos = Math.round((ms - seconds * 1000) * 1e6);
  return nanos >= 1e9 ? [seconds + 1, nanos - 1e9] : [seconds, nanos];
}

/** A span id as OpenTelemetry takes it: 16 hex digits (a TarsCpp 32-digit id: its last 16). */
function id16(id: string): string {
  return id.length > 16 ? id.slice(-16) : id.padStart(16, '0');
}

/** `host:port` -> [host, port]; an IPv6 host keeps its colons. */
function splitPeer(peer: string): [string, string] {
  const at = peer.lastIndexOf(':');
  return at < 0 ? [peer, ''] : [peer.slice(0, at).replace(/^\[|\]$/g, ''), peer.slice(at + 1)];
}

/** One of our spans as the exporter's ReadableSpan. */
function toReadableSpan(span: SpanRecord, otlp: Otlp): ReadableSpan {
  const dot = span.callee.lastIndexOf('.');
  const attributes: Record<string, string | number> = {'tars.interface': span.callee, 'tars.method': span.func,
    'tars.rpc.ret': span.ret};
  if (dot > 0) attributes['tars.slave.name'] = span.callee.slice(0, dot);
  if (span.caller) attributes['tars.master.name'] = span.caller;
  if (span.kind === 'client') attributes['tars.protocol'] = 'tars';
  if (span.peer) {
    const [host, port] = splitPeer(span.peer);
    attributes['tars.peer'] = span.peer;
    if (span.kind === 'server') {
      attributes['tars.master.ip'] = host;
      attributes['tars.client.port'] = port;
    } else {
      attributes['tars.slave.ip'] = host;
      attributes['tars.slave.port'] = port;
    }
  }
  if (span.requestBytes !== undefined) attributes['tars.request.size'] = span.requestBytes;
  if (span.responseBytes !== undefined) attributes['tars.response.size'] = span.responseBytes;
  const context = {traceId: span.traceId, spanId: id16(span.spanId), traceFlags: otlp.sampled};
  return {
    name: `${dot >= 0 ? span.callee.slice(dot + 1) : span.callee}.${span.func}`,
    kind: span.kind === 'server' ? otlp.kinds.server : otlp.kinds.client,
    spanContext: () => context,
    ...(span.parentSpanId ? {parentSpanContext: {traceId: span.traceId, spanId: id16(span.parentSpanId),
      traceFlags: otlp.sampled, isRemote: span.kind === 'server'}} : {}),
    startTime: hrTime(span.startMs),
    endTime: hrTime(span.endMs),
    duration: hrTime(Math.max(0, span.endMs - span.startMs)),
    status: span.ret !== 0 ? {code: otlp.statusError, message: span.error || `ret ${span.ret}`}
      : {code: otlp.statusUnset},
    attributes,
    links: [],
    events: [],
    ended: true,
    resource: otlp.resource,
    instrumentationScope: OTLP_SCOPE,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

export class OtlpSpanSink implements SpanSink {
  private readonly intervalMs: number;
  private readonly batchSpans: number;
  private readonly maxQueued: number;
  private readonly timeoutMs: number;
  private readonly loading: Promise<Otlp | undefined>;
  private loadError?: Error;
  private queue: SpanRecord[] = [];
  private inFlight = 0;
  private pumping?: Promise<void>;
  private soon = false;
  private closed = false;
  /** Whether the last export failed. */
  private lastFailed = false;
  private readonly stopTimer: () => void;
  private readonly counters = {exported: 0, dropped: 0, exports: 0, failedExports: 0, lastError: ''};

  constructor(options: OtlpSpanSinkOptions) {
    this.intervalMs = Math.max(1, options.intervalMs ?? 1000);
    this.batchSpans = Math.max(1, options.batchSpans ?? 512);
    this.maxQueued = Math.max(1, options.maxQueued ?? 4096);
    this.timeoutMs = Math.max(1, options.timeoutMs ?? 5000);
    this.loading = loadOtlp(options).catch((error: Error) => {
      this.loadError = error;
      this.counters.lastError = error.message;
      options.onError?.(error);
      return undefined;
    });
    // Created outside any dye or trace: its ticks must not carry those of whatever request made the first span.
    this.stopTimer = runUndyed(() => (options.timer ?? realReportTimer).every(this.intervalMs,
      () => void this.flush()));
  }

  /** Resolves once the packages are loaded; rejects with the error naming what to install when they are not. */
  async ready(): Promise<void> {
    await this.loading;
    if (this.loadError) throw this.loadError;
  }

  get stats(): OtlpSpanSinkStats {
    return {...this.counters, queued: this.queue.length + this.inFlight};
  }

  /** Queues a span; dropped and counted when the queue is full or the sink closed. Never blocks, never throws. */
  add(span: SpanRecord): void {
    if (this.closed || this.loadError || this.queue.length + this.inFlight >= this.maxQueued) {
      this.counters.dropped++;
      return;
    }
    this.queue.push(span);
    if (this.queue.length >= this.batchSpans && !this.soon) {
      this.soon = true;
      runUndyed(() => setImmediate(() => {
        this.soon = false;
        void this.flush();
      }));
    }
  }

  /**
   * Exports everything queued, `batchSpans` at a time, one export in flight; resolves once the queue is empty (spans
   * added meanwhile included). Never rejects.
   */
  flush(): Promise<void> {
    this.pumping ??= this.pump().finally(() => {
      this.pumping = undefined;
    });
    return this.pumping;
  }

  /**
   * Stops the timer and flushes, waiting at most `waitMs`; spans added afterwards are dropped and counted. When the
   * last export failed (the collector is away) what is queued is dropped instead: an export the exporter retries
   * cannot be cancelled, and would keep the process alive for its whole timeout after the service stopped.
   */
  async close(waitMs = 1000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopTimer();
    if (this.lastFailed) {
      this.counters.dropped += this.queue.length;
      this.queue = [];
    }
    let giveUp: NodeJS.Timeout | undefined;
    await Promise.race([this.flush(), new Promise((resolve) => (giveUp = setTimeout(resolve, waitMs)))]);
    clearTimeout(giveUp);
    const otlp = await this.loading;
    void otlp?.exporter.shutdown().catch(() => undefined);
  }

  private async pump(): Promise<void> {
    const otlp = await this.loading;
    while (this.queue.length > 0) {
      const batch = this.queue.length <= this.batchSpans ? this.queue : this.queue.slice(0, this.batchSpans);
      this.queue = this.queue.length <= this.batchSpans ? [] : this.queue.slice(this.batchSpans);
      if (otlp === undefined) {
        this.counters.dropped += batch.length;
        continue;
      }
      this.inFlight = batch.length;
      const result = await this.export(otlp, batch);
      this.inFlight = 0;
      this.counters.exports++;
      this.lastFailed = result.code !== 0;
      if (result.code === 0) {
        this.counters.exported += batch.length;
      } else {
        this.counters.failedExports++;
        this.counters.dropped += batch.length;
        this.counters.lastError = result.error?.message ?? 'export failed';
      }
    }
  }

  /** One export, bounded: the exporter's own timeout, and ours a second later should it never answer. */
  private export(otlp: Otlp, batch: SpanRecord[]): Promise<ExportResult> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve({code: 1, error: new Error(`export gave no answer in ` +
        `${this.timeoutMs + 1000} ms`)}), this.timeoutMs + 1000).unref();
      const done = (result: ExportResult): void => {
        clearTimeout(timer);
        resolve(result);
      };
      try {
        otlp.exporter.export(batch.map((s) => toReadableSpan(s, otlp)), done);
      } catch (error) {
        done({code: 1, error: error as Error});
      }
    });
  }
}
