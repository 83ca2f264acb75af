/**
 * Call chains read back from the log service (`tars trace list|show`, `tars call --trace`): the lines of the
 * call-chain log `_tars_/_trace_/_tars_._trace___t_trace__<date>.log` (each `<node>|<app>|<server>|<time>|` then a
 * `_t_trace_` record, core's span.ts) made into spans, grouped by trace, hung into a tree, summed up per trace, and
 * drawn as a waterfall for the terminal. Pure functions (the caller passes core's `parseTraceLine`, so that this
 * module does not load the runtime), and {@link readCallChains}, which reads the lines through the log daemon's
 * LogQueryObj.
 *
 * A span is one side of one call: `cs`+`cr` the caller's (client), `sr`+`ss` the callee's (server), `ts`+`te`
 * TarsCpp's local trace points (local). Ours give the callee side its own span id, a child of the caller's; TarsCpp's
 * callee lines carry the caller's span id and parent `*`: such a server side, found next to a client side of the same
 * id, is taken as the callee side of that span (a child of it), and what the callee called hangs under it.
 */
import type {TraceLine} from '@tars-ts/core';
import type {LogQuery} from '@tars-ts/core/framework';

import {type Colour, fitWidth, paint} from './live-view.js';

/** Where the log service keeps every service's call-chain records: the `_t_trace_` log of `_tars_`/`_trace_`. */
export const CALL_CHAIN_APP = '_tars_';
export const CALL_CHAIN_SERVER = '_trace_';
export const CALL_CHAIN_LOG = '_t_trace_';

/** One record of the call-chain log with the fields the log service put before it. */
export interface TraceLogLine {
  /** The sender's node name or IP ('' when the log service writes no ipfix). */
  readonly node: string;
  /** The sender's App and Server. */
  readonly app: string;
  readonly server: string;
  /** The sender's local time of the line (`YYYY-MM-DD HH:MM:SS`). */
  readonly time: string;
  readonly record: TraceLine;
}

const TIME_FIELD = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/;

/**
 * A line of the call-chain log: `node|app|server|time|record` (or `app|server|time|record` from a log service
 * without ipfix); undefined when it is not one.
 */
export function parseTraceLogLine(line: string, parse: (record: string) => TraceLine | undefined):
  TraceLogLine | undefined {
  const f = line.replace(/\r?\n$/, '').split('|');
  const skip = f.length > 4 && TIME_FIELD.test(f[3]!) ? 4 : f.length > 3 && TIME_FIELD.test(f[2]!) ? 3 : 0;
  if (skip === 0) return undefined;
  const [node, app, server, time] = skip === 4 ? f : ['', ...f];
  const record = parse(f.slice(skip).join('|'));
  return record ? {node: node!, app: app!, server: server!, time: time!, record} : undefined;
}

/** One side of one call, as the call-chain log tells it. */
export interface TraceSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** The span id this one hangs under (the caller's side of a call for a callee side); '' for a root. */
  readonly parentSpanId: string;
  readonly kind: 'client' | 'server' | 'local';
  /** Who calls (`App.Server`, `tars.call`); '' when not told (TarsCpp's callee lines). */
  readonly caller: string;
  /** What is called (`App.Server.Obj`; TarsCpp's callee lines: `App.Server`). */
  readonly callee: string;
  readonly func: string;
  /** Epoch ms; the close time less the measured duration when the open line is missing. */
  readonly startMs: number;
  readonly durationMs: number;
  readonly ret: number;
  readonly error: string;
  readonly peer?: string;
  readonly requestBytes?: number;
  readonly responseBytes?: number;
  /** Who wrote the lines: `App.Server` and node from the log service's prefix. */
  readonly writer: string;
  readonly node: string;
  /** Only one of the two lines arrived (the other is late, lost, or the call still runs). */
  readonly partial?: boolean;
}

const OPEN: Record<string, TraceSpan['kind']> = {cs: 'client', sr: 'server', ts: 'local'};
const CLOSE: Record<string, TraceSpan['kind']> = {cr: 'client', ss: 'server', te: 'local'};

/** The spans of the lines (any traces, any order); a line seen twice counts once. */
export function buildSpans(lines: readonly TraceLogLine[]): TraceSpan[] {
  const sides = new Map<string, {open?: TraceLogLine; close?: TraceLogLine; kind: TraceSpan['kind']}>();
  for (const l of lines) {
    const a = l.record.annotation;
    const kind = OPEN[a] ?? CLOSE[a];
    if (!kind) continue;
    const key = `${l.record.traceId}|${l.record.spanId}|${kind}`;
    const side = sides.get(key) ?? {kind};
    if (OPEN[a]) side.open ??= l;
    else side.close ??= l;
    sides.set(key, side);
  }
  const spans: TraceSpan[] = [];
  for (const {open, close, kind} of sides.values()) {
    const any = (close ?? open)!;
    const r = any.record;
    const facts = close?.record.facts ?? open?.record.facts;
    const measured = facts?.d !== undefined ? facts.d / 1000 : undefined;
    const end = close?.record.ms;
    const start = open?.record.ms ?? (end !== undefined ? end - (measured ?? 0) : r.ms);
    const durationMs = measured ?? (end !== undefined ? Math.max(0, end - start) : 0);
    spans.push({traceId: r.traceId, spanId: r.spanId, parentSpanId: open?.record.parentSpanId || r.parentSpanId,
      kind, caller: r.client, callee: r.server, func: r.func, startMs: start, durationMs,
      ret: close ? close.record.ret : r.ret, error: close?.record.error ?? '',
      ...(facts?.p ? {peer: facts.p} : {}), ...(facts?.q !== undefined ? {requestBytes: facts.q} : {}),
      ...(facts?.r !== undefined ? {responseBytes: facts.r} : {}),
      writer: `${any.app}.${any.server}`, node: any.node, ...(open && close ? {} : {partial: true})});
  }
  return spans;
}

/** A span in its trace's tree. */
export interface TraceNode {
  readonly span: TraceSpan;
  /** The span id of the tree parent ('' at the top). */
  readonly parentId: string;
  readonly depth: number;
  /** Its parent span is not in the log (late, lost, or written to a log this one does not read). */
  readonly missingParent: boolean;
  readonly children: TraceNode[];
}

/** One trace: its spans as a tree (roots first, children by start time) and what sums it up. */
export interface Trace {
  readonly traceId: string;
  readonly roots: TraceNode[];
  /** Every node, depth first (the tree's order). */
  readonly nodes: TraceNode[];
  readonly summary: TraceSummary;
}

export interface TraceSummary {
  readonly traceId: string;
  readonly startMs: number;
  readonly durationMs: number;
  readonly spans: number;
  /** The root's service (`App.Server`, the caller of a client root) and function. */
  readonly rootService: string;
  readonly rootFunc: string;
  /** Every `App.Server` taking part, in order of first appearance in the tree. */
  readonly services: string[];
  /** Some span's return code is not 0. */
  readonly error: boolean;
}

/** `App.Server` of `App.Server.Obj` (or of `App.Server`); '' for ''. */
export function serviceOf(name: string): string {
  const parts = name.split('.');
  return parts.length >= 3 ? parts.slice(0, 2).join('.') : name;
}

function byStart(a: TraceNode, b: TraceNode): number {
  return a.span.startMs - b.span.startMs || kindOrder(a.span) - kindOrder(b.span);
}

function kindOrder(s: TraceSpan): number {
  return s.kind === 'client' ? 0 : s.kind === 'server' ? 1 : 2;
}

/** Every trace of `spans`, newest first by start. */
export function buildTraces(spans: readonly TraceSpan[]): Trace[] {
  const byTrace = new Map<string, TraceSpan[]>();
  for (const s of spans) {
    const list = byTrace.get(s.traceId) ?? [];
    list.push(s);
    byTrace.set(s.traceId, list);
  }
  return [...byTrace.values()].map(buildTrace).sort((a, b) => b.summary.startMs - a.summary.startMs);
}

/** The tree of one trace's spans. */
export function buildTrace(spans: readonly TraceSpan[]): Trace {
  // Node keys: the span id, and `<id>/server` for a TarsCpp callee side that shares its caller's id.
  const clientIds = new Set(spans.filter((s) => s.kind !== 'server').map((s) => s.spanId));
  const keyOf = (s: TraceSpan): string => (s.kind === 'server' && clientIds.has(s.spanId) ? `${s.spanId}/server`
    : s.spanId);
  const byKey = new Map<string, TraceSpan>();
  for (const s of spans) byKey.set(keyOf(s), s);
  /** Where a span with parent id `p` hangs: the callee side of `p` when there is one (TarsCpp), else `p`. */
  const parentKey = (s: TraceSpan): string | undefined => {
    if (s.kind === 'server' && clientIds.has(s.spanId)) return s.spanId;
    if (!s.parentSpanId) return undefined;
    return byKey.has(`${s.parentSpanId}/server`) ? `${s.parentSpanId}/server` : s.parentSpanId;
  };
  const children = new Map<string, TraceSpan[]>();
  const tops: TraceSpan[] = [];
  const orphans: TraceSpan[] = [];
  for (const s of byKey.values()) {
    const p = parentKey(s);
    if (p === undefined) tops.push(s);
    else if (!byKey.has(p)) orphans.push(s);
    else children.set(p, [...(children.get(p) ?? []), s]);
  }
  const nodes: TraceNode[] = [];
  const make = (s: TraceSpan, parentId: string, depth: number, missingParent: boolean, seen: Set<string>):
    TraceNode => {
    const key = keyOf(s);
    seen.add(key);
    const node: TraceNode = {span: s, parentId, depth, missingParent, children: []};
    const kids = (children.get(key) ?? []).filter((c) => !seen.has(keyOf(c)));
    for (const c of kids) node.children.push(make(c, s.spanId, depth + 1, false, seen));
    node.children.sort(byStart);
    return node;
  };
  const seen = new Set<string>();
  const roots = tops.map((s) => make(s, '', 0, false, seen)).sort(byStart);
  if (roots.length > 0) {
    const root = roots[0]!;
    for (const s of orphans) root.children.push(make(s, root.span.spanId, 1, true, seen));
    root.children.sort(byStart);
  } else {
    for (const s of orphans) roots.push(make(s, '', 0, true, seen));
    roots.sort(byStart);
  }
  // A cycle (a span whose parents lead back to it) leaves spans unvisited: shown at the top, marked.
  for (const s of byKey.values()) if (!seen.has(keyOf(s))) roots.push(make(s, '', 0, true, seen));
  const walk = (n: TraceNode): void => {
    nodes.push(n);
    n.children.forEach(walk);
  };
  roots.forEach(walk);
  return {traceId: spans[0]?.traceId ?? '', roots, nodes, summary: summarize(nodes)};
}

function summarize(nodes: readonly TraceNode[]): TraceSummary {
  const spans = nodes.map((n) => n.span);
  const start = Math.min(...spans.map((s) => s.startMs));
  const end = Math.max(...spans.map((s) => s.startMs + s.durationMs));
  const root = nodes[0]?.span;
  const services: string[] = [];
  const add = (name: string): void => {
    const svc = serviceOf(name);
    if (svc && !services.includes(svc)) services.push(svc);
  };
  for (const s of spans) {
    add(s.caller);
    add(s.callee);
  }
  return {traceId: root?.traceId ?? '', startMs: start, durationMs: Math.max(0, end - start), spans: spans.length,
    rootService: root ? serviceOf(root.kind === 'client' && root.caller ? root.caller : root.callee) : '',
    rootFunc: root?.func ?? '', services, error: spans.some((s) => s.ret !== 0)};
}

/** What `tars trace list` keeps. */
export interface TraceFilter {
  /** Some service of the trace is of this application. */
  readonly app?: string;
  /** Some service of the trace has this server name. */
  readonly server?: string;
  /** Started at or after (epoch ms). */
  readonly sinceMs?: number;
  /** At least this long (ms). */
  readonly slowMs?: number;
  readonly errorsOnly?: boolean;
}

export function traceMatches(s: TraceSummary, f: TraceFilter): boolean {
  if (f.sinceMs !== undefined && s.startMs < f.sinceMs) return false;
  if (f.slowMs !== undefined && s.durationMs < f.slowMs) return false;
  if (f.errorsOnly && !s.error) return false;
  return s.services.some((svc) => {
    const dot = svc.indexOf('.');
    const [app, server] = dot < 0 ? ['', svc] : [svc.slice(0, dot), svc.slice(dot + 1)];
    return (!f.app || app === f.app) && (!f.server || server === f.server);
  });
}

/** A duration for people: `0.42 ms`, `12.3 ms`, `1.25 s`. */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/** What a span row says of its call: `caller -> callee.func` (the callee's name alone when the caller is unknown). */
export function spanLabel(s: TraceSpan): string {
  const target = `${s.callee}.${s.func}`;
  return s.caller ? `${s.caller} -> ${target}` : target;
}

export interface WaterfallOptions {
  /** The terminal's width (rows are cut to it). */
  readonly width: number;
  /** Colours (on a terminal only). */
  readonly colour: boolean;
}

/**
 * The waterfall of one trace: a header, then one row per span in tree order: the label indented by depth, kind,
 * duration, return code, and a bar placed in the trace's time range.
 */
export function renderWaterfall(trace: Trace, options: WaterfallOptions): string[] {
  const {summary: sum} = trace;
  const c = (text: string, colour: Colour): string => paint(text, colour, options.colour);
  const width = Math.max(40, options.width);
  const labels = trace.nodes.map((n) => `${'  '.repeat(n.depth)}${n.missingParent ? '? ' : ''}${spanLabel(n.span)}`);
  const durations = trace.nodes.map((n) => formatMs(n.span.durationMs));
  const rets = trace.nodes.map((n) => String(n.span.ret));
  const durW = Math.max(8, ...durations.map((d) => d.length));
  const retW = Math.max(3, ...rets.map((r) => r.length));
  const fixed = 2 + 6 + 2 + durW + 2 + retW + 2; // gaps, kind, duration, ret
  const barW = Math.max(10, Math.min(60, Math.floor((width - fixed) / 3)));
  const labelW = Math.max(10, Math.min(Math.max(...labels.map((l) => l.length), 4), width - fixed - barW));
  const header = [
    `${c('trace', 'bold')} ${trace.traceId}  ${new Date(sum.startMs).toISOString()}  ${formatMs(sum.durationMs)}  ` +
      `${sum.spans} spans  ${sum.services.join(', ')}${sum.error ? `  ${c('error', 'red')}` : ''}`,
    c(`${'SPAN'.padEnd(labelW)}  ${'KIND'.padEnd(6)}  ${'DURATION'.padStart(durW)}  ${'RET'.padStart(retW)}  ` +
      `|${'0'.padEnd(barW - formatMs(sum.durationMs).length)}${formatMs(sum.durationMs)}`, 'dim'),
  ];
  const total = sum.durationMs > 0 ? sum.durationMs : 1;
  const rows = trace.nodes.map((n, i) => {
    const s = n.span;
    const from = Math.min(barW - 1, Math.max(0, Math.floor(((s.startMs - sum.startMs) / total) * barW)));
    const to = Math.min(barW, Math.max(from + 1, Math.round(((s.startMs + s.durationMs - sum.startMs) / total) * barW)));
    const bar = ' '.repeat(from) + c('█'.repeat(to - from), s.ret !== 0 ? 'red' : s.kind === 'server' ? 'green'
      : 'cyan') + ' '.repeat(barW - to);
    const label = labels[i]!.length > labelW ? `${labels[i]!.slice(0, labelW - 1)}…` : labels[i]!.padEnd(labelW);
    const ret = s.ret !== 0 ? c(rets[i]!.padStart(retW), 'red') : rets[i]!.padStart(retW);
    return `${label}  ${s.kind.padEnd(6)}  ${durations[i]!.padStart(durW)}  ${ret}  |${bar}` +
      `${s.error ? `  ${c(s.error, 'red')}` : ''}`;
  });
  // Plain rows are cut plainly: fitWidth would add a colour reset to a cut line.
  return [...header, ...rows].map((r) => (options.colour ? fitWidth(r, width) : r.slice(0, width))
    .replace(/ +$/, ''));
}

/** A span of `tars trace show --json`: the tree's order, each with its parent's span id and its depth. */
export interface TraceSpanJson {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  depth: number;
  kind: TraceSpan['kind'];
  caller: string;
  callee: string;
  func: string;
  start: string;
  startMs: number;
  durationMs: number;
  ret: number;
  error: string;
  peer?: string;
  requestBytes?: number;
  responseBytes?: number;
  writer: string;
  node: string;
  missingParent?: boolean;
  partial?: boolean;
}

export function traceSpansJson(trace: Trace): TraceSpanJson[] {
  return trace.nodes.map(({span: s, parentId, depth, missingParent}) => ({traceId: s.traceId, spanId: s.spanId,
    parentSpanId: parentId, depth, kind: s.kind, caller: s.caller, callee: s.callee, func: s.func,
    start: new Date(s.startMs).toISOString(), startMs: s.startMs, durationMs: s.durationMs, ret: s.ret,
    error: s.error, ...(s.peer ? {peer: s.peer} : {}),
    ...(s.requestBytes !== undefined ? {requestBytes: s.requestBytes} : {}),
    ...(s.responseBytes !== undefined ? {responseBytes: s.responseBytes} : {}), writer: s.writer, node: s.node,
    ...(missingParent ? {missingParent} : {}), ...(s.partial ? {partial: true} : {})}));
}

/** A trace of `tars trace list --json`. */
export interface TraceSummaryJson {
  traceId: string;
  start: string;
  durationMs: number;
  root: string;
  spans: number;
  services: string[];
  error: boolean;
}

export function traceSummaryJson(s: TraceSummary): TraceSummaryJson {
  return {traceId: s.traceId, start: new Date(s.startMs).toISOString(), durationMs: s.durationMs,
    root: `${s.rootService}.${s.rootFunc}`, spans: s.spans, services: s.services, error: s.error};
}

/** What {@link readCallChains} read. */
export interface CallChainRead {
  traces: Trace[];
  /** Call-chain files read, lines received. */
  files: number;
  lines: number;
}

/** The lines {@link readCallChainLines} took, and what it read to find them. */
export interface CallChainLines {
  parsed: TraceLogLine[];
  /** Call-chain files read, lines received. */
  files: number;
  lines: number;
}

/**
 * The call-chain lines of the files the log daemon behind `query` (a LogQueryObj proxy) holds: the files written
 * to since `sinceMs` (0: all), read from the start page by page (at most `maxBytes` a call), only the lines holding
 * `traceId` when given (matched by the daemon). At most `maxLines` lines are taken (the oldest first). Rejects as
 * the daemon's calls do.
 */
export async function readCallChainLines(query: LogQuery.LogQueryProxy, options: {sinceMs?: number;
  traceId?: string; maxBytes?: number; maxLines?: number} = {}): Promise<CallChainLines> {
  const [{LogQuery: Q}, {parseTraceLine}] = await Promise.all([import('@tars-ts/core/framework'),
    import('@tars-ts/core')]);
  const id = options.traceId?.toLowerCase();
  const grep = id ? `${id}|${id.toUpperCase()}` : '';
  const maxLines = options.maxLines ?? 2_000_000;
  const {files} = await query.listFiles(Q.LogFileFilter.create({app: CALL_CHAIN_APP, server: CALL_CHAIN_SERVER,
    name: CALL_CHAIN_LOG, since: BigInt(Math.max(0, Math.floor(options.sinceMs ?? 0)))}));
  const parsed: TraceLogLine[] = [];
  let lines = 0;
  for (const f of files) {
    let at = 0;
    for (let page = 0; page < 100_000 && lines < maxLines; page += 1) {
      const {ret, result} = await query.readLines(Q.LogReadRequest.create({path: f.path, offset: BigInt(at),
        maxBytes: options.maxBytes ?? 1024 * 1024, grep}));
      if (ret !== 0) break; // gone meanwhile (retention)
      for (const line of result.lines) {
        lines += 1;
        const p = parseTraceLogLine(line, parseTraceLine);
        if (p && (!id || p.record.traceId === id)) parsed.push(p);
      }
      const next = Number(result.nextOffset);
      const done = next === at || next >= Number(result.size);
      at = next;
      if (done) break;
    }
  }
  return {parsed, files: files.length, lines};
}

/**
 * The traces of the call-chain files of the log daemons behind `queries` (one LogQueryObj proxy per instance: the
 * two lines of one span, or the spans of one trace, may sit on different instances), read as
 * {@link readCallChainLines} reads each. A log directory read through two instances gives its spans once (a span
 * is keyed by its ids). Rejects only when no instance answered, with the first one's error.
 */
export async function readCallChains(queries: LogQuery.LogQueryProxy | readonly LogQuery.LogQueryProxy[],
  options: {sinceMs?: number; traceId?: string; maxBytes?: number; maxLines?: number} = {}): Promise<CallChainRead> {
  const list = Array.isArray(queries) ? queries as readonly LogQuery.LogQueryProxy[] : [queries as LogQuery.LogQueryProxy];
  const read = await Promise.allSettled(list.map((q) => readCallChainLines(q, options)));
  const ok = read.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  if (ok.length === 0 && read.length > 0) throw (read[0] as PromiseRejectedResult).reason;
  return {traces: buildTraces(buildSpans(ok.flatMap((r) => r.parsed))), files: ok.reduce((n, r) => n + r.files, 0),
    lines: ok.reduce((n, r) => n + r.lines, 0)};
}
