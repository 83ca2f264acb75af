// Time as the supervisor sees it. Everything that waits or compares times goes through a Clock so the check loop,
// the flap limit and the stop sequence are tested with a fake clock instead of real minutes.

/** A source of time and of waiting, in milliseconds. */
export interface Clock {
  /** Milliseconds since some fixed origin (the real clock: the epoch). Never decreases within one clock. */
  now(): number;
  /** Resolves after `ms` of this clock's time. */
  sleep(ms: number): Promise<void>;
}

/** The real clock: `Date.now()` and `setTimeout`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};
