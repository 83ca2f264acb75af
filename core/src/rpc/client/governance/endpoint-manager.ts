import {type Endpoint, endpointKey} from '../../../protocol/endpoint.js';
import {
  EndpointHealth, type HealthState, type HealthTransition, resolveBlockingPolicy,
} from './endpoint-health.js';
import {defaultBalancerFor, loadBalancer} from './load-balancers.js';
import {
  type BlockingPolicy, type CallOutcome, type Clock, type LoadBalancer, type PickResult, type Picker, systemClock,
} from './types.js';

/** How a call's hash code is mapped to an endpoint: modulo (TarsCpp `tars_hash`) or a consistent-hash ring. */
export type HashType = 'modulo' | 'consistent';

/** Per-call routing input of {@link EndpointManager.pick}. */
export interface PickOptions {
  /** The call's hash code; without it the manager's balancer decides. */
  hash?: number;
  /** How `hash` is used; `modulo` by default. */
  hashType?: HashType;
}

/** Options of {@link EndpointManager}. */
export interface EndpointManagerOptions {
  /** Blocking knobs; missing ones are TarsGo's defaults. */
  policy?: Partial<BlockingPolicy>;
  clock?: Clock;
  /**
   * Name of a registered strategy for calls without a hash code. Without it the manager follows TarsCpp's rule and
   * re-chooses on every membership change: `weighted` when every endpoint is statically weighted, else round robin.
   */
  balancer?: string;
  /** Called after every health transition of any endpoint (for logs and metrics). */
  onTransition?: (endpoint: Endpoint, transition: HealthTransition) => void;
  /** Called after every snapshot is published (membership change, or an endpoint blocked or restored). */
  onSnapshot?: (snapshot: EndpointSnapshot) => void;
}

/** What a published snapshot shows: immutable lists, and a version that counts publications. */
export interface EndpointSnapshot {
  /** 1 for the first snapshot, one more for each rebuild. */
  readonly version: number;
  /** Name of the strategy used for calls without a hash code. */
  readonly balancer: string;
  /** Every endpoint, in membership order. */
  readonly all: readonly Endpoint[];
  /** The endpoints normal picks choose among (state `active`). */
  readonly active: readonly Endpoint[];
}

/** One endpoint's line in {@link EndpointManager.health}, plain data for `tars.viewstatus`-like output. */
export interface EndpointHealthSummary {
  key: string;
  endpoint: Endpoint;
  state: HealthState;
  consecutiveFailures: number;
  windowCalls: number;
  windowFailures: number;
  /** While blocked: when a probe becomes due; while probing: when the probe counts as lost. */
  blockedUntil?: number;
  lastSuccessAt?: number;
  /** While not active: when it left the active state (ms since the epoch, by the manager's clock) and why. */
  unusableSince?: number;
  reason?: string;
}

const NO_MEMBERS: PickResult = Object.freeze({kind: 'none', reason: 'the object has no endpoints'});

/** Mutable bookkeeping of one member; survives membership changes as long as the endpoint's key stays. */
interface Entry {
  readonly key: string;
  readonly health: EndpointHealth;
  endpoint: Endpoint;
  probeResult: PickResult;
  forcedResult: PickResult;
  live: boolean;
}

/** A published snapshot. Its pickers are built on first use, so a snapshot never asked for a hash pick builds no ring. */
class Snapshot implements EndpointSnapshot {
  private plain: Picker | undefined;
  private modulo: Picker | undefined;
  private ring: Picker | undefined;

  constructor(readonly version: number, private readonly lb: LoadBalancer, readonly all: readonly Endpoint[],
    readonly active: readonly Endpoint[]) {}

  get balancer(): string {
    return this.lb.name;
  }

  picker(hashed: boolean, hashType: HashType | undefined): Picker {
    if (!hashed) return this.plain ??= this.lb.build(this.active, this.all);
    if (hashType === 'consistent') return this.ring ??= loadBalancer('consistent-hash').build(this.active, this.all);
    return this.modulo ??= loadBalancer('hash').build(this.active, this.all);
  }
}

/**
 * Owns the endpoints of one object: their membership, each one's {@link EndpointHealth}, and the current immutable
 * picker snapshot (design.md style rule 3). Callers pick, make the call, then report its outcome; a snapshot is
 * rebuilt only when membership changes or an endpoint turns usable or unusable, so a pick on the steady path does
 * no allocation and no scan beyond the strategy's own.
 */
export class EndpointManager {
  private readonly policy: Readonly<BlockingPolicy>;
  private readonly clock: Clock;
  private readonly fixedBalancer: LoadBalancer | undefined;
  private readonly onTransition: EndpointManagerOptions['onTransition'];
  private readonly onSnapshot: EndpointManagerOptions['onSnapshot'];
  private entries: Entry[] = [];
  private byKey = new Map<string, Entry>();
  /** Reports usually pass back the very object pick returned; this finds its entry without building a key. */
  private readonly byObject = new WeakMap<Endpoint, Entry>();
  private current: Snapshot;
  private forcedCursor = 0;
  /** Earliest time any entry may need a probe; Infinity when all are active, so pick() skips the clock. */
  private nextProbeAt = Infinity;

  /** Throws TarsError CONFIG_INVALID for an unknown balancer name or a bad policy knob. */
  constructor(options: EndpointManagerOptions = {}) {
    this.policy = resolveBlockingPolicy(options.policy);
    this.clock = options.clock ?? systemClock;
    this.fixedBalancer = options.balancer === undefined ? undefined : loadBalancer(options.balancer);
    this.onTransition = options.onTransition;
    this.onSnapshot = options.onSnapshot;
    this.current = new Snapshot(0, this.fixedBalancer ?? loadBalancer(defaultBalancerFor([])), [], []);
  }

  /** The current snapshot. */
  get snapshot(): EndpointSnapshot {
    return this.current;
  }

  /** Every member endpoint, in membership order. */
  get endpoints(): readonly Endpoint[] {
    return this.current.all;
  }

  /**
   * Replaces the membership. Endpoints whose key ({@link endpointKey}) was already a member keep their health (and
   * take the new object, e.g. a changed weight); others start active; members not in `list` are dropped and later
   * reports about them are ignored. Duplicate keys keep the first. Always publishes a new snapshot.
   */
  setEndpoints(list: readonly Endpoint[]): void {
    const byKey = new Map<string, Entry>();
    const entries: Entry[] = [];
    for (const endpoint of list) {
      const key = endpointKey(endpoint);
      if (byKey.has(key)) continue;
      let entry = this.byKey.get(key);
      if (entry) {
        entry.endpoint = endpoint;
        entry.probeResult = Object.freeze({kind: 'ok', endpoint, probe: true});
        entry.forcedResult = Object.freeze({kind: 'ok', endpoint, forced: true});
      } else {
        entry = this.newEntry(key, endpoint);
      }
      byKey.set(key, entry);
      entries.push(entry);
      this.byObject.set(endpoint, entry);
    }
    for (const [key, entry] of this.byKey) if (!byKey.has(key)) entry.live = false;
    this.byKey = byKey;
    this.entries = entries;
    this.forcedCursor = 0;
    this.recomputeNextProbe();
    this.publish();
  }

  /**
   * Chooses the endpoint for one call; never throws.
   *
   * 1. No members: `{kind: 'none'}`.
   * 2. A blocked endpoint whose retry interval has passed: returned once with `probe: true` (one probe in flight
   *    per endpoint); report its outcome like any other call.
   * 3. Every member unusable: one of them anyway, rotating, with `forced: true`; its outcome decides its state as a
   *    probe's would, so the first success brings traffic back to normal.
   * 4. Otherwise, among the usable endpoints: with `hash`, modulo hash (default; stable over the full membership)
   *    or consistent hash; without, the manager's balancer.
   */
  pick(options?: PickOptions): PickResult {
    const n = this.entries.length;
    if (n === 0) return NO_MEMBERS;
    if (this.nextProbeAt !== Infinity) {
      const now = this.clock.now();
      if (now >= this.nextProbeAt) {
        const probe = this.takeProbe(now);
        if (probe) return probe;
      }
    }
    const snapshot = this.current;
    if (snapshot.active.length === 0) return this.forced();
    const hash = options?.hash;
    return snapshot.picker(hash !== undefined, options?.hashType).pick(hash);
  }

  /**
   * Records how a call through `endpoint` ended. Reports about endpoints that are no longer members are ignored.
   * Publishes a new snapshot only when the endpoint turned usable or unusable.
   */
  report(endpoint: Endpoint, outcome: CallOutcome): void {
    const entry = this.entryOf(endpoint);
    if (!entry) return;
    const changed = entry.health.report(outcome);
    this.noteProbeTime(entry);
    if (changed) this.publish();
  }

  /** Applies the window-end ratio rule to endpoints that have had no report since their window ended. */
  evaluate(): void {
    let changed = false;
    for (const entry of this.entries) changed = entry.health.evaluate() || changed;
    if (changed) {
      this.recomputeNextProbe();
      this.publish();
    }
  }

  /** A plain summary per member, in membership order. */
  health(): EndpointHealthSummary[] {
    return this.entries.map(({key, endpoint, health}) => {
      const line: EndpointHealthSummary = {key, endpoint, state: health.state,
        consecutiveFailures: health.consecutiveFailures, windowCalls: health.windowCalls,
        windowFailures: health.windowFailures};
      if (health.blockedUntil !== undefined) line.blockedUntil = health.blockedUntil;
      if (health.lastSuccessAt !== undefined) line.lastSuccessAt = health.lastSuccessAt;
      const out = health.unusableSince;
      if (out) {
        line.unusableSince = out.at;
        line.reason = out.reason;
      }
      return line;
    });
  }

  private newEntry(key: string, endpoint: Endpoint): Entry {
    const entry: Entry = {
      key, endpoint, live: true,
      probeResult: Object.freeze({kind: 'ok', endpoint, probe: true}),
      forcedResult: Object.freeze({kind: 'ok', endpoint, forced: true}),
      health: new EndpointHealth({policy: this.policy, clock: this.clock,
        onChange: (t) => this.onTransition?.(entry.endpoint, t)}),
    };
    return entry;
  }

  private entryOf(endpoint: Endpoint): Entry | undefined {
    let entry = this.byObject.get(endpoint);
    if (!entry) {
      entry = this.byKey.get(endpointKey(endpoint));
      if (entry) this.byObject.set(endpoint, entry);
    }
    return entry?.live ? entry : undefined;
  }

  private takeProbe(now: number): PickResult | undefined {
    let found: Entry | undefined;
    for (const entry of this.entries) {
      if (entry.health.probeDue(now)) {
        found = entry;
        entry.health.beginProbe('probe');
        break;
      }
    }
    this.recomputeNextProbe();
    return found?.probeResult;
  }

  private forced(): PickResult {
    const entry = this.entries[this.forcedCursor];
    this.forcedCursor = this.forcedCursor + 1 === this.entries.length ? 0 : this.forcedCursor + 1;
    entry.health.beginProbe('forced');
    this.recomputeNextProbe();
    return entry.forcedResult;
  }

  /** A too-early nextProbeAt only costs one fruitless scan, so lowering it is enough on the report path. */
  private noteProbeTime(entry: Entry): void {
    const t = entry.health.nextProbeAt();
    if (t < this.nextProbeAt) this.nextProbeAt = t;
  }

  private recomputeNextProbe(): void {
    let next = Infinity;
    for (const entry of this.entries) {
      const t = entry.health.nextProbeAt();
      if (t < next) next = t;
    }
    this.nextProbeAt = next;
  }

  private publish(): void {
    const all = Object.freeze(this.entries.map((e) => e.endpoint));
    const active = Object.freeze(this.entries.filter((e) => e.health.usable).map((e) => e.endpoint));
    const lb = this.fixedBalancer ?? loadBalancer(defaultBalancerFor(all));
    this.current = new Snapshot(this.current.version + 1, lb, all, active);
    this.onSnapshot?.(this.current);
  }
}
