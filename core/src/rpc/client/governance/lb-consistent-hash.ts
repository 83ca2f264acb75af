import type {Endpoint} from '../../../protocol/endpoint.js';
import {sortedByKey} from './lb-hash.js';
import {effectiveWeight, isStaticallyWeighted, MAX_STATIC_WEIGHT} from './lb-weighted.js';
import {type LoadBalancer, NO_ENDPOINTS, type PickResult, type Picker, okResults} from './types.js';

/** Virtual nodes per endpoint of full weight: enough that each endpoint's share stays within a few percent. */
export const VIRTUAL_NODES = 160;

const utf8 = new TextEncoder();

/** MurmurHash3's 32-bit finaliser: spreads nearby integers (sequential hash codes) over the whole ring. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** MurmurHash3 x86 32-bit of the UTF-8 bytes of `text`, as an unsigned integer. */
export function murmur3(text: string, seed = 0): number {
  const bytes = utf8.encode(text);
  return murmur3Bytes(bytes, bytes.length, seed);
}

/** MurmurHash3 x86 32-bit of the first `length` bytes of `bytes`, as an unsigned integer. */
export function murmur3Bytes(bytes: Uint8Array, length: number = bytes.length, seed = 0): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const blocks = length & ~3;
  let h = seed >>> 0;
  for (let i = 0; i < blocks; i += 4) {
    let k = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = length & 3;
  if (tail > 0) {
    let k = bytes[blocks];
    if (tail > 1) k |= bytes[blocks + 1] << 8;
    if (tail > 2) k |= bytes[blocks + 2] << 16;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  return fmix32(h ^ length);
}

/**
 * Ring points of one endpoint: murmur3 of `host:port#i` for i in 0..count-1. The prefix is encoded once and the
 * decimal index written in place, which is what keeps building a ring of many endpoints cheap.
 */
function virtualNodePoints(e: Endpoint, count: number, out: (point: number) => void): void {
  const prefix = utf8.encode(`${e.host}:${e.port}#`);
  const buf = new Uint8Array(prefix.length + 16);
  buf.set(prefix);
  for (let i = 0; i < count; i++) {
    let len = prefix.length;
    const digits = String(i);
    for (let d = 0; d < digits.length; d++) buf[len++] = digits.charCodeAt(d);
    out(murmur3Bytes(buf, len));
  }
}

/** Room for the owner index below the 32-bit ring point inside one exactly representable double. */
const OWNER_BITS = 2 ** 20;

/**
 * Consistent hash over a ring of virtual nodes keyed `host:port#i`. Each endpoint owns the arcs ending at its
 * points, so removing one of N endpoints moves only the keys it owned (about 1/N) and adding one takes about
 * 1/(N+1), all from the others. When every endpoint is statically weighted, an endpoint gets
 * `VIRTUAL_NODES * weight / 100` points (at least one; none for weight 0 unless all are 0). The ring is built once
 * per snapshot; a pick is a binary search. The call's hash code is mixed before the lookup because codes are often
 * small sequential integers, which would otherwise all fall in the first arc.
 */
export class ConsistentHashPicker implements Picker {
  private readonly results: readonly PickResult[];
  private readonly points: Uint32Array;
  private readonly owners: Uint32Array;
  private cursor = 0;

  constructor(endpoints: readonly Endpoint[]) {
    // Sorted so that ties between equal points resolve the same way whatever order the endpoints came in.
    let sorted = sortedByKey(endpoints);
    const weighted = sorted.length > 0 && sorted.every(isStaticallyWeighted) && sorted.some((e) => effectiveWeight(e) > 0);
    // Weight 0 means no traffic at all, also for calls without a hash code, so such endpoints are left out entirely.
    if (weighted) sorted = sorted.filter((e) => effectiveWeight(e) > 0);
    const counts = sorted.map((e) => weighted
      ? Math.max(1, Math.round((VIRTUAL_NODES * effectiveWeight(e)) / MAX_STATIC_WEIGHT))
      : VIRTUAL_NODES);
    this.results = okResults(sorted);
    // Pack point and owner into one double so a plain numeric sort orders the ring (point first, then owner).
    const packed = new Float64Array(counts.reduce((a, b) => a + b, 0));
    let n = 0;
    sorted.forEach((e, owner) => virtualNodePoints(e, counts[owner], (point) => {
      packed[n++] = point * OWNER_BITS + owner;
    }));
    packed.sort();
    this.points = new Uint32Array(packed.length);
    this.owners = new Uint32Array(packed.length);
    for (let i = 0; i < packed.length; i++) {
      this.points[i] = Math.floor(packed[i] / OWNER_BITS);
      this.owners[i] = packed[i] % OWNER_BITS;
    }
  }

  /** Number of points on the ring (for tests and status output). */
  get ringSize(): number {
    return this.points.length;
  }

  /**
   * With a hash code (taken as an unsigned 32-bit integer), the owner of the first ring point at or after its mixed
   * value, wrapping around; without one, the next endpoint in rotation. `{kind: 'none'}` for an empty ring.
   */
  pick(hash?: number): PickResult {
    const size = this.points.length;
    if (size === 0) return NO_ENDPOINTS;
    if (hash === undefined) {
      const result = this.results[this.cursor];
      this.cursor = this.cursor + 1 === this.results.length ? 0 : this.cursor + 1;
      return result;
    }
    const h = fmix32(hash >>> 0);
    let lo = 0;
    let hi = size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.points[mid] < h) lo = mid + 1;
      else hi = mid;
    }
    return this.results[this.owners[lo === size ? 0 : lo]];
  }
}

/** The `consistent-hash` strategy. The ring holds only the usable endpoints: the ring itself limits the remapping. */
export const consistentHashBalancer: LoadBalancer = Object.freeze({
  name: 'consistent-hash',
  build(endpoints: readonly Endpoint[]): Picker {
    return new ConsistentHashPicker(endpoints);
  },
});
