/**
 * The clock and timer of the stat and property reporters, injectable so that tests drive report intervals without
 * waiting for them.
 */
export interface ReportTimer {
  /** Calls `tick` every `ms` until the returned function is called. Must never keep the process alive. */
  every(ms: number, tick: () => void): () => void;
}

/** The real timer: an unref'd setInterval (a reporter never keeps a process alive). */
export const realReportTimer: ReportTimer = {
  every(ms, tick) {
    const handle = setInterval(tick, ms);
    handle.unref();
    return () => clearInterval(handle);
  },
};

/**
 * A timer moved by hand: `advance()` runs every registered tick once, as if one interval had passed for each.
 * For tests.
 */
export class ManualReportTimer implements ReportTimer {
  private readonly ticks = new Set<() => void>();

  every(_ms: number, tick: () => void): () => void {
    this.ticks.add(tick);
    return () => {
      this.ticks.delete(tick);
    };
  }

  /** How many tickers are registered (running reporters). */
  get size(): number {
    return this.ticks.size;
  }

  /** Runs every registered tick once. */
  advance(): void {
    for (const tick of [...this.ticks]) tick();
  }
}
