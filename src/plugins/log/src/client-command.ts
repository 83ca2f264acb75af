// The base of `tars log tail|query|dye` and `tars notify list`: where the log daemon's LogQueryObj is, and its proxy.
import type {LogQuery} from '@tars-ts/core/framework';
import {
  DaemonClientCommand, type DaemonClientFlags, LOG_QUERY_OBJ, type LiveInstances, type LogInstance, type Unanswered,
  UserError, liveLogInstances,
} from '@tars-ts/kit';

import {logDaemon} from './daemon.js';

/** The query servant's object name in this toolkit. */
export const LOG_QUERY = LOG_QUERY_OBJ;

/** What every log client command accepts. */
export type LogClientFlags = DaemonClientFlags;

/** The daemon's counters as `tars log status --json` prints them (numbers, times in ms since the epoch). */
export interface DaemonCountersJson {
  logPath: string;
  linesWritten: number;
  bytesWritten: number;
  batches: number;
  truncatedLines: number;
  rejectedCalls: number;
  droppedLines: number;
  writeErrors: number;
  lastError: string;
  lastErrorAt: number;
  queuedBytes: number;
  filesDeleted: number;
  diskBytes: number;
  notifications: number;
  maxLineBytes: number;
  maxTotalBytes: number;
  retentionDays: number;
  notifyKeep: number;
  /** The ids of the log directory and of the notify store: instances showing the same id share that store. */
  logStore: string;
  notifyStore: string;
}

export function countersJson(s: LogQuery.LogDaemonStats): DaemonCountersJson {
  return {logPath: s.logPath, linesWritten: Number(s.linesWritten), bytesWritten: Number(s.bytesWritten),
    batches: Number(s.batches), truncatedLines: Number(s.truncatedLines), rejectedCalls: Number(s.rejectedCalls),
    droppedLines: Number(s.droppedLines), writeErrors: Number(s.writeErrors), lastError: s.lastError,
    lastErrorAt: Number(s.lastErrorAt), queuedBytes: Number(s.queuedBytes), filesDeleted: Number(s.filesDeleted),
    diskBytes: Number(s.diskBytes), notifications: Number(s.notifications), maxLineBytes: s.maxLineBytes,
    maxTotalBytes: Number(s.maxTotalBytes), retentionDays: s.retentionDays, notifyKeep: s.notifyKeep,
    logStore: s.logStore, notifyStore: s.notifyStore};
}

/** The counters of the daemon whose LogQueryObj listens on `endpoint`. */
export async function fetchCounters(endpoint: string, timeout = 3000): Promise<LogQuery.LogDaemonStats> {
  const [{Communicator}, {LogQuery}] = await Promise.all([import('@tars-ts/core'), import('@tars-ts/core/framework')]);
  const communicator = new Communicator({});
  try {
    const proxy = communicator.stringToProxy(LogQuery.LogQueryProxy, `${LOG_QUERY}@${endpoint}`, {timeout});
    return (await proxy.daemonStats()).stats;
  } finally {
    communicator.close();
  }
}

/**
 * A command that reads from the log daemon's LogQueryObj, found as every daemon client finds its daemon (the kit's
 * DaemonClientCommand: -e, --locator (a log daemon started with --locator lists its servants there), --data, the
 * saved locator, the local daemon).
 */
export abstract class LogClientCommand extends DaemonClientCommand {
  static override daemon = logDaemon;
  static override endpointObj = LOG_QUERY;

  /** The LogQuery proxy; its communicator closes when the command ends. */
  protected async logQuery(flags: LogClientFlags): Promise<LogQuery.LogQueryProxy> {
    const {LogQuery: Q} = await import('@tars-ts/core/framework');
    return this.connect(Q.LogQueryProxy, flags);
  }

  /**
   * `note: <text>` on stderr, with --json too (stdout keeps its one JSON document): what a user of a gathering
   * command must know about its answer (an instance that did not answer, one that came back).
   */
  protected note(text: string): void {
    process.stderr.write(`note: ${text}\n`);
  }

  /**
   * Every live instance of the log daemon's LogQueryObj (the kit's connectEach: every active endpoint the registry
   * lists, or the one of -e / the local daemon), each with the ids of the stores it reads, asked with daemonStats.
   * One instance is taken as it is (no call: its stores need no comparing). Instances that do not answer are in
   * `down` (with no store ids: each is a store of its own until it says otherwise); when none answers, the first
   * one's error is thrown, as a single daemon's would be.
   */
  protected async logInstances(flags: LogClientFlags): Promise<LiveInstances> {
    const {LogQuery: Q} = await import('@tars-ts/core/framework');
    const each = await this.connectEach(Q.LogQueryProxy, flags);
    return liveLogInstances(each.map(({endpoint, proxy}): LogInstance => ({endpoint, query: proxy, logStore: '',
      notifyStore: ''})));
  }
}

/** The `unanswered` entries of instances that were down from the start. */
export function downAsUnanswered(down: LiveInstances['down']): Unanswered[] {
  return down.map((d) => ({instance: d.instance.endpoint, error: d.error}));
}

/** A regular expression from --grep, or one clear error. */
export function grepOf(text: string | undefined): RegExp | undefined {
  if (text === undefined || text === '') return undefined;
  try {
    return new RegExp(text);
  } catch (error) {
    throw new UserError(`--grep ${JSON.stringify(text)} is not a regular expression: ${(error as Error).message}`,
      {code: 'BAD_ARGUMENT', hint: 'give a JavaScript regular expression, e.g. --grep "ERROR|WARN"'});
  }
}

/** App and Server of "App.Server", or one clear error. */
export function appServer(text: string): {app: string; server: string} {
  const dot = text.indexOf('.');
  if (dot <= 0 || dot === text.length - 1 || text.includes('/') || text.includes('..')) {
    throw new UserError(`${JSON.stringify(text)} is not App.Server`, {code: 'BAD_NAME',
      hint: 'name a server as its application and name joined by a dot, e.g. TestApp.HelloServer'});
  }
  return {app: text.slice(0, dot), server: text.slice(dot + 1)};
}
