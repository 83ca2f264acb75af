import {TarsError} from '../../../errors/tars-error.js';
import type {Endpoint} from '../../../protocol/endpoint.js';
import {consistentHashBalancer} from './lb-consistent-hash.js';
import {moduloHashBalancer} from './lb-hash.js';
import {roundRobinBalancer} from './lb-round-robin.js';
import {isStaticallyWeighted, weightedBalancer} from './lb-weighted.js';
import type {LoadBalancer} from './types.js';

/** Names of the built-in strategies. */
export type BuiltinBalancerName = 'round-robin' | 'weighted' | 'hash' | 'consistent-hash';

const registry = new Map<string, LoadBalancer>();

/**
 * Registers (or replaces) a strategy under `lb.name`, making it available to {@link loadBalancer} and to the
 * `balancer` option of the endpoint manager. Registration is explicit: strategy modules never register themselves
 * on import, so what is available never depends on which files happened to be loaded.
 */
export function registerLoadBalancer(lb: LoadBalancer): void {
  registry.set(lb.name, lb);
}

/** Names of every registered strategy, sorted. */
export function loadBalancerNames(): string[] {
  return [...registry.keys()].sort();
}

/** The strategy registered under `name`; throws TarsError CONFIG_INVALID naming the known ones when there is none. */
export function loadBalancer(name: string): LoadBalancer {
  const lb = registry.get(name);
  if (lb) return lb;
  const known = loadBalancerNames();
  throw new TarsError('CONFIG_INVALID', `unknown load balancer "${name}"; known: ${known.join(', ')}`,
    {balancer: name, known});
}

/**
 * The strategy TarsCpp uses by default for an endpoint list: `weighted` when every endpoint is statically weighted
 * (weight type 1, or 2, which clients treat like 1), else `round-robin` (also for an empty or mixed list).
 */
export function defaultBalancerFor(endpoints: readonly Endpoint[]): BuiltinBalancerName {
  return endpoints.length > 0 && endpoints.every(isStaticallyWeighted) ? 'weighted' : 'round-robin';
}

// The built-ins, wired here and only here.
registerLoadBalancer(roundRobinBalancer);
registerLoadBalancer(weightedBalancer);
registerLoadBalancer(moduloHashBalancer);
registerLoadBalancer(consistentHashBalancer);
