// `tars log start`: tarslog and tarsnotify as ONE daemon of the kit's host. Both take what every service sends on the
// side (lines, events), both are write-mostly with a small read side for the CLI, and one process means one data
// directory, one thing to start, and one query servant for `tars log ...` and `tars notify list`. Each servant keeps
// its official object name and port, so official clients configured with `log = tars.tarslog.LogObj@...` and
// `notify = tars.tarsnotify.NotifyObj@...` reach it unchanged: LogObj 18993, NotifyObj 18593, and this toolkit's
// LogQueryObj 18994 (or P, P+1, P+2 with --port P). Files go under DIR/remote_app_log (or --logpath), entries to
// DIR/notify.db.
import {existsSync, mkdirSync} from 'node:fs';
import path from 'node:path';

import type {DaemonSpec} from '@tars-ts/kit';

/** The notify store file inside the data directory. */
export const NOTIFY_DB_FILE = 'notify.db';
/** The log directory inside the data directory when --logpath is not given (the official template's name). */
export const LOG_DIR = 'remote_app_log';

/** The log daemon: what `tars log start|stop|status` run. */
export const logDaemon: DaemonSpec = {
  name: 'log',
  store: {file: NOTIFY_DB_FILE},
  servants: [
    {obj: 'tars.tarslog.LogObj', port: 18993},
    {obj: 'tars.tarsnotify.NotifyObj', port: 18593},
    {obj: 'tars.tarslog.LogQueryObj', port: 18994},
  ],
  async create(ctx) {
    const [{LogWriter}, {NotifyStore}, servants, {UserError}, {logDirId}] = await Promise.all([
      import('./writer.js'), import('./notify-store.js'), import('./servants.js'), import('@tars-ts/kit'),
      import('./store-id.js')]);
    const setting = <V>(name: string): V | undefined => ctx.settings[name] as V | undefined;
    const logPath = path.resolve(setting<string>('logpath') ?? path.join(ctx.dataDir, LOG_DIR));
    let logStore: string;
    try {
      makeDirs(logPath);
      logStore = await logDirId(logPath);
    } catch (error) {
      throw new UserError(`the log directory ${logPath} cannot be made: ${(error as Error).message}`,
        {code: 'BAD_ARGUMENT', hint: 'give --logpath a directory this user may write, or leave it out'});
    }
    const mib = (name: string, fallback: number): number => Math.round((setting<number>(name) ?? fallback) * 1024 ** 2);
    const writer = new LogWriter({logPath, maxLineBytes: setting<number>('max-line') ?? 65_536,
      maxFileBytes: mib('max-file-size', 1024), maxTotalBytes: mib('max-total-size', 10_240),
      retentionDays: setting<number>('retention-days') ?? 30, maxQueueBytes: mib('queue-size', 8),
      sweepIntervalMs: setting<number>('sweep-interval') ?? 60_000,
      onError: (message) => ctx.logger.error(`log: ${message}`)});
    let store;
    try {
      store = await NotifyStore.open(ctx.store ?? path.join(ctx.dataDir, NOTIFY_DB_FILE),
        setting<number>('notify-keep') ?? 100);
    } catch (error) {
      await writer.close();
      throw error;
    }
    const opened = store;
    void writer.sweep();
    const hourly = new Set((setting<string>('hourly') ?? '').split(',').map((s) => s.trim()).filter(Boolean));
    const notify = new servants.NotifyServant(opened);
    ctx.logger.info(`log: files in ${logPath}, notifications in ${opened.where}`);
    return {
      servants: {
        [servants.LOG_OBJ]: new servants.LogServant(writer, {ipfix: setting<boolean>('ipfix') ?? true, hourly}),
        [servants.NOTIFY_OBJ]: notify,
        [servants.LOG_QUERY_OBJ]: new servants.LogQueryServant(writer, opened, {notifications: () => notify.taken,
          notifyKeep: opened.keep, logStore}),
      },
      store: `${logPath} (files), ${opened.where} (notifications)`,
      async onClose() {
        try {
          await writer.close();
        } finally {
          await opened.close();
        }
      },
    };
  },
};

/**
 * Makes `dir` and its missing parents one by one, at most one per path part (Node's recursive mkdirSync never
 * returns for a path under /proc).
 */
function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; !existsSync(d); d = path.dirname(d)) {
    missing.push(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of missing.reverse()) mkdirSync(d);
}
