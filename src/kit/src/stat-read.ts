// The read side of the stat daemon (StatQuery.tars) that more than one plugin uses: the arithmetic of call
// counters (tarsstat's sums, their average and percentile) and the gathering of history from every live instance
// of the daemon on one database (docs/stat.md "Several instances"): `tars stat query`, `tars property query` and
// the console's charts (`tars web`) ask through the same code. Each instance holds the reports it took, in memory,
// until it writes them; the store is theirs in common. So history is read from the store through ONE instance
// (adding several instances' answers would count the store once per instance), together with every live instance's
// minutes not written yet. Light: the runtime's framework is imported only when a gathering runs.
import type {StatQuery} from '@tars-ts/core/framework';

/** The latency buckets every official client reports (upper bounds, ms). */
export const STAT_BUCKETS = [5, 10, 50, 100, 200, 500, 1000, 2000, 3000] as const;

/** The most series a query answers (a response stays small). */
export const MAX_SERIES_LIMIT = 10_000;

/** The sums of a StatMicMsgBody. Mutable: tables merge into them in place. */
export interface StatCounters {
  count: number;
  timeoutCount: number;
  execCount: number;
  totalRspTime: number;
  maxRspTime: number;
  /** The smallest non-zero latency; 0 = none known. */
  minRspTime: number;
  /** Latency histogram: bucket upper bound (ms) -> calls. Any bound a client sends is kept, as tarsstat does. */
  intervals: Map<number, number>;
}

/** Counters with nothing in them. */
export function emptyCounters(): StatCounters {
  return {count: 0, timeoutCount: 0, execCount: 0, totalRspTime: 0, maxRspTime: 0, minRspTime: 0,
    intervals: new Map()};
}

/** A copy that shares nothing with `c`. */
export function copyCounters(c: StatCounters): StatCounters {
  return {...c, intervals: new Map(c.intervals)};
}

/**
 * Adds `from` into `into` as tarsstat's hash map does: counts, total time and each histogram bucket summed, the
 * larger maximum, the smaller non-zero minimum. Commutative and associative, so the order reports arrive in never
 * changes a total.
 */
export function mergeCounters(into: StatCounters, from: StatCounters): StatCounters {
  into.count = Math.min(into.count + from.count, Number.MAX_SAFE_INTEGER);
  into.timeoutCount = Math.min(into.timeoutCount + from.timeoutCount, Number.MAX_SAFE_INTEGER);
  into.execCount = Math.min(into.execCount + from.execCount, Number.MAX_SAFE_INTEGER);
  into.totalRspTime = Math.min(into.totalRspTime + from.totalRspTime, Number.MAX_SAFE_INTEGER);
  if (from.maxRspTime > into.maxRspTime) into.maxRspTime = from.maxRspTime;
  if (into.minRspTime === 0 || (from.minRspTime !== 0 && from.minRspTime < into.minRspTime)) {
    into.minRspTime = from.minRspTime;
  }
  for (const [bound, n] of from.intervals) into.intervals.set(bound, (into.intervals.get(bound) ?? 0) + n);
  return into;
}

/** Calls of any outcome. */
export function totalCalls(c: StatCounters): number {
  return c.count + c.timeoutCount + c.execCount;
}

/** Average latency of successful calls as the dashboards show it (Σtotal / Σsucc, at least 1 when any). */
export function averageRspTime(c: StatCounters): number {
  if (c.count === 0) return 0;
  return Math.max(1, c.totalRspTime / c.count);
}

/**
 * The latency under which a fraction `q` of the histogram's calls fall, as the upper bound of the bucket that
 * reaches it (ms). Past the last bucket: the maximum seen. 0 when the histogram is empty.
 */
export function quantileOf(c: StatCounters, q: number): number {
  const bounds = [...c.intervals.keys()].sort((a, b) => a - b);
  const total = bounds.reduce((s, b) => s + c.intervals.get(b)!, 0);
  if (total === 0) return 0;
  const want = Math.ceil(total * q);
  let seen = 0;
  for (const b of bounds) {
    seen += c.intervals.get(b)!;
    if (seen >= want) return b >= STAT_BUCKETS[STAT_BUCKETS.length - 1] ? Math.max(b, c.maxRspTime) : b;
  }
  return c.maxRspTime;
}

/** The counters of a wire point (the inverse of the daemon's encoding). */
export function countersOf(p: StatQuery.StatPoint): StatCounters {
  return {count: Number(p.count), timeoutCount: Number(p.timeoutCount), execCount: Number(p.execCount),
    totalRspTime: Number(p.totalRspTime), maxRspTime: p.maxRspTime, minRspTime: p.minRspTime,
    intervals: new Map([...p.intervalCount].map(([b, n]) => [b, Number(n)]))};
}

/** One instance of the stat daemon's StatQueryObj, as the kit's connectEach gives it. */
export interface StatInstance {
  readonly endpoint: string;
  readonly proxy: StatQuery.StatQueryProxy;
}

/** Which instances answered, in `--json` of the query and watch commands. */
export interface InstancesJson {
  /** Instances asked: every active endpoint the registry lists (one with -e or a local daemon). */
  asked: number;
  answered: number;
  /** Those that did not answer, and why; what they held and had not written yet is missing from the answer. */
  unanswered: {endpoint: string; error: string}[];
}

/** Series as a query answers them: the first ones kept, and how many groups matched. */
export interface SeriesAnswer<S> {
  series: S[];
  groups: number;
}

/** A gathered answer: the series, the daemon counters of one instance, and who answered. */
export interface GatheredSeries<S> extends SeriesAnswer<S> {
  /** The counters of the instance that answered first (the one that read the store, for history). */
  daemon: StatQuery.StatDaemonStats;
  /** Every answering instance's counters, in the order asked. */
  daemons: StatQuery.StatDaemonStats[];
  instances: InstancesJson;
  /** An instance's part was cut at the limit: rows near the cut may lack that instance's share. */
  cut: boolean;
}

/** The stat daemon refused a request (ret != 0: an unknown grouping). */
export class RefusedQuery extends Error {
  constructor(readonly ret: number) {
    super(`the stat daemon refused the query (ret ${ret})`);
  }
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * `work` on every instance at once; the answers of those that answered (in order) and what the others said.
 * Throws the first failure when none answered, and a {@link RefusedQuery} as soon as one refuses the request (the
 * same request is refused by all).
 */
export async function askEach<T>(instances: readonly StatInstance[], work: (i: StatInstance) => Promise<T>):
  Promise<{answers: {instance: StatInstance; value: T}[]; instances: InstancesJson}> {
  const settled = await Promise.allSettled(instances.map(work));
  const answers: {instance: StatInstance; value: T}[] = [];
  const unanswered: InstancesJson['unanswered'] = [];
  settled.forEach((r, i) => {
    if (r.status === 'fulfilled') answers.push({instance: instances[i]!, value: r.value});
    else if (r.reason instanceof RefusedQuery) throw r.reason;
    else unanswered.push({endpoint: instances[i]!.endpoint, error: message(r.reason)});
  });
  if (answers.length === 0) throw (settled[0] as PromiseRejectedResult).reason;
  return {answers, instances: {asked: instances.length, answered: answers.length, unanswered}};
}

/** `r` when the daemon took the request (ret 0); a {@link RefusedQuery} otherwise. */
export const checkedAnswer = <R extends {ret: number}>(r: R): R => {
  if (r.ret !== 0) throw new RefusedQuery(r.ret);
  return r;
};

/**
 * Stat history (5-minute series) over every instance. One instance: its historyStats (the store plus its own
 * unwritten minutes, read under its write lock). Several: first every instance's unwrittenStats (each part as
 * large as the daemon allows, so that merging is exact up to its 10,000 groups), then gatherHistoryStats on the
 * first that answered (the next ones if it fails), which reads the store once and adds each part's minutes that
 * its instance has not written since. An instance that does not answer is left out and named in `instances`.
 */
export async function gatherHistoryStats(instances: readonly StatInstance[], req: StatQuery.StatQueryRequest):
  Promise<GatheredSeries<StatQuery.StatSeries>> {
  if (instances.length === 1) {
    const [{proxy}] = instances as [StatInstance];
    const [{series, groups}, {stats}] = await Promise.all([proxy.historyStats(req).then(checkedAnswer),
      proxy.daemonStats()]);
    return {series, groups, daemon: stats, daemons: [stats], instances: {asked: 1, answered: 1, unanswered: []},
      cut: false};
  }
  const {StatQuery: Q} = await import('@tars-ts/core/framework');
  const partReq = Q.StatQueryRequest.create({...req, limit: MAX_SERIES_LIMIT});
  const gathered = await askEach(instances, async (i) => {
    const [{part}, {stats}] = await Promise.all([i.proxy.unwrittenStats(partReq).then(checkedAnswer),
      i.proxy.daemonStats()]);
    return {part, stats};
  });
  const parts = gathered.answers.map((a) => a.value.part);
  return readThroughOne(gathered, parts.some((p) => p.groups > p.series.length),
    (proxy) => proxy.gatherHistoryStats(req, parts).then(checkedAnswer));
}

/** Property history over every instance, as {@link gatherHistoryStats}. */
export async function gatherHistoryProperties(instances: readonly StatInstance[],
  req: StatQuery.PropertyQueryRequest): Promise<GatheredSeries<StatQuery.PropertySeries>> {
  if (instances.length === 1) {
    const [{proxy}] = instances as [StatInstance];
    const [{series, groups}, {stats}] = await Promise.all([proxy.historyProperties(req).then(checkedAnswer),
      proxy.daemonStats()]);
    return {series, groups, daemon: stats, daemons: [stats], instances: {asked: 1, answered: 1, unanswered: []},
      cut: false};
  }
  const {StatQuery: Q} = await import('@tars-ts/core/framework');
  const partReq = Q.PropertyQueryRequest.create({...req, limit: MAX_SERIES_LIMIT});
  const gathered = await askEach(instances, async (i) => {
    const [{part}, {stats}] = await Promise.all([i.proxy.unwrittenProperties(partReq).then(checkedAnswer),
      i.proxy.daemonStats()]);
    return {part, stats};
  });
  const parts = gathered.answers.map((a) => a.value.part);
  return readThroughOne(gathered, parts.some((p) => p.groups > p.series.length),
    (proxy) => proxy.gatherHistoryProperties(req, parts).then(checkedAnswer));
}

/**
 * The store read through the first instance that answered the first step, the next one when it fails (it died
 * in between): never through two, whose answers would each hold the whole store. What a failing reader held
 * unwritten is in the parts already, so the next reader still counts it.
 */
async function readThroughOne<S>(gathered: {answers: {instance: StatInstance;
  value: {stats: StatQuery.StatDaemonStats}}[]; instances: InstancesJson}, cut: boolean,
read: (proxy: StatQuery.StatQueryProxy) => Promise<SeriesAnswer<S>>): Promise<GatheredSeries<S>> {
  const daemons = gathered.answers.map((a) => a.value.stats);
  let last: unknown;
  for (const [i, {instance}] of gathered.answers.entries()) {
    try {
      const {series, groups} = await read(instance.proxy);
      return {series, groups, daemon: daemons[i]!, daemons, instances: gathered.instances, cut};
    } catch (error) {
      if (error instanceof RefusedQuery) throw error;
      last = error;
    }
  }
  throw last;
}
