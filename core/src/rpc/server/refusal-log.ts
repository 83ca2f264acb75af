/** Names of the refusal codes in log lines. */
const CODE_NAMES = new Map<number, string>([[-9, 'overload'], [-6, 'queue timeout']]);

/** What a {@link RefusalLog} needs from its surroundings; tests inject a clock and timers. */
export interface RefusalLogOptions {
  /** Most one line per this many ms. Default 1000. */
  intervalMs?: number;
  /** Clock, ms. Default Date.now. */
  now?: () => number;
  /** Runs `fn` after `ms`; returns a canceller. Default: an unref'd setTimeout (it never holds the process). */
  schedule?: (fn: () => void, ms: number) => () => void;
}

function defaultSchedule(fn: () => void, ms: number): () => void {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
}

/**
 * Logs an adapter's refused requests (-9 overload, -6 queue timeout) at a bounded rate: a flood is exactly when one
 * line per request would cost the most (and bury everything else in the log). The first refusal after a quiet
 * interval is logged at once; the ones that follow within `intervalMs` are counted and reported together in one
 * line, at the next refusal after the interval or by a timer when the flood stops, so every refusal is accounted
 * for. {@link flush} reports what is counted at once (the adapter calls it when it closes).
 */
export class RefusalLog {
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly schedule: (fn: () => void, ms: number) => () => void;
  private lastLineAt = -Infinity;
  private readonly counts = new Map<number, number>();
  private total = 0;
  private latest = '';
  private cancelTimer: (() => void) | undefined;

  /** @param emit writes one line (the adapter's logger at WARN). @param prefix starts each line, e.g. `adapter X`. */
  constructor(private readonly emit: (line: string) => void, private readonly prefix: string,
    options: RefusalLogOptions = {}) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.now = options.now ?? Date.now;
    this.schedule = options.schedule ?? defaultSchedule;
  }

  /** Counts one refusal; `detail` describes it (kept for the line as the latest example). */
  note(code: number, detail: string): void {
    this.counts.set(code, (this.counts.get(code) ?? 0) + 1);
    this.total++;
    this.latest = `${code} ${detail}`;
    if (this.now() - this.lastLineAt >= this.intervalMs) this.flush();
    else this.cancelTimer ??= this.schedule(() => this.onTimer(), this.intervalMs);
  }

  private onTimer(): void {
    this.cancelTimer = undefined;
    if (this.total === 0) return;
    const wait = this.lastLineAt + this.intervalMs - this.now();
    if (wait > 0) this.cancelTimer = this.schedule(() => this.onTimer(), wait);
    else this.flush();
  }

  /** Writes the line for what was counted since the last one (nothing when nothing was). */
  flush(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    if (this.total === 0) return;
    const parts = [...this.counts].map(([code, n]) => `${code} ${CODE_NAMES.get(code) ?? 'refused'}: ${n}`);
    this.emit(`${this.prefix}: refused ${this.total} request${this.total === 1 ? '' : 's'} ` +
      `(${parts.join(', ')}); latest: ${this.latest}`);
    this.counts.clear();
    this.total = 0;
    this.lastLineAt = this.now();
  }
}
