import type {Endpoint} from '../../../protocol/endpoint.js';
import {type LoadBalancer, NO_ENDPOINTS, type PickResult, type Picker, okResults} from './types.js';

/** Largest static weight; larger ones are clamped to it, as the endpoint parser and TarsCpp/TarsGo do. */
export const MAX_STATIC_WEIGHT = 100;

/**
 * Whether an endpoint's weight type asks for static weighting: 1 (static) or 2 (dynamic weight, which the registry
 * rewrites from stat data; clients treat it like static, framework.md 5.2).
 */
export function isStaticallyWeighted(e: Endpoint): boolean {
  return e.weightType === 1 || e.weightType === 2;
}

/**
 * The weight an endpoint gets in a weighted strategy, in 0..{@link MAX_STATIC_WEIGHT}: an unset weight (-1) counts
 * as the maximum (the parser does the same when a weight type is set), other negatives as 0, and anything above the
 * maximum as the maximum, so that one absurd `-w` cannot make a cycle arbitrarily long or starve the rest.
 */
export function effectiveWeight(e: Endpoint): number {
  if (e.weight === -1) return MAX_STATIC_WEIGHT;
  if (!(e.weight > 0)) return 0;
  return Math.min(MAX_STATIC_WEIGHT, Math.floor(e.weight));
}

/**
 * Effective weights of a list, with the "all zero" case resolved: when no endpoint has a positive weight every one
 * gets weight 1 (they share the traffic evenly) rather than none getting any, since some endpoint must answer.
 */
export function effectiveWeights(endpoints: readonly Endpoint[]): number[] {
  const weights = endpoints.map(effectiveWeight);
  return weights.some((w) => w > 0) ? weights : weights.map(() => 1);
}

/**
 * Smooth weighted round robin (the nginx algorithm). Each pick adds every endpoint's weight to its running score,
 * takes the highest score and subtracts the total from it. Over one cycle of `sum(weights)` picks every endpoint is
 * chosen exactly `weight` times, and heavy endpoints are spread through the cycle instead of served in a burst
 * (weights 5,1,1 give a a b a c a a). The algorithm is scale invariant, so it needs none of TarsGo's rescaling to
 * 10..100 buckets to keep ratios, and it keeps exact proportions where integer rescaling would round them (3:2 would
 * become 10:6). Endpoints of weight 0 get no traffic unless every weight is 0.
 */
export class WeightedPicker implements Picker {
  private readonly results: readonly PickResult[];
  private readonly weights: Int32Array;
  private readonly scores: Int32Array;
  private readonly total: number;

  constructor(endpoints: readonly Endpoint[]) {
    const weights = effectiveWeights(endpoints);
    const kept = endpoints.filter((_, i) => weights[i] > 0);
    this.results = okResults(kept);
    this.weights = Int32Array.from(weights.filter((w) => w > 0));
    this.scores = new Int32Array(kept.length);
    this.total = this.weights.reduce((a, b) => a + b, 0);
  }

  /** The next endpoint of the weighted cycle, ignoring `hash`; `{kind: 'none'}` when the list is empty. */
  pick(_hash?: number): PickResult {
    const n = this.results.length;
    if (n === 0) return NO_ENDPOINTS;
    let best = 0;
    for (let i = 0; i < n; i++) {
      this.scores[i] += this.weights[i];
      if (this.scores[i] > this.scores[best]) best = i;
    }
    this.scores[best] -= this.total;
    return this.results[best];
  }
}

/** The `weighted` strategy (static weight, `-w`); the default when every endpoint has weight type 1. */
export const weightedBalancer: LoadBalancer = Object.freeze({
  name: 'weighted',
  build(endpoints: readonly Endpoint[]): Picker {
    return new WeightedPicker(endpoints);
  },
});
