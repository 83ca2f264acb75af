// A server's remote logs and the cluster's notifications as the console shows them, asked of the log daemon over TARS
// (tars.tarslog.LogQueryObj, every live instance the registry lists, as `tars log tail` and `tars notify list` read
// it: the reading code is the kit's), and a server's own output through its node (NodeCtl.readLog, as
// `tars server logs` reads it).
import type {Communicator} from '@tars-ts/core';
import type {LogQuery, RegistryCtl} from '@tars-ts/core/framework';
import {
  type InstanceLine, type LiveInstances, type LogInstance, NOTIFY_LEVELS, type NotifyEntryJson, type NotifyFilter,
  type Unanswered, fileSources, follow, gather, gatherNotifications, groupByStore, lineTime, mergeByTime,
  registryLogInstances, tailOf,
} from '@tars-ts/kit';

import {ApiError, askService} from './api-error.js';
import {checkServerId} from './cluster-api.js';

const REGISTRY_CTL_OBJ = 'tars.tarsregistry.RegistryCtlObj';
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

/** The most lines one answer carries. */
export const MAX_LINES = 2000;
/** The most notifications one answer carries. */
export const MAX_NOTIFICATIONS = 1000;
/** The longest grep pattern taken. */
const MAX_GREP = 500;

/** One file of a server's remote log, as every store holding it has it. */
export interface LogFileJson {
  /** Its path in the log directory (what `file=` names). */
  path: string;
  /** The day (or hour) its name carries, `YYYY-MM-DD[ HH[:MM]]`, or '' when it has none. */
  date: string;
  /** Bytes, the largest of the stores holding it. */
  size: number;
  /** Last written, ms since the epoch. */
  mtime: number;
}

/** GET /api/logs/:app/:server: the server's logs by name, each with its files, newest first. */
export interface LogFilesJson {
  server: string;
  /** `name` '' is the default log. */
  logs: {name: string; files: LogFileJson[]}[];
  /** The instances of the log daemon read (LogQueryObj endpoints), one per store. */
  instances: string[];
  unanswered?: Unanswered[];
}

/** GET /api/logs/:app/:server/lines: the last lines of one file on every store, merged by time. */
export interface LogLinesJson {
  server: string;
  file: string;
  lines: InstanceLine[];
  instances: string[];
  unanswered?: Unanswered[];
}

/** GET /api/logs/:app/:server/node: the server's own output as its node keeps it. */
export interface NodeLogJson {
  server: string;
  node: string;
  file: string;
  /** Whole lines. */
  text: string;
}

/** GET /api/notifications: the newest entries first. */
export interface NotificationsJson {
  entries: NotifyEntryJson[];
  unanswered?: Unanswered[];
}

/** A live tail's callbacks. */
export interface TailSink {
  /** The stream follows from now on (every store's files' ends are known). */
  ready(info: {file: string; name: string; instances: string[]}): void;
  line(line: InstanceLine): void;
  /** A store stopped or started answering. */
  note(text: string): void;
}

/** `file`'s day or hour from its name's `_YYYYMMDD[HH[MM]]` part, readable; '' without one. */
export function fileDate(file: string): string {
  const m = /_(\d{4})(\d{2})(\d{2})(\d{2})?(\d{2})?(?:\.log)?$/.exec(file);
  if (!m) return '';
  return `${m[1]}-${m[2]}-${m[3]}${m[4] ? ` ${m[4]}${m[5] ? `:${m[5]}` : ':00'}` : ''}`;
}

/** A grep pattern checked (400 naming the fix): undefined or '' for none. */
export function checkGrep(grep: string | null | undefined): string {
  if (!grep) return '';
  if (grep.length > MAX_GREP) {
    throw new ApiError(400, 'BAD_REQUEST', `grep is over ${MAX_GREP} characters`, 'give a shorter pattern');
  }
  try {
    new RegExp(grep); // eslint-disable-line no-new
  } catch (error) {
    throw new ApiError(400, 'BAD_REQUEST', `grep "${grep}" is not a regular expression: ${(error as Error).message}`,
      'give a JavaScript regular expression, e.g. ERROR|WARN (escape ( [ and the like with \\)');
  }
  return grep;
}

/** A positive count from the query (400 naming the range), `fallback` when absent. */
export function countParam(text: string | null, what: string, fallback: number, max: number): number {
  if (text === null || text === '') return fallback;
  if (!/^\d{1,7}$/.test(text) || Number(text) < 1 || Number(text) > max) {
    throw new ApiError(400, 'BAD_REQUEST', `${what} "${text}" is not a number from 1 to ${max}`,
      `e.g. ${what}=${fallback}`);
  }
  return Number(text);
}

/** The filter of GET /api/notifications' query checked (400 BAD_NAME / BAD_REQUEST naming the fix). */
export function notifyFilter(query: URLSearchParams): NotifyFilter {
  const app = query.get('app') ?? '';
  const server = query.get('server') ?? '';
  const level = query.get('level') ?? '';
  for (const [field, value] of [['app', app], ['server', server]] as const) {
    if (value !== '' && !NAME.test(value)) {
      throw new ApiError(400, 'BAD_NAME', `${field} "${value}" is not a name`,
        `names are letters, digits, _ and -; leave ${field} out for every one`);
    }
  }
  if (level !== '' && !(NOTIFY_LEVELS as readonly string[]).includes(level)) {
    throw new ApiError(400, 'BAD_REQUEST', `level "${level}" is not one of ${NOTIFY_LEVELS.join(', ')}`,
      'leave it out for every level');
  }
  return {app, server, level};
}

/**
 * The log daemon's view of a server (and the cluster's notifications) through one communicator whose locator is the
 * registry. Every call that gets no answer rejects with a 502 {@link ApiError} naming the service.
 */
export class LogsApi {
  /** @param communicator with the registry as its locator; @param timeoutMs each call's timeout */
  constructor(private readonly communicator: Communicator, private readonly timeoutMs: number) {}

  /** `call()`, a failure that is no ApiError as 502 NO_ANSWER naming `what`. */
  private ask<T>(what: string, call: () => Promise<T>): Promise<T> {
    return askService(what, call, 'is it running? tars cluster status (or tars log status) says');
  }

  /** Every live instance of the log daemon, with its stores. */
  private live(): Promise<LiveInstances> {
    return this.ask('the log daemon (tars.tarslog.LogQueryObj)', () =>
      registryLogInstances(this.communicator, this.timeoutMs));
  }

  private static missing(live: LiveInstances, unanswered: readonly Unanswered[]): {unanswered?: Unanswered[]} {
    const all = [...live.down.map((d) => ({instance: d.instance.endpoint, error: d.error})), ...unanswered];
    return all.length > 0 ? {unanswered: all} : {};
  }

  private static async filter(application: string, serverName: string, name: string):
    Promise<LogQuery.LogFileFilter> {
    const {LogQuery: Q} = await import('@tars-ts/core/framework');
    return Q.LogFileFilter.create({app: application, server: serverName, name, dye: false, since: 0n});
  }

  /** The server's remote log files by log name (the default log first), each name's newest file first. */
  async files(application: string, serverName: string): Promise<LogFilesJson> {
    checkServerId(application, serverName);
    const live = await this.live();
    const filter = await LogsApi.filter(application, serverName, '');
    const {answers, unanswered} = await this.ask('the log daemon (tars.tarslog.LogQueryObj)', () =>
      gather(groupByStore(live.instances, 'logStore'), async (i) => (await i.query.listFiles(filter)).files));
    const byPath = new Map<string, LogFileJson & {name: string}>();
    for (const f of answers.flatMap((a) => a.value)) {
      const known = byPath.get(f.path);
      byPath.set(f.path, {path: f.path, name: f.name, date: fileDate(f.path),
        size: Math.max(known?.size ?? 0, Number(f.size)), mtime: Math.max(known?.mtime ?? 0, Number(f.mtime))});
    }
    const logs = new Map<string, LogFileJson[]>();
    for (const {name, ...file} of byPath.values()) logs.set(name, [...logs.get(name) ?? [], file]);
    // The default log first, then by name; each log's newest file first.
    const order = (a: string, b: string): number => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b));
    return {server: `${application}.${serverName}`,
      logs: [...logs].map(([name, files]) => ({name, files: files.sort((a, b) => b.mtime - a.mtime ||
        b.path.localeCompare(a.path))})).sort((a, b) => order(a.name, b.name)),
      instances: answers.map((a) => a.instance.endpoint), ...LogsApi.missing(live, unanswered)};
  }

  /** The log file `file` of the server with its log name (404 NO_LOG when the log daemon has no such file). */
  private async fileOf(application: string, serverName: string, file: string): Promise<{name: string}> {
    const listed = await this.files(application, serverName);
    const log = listed.logs.find((l) => l.files.some((f) => f.path === file));
    if (!log) {
      throw new ApiError(404, 'NO_LOG', `${listed.server} has no remote log file "${file}"`,
        `GET /api/logs/${application}/${serverName} lists its files${listed.logs.length === 0 ? ' (none yet: the ' +
          'server has not logged remotely)' : ''}`);
    }
    return {name: log.name};
  }

  /** The last `count` lines of `file` on every store (matching `grep`), merged by the time the lines carry. */
  async lines(application: string, serverName: string, file: string, count: number, grep: string):
    Promise<LogLinesJson> {
    checkServerId(application, serverName);
    await this.fileOf(application, serverName, file);
    const {LogQuery: Q} = await import('@tars-ts/core/framework');
    const live = await this.live();
    const {answers, unanswered} = await this.ask('the log daemon (tars.tarslog.LogQueryObj)', () =>
      gather(groupByStore(live.instances, 'logStore'), async (i): Promise<InstanceLine[]> => {
        const {ret, result} = await i.query.readLines(Q.LogReadRequest.create({path: file, offset: -1n, tail: count,
          maxBytes: 4 * 1024 * 1024, grep}));
        // -1: this store has no such file (the lines of its instance's calls went elsewhere).
        return ret !== 0 ? [] : result.lines.map((line, k) => ({file, offset: Number(result.offsets[k] ?? 0n), line,
          instance: i.endpoint}));
      }));
    return {server: `${application}.${serverName}`, file,
      lines: mergeByTime(answers.map((a) => a.value), (l) => lineTime(l.line)).slice(-count),
      instances: answers.map((a) => a.instance.endpoint), ...LogsApi.missing(live, unanswered)};
  }

  /**
   * Follows the log `file` belongs to (its log name: across rotations to new files) on every store, from the ends
   * of its files now, until `stop` settles: each new line (matching `grep`, at most `maxLinesPerRead` of one file per
   * poll) goes to `sink`. Rejects before following (404 NO_LOG, 502 NO_ANSWER); resolves once stopped.
   */
  async tail(application: string, serverName: string, file: string, grep: string, sink: TailSink,
    options: {stop: Promise<void>; intervalMs: number; maxLinesPerRead: number}): Promise<void> {
    checkServerId(application, serverName);
    const {name} = await this.fileOf(application, serverName, file);
    const live = await this.live();
    const filter = await LogsApi.filter(application, serverName, name === '' ? '-' : name);
    const groups = groupByStore(live.instances, 'logStore');
    const {answers} = await this.ask('the log daemon (tars.tarslog.LogQueryObj)', () =>
      gather(groups, (i: LogInstance) => tailOf(i, filter, 0, undefined, '')));
    const sources = fileSources(groups, answers, (v) => v.offsets, live.down.map((d) => d.instance));
    sink.ready({file, name, instances: answers.map((a) => a.instance.endpoint)});
    await follow({sources, filter, grep, intervalMs: options.intervalMs, stop: options.stop,
      maxLinesPerRead: options.maxLinesPerRead, print: (l) => sink.line(l), note: (t) => sink.note(t)});
  }

  /** The newest `limit` notifications matching `filter` on every store, newest first. */
  async notifications(filter: NotifyFilter, limit: number): Promise<NotificationsJson> {
    const live = await this.live();
    const {entries, unanswered} = await this.ask('the notify store (tars.tarslog.LogQueryObj)', () =>
      gatherNotifications(live, filter, limit));
    return {entries: entries.reverse(), ...LogsApi.missing(live, unanswered)};
  }

  /**
   * The last `count` lines of the server's stdout/stderr log on `node` (one it is deployed on, as the caller checked),
   * read through the node (NodeCtl.readLog, what `tars server logs` shows).
   */
  async nodeLog(application: string, serverName: string, node: string, count: number): Promise<NodeLogJson> {
    const {RegistryCtl: R, NodeCtl: N} = await import('@tars-ts/core/framework');
    const ctl = this.communicator.stringToProxy(R.RegistryCtlProxy, REGISTRY_CTL_OBJ, {timeout: this.timeoutMs});
    const {nodes} = await this.ask('the registry (RegistryCtlObj)', () => ctl.listNodes());
    const entry = nodes.find((n: RegistryCtl.RegistryNode) => n.name === node);
    if (!entry || !entry.alive || !entry.nodeObj.includes('@')) {
      throw new ApiError(502, 'NO_NODE', `node "${node}" is ${entry ? 'silent' : 'not registered'}`,
        'tars node list shows the nodes and whether they are alive');
    }
    const proxy = this.communicator.stringToProxy(N.NodeCtlProxy, entry.nodeObj, {timeout: this.timeoutMs});
    const {ret, chunk, result} = await this.ask(`node ${node} (NodeObj)`, () =>
      proxy.readLog(application, serverName, '', 0n, count, 1024 * 1024));
    if (ret !== 0) {
      throw new ApiError(409, 'ACTION_FAILED', `node ${node} could not read the log of ${application}.${serverName}: ${
        result}`, 'tars server status says whether it is deployed there');
    }
    return {server: `${application}.${serverName}`, node, file: chunk.file, text: chunk.data};
  }
}
