import {type Endpoint, endpointKey} from '../../../protocol/endpoint.js';
import {type LoadBalancer, NO_ENDPOINTS, type PickResult, type Picker, okResults} from './types.js';

/**
 * Endpoints sorted by {@link endpointKey}, duplicates (same key) dropped. Hash strategies sort so that a hash code
 * lands on the same endpoint in every client whatever order the registry listed the endpoints in.
 */
export function sortedByKey(endpoints: readonly Endpoint[]): Endpoint[] {
  const byKey = new Map<string, Endpoint>();
  for (const e of endpoints) {
    const key = endpointKey(e);
    if (!byKey.has(key)) byKey.set(key, e);
  }
  return [...byKey.keys()].sort().map((key) => byKey.get(key)!);
}

/**
 * Modulo hash (TarsCpp `tars_hash`, TarsGo ModHash): `hash % N` over the full membership sorted by key, so that a
 * code keeps its endpoint while other endpoints fail and recover; only when that endpoint is itself blocked is the
 * code re-hashed, `hash % M`, over the M usable endpoints. A pick without a hash code rotates over the usable ones.
 */
export class ModuloHashPicker implements Picker {
  private readonly all: readonly PickResult[];
  /** `usable[i]`: whether `all[i]` is among the usable endpoints; precomputed so pick() does no lookups. */
  private readonly usable: readonly boolean[];
  private readonly active: readonly PickResult[];
  private cursor = 0;

  /** `active` are the usable endpoints; `all` the full membership (defaults to `active`). */
  constructor(active: readonly Endpoint[], all: readonly Endpoint[] = active) {
    const activeSorted = sortedByKey(active);
    const activeKeys = new Set(activeSorted.map(endpointKey));
    // An active endpoint missing from `all` would be unreachable by the first hash; count it as a member.
    const allSorted = sortedByKey([...all, ...activeSorted]);
    this.active = okResults(activeSorted);
    this.all = okResults(allSorted);
    this.usable = Object.freeze(allSorted.map((e) => activeKeys.has(endpointKey(e))));
  }

  /**
   * With a hash code (any number; it is taken as an unsigned 32-bit integer), the endpoint it maps to; without one,
   * the next usable endpoint in rotation. `{kind: 'none'}` when no endpoint is usable.
   */
  pick(hash?: number): PickResult {
    const m = this.active.length;
    if (m === 0) return NO_ENDPOINTS;
    if (hash === undefined) {
      const result = this.active[this.cursor];
      this.cursor = this.cursor + 1 === m ? 0 : this.cursor + 1;
      return result;
    }
    const code = hash >>> 0;
    const first = code % this.all.length;
    return this.usable[first] ? this.all[first] : this.active[code % m];
  }
}

/** The `hash` strategy: modulo hash; give it the full membership as `all` to get TarsCpp's stable first choice. */
export const moduloHashBalancer: LoadBalancer = Object.freeze({
  name: 'hash',
  build(endpoints: readonly Endpoint[], all?: readonly Endpoint[]): Picker {
    return new ModuloHashPicker(endpoints, all);
  },
});
