/**
 * Named logs of a service (TarsCpp DLOG/FDLOG("name"), TarsGo GetDayLogger/GetRemoteLogger): one file a day (or an
 * hour) under `<logpath>/<App>/<Server>/`, named `<App>.<Server>_<name>_<YYYYMMDD>.log` (`<App>.<Server>_<date>.log`
 * for the default, unnamed one), and the same lines sent to the log daemon with `loggerbyInfo`, where they land
 * under the same name (framework.md 2.5).
 */
import path from 'node:path';

import {LogInfo} from '../../framework/LogFTars.js';
import {LOG_LEVELS, type LogLevel} from '../../protocol/constants.js';
import {type ClosableSink, type DateUnit, type DyeHook, dateFileSink, logTimestamp} from '../logger.js';
import {currentDyeKey, dyeingStarted} from '../dye.js';
import type {RemoteLog, RemoteLogTarget} from './remote-log.js';

/** What a {@link DayLogger} is made of; the application fills it from its config. */
export interface DayLoggerOptions {
  readonly app: string;
  readonly server: string;
  /** The log's name: `''` for the default log, else a plain name (`access`). */
  readonly name: string;
  /** Local files under `<logpath>/<App>/<Server>/`; none when absent. */
  readonly logpath?: string | undefined;
  /** One file a day (default) or an hour. */
  readonly unit?: DateUnit;
  /** Where lines go to the log daemon; none when absent. */
  readonly remote?: RemoteLog | undefined;
  /** The SET of the server (`name.area.group`), passed on in LogInfo.setdivision. */
  readonly setdivision?: string | undefined;
  /** The level of the leveled methods (the application's, which `tars.setloglevel` changes). */
  readonly level?: () => LogLevel;
  /** Lines written while serving a dyed request also go here. */
  readonly dye?: DyeHook | undefined;
}

/** A log name may not leave its directory. */
export function checkLogName(name: string): string {
  if (name.includes('/') || name.includes('\\') || name.includes('..') || /[\0\n]/.test(name)) {
    throw new Error(`log name "${name}" must be a plain name (no "/", "\\" or ".."), e.g. "access"`);
  }
  return name;
}

export class DayLogger {
  private readonly local?: ClosableSink;
  private readonly target?: RemoteLogTarget;

  constructor(private readonly options: DayLoggerOptions) {
    checkLogName(options.name);
    const unit = options.unit ?? 'day';
    const base = `${options.app}.${options.server}${options.name ? `_${options.name}` : ''}`;
    if (options.logpath) {
      this.local = dateFileSink(path.join(options.logpath, options.app, options.server), base, {unit});
    }
    if (options.remote) {
      // The LogInfo @tars/winston-tars sends for the same log (sLogType "1day" / "1hour" included).
      this.target = {kind: 'info', info: LogInfo.create({appname: options.app, servername: options.server,
        sFilename: options.name, sFormat: unit === 'hour' ? '%Y%m%d%H' : '%Y%m%d', sLogType: `1${unit}`,
        setdivision: options.setdivision ?? ''})};
    }
  }

  /** The log's name (`''` for the default one). */
  get name(): string {
    return this.options.name;
  }

  /**
   * Writes `message` as one line `time|message` (TarsCpp's FDLOG layout, @tars/winston-tars's Simple formatter) to
   * the local file and the log daemon, whatever the level: FDLOG has none.
   */
  write(message: string): void {
    this.emit(`${logTimestamp()}|${message}`, 'INFO', message);
  }

  error(message: string): void {
    this.leveled('ERROR', message);
  }

  warn(message: string): void {
    this.leveled('WARN', message);
  }

  info(message: string): void {
    this.leveled('INFO', message);
  }

  debug(message: string): void {
    this.leveled('DEBUG', message);
  }

  private leveled(level: LogLevel, message: string): void {
    const current = this.options.level?.() ?? 'DEBUG';
    if (LOG_LEVELS.indexOf(level) > LOG_LEVELS.indexOf(current)) {
      this.dyed(level, message);
      return;
    }
    // time|pid|LEVEL|message: TarsCpp's leveled layout, and @tars/winston-tars's Detail formatter.
    this.emit(`${logTimestamp()}|${process.pid}|${level}|${message}`, level, message);
  }

  private emit(line: string, level: LogLevel, message: string): void {
    this.dyed(level, message);
    this.local?.(line);
    // Remote lines carry their newline, as TarsCpp's and @tars/winston-tars's do: the log daemon writes them as given.
    if (this.target) this.options.remote!.write(this.target, `${line}\n`);
  }

  private dyed(level: LogLevel, message: string): void {
    if (this.options.dye === undefined || !dyeingStarted()) return;
    const key = currentDyeKey();
    if (key !== undefined) this.options.dye(level, this.options.name ? `[${this.options.name}] ${message}` : message, key);
  }

  /** Closes the local file (the remote log is the application's). */
  close(): void {
    this.local?.close();
  }
}
