// Call statistics as tarsstat aggregates them (framework.md 2.6): what one reportMicMsg entry becomes, how two
// entries of the same key merge, and a bounded table of keys. Pure: no clock, no I/O.
import type {StatF} from '@tars-ts/core/framework';
import type {StatCounters} from '@tars-ts/kit';

// The counters' arithmetic is the kit's (the console charts them too): re-exported here, where the daemon's parts look.
export {
  STAT_BUCKETS, type StatCounters, averageRspTime, copyCounters, emptyCounters, mergeCounters, quantileOf, totalCalls,
} from '@tars-ts/kit';

/**
 * The longest string field this daemon takes, in UTF-16 units. An entry with a longer one is refused (counted in
 * `rejected`), not truncated: truncating would merge different keys into one and show calls under a name nobody
 * called. The official tables hold names of at most 128 characters; 512 leaves room for long set and IP fields.
 */
export const MAX_FIELD_LENGTH = 512;

/** Which side reported: `client` = reportMicMsg(..., bFromClient = true), the caller; `server` = the callee. */
export type StatSide = 'client' | 'server';

/**
 * The key of an aggregated row: the StatMicMsgHead after the daemon's rewrites, plus the side. tarsstat keys its
 * map by the whole head (every field); the side is this daemon's addition, so that caller-side and callee-side
 * reports of one call are not added together (official rows mix them when the heads happen to be equal).
 */
export interface StatKey {
  readonly side: StatSide;
  readonly masterName: string;
  readonly slaveName: string;
  readonly interfaceName: string;
  readonly masterIp: string;
  readonly slaveIp: string;
  readonly slavePort: number;
  readonly returnValue: number;
  readonly slaveSetName: string;
  readonly slaveSetArea: string;
  readonly slaveSetID: string;
  readonly tarsVersion: string;
}

/** What {@link normaliseStat} makes of one entry. */
export type NormalisedStat =
  | {kind: 'entry'; key: StatKey; counters: StatCounters}
  | {kind: 'zero'}
  | {kind: 'rejected'; reason: string};

/** A count as the daemon keeps it: negative or not finite is 0 (clamped, documented in docs/stat.md). */
function count(n: number | bigint): number {
  const v = typeof n === 'bigint' ? Number(n) : n;
  if (!Number.isFinite(v) || v <= 0) return 0;
  return Math.min(Math.trunc(v), Number.MAX_SAFE_INTEGER);
}

/**
 * One reportMicMsg entry as tarsstat stores it. `host` is the reporter (its context `node_name`, else its socket IP):
 * a caller-side report gets it as masterIp, a callee-side one as slaveIp. `masterName` "X@ver" is split into X and
 * tarsVersion ver. Entries with no success, timeout or exception are dropped (`zero`), as officially. Negative
 * counts and times are clamped to 0. A string field longer than {@link MAX_FIELD_LENGTH} refuses the entry.
 */
export function normaliseStat(head: StatF.StatMicMsgHead, body: StatF.StatMicMsgBody, fromClient: boolean,
  host: string): NormalisedStat {
  let masterName = head.masterName;
  let tarsVersion = head.tarsVersion;
  const at = masterName.indexOf('@');
  if (at >= 0) {
    tarsVersion = masterName.slice(at + 1);
    masterName = masterName.slice(0, at);
  }
  const key: StatKey = {
    side: fromClient ? 'client' : 'server',
    masterName,
    slaveName: head.slaveName,
    interfaceName: head.interfaceName,
    masterIp: fromClient ? host : head.masterIp,
    slaveIp: fromClient ? head.slaveIp : host,
    slavePort: head.slavePort,
    returnValue: head.returnValue,
    slaveSetName: head.slaveSetName,
    slaveSetArea: head.slaveSetArea,
    slaveSetID: head.slaveSetID,
    tarsVersion,
  };
  for (const field of STRING_FIELDS) {
    if (key[field].length > MAX_FIELD_LENGTH) {
      return {kind: 'rejected', reason: `${field} is ${key[field].length} characters (at most ${MAX_FIELD_LENGTH})`};
    }
  }
  const counters: StatCounters = {
    count: count(body.count),
    timeoutCount: count(body.timeoutCount),
    execCount: count(body.execCount),
    totalRspTime: count(body.totalRspTime),
    maxRspTime: count(body.maxRspTime),
    minRspTime: count(body.minRspTime),
    intervals: new Map(),
  };
  if (counters.count === 0 && counters.timeoutCount === 0 && counters.execCount === 0) return {kind: 'zero'};
  for (const [bound, n] of body.intervalCount) {
    const c = count(n);
    if (c > 0) counters.intervals.set(bound, (counters.intervals.get(bound) ?? 0) + c);
  }
  return {kind: 'entry', key, counters};
}

const STRING_FIELDS = ['masterName', 'slaveName', 'interfaceName', 'masterIp', 'slaveIp', 'slaveSetName',
  'slaveSetArea', 'slaveSetID', 'tarsVersion'] as const;

/** The map key of a {@link StatKey}: every field, in the official key order, then the side. */
export function statKeyString(k: StatKey): string {
  // join() makes one flat string; a template of many parts is a tree of slices that a long-lived map key keeps.
  return [k.masterName, k.slaveName, k.interfaceName, k.masterIp, k.slaveIp, k.slavePort, k.returnValue,
    k.slaveSetName, k.slaveSetArea, k.slaveSetID, k.tarsVersion, k.side].join('\0');
}

/** The official `interv_count` text: `5|n,10|n,...` in bound order. */
export function intervalText(intervals: ReadonlyMap<number, number>): string {
  return [...intervals.keys()].sort((a, b) => a - b).map((b) => `${b}|${intervals.get(b)}`).join(',');
}

/** Parses {@link intervalText}; malformed parts are skipped. */
export function parseIntervalText(text: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const part of text.split(',')) {
    const m = /^(-?\d+)\|(\d+)$/.exec(part);
    if (m) out.set(Number(m[1]), (out.get(Number(m[1])) ?? 0) + Number(m[2]));
  }
  return out;
}

/** One row of a {@link BoundedTable}. */
export interface TableEntry<K, V> {
  readonly key: K;
  readonly value: V;
}

/** The result of {@link BoundedTable.add}. */
export type AddResult = 'added' | 'merged' | 'dropped';

/**
 * A map of at most `cap` keys: a new key beyond the cap is dropped and counted, an existing one still merges
 * (tarsstat refuses new keys once its hash map is 90 % full). What bounds the daemon's memory under a key explosion.
 */
export class BoundedTable<K, V> {
  readonly entries = new Map<string, TableEntry<K, V>>();
  dropped = 0;

  /**
   * @param merge adds a value into the kept one of the same key.
   * @param adopt what a new key is kept as (e.g. with its strings interned); the key itself by default.
   */
  constructor(readonly cap: number, private readonly merge: (into: V, from: V) => void,
    private readonly adopt: (key: K) => K = (key) => key) {}

  get size(): number {
    return this.entries.size;
  }

  add(id: string, key: K, value: V): AddResult {
    const found = this.entries.get(id);
    if (found) {
      this.merge(found.value, value);
      return 'merged';
    }
    if (this.entries.size >= this.cap) {
      this.dropped++;
      return 'dropped';
    }
    this.entries.set(id, {key: this.adopt(key), value});
    return 'added';
  }
}

/**
 * One copy of each string for the keys a daemon keeps: the decoder makes a new string for every field of every
 * entry, while a cluster's keys repeat the same few callers, callees and IPs. Bounded: past `limit` strings it
 * starts afresh (keys already kept keep theirs).
 */
export class Interner {
  private readonly strings = new Map<string, string>();

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.strings.size;
  }

  intern(s: string): string {
    if (s === '') return '';
    const had = this.strings.get(s);
    if (had !== undefined) return had;
    if (this.strings.size >= this.limit) this.strings.clear();
    this.strings.set(s, s);
    return s;
  }

  /** A stat key whose strings are the interned ones. */
  statKey(k: StatKey): StatKey {
    return {side: k.side, masterName: this.intern(k.masterName), slaveName: this.intern(k.slaveName),
      interfaceName: this.intern(k.interfaceName), masterIp: this.intern(k.masterIp), slaveIp: this.intern(k.slaveIp),
      slavePort: k.slavePort, returnValue: k.returnValue, slaveSetName: this.intern(k.slaveSetName),
      slaveSetArea: this.intern(k.slaveSetArea), slaveSetID: this.intern(k.slaveSetID),
      tarsVersion: this.intern(k.tarsVersion)};
  }
}
