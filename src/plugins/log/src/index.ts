/**
 * @tars-ts/plugin-log: tarslog (LogObj) and tarsnotify (NotifyObj) as one daemon, and the commands that read them.
 * Pure parts: the official file naming (naming.ts) and the notify command derivation (notify-store.ts).
 */
export {LOG_DIR, NOTIFY_DB_FILE, logDaemon} from './daemon.js';
export {
  DEFAULT_FORMATS, DYE_APP, DYE_SERVER, type LogInfoLike, LogNameError, type LogTarget, type Rotation, checkName,
  describePath, infoTarget, loggerTarget, parseLogType, setPart, slotStart, strftime, TRACE_APP, TRACE_FILE,
  TRACE_SERVER, traceTarget,
} from './naming.js';
export {NOTIFY, type NotifyCommand, NotifyStore, REPORT, notifyCommand, splitSet} from './notify-store.js';
export {LogRefused, LogWriter, type LogWriterOptions, type LogWriterStats, limitLine, listTree} from './writer.js';
export {
  LOG_OBJ, LOG_QUERY_OBJ, LogQueryServant, LogServant, NOTIFY_OBJ, NotifyServant, callerHost,
} from './servants.js';
export {insideRoot, listLogFiles, readLines} from './reader.js';
