// The official config server's per-caller limit: per (app, server, caller host, file) at most `limit` calls in a
// window of `intervalMs` that opens with the first call; beyond that ConfigF answers 429 until the window ends.

/** The official defaults: 10 calls a minute (`<tars><limit> limitinterval=10 interval=1`). */
export const DEFAULT_RATE_LIMIT = 10;
export const DEFAULT_RATE_INTERVAL_MS = 60_000;

/** What ConfigF answers to a caller over the limit. */
export const RATE_LIMITED = 429;

/** A fixed-window counter per key; `limit` 0 turns it off. The clock is injectable for tests. */
export class RateLimiter {
  private readonly windows = new Map<string, {start: number; count: number}>();

  constructor(readonly limit = DEFAULT_RATE_LIMIT, readonly intervalMs = DEFAULT_RATE_INTERVAL_MS,
    private readonly now: () => number = Date.now) {}

  /** Counts a call of `key`; false when it is over the limit (and is not counted). */
  allow(key: string): boolean {
    if (this.limit <= 0) return true;
    const now = this.now();
    const w = this.windows.get(key);
    if (!w || now - w.start >= this.intervalMs) {
      // Expired windows go as they are met; a sweep keeps the map bounded by the callers of one interval.
      if (this.windows.size > 10_000) this.sweep(now);
      this.windows.set(key, {start: now, count: 1});
      return true;
    }
    if (w.count >= this.limit) return false;
    w.count++;
    return true;
  }

  private sweep(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= this.intervalMs) this.windows.delete(k);
  }
}
