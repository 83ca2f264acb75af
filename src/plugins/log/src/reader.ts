// The log server's read side (LogQuery.tars): which files exist, and their lines from a byte offset. Paths are
// relative to the log directory; one that leads outside it is no file.
import {promises as fsp} from 'node:fs';
import path from 'node:path';

import {DYE_APP, DYE_SERVER, describePath} from './naming.js';
import {listTree} from './writer.js';

/** A file as listFiles answers it. */
export interface LogFileRow {
  path: string;
  app: string;
  server: string;
  name: string;
  setPart: string;
  size: number;
  mtime: number;
}

export interface FileFilter {
  app?: string;
  server?: string;
  /** '' every name; '-' the default log. */
  name?: string;
  dye?: boolean;
  since?: number;
}

/** The files matching, oldest first (by last write, then path). */
export async function listLogFiles(root: string, filter: FileFilter): Promise<LogFileRow[]> {
  const rows: LogFileRow[] = [];
  for (const f of await listTree(root)) {
    const d = describePath(f.path);
    if (!d) continue;
    const dye = d.app === DYE_APP && d.server === DYE_SERVER;
    if (filter.dye ? !dye : false) continue;
    if (filter.app && d.app !== filter.app) continue;
    if (filter.server && d.server !== filter.server) continue;
    const name = d.name ?? '';
    if (filter.name === '-' ? name !== '' : filter.name ? name !== filter.name : false) continue;
    if (filter.since && f.mtime < filter.since) continue;
    rows.push({path: f.path, app: d.app, server: d.server, name, setPart: d.setPart, size: f.size, mtime: f.mtime});
  }
  return rows.sort((a, b) => a.mtime - b.mtime || a.path.localeCompare(b.path));
}

/** The absolute path of `relative` inside `root`, or undefined when it leads elsewhere. */
export function insideRoot(root: string, relative: string): string | undefined {
  if (relative === '' || path.isAbsolute(relative) || relative.includes('\0')) return undefined;
  if (relative.split(/[/\\]/).some((p) => p === '..')) return undefined;
  const full = path.resolve(root, relative);
  return full.startsWith(path.resolve(root) + path.sep) ? full : undefined;
}

export interface ReadResult {
  lines: string[];
  offsets: number[];
  nextOffset: number;
  size: number;
}

export const MAX_READ = 4 * 1024 * 1024;

/**
 * The complete lines of a file from `offset` (at most `maxBytes` read), or with offset -1 its last `tail` lines.
 * A last line without its newline yet waits for the next read, unless it alone fills `maxBytes`. An offset past the
 * end (the file was replaced) starts again at 0. Undefined when there is no such file.
 */
export async function readLines(full: string, offset: number, tail: number, maxBytes: number,
  grep?: RegExp): Promise<ReadResult | undefined> {
  let handle;
  try {
    handle = await fsp.open(full, 'r');
  } catch {
    return undefined;
  }
  try {
    const {size} = await handle.stat();
    const budget = Math.min(Math.max(maxBytes || 1024 * 1024, 1), MAX_READ);
    let start = offset;
    if (start < 0) start = Math.max(0, size - budget);
    else if (start > size) start = 0;
    const length = Math.min(budget, size - start);
    const buffer = Buffer.alloc(length);
    const {bytesRead} = length > 0 ? await handle.read(buffer, 0, length, start) : {bytesRead: 0};
    const chunk = buffer.subarray(0, bytesRead);
    let lines: string[] = [];
    let offsets: number[] = [];
    let at = 0;
    // From the tail: the first partial line of the window is not a line.
    if (offset < 0 && start > 0) {
      const nl = chunk.indexOf(0x0a);
      at = nl < 0 ? chunk.length : nl + 1;
    }
    while (at < chunk.length) {
      const nl = chunk.indexOf(0x0a, at);
      if (nl < 0) {
        if (at === 0 && chunk.length === budget) { // one line longer than the budget: give it as it is
          lines.push(chunk.toString());
          offsets.push(start);
          at = chunk.length;
        }
        break;
      }
      lines.push(chunk.subarray(at, nl).toString().replace(/\r$/, ''));
      offsets.push(start + at);
      at = nl + 1;
    }
    const nextOffset = start + at;
    if (grep) {
      const keep = lines.map((l) => grep.test(l));
      lines = lines.filter((_, i) => keep[i]);
      offsets = offsets.filter((_, i) => keep[i]);
    }
    if (offset < 0) {
      const n = Math.max(tail || 10, 0);
      lines = lines.slice(-n);
      offsets = offsets.slice(-n);
    }
    return {lines, offsets, nextOffset, size};
  } finally {
    await handle.close();
  }
}
