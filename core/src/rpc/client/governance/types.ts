import type {Endpoint} from '../../../protocol/endpoint.js';

/**
 * Client-side governance (framework.md section 5): load balancing over the usable endpoints of one object, and
 * per-endpoint health (blocking of failing endpoints, periodic re-probe). The hot path only calls
 * {@link Picker.pick}; everything mutable lives in the {@link EndpointManager}, which publishes a new immutable
 * picker snapshot whenever membership or health changes (design.md style rule 3).
 */

/** The outcome of a pick: a tagged result, never null and never a throw. */
export type PickResult =
  | {readonly kind: 'ok'; readonly endpoint: Endpoint; readonly probe?: boolean; readonly forced?: boolean}
  | {readonly kind: 'none'; readonly reason: string};

/** One immutable snapshot: picks among the endpoints it was built from. */
export interface Picker {
  /** `hash` is the per-call hash code (normalized to a non-negative 31-bit integer), when the call has one. */
  pick(hash?: number): PickResult;
}

/** A load-balancing strategy: builds a picker over a list of (active, unblocked) endpoints. */
export interface LoadBalancer {
  readonly name: string;
  /**
   * Builds an immutable picker. `endpoints` are the usable (unblocked) ones; `all`, when given, is the full
   * membership including blocked endpoints. Only strategies whose choice must stay stable across failures use it
   * (modulo hash picks from the full list first, as TarsCpp does); the others ignore it. Never throws: an empty
   * list gives a picker that answers `{kind: 'none'}`.
   */
  build(endpoints: readonly Endpoint[], all?: readonly Endpoint[]): Picker;
}

/** How a call through an endpoint ended, as far as endpoint health is concerned. */
export type CallOutcome = 'success' | 'timeout' | 'connect-failure' | 'failure';

/** A clock, injectable so that tests drive time. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = {now: () => Date.now()};

/** Blocking rules (TarsGo defaults, framework.md 5.1); every knob is configurable. */
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
