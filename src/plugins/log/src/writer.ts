// The log server's writing side: lines go into a bounded queue per (file, client), a single loop drains the queues
// round-robin (at most one quantum per queue per round, so one client's flood cannot starve the others) and appends
// each file's share of a round in one write. A call is answered once its lines were handed to the operating system
// (appended, not fsynced): an answered line survives a kill -9 of the daemon, not a crash of the machine. Retention
// (days and total size) runs on a timer and whenever a tenth of the size budget has been written since the last
// sweep. A write that fails (a full or read-only disk) fails its calls, is counted and kept as the last error; the
// daemon goes on serving.
import {promises as fsp} from 'node:fs';
import path from 'node:path';

import type {LogTarget} from './naming.js';

/** The limits of a {@link LogWriter}; every field has a default. */
export interface LogWriterOptions {
  /** The log directory (absolute). */
  readonly logPath: string;
  /** A line longer than this (bytes, its newline excluded) is cut and marked. Default 65536. */
  readonly maxLineBytes?: number;
  /** A file reaching this size continues in `<file>.1`, `<file>.2`, ... (0: no size rotation). Default 1 GiB. */
  readonly maxFileBytes?: number;
  /** What may wait per (file, client) queue; a call that would pass it is refused. Default 8 MiB. */
  readonly maxQueueBytes?: number;
  /** What may wait in all queues together. Default 128 MiB. */
  readonly maxTotalQueueBytes?: number;
  /** What one queue may write per round. Default 256 KiB. */
  readonly quantumBytes?: number;
  /** Retention: the log directory is kept under this many bytes, oldest files deleted first (0: no limit). */
  readonly maxTotalBytes?: number;
  /** Retention: files not written for this many days are deleted (0: kept). */
  readonly retentionDays?: number;
  /** How often retention runs, ms. Default 60000. */
  readonly sweepIntervalMs?: number;
  /** Where problems go. */
  readonly onError?: (message: string) => void;
  readonly clock?: () => number;
}

/** A call the writer refused before queueing it. */
export class LogRefused extends Error {
  constructor(message: string, readonly reason: 'queue-full' | 'closing') {
    super(message);
    this.name = 'LogRefused';
  }
}

/** The writer's counters since it started. */
export interface LogWriterStats {
  linesWritten: number;
  bytesWritten: number;
  batches: number;
  truncatedLines: number;
  rejectedCalls: number;
  droppedLines: number;
  writeErrors: number;
  lastError: string;
  lastErrorAt: number;
  queuedBytes: number;
  filesDeleted: number;
  diskBytes: number;
}

interface Entry {
  /** `dir/file` relative to the log directory. */
  readonly file: string;
  readonly data: string;
  readonly bytes: number;
  readonly lines: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

interface Queue {
  entries: Entry[];
  bytes: number;
}

/** The current part of a file under size rotation. */
interface FilePart {
  part: number;
  size: number;
  lastWrite: number;
}

const TRUNCATED = (cut: number): string => ` ...[truncated ${cut} bytes]`;

/** A line cut to `max` bytes (whole UTF-8 characters) and marked, its newline kept. Unchanged when short enough. */
export function limitLine(line: string, max: number): {line: string; truncated: boolean} {
  if (line.length <= max / 4 || Buffer.byteLength(line) <= max + (line.endsWith('\n') ? 1 : 0)) {
    return {line, truncated: false};
  }
  const newline = line.endsWith('\n') ? '\n' : '';
  const body = Buffer.from(newline ? line.slice(0, -1) : line);
  let end = max;
  while (end > 0 && (body[end]! & 0xc0) === 0x80) end -= 1; // never cut inside a character
  return {line: body.subarray(0, end).toString() + TRUNCATED(body.length - end) + newline, truncated: true};
}

export class LogWriter {
  readonly logPath: string;
  readonly maxLineBytes: number;
  readonly maxFileBytes: number;
  readonly maxQueueBytes: number;
  readonly maxTotalQueueBytes: number;
  readonly quantumBytes: number;
  readonly maxTotalBytes: number;
  readonly retentionDays: number;
  private readonly clock: () => number;
  private readonly onError: (message: string) => void;
  private readonly queues = new Map<string, Queue>();
  private readonly parts = new Map<string, FilePart>();
  private readonly dirs = new Set<string>();
  private readonly counters: LogWriterStats = {linesWritten: 0, bytesWritten: 0, batches: 0, truncatedLines: 0,
    rejectedCalls: 0, droppedLines: 0, writeErrors: 0, lastError: '', lastErrorAt: 0, queuedBytes: 0,
    filesDeleted: 0, diskBytes: 0};
  private draining: Promise<void> = Promise.resolve();
  private running = false;
  private sweeping?: Promise<void>;
  private writtenSinceSweep = 0;
  private closed = false;
  private readonly timer: NodeJS.Timeout;

  constructor(options: LogWriterOptions) {
    this.logPath = options.logPath;
    this.maxLineBytes = options.maxLineBytes ?? 65_536;
    this.maxFileBytes = options.maxFileBytes ?? 1024 ** 3;
    this.maxQueueBytes = options.maxQueueBytes ?? 8 * 1024 ** 2;
    this.maxTotalQueueBytes = options.maxTotalQueueBytes ?? 128 * 1024 ** 2;
    this.quantumBytes = options.quantumBytes ?? 256 * 1024;
    this.maxTotalBytes = options.maxTotalBytes ?? 0;
    this.retentionDays = options.retentionDays ?? 0;
    this.clock = options.clock ?? Date.now;
    this.onError = options.onError ?? (() => undefined);
    this.timer = setInterval(() => void this.sweep(), options.sweepIntervalMs ?? 60_000);
    this.timer.unref();
  }

  /** Counts a call refused before it reached the writer (a bad name). */
  countRejected(): void {
    this.counters.rejectedCalls += 1;
  }

  /** A copy of the counters. */
  stats(): LogWriterStats {
    return {...this.counters};
  }

  /**
   * Queues `lines` for `target`, each prefixed with `prefix` (the ipfix part, '' for none) and cut at the line limit;
   * resolves once they are appended to the file, rejects with the write's error, or at once with
   * {@link LogRefused} when the (file, client) queue or all queues are full, or the writer is closing.
   */
  append(target: LogTarget, lines: readonly string[], client: string, prefix: string): Promise<void> {
    if (this.closed) {
      this.counters.rejectedCalls += 1;
      return Promise.reject(new LogRefused('the log server is stopping', 'closing'));
    }
    if (lines.length === 0) return Promise.resolve();
    let data = '';
    for (const raw of lines) {
      const {line, truncated} = limitLine(raw, this.maxLineBytes);
      if (truncated) this.counters.truncatedLines += 1;
      data += prefix + line;
    }
    const bytes = Buffer.byteLength(data);
    const file = `${target.dir}/${target.file}`;
    const key = `${file}\0${client}`;
    const queue = this.queues.get(key) ?? {entries: [], bytes: 0};
    if ((queue.bytes > 0 && queue.bytes + bytes > this.maxQueueBytes)
      || (this.counters.queuedBytes > 0 && this.counters.queuedBytes + bytes > this.maxTotalQueueBytes)) {
      this.counters.rejectedCalls += 1;
      return Promise.reject(new LogRefused(`the queue of ${file} for ${client} is full (${queue.bytes} bytes ` +
        `waiting); send again later`, 'queue-full'));
    }
    return new Promise<void>((resolve, reject) => {
      queue.entries.push({file, data, bytes, lines: lines.length, resolve, reject});
      queue.bytes += bytes;
      this.counters.queuedBytes += bytes;
      if (!this.queues.has(key)) this.queues.set(key, queue);
      if (!this.running) {
        this.running = true;
        this.draining = this.drain();
      }
    });
  }

  /**
   * Rounds until every queue is empty: each queue gives at most one quantum per round. `running` turns false in the
   * same step as the loop sees no queue left, so a call queued after that starts a new drain.
   */
  private async drain(): Promise<void> {
    try {
      await Promise.resolve();
      while (this.queues.size > 0) {
        const round = new Map<string, Entry[]>();
        for (const [key, queue] of this.queues) {
          let taken = 0;
          while (queue.entries.length > 0 && (taken === 0 || taken + queue.entries[0]!.bytes <= this.quantumBytes)) {
            const entry = queue.entries.shift()!;
            taken += entry.bytes;
            const group = round.get(entry.file);
            if (group) group.push(entry);
            else round.set(entry.file, [entry]);
          }
          queue.bytes -= taken;
          this.counters.queuedBytes -= taken;
          if (queue.entries.length === 0) this.queues.delete(key);
        }
        for (const [file, entries] of round) await this.write(file, entries);
        if (this.maxTotalBytes > 0 && this.writtenSinceSweep > this.maxTotalBytes / 10) await this.sweep();
      }
    } finally {
      this.running = false;
    }
  }

  /** The part a write of `bytes` goes to under size rotation: `file`, `file.1`, `file.2`, ... */
  private async partOf(file: string, bytes: number): Promise<{path: string; part: FilePart}> {
    let part = this.parts.get(file);
    if (!part) {
      part = {part: 0, size: 0, lastWrite: 0};
      // A restart continues the last part that exists.
      for (let n = 0; n < 10_000; n += 1) {
        const size = await fsp.stat(this.partPath(file, n)).then((s) => s.size, () => -1);
        if (size < 0) break;
        part.part = n;
        part.size = size;
      }
      this.parts.set(file, part);
    }
    if (this.maxFileBytes > 0 && part.size > 0 && part.size + bytes > this.maxFileBytes) {
      part.part += 1;
      part.size = 0;
    }
    return {path: this.partPath(file, part.part), part};
  }

  private partPath(file: string, n: number): string {
    return path.join(this.logPath, n === 0 ? file : `${file}.${n}`);
  }

  private async write(file: string, entries: Entry[]): Promise<void> {
    const data = entries.length === 1 ? entries[0]!.data : entries.map((e) => e.data).join('');
    const bytes = entries.reduce((n, e) => n + e.bytes, 0);
    const lines = entries.reduce((n, e) => n + e.lines, 0);
    try {
      const {path: target, part} = await this.partOf(file, bytes);
      const dir = path.dirname(target);
      if (!this.dirs.has(dir)) {
        await fsp.mkdir(dir, {recursive: true});
        this.dirs.add(dir);
      }
      try {
        await fsp.appendFile(target, data);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        await fsp.mkdir(dir, {recursive: true}); // retention removed the directory meanwhile
        await fsp.appendFile(target, data);
      }
      part.size += bytes;
      part.lastWrite = this.clock();
      this.counters.linesWritten += lines;
      this.counters.bytesWritten += bytes;
      this.counters.batches += 1;
      this.writtenSinceSweep += bytes;
      for (const e of entries) e.resolve();
    } catch (error) {
      const message = `writing ${lines} lines to ${file}: ${(error as Error).message}`;
      this.counters.writeErrors += 1;
      this.counters.droppedLines += lines;
      this.counters.lastError = message;
      this.counters.lastErrorAt = this.clock();
      this.dirs.clear();
      this.onError(message);
      const failure = new Error(`the log server could not write: ${(error as Error).message}`);
      for (const e of entries) e.reject(failure);
    }
  }

  /** Applies retention now (one sweep at a time): files older than the days, then the oldest over the size. */
  sweep(): Promise<void> {
    this.sweeping ??= this.sweepOnce().catch((error: unknown) => {
      this.onError(`retention: ${(error as Error).message}`);
    }).finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  private async sweepOnce(): Promise<void> {
    this.writtenSinceSweep = 0;
    const files = await listTree(this.logPath);
    const now = this.clock();
    let total = files.reduce((n, f) => n + f.size, 0);
    const doomed: TreeFile[] = [];
    const cutoff = this.retentionDays > 0 ? now - this.retentionDays * 86_400_000 : -Infinity;
    const keep: TreeFile[] = [];
    for (const f of files) {
      if (f.mtime < cutoff) {
        doomed.push(f);
        total -= f.size;
      } else keep.push(f);
    }
    if (this.maxTotalBytes > 0) {
      for (const f of keep.sort((a, b) => a.mtime - b.mtime)) {
        if (total <= this.maxTotalBytes) break;
        doomed.push(f);
        total -= f.size;
      }
    }
    for (const f of doomed) {
      try {
        await fsp.unlink(path.join(this.logPath, f.path));
        this.counters.filesDeleted += 1;
        for (const file of this.parts.keys()) {
          if (f.path === file || f.path.startsWith(`${file}.`)) this.parts.delete(file);
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
          total += f.size;
          this.onError(`retention: deleting ${f.path}: ${(error as Error).message}`);
        }
      }
    }
    this.counters.diskBytes = total;
    for (const [file, part] of this.parts) if (now - part.lastWrite > 3_600_000) this.parts.delete(file);
  }

  /** Stops taking calls, writes everything queued, stops the retention timer. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    while (this.running) await this.draining;
    if (this.sweeping) await this.sweeping;
  }
}

/** A file of the log directory. */
export interface TreeFile {
  /** Relative, '/'-separated. */
  path: string;
  size: number;
  mtime: number;
}

/** Every regular file under `root` (missing root: none) but those named with a leading dot, at most `limit`. */
export async function listTree(root: string, limit = 1_000_000): Promise<TreeFile[]> {
  const out: TreeFile[] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    let names;
    try {
      names = await fsp.readdir(dir, {withFileTypes: true});
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') {
        return;
      }
      throw error;
    }
    for (const d of names) {
      if (out.length >= limit) return;
      // No log file or directory starts with a dot (naming refuses it): such names are the daemon's own (the
      // directory's id, store-id.ts), never listed nor swept.
      if (d.name.startsWith('.')) continue;
      const relPath = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) await walk(path.join(dir, d.name), relPath);
      else if (d.isFile()) {
        const s = await fsp.stat(path.join(dir, d.name)).catch(() => undefined);
        if (s) out.push({path: relPath, size: s.size, mtime: s.mtimeMs});
      }
    }
  };
  await walk(root, '');
  return out;
}
