import {TarsError} from '../../../errors/tars-error.js';
import {type BlockingPolicy, type CallOutcome, type Clock, DEFAULT_BLOCKING, systemClock} from './types.js';

/**
 * Where an endpoint stands: `active` (picked normally), `blocked` (skipped until its retry interval has passed) or
 * `probing` (one call let through to see whether it recovered; still skipped by normal picks).
 */
export type HealthState = 'active' | 'blocked' | 'probing';

/** Why a transition happened. */
export type TransitionReason =
  /** active -> blocked: too many failures in a row, for long enough. */
  | 'consecutive-failures'
  /** active -> blocked: too high a failure ratio over the window that just ended. */
  | 'failure-ratio'
  /** active -> blocked: the connection could not be established. */
  | 'connect-failure'
  /** blocked -> probing: the retry interval has passed and one call is let through. */
  | 'probe'
  /** blocked -> probing: every endpoint is unusable, so this one gets a call anyway (which then acts as a probe). */
  | 'forced'
  /** probing -> active. */
  | 'probe-succeeded'
  /** probing -> blocked: the probe failed; wait another retry interval. */
  | 'probe-failed'
  /** probing -> blocked: no outcome was reported for the probe within a retry interval (a lost report). */
  | 'probe-lost';

/** One state change, as recorded in {@link EndpointHealth.transitions} and passed to `onChange`. */
export interface HealthTransition {
  readonly from: HealthState;
  readonly to: HealthState;
  /** The injected clock's time when it happened (the time of the report or pick that caused it). */
  readonly at: number;
  readonly reason: TransitionReason;
}

/** Options of {@link EndpointHealth}. */
export interface EndpointHealthOptions {
  /** Blocking knobs; missing ones come from {@link DEFAULT_BLOCKING} (TarsGo's values). */
  policy?: Partial<BlockingPolicy>;
  clock?: Clock;
  /** Called synchronously after every transition. */
  onChange?: (transition: HealthTransition) => void;
  /** How many transitions {@link EndpointHealth.transitions} keeps (oldest dropped first); 64 by default. */
  historyLimit?: number;
}

/**
 * A complete policy from a partial one; throws TarsError CONFIG_INVALID for a knob that is not a finite
 * non-negative number or a failure ratio outside 0..1, so that a typo in a config file fails at startup rather
 * than silently disabling blocking.
 */
export function resolveBlockingPolicy(policy: Partial<BlockingPolicy> = {}): Readonly<BlockingPolicy> {
  const resolved: BlockingPolicy = {...DEFAULT_BLOCKING};
  for (const key of Object.keys(DEFAULT_BLOCKING) as (keyof BlockingPolicy)[]) {
    const value = policy[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (key === 'failRatio' && value > 1)) {
      throw new TarsError('CONFIG_INVALID', `blocking policy ${key} must be ${key === 'failRatio'
        ? 'a ratio between 0 and 1' : 'a non-negative number'}, got ${String(value)}`, {key, value});
    }
    resolved[key] = value;
  }
  return Object.freeze(resolved);
}

/**
 * The blocking state machine of one endpoint (framework.md 5.1, TarsGo semantics), driven by reported call
 * outcomes and an injected clock; it has no timers, so every rule is evaluated when something is reported or
 * asked.
 *
 * - `timeout` and `failure` are failures, `success` ends a run of failures.
 * - Consecutive rule: block once the run reaches `consecutiveFailures` and at least `consecutiveFailureMs` have
 *   passed since the last success (since the run's first failure when there never was a success).
 * - Ratio rule: when a window of `checkWindowMs` has ended (checked on the first report after its end, or by
 *   {@link evaluate}), block if it saw at least `minFailuresInWindow` failures and `minCallsInWindow` calls and
 *   `failures / calls >= failRatio`; the window then restarts either way.
 * - `connect-failure` blocks at once.
 * - A blocked endpoint becomes due for one probe `retryIntervalMs` after it was blocked; the next outcome reported
 *   while probing decides: success restores it with fresh counters, anything else blocks it for another interval.
 * - Outcomes reported while blocked (calls that were in flight when it was blocked) are ignored.
 */
export class EndpointHealth {
  /** The effective knobs. */
  readonly policy: Readonly<BlockingPolicy>;
  private readonly clock: Clock;
  private readonly onChange: ((transition: HealthTransition) => void) | undefined;
  private readonly historyLimit: number;
  private readonly history: HealthTransition[] = [];
  private current: HealthState = 'active';
  private consecutive = 0;
  private runStart = 0;
  private lastSuccess: number | undefined;
  private windowStart: number;
  private calls = 0;
  private failures = 0;
  private retryAt = 0;
  private probeStart = 0;
  private outSince: {at: number; reason: TransitionReason} | undefined;

  constructor(options: EndpointHealthOptions = {}) {
    this.policy = resolveBlockingPolicy(options.policy);
    this.clock = options.clock ?? systemClock;
    this.onChange = options.onChange;
    this.historyLimit = Math.max(0, options.historyLimit ?? 64);
    this.windowStart = this.clock.now();
  }

  /** The current state. */
  get state(): HealthState {
    return this.current;
  }

  /** Whether normal picks may choose this endpoint (state `active`). */
  get usable(): boolean {
    return this.current === 'active';
  }

  /** Failures since the last success (frozen while blocked, so status output shows what blocked it). */
  get consecutiveFailures(): number {
    return this.consecutive;
  }

  /** Calls reported in the current window. */
  get windowCalls(): number {
    return this.calls;
  }

  /** Failures reported in the current window. */
  get windowFailures(): number {
    return this.failures;
  }

  /** When the current window started. */
  get windowStartedAt(): number {
    return this.windowStart;
  }

  /** Time of the last reported success, if any. */
  get lastSuccessAt(): number | undefined {
    return this.lastSuccess;
  }

  /**
   * While blocked, when a probe becomes due; while probing, when the probe counts as lost; undefined while active.
   */
  get blockedUntil(): number | undefined {
    return this.current === 'active' ? undefined : this.nextProbeAt();
  }

  /**
   * While not active: when it last left the active state and why (blocks and failed probes since then do not move
   * it); undefined while active. What `tars.viewproxy` and `tars route --from` show as "blocked since".
   */
  get unusableSince(): {readonly at: number; readonly reason: TransitionReason} | undefined {
    return this.outSince;
  }

  /** The most recent transitions, oldest first (at most `historyLimit`). */
  get transitions(): readonly HealthTransition[] {
    return this.history;
  }

  /** When this endpoint next needs attention from the picker: a due probe or a lost one; Infinity while active. */
  nextProbeAt(): number {
    if (this.current === 'blocked') return this.retryAt;
    if (this.current === 'probing') return this.probeStart + this.policy.retryIntervalMs;
    return Infinity;
  }

  /** Whether a probe call should be handed out now (blocked past its retry time, or a probe that was lost). */
  probeDue(now: number = this.clock.now()): boolean {
    return this.current !== 'active' && now >= this.nextProbeAt();
  }

  /**
   * Marks that a call is being sent to this (unusable) endpoint, so that its outcome decides the state: `probe` for
   * a due probe, `forced` when every endpoint is unusable and this one is used anyway. A probe that is still in
   * flight is left alone (a forced call then simply shares it), unless it was lost, in which case it is replaced.
   * Does nothing while active.
   */
  beginProbe(reason: 'probe' | 'forced' = 'probe'): void {
    const now = this.clock.now();
    if (this.current === 'active') return;
    if (this.current === 'probing') {
      if (now < this.probeStart + this.policy.retryIntervalMs) return;
      this.block('probe-lost', now);
    }
    this.probeStart = now;
    this.move('probing', reason, now);
  }

  /**
   * Records the outcome of one call through this endpoint. Returns whether {@link usable} changed, which is when
   * the owner must publish a new picker snapshot.
   */
  report(outcome: CallOutcome): boolean {
    const now = this.clock.now();
    switch (this.current) {
      case 'blocked':
        return false;
      case 'probing':
        if (outcome === 'success') {
          this.resetCounters(now);
          this.lastSuccess = now;
          this.move('active', 'probe-succeeded', now);
          return true;
        }
        this.block('probe-failed', now);
        return false;
      case 'active':
        break;
    }
    if (this.closeExpiredWindow(now)) return true;
    this.calls++;
    if (outcome === 'success') {
      this.consecutive = 0;
      this.lastSuccess = now;
      return false;
    }
    this.failures++;
    if (this.consecutive++ === 0) this.runStart = now;
    if (outcome === 'connect-failure') {
      this.block('connect-failure', now);
      return true;
    }
    const p = this.policy;
    if (this.consecutive >= p.consecutiveFailures && now - (this.lastSuccess ?? this.runStart) >= p.consecutiveFailureMs) {
      this.block('consecutive-failures', now);
      return true;
    }
    return false;
  }

  /**
   * Applies the ratio rule if the window has ended without a report since (a periodic check, like TarsGo's ticker,
   * may call this). Returns whether {@link usable} changed.
   */
  evaluate(): boolean {
    return this.current === 'active' && this.closeExpiredWindow(this.clock.now());
  }

  private closeExpiredWindow(now: number): boolean {
    const p = this.policy;
    if (now - this.windowStart < p.checkWindowMs) return false;
    const trip = this.calls > 0 && this.failures >= p.minFailuresInWindow && this.calls >= p.minCallsInWindow &&
      this.failures / this.calls >= p.failRatio;
    if (trip) {
      this.block('failure-ratio', now);
      return true;
    }
    this.windowStart = now;
    this.calls = 0;
    this.failures = 0;
    return false;
  }

  private resetCounters(now: number): void {
    this.consecutive = 0;
    this.windowStart = now;
    this.calls = 0;
    this.failures = 0;
  }

  private block(reason: TransitionReason, now: number): void {
    this.retryAt = now + this.policy.retryIntervalMs;
    this.move('blocked', reason, now);
  }

  private move(to: HealthState, reason: TransitionReason, at: number): void {
    const transition: HealthTransition = Object.freeze({from: this.current, to, at, reason});
    if (to === 'active') this.outSince = undefined;
    else if (this.current === 'active') this.outSince = Object.freeze({at, reason});
    this.current = to;
    if (this.historyLimit > 0) {
      if (this.history.length === this.historyLimit) this.history.shift();
      this.history.push(transition);
    }
    this.onChange?.(transition);
  }
}
