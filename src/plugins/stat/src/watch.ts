// `tars stat watch`: the live one-minute series of the stat daemon as rows (one per callee, callee function or
// caller of a callee, each side of the reports apart) and as a top-like frame. Pure: the command fetches, this draws.
import type {StatQuery} from '@tars-ts/core/framework';
import {type Colour, paint, sparkline} from '@tars-ts/kit';

import {averageRspTime, quantileOf, totalCalls} from './aggregate.js';
import type {InstancesJson} from './gather.js';
import {displayValue, numericValue} from './property.js';
import {countersOf} from './query.js';
import {percent} from './views.js';

/** How the rows are grouped (StatQueryRequest.by). */
export type WatchBy = 'callee' | 'interface' | 'caller';
/** What the rows are sorted by (keys c, e, a, p, n). */
export type WatchSort = 'calls' | 'errors' | 'avg' | 'p99' | 'name';

/** One row of `tars stat watch --json`. */
export interface WatchRowJson {
  callee: string;
  interface?: string;
  caller?: string;
  side: string;
  /** Calls in the last 60 s (the open minute, plus the share of the previous one still inside the 60 s). */
  callsPerMin: number;
  /** Over the window (--minutes): every call, then each outcome. */
  calls: number;
  success: number;
  timeout: number;
  exception: number;
  successPct: number;
  timeoutPct: number;
  exceptionPct: number;
  /** Of successful calls. */
  avgMs: number;
  /** Upper bound of the histogram bucket holding the 99th percentile (the maximum past the last bucket). */
  p99Ms: number;
  maxMs: number;
  /** Calls per minute, oldest first, one per minute of the window (0 where nothing was reported). */
  perMinute: number[];
}

/** `tars stat watch --json`. */
export interface WatchJson {
  time: string;
  by: WatchBy;
  minutes: number;
  rows: WatchRowJson[];
  /** The daemon's instances asked and those that answered (the rows add up the answers). */
  instances: InstancesJson;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;
const pct = (n: number, of: number): number => (of === 0 ? 0 : round2(n / of * 100));

/**
 * The rows of `series` at `now`: totals over the `minutes` one-minute slots ending with the open one
 * (`openSlot`, `minuteMs` from the daemon), calls per minute as a sliding 60 s estimate, per-minute counts for the
 * sparkline.
 */
export function watchRows(series: readonly StatQuery.StatSeries[], by: WatchBy, opts: {now: number; openSlot: number;
  minuteMs: number; minutes: number}): WatchRowJson[] {
  const {now, openSlot, minuteMs, minutes} = opts;
  const first = openSlot - (minutes - 1) * minuteMs;
  const elapsed = Math.min(1, Math.max(0, (now - openSlot) / minuteMs));
  return series.map((s) => {
    const perMinute = new Array<number>(minutes).fill(0);
    for (const p of s.points) {
      const i = Math.round((Number(p.time) - first) / minuteMs);
      if (i >= 0 && i < minutes) perMinute[i] = totalCalls(countersOf(p));
    }
    const c = countersOf(s.total!);
    const calls = totalCalls(c);
    const current = perMinute[minutes - 1]!;
    const previous = minutes > 1 ? perMinute[minutes - 2]! : 0;
    return {callee: s.callee, ...(by === 'interface' ? {interface: s.interfaceName} : {}),
      ...(by === 'caller' ? {caller: s.caller} : {}), side: s.side,
      callsPerMin: Math.round(current + previous * (1 - elapsed)), calls, success: c.count, timeout: c.timeoutCount,
      exception: c.execCount, successPct: pct(c.count, calls), timeoutPct: pct(c.timeoutCount, calls),
      exceptionPct: pct(c.execCount, calls), avgMs: round2(averageRspTime(c)), p99Ms: quantileOf(c, 0.99),
      maxMs: c.maxRspTime, perMinute};
  });
}

/** The name a row is known by: callee, callee function, or caller -> callee. */
export function rowName(r: WatchRowJson): string {
  if (r.interface !== undefined) return `${r.callee}.${r.interface}`;
  if (r.caller !== undefined) return `${r.caller} -> ${r.callee}`;
  return r.callee;
}

/** `rows` in the order `sort` asks (largest first, names A to Z), ties by name and side. */
export function sortRows(rows: readonly WatchRowJson[], sort: WatchSort): WatchRowJson[] {
  const key = (r: WatchRowJson): number => {
    switch (sort) {
      case 'calls': return r.callsPerMin * 1e6 + r.calls;
      case 'errors': return r.timeoutPct + r.exceptionPct;
      case 'avg': return r.avgMs;
      case 'p99': return r.p99Ms;
      case 'name': return 0;
    }
  };
  return [...rows].sort((a, b) => key(b) - key(a) || rowName(a).localeCompare(rowName(b)) ||
    a.side.localeCompare(b.side));
}

/** Thresholds for colour: error and timeout shares in %, latency in ms. */
export const THRESHOLDS = {failWarnPct: 1, failBadPct: 5, p99WarnMs: 500, p99BadMs: 2000} as const;

function shade(value: number, warn: number, bad: number): Colour | undefined {
  return value >= bad ? 'red' : value >= warn ? 'yellow' : undefined;
}

/** What the frame says about itself. */
export interface WatchState {
  readonly by: WatchBy;
  readonly sort: WatchSort;
  readonly minutes: number;
  readonly intervalMs: number;
  readonly filters: string;
  readonly time: Date;
  readonly colours: boolean;
  /** A line about the daemon (keys, drops) or an error of the last fetch. */
  readonly status?: string;
}

/** Pads every cell of a column to its widest (numbers to the right), the colour codes not counted. */
export function columns(rows: readonly {text: string; colour?: Colour | undefined; right?: boolean}[][], on: boolean): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => {
    widths[i] = Math.max(widths[i] ?? 0, c.text.length);
  });
  return rows.map((row) => row.map((c, i) => {
    const padded = c.right ? c.text.padStart(widths[i]!) : c.text.padEnd(widths[i]!);
    return c.colour ? paint(padded, c.colour, on) : padded;
  }).join('  ').trimEnd());
}

/** The frame's lines: a title, the key help, the table (header inverse), and a status line. */
export function watchFrame(rows: readonly WatchRowJson[], state: WatchState, height: number): string[] {
  const on = state.colours;
  const title = `tars stat watch  by ${state.by}${state.filters ? `  ${state.filters}` : ''}  ` +
    `${state.time.toISOString().slice(11, 19)}  every ${state.intervalMs / 1000} s  sort: ${state.sort}`;
  const help = 'keys: c calls  e errors  a avg  p p99  n name  q quit';
  const head = ['NAME', 'SIDE', 'CALLS/MIN', 'SUCC%', 'TIMEOUT%', 'EXC%', 'AVG MS', 'P99 MS',
    `LAST ${state.minutes} MIN`].map((text, i) => ({text, right: i >= 2 && i <= 7}));
  const sorted = sortRows(rows, state.sort);
  const room = Math.max(0, height - 5);
  const body = sorted.slice(0, room).map((r) => [
    {text: rowName(r)}, {text: r.side},
    {text: String(r.callsPerMin), right: true},
    {text: percent(r.success, r.calls), right: true,
      colour: r.calls === 0 ? undefined : shade(100 - r.successPct, THRESHOLDS.failWarnPct, THRESHOLDS.failBadPct)},
    {text: percent(r.timeout, r.calls), right: true, colour: shade(r.timeoutPct, THRESHOLDS.failWarnPct, THRESHOLDS.failBadPct)},
    {text: percent(r.exception, r.calls), right: true,
      colour: shade(r.exceptionPct, THRESHOLDS.failWarnPct, THRESHOLDS.failBadPct)},
    {text: r.success === 0 ? '-' : r.avgMs.toFixed(1), right: true},
    {text: r.success === 0 ? '-' : String(r.p99Ms), right: true,
      colour: r.success === 0 ? undefined : shade(r.p99Ms, THRESHOLDS.p99WarnMs, THRESHOLDS.p99BadMs)},
    {text: sparkline(r.perMinute), colour: 'cyan' as Colour},
  ]);
  const [headLine, ...lines] = columns([head, ...body], on);
  const more = sorted.length > room ? `${sorted.length - room} more rows (a taller terminal shows them)` : '';
  return [paint(title, 'bold', on), paint(help, 'dim', on), '', paint(headLine!, 'inverse', on),
    ...(lines.length > 0 ? lines : ['no calls reported in the window yet']),
    ...(more || state.status ? ['', [state.status, more].filter(Boolean).join('  ')] : [])];
}

// ----- properties ------------------------------------------------------------------------------------------------

/** One row of `tars property watch --json`. */
export interface PropertyWatchRowJson {
  module: string;
  property: string;
  policy: string;
  ip: string;
  /** Over the window, merged as the policy merges, in the official format (Avg as sum/count's quotient). */
  value: string;
  /** The open minute's value ('' when nothing was reported in it). */
  lastMinute: string;
  /** The numeric value per minute, oldest first (Distr: its samples; NaN where nothing was reported). */
  perMinute: number[];
}

/** `tars property watch --json`. */
export interface PropertyWatchJson {
  time: string;
  minutes: number;
  rows: PropertyWatchRowJson[];
  /** The daemon's instances asked and those that answered (the rows merge the answers). */
  instances: InstancesJson;
}

/** The rows of property `series`, the window ending with the open minute `openSlot`. */
export function propertyWatchRows(series: readonly StatQuery.PropertySeries[], opts: {openSlot: number;
  minuteMs: number; minutes: number}): PropertyWatchRowJson[] {
  const {openSlot, minuteMs, minutes} = opts;
  const first = openSlot - (minutes - 1) * minuteMs;
  return series.map((s) => {
    const perMinute = new Array<number>(minutes).fill(Number.NaN);
    let lastMinute = '';
    for (const p of s.points) {
      const i = Math.round((Number(p.time) - first) / minuteMs);
      if (i < 0 || i >= minutes) continue;
      perMinute[i] = numericValue(s.policy, p.value);
      if (i === minutes - 1) lastMinute = displayValue(s.policy, p.value);
    }
    return {module: s.moduleName, property: s.property, policy: s.policy, ip: s.ip,
      value: displayValue(s.policy, s.total), lastMinute, perMinute};
  }).sort((a, b) => a.module.localeCompare(b.module) || a.property.localeCompare(b.property) ||
    a.policy.localeCompare(b.policy) || a.ip.localeCompare(b.ip));
}

/** The property frame: title, key help, the table, a status line. */
export function propertyWatchFrame(rows: readonly PropertyWatchRowJson[], state: Omit<WatchState, 'by' | 'sort'>,
  height: number): string[] {
  const on = state.colours;
  const title = `tars property watch${state.filters ? `  ${state.filters}` : ''}  ` +
    `${state.time.toISOString().slice(11, 19)}  every ${state.intervalMs / 1000} s`;
  const head = ['MODULE', 'PROPERTY', 'POLICY', 'IP', `LAST ${state.minutes} MIN`, 'THIS MIN', 'TREND']
    .map((text) => ({text}));
  const room = Math.max(0, height - 5);
  const body = rows.slice(0, room).map((r) => [{text: r.module}, {text: r.property}, {text: r.policy},
    {text: r.ip || '-'}, {text: r.value, right: true}, {text: r.lastMinute || '-', right: true},
    {text: sparkline(r.perMinute), colour: 'cyan' as Colour}]);
  const [headLine, ...lines] = columns([head, ...body], on);
  const more = rows.length > room ? `${rows.length - room} more rows (a taller terminal shows them)` : '';
  return [paint(title, 'bold', on), paint('keys: q quit', 'dim', on), '', paint(headLine!, 'inverse', on),
    ...(lines.length > 0 ? lines : ['no property reported in the window yet']),
    ...(more || state.status ? ['', [state.status, more].filter(Boolean).join('  ')] : [])];
}

/** What a watch command draws: a fetch, a frame, and keys. */
export interface WatchLoop<J> {
  /** Fetches the data: the JSON of the command and a status line about the daemon. */
  snapshot(): Promise<{json: J; status: string}>;
  frame(json: J, status: string, height: number, colours: boolean): string[];
  /** A key other than q; true when it changed what the frame shows. */
  onKey?(key: string): boolean;
  readonly intervalMs: number;
}

/**
 * Runs a watch: on a terminal (and without `once`), the live view until q, keeping the last data and saying so when
 * a fetch fails; otherwise one snapshot, printed as the table without the title and key lines unless `json`.
 * Resolves with the last JSON.
 */
export async function runWatch<J>(loop: WatchLoop<J>, opts: {once: boolean; json: boolean; log: (text: string) => void}):
  Promise<J> {
  const kit = await import('@tars-ts/kit');
  const live = !opts.once && !opts.json && Boolean(process.stdout.isTTY && process.stdin.isTTY);
  if (!live) {
    const {json, status} = await loop.snapshot();
    if (!opts.json) opts.log(loop.frame(json, status, 1_000_000, kit.coloursWanted()).slice(3).join('\n'));
    return json;
  }
  let last: {json: J; status: string} | undefined;
  await kit.runLiveView({
    intervalMs: loop.intervalMs,
    render: async ({rows}) => {
      let status: string;
      try {
        last = await loop.snapshot();
        status = last.status;
      } catch (error) {
        // The daemon away for a moment: the last rows stay, the status says so, the next frame tries again.
        if (!last) throw error;
        status = kit.paint(`the stat daemon did not answer: ${(error as Error).message}`, 'red', kit.coloursWanted());
      }
      return loop.frame(last.json, status, rows, kit.coloursWanted());
    },
    onKey: (key) => (loop.onKey?.(key) ? 'redraw' : undefined),
  });
  return last!.json;
}
