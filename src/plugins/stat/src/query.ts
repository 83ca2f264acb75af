// The read side: rows of (slot, key, counters) -> series per group, as StatQuery answers them. Pure.
import {StatQuery} from '@tars-ts/core/framework';
import {MAX_SERIES_LIMIT, countersOf} from '@tars-ts/kit';

import {type StatCounters, type StatKey, copyCounters, emptyCounters, mergeCounters} from './aggregate.js';
import {type PropKey, displayValue, mergeValue} from './property.js';

// The most series an answer holds and a wire point's counters are the kit's (the console reads them too).
export {MAX_SERIES_LIMIT, countersOf};

/** How calls are grouped: per callee, per callee function, per caller of a callee. */
export type GroupBy = 'callee' | 'interface' | 'caller';
export const GROUP_BYS: readonly GroupBy[] = ['callee', 'interface', 'caller'];

/** Series a query answers when the request names no limit (the most it answers is the kit's MAX_SERIES_LIMIT). */
export const DEFAULT_SERIES_LIMIT = 1000;

/** Points (slots of all series) an answer carries at most: ~50 bytes each, so ~5 MB of the 10 MB packet limit. */
export const MAX_POINTS = 100_000;

/** The number of series a request asks for, within bounds. */
export function seriesLimit(limit: number): number {
  return limit <= 0 ? DEFAULT_SERIES_LIMIT : Math.min(limit, MAX_SERIES_LIMIT);
}

/** An answer: the first series kept, and how many groups matched. */
export interface Answer<S> {
  series: S[];
  groups: number;
}

/** The first series of `all`, at most `limit`, and as many as fit in {@link MAX_POINTS}. */
function cut<S extends {points: unknown[]}>(all: S[], limit: number): Answer<S> {
  const series: S[] = [];
  let points = 0;
  for (const s of all) {
    if (series.length >= limit || (series.length > 0 && points + s.points.length > MAX_POINTS)) break;
    series.push(s);
    points += s.points.length;
  }
  return {series, groups: all.length};
}

/** Which calls. */
export interface StatFilter {
  readonly by: GroupBy;
  /** Callees App.* ('' = all). */
  readonly app: string;
  /** Callees *.Server ('' = all). */
  readonly server: string;
  readonly interfaceName: string;
  /** 'client' | 'server' | '' (both). */
  readonly side: string;
}

/** The filter of a request, with its defaults; undefined `by` when the request names an unknown grouping. */
export function filterOf(req: StatQuery.StatQueryRequest): StatFilter | undefined {
  const by = (req.by || 'callee') as GroupBy;
  if (!GROUP_BYS.includes(by)) return undefined;
  return {by, app: req.app, server: req.server, interfaceName: req.interfaceName, side: req.side};
}

/** Whether a key passes the filter. The callee (slaveName) is `App.Server`, maybe with a SET suffix. */
export function matches(key: StatKey, f: StatFilter): boolean {
  if (f.side && key.side !== f.side) return false;
  if (f.interfaceName && key.interfaceName !== f.interfaceName) return false;
  if (f.app || f.server) {
    const [app, server] = key.slaveName.split('.');
    if (f.app && app !== f.app) return false;
    if (f.server && server !== f.server) return false;
  }
  return true;
}

/** A row to group: the slot it belongs to, its key and its counters. */
export interface StatRow {
  readonly time: number;
  readonly key: StatKey;
  readonly counters: StatCounters;
}

function toPoint(time: number, c: StatCounters): StatQuery.StatPoint {
  return StatQuery.StatPoint.create({time: BigInt(time), count: BigInt(c.count), timeoutCount: BigInt(c.timeoutCount),
    execCount: BigInt(c.execCount), totalRspTime: BigInt(c.totalRspTime), maxRspTime: c.maxRspTime,
    minRspTime: c.minRspTime, intervalCount: new Map([...c.intervals].sort((a, b) => a[0] - b[0])
      .map(([b, n]) => [b, BigInt(n)]))});
}

/**
 * Groups rows that pass the filter: one series per group, its points per slot (oldest first, slots without calls
 * absent) and its total. Series are sorted by total calls, most first, then by name; the first `limit` are kept
 * (and no more than {@link MAX_POINTS} points in all).
 */
export function groupStats(rows: Iterable<StatRow>, f: StatFilter, limit = DEFAULT_SERIES_LIMIT):
  Answer<StatQuery.StatSeries> {
  const groups = new Map<string, {callee: string; iface: string; caller: string; side: string;
    total: StatCounters; points: Map<number, StatCounters>}>();
  for (const {time, key, counters} of rows) {
    if (!matches(key, f)) continue;
    const iface = f.by === 'interface' ? key.interfaceName : '';
    const caller = f.by === 'caller' ? key.masterName : '';
    const id = `${key.slaveName}\0${iface}\0${caller}\0${key.side}`;
    let g = groups.get(id);
    if (!g) {
      g = {callee: key.slaveName, iface, caller, side: key.side, total: emptyCounters(), points: new Map()};
      groups.set(id, g);
    }
    mergeCounters(g.total, counters);
    const p = g.points.get(time);
    if (p) mergeCounters(p, counters);
    else g.points.set(time, copyCounters(counters));
  }
  const calls = (c: StatCounters): number => c.count + c.timeoutCount + c.execCount;
  const sorted = [...groups.values()]
    .sort((a, b) => calls(b.total) - calls(a.total) || a.callee.localeCompare(b.callee) ||
      a.iface.localeCompare(b.iface) || a.caller.localeCompare(b.caller) || a.side.localeCompare(b.side))
    .map((g) => ({...g, points: [...g.points]}));
  const {series, groups: matched} = cut(sorted, limit);
  return {groups: matched, series: series.map((g) => StatQuery.StatSeries.create({callee: g.callee,
    interfaceName: g.iface, caller: g.caller, side: g.side, total: toPoint(0, g.total),
    points: g.points.sort((a, b) => a[0] - b[0]).map(([t, c]) => toPoint(t, c))}))};
}

/** Which properties. */
export interface PropFilter {
  readonly moduleName: string;
  readonly property: string;
}

/** A property row to group: slot, key, one policy's value in its mergeable form. */
export interface PropRow {
  readonly time: number;
  readonly key: PropKey;
  readonly policy: string;
  readonly value: string;
}

/**
 * One series per (key, policy) passing the filter, its points merged per slot as the policy merges, the total
 * over the range likewise; values shown as tarsproperty writes them (Avg as sum/count). Sorted by module, name,
 * policy, ip; the first `limit` are kept.
 */
export function groupProps(rows: Iterable<PropRow>, f: PropFilter, limit = DEFAULT_SERIES_LIMIT, display = true):
  Answer<StatQuery.PropertySeries> {
  const shown = (policy: string, value: string): string => (display ? displayValue(policy, value) : value);
  const groups = new Map<string, {key: PropKey; policy: string; total: string; points: Map<number, string>}>();
  for (const {time, key, policy, value} of rows) {
    if (f.moduleName && key.moduleName !== f.moduleName) continue;
    if (f.property && !key.propertyName.includes(f.property)) continue;
    const id = `${key.moduleName}\0${key.ip}\0${key.propertyName}\0${key.setName}\0${key.setArea}\0${key.setID}\0${policy}`;
    const g = groups.get(id);
    if (!g) {
      groups.set(id, {key, policy, total: value, points: new Map([[time, value]])});
      continue;
    }
    g.total = mergeValue(policy, g.total, value);
    const p = g.points.get(time);
    g.points.set(time, p === undefined ? value : mergeValue(policy, p, value));
  }
  const sorted = [...groups.values()]
    .sort((a, b) => a.key.moduleName.localeCompare(b.key.moduleName) ||
      a.key.propertyName.localeCompare(b.key.propertyName) || a.policy.localeCompare(b.policy) ||
      a.key.ip.localeCompare(b.key.ip))
    .map((g) => ({...g, points: [...g.points]}));
  const {series, groups: matched} = cut(sorted, limit);
  return {groups: matched, series: series.map((g) => StatQuery.PropertySeries.create({moduleName: g.key.moduleName,
    ip: g.key.ip, property: g.key.propertyName, policy: g.policy, setName: g.key.setName, setArea: g.key.setArea,
    setID: g.key.setID, total: shown(g.policy, g.total),
    points: g.points.sort((a, b) => a[0] - b[0]).map(([t, v]) => StatQuery.PropertyPoint.create({
      time: BigInt(t), value: shown(g.policy, v)}))}))};
}

// ----- several instances --------------------------------------------------------------------------------------------

/**
 * A key standing for a series of an answer grouped with `f`: it passes `f` and groups into the same series again
 * (the callee, the function when grouped or filtered by it, the caller when grouped by it, the side). For merging
 * answers of several instances with {@link groupStats}.
 */
export function seriesKey(s: StatQuery.StatSeries, f: StatFilter): StatKey {
  return {side: s.side as StatKey['side'], masterName: s.caller, slaveName: s.callee,
    interfaceName: s.interfaceName || f.interfaceName, masterIp: '', slaveIp: '', slavePort: 0, returnValue: 0,
    slaveSetName: '', slaveSetArea: '', slaveSetID: '', tarsVersion: ''};
}

/** The rows (one per point) of series answered with filter `f`, for grouping them again. */
export function seriesRows(series: Iterable<StatQuery.StatSeries>, f: StatFilter): StatRow[] {
  const rows: StatRow[] = [];
  for (const s of series) {
    const key = seriesKey(s, f);
    for (const p of s.points) rows.push({time: Number(p.time), key, counters: countersOf(p)});
  }
  return rows;
}

/**
 * The answers of several instances to one stat request (filter `f`) as one: series of the same group merged point
 * by point (counts and times added, the larger max, the smaller non-zero min, histograms added bucket by bucket),
 * sorted and cut as {@link groupStats} does. `groups` is at least the largest any instance answered: exact when no
 * answer was cut (an instance cut at `limit` may leave out a group's share that another instance lifts into the
 * first `limit`).
 */
export function mergeStatAnswers(answers: readonly Answer<StatQuery.StatSeries>[], f: StatFilter,
  limit = DEFAULT_SERIES_LIMIT): Answer<StatQuery.StatSeries> & {cut: boolean} {
  const merged = groupStats(answers.flatMap((a) => seriesRows(a.series, f)), f, limit);
  const cut = answers.some((a) => a.groups > a.series.length);
  return {...merged, groups: Math.max(merged.groups, ...answers.map((a) => a.groups)), cut};
}

/** The rows of property series (values as answered: ask with `mergeable`), for grouping them again. */
export function propSeriesRows(series: Iterable<StatQuery.PropertySeries>): PropRow[] {
  const rows: PropRow[] = [];
  for (const s of series) {
    const key: PropKey = {moduleName: s.moduleName, ip: s.ip, propertyName: s.property, setName: s.setName,
      setArea: s.setArea, setID: s.setID};
    for (const p of s.points) rows.push({time: Number(p.time), key, policy: s.policy, value: p.value});
  }
  return rows;
}

/**
 * The answers of several instances to one property request, asked with `mergeable` (an Avg as `sum=count`), as
 * one: the same series merged by policy point by point, shown as {@link groupProps} shows them (unless `display`
 * is false).
 */
export function mergePropAnswers(answers: readonly Answer<StatQuery.PropertySeries>[], limit = DEFAULT_SERIES_LIMIT,
  display = true): Answer<StatQuery.PropertySeries> & {cut: boolean} {
  const merged = groupProps(answers.flatMap((a) => propSeriesRows(a.series)), {moduleName: '', property: ''}, limit,
    display);
  const cut = answers.some((a) => a.groups > a.series.length);
  return {...merged, groups: Math.max(merged.groups, ...answers.map((a) => a.groups)), cut};
}
