// The flap limit on automatic starts ("Activator" limits of the official tarsnode, framework.md 2.2): a server that
// keeps dying right after each start is not restarted forever at full speed.

/** The flap limit's settings, ms. Official keys: ActivatorMaxCount, ActivatorTimeInterval, ActivatorPunishInterval. */
export interface RestartLimits {
  /** How many quick restarts are tolerated; one more blocks auto-start. Official default 10. */
  readonly maxCount: number;
  /** A start this soon after the previous one counts as quick. Official default 60 s. */
  readonly intervalMs: number;
  /** How long auto-start stays blocked after the last start. Official default 600 s. */
  readonly punishMs: number;
}

/** The official defaults (TarsFramework NodeServer/ServerFactory.cpp), in ms. */
export const DEFAULT_RESTART_LIMITS: RestartLimits = {maxCount: 10, intervalMs: 60_000, punishMs: 600_000};

/** What the limiter knows, frozen at one moment. */
export interface RestartLimiterSnapshot {
  /** Quick restarts in the current run (see {@link RestartLimiter.record}). */
  readonly quickStarts: number;
  /** Whether the limit was hit and not yet cleared. */
  readonly limited: boolean;
  /** When the last start was recorded, or undefined before the first. */
  readonly lastStartAt?: number;
  /** Until when auto-start is refused, when it is now refused. */
  readonly blockedUntil?: number;
}

/**
 * Counts starts and says when automatic starts must wait. Every start is recorded (manual ones too, as the official
 * node does), but only automatic starts ask {@link blocked}: an operator can always start a server by hand.
 *
 * Counting, as the official Activator: a start within `intervalMs` of the previous one is a quick start; more than
 * `maxCount` quick starts set the limit; while limited, auto-start is refused until `punishMs` after the last start,
 * and then one attempt is allowed per `punishMs` ("retry once every punish interval"). The limit clears only when a
 * start comes more than 1.5 x `punishMs` after the previous one, i.e. the server stayed up that long.
 *
 * One divergence: the official count of quick starts never goes down until the limit clears, so a server that
 * crashes twice quickly once a day is punished after a couple of weeks. Here a start that is not quick (and not
 * limited) begins a new run at zero: only bursts count, which is what "10 starts each within 60 s" says.
 */
export class RestartLimiter {
  private quickStarts = 0;
  private limited = false;
  private lastStartAt?: number;

  constructor(readonly limits: RestartLimits = DEFAULT_RESTART_LIMITS) {}

  /** Records a start at `now` (call it for every start, automatic or not). */
  record(now: number): void {
    const last = this.lastStartAt;
    if (last !== undefined) {
      const gap = now - last;
      if (this.limited) {
        if (gap > this.limits.punishMs * 1.5) {
          this.limited = false;
          this.quickStarts = 0;
        }
      } else if (gap < this.limits.intervalMs) {
        this.quickStarts++;
      } else {
        this.quickStarts = 0;
      }
      if (this.quickStarts > this.limits.maxCount) this.limited = true;
    }
    this.lastStartAt = now;
  }

  /** Whether an automatic start at `now` must wait. */
  blocked(now: number): boolean {
    return this.limited && this.lastStartAt !== undefined && now - this.lastStartAt < this.limits.punishMs;
  }

  /** The state at `now`, for status output and tests. */
  snapshot(now: number): RestartLimiterSnapshot {
    return Object.freeze({
      quickStarts: this.quickStarts, limited: this.limited,
      ...(this.lastStartAt !== undefined ? {lastStartAt: this.lastStartAt} : {}),
      ...(this.blocked(now) ? {blockedUntil: this.lastStartAt! + this.limits.punishMs} : {}),
    });
  }
}
