// Queries over several instances of the stat daemon on one database (docs/stat.md "Several instances"): each
// instance holds the reports it took, in memory, until it writes them; the store is theirs in common. So history is
// read from the store through ONE instance (adding several instances' answers would count the store once per
// instance), together with every live instance's minutes not written yet; and the live view adds up what every
// instance holds in memory (each report is in exactly one instance's memory).
import type {StatQuery} from '@tars-ts/core/framework';

import {type GatheredSeries, type InstancesJson, type StatInstance, askEach, checkedAnswer} from '@tars-ts/kit';

import {filterOf, mergePropAnswers, mergeStatAnswers, seriesLimit} from './query.js';

// History (one read of the store plus every instance's unwritten minutes) is gathered by the kit, which the console
// shares; the live views, which merge here with the query's grouping, stay with the daemon's plugin.
export {
  type GatheredSeries, type InstancesJson, RefusedQuery, type StatInstance, gatherHistoryProperties, gatherHistoryStats,
} from '@tars-ts/kit';

/**
 * Live one-minute stat series over every instance: each instance's liveStats (what it holds in memory), merged
 * group by group and minute by minute (each report is in exactly one instance's memory, so adding is exact), cut
 * to the request's limit. Instances that do not answer are left out and named.
 */
export async function gatherLiveStats(instances: readonly StatInstance[], req: StatQuery.StatQueryRequest):
  Promise<GatheredSeries<StatQuery.StatSeries>> {
  const f = filterOf(req);
  const gathered = await askEach(instances, async (i) => {
    const [live, {stats}] = await Promise.all([i.proxy.liveStats(req).then(checkedAnswer), i.proxy.daemonStats()]);
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
  Promise<GatheredSeries<StatQuery.PropertySeries>> {
  const {StatQuery: Q} = await import('@tars-ts/core/framework');
  const several = instances.length > 1;
  const asked = several ? Q.PropertyQueryRequest.create({...req, mergeable: true}) : req;
  const gathered = await askEach(instances, async (i) => {
    const [live, {stats}] = await Promise.all([i.proxy.liveProperties(asked).then(checkedAnswer), i.proxy.daemonStats()]);
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
