/**
 * Call statistics (framework.md 1.9, 3.2): every call a client makes and every request a server serves is counted
 * into a StatMicMsgHead -> StatMicMsgBody entry, and every report interval the entries go to the stat daemon with
 * StatF.reportMicMsg (caller side with bFromClient = true, callee side with false), split into several calls when
 * large, as TarsCpp does.
 *
 * The hot path is one or two Map lookups and a few additions: callers keep a {@link ClientStatScope} (one per
 * object) or a {@link ServerStatScope}, which cache the entry of a successful call by endpoint object (or caller
 * host) and function name, so a call builds no key and allocates nothing. Memory is bounded whatever happens: at
 * most `maxKeys` entries exist (calls for further keys are dropped and counted), an entry idle for a whole interval
 * is forgotten, and at most `maxPending` report batches wait or are in flight (the rest are dropped and counted). No
 * report ever blocks or fails a call.
 *
 * What the fields hold (TarsGo's choices where TarsCpp and TarsGo differ, see framework.md 3.2 and 6.7):
 * - caller side: masterName = the caller's module name (`.nameareagroup` appended in a SET), masterIp = its local IP,
 *   slaveName = the first two parts of the object name (`.nameareagroup` appended when the endpoint has a SET id, with
 *   slaveSetName/Area/ID), slaveIp/slavePort = the endpoint called, returnValue = the server's iRet, -1 when no
 *   answer came (timeouts, connection failures), tarsVersion = this runtime's version;
 * - callee side: masterName = `stat_from_server` (`one_way_client` for one-way requests), masterIp = the caller's
 *   address, slaveName = `app.server` (+ SET), slaveIp = the server's localip, slavePort 0, returnValue = iRet;
 * - count / timeoutCount / execCount: success / the caller's local timeout / anything else (a non-zero iRet
 *   included); totalRspTime, maxRspTime and minRspTime (smallest non-zero) over successful calls, in whole ms;
 * - intervalCount: every call at its measured latency in the first bucket whose bound is strictly greater
 *   ({@link STAT_BUCKETS}; 3000 ms and more in none); every bucket is present.
 */
import {StatMicMsgBody, StatMicMsgHead} from '../../framework/StatFTars.js';
import type {Endpoint} from '../../protocol/endpoint.js';
import {type SetId, parseSetId} from '../set-routing.js';
import {ReportSender, type ReportSenderStats} from './report-sender.js';
import {type ReportTimer, realReportTimer} from './report-timer.js';

/** Upper bounds (ms, exclusive) of the latency buckets of intervalCount, as every official runtime sends them. */
export const STAT_BUCKETS: readonly number[] = [5, 10, 50, 100, 200, 500, 1000, 2000, 3000];

/** How a call ended, for {@link ClientStatScope.record} and {@link ServerStatScope.record}. */
export const StatOutcome = {SUCCESS: 0, TIMEOUT: 1, ERROR: 2} as const;
export type StatOutcome = (typeof StatOutcome)[keyof typeof StatOutcome];

/** Defaults of the limits (see {@link StatReporterOptions}). */
export const STAT_DEFAULTS = {maxKeys: 10000, maxPending: 64, maxReportSize: 1400} as const;

/** What a {@link StatReporter} needs. */
export interface StatReporterOptions {
  /** Caller name of caller-side reports (the client's `modulename`, SET suffix included). */
  masterName: string;
  /** This host's IP, for caller-side reports. */
  masterIp: string;
  /** tarsVersion of every head. */
  tarsVersion: string;
  /** ms between reports. */
  intervalMs: number;
  /** Makes one StatF.reportMicMsg call. */
  send(msg: Map<StatMicMsgHead, StatMicMsgBody>, bFromClient: boolean): Promise<unknown>;
  /** Objects whose calls are never counted: the stat and property objects themselves (no feedback loop). */
  exempt?: (objName: string) => boolean;
  /** Most distinct entries (both sides together); calls for further keys are dropped. Default 10000. */
  maxKeys?: number;
  /** Most report batches waiting or in flight, per side (sent one at a time); default 64. */
  maxPending?: number;
  /** Estimated bytes a report RPC stays under (TarsCpp `max-report-size`); default 1400. */
  maxReportSize?: number;
  /** Default: an unref'd setInterval. */
  timer?: ReportTimer;
}

/** Counters of a {@link StatReporter}, in calls unless said otherwise. */
export interface StatReportStats {
  /** Entries (distinct heads) held now. */
  keys: number;
  /** Calls in reports the daemon answered. */
  reported: number;
  /** Calls not reported: beyond the key cap, in batches skipped or failed. */
  dropped: number;
  /** Report RPCs sent, failed, and skipped (too many in flight). */
  sent: number;
  failed: number;
  skipped: number;
  /** Report RPCs in flight now. */
  pending: number;
  /** The last report failure, '' if none. */
  lastError: string;
}

/** The counters of one head during the current interval. */
export class StatEntry {
  count = 0;
  timeoutCount = 0;
  execCount = 0;
  totalRspTime = 0;
  maxRspTime = 0;
  minRspTime = 0;
  /** Calls per bucket of {@link STAT_BUCKETS}. */
  readonly intervals: number[] = [0, 0, 0, 0, 0, 0, 0, 0, 0];

  constructor(readonly head: StatMicMsgHead) {}

  /** Counts one call that took `ms`. */
  add(outcome: StatOutcome, ms: number): void {
    const t = ms > 0 ? Math.floor(ms) : 0;
    if (outcome === StatOutcome.SUCCESS) {
      this.count++;
      this.totalRspTime += t;
      if (t > this.maxRspTime) this.maxRspTime = t;
      if (t !== 0 && (this.minRspTime === 0 || t < this.minRspTime)) this.minRspTime = t;
    } else if (outcome === StatOutcome.TIMEOUT) {
      this.timeoutCount++;
    } else {
      this.execCount++;
    }
    const bounds = STAT_BUCKETS;
    for (let i = 0; i < 9; i++) {
      if (t < bounds[i]!) {
        this.intervals[i]!++;
        return;
      }
    }
  }

  get calls(): number {
    return this.count + this.timeoutCount + this.execCount;
  }

  /** The body of what was counted since the last reset. */
  body(): StatMicMsgBody {
    const intervalCount = new Map<number, number>();
    for (let i = 0; i < 9; i++) intervalCount.set(STAT_BUCKETS[i]!, this.intervals[i]!);
    return {count: this.count, timeoutCount: this.timeoutCount, execCount: this.execCount, intervalCount,
      totalRspTime: BigInt(this.totalRspTime), maxRspTime: this.maxRspTime, minRspTime: this.minRspTime};
  }

  reset(): void {
    this.count = this.timeoutCount = this.execCount = this.totalRspTime = this.maxRspTime = this.minRspTime = 0;
    this.intervals.fill(0);
  }
}

interface Item {
  head: StatMicMsgHead;
  body: StatMicMsgBody;
  calls: number;
}

/** A SET id as the suffix official runtimes append to names: `.nameareagroup`. */
export function setSuffix(set: SetId | undefined): string {
  return set ? `.${set.name}${set.area}${set.group}` : '';
}

/** Estimated encoded size of one head and body: the strings plus the fixed fields and nine buckets. */
function sizeOf(item: Item): number {
  const h = item.head;
  return h.masterName.length + h.slaveName.length + h.interfaceName.length + h.masterIp.length + h.slaveIp.length +
    h.slaveSetName.length + h.slaveSetArea.length + h.slaveSetID.length + h.tarsVersion.length + 100;
}

/**
 * Aggregates call statistics and reports them every interval; see the module comment. Made by the communicator when
 * its `stat` property is set; {@link scope} and {@link serverScope} give the per-object and per-server handles the
 * proxy and the dispatcher record into.
 */
export class StatReporter {
  private readonly client = new Map<string, StatEntry>();
  private readonly server = new Map<string, StatEntry>();
  private readonly scopes = new Map<string, ClientStatScope | null>();
  private readonly clientSender: ReportSender<Item>;
  private readonly serverSender: ReportSender<Item>;
  private readonly maxKeys: number;
  private stopTimer?: () => void;
  /**
   * Bumped at every report: scopes then drop the entries they cached, so their caches hold no forgotten entry and no
   * endpoint object a locator refresh has replaced for longer than an interval.
   */
  epoch = 0;

  constructor(readonly options: StatReporterOptions) {
    this.maxKeys = options.maxKeys ?? STAT_DEFAULTS.maxKeys;
    const limits = {maxPending: options.maxPending ?? STAT_DEFAULTS.maxPending,
      maxReportSize: options.maxReportSize ?? STAT_DEFAULTS.maxReportSize};
    const sender = (bFromClient: boolean): ReportSender<Item> => new ReportSender<Item>(
      (batch) => options.send(new Map(batch.map((i) => [i.head, i.body])), bFromClient), sizeOf, (i) => i.calls,
      limits);
    this.clientSender = sender(true);
    this.serverSender = sender(false);
  }

  /** Starts reporting every interval. Idempotent. */
  start(): this {
    this.stopTimer ??= (this.options.timer ?? realReportTimer).every(Math.max(1, this.options.intervalMs),
      () => void this.flush());
    return this;
  }

  /** Stops the timer; what was not reported yet is dropped with the reporter. Idempotent. */
  stop(): void {
    this.stopTimer?.();
    this.stopTimer = undefined;
  }

  /** The counters of both sides together. */
  get stats(): StatReportStats {
    const c = this.clientSender.stats;
    const s = this.serverSender.stats;
    return {keys: this.client.size + this.server.size, reported: c.reported + s.reported,
      dropped: c.dropped + s.dropped, sent: c.sent + s.sent, failed: c.failed + s.failed,
      skipped: c.skipped + s.skipped, pending: c.pending + s.pending,
      lastError: this.serverSender.lastError || this.clientSender.lastError};
  }

  /** The caller-side handle of calls to `objName`; null when they are not counted (the stat object itself). */
  scope(objName: string): ClientStatScope | null {
    let scope = this.scopes.get(objName);
    if (scope === undefined) {
      scope = this.options.exempt?.(objName) ? null : new ClientStatScope(this, objName);
      this.scopes.set(objName, scope);
    }
    return scope;
  }

  /** The callee-side handle of a server named `slaveName` (`app.server`), at `slaveIp`, in SET `set` if any. */
  serverScope(app: string, server: string, slaveIp: string, setdivision?: string): ServerStatScope {
    return new ServerStatScope(this, `${app}.${server}`, slaveIp, parseSetId(setdivision));
  }

  /** @internal The caller-side entry of a head; undefined (and the call counted as dropped) beyond the key cap. */
  clientEntry(slaveName: string, endpoint: Endpoint, func: string, ret: number): StatEntry | undefined {
    const set = parseSetId(endpoint.setId);
    const name = slaveName + setSuffix(set);
    const key = `${name}\u0000${func}\u0000${endpoint.host}\u0000${endpoint.port}\u0000${ret}`;
    let entry = this.client.get(key);
    if (entry === undefined) {
      if (this.client.size + this.server.size >= this.maxKeys) {
        this.clientSender.drop(1);
        return undefined;
      }
      entry = new StatEntry(StatMicMsgHead.create({masterName: this.options.masterName, slaveName: name,
        interfaceName: func, masterIp: this.options.masterIp, slaveIp: endpoint.host, slavePort: endpoint.port,
        returnValue: ret, slaveSetName: set?.name ?? '', slaveSetArea: set?.area ?? '', slaveSetID: set?.group ?? '',
        tarsVersion: this.options.tarsVersion}));
      this.client.set(key, entry);
    }
    return entry;
  }

  /** @internal The callee-side entry of a head; undefined (and the call counted as dropped) beyond the key cap. */
  serverEntry(scope: ServerStatScope, func: string, callerIp: string, ret: number, oneway: boolean):
    StatEntry | undefined {
    const masterName = oneway ? 'one_way_client' : 'stat_from_server';
    const key = `${scope.slaveName}\u0000${func}\u0000${callerIp}\u0000${ret}\u0000${masterName}`;
    let entry = this.server.get(key);
    if (entry === undefined) {
      if (this.client.size + this.server.size >= this.maxKeys) {
        this.serverSender.drop(1);
        return undefined;
      }
      const set = scope.set;
      entry = new StatEntry(StatMicMsgHead.create({masterName, slaveName: scope.slaveName, interfaceName: func,
        masterIp: callerIp, slaveIp: scope.slaveIp, slavePort: 0, returnValue: ret, slaveSetName: set?.name ?? '',
        slaveSetArea: set?.area ?? '', slaveSetID: set?.group ?? '', tarsVersion: this.options.tarsVersion}));
      this.server.set(key, entry);
    }
    return entry;
  }

  /**
   * Reports what was counted since the last report (both sides) and starts a new interval; resolves once the
   * report RPCs have settled. Never rejects. The timer calls it every interval; call it to report now.
   */
  async flush(): Promise<void> {
    const client = this.drain(this.client);
    const server = this.drain(this.server);
    await Promise.all([this.clientSender.submit(client), this.serverSender.submit(server)]);
  }

  /** Takes the interval's bodies out of `table`, resets the entries, and forgets those idle for the interval. */
  private drain(table: Map<string, StatEntry>): Item[] {
    const items: Item[] = [];
    for (const [key, entry] of table) {
      const calls = entry.calls;
      if (calls === 0) {
        table.delete(key);
        continue;
      }
      items.push({head: entry.head, body: entry.body(), calls});
      entry.reset();
    }
    this.epoch++;
    return items;
  }
}

/**
 * The caller-side handle of one object: {@link record} counts a call. Caches the entry of successful calls by
 * endpoint object and function name, so that the common case builds no key.
 */
export class ClientStatScope {
  /** `App.Server` of the object. */
  readonly slaveName: string;
  private ok = new Map<Endpoint, Map<string, StatEntry>>();
  private epoch: number;

  constructor(private readonly reporter: StatReporter, objName: string) {
    const parts = objName.split('.');
    this.slaveName = parts.length >= 2 ? `${parts[0]}.${parts[1]}` : objName;
    this.epoch = reporter.epoch;
  }

  /** Counts one call of `func` on `endpoint`: its outcome, the iRet (-1 without an answer) and how long it took. */
  record(endpoint: Endpoint, func: string, ret: number, outcome: StatOutcome, ms: number): void {
    if (this.epoch !== this.reporter.epoch) {
      this.ok = new Map();
      this.epoch = this.reporter.epoch;
    }
    if (ret !== 0 || outcome !== StatOutcome.SUCCESS) {
      this.reporter.clientEntry(this.slaveName, endpoint, func, ret)?.add(outcome, ms);
      return;
    }
    let byFunc = this.ok.get(endpoint);
    let entry = byFunc?.get(func);
    if (entry === undefined) {
      entry = this.reporter.clientEntry(this.slaveName, endpoint, func, 0);
      if (entry === undefined) return;
      if (byFunc === undefined) {
        byFunc = new Map();
        this.ok.set(endpoint, byFunc);
      }
      byFunc.set(func, entry);
    }
    entry.add(StatOutcome.SUCCESS, ms);
  }
}

/** The callee-side handle of one server: {@link record} counts a request served. */
export class ServerStatScope {
  private ok = new Map<string, Map<string, StatEntry>>();
  private epoch: number;

  constructor(private readonly reporter: StatReporter, readonly slaveName: string, readonly slaveIp: string,
    readonly set: SetId | undefined) {
    this.slaveName = slaveName + setSuffix(set);
    this.epoch = reporter.epoch;
  }

  /** Counts one request for `func` from `callerIp`, answered `ret` (0 success) after `ms`. */
  record(func: string, callerIp: string, ret: number, oneway: boolean, ms: number): void {
    if (this.epoch !== this.reporter.epoch) {
      this.ok = new Map();
      this.epoch = this.reporter.epoch;
    }
    const outcome = ret === 0 ? StatOutcome.SUCCESS : StatOutcome.ERROR;
    if (ret !== 0 || oneway) {
      this.reporter.serverEntry(this, func, callerIp, ret, oneway)?.add(outcome, ms);
      return;
    }
    let byHost = this.ok.get(func);
    let entry = byHost?.get(callerIp);
    if (entry === undefined) {
      entry = this.reporter.serverEntry(this, func, callerIp, 0, false);
      if (entry === undefined) return;
      if (byHost === undefined) {
        byHost = new Map();
        this.ok.set(func, byHost);
      }
      byHost.set(callerIp, entry);
    }
    entry.add(StatOutcome.SUCCESS, ms);
  }
}
