// Notifications as the log daemon's NotifyObj kept them, read through LogQuery.listNotify from every store of its
// live instances: shared by `tars notify list` (the log plugin) and the console's notifications (the web plugin).
import type {LogQuery} from '@tars-ts/core/framework';

import {type GroupAnswer, type LogInstance, type Unanswered, gather, groupByStore, mergeByTime} from './log-gather.js';
import type {LiveInstances} from './log-lines.js';

/** The levels a notification has (the official command column). */
export const NOTIFY_LEVELS = ['alarm', 'error', 'warn', 'normal'] as const;

/** One notification in `tars notify list --json` (docs/log.md). */
export interface NotifyEntryJson {
  id: number;
  time: string;
  app: string;
  server: string;
  nodeName: string;
  serverId: string;
  command: string;
  message: string;
  threadId: string;
  container: string;
  setName: string;
  setArea: string;
  setGroup: string;
  /** ReportType: 0 REPORT (command from the text), 1 NOTIFY (command from the level). */
  type: number;
  /**
   * With instances of the log daemon that keep separate stores (SQLite each), the one that holds the entry (its
   * LogQueryObj endpoint): ids are per store then. Absent with one store (one daemon, or a shared database).
   */
  instance?: string;
}

/** An entry as JSON; `instance` given (several stores) says which instance holds it. */
export function entryJson(e: LogQuery.NotifyEntry, instance?: string): NotifyEntryJson {
  return {id: Number(e.id), time: new Date(Number(e.time)).toISOString(), app: e.app, server: e.server,
    nodeName: e.nodeName, serverId: e.serverId, command: e.command, message: e.message, threadId: e.threadId,
    container: e.container, setName: e.setName, setArea: e.setArea, setGroup: e.setGroup, type: e.type,
    ...(instance === undefined ? {} : {instance})};
}

/** Which notifications: '' (or absent) for any. */
export interface NotifyFilter {
  readonly app?: string;
  readonly server?: string;
  /** alarm, error, warn or normal. */
  readonly level?: string;
  /** Only entries at or after this time, ms since the epoch (0: any). */
  readonly since?: number;
}

/** The LogQuery request of `filter`: entries after `afterId`, the newest `limit`. */
export async function notifyQuery(filter: NotifyFilter, afterId: number, limit: number): Promise<LogQuery.NotifyQuery> {
  const {LogQuery: Q} = await import('@tars-ts/core/framework');
  return Q.NotifyQuery.create({app: filter.app ?? '', server: filter.server ?? '', level: filter.level ?? '',
    since: BigInt(filter.since ?? 0), afterId: BigInt(afterId), limit});
}

/** What {@link gatherNotifications} read. */
export interface GatheredNotifications {
  /** The newest `limit` entries of every store, oldest first (merged by time). */
  entries: NotifyEntryJson[];
  /** Instances that did not answer (among those that answered at all); their entries may be missing. */
  unanswered: Unanswered[];
  /** The instances grouped by notify store (one is asked per store). */
  groups: LogInstance[][];
  /** Each answering store's raw entries and the instance that gave them (where following resumes). */
  answers: GroupAnswer<LogQuery.NotifyEntry[]>[];
  /** Whether there are several stores (then each entry names its `instance`: ids are a store's own). */
  several: boolean;
}

/**
 * The newest `limit` notifications matching `filter` of every store of `live.instances` (instances sharing a store,
 * one PostgreSQL schema, hold the same entries: one of them is asked per store), merged by time. Rejects as
 * {@link gather} does when no store answers.
 */
export async function gatherNotifications(live: Pick<LiveInstances, 'instances'>, filter: NotifyFilter,
  limit: number): Promise<GatheredNotifications> {
  const request = await notifyQuery(filter, 0, limit);
  const groups = groupByStore(live.instances, 'notifyStore');
  const {answers, unanswered} = await gather(groups, async (i) => (await i.query.listNotify(request)).entries);
  const several = groups.length > 1;
  const entries = mergeByTime(answers.map((a) => a.value.map((e) => entryJson(e,
    several ? a.instance.endpoint : undefined))), (e) => Date.parse(e.time)).slice(-limit);
  return {entries, unanswered, groups, answers, several};
}
