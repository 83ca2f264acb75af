import type {Endpoint} from '../../../protocol/endpoint.js';
import {type LoadBalancer, NO_ENDPOINTS, type PickResult, type Picker, okResults} from './types.js';

/**
 * Round robin over a fixed endpoint list. The list and the prebuilt results are immutable; the cursor is the only
 * state, and it belongs to this picker alone, so a new snapshot starts a new rotation without touching the old one.
 */
export class RoundRobinPicker implements Picker {
  private readonly results: readonly PickResult[];
  private cursor: number;

  /** `start` is the index of the first endpoint handed out (taken modulo the list length). */
  constructor(endpoints: readonly Endpoint[], start = 0) {
    this.results = okResults(endpoints);
    const n = this.results.length;
    this.cursor = n === 0 ? 0 : ((Math.trunc(start) % n) + n) % n;
  }

  /** The next endpoint in rotation, ignoring `hash`; `{kind: 'none'}` when the list is empty. */
  pick(_hash?: number): PickResult {
    const n = this.results.length;
    if (n === 0) return NO_ENDPOINTS;
    const result = this.results[this.cursor];
    this.cursor = this.cursor + 1 === n ? 0 : this.cursor + 1;
    return result;
  }
}

/**
 * The `round-robin` strategy (the default unless every endpoint is statically weighted). Each picker starts at a
 * random index: snapshots are rebuilt whenever an endpoint is blocked or restored, and always starting at index 0
 * would send the first call after every rebuild (and of every client process) to the same endpoint.
 */
export const roundRobinBalancer: LoadBalancer = Object.freeze({
  name: 'round-robin',
  build(endpoints: readonly Endpoint[]): Picker {
    return new RoundRobinPicker(endpoints, Math.floor(Math.random() * Math.max(1, endpoints.length)));
  },
});
