/** Client endpoint blocking rules (TarsGo defaults, framework.md 5.1); every knob is configurable. */
export interface BlockingPolicy {
  /** Window over which the failure ratio is computed, ms (TarsGo checkTime: 60000). */
  checkWindowMs: number;
  /** Minimum failures in the window before the ratio rule applies (overN: 2). */
  minFailuresInWindow: number;
  /** Failure ratio in the window that blocks, 0..1 (failRatio: 0.5). */
  failRatio: number;
  /** Consecutive failures that block (failN: 5) ... */
  consecutiveFailures: number;
  /** ... once they have lasted at least this long since the last success, ms (failInterval: 5000). */
  consecutiveFailureMs: number;
  /** How long a blocked endpoint waits before one probe call is let through, ms (tryTimeInterval: 30000). */
  retryIntervalMs: number;
  /** Minimum calls in the window for the ratio rule (the "minimum number of calls"; default 2). */
  minCallsInWindow: number;
}

export const DEFAULT_BLOCKING: BlockingPolicy = {
  checkWindowMs: 60000,
  minFailuresInWindow: 2,
  failRatio: 0.5,
  consecutiveFailures: 5,
  consecutiveFailureMs: 5000,
  retryIntervalMs: 30000,
  minCallsInWindow: 2,
};
