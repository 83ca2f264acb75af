import {appendFileSync, closeSync, fstatSync, mkdirSync, openSync, statSync, writeSync} from 'node:fs';
import path from 'node:path';

import {DEFAULT_LOG_LEVEL, LOG_LEVELS, type LogLevel} from '../protocol/constants.js';

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
}

/**
 * A sink appending to `<dir>/<name>.log`, creating the directory. The file is opened once and kept open; before each
 * line a stat of the path tells whether the file was removed or rotated (renamed away), and then it is reopened, so
 * logrotate and `rm` work as with TarsCpp. Writes are synchronous: no line is lost when the process exits. `close()`
 * releases the descriptor (the application closes it with itself).
 */
export function fileSink(dir: string, name: string, options: FileSinkOptions = {}): ClosableSink {
  mkdirSync(dir, {recursive: true});
  const file = path.join(dir, `${name}.log`);
  const open = options.open ?? ((f: string) => openSync(f, 'a'));
  let fd = -1;
  let ino = 0;
  let dev = 0;
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
  }) as ClosableSink;
  sink.close = (): void => {
    closed = true;
    release();
  };
  return sink;
}

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

  private write(level: LogLevel, message: string): void {
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
