// `-f` of tail, dye and notify list, and the console's live tail: polls every source (one per store of the log
// daemon's live instances) and prints what is new, merged by time, until Ctrl-C or SIGTERM (or the caller's stop).
// A source that does not answer is said once on stderr and asked again each round; it never holds up the others: a
// round waits for the sources still polling at most one interval, and takes a late answer in a later round.
import type {LogQuery} from '@tars-ts/core/framework';

import {type GroupAnswer, type LogInstance, askGroup, mergeByTime} from './log-gather.js';
import {type InstanceLine, type ReadLine, lineTime, pause, readFrom, untilSignal} from './log-lines.js';

/** One thing to poll: a store, read through any of its members. */
export interface PollSource<T> {
  /** The instances that read it; the one that last answered is asked first. */
  readonly members: readonly LogInstance[];
  /** What is new since the last poll (and the state to move on): rejects when no member answers. */
  poll(instance: LogInstance): Promise<T[]>;
}

export interface PollOptions<T> {
  sources: readonly PollSource<T>[];
  intervalMs: number;
  /** The time of an item, for merging what several sources gave in one round. */
  timeOf: (item: T) => number | undefined;
  print: (item: T) => void;
  /** Where notes about sources that stop or start answering go (stderr). */
  note?: (text: string) => void;
  /** Ends the polling when it settles (default: SIGINT or SIGTERM, see untilSignal). */
  stop?: Promise<void>;
}

/** Who a note names: "the log daemon" with one source, else the instance. */
function who(source: PollSource<unknown>, many: boolean): string {
  return many ? `the log daemon at ${source.members.map((m) => m.endpoint).join(' / ')}` : 'the log daemon';
}

/** Polls every source each interval until `options.stop` (a signal by default); resolves then. */
export async function pollSources<T>(options: PollOptions<T>): Promise<void> {
  const stop = options.stop ?? untilSignal();
  let stopped = false;
  void stop.then(() => {
    stopped = true;
  });
  const many = options.sources.length > 1;
  const state = options.sources.map(() => ({first: 0, away: false, pending: undefined as Promise<void> | undefined,
    settled: undefined as PromiseSettledResult<GroupAnswer<T[]>> | undefined}));
  while (!stopped) {
    const started = Date.now();
    options.sources.forEach((source, i) => {
      const s = state[i]!;
      s.pending ??= askGroup(source.members, (m) => source.poll(m), undefined, s.first).then(
        (value) => {
          s.settled = {status: 'fulfilled', value};
        }, (reason: unknown) => {
          s.settled = {status: 'rejected', reason};
        });
    });
    // Every source's answer, or those in by the end of one interval: a slow one does not hold up the others.
    let timer: NodeJS.Timeout | undefined;
    const wait = new Promise<void>((r) => {
      timer = setTimeout(r, Math.max(options.intervalMs, 200));
    });
    await Promise.race([Promise.all(state.map((s) => s.pending)), wait, stop]);
    clearTimeout(timer);
    const round: T[][] = [];
    for (const [i, s] of state.entries()) {
      const settled = s.settled;
      if (!settled) continue;
      s.pending = undefined;
      s.settled = undefined;
      const source = options.sources[i]!;
      if (settled.status === 'fulfilled') {
        if (s.away) options.note?.(`${who(source, many)} answers again`);
        s.away = false;
        s.first = source.members.indexOf(settled.value.instance);
        round.push(settled.value.value);
      } else {
        // The daemon restarting is no reason to stop following: say so once, and keep asking.
        if (!s.away) {
          options.note?.(`${who(source, many)} does not answer (${(settled.reason as Error).message}); still trying` +
            (many ? ', the others go on' : ''));
        }
        s.away = true;
      }
    }
    for (const item of mergeByTime(round, options.timeOf)) options.print(item);
    await pause(Math.max(0, options.intervalMs - (Date.now() - started)), stop);
  }
}

/** A store of log files to follow: where each file's reading resumes, and what is kept of its lines. */
export interface FileSource {
  readonly members: readonly LogInstance[];
  /** Where each known file's reading resumes; files not in it start at 0. Undefined: not read yet (see below). */
  offsets?: Map<string, number>;
  /**
   * Its store is not known (its instance was down at the start): once it answers, it is followed only when its
   * log directory is not one another source follows (otherwise it would show those lines twice).
   */
  storeUnknown?: boolean;
  /** Set once it turned out to read a store another source follows: nothing more is asked of it. */
  duplicate?: boolean;
}

/**
 * The stores to follow after a first read: each group of instances from the ends of the files its answer read
 * (`offsetsOf`), and each instance that was down from the start (and groups that gave no answer) from its ends once
 * it answers.
 */
export function fileSources<A>(groups: readonly (readonly LogInstance[])[], answers: readonly GroupAnswer<A>[],
  offsetsOf: (answer: A) => Map<string, number>, down: readonly LogInstance[]): FileSource[] {
  const read = new Map(answers.map((a) => [a.instance, offsetsOf(a.value)]));
  return [...groups.map((members) => ({members, offsets: members.map((m) => read.get(m)).find((o) => o !== undefined)})),
    ...down.map((d) => ({members: [d], storeUnknown: true}))];
}

export interface FollowOptions {
  /**
   * The stores to follow. A store without `offsets` (its instances did not answer at the start) starts at the end
   * of its files once it answers: what it held before is not new.
   */
  sources: FileSource[];
  filter: LogQuery.LogFileFilter;
  grep: string;
  intervalMs: number;
  /** Whether a line is shown (after the daemon's grep). */
  keep?: (line: ReadLine) => boolean;
  print: (line: InstanceLine) => void;
  /** Where notes about the daemon go (stderr). */
  note?: (text: string) => void;
  /** Ends the following when it settles (default: SIGINT or SIGTERM). */
  stop?: Promise<void>;
  /**
   * At most about this many lines of one file per poll (default: all): reading stops at the page that reaches it,
   * that page's lines past it are skipped and the rest comes in later polls (a live view's bound on one round).
   */
  maxLinesPerRead?: number;
}

/** Follows the files of a filter on every source: what is appended, new files (a rotation) from their start. */
export async function follow(options: FollowOptions): Promise<void> {
  const since = Date.now() - 60_000;
  const followed = new Set(options.sources.flatMap((s) => s.members.map((m) => m.logStore)).filter(Boolean));
  const poll = (source: FileSource) => async (instance: LogInstance): Promise<InstanceLine[]> => {
    if (source.duplicate) return [];
    if (source.storeUnknown) {
      const {stats} = await instance.query.daemonStats();
      source.storeUnknown = false;
      source.duplicate = stats.logStore !== '' && followed.has(stats.logStore);
      if (source.duplicate) return [];
    }
    const {ret, files} = await instance.query.listFiles({...options.filter, since: BigInt(since)});
    if (ret !== 0) return [];
    if (!source.offsets) {
      source.offsets = new Map(files.map((f) => [f.path, Number(f.size)]));
      return [];
    }
    // Moved on only once every file was read: a poll that fails half way is read again whole.
    const offsets = new Map(source.offsets);
    const out: InstanceLine[] = [];
    for (const f of files) {
      const from = offsets.get(f.path) ?? 0;
      if (Number(f.size) === from) continue;
      const {lines, next} = await readFrom(instance.query, f.path, Number(f.size) < from ? 0 : from, options.grep,
        options.maxLinesPerRead);
      offsets.set(f.path, next);
      for (const l of lines) if (!options.keep || options.keep(l)) out.push({...l, instance: instance.endpoint});
    }
    source.offsets = offsets;
    return out;
  };
  await pollSources({sources: options.sources.map((s) => ({members: s.members, poll: poll(s)})),
    intervalMs: options.intervalMs, timeOf: (l) => lineTime(l.line), print: options.print, note: options.note,
    ...(options.stop ? {stop: options.stop} : {})});
}
