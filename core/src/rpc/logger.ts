import {appendFileSync, mkdirSync} from 'node:fs';
import path from 'node:path';

/** Log levels, as TARS names them (tars.setloglevel takes these names). */
export const LOG_LEVELS = ['NONE', 'ERROR', 'WARN', 'INFO', 'DEBUG'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Where a logger writes lines. */
export type LogSink = (line: string) => void;

/** A sink appending to `<dir>/<name>.log`, creating the directory. */
export function fileSink(dir: string, name: string): LogSink {
  mkdirSync(dir, {recursive: true});
  const file = path.join(dir, `${name}.log`);
  return (line) => appendFileSync(file, line + '\n');
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

  get level(): LogLevel {
    return this.levelName;
  }

  /** Sets the level; returns false (level unchanged) for a name that is not a level. */
  setLevel(name: string): boolean {
    const upper = name.trim().toUpperCase() as LogLevel;
    const rank = LOG_LEVELS.indexOf(upper);
    if (rank < 0) return false;
    this.levelName = upper;
    this.rank = rank;
    return true;
  }

  private write(rank: number, label: LogLevel, message: string): void {
    if (rank > this.rank) return;
    const now = new Date();
    const stamp = `${now.toISOString().replace('T', ' ').replace('Z', '')}`;
    this.sink(`${stamp}|${label}|${message}`);
  }

  error(message: string): void {
    this.write(1, 'ERROR', message);
  }

  warn(message: string): void {
    this.write(2, 'WARN', message);
  }

  info(message: string): void {
    this.write(3, 'INFO', message);
  }

  debug(message: string): void {
    this.write(4, 'DEBUG', message);
  }
}
