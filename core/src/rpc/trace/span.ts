/**
 * A finished span, and its record in the call-chain log: the lines TarsCpp and TarsGo write to the remote log file
 * `_t_trace_` (TRACE_LOG_FILENAME), field for field, so that one log service (ours, or TarsFramework's tarstrace)
 * reads the spans of every language alike:
 *
 *     <flags>-<trace id>|<span id>|<parent span id>|<annotation>|<client>|<server>|<func>|<ms>|<ret>|<data>|<ex>
 *
 * Two lines per span: `cs` and `cr` for the caller's side of a call, `sr` and `ss` for the callee's; a root span's
 * parent is its own id (as TarsCpp writes it); `ms` is the time of the annotation (epoch ms); `data` is base64 of a
 * JSON object: TarsCpp puts the call's parameters there, we put the span's facts ({@link SpanFacts}); `ex` is the
 * error text. TarsCpp's callee annotations name the caller's span with `*` as parent (`<trace>|<span>|*`); the parser
 * takes them as the callee side of that span.
 */

/** The remote log file name of the call chain (TarsCpp TRACE_LOG_FILENAME). */
export const TRACE_LOG_FILE = '_t_trace_';

/** One side of one call, finished. */
export interface SpanRecord {
  readonly traceId: string;
  readonly spanId: string;
  /** The span this one is a child of; absent for the root of a trace. */
  readonly parentSpanId?: string;
  /** `client`: the caller's side (cs..cr); `server`: the callee's (sr..ss). */
  readonly kind: 'client' | 'server';
  /** Who calls: the caller's module name (`App.Server`, `tars.call` for the CLI), '' when unknown. */
  readonly caller: string;
  /** What is called: the servant object (`App.Server.Obj`). */
  readonly callee: string;
  readonly func: string;
  /** The other side: the callee's endpoint (client), the caller's address (server). */
  readonly peer?: string;
  /** Epoch ms (fractional) when the call left / the request arrived. */
  readonly startMs: number;
  /** Epoch ms (fractional) when the answer arrived / was sent. */
  readonly endMs: number;
  /** The TARS return code (0: success; a local timeout is -7, no connection -6 ...). */
  readonly ret: number;
  /** The error text of a failed call. */
  readonly error?: string;
  readonly requestBytes?: number;
  readonly responseBytes?: number;
  /** TarsCpp's trace type of a continued TarsCpp trace (`f`, `0`, ...); `0` else. */
  readonly tarsFlags?: string;
}

/** What a span puts in the `data` field of its lines (short keys: one line per call in the log). */
export interface SpanFacts {
  /** The peer. */
  p?: string;
  /** Request bytes. */
  q?: number;
  /** Response bytes. */
  r?: number;
  /** Duration in microseconds (the lines' ms are whole). */
  d?: number;
}

const SEPARATORS = /[|\r\n]/;

function clean(text: string): string {
  return SEPARATORS.test(text) ? text.replace(/[|\r\n]/g, ' ') : text;
}

/** The two `_t_trace_` lines of a finished span (without line ends). */
export function spanLines(span: SpanRecord): [string, string] {
  const key = `${span.tarsFlags ?? '0'}-${span.traceId}|${span.spanId}|${span.parentSpanId ?? span.spanId}`;
  const [open, close] = span.kind === 'client' ? ['cs', 'cr'] : ['sr', 'ss'];
  // Assigned one by one: conditional spreads cost microseconds per span.
  const facts: SpanFacts = {};
  if (span.peer) facts.p = span.peer;
  if (span.requestBytes !== undefined) facts.q = span.requestBytes;
  if (span.responseBytes !== undefined) facts.r = span.responseBytes;
  facts.d = Math.max(0, Math.round((span.endMs - span.startMs) * 1000));
  const data = Buffer.from(JSON.stringify(facts)).toString('base64');
  const who = `${clean(span.caller)}|${clean(span.callee)}|${clean(span.func)}`;
  return [`${key}|${open}|${who}|${Math.floor(span.startMs)}|0|${data}|`,
    `${key}|${close}|${who}|${Math.floor(span.endMs)}|${span.ret}|${data}|${clean(span.error ?? '')}`];
}

/** One `_t_trace_` line, read back (ours, TarsCpp's or TarsGo's). */
export interface TraceLine {
  readonly traceId: string;
  readonly spanId: string;
  /** '' for a root (parent = span) and for TarsCpp's callee lines (`*`). */
  readonly parentSpanId: string;
  /** ts, te, cs, cr, sr, ss. */
  readonly annotation: string;
  readonly client: string;
  readonly server: string;
  readonly func: string;
  readonly ms: number;
  readonly ret: number;
  /** Our span facts, when the data field holds them (TarsCpp's holds the call's parameters). */
  readonly facts?: SpanFacts;
  /** The data field decoded, when it is not our facts (TarsCpp's parameters as JSON text). */
  readonly data?: string;
  readonly error: string;
  /** TarsCpp's trace type (the part before `-` in the key). */
  readonly tarsFlags: string;
}

const ANNOTATIONS = new Set(['ts', 'te', 'cs', 'cr', 'sr', 'ss']);

/**
 * Parses one line of the call-chain log; undefined for anything else (a line is never trusted: a malformed one is
 * skipped, not fatal). `line` starts at the trace key: strip what the log service prefixes first.
 */
export function parseTraceLine(line: string): TraceLine | undefined {
  const f = line.replace(/\r?\n$/, '').split('|');
  if (f.length < 10) return undefined;
  const [head, span, parent, annotation, client, server, func, ms, ret, data] = f as string[];
  if (!ANNOTATIONS.has(annotation!)) return undefined;
  const dash = head!.indexOf('-');
  const traceId = dash >= 0 ? head!.slice(dash + 1) : head!;
  if (!/^[0-9a-fA-F]{16,64}$/.test(traceId) || !/^[0-9a-fA-F]{8,64}$/.test(span!)) return undefined;
  const when = Number(ms);
  const code = Number(ret);
  if (!Number.isFinite(when)) return undefined;
  let facts: SpanFacts | undefined;
  let decoded: string | undefined;
  if (data) {
    try {
      decoded = Buffer.from(data, 'base64').toString('utf8');
      const parsed = JSON.parse(decoded) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed) && 'd' in parsed) facts = parsed as SpanFacts;
    } catch {
      // not JSON: kept as text
    }
  }
  return {traceId: traceId.toLowerCase(), spanId: span!.toLowerCase(),
    parentSpanId: parent === '*' || parent === span ? '' : parent!.toLowerCase(), annotation: annotation!,
    client: client!, server: server!, func: func!, ms: when, ret: Number.isFinite(code) ? code : 0,
    ...(facts ? {facts} : decoded ? {data: decoded} : {}), error: f.slice(10).join('|'),
    tarsFlags: dash > 0 ? head!.slice(0, dash) : ''};
}
