// The daemon's three servants: tars.tarsstat.StatObj (StatF) and tars.tarsproperty.PropertyObj (PropertyF), as the
// official clients call them, and this toolkit's tars.tarsstat.StatQueryObj (core/framework/idl/StatQuery.tars).
import type {CallContext} from '@tars-ts/core';
import {PropertyF, StatF, StatQuery} from '@tars-ts/core/framework';

import {countersOf, filterOf, groupProps, groupStats, propSeriesRows, seriesKey, seriesLimit} from './query.js';
import type {StatService} from './stat-service.js';

export const STAT_OBJ = 'tars.tarsstat.StatObj';
export const PROPERTY_OBJ = 'tars.tarsproperty.PropertyObj';
export const STAT_QUERY_OBJ = 'tars.tarsstat.StatQueryObj';

/** The peer's IP, an IPv4-mapped IPv6 address reduced to IPv4. */
export function peerIp(ctx: Pick<CallContext, 'remote'>): string {
  const host = ctx.remote?.host ?? '';
  return host.startsWith('::ffff:') && host.includes('.') ? host.slice('::ffff:'.length) : host;
}

/**
 * The reporter's host as tarsstat takes it (`Current::getHostName`): the request context's `node_name` when sent,
 * else the socket's peer IP.
 */
export function reporterHost(ctx: Pick<CallContext, 'context' | 'remote'>): string {
  return ctx.context.get('node_name') ?? peerIp(ctx);
}

/** StatF: reportMicMsg aggregates; reportSampleMsg is accepted and ignored (the official server only logs it). */
export class StatServant extends StatF.StatFServant {
  constructor(private readonly service: StatService) {
    super();
  }

  reportMicMsg(msg: Map<StatF.StatMicMsgHead, StatF.StatMicMsgBody>, bFromClient: boolean, ctx: CallContext):
    StatF.StatF$Results['reportMicMsg'] {
    this.service.reportStats(msg, bFromClient, reporterHost(ctx));
    return {ret: 0};
  }

  reportSampleMsg(): StatF.StatF$Results['reportSampleMsg'] {
    return {ret: 0};
  }
}

/** PropertyF: reportPropMsg aggregates, keyed by the reporter's socket IP (framework.md 2.7). */
export class PropertyServant extends PropertyF.PropertyFServant {
  constructor(private readonly service: StatService) {
    super();
  }

  reportPropMsg(msg: Map<PropertyF.StatPropMsgHead, PropertyF.StatPropMsgBody>, ctx: CallContext):
    PropertyF.PropertyF$Results['reportPropMsg'] {
    this.service.reportProps(msg, peerIp(ctx));
    return {ret: 0};
  }
}

/** What the query servant says about where the daemon's other outputs are. */
export interface QueryServantInfo {
  metrics?: () => string;
}

/** StatQuery: reads for the CLI. ret -1 for a request it cannot answer (an unknown `by`). */
export class StatQueryServant extends StatQuery.StatQueryServant {
  constructor(private readonly service: StatService, private readonly info: QueryServantInfo = {}) {
    super();
  }

  liveStats(req: StatQuery.StatQueryRequest): StatQuery.StatQuery$Results['liveStats'] {
    const f = filterOf(req);
    if (!f) return {ret: -1, series: [], groups: 0};
    const from = this.service.openSlot.start - (Math.max(1, req.minutes || 60) - 1) * this.service.minuteMs;
    const rows = this.service.liveSlots().filter((m) => m.start >= from)
      .flatMap((m) => [...m.stats.entries.values()].map(({key, value}) => ({time: m.start, key, counters: value})));
    return {ret: 0, ...groupStats(rows, f, seriesLimit(req.limit))};
  }

  async historyStats(req: StatQuery.StatQueryRequest): Promise<StatQuery.StatQuery$Results['historyStats']> {
    const f = filterOf(req);
    if (!f) return {ret: -1, series: [], groups: 0};
    const {since, until} = this.range(req.since, req.until);
    return {ret: 0, ...groupStats(await this.service.historyStats(since, until), f, seriesLimit(req.limit))};
  }

  liveProperties(req: StatQuery.PropertyQueryRequest): StatQuery.StatQuery$Results['liveProperties'] {
    const from = this.service.openSlot.start - (Math.max(1, req.minutes || 60) - 1) * this.service.minuteMs;
    const rows = this.service.liveSlots().filter((m) => m.start >= from).flatMap((m) =>
      [...m.props.entries.values()].flatMap(({key, value}) => [...value].map(([policy, v]) => ({time: m.start, key,
        policy, value: v}))));
    return {ret: 0, ...groupProps(rows, {moduleName: req.moduleName, property: req.property},
      seriesLimit(req.limit), !req.mergeable)};
  }

  async historyProperties(req: StatQuery.PropertyQueryRequest):
    Promise<StatQuery.StatQuery$Results['historyProperties']> {
    const {since, until} = this.range(req.since, req.until);
    return {ret: 0, ...groupProps(await this.service.historyProps(since, until),
      {moduleName: req.moduleName, property: req.property}, seriesLimit(req.limit), !req.mergeable)};
  }

  unwrittenStats(req: StatQuery.StatQueryRequest): StatQuery.StatQuery$Results['unwrittenStats'] {
    const f = filterOf(req);
    const instance = this.service.instance;
    if (!f) return {ret: -1, part: StatQuery.UnwrittenStats.create({instance})};
    const rows = this.service.unflushed().flatMap((m) => [...m.stats.entries.values()].map(({key, value}) => ({
      time: m.start, key, counters: value})));
    const {series, groups} = groupStats(rows, f, seriesLimit(req.limit));
    return {ret: 0, part: StatQuery.UnwrittenStats.create({instance, series, groups})};
  }

  async gatherHistoryStats(req: StatQuery.StatQueryRequest, parts: StatQuery.UnwrittenStats[]):
    Promise<StatQuery.StatQuery$Results['gatherHistoryStats']> {
    const f = filterOf(req);
    if (!f) return {ret: -1, series: [], groups: 0};
    const {since, until} = this.range(req.since, req.until);
    const unwritten = parts.flatMap((part) => part.series.flatMap((s) => {
      const key = seriesKey(s, f);
      return s.points.map((p) => ({instance: part.instance, minute: Number(p.time), key, counters: countersOf(p)}));
    }));
    const answer = groupStats(await this.service.gatherHistoryStats(since, until, unwritten), f,
      seriesLimit(req.limit));
    return {ret: 0, series: answer.series, groups: Math.max(answer.groups, ...parts.map((p) => p.groups))};
  }

  unwrittenProperties(req: StatQuery.PropertyQueryRequest): StatQuery.StatQuery$Results['unwrittenProperties'] {
    const rows = this.service.unflushed().flatMap((m) => [...m.props.entries.values()].flatMap(({key, value}) =>
      [...value].map(([policy, v]) => ({time: m.start, key, policy, value: v}))));
    const {series, groups} = groupProps(rows, {moduleName: req.moduleName, property: req.property},
      seriesLimit(req.limit), false);
    return {ret: 0, part: StatQuery.UnwrittenProperties.create({instance: this.service.instance, series, groups})};
  }

  async gatherHistoryProperties(req: StatQuery.PropertyQueryRequest, parts: StatQuery.UnwrittenProperties[]):
    Promise<StatQuery.StatQuery$Results['gatherHistoryProperties']> {
    const {since, until} = this.range(req.since, req.until);
    const unwritten = parts.flatMap((part) => propSeriesRows(part.series).map((r) => ({instance: part.instance,
      minute: r.time, key: r.key, policy: r.policy, value: r.value})));
    const answer = groupProps(await this.service.gatherHistoryProps(since, until, unwritten),
      {moduleName: req.moduleName, property: req.property}, seriesLimit(req.limit), !req.mergeable);
    return {ret: 0, series: answer.series, groups: Math.max(answer.groups, ...parts.map((p) => p.groups))};
  }

  daemonStats(): StatQuery.StatQuery$Results['daemonStats'] {
    const s = this.service;
    const open = s.openSlot;
    const c = s.counters;
    return {ret: 0, stats: StatQuery.StatDaemonStats.create({now: BigInt(s.clock()), minuteMs: s.minuteMs,
      openSlot: BigInt(open.start), keys: open.stats.size, keyCap: s.maxKeys, droppedKeys: BigInt(c.droppedKeys),
      rejected: BigInt(c.rejected), reports: BigInt(c.reports), entries: BigInt(c.entries), propKeys: open.props.size,
      propDropped: BigInt(c.propDropped), propReports: BigInt(c.propReports), flushedSlot: BigInt(c.flushedSlot),
      flushErrors: BigInt(c.flushErrors), store: s.store.where, metrics: this.info.metrics?.() ?? '',
      retentionDays: s.retentionDays, liveSlots: s.liveSlots().length, instance: s.instance})};
  }

  /** [since, until) in whole 5-minute slots: the slots `since` and `until` (0 = now) fall in, and those between. */
  private range(since: bigint, until: bigint): {since: number; until: number} {
    const s = this.service;
    const end = until > 0n ? Number(until) : s.clock();
    return {since: s.slotOf(Number(since)), until: s.slotOf(end) + s.minuteMs * 5};
  }
}
