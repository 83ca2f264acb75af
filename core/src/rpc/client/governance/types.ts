import type {Endpoint} from '../../../protocol/endpoint.js';

export {type BlockingPolicy, DEFAULT_BLOCKING} from '../../../config/blocking-policy.js';

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



/** The answer of every picker built over no endpoints; shared so that an empty pick allocates nothing. */
export const NO_ENDPOINTS: PickResult = Object.freeze({kind: 'none', reason: 'no endpoints to pick from'});

/**
 * One frozen `{kind: 'ok'}` result per endpoint. Pickers build these once per snapshot so that `pick()` returns a
 * prebuilt object instead of allocating one per call.
 */
export function okResults(endpoints: readonly Endpoint[]): readonly PickResult[] {
  return Object.freeze(endpoints.map((endpoint) => Object.freeze({kind: 'ok' as const, endpoint})));
}
