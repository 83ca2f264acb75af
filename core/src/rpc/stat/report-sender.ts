/**
 * Sends what a reporter aggregated in one interval as one or more RPCs (the stat and property reporters share it):
 * splits the items into batches that stay under a size estimate (TarsCpp's `max-report-size`), sends them one at a
 * time, keeps at most a fixed number of batches waiting or in flight and drops (and counts) the rest, and never
 * rejects: a daemon that is away or slow costs a counter, never memory or an error in a caller.
 */

/** Limits of a {@link ReportSender}. */
export interface ReportSenderLimits {
  /** Most batches waiting or in flight; a batch beyond it is dropped and counted. */
  maxPending: number;
  /** Estimated encoded size a batch stays under (at least one item per batch), bytes. */
  maxReportSize: number;
}

/** Counters of a sender, in RPCs and in the units of {@link ReportSender} `weight` (calls, samples). */
export interface ReportSenderStats {
  /** Report RPCs sent. */
  sent: number;
  /** Report RPCs that failed (no answer, connection refused, locator failure). */
  failed: number;
  /** Batches dropped without sending because too many were waiting. */
  skipped: number;
  /** Units in batches the daemon answered. */
  reported: number;
  /** Units in batches that failed or were skipped. */
  dropped: number;
  /** Batches waiting or in flight now. */
  pending: number;
}

interface Queued<T> {
  batch: T[];
  units: number;
  done: () => void;
}

export class ReportSender<T> {
  private readonly counters: ReportSenderStats = {sent: 0, failed: 0, skipped: 0, reported: 0, dropped: 0, pending: 0};
  /** The last failure, for status lines. */
  lastError = '';

  /**
   * @param send makes one report RPC with a batch
   * @param sizeOf estimated encoded size of one item, bytes
   * @param weight what an item counts for in `reported` / `dropped` (calls for stat, 1 for a property)
   */
  constructor(private readonly send: (batch: T[]) => Promise<unknown>, private readonly sizeOf: (item: T) => number,
    private readonly weight: (item: T) => number, private readonly limits: ReportSenderLimits) {}

  get stats(): ReportSenderStats {
    return {...this.counters};
  }

  /** Counts units dropped before they reached a batch (a reporter's key cap). */
  drop(units: number): void {
    this.counters.dropped += units;
  }

  /** Splits `items` into batches under the size limit, in order. */
  batches(items: readonly T[]): T[][] {
    const out: T[][] = [];
    let batch: T[] = [];
    let size = 0;
    for (const item of items) {
      const s = this.sizeOf(item);
      if (batch.length > 0 && size + s > this.limits.maxReportSize) {
        out.push(batch);
        batch = [];
        size = 0;
      }
      batch.push(item);
      size += s;
    }
    if (batch.length > 0) out.push(batch);
    return out;
  }

  /**
   * Queues `items` in batches, sent one after the other; resolves once every batch queued here has settled (sent,
   * failed or dropped). Never rejects.
   */
  submit(items: readonly T[]): Promise<void> {
    const settled: Promise<void>[] = [];
    for (const batch of this.batches(items)) {
      const units = batch.reduce((n, item) => n + this.weight(item), 0);
      if (this.counters.pending >= this.limits.maxPending) {
        this.counters.skipped++;
        this.counters.dropped += units;
        continue;
      }
      this.counters.pending++;
      settled.push(new Promise<void>((done) => this.queue.push({batch, units, done})));
    }
    if (!this.pumping && this.queue.length > 0) void this.pump();
    return Promise.all(settled).then(() => undefined);
  }

  private readonly queue: Queued<T>[] = [];
  private pumping = false;

  /** Sends the queued batches one at a time until none is left. */
  private async pump(): Promise<void> {
    this.pumping = true;
    for (let next = this.queue.shift(); next; next = this.queue.shift()) {
      this.counters.sent++;
      try {
        await this.send(next.batch);
        this.counters.reported += next.units;
      } catch (error) {
        this.counters.failed++;
        this.counters.dropped += next.units;
        this.lastError = (error as Error)?.message ?? String(error);
      } finally {
        this.counters.pending--;
        next.done();
      }
    }
    this.pumping = false;
  }
}
