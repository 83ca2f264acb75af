// Reading the log daemon's files through LogQuery (tars.tarslog.LogQueryObj), shared by `tars log tail|query|dye`
// (the log plugin) and the console's Logs tab (the web plugin): the time a line carries, reading a file page by page,
// the last lines of a server's log on one instance, and finding the live instances of the daemon with their stores.
import type {Communicator} from '@tars-ts/core';
import type {LogQuery} from '@tars-ts/core/framework';

import {UserError} from './errors.js';
import type {LogInstance} from './log-gather.js';

/** The log daemon's query servant's object name in this toolkit. */
export const LOG_QUERY_OBJ = 'tars.tarslog.LogQueryObj';

const STAMP = /(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,6}))?/;

/**
 * The time a line carries: its first `YYYY-MM-DD HH:MM:SS[.mmm]` (what TARS loggers write, local time), in ms since
 * the epoch; undefined when it has none.
 */
export function lineTime(line: string): number | undefined {
  const m = STAMP.exec(line);
  if (!m) return undefined;
  const ms = m[7] ? Number(m[7].padEnd(3, '0').slice(0, 3)) : 0;
  const t = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms);
  return Number.isNaN(t.getTime()) ? undefined : t.getTime();
}

/** One line read from a file. */
export interface ReadLine {
  file: string;
  offset: number;
  line: string;
}

/** A line and the instance of the log daemon it was read from (its LogQueryObj endpoint). */
export interface InstanceLine extends ReadLine {
  instance: string;
}

/** The daemon refused a read: no such file any more (retention), or a bad pattern. */
export function readFailure(ret: number, file: string): UserError {
  return ret === -2 ? new UserError('the log daemon refused the pattern', {code: 'BAD_ARGUMENT'})
    : new UserError(`the log daemon has no file ${file}`, {code: 'BAD_ARGUMENT',
      hint: 'retention may have deleted it; list the files again'});
}

/**
 * The lines of `file` from `offset` to its current end, page by page (at most `maxLines`), and where the next read
 * starts. A file gone meanwhile gives no lines.
 */
export async function readFrom(query: LogQuery.LogQueryProxy, file: string, offset: number, grep: string,
  maxLines = 1_000_000): Promise<{lines: ReadLine[]; next: number}> {
  const {LogQuery: Q} = await import('@tars-ts/core/framework');
  const lines: ReadLine[] = [];
  let at = offset;
  for (let page = 0; page < 100_000 && lines.length < maxLines; page += 1) {
    const {ret, result} = await query.readLines(Q.LogReadRequest.create({path: file, offset: BigInt(at),
      maxBytes: 1024 * 1024, grep}));
    if (ret === -1) break;
    if (ret !== 0) throw readFailure(ret, file);
    result.lines.forEach((line, i) => lines.push({file, offset: Number(result.offsets[i] ?? 0n), line}));
    const next = Number(result.nextOffset);
    const done = next === at || next >= Number(result.size);
    at = next;
    if (done) break;
  }
  return {lines: lines.slice(0, maxLines), next: at};
}

/** Resolves on SIGINT or SIGTERM (the end of a -f), and removes its handlers. */
export function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}

/** Waits `ms`, or less when `stop` settles first. */
export function pause(ms: number, stop: Promise<void>): Promise<void> {
  return Promise.race([new Promise<void>((r) => setTimeout(r, ms)), stop]);
}

/** What {@link tailOf} read of one instance. */
export interface InstanceTail {
  /** The files of the filter, oldest first. */
  files: string[];
  /** The last lines, oldest first, each tagged with the instance. */
  lines: InstanceLine[];
  /** Every file's end when it was listed: where following resumes. */
  offsets: Map<string, number>;
}

/**
 * The last `want` lines of one instance's files of `filter` (with `since`: those of that stretch), newest file
 * last, each tagged with the instance; its files; and every file's end, where -f resumes. `grep` is matched by the
 * daemon.
 */
export async function tailOf(instance: LogInstance, filter: LogQuery.LogFileFilter, want: number,
  since: number | undefined, grep: string): Promise<InstanceTail> {
  const {LogQuery: Q} = await import('@tars-ts/core/framework');
  const {query, endpoint} = instance;
  const {files} = await query.listFiles(filter);
  const offsets = new Map<string, number>();
  let lines: ReadLine[] = [];
  // Newest file first, until enough lines; every file's end is where -f resumes.
  for (const f of [...files].reverse()) {
    const size = Number(f.size);
    offsets.set(f.path, size);
    if (lines.length >= want) continue;
    let got: ReadLine[];
    if (since === undefined) {
      const {ret, result} = await query.readLines(Q.LogReadRequest.create({path: f.path, offset: -1n,
        tail: Math.min(want - lines.length, 100_000), maxBytes: 4 * 1024 * 1024, grep}));
      got = ret === 0 ? result.lines.map((line, i) => ({file: f.path, offset: Number(result.offsets[i] ?? 0n), line}))
        : [];
    } else {
      got = (await readFrom(query, f.path, 0, grep)).lines.filter((l) => (lineTime(l.line) ?? since) >= since);
    }
    lines = [...got.slice(-(want - lines.length)), ...lines];
  }
  return {files: files.map((f) => f.path), lines: lines.map((l) => ({...l, instance: endpoint})), offsets};
}

/** The instances of the log daemon a gathering reader reads: those that answered, and those that did not. */
export interface LiveInstances {
  instances: LogInstance[];
  down: {instance: LogInstance; error: string}[];
}

/**
 * The stores of every instance in `bare` (their LogQueryObj proxies), asked with daemonStats. One instance is taken
 * as it is (no call: its stores need no comparing). Instances that do not answer are in `down` (with no store ids:
 * each is a store of its own until it says otherwise); when none answers, the first one's error is thrown, as a
 * single daemon's would be.
 */
export async function liveLogInstances(bare: readonly LogInstance[]): Promise<LiveInstances> {
  if (bare.length <= 1) return {instances: [...bare], down: []};
  const settled = await Promise.allSettled(bare.map(async (i) => {
    const {stats} = await i.query.daemonStats();
    return {...i, logStore: stats.logStore, notifyStore: stats.notifyStore};
  }));
  const instances = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  if (instances.length === 0) throw (settled[0] as PromiseRejectedResult).reason;
  const down = settled.flatMap((s, i) => (s.status === 'rejected'
    ? [{instance: bare[i]!, error: (s.reason as Error).message}] : []));
  return {instances, down};
}

/**
 * Every active LogQueryObj endpoint the registry lists (through `communicator`, whose locator is the registry), each
 * with its proxy, then as {@link liveLogInstances}. Rejects when the registry does not answer or lists none.
 */
export async function registryLogInstances(communicator: Communicator, timeoutMs: number): Promise<LiveInstances> {
  const [{formatEndpoint}, {LogQuery: Q}] = await Promise.all([import('@tars-ts/core'),
    import('@tars-ts/core/framework')]);
  const endpoints = await communicator.objectProxy(LOG_QUERY_OBJ).activeEndpoints();
  if (endpoints.length === 0) {
    throw new Error(`the registry lists no active endpoint of ${LOG_QUERY_OBJ}`);
  }
  return liveLogInstances(endpoints.map((e) => {
    const endpoint = formatEndpoint(e);
    return {endpoint, query: communicator.stringToProxy(Q.LogQueryProxy, `${LOG_QUERY_OBJ}@${endpoint}`,
      {timeout: timeoutMs}), logStore: '', notifyStore: ''};
  }));
}
