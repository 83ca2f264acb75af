// The stat daemon's state: one-minute slots in memory (the open one and the last ~60 closed ones, for the live
// view), each closed minute added into its official 5-minute row in the store as it closes, queries over both.
import {randomUUID} from 'node:crypto';

import type {Logger} from '@tars-ts/core';
import type {PropertyF, StatF} from '@tars-ts/core/framework';

import {
  BoundedTable, Interner, type StatCounters, type StatKey, copyCounters, mergeCounters, normaliseStat, statKeyString,
} from './aggregate.js';
import {type PropKey, type PropValues, mergeValues, normaliseProperty, propKeyString} from './property.js';
import {type StatStore, writtenKey} from './store.js';

/** The clock everything here reads (ms since the epoch); tests inject their own. */
export type Clock = () => number;

/** Defaults of the daemon's flags. */
export const DEFAULT_MINUTE_MS = 60_000;
export const DEFAULT_LIVE_MINUTES = 60;
export const DEFAULT_MAX_KEYS = 100_000;
export const DEFAULT_MAX_LIVE_KEYS = 500_000;
/** Call series /metrics exports at most (each is 15 lines of text). */
export const DEFAULT_MAX_METRIC_SERIES = 10_000;
export const DEFAULT_RETENTION_DAYS = 31;
/** Minutes per official storage slot. */
export const SLOT_MINUTES = 5;
/** Closed minutes kept for a retry while the store fails, beyond which the oldest is given up (and logged). */
const MAX_PENDING = 10;

/** One slot of the live view: a minute of stats and properties, each table bounded. */
export class MinuteSlot {
  readonly stats: BoundedTable<StatKey, StatCounters>;
  readonly props: BoundedTable<PropKey, PropValues>;

  constructor(readonly start: number, maxKeys: number, interner?: Interner) {
    this.stats = new BoundedTable(maxKeys, mergeCounters, interner ? (k) => interner.statKey(k) : undefined);
    this.props = new BoundedTable(maxKeys, mergeValues);
  }

  get size(): number {
    return this.stats.size + this.props.size;
  }
}

/** Options of a {@link StatService}. */
export interface StatServiceOptions {
  readonly store: StatStore;
  readonly clock?: Clock;
  /** Length of a live slot (default 60000; tests shorten it). The store's slots are 5 of them. */
  readonly minuteMs?: number;
  /** Closed minutes kept in memory (default 60). */
  readonly liveMinutes?: number;
  /** Distinct keys per minute, for stats and for properties each (default 100000). */
  readonly maxKeys?: number;
  /**
   * Entries over every minute in memory; the oldest closed minutes are let go beyond it (default 500,000: about
   * 0.55 KB each, so 300 MB at worst).
   */
  readonly maxLiveKeys?: number;
  /** Call series /metrics exports at most (default 10,000). */
  readonly maxMetricSeries?: number;
  /** Stored rows older than this many days are deleted (default 31). */
  readonly retentionDays?: number;
  /** Run the minute timer and the purge (default true; tests drive {@link tick} themselves). */
  readonly timers?: boolean;
  readonly logger?: Logger;
  /** This instance's id in the store's record of written minutes (default a new random one). */
  readonly instance?: string;
}

/** A row of a minute one instance has not written yet, as {@link StatService.gatherHistoryStats} takes it. */
export interface UnwrittenStatRow {
  /** The instance holding it. */
  readonly instance: string;
  /** The minute's start. */
  readonly minute: number;
  readonly key: StatKey;
  readonly counters: StatCounters;
}

/** A property row of a minute one instance has not written yet (one policy, its mergeable value). */
export interface UnwrittenPropRow {
  readonly instance: string;
  readonly minute: number;
  readonly key: PropKey;
  readonly policy: string;
  readonly value: string;
}

/** The daemon's counters since it started. */
export interface ServiceCounters {
  reports: number;
  entries: number;
  zero: number;
  rejected: number;
  droppedKeys: number;
  propReports: number;
  propEntries: number;
  propDropped: number;
  flushedSlot: number;
  flushErrors: number;
  lostMinutes: number;
  metricSeriesDropped: number;
}

/**
 * The labels of /metrics' call series: the callee, its function, the side and the return value. Far fewer than
 * stat keys (no IPs, ports or callers), so that the totals since start stay bounded while reporters come and go.
 */
export interface MetricKey {
  readonly callee: string;
  readonly interfaceName: string;
  readonly side: StatKey['side'];
  readonly returnValue: number;
}

/**
 * Takes reports, keeps the live minutes, writes each closed minute to the store. A report goes into the minute of
 * the daemon's clock when it arrives (as tarsstat's buffers do). A restart loses at most the open minute (and a
 * minute whose write failed {@link MAX_PENDING} times in a row, logged).
 */
export class StatService {
  readonly clock: Clock;
  readonly minuteMs: number;
  readonly liveMinutes: number;
  readonly maxKeys: number;
  readonly maxLiveKeys: number;
  readonly retentionDays: number;
  readonly store: StatStore;
  /**
   * This instance's id, new at each start: its store writes record (instance, minute), so that a query gathering
   * every instance's unwritten minutes can tell which of them were written meanwhile. A restarted instance has
   * nothing unwritten from before (its memory is gone), so a new id loses nothing.
   */
  readonly instance: string;
  readonly counters: ServiceCounters = {reports: 0, entries: 0, zero: 0, rejected: 0, droppedKeys: 0, propReports: 0,
    propEntries: 0, propDropped: 0, flushedSlot: 0, flushErrors: 0, lostMinutes: 0, metricSeriesDropped: 0};
  /**
   * Totals since start per {@link MetricKey}, for /metrics (counters only grow); at most `maxMetricSeries` series,
   * new ones beyond are not exported (counted in `counters.metricSeriesDropped`).
   */
  readonly cumulative: BoundedTable<MetricKey, StatCounters>;
  /** The last closed minute's property values, for /metrics gauges. */
  lastProps: MinuteSlot | undefined;

  private open: MinuteSlot;
  /** Closed minutes, oldest first, still in memory. */
  private readonly closed: MinuteSlot[] = [];
  /** Closed minutes not yet in the store, oldest first. */
  private readonly pending: MinuteSlot[] = [];
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private purgeTimer: NodeJS.Timeout | undefined;
  private closedForGood = false;
  private readonly logger: Logger | undefined;
  /** The strings of kept keys, shared by every minute (about 9 per key; starts afresh past 10 per key of a minute). */
  private readonly interner: Interner;

  constructor(options: StatServiceOptions) {
    this.store = options.store;
    this.clock = options.clock ?? Date.now;
    this.minuteMs = options.minuteMs ?? DEFAULT_MINUTE_MS;
    this.liveMinutes = options.liveMinutes ?? DEFAULT_LIVE_MINUTES;
    this.maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
    this.maxLiveKeys = options.maxLiveKeys ?? DEFAULT_MAX_LIVE_KEYS;
    this.retentionDays = options.retentionDays ?? DEFAULT_RETENTION_DAYS;
    this.logger = options.logger;
    this.instance = options.instance ?? randomUUID();
    this.interner = new Interner(this.maxKeys * 10);
    this.cumulative = new BoundedTable(options.maxMetricSeries ?? DEFAULT_MAX_METRIC_SERIES, mergeCounters, (k) => ({callee: this.interner.intern(k.callee),
      interfaceName: this.interner.intern(k.interfaceName), side: k.side, returnValue: k.returnValue}));
    this.open = new MinuteSlot(this.minuteOf(this.clock()), this.maxKeys, this.interner);
    if (options.timers ?? true) {
      this.schedule();
      const purge = (): void => {
        void this.purge().catch((error: unknown) => this.logger?.error(`purging old rows: ${(error as Error).message}`));
      };
      purge();
      this.purgeTimer = setInterval(purge, Math.min(3_600_000, this.minuteMs * 60));
      this.purgeTimer.unref();
    }
  }

  /** Start of the minute `t` falls in. */
  minuteOf(t: number): number {
    return Math.floor(t / this.minuteMs) * this.minuteMs;
  }

  /** Start of the 5-minute store slot `t` falls in. */
  slotOf(t: number): number {
    const slotMs = this.minuteMs * SLOT_MINUTES;
    return Math.floor(t / slotMs) * slotMs;
  }

  /** The minute being filled. */
  get openSlot(): MinuteSlot {
    this.roll();
    return this.open;
  }

  /** reportMicMsg: each entry normalised (framework.md 2.6) and added to the open minute. */
  reportStats(msg: ReadonlyMap<StatF.StatMicMsgHead, StatF.StatMicMsgBody>, fromClient: boolean, host: string): void {
    const slot = this.openSlot;
    this.counters.reports++;
    for (const [head, body] of msg) {
      this.counters.entries++;
      const n = normaliseStat(head, body, fromClient, host);
      if (n.kind === 'zero') {
        this.counters.zero++;
        continue;
      }
      if (n.kind === 'rejected') {
        this.counters.rejected++;
        continue;
      }
      const id = statKeyString(n.key);
      if (slot.stats.add(id, n.key, n.counters) === 'dropped') {
        this.counters.droppedKeys++;
        continue;
      }
      const k = n.key;
      const metric: MetricKey = {callee: k.slaveName, interfaceName: k.interfaceName, side: k.side,
        returnValue: k.returnValue};
      if (this.cumulative.add([k.slaveName, k.interfaceName, k.side, k.returnValue].join('\0'), metric,
        copyCounters(n.counters)) === 'dropped') this.counters.metricSeriesDropped++;
    }
  }

  /** reportPropMsg: each entry normalised (framework.md 2.7) and added to the open minute. */
  reportProps(msg: ReadonlyMap<PropertyF.StatPropMsgHead, PropertyF.StatPropMsgBody>, ip: string): void {
    const slot = this.openSlot;
    this.counters.propReports++;
    for (const [head, body] of msg) {
      this.counters.propEntries++;
      const n = normaliseProperty(head, body, ip);
      if (n.kind === 'rejected') {
        this.counters.rejected++;
        continue;
      }
      if (slot.props.add(propKeyString(n.key), n.key, n.values) === 'dropped') this.counters.propDropped++;
    }
  }

  /** Closes the open minute if the clock has left it; the closed one is queued for the store. */
  private roll(): void {
    const now = this.minuteOf(this.clock());
    if (now <= this.open.start) return;
    this.closeOpen(now);
  }

  private closeOpen(next: number): void {
    const done = this.open;
    this.open = new MinuteSlot(next, this.maxKeys, this.interner);
    this.closed.push(done);
    this.lastProps = done;
    if (done.size > 0) this.pending.push(done);
    this.trim();
  }

  /** Lets go of closed minutes beyond the live window or the entry budget (they are in the store). */
  private trim(): void {
    const oldest = this.open.start - this.liveMinutes * this.minuteMs;
    let total = this.closed.reduce((s, m) => s + m.size, this.open.size);
    while (this.closed.length > 0 && (this.closed[0]!.start < oldest || total > this.maxLiveKeys)) {
      const gone = this.closed.shift()!;
      total -= gone.size;
    }
  }

  /**
   * The minute timer's work, also what tests call: closes the open minute if its time is over and writes every
   * closed minute not yet in the store. Writes never overlap; resolves once this one's are done.
   */
  async tick(): Promise<void> {
    this.roll();
    await this.flush();
  }

  /** Runs `work` after every earlier one: store writes and the reads that add unwritten minutes never interleave. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(work, work);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private flush(): Promise<void> {
    return this.exclusive(async () => {
      while (this.pending.length > 0) {
        const minute = this.pending[0]!;
        try {
          await this.store.addMinute(this.slotOf(minute.start), this.minuteMs * SLOT_MINUTES,
            minute.stats.entries.values(), minute.props.entries.values(),
            {instance: this.instance, minute: minute.start});
          this.pending.shift();
          this.counters.flushedSlot = Math.max(this.counters.flushedSlot, minute.start);
        } catch (error) {
          this.counters.flushErrors++;
          this.logger?.error(`writing the minute ${new Date(minute.start).toISOString()} to the store: ` +
            `${(error as Error).message}`);
          while (this.pending.length > MAX_PENDING) {
            const lost = this.pending.shift()!;
            this.counters.lostMinutes++;
            this.logger?.error(`gave up the minute ${new Date(lost.start).toISOString()}: the store keeps failing`);
          }
          return;
        }
      }
    });
  }

  /**
   * Stat rows of the 5-minute slots in [since, until): the store's, plus the minutes not written yet (each added to
   * its slot), so that a query sees every report taken. Never overlaps a write.
   */
  historyStats(since: number, until: number): Promise<{time: number; key: StatKey; counters: StatCounters}[]> {
    return this.exclusive(async () => {
      const rows = (await this.store.readStats({since, until})).map((r) => ({time: r.slot, key: r.key,
        counters: r.counters}));
      for (const m of this.unflushed()) {
        const time = this.slotOf(m.start);
        if (time < since || time >= until) continue;
        for (const {key, value} of m.stats.entries.values()) rows.push({time, key, counters: value});
      }
      return rows;
    });
  }

  /** Property rows of the 5-minute slots in [since, until), stored and not yet written, one per policy. */
  historyProps(since: number, until: number): Promise<{time: number; key: PropKey; policy: string; value: string}[]> {
    return this.exclusive(async () => {
      const rows = (await this.store.readProps({since, until})).map((r) => ({time: r.slot, key: r.key,
        policy: r.policy, value: r.value}));
      for (const m of this.unflushed()) {
        const time = this.slotOf(m.start);
        if (time < since || time >= until) continue;
        for (const {key, value} of m.props.entries.values()) {
          for (const [policy, v] of value) rows.push({time, key, policy, value: v});
        }
      }
      return rows;
    });
  }

  /**
   * Several instances on one store, step 2 of a history query (step 1 asked every instance for its
   * {@link unflushed} minutes): the store's stat rows of the 5-minute slots in [since, until) plus `unwritten`
   * (each added to its slot), leaving out every unwritten minute that its instance has written since it was asked,
   * as the store holds it then. The store's rows and its record of written minutes are read in one transaction,
   * so every report in the store or in `unwritten` is counted exactly once, whatever was written in between.
   * Unwritten minutes of an instance that did not answer step 1 are missing (they are in no store either).
   */
  async gatherHistoryStats(since: number, until: number, unwritten: readonly UnwrittenStatRow[]):
    Promise<{time: number; key: StatKey; counters: StatCounters}[]> {
    const oldest = unwritten.reduce((m, r) => Math.min(m, r.minute), Number.POSITIVE_INFINITY);
    const {rows, written} = await this.store.readGathered('stats', {since, until},
      Number.isFinite(oldest) ? oldest : until);
    const out = rows.map((r) => ({time: r.slot, key: r.key, counters: r.counters}));
    for (const r of unwritten) {
      const time = this.slotOf(r.minute);
      if (time < since || time >= until || written.has(writtenKey(r.instance, r.minute))) continue;
      out.push({time, key: r.key, counters: r.counters});
    }
    return out;
  }

  /** {@link gatherHistoryStats} for properties: stored rows plus the unwritten ones not written since. */
  async gatherHistoryProps(since: number, until: number, unwritten: readonly UnwrittenPropRow[]):
    Promise<{time: number; key: PropKey; policy: string; value: string}[]> {
    const oldest = unwritten.reduce((m, r) => Math.min(m, r.minute), Number.POSITIVE_INFINITY);
    const {rows, written} = await this.store.readGathered('props', {since, until},
      Number.isFinite(oldest) ? oldest : until);
    const out = rows.map((r) => ({time: r.slot, key: r.key, policy: r.policy, value: r.value}));
    for (const r of unwritten) {
      const time = this.slotOf(r.minute);
      if (time < since || time >= until || written.has(writtenKey(r.instance, r.minute))) continue;
      out.push({time, key: r.key, policy: r.policy, value: r.value});
    }
    return out;
  }

  private schedule(): void {
    if (this.closedForGood) return;
    const now = this.clock();
    const wait = this.minuteOf(now) + this.minuteMs - now + 5;
    this.timer = setTimeout(() => {
      void this.tick().finally(() => this.schedule());
    }, wait);
    this.timer.unref();
  }

  /** Deletes stored rows older than the retention. */
  purge(): Promise<number> {
    return this.store.purge(this.clock() - this.retentionDays * 86_400_000);
  }

  /** Minutes in memory, oldest first, the open one last. */
  liveSlots(): readonly MinuteSlot[] {
    this.roll();
    return [...this.closed, this.open];
  }

  /** Minutes not yet in the store (queued, and the open one), oldest first. */
  unflushed(): readonly MinuteSlot[] {
    this.roll();
    return [...this.pending, this.open];
  }

  /**
   * Graceful stop: the timers stop, the open minute is closed (however young) and everything not yet stored is
   * written. Idempotent.
   */
  async close(): Promise<void> {
    if (!this.closedForGood) {
      this.closedForGood = true;
      if (this.timer) clearTimeout(this.timer);
      if (this.purgeTimer) clearInterval(this.purgeTimer);
      this.closeOpen(this.open.start + this.minuteMs);
    }
    await this.flush();
  }
}
