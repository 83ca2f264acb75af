// The daemon's three servants: tars.tarslog.LogObj (LogF) and tars.tarsnotify.NotifyObj (NotifyF), as official
// clients call them, and this toolkit's tars.tarslog.LogQueryObj (core/framework/idl/LogQuery.tars).
import {type CallContext, type InterfaceDef, ReturnCode, T, TarsReturnCodeError} from '@tars-ts/core';
import {LogF, LogQuery, NotifyF} from '@tars-ts/core/framework';

import {
  type LogTarget, type NamingOptions, LogNameError, TRACE_FILE, checkName, infoTarget, loggerTarget, traceTarget,
} from './naming.js';
import {NOTIFY, type NotifyStore, REPORT} from './notify-store.js';
import {insideRoot, listLogFiles, readLines} from './reader.js';
import {LogRefused, type LogWriter} from './writer.js';

export const LOG_OBJ = 'tars.tarslog.LogObj';
export const NOTIFY_OBJ = 'tars.tarsnotify.NotifyObj';
export const LOG_QUERY_OBJ = 'tars.tarslog.LogQueryObj';

/** The peer's IP, an IPv4-mapped IPv6 address reduced to IPv4. */
export function peerIp(ctx: Pick<CallContext, 'remote'>): string {
  const host = ctx.remote?.host ?? '';
  return host.startsWith('::ffff:') && host.includes('.') ? host.slice('::ffff:'.length) : host;
}

/** The caller's host as tarslog takes it: the context's `node_name` when sent and not empty, else the peer's IP. */
export function callerHost(ctx: Pick<CallContext, 'context' | 'remote'>): string {
  return ctx.context.get('node_name') || peerIp(ctx);
}

/** The client a write queue belongs to: one per connection. */
function clientKey(ctx: Pick<CallContext, 'remote'>): string {
  return `${ctx.remote?.host ?? ''}:${ctx.remote?.port ?? 0}`;
}

/** What the log servant is told to do with every call. */
export interface LogServantOptions extends NamingOptions {
  /** Prefix each line with the caller's host and the separator (tarslog's `ipfix`, default true). */
  readonly ipfix: boolean;
  readonly clock?: () => number;
}

/** A refused call, as the caller sees it: overload for a full queue, else an error naming the problem. */
function refusal(error: unknown): Error {
  if (error instanceof LogRefused) {
    return new TarsReturnCodeError(error.reason === 'queue-full' ? ReturnCode.TARSSERVEROVERLOAD
      : ReturnCode.TARSSERVERRESETGRID, error.message);
  }
  if (error instanceof LogNameError) {
    return new TarsReturnCodeError(ReturnCode.TARSSERVERUNKNOWNERR, `refused: ${error.message}; a log name is one ` +
      'path part without "/", "\\" or ".."');
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** LogF: each call's lines are appended to the official file; the answer comes once they are written. */
export class LogServant extends LogF.LogServant {
  private readonly clock: () => number;

  constructor(private readonly writer: LogWriter, private readonly options: LogServantOptions) {
    super();
    this.clock = options.clock ?? Date.now;
  }

  async logger(app: string, server: string, file: string, format: string, buffer: string[], ctx: CallContext):
    Promise<void> {
    if (file === TRACE_FILE) return this.trace(app, server, format, buffer, ctx);
    await this.write(() => loggerTarget(app, server, file, format, new Date(this.clock()), this.options), buffer, ctx);
  }

  async loggerbyInfo(info: LogF.LogInfo, buffer: string[], ctx: CallContext): Promise<void> {
    if (info.sFilename === TRACE_FILE) return this.trace(info.appname, info.servername, info.sFormat, buffer, ctx);
    await this.write(() => infoTarget(info, new Date(this.clock()), this.options), buffer, ctx);
  }

  /** A `_t_trace_` batch: to the call-chain log of `_tars_`/`_trace_`, each line after `[node|]app|server|`. */
  private async trace(app: string, server: string, format: string, buffer: string[], ctx: CallContext):
    Promise<void> {
    // One record per line: a record sent without its line end (TarsCpp's end with one) gets one, so that it cannot
    // run into the next and spoil both for every reader of the file.
    const lines = buffer.map((l) => (l.endsWith('\n') ? l : `${l}\n`));
    await this.write(() => traceTarget(app, server, format, new Date(this.clock()), this.options), lines, ctx,
      `${app}|${server}|`);
  }

  private async write(target: () => LogTarget, buffer: string[], ctx: CallContext, after = ''): Promise<void> {
    try {
      const t = target();
      const host = callerHost(ctx);
      await this.writer.append(t, buffer, clientKey(ctx), (this.options.ipfix ? `${host}${t.separ}` : '') + after);
    } catch (error) {
      if (error instanceof LogNameError) this.writer.countRejected();
      throw refusal(error);
    }
  }
}

// The older Notify functions: still in the NotifyF.tars that @tars/notify ships and served by the official
// NotifyServer, left out of the current IDL (framework.md 1.11). Declared here, as generated code would, so that
// NotifyObj answers them too without changing the shared interface.
const legacyOps = [
  {name: 'reportServer', ret: null, params: [
    {name: 'sServerName', tag: 1, type: T.string, out: false},
    {name: 'sThreadId', tag: 2, type: T.string, out: false},
    {name: 'sMessage', tag: 3, type: T.string, out: false},
  ]},
  {name: 'notifyServer', ret: null, params: [
    {name: 'sServerName', tag: 1, type: T.string, out: false},
    {name: 'level', tag: 2, type: T.enum(NotifyF.NOTIFYLEVEL$def), out: false},
    {name: 'sMessage', tag: 3, type: T.string, out: false},
  ]},
];

/** "App.Server" as the older calls name a server; the app is empty when there is no dot. */
function splitServerName(name: string): {app: string; server: string} {
  const dot = name.indexOf('.');
  return dot < 0 ? {app: '', server: name} : {app: name.slice(0, dot), server: name.slice(dot + 1)};
}

/** NotifyF: every entry goes to the store with its derived command. */
export class NotifyServant extends NotifyF.NotifyServant {
  static override readonly $interface: InterfaceDef = {...NotifyF.Notify$def,
    operations: [...NotifyF.Notify$def.operations, ...legacyOps]} as InterfaceDef;

  /** Entries taken since start. */
  taken = 0;

  constructor(private readonly store: NotifyStore) {
    super();
  }

  async reportNotifyInfo(info: NotifyF.ReportInfo, ctx: CallContext): Promise<void> {
    await this.add(info.eType, info.eLevel, info.sApp, info.sServer, info.sSet, info.sContainer, info.sMessage,
      info.sThreadId, info.sNodeName || callerHost(ctx));
  }

  async reportServer(sServerName: string, sThreadId: string, sMessage: string, ctx: CallContext): Promise<void> {
    const {app, server} = splitServerName(sServerName);
    await this.add(REPORT, 0, app, server, '', '', sMessage, sThreadId, callerHost(ctx));
  }

  async notifyServer(sServerName: string, level: number, sMessage: string, ctx: CallContext): Promise<void> {
    const {app, server} = splitServerName(sServerName);
    await this.add(NOTIFY, level, app, server, '', '', sMessage, '', callerHost(ctx));
  }

  private async add(type: number, level: number, app: string, server: string, set: string, container: string,
    message: string, threadId: string, nodeName: string): Promise<void> {
    try {
      checkName('sApp', app, false);
      checkName('sServer', server, true);
    } catch (error) {
      throw refusal(error);
    }
    await this.store.add({type, level, app, server, set, container, message, threadId, nodeName});
    this.taken += 1;
  }
}

/** What the query servant reports besides the writer's counters. */
export interface QueryServantInfo {
  readonly notifications: () => number;
  readonly notifyKeep: number;
  /** The log directory's id (store-id.ts); '' when unknown. */
  readonly logStore?: string;
}

/** LogQuery: reads for the CLI. */
export class LogQueryServant extends LogQuery.LogQueryServant {
  constructor(private readonly writer: LogWriter, private readonly store: NotifyStore,
    private readonly info: QueryServantInfo) {
    super();
  }

  async listFiles(filter: LogQuery.LogFileFilter): Promise<LogQuery.LogQuery$Results['listFiles']> {
    const rows = await listLogFiles(this.writer.logPath, {app: filter.app, server: filter.server, name: filter.name,
      dye: filter.dye, since: Number(filter.since)});
    return {ret: 0, files: rows.map((r) => LogQuery.LogFile.create({path: r.path, app: r.app, server: r.server,
      name: r.name, size: BigInt(r.size), mtime: BigInt(Math.floor(r.mtime)), setPart: r.setPart}))};
  }

  async readLines(req: LogQuery.LogReadRequest): Promise<LogQuery.LogQuery$Results['readLines']> {
    const empty = LogQuery.LogReadResult.create();
    let grep: RegExp | undefined;
    if (req.grep) {
      try {
        grep = new RegExp(req.grep);
      } catch {
        return {ret: -2, result: empty};
      }
    }
    const full = insideRoot(this.writer.logPath, req.path);
    const r = full ? await readLines(full, Number(req.offset), req.tail, req.maxBytes, grep) : undefined;
    if (!r) return {ret: -1, result: empty};
    return {ret: 0, result: LogQuery.LogReadResult.create({lines: r.lines, nextOffset: BigInt(r.nextOffset),
      size: BigInt(r.size), offsets: r.offsets.map((o) => BigInt(o))})};
  }

  async listNotify(query: LogQuery.NotifyQuery): Promise<LogQuery.LogQuery$Results['listNotify']> {
    const level = query.level ? (query.level.startsWith('[') ? query.level : `[${query.level}]`) : '';
    const rows = await this.store.list({app: query.app, server: query.server, command: level,
      since: Number(query.since), afterId: Number(query.afterId),
      limit: Math.min(Math.max(query.limit || 100, 1), 10_000)});
    return {ret: 0, entries: rows.map((r) => LogQuery.NotifyEntry.create({id: BigInt(r.id), time: BigInt(r.time),
      app: r.app, server: r.server, nodeName: r.nodeName, serverId: r.serverId, command: r.command,
      message: r.message, threadId: r.threadId, container: r.container, setName: r.setName, setArea: r.setArea,
      setGroup: r.setGroup, type: r.type}))};
  }

  daemonStats(): LogQuery.LogQuery$Results['daemonStats'] {
    const s = this.writer.stats();
    return {ret: 0, stats: LogQuery.LogDaemonStats.create({now: BigInt(Date.now()), logPath: this.writer.logPath,
      linesWritten: BigInt(s.linesWritten), bytesWritten: BigInt(s.bytesWritten), batches: BigInt(s.batches),
      truncatedLines: BigInt(s.truncatedLines), rejectedCalls: BigInt(s.rejectedCalls),
      droppedLines: BigInt(s.droppedLines), writeErrors: BigInt(s.writeErrors), lastError: s.lastError,
      lastErrorAt: BigInt(s.lastErrorAt), queuedBytes: BigInt(s.queuedBytes), filesDeleted: BigInt(s.filesDeleted),
      diskBytes: BigInt(s.diskBytes), notifications: BigInt(this.info.notifications()),
      maxLineBytes: this.writer.maxLineBytes, maxTotalBytes: BigInt(this.writer.maxTotalBytes),
      retentionDays: this.writer.retentionDays, notifyKeep: this.info.notifyKeep, logStore: this.info.logStore ?? '',
      notifyStore: this.store.id})};
  }
}
