// What the query commands print: StatQuery's series as JSON rows and table cells (docs/stat.md "JSON shapes").
// `tars stat watch` renders the same rows.
import type {StatQuery} from '@tars-ts/core/framework';

import {averageRspTime, quantileOf, totalCalls} from './aggregate.js';
import {countersOf} from './query.js';

/** One slot of a group in `--json`. */
export interface StatSlotJson {
  time: string;
  calls: number;
  success: number;
  timeout: number;
  exception: number;
  avgMs: number;
  maxMs: number;
}

/** One group in `--json`. */
export interface StatRowJson {
  callee: string;
  interface?: string;
  caller?: string;
  side: string;
  calls: number;
  success: number;
  timeout: number;
  exception: number;
  /** success / calls, 0..1 (0 when no call). */
  successRate: number;
  totalTimeMs: number;
  avgMs: number;
  maxMs: number;
  minMs: number;
  /** Upper bound of the histogram bucket holding the 99th percentile; the maximum when past the last bucket. */
  p99Ms: number;
  /** The latency histogram: bucket upper bound (ms) -> calls. */
  buckets: Record<string, number>;
  slots: StatSlotJson[];
}

/** The daemon's counters in `--json`. */
export interface DaemonJson {
  keys: number;
  keyCap: number;
  droppedKeys: number;
  rejected: number;
  reports: number;
  propertyKeys: number;
  propertyDropped: number;
  propertyReports: number;
  lastFlushedMinute: string | null;
  flushErrors: number;
  store: string;
  metrics: string;
  retentionDays: number;
}

const round = (n: number): number => Math.round(n * 100) / 100;

export function statRowJson(s: StatQuery.StatSeries, by: string): StatRowJson {
  const c = countersOf(s.total);
  const calls = totalCalls(c);
  return {
    callee: s.callee,
    ...(by === 'interface' ? {interface: s.interfaceName} : {}),
    ...(by === 'caller' ? {caller: s.caller} : {}),
    side: s.side, calls, success: c.count, timeout: c.timeoutCount, exception: c.execCount,
    successRate: calls === 0 ? 0 : round(c.count / calls * 10_000) / 10_000,
    totalTimeMs: c.totalRspTime, avgMs: round(averageRspTime(c)), maxMs: c.maxRspTime, minMs: c.minRspTime,
    p99Ms: quantileOf(c, 0.99),
    buckets: Object.fromEntries([...c.intervals].sort((a, b) => a[0] - b[0]).map(([b, n]) => [String(b), n])),
    slots: s.points.map((p) => {
      const pc = countersOf(p);
      return {time: new Date(Number(p.time)).toISOString(), calls: totalCalls(pc), success: pc.count,
        timeout: pc.timeoutCount, exception: pc.execCount, avgMs: round(averageRspTime(pc)), maxMs: pc.maxRspTime};
    }),
  };
}

/** A percentage of `calls` with one decimal. */
export function percent(n: number, calls: number): string {
  return calls === 0 ? '-' : `${(n / calls * 100).toFixed(1)}`;
}

/** The cells of a row: CALLEE [INTERFACE|CALLER] SIDE CALLS SUCC% TIMEOUT% EXC% AVG P99 MAX. */
export function statRowCells(r: StatRowJson, by: string): string[] {
  return [r.callee, ...(by === 'interface' ? [r.interface ?? ''] : by === 'caller' ? [r.caller ?? ''] : []), r.side,
    String(r.calls), percent(r.success, r.calls), percent(r.timeout, r.calls), percent(r.exception, r.calls),
    r.success === 0 ? '-' : String(r.avgMs), r.success === 0 ? '-' : String(r.p99Ms),
    r.success === 0 ? '-' : String(r.maxMs)];
}

export function statHead(by: string): string[] {
  return ['CALLEE', ...(by === 'interface' ? ['INTERFACE'] : by === 'caller' ? ['CALLER'] : []), 'SIDE', 'CALLS',
    'SUCC%', 'TIMEOUT%', 'EXC%', 'AVG MS', 'P99 MS', 'MAX MS'];
}

export function daemonJson(d: StatQuery.StatDaemonStats): DaemonJson {
  return {keys: d.keys, keyCap: d.keyCap, droppedKeys: Number(d.droppedKeys), rejected: Number(d.rejected),
    reports: Number(d.reports), propertyKeys: d.propKeys, propertyDropped: Number(d.propDropped),
    propertyReports: Number(d.propReports),
    lastFlushedMinute: d.flushedSlot > 0n ? new Date(Number(d.flushedSlot)).toISOString() : null,
    flushErrors: Number(d.flushErrors), store: d.store, metrics: d.metrics, retentionDays: d.retentionDays};
}

/** One property series in `--json`. */
export interface PropertyRowJson {
  module: string;
  property: string;
  policy: string;
  ip: string;
  set: string;
  /** The whole range, merged as the policy merges, in the official value format. */
  value: string;
  slots: {time: string; value: string}[];
}

export function propertyRowJson(s: StatQuery.PropertySeries): PropertyRowJson {
  return {module: s.moduleName, property: s.property, policy: s.policy, ip: s.ip,
    set: s.setName ? `${s.setName}.${s.setArea}.${s.setID}` : '', value: s.total,
    slots: s.points.map((p) => ({time: new Date(Number(p.time)).toISOString(), value: p.value}))};
}
