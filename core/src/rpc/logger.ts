import {
  appendFileSync, closeSync, fstatSync, mkdirSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeSync,
} from 'node:fs';
import path from 'node:path';

import {DEFAULT_LOG_LEVEL, LOG_LEVELS, type LogLevel} from '../protocol/constants.js';
import {DEFAULT_LOG_NUM, DEFAULT_LOG_SIZE, parseLogSize} from '../config/server-config.js';
import {currentDyeKey, dyeingStarted} from './dye.js';

export {DEFAULT_LOG_NUM, DEFAULT_LOG_SIZE, parseLogSize};

export {DEFAULT_LOG_LEVEL, LOG_LEVELS, type LogLevel};

/** The level named `name` (any case, surrounding blanks ignored), or undefined when it names none. */
export function parseLogLevel(name: string): LogLevel | undefined {
  const upper = name.trim().toUpperCase();
  return LOG_LEVELS.find((l) => l === upper);
}

/** Where a logger writes lines. */
export type LogSink = (line: string) => void;

/** A sink holding a resource until closed. */
export interface ClosableSink extends LogSink {
  /** Releases the resource; idempotent. Lines written afterwards are still written, without holding anything. */
  close(): void;
}

export interface FileSinkOptions {
  /** Opens the file for appending and returns its descriptor (default `fs.openSync(file, 'a')`); a hook for tests. */
  readonly open?: (file: string) => number;
  /**
   * Roll by size (TarsCpp TC_RollLogger, TarsGo RollFileWriter): once the file reaches this many bytes it becomes
   * `<name>1.log`, the previous `<name>1.log` becomes `<name>2.log` and so on, keeping {@link maxFiles} files in all
   * (the oldest is overwritten). Absent or 0: no rolling.
   */
  readonly maxSize?: number;
  /** Files kept in all when rolling by size, the live one included (`<server> lognum`; default 10, at least 1). */
  readonly maxFiles?: number;
}

/**
 * A sink appending to `<dir>/<name>.log`, creating the directory. The file is opened once and kept open; before each
 * line a stat of the path tells whether the file was removed or rotated (renamed away), and then it is reopened, so
 * logrotate and `rm` work as with TarsCpp. With `maxSize` it also rolls by size as TARS servers do (see
 * {@link FileSinkOptions.maxSize}). Writes are synchronous: no line is lost when the process exits. `close()`
 * releases the descriptor (the application closes it with itself).
 */
export function fileSink(dir: string, name: string, options: FileSinkOptions = {}): ClosableSink {
  mkdirSync(dir, {recursive: true});
  const file = path.join(dir, `${name}.log`);
  const open = options.open ?? ((f: string) => openSync(f, 'a'));
  const maxSize = options.maxSize !== undefined && options.maxSize > 0 ? options.maxSize : 0;
  const maxFiles = Math.max(1, Math.floor(options.maxFiles ?? DEFAULT_LOG_NUM));
  let fd = -1;
  let ino = 0;
  let dev = 0;
  let size = 0;
  let closed = false;
  const release = (): void => {
    if (fd < 0) return;
    const old = fd;
    fd = -1;
    try {
      closeSync(old);
    } catch {
      // Already unusable: nothing to release.
    }
  };
  const reopen = (): void => {
    release();
    mkdirSync(dir, {recursive: true});
    fd = open(file);
    const st = fstatSync(fd);
    ino = st.ino;
    dev = st.dev;
    size = st.size;
  };
  /** `<name>.log` -> `<name>1.log` -> ... -> `<name>{maxFiles-1}.log` (the last one is replaced). */
  const roll = (): void => {
    release();
    const nth = (i: number): string => path.join(dir, `${name}${i === 0 ? '' : i}.log`);
    try {
      if (maxFiles === 1) unlinkSync(file);
      for (let i = maxFiles - 1; i >= 1; i--) {
        if (statSync(nth(i - 1), {throwIfNoEntry: false})) renameSync(nth(i - 1), nth(i));
      }
    } catch {
      // Another process rolled the same files: the next line opens whatever is there.
    }
  };
  /** Whether the path still names the open file (not removed, not renamed away and replaced). */
  const current = (): boolean => {
    const st = statSync(file, {throwIfNoEntry: false});
    return st !== undefined && st.ino === ino && st.dev === dev;
  };
  const writeAll = (data: Buffer): void => {
    for (let off = 0; off < data.length;) off += writeSync(fd, data, off);
  };
  const sink = ((line: string): void => {
    const data = Buffer.from(line + '\n', 'utf8');
    if (closed) {
      appendFileSync(file, data);
      return;
    }
    if (fd < 0 || !current()) reopen();
    try {
      writeAll(data);
    } catch {
      // The descriptor went bad (e.g. the file system was remounted): one fresh attempt, whose error is the caller's.
      reopen();
      writeAll(data);
    }
    size += data.length;
    if (maxSize > 0 && size >= maxSize) roll();
  }) as ClosableSink;
  sink.close = (): void => {
    closed = true;
    release();
  };
  return sink;
}

/** How a {@link dateFileSink} cuts its files: one a day (`_YYYYMMDD`) or one an hour (`_YYYYMMDDHH`). */
export type DateUnit = 'day' | 'hour';

export interface DateFileSinkOptions extends Pick<FileSinkOptions, 'open'> {
  /** `day` (default) or `hour`. */
  readonly unit?: DateUnit;
  /**
   * Files of earlier periods kept besides the current one (as TarsGo's DateWriter: older ones are removed when a new
   * period begins); absent: all kept.
   */
  readonly keep?: number;
  /** The clock (tests); default `() => new Date()`. Local time names the files, as TarsGo and TarsCpp name them. */
  readonly now?: () => Date;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** The date part of a day or hour file name, in local time: `20240121` or `2024012109`. */
export function logDateSuffix(date: Date, unit: DateUnit = 'day'): string {
  const day = `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}`;
  return unit === 'hour' ? `${day}${pad(date.getHours())}` : day;
}

/**
 * A sink appending to `<dir>/<name>_<YYYYMMDD>.log` (or `_<YYYYMMDDHH>.log` by hour), the names TarsGo's DateWriter
 * and TarsCpp's day logs give: a new file when the period changes, the files of periods older than `keep` removed
 * then. Each file is a {@link fileSink} (kept open, reopened when removed).
 */
export function dateFileSink(dir: string, name: string, options: DateFileSinkOptions = {}): ClosableSink {
  const unit = options.unit ?? 'day';
  const now = options.now ?? (() => new Date());
  let current = '';
  let inner: ClosableSink | undefined;
  let closed = false;
  const prune = (): void => {
    if (options.keep === undefined) return;
    const re = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}_(\\d{${unit === 'hour' ? 10 : 8}})\\.log$`);
    let files: string[];
    try {
      files = readdirSync(dir);
    } catch {
      return;
    }
    const older = files.map((f) => re.exec(f)?.[1]).filter((d): d is string => d !== undefined && d < current).sort();
    for (const d of older.slice(0, Math.max(0, older.length - options.keep))) {
      try {
        unlinkSync(path.join(dir, `${name}_${d}.log`));
      } catch {
        // Already gone.
      }
    }
  };
  const sink = ((line: string): void => {
    const suffix = logDateSuffix(now(), unit);
    if (suffix !== current || !inner) {
      inner?.close();
      const changed = current !== '' && suffix !== current;
      current = suffix;
      inner = fileSink(dir, `${name}_${suffix}`, options.open ? {open: options.open} : {});
      if (closed) inner.close();
      if (changed) prune();
    }
    inner(line);
  }) as ClosableSink;
  sink.close = (): void => {
    closed = true;
    inner?.close();
  };
  return sink;
}

/** The time stamp of a log line, as TARS servers write it: `2024-01-21 10:00:00.123`, local time. */
export function logTimestamp(date: Date = new Date()): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:` +
    `${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/**
 * Where a logger also sends a line written while serving a dyed request (see core/src/rpc/dye.ts): the level, the
 * message and the dye key.
 */
export type DyeHook = (level: LogLevel, message: string, key: string) => void;

/** A sink writing to standard error. */
export const stderrSink: LogSink = (line) => {
  process.stderr.write(line + '\n');
};

/**
 * The server's local log: `time|LEVEL|message` lines, filtered by a level that `tars.setloglevel` changes at run
 * time.
 */
export class Logger {
  private rank: number;
  private dyeHook?: DyeHook;

  constructor(private levelName: LogLevel = 'INFO', private readonly sink: LogSink = stderrSink) {
    this.rank = LOG_LEVELS.indexOf(levelName);
  }

  /** Closes the sink when it holds a resource (a {@link fileSink}); idempotent. */
  close(): void {
    (this.sink as Partial<ClosableSink>).close?.();
  }

  get level(): LogLevel {
    return this.levelName;
  }

  /** Sets the level; returns false (level unchanged) for a name that is not a level. */
  setLevel(name: string): boolean {
    const level = parseLogLevel(name);
    if (level === undefined) return false;
    this.levelName = level;
    this.rank = LOG_LEVELS.indexOf(level);
    return true;
  }

  /**
   * Sends the lines written while serving a dyed request to `hook` too (the application's dye log), whatever the
   * level: a dyed request is traced in full on every hop, as TarsCpp writes every line of a dyed thread.
   */
  setDyeHook(hook: DyeHook | undefined): void {
    this.dyeHook = hook;
  }

  private write(level: LogLevel, message: string): void {
    if (this.dyeHook !== undefined && dyeingStarted()) {
      const key = currentDyeKey();
      if (key !== undefined) this.dyeHook(level, message, key);
    }
    if (LOG_LEVELS.indexOf(level) > this.rank) return;
    const now = new Date();
    const stamp = `${now.toISOString().replace('T', ' ').replace('Z', '')}`;
    this.sink(`${stamp}|${level}|${message}`);
  }

  error(message: string): void {
    this.write('ERROR', message);
  }

  warn(message: string): void {
    this.write('WARN', message);
  }

  info(message: string): void {
    this.write('INFO', message);
  }

  debug(message: string): void {
    this.write('DEBUG', message);
  }
}
