// A server's call statistics and properties as the console charts them, asked of the stat service over TARS
// (tars.tarsstat.StatQueryObj) exactly as `tars stat query` and `tars property query` ask: every instance the
// registry lists as active, history read through one of them plus every instance's minutes not written yet (the
// kit's gatherHistoryStats / gatherHistoryProperties). The store keeps 5-minute slots, so every series is 5-minute.
import type {Communicator} from '@tars-ts/core';
import type {StatQuery} from '@tars-ts/core/framework';
import {
  type InstancesJson, type StatCounters, type StatInstance, activeProxies, averageRspTime, countersOf,
  emptyCounters, gatherHistoryProperties, gatherHistoryStats, mergeCounters, quantileOf, totalCalls,
} from '@tars-ts/kit';

import {ApiError} from './api-error.js';
import {type ClusterApi, checkServerId} from './cluster-api.js';

const STAT_QUERY_OBJ = 'tars.tarsstat.StatQueryObj';

/** The store's slot: every series has one point per 5 minutes. */
export const STEP_MS = 5 * 60_000;
/** The comparison window is this much earlier: the same hours of the previous day. */
export const DAY_MS = 24 * 3600_000;
/** The range asked for when the request names none, and the most it may name, hours. */
export const DEFAULT_HOURS = 3;
export const MAX_HOURS = 48;

/** Which calls: who reported them. `client`: the callers (what they saw, timeouts included); `server`: the server. */
export type StatSide = 'client' | 'server';

/** A window's totals (one interface or all). `avgMs` and `p99Ms` are null when no call succeeded. */
export interface StatTotalsJson {
  calls: number;
  success: number;
  /** Calls that failed with an exception. */
  errors: number;
  timeouts: number;
  avgMs: number | null;
  /** The upper bound of the latency histogram's bucket holding the 99th percentile (as `tars stat query`). */
  p99Ms: number | null;
  maxMs: number | null;
}

/** One window's series, a value per slot of `times` (a slot without calls is 0 calls and null latency). */
export interface StatSeriesJson {
  calls: number[];
  errors: number[];
  timeouts: number[];
  avgMs: (number | null)[];
  p99Ms: (number | null)[];
}

/** GET /api/stats/:app/:server. */
export interface StatsJson {
  server: string;
  side: StatSide;
  hours: number;
  /** The interface charted, null for all. */
  interface: string | null;
  stepMs: number;
  /** The current window: [since, until), ms since the epoch; the previous one is a day earlier. */
  since: number;
  until: number;
  /** Each slot's start in the current window, oldest first. */
  times: number[];
  current: StatSeriesJson;
  /** The same slots a day earlier (its point i is at times[i] - 24 h). */
  previous: StatSeriesJson;
  totals: {current: StatTotalsJson; previous: StatTotalsJson};
  /** Every interface with calls in either window, most calls (now) first. */
  interfaces: {name: string; current: StatTotalsJson; previous: StatTotalsJson}[];
  /** The stat instances asked and those that answered (several on one database). */
  instances: InstancesJson;
}

/** One property series: a reporter's property by one policy. */
export interface PropertySeriesJson {
  name: string;
  policy: string;
  /** The reporter's address. */
  ip: string;
  set: string;
  /** The whole window, merged as the policy merges, in the official format (Distr: "bound|count,..."). */
  total: string;
  /** Whether `values` holds numbers (every policy but Distr). */
  numeric: boolean;
  /** A value per slot of `times` (null: nothing reported then, or Distr). */
  values: (number | null)[];
  /** Each reported slot's value as stored (Distr's buckets too). */
  points: {time: number; value: string}[];
}

/** GET /api/properties/:app/:server. */
export interface PropertiesJson {
  server: string;
  hours: number;
  stepMs: number;
  since: number;
  until: number;
  times: number[];
  properties: PropertySeriesJson[];
  instances: InstancesJson;
}

/** The window of the last `hours` ending with the slot now in: [since, until), aligned on slots. */
export function windowOf(hours: number, now: number): {since: number; until: number; times: number[]} {
  const until = Math.floor(now / STEP_MS) * STEP_MS + STEP_MS;
  const since = until - hours * 3600_000;
  const times: number[] = [];
  for (let t = since; t < until; t += STEP_MS) times.push(t);
  return {since, until, times};
}

const round = (n: number): number => Math.round(n * 100) / 100;

/** A window's totals from its counters. */
export function totalsOf(c: StatCounters): StatTotalsJson {
  return {calls: totalCalls(c), success: c.count, errors: c.execCount, timeouts: c.timeoutCount,
    avgMs: c.count === 0 ? null : round(averageRspTime(c)),
    p99Ms: c.count === 0 || c.intervals.size === 0 ? null : quantileOf(c, 0.99),
    maxMs: c.count === 0 ? null : c.maxRspTime};
}

/** Per interface: the counters of each slot of a window and over it. */
type ByInterface = Map<string, {slots: StatCounters[]; total: StatCounters}>;

/** Groups the answer's series (grouped by interface) onto the slots starting at `since`. */
export function slotsByInterface(series: readonly StatQuery.StatSeries[], since: number, slots: number): ByInterface {
  const out: ByInterface = new Map();
  for (const s of series) {
    let g = out.get(s.interfaceName);
    if (!g) {
      g = {slots: Array.from({length: slots}, emptyCounters), total: emptyCounters()};
      out.set(s.interfaceName, g);
    }
    for (const p of s.points) {
      const i = Math.floor((Number(p.time) - since) / STEP_MS);
      if (i < 0 || i >= slots) continue;
      const c = countersOf(p);
      mergeCounters(g.slots[i]!, c);
      mergeCounters(g.total, c);
    }
  }
  return out;
}

/** The series of one interface (or of all added up when `name` is null). */
export function seriesOf(groups: ByInterface, name: string | null, slots: number):
  {series: StatSeriesJson; total: StatCounters} {
  const picked = name === null ? [...groups.values()] : [groups.get(name)].filter((g) => g !== undefined);
  const perSlot = Array.from({length: slots}, (_, i) => picked.reduce((acc, g) => mergeCounters(acc, g.slots[i]!),
    emptyCounters()));
  const total = picked.reduce((acc, g) => mergeCounters(acc, g.total), emptyCounters());
  return {total, series: {calls: perSlot.map(totalCalls), errors: perSlot.map((c) => c.execCount),
    timeouts: perSlot.map((c) => c.timeoutCount),
    avgMs: perSlot.map((c) => (c.count === 0 ? null : round(averageRspTime(c)))),
    p99Ms: perSlot.map((c) => (c.count === 0 || c.intervals.size === 0 ? null : quantileOf(c, 0.99)))}};
}

/** A property value as a number for the chart (null for Distr or what does not parse). */
function numericValue(policy: string, value: string): number | null {
  if (policy === 'Distr') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/**
 * The stat service's view of one server, for the console's charts. Every call that gets no answer rejects with a
 * 502 {@link ApiError} naming the stat service; a server deployed nowhere is 404 NO_SERVER.
 */
export class StatsApi {
  /**
   * @param communicator with the registry as its locator
   * @param timeoutMs each call's timeout
   * @param cluster to check that the server is deployed
   * @param now the clock (tests move it)
   */
  constructor(private readonly communicator: Communicator, private readonly timeoutMs: number,
    private readonly cluster: ClusterApi, private readonly now: () => number = Date.now) {}

  /** A proxy per active instance of the stat service (502 NO_ANSWER when the registry lists none or is silent). */
  private async instances(): Promise<StatInstance[]> {
    const {StatQuery: Q} = await import('@tars-ts/core/framework');
    const each = await activeProxies(this.communicator, Q.StatQueryProxy, STAT_QUERY_OBJ, this.timeoutMs)
      .catch((error: Error) => {
        throw StatsApi.noAnswer(`the registry could not say where ${STAT_QUERY_OBJ} is: ${error.message}`);
      });
    if (each.length === 0) throw StatsApi.noAnswer(`the registry lists no active endpoint of ${STAT_QUERY_OBJ}`);
    return each;
  }

  private static noAnswer(why: string): ApiError {
    return new ApiError(502, 'NO_ANSWER', `the stat service (StatQueryObj) did not answer: ${why.split('\n')[0]}`,
      'is it running? tars cluster status (or tars stat status) says');
  }

  private async ask<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof ApiError) throw error;
      throw StatsApi.noAnswer((error as Error).message);
    }
  }

  /** 404 NO_SERVER (or 400 BAD_NAME) before asking the stat service anything. */
  private async deployed(application: string, serverName: string): Promise<void> {
    checkServerId(application, serverName);
    await this.cluster.server(application, serverName);
  }

  /**
   * The server's calls over the last `hours` and the same hours a day earlier, per 5-minute slot: as `side` reported
   * them, of `interfaceName` (all when null), with each interface's totals for the picker.
   */
  async stats(application: string, serverName: string, options: {hours: number; interfaceName: string | null;
    side: StatSide}): Promise<StatsJson> {
    await this.deployed(application, serverName);
    const instances = await this.instances();
    const {StatQuery: Q} = await import('@tars-ts/core/framework');
    const {since, until, times} = windowOf(options.hours, this.now());
    const ask = (from: number) => this.ask(() => gatherHistoryStats(instances, Q.StatQueryRequest.create({
      by: 'interface', app: application, server: serverName, side: options.side, since: BigInt(from),
      until: BigInt(from + options.hours * 3600_000), limit: 1000})));
    const [now, before] = await Promise.all([ask(since), ask(since - DAY_MS)]);
    const current = slotsByInterface(now.series, since, times.length);
    const previous = slotsByInterface(before.series, since - DAY_MS, times.length);
    const a = seriesOf(current, options.interfaceName, times.length);
    const b = seriesOf(previous, options.interfaceName, times.length);
    const names = [...new Set([...current.keys(), ...previous.keys()])];
    const interfaces = names.map((name) => ({name,
      current: totalsOf(current.get(name)?.total ?? emptyCounters()),
      previous: totalsOf(previous.get(name)?.total ?? emptyCounters())}))
      .sort((x, y) => y.current.calls - x.current.calls || y.previous.calls - x.previous.calls ||
        x.name.localeCompare(y.name));
    return {server: `${application}.${serverName}`, side: options.side, hours: options.hours,
      interface: options.interfaceName, stepMs: STEP_MS, since, until, times, current: a.series, previous: b.series,
      totals: {current: totalsOf(a.total), previous: totalsOf(b.total)}, interfaces,
      instances: now.instances};
  }

  /** Each property the server reported over the last `hours`, per policy and reporter, per 5-minute slot. */
  async properties(application: string, serverName: string, hours: number): Promise<PropertiesJson> {
    await this.deployed(application, serverName);
    const instances = await this.instances();
    const {StatQuery: Q} = await import('@tars-ts/core/framework');
    const {since, until, times} = windowOf(hours, this.now());
    const {series, instances: asked} = await this.ask(() => gatherHistoryProperties(instances,
      Q.PropertyQueryRequest.create({moduleName: `${application}.${serverName}`, since: BigInt(since),
        until: BigInt(until), limit: 1000})));
    return {server: `${application}.${serverName}`, hours, stepMs: STEP_MS, since, until, times, instances: asked,
      properties: series.map((s) => {
        const values: (number | null)[] = times.map(() => null);
        for (const p of s.points) {
          const i = Math.floor((Number(p.time) - since) / STEP_MS);
          if (i >= 0 && i < times.length) values[i] = numericValue(s.policy, p.value);
        }
        return {name: s.property, policy: s.policy, ip: s.ip,
          set: s.setName ? `${s.setName}.${s.setArea}.${s.setID}` : '', total: s.total,
          numeric: s.policy !== 'Distr', values,
          points: s.points.map((p) => ({time: Number(p.time), value: p.value}))};
      })};
  }
}
