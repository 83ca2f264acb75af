/**
 * Ships log lines to the log daemon (LogF, `<server> log = tars.tarslog.LogObj`; framework.md 1.8 and 3.4) without
 * ever blocking the service: lines are buffered per target file and sent in batches, one RPC at a time and in order,
 * every `intervalMs` or as soon as one target holds `batchLines` lines. The buffer is bounded (`maxBuffered` lines in
 * all): a line beyond it is dropped and counted, and so are the lines of a batch the daemon did not take (away, slow,
 * refusing). `flush()` sends what is buffered; `close(waitMs)` flushes with a bounded wait.
 */
import type {LogInfo} from '../../framework/LogFTars.js';
import {runUndyed} from '../dye.js';
import {LineQueue} from './line-queue.js';
import {type ReportTimer, realReportTimer} from '../stat/report-timer.js';

/**
 * Where a batch goes: `loggerbyInfo(info, lines)` (what TarsCpp and TarsGo send for their remote day logs), or
 * `logger(app, server, file, format, lines)` (what TarsCpp sends for dye logs).
 */
export type RemoteLogTarget =
  | {readonly kind: 'info'; readonly info: LogInfo}
  | {readonly kind: 'logger'; readonly app: string; readonly server: string; readonly file: string;
    readonly format: string};

/** Sends one batch; rejects when the daemon did not take it. */
export type RemoteLogSend = (target: RemoteLogTarget, lines: string[]) => Promise<unknown>;

export interface RemoteLogOptions {
  /** ms between flushes (default 1000: TarsGo's). */
  intervalMs?: number;
  /** Most lines in one RPC; a target holding this many is flushed at once (default 2000: TarsGo's). */
  batchLines?: number;
  /** Most lines buffered in all (default 100000); further lines are dropped and counted. */
  maxBuffered?: number;
  /** The flush timer (tests use a ManualReportTimer). */
  timer?: ReportTimer;
}

/** Counters of a {@link RemoteLog}, in lines unless said otherwise. */
export interface RemoteLogStats {
  /** Lines the daemon took. */
  sent: number;
  /** Lines dropped: buffer full, batch refused or failed, or written after close. */
  dropped: number;
  /** Lines buffered now (in flight included). */
  buffered: number;
  /** RPCs sent, and how many of them failed. */
  batches: number;
  failedBatches: number;
  /** The last failure, '' when none. */
  lastError: string;
}

interface Queue {
  readonly target: RemoteLogTarget;
  /** Off the V8 heap until sent (./line-queue.ts says why). */
  readonly lines: LineQueue;
}

/** The key a target's lines are buffered under. */
function keyOf(t: RemoteLogTarget): string {
  return t.kind === 'info'
    ? `i|${t.info.appname}|${t.info.servername}|${t.info.sFilename}|${t.info.sFormat}|${t.info.sLogType}|` +
      `${t.info.setdivision}`
    : `l|${t.app}|${t.server}|${t.file}|${t.format}`;
}

export class RemoteLog {
  private readonly queues = new Map<string, Queue>();
  private readonly counters: RemoteLogStats = {sent: 0, dropped: 0, buffered: 0, batches: 0, failedBatches: 0,
    lastError: ''};
  private readonly intervalMs: number;
  private readonly batchLines: number;
  private readonly maxBuffered: number;
  private stopTimer?: () => void;
  private pumping?: Promise<void>;
  private soon = false;
  private closed = false;

  constructor(private readonly send: RemoteLogSend, options: RemoteLogOptions = {}) {
    this.intervalMs = Math.max(1, options.intervalMs ?? 1000);
    this.batchLines = Math.max(1, options.batchLines ?? 2000);
    this.maxBuffered = Math.max(1, options.maxBuffered ?? 100_000);
    // Created outside any dye: its ticks must not carry the dye of whatever request made the first line.
    this.stopTimer = runUndyed(() => (options.timer ?? realReportTimer).every(this.intervalMs, () => void this.flush()));
  }

  get stats(): RemoteLogStats {
    return {...this.counters};
  }

  /**
   * Buffers one line for `target`; returns false when it was dropped (buffer full, or closed). Never blocks, never
   * throws.
   */
  write(target: RemoteLogTarget, line: string): boolean {
    if (this.closed || this.counters.buffered >= this.maxBuffered) {
      this.counters.dropped++;
      return false;
    }
    const key = keyOf(target);
    let q = this.queues.get(key);
    if (q === undefined) {
      q = {target, lines: new LineQueue()};
      this.queues.set(key, q);
    }
    q.lines.push(line);
    this.counters.buffered++;
    if (q.lines.length >= this.batchLines && !this.soon) {
      this.soon = true;
      runUndyed(() => setImmediate(() => {
        this.soon = false;
        void this.flush();
      }));
    }
    return true;
  }

  /**
   * Sends everything buffered, in batches of at most `batchLines`, one RPC at a time; resolves once the buffer is
   * empty (lines written meanwhile included). Never rejects.
   */
  flush(): Promise<void> {
    this.pumping ??= runUndyed(() => this.pump()).finally(() => {
      this.pumping = undefined;
    });
    return this.pumping;
  }

  private async pump(): Promise<void> {
    for (;;) {
      const q = [...this.queues.values()].find((x) => x.lines.length > 0);
      if (q === undefined) return;
      const batch = q.lines.take(this.batchLines);
      this.counters.batches++;
      try {
        await this.send(q.target, batch);
        this.counters.sent += batch.length;
      } catch (error) {
        this.counters.failedBatches++;
        this.counters.dropped += batch.length;
        this.counters.lastError = (error as Error)?.message ?? String(error);
      } finally {
        this.counters.buffered -= batch.length;
      }
    }
  }

  /**
   * Stops the timer and flushes what is buffered, waiting at most `waitMs`; lines written afterwards are dropped.
   * Idempotent.
   */
  async close(waitMs = 1000): Promise<void> {
    this.closed = true;
    this.stopTimer?.();
    this.stopTimer = undefined;
    let giveUp: NodeJS.Timeout | undefined;
    await Promise.race([this.flush(), new Promise((resolve) => (giveUp = setTimeout(resolve, waitMs)))]);
    clearTimeout(giveUp);
    // What is still waiting (not in flight) will never go: counted as dropped now, so the counters add up.
    for (const q of this.queues.values()) {
      const left = q.lines.clear();
      this.counters.dropped += left;
      this.counters.buffered -= left;
    }
  }
}
