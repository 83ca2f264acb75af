// Client-side helpers of the reading commands: the time a line carries, the dye key test, and reading a whole file
// of the daemon page by page through LogQuery.readLines.
import type {LogQuery} from '@tars-ts/core/framework';
import {UserError} from '@tars-ts/kit';

import {parseDuration} from './duration.js';

const STAMP = /(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,6}))?/;

/**
 * The time a line carries: its first `YYYY-MM-DD HH:MM:SS[.mmm]` (what TARS loggers write, local time), in ms since
 * the epoch; undefined when it has none.
 */
export function lineTime(line: string): number | undefined {
  const m = STAMP.exec(line);
  if (!m) return undefined;
  const ms = m[7] ? Number(m[7].padEnd(3, '0').slice(0, 3)) : 0;
  const t = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms);
  return Number.isNaN(t.getTime()) ? undefined : t.getTime();
}

/** Whether `line` carries `key` as a whole field: delimited by the line's ends, '|', spaces, brackets or '='. */
export function hasDyeKey(line: string, key: string): boolean {
  let at = line.indexOf(key);
  while (at >= 0) {
    const before = at === 0 ? '' : line[at - 1]!;
    const after = line[at + key.length] ?? '';
    if (/^[|\s[=:,]?$/.test(before) && /^[|\s\],;]?$/.test(after)) return true;
    at = line.indexOf(key, at + 1);
  }
  return false;
}

/** The App.Server a dye-log line names: its first field shaped like one that is not an IP address. */
export function dyeService(line: string): string | undefined {
  return line.split('|').slice(0, 3).find((f) => /^[\w-]+\.[\w-]+$/.test(f) && !/^\d+\.\d+$/.test(f));
}

/** A time on the command line: a duration back from now (10m, 1h, 2d) or an ISO date/time. */
export function parseTime(text: string, flag: string, now = Date.now()): number {
  if (/^\d+[smhd]$/.test(text.trim())) return now - parseDuration(text, flag);
  const t = Date.parse(text);
  if (Number.isNaN(t)) {
    throw new UserError(`${flag} "${text}" is neither a duration nor a date`, {code: 'BAD_DURATION',
      hint: `write a duration back from now (30s, 10m, 1h, 1d) or an ISO time (e.g. ${flag} 2026-01-21T10:00)`});
  }
  return t;
}

/** One line read from a file. */
export interface ReadLine {
  file: string;
  offset: number;
  line: string;
}

/** A line and the instance of the log daemon it was read from (its LogQueryObj endpoint). */
export interface InstanceLine extends ReadLine {
  instance: string;
}

/** The daemon refused a read: no such file any more (retention), or a bad pattern. */
export function readFailure(ret: number, file: string): UserError {
  return ret === -2 ? new UserError('the log daemon refused the pattern', {code: 'BAD_ARGUMENT'})
    : new UserError(`the log daemon has no file ${file}`, {code: 'BAD_ARGUMENT',
      hint: 'retention may have deleted it; list the files again'});
}

/**
 * The lines of `file` from `offset` to its current end, page by page (at most `maxLines`), and where the next read
 * starts. A file gone meanwhile gives no lines.
 */
export async function readFrom(query: LogQuery.LogQueryProxy, file: string, offset: number, grep: string,
  maxLines = 1_000_000): Promise<{lines: ReadLine[]; next: number}> {
  const {LogQuery: Q} = await import('@tars-ts/core/framework');
  const lines: ReadLine[] = [];
  let at = offset;
  for (let page = 0; page < 100_000 && lines.length < maxLines; page += 1) {
    const {ret, result} = await query.readLines(Q.LogReadRequest.create({path: file, offset: BigInt(at),
      maxBytes: 1024 * 1024, grep}));
    if (ret === -1) break;
    if (ret !== 0) throw readFailure(ret, file);
    result.lines.forEach((line, i) => lines.push({file, offset: Number(result.offsets[i] ?? 0n), line}));
    const next = Number(result.nextOffset);
    const done = next === at || next >= Number(result.size);
    at = next;
    if (done) break;
  }
  return {lines: lines.slice(0, maxLines), next: at};
}

/** Resolves on SIGINT or SIGTERM (the end of a -f), and removes its handlers. */
export function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}

/** Waits `ms`, or less when `stop` settles first. */
export function pause(ms: number, stop: Promise<void>): Promise<void> {
  return Promise.race([new Promise<void>((r) => setTimeout(r, ms)), stop]);
}
