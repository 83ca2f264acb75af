// Queries over several instances of the stat daemon on one database (docs/stat.md "Several instances"): each
// instance holds the reports it took, in memory, until it writes them; the store is theirs in common. So history is
// read from the store through ONE instance (adding several instances' answers would count the store once per
// instance), together with every live instance's minutes not written yet; and the live view adds up what every
// instance holds in memory (each report is in exactly one instance's memory).
import type {StatQuery} from '@tars-ts/core/framework';

import {
  type Answer, MAX_SERIES_LIMIT, filterOf, mergePropAnswers, mergeStatAnswers, seriesLimit,
} from './query.js';

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

/** A gathered answer: the series, the daemon counters of one instance, and who answered. */
export interface Gathered<S> extends Answer<S> {
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
async function askEach<T>(instances: readonly StatInstance[], work: (i: StatInstance) => Promise<T>):
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

const checked = <R extends {ret: number}>(r: R): R => {
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
  Promise<Gathered<StatQuery.StatSeries>> {
  if (instances.length === 1) {
    const [{proxy}] = instances as [StatInstance];
    const [{series, groups}, {stats}] = await Promise.all([proxy.historyStats(req).then(checked), proxy.daemonStats()]);
    return {series, groups, daemon: stats, daemons: [stats], instances: {asked: 1, answered: 1, unanswered: []},
      cut: false};
  }
  const {StatQuery: Q} = await import('@tars-ts/core/framework');
  const partReq = Q.StatQueryRequest.create({...req, limit: MAX_SERIES_LIMIT});
  const gathered = await askEach(instances, async (i) => {
    const [{part}, {stats}] = await Promise.all([i.proxy.unwrittenStats(partReq).then(checked), i.proxy.daemonStats()]);
    return {part, stats};
  });
  const parts = gathered.answers.map((a) => a.value.part);
  return readThroughOne(gathered, parts.some((p) => p.groups > p.series.length),
    (proxy) => proxy.gatherHistoryStats(req, parts).then(checked));
}

/** Property history over every instance, as {@link gatherHistoryStats}. */
export async function gatherHistoryProperties(instances: readonly StatInstance[],
  req: StatQuery.PropertyQueryRequest): Promise<Gathered<StatQuery.PropertySeries>> {
  if (instances.length === 1) {
    const [{proxy}] = instances as [StatInstance];
    const [{series, groups}, {stats}] = await Promise.all([proxy.historyProperties(req).then(checked),
      proxy.daemonStats()]);
    return {series, groups, daemon: stats, daemons: [stats], instances: {asked: 1, answered: 1, unanswered: []},
      cut: false};
  }
  const {StatQuery: Q} = await import('@tars-ts/core/framework');
  const partReq = Q.PropertyQueryRequest.create({...req, limit: MAX_SERIES_LIMIT});
  const gathered = await askEach(instances, async (i) => {
    const [{part}, {stats}] = await Promise.all([i.proxy.unwrittenProperties(partReq).then(checked),
      i.proxy.daemonStats()]);
    return {part, stats};
  });
  const parts = gathered.answers.map((a) => a.value.part);
  return readThroughOne(gathered, parts.some((p) => p.groups > p.series.length),
    (proxy) => proxy.gatherHistoryProperties(req, parts).then(checked));
}

/**
 * The store read through the first instance that answered the first step, the next one when it fails (it died
 * in between): never through two, whose answers would each hold the whole store. What a failing reader held
 * unwritten is in the parts already, so the next reader still counts it.
 */
async function readThroughOne<S>(gathered: {answers: {instance: StatInstance;
  value: {stats: StatQuery.StatDaemonStats}}[]; instances: InstancesJson}, cut: boolean,
read: (proxy: StatQuery.StatQueryProxy) => Promise<Answer<S>>): Promise<Gathered<S>> {
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

/**
 * Live one-minute stat series over every instance: each instance's liveStats (what it holds in memory), merged
 * group by group and minute by minute (each report is in exactly one instance's memory, so adding is exact), cut
 * to the request's limit. Instances that do not answer are left out and named.
 */
export async function gatherLiveStats(instances: readonly StatInstance[], req: StatQuery.StatQueryRequest):
  Promise<Gathered<StatQuery.StatSeries>> {
  const f = filterOf(req);
  const gathered = await askEach(instances, async (i) => {
    const [live, {stats}] = await Promise.all([i.proxy.liveStats(req).then(checked), i.proxy.daemonStats()]);
    return {live, stats};
  });
  const answers = gathered.answers.map((a) => a.value);
  const daemons = answers.map((a) => a.stats);
  if (answers.length === 1 || !f) {
    const {series, groups} = answers[0]!.live;
    return {series, groups, daemon: daemons[0]!, daemons, instances: gathered.instances,
      cut: false};
  }
  const merged = mergeStatAnswers(answers.map((a) => a.live), f, seriesLimit(req.limit));
  return {series: merged.series, groups: merged.groups, daemon: daemons[0]!, daemons, instances: gathered.instances,
    cut: merged.cut};
}

/**
 * Live one-minute property series over every instance: asked with `mergeable` when there are several, merged by
 * policy, shown as one instance shows them.
 */
export async function gatherLiveProperties(instances: readonly StatInstance[], req: StatQuery.PropertyQueryRequest):
  Promise<Gathered<StatQuery.PropertySeries>> {
  const {StatQuery: Q} = await import('@tars-ts/core/framework');
  const several = instances.length > 1;
  const asked = several ? Q.PropertyQueryRequest.create({...req, mergeable: true}) : req;
  const gathered = await askEach(instances, async (i) => {
    const [live, {stats}] = await Promise.all([i.proxy.liveProperties(asked).then(checked), i.proxy.daemonStats()]);
    return {live, stats};
  });
  const answers = gathered.answers.map((a) => a.value);
  const daemons = answers.map((a) => a.stats);
  const merged = several ? mergePropAnswers(answers.map((a) => a.live), seriesLimit(req.limit), !req.mergeable)
    : {...answers[0]!.live, cut: false};
  return {series: merged.series, groups: merged.groups, daemon: daemons[0]!, daemons, instances: gathered.instances,
    cut: merged.cut};
}

/** The note under a table when not every instance answered; '' when all did. */
export function instancesNote(i: InstancesJson): string {
  if (i.unanswered.length === 0) return '';
  return `note: ${i.answered} of ${i.asked} stat instances answered; ` + i.unanswered.map((u) =>
    `${u.endpoint} did not (${u.error})`).join('; ') + ': what it took and had not written to the store yet is missing';
}

/**
 * The start of a watch's status line: `daemon` for one instance; `2 of 2 instances` for several, and the ones that
 * did not answer (the watch goes on with the others; their minutes are missing from the rows).
 */
export function instancesStatus(i: InstancesJson): string {
  if (i.asked === 1) return 'daemon';
  const missing = i.unanswered.map((u) => `${u.endpoint} did not answer: ${u.error}`).join('; ');
  return `${i.answered} of ${i.asked} instances${missing ? ` (${missing}; its minutes are missing)` : ''}`;
}
