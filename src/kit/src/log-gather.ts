// Reading from every live instance of the log daemon (several LogQueryObj endpoints behind one name): which
// instances read the same store (asked once), asking a group with a fallback to its other members, telling an
// instance that does not answer from a query that is wrong, and merging what each instance gave by time.
import type {LogQuery} from '@tars-ts/core/framework';
import {UserError} from './errors.js';

/** One live instance of the log daemon as a gathering query sees it. */
export interface LogInstance {
  /** Its LogQueryObj endpoint (`tcp -h H -p P ...`): what `instance` fields and notes name. */
  readonly endpoint: string;
  readonly query: LogQuery.LogQueryProxy;
  /** The id of the log directory it reads ('' = not said: it is read on its own). */
  readonly logStore: string;
  /** The id of the notify store it reads ('' = not said). */
  readonly notifyStore: string;
}

/** An instance that did not answer, and why. */
export interface Unanswered {
  instance: string;
  error: string;
}

/**
 * The instances grouped by the store `key` names, in the order each group's first member comes: instances with the
 * same non-empty id read the same data (one is asked, the others stand in for it); an empty id is a group of its
 * own.
 */
export function groupByStore(instances: readonly LogInstance[], key: 'logStore' | 'notifyStore'): LogInstance[][] {
  const groups = new Map<string, LogInstance[]>();
  for (const i of instances) {
    const id = i[key] === '' ? `\0${i.endpoint}` : i[key];
    const group = groups.get(id);
    if (group) group.push(i);
    else groups.set(id, [i]);
  }
  return [...groups.values()];
}

/**
 * Whether `error` says the query itself is wrong (a bad pattern, a bad argument: the same on every instance), so
 * it must end the command, rather than that one instance did not answer.
 */
export function isQueryError(error: unknown): boolean {
  return error instanceof UserError;
}

/** One group's answer: the value and the member that gave it. */
export interface GroupAnswer<T> {
  instance: LogInstance;
  value: T;
}

/**
 * Asks `members` (one store) in order, from `first`, until one answers; a query error (see {@link isQueryError})
 * is thrown at once. Rejects with the last member's error when none answers, and calls `failed` for each member
 * that did not.
 */
export async function askGroup<T>(members: readonly LogInstance[], ask: (instance: LogInstance) => Promise<T>,
  failed?: (instance: LogInstance, error: Error) => void, first = 0): Promise<GroupAnswer<T>> {
  let last: unknown = new Error('no instance to ask');
  for (let k = 0; k < members.length; k += 1) {
    const instance = members[(first + k) % members.length]!;
    try {
      return {instance, value: await ask(instance)};
    } catch (error) {
      if (isQueryError(error)) throw error;
      failed?.(instance, error as Error);
      last = error;
    }
  }
  throw last;
}

/** What {@link gather} got: each answering group's value in the groups' order, and who did not answer. */
export interface Gathered<T> {
  answers: GroupAnswer<T>[];
  unanswered: Unanswered[];
}

/**
 * Asks every group at once (each through {@link askGroup}). Groups none of whose members answers are left out and
 * their members listed in `unanswered`; when no group answers at all, the first group's error is thrown (the
 * command fails as it would with one daemon that does not answer). A query error is thrown as it is.
 */
export async function gather<T>(groups: readonly (readonly LogInstance[])[], ask: (instance: LogInstance) => Promise<T>):
  Promise<Gathered<T>> {
  const unanswered: Unanswered[] = [];
  const settled = await Promise.allSettled(groups.map((g) => askGroup(g, ask, (instance, error) => {
    unanswered.push({instance: instance.endpoint, error: error.message});
  })));
  const queryError = settled.find((s) => s.status === 'rejected' && isQueryError(s.reason));
  if (queryError) throw (queryError as PromiseRejectedResult).reason;
  const answers = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  if (answers.length === 0 && settled.length > 0) throw (settled[0] as PromiseRejectedResult).reason;
  // A member that failed before another of its group answered is no gap in the answer: keep only whole groups.
  const lost = new Set(groups.filter((_, i) => settled[i]!.status === 'rejected').flat().map((i) => i.endpoint));
  return {answers, unanswered: unanswered.filter((u) => lost.has(u.instance))};
}

/**
 * Merges sequences (one per instance, each in its own order) into one: by time where items carry one, each
 * sequence's order kept as it is. An item without a time goes with the one before it in its sequence (at the start
 * of a sequence: before every timed item); items of equal time keep the order of the sequences.
 */
export function mergeByTime<T>(sequences: readonly (readonly T[])[], timeOf: (item: T) => number | undefined): T[] {
  if (sequences.length === 1) return [...sequences[0]!];
  const keyed = sequences.map((s) => {
    let last = Number.NEGATIVE_INFINITY;
    return s.map((item) => (last = timeOf(item) ?? last));
  });
  const at = sequences.map(() => 0);
  const out: T[] = [];
  const total = sequences.reduce((n, s) => n + s.length, 0);
  while (out.length < total) {
    let pick = -1;
    for (let k = 0; k < sequences.length; k += 1) {
      if (at[k]! >= sequences[k]!.length) continue;
      if (pick < 0 || keyed[k]![at[k]!]! < keyed[pick]![at[pick]!]!) pick = k;
    }
    out.push(sequences[pick]![at[pick]!]!);
    at[pick]! += 1;
  }
  return out;
}

/** One line a note on stderr gives for instances that did not answer. */
export function unansweredNote(unanswered: readonly Unanswered[], what = 'what the others hold'): string {
  const who = unanswered.map((u) => `${u.instance} (${u.error})`).join(', ');
  return `${unanswered.length === 1 ? 'the log daemon at' : 'the log daemons at'} ${who} ` +
    `${unanswered.length === 1 ? 'does' : 'do'} not answer; showing ${what}`;
}
