// The base of `tars log tail|query|dye` and `tars notify list`: where the log daemon's LogQueryObj is, and its proxy.
import {Flags} from '@oclif/core';
import type {LogQuery} from '@tars-ts/core/framework';
import {type ResolvedTarget, TarsCommand, UserError} from '@tars-ts/kit';

import {logDaemon} from './daemon.js';

/** The query servant's object name in this toolkit. */
export const LOG_QUERY = 'tars.tarslog.LogQueryObj';

/** What every log client command accepts. */
export interface LogClientFlags {
  endpoint?: string | undefined;
  locator?: string | undefined;
  timeout?: number | undefined;
  data?: string | undefined;
}

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
}

export function countersJson(s: LogQuery.LogDaemonStats): DaemonCountersJson {
  return {logPath: s.logPath, linesWritten: Number(s.linesWritten), bytesWritten: Number(s.bytesWritten),
    batches: Number(s.batches), truncatedLines: Number(s.truncatedLines), rejectedCalls: Number(s.rejectedCalls),
    droppedLines: Number(s.droppedLines), writeErrors: Number(s.writeErrors), lastError: s.lastError,
    lastErrorAt: Number(s.lastErrorAt), queuedBytes: Number(s.queuedBytes), filesDeleted: Number(s.filesDeleted),
    diskBytes: Number(s.diskBytes), notifications: Number(s.notifications), maxLineBytes: s.maxLineBytes,
    maxTotalBytes: Number(s.maxTotalBytes), retentionDays: s.retentionDays, notifyKeep: s.notifyKeep};
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
 * A command that reads from the log daemon. The daemon is `-e` (its LogQueryObj endpoint), else the registry of
 * `--locator` (which resolves tars.tarslog.LogQueryObj by name: a log daemon started with --locator lists its
 * servants there), else the daemon running on this machine with `--data` when given, else the saved locator, else
 * the daemon running here with the default data directory, found through its lock.
 */
export abstract class LogClientCommand extends TarsCommand {
  private communicator?: import('@tars-ts/core').Communicator;

  static override baseFlags = {
    endpoint: Flags.string({char: 'e', summary: 'The log daemon\'s LogQueryObj endpoint ("tcp -h H -p 18994").',
      helpValue: 'ENDPOINT'}),
    locator: Flags.string({summary: 'A registry that resolves tars.tarslog.LogQueryObj ' +
      '("tars.tarsregistry.QueryObj@tcp -h H -p 17890", or just "tcp -h H -p P").', helpValue: 'OBJ'}),
    timeout: Flags.integer({summary: 'Timeout of each call, ms (default 3000, or: tars settings set timeout N).',
      min: 1, helpValue: 'MS'}),
    data: Flags.string({summary: 'Data directory of the local log daemon to ask.', helpValue: 'DIR'}),
  };

  /** Where LogQueryObj is. */
  protected async logTarget(flags: LogClientFlags): Promise<ResolvedTarget> {
    if (flags.endpoint) return {proxy: `${LOG_QUERY}@${flags.endpoint}`, obj: LOG_QUERY, via: 'endpoint'};
    const viaLocator = (locator: string): ResolvedTarget => ({proxy: LOG_QUERY, obj: LOG_QUERY, via: 'locator',
      locator: locator.includes('@') ? locator : `tars.tarsregistry.QueryObj@${locator}`});
    if (flags.locator) return viaLocator(flags.locator);
    const {daemonStatus} = await import('@tars-ts/kit');
    const local = async (): Promise<ResolvedTarget | undefined> => {
      const status = await daemonStatus(logDaemon, {data: flags.data});
      const query = status.running ? status.info.endpoints.find((e) => e.obj === LOG_QUERY) : undefined;
      return query ? {proxy: `${LOG_QUERY}@${query.endpoint}`, obj: LOG_QUERY, via: 'endpoint'} : undefined;
    };
    if (flags.data) {
      const found = await local();
      if (found) return found;
      throw this.noDaemon(flags.data);
    }
    const saved = this.settings.get('locator');
    if (saved) return viaLocator(saved);
    const found = await local();
    if (found) return found;
    throw this.noDaemon(undefined);
  }

  private noDaemon(data: string | undefined): UserError {
    return new UserError(`no log daemon to ask: no -e, no --locator, no saved locator, and no log daemon runs in ` +
      `${data ?? './.tars/log'}`, {code: 'NO_ENDPOINT',
      hint: 'start one (tars log start --detach), or give -e "tcp -h HOST -p 18994", or --data DIR of a running one'});
  }

  /** The LogQuery proxy; its communicator closes when the command ends. */
  protected async logQuery(flags: LogClientFlags): Promise<LogQuery.LogQueryProxy> {
    const [{LogQuery}, {communicatorFor}] = await Promise.all([import('@tars-ts/core/framework'),
      import('@tars-ts/kit')]);
    const target = await this.logTarget(flags);
    this.communicator ??= await communicatorFor(target, {cacheDir: this.config.cacheDir});
    return this.communicator.stringToProxy(LogQuery.LogQueryProxy, target.proxy,
      {timeout: this.settings.timeout(flags.timeout)});
  }

  protected override async finally(err: Error | undefined): Promise<unknown> {
    this.communicator?.close();
    return super.finally(err);
  }
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
