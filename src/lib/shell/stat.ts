// The shell's `stat`: one screen of the last minutes of call statistics, per callee (App.Server) or, for one server,
// per interface (function), each side of the reports (client: as callers saw the calls, server: as it served them)
// its own row. Every live stat instance is asked; each holds the reports it took, so their answers add up.
import type {StatQuery} from '@tars-ts/core/framework';
import {averageRspTime, countersOf, emptyCounters, mergeCounters, quantileOf, totalCalls,
  type StatCounters} from '@tars-ts/kit';

/** Minutes of live statistics `stat` reads. */
export const STAT_MINUTES = 15;
/** Rows `stat` shows (the busiest): one screen. */
export const STAT_ROWS = 20;

/** One row of `stat`. */
export interface StatRow {
  /** App.Server, or the function's name with `by: interface`. */
  name: string;
  side: string;
  calls: number;
  /** Failed calls (exceptions: the server answered an error). */
  errors: number;
  timeouts: number;
  /** Average latency of successful calls, ms (null when none succeeded). */
  avgMs: number | null;
  /** The 99th percentile's histogram bucket, ms (null when none succeeded). */
  p99Ms: number | null;
}

/** `stat --json`. */
export interface StatJson {
  minutes: number;
  by: 'callee' | 'interface';
  server?: string;
  rows: StatRow[];
  /** Groups left out to keep to one screen. */
  more: number;
}

/**
 * The rows of the answers of every stat instance: series of the same group (name and side) added up, the busiest
 * first (then by name), at most `limit` of them.
 */
export function statRows(answers: readonly (readonly StatQuery.StatSeries[])[], by: 'callee' | 'interface',
  limit = STAT_ROWS): {rows: StatRow[]; more: number} {
  const groups = new Map<string, {name: string; side: string; c: StatCounters}>();
  for (const series of answers) {
    for (const s of series) {
      if (!s.total) continue;
      const name = by === 'interface' ? s.interfaceName : s.callee;
      const key = `${name}\u0000${s.side}`;
      const g = groups.get(key) ?? {name, side: s.side, c: emptyCounters()};
      mergeCounters(g.c, countersOf(s.total));
      groups.set(key, g);
    }
  }
  const rows = [...groups.values()].map(({name, side, c}): StatRow => ({name, side, calls: totalCalls(c),
    errors: c.execCount, timeouts: c.timeoutCount,
    avgMs: c.count === 0 ? null : Math.round(averageRspTime(c) * 100) / 100,
    p99Ms: c.count === 0 || c.intervals.size === 0 ? null : quantileOf(c, 0.99)}))
    .sort((a, b) => b.calls - a.calls || a.name.localeCompare(b.name) || a.side.localeCompare(b.side));
  return {rows: rows.slice(0, limit), more: Math.max(0, rows.length - limit)};
}
