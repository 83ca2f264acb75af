/**
 * Business properties (framework.md 1.10, 3.3), with TarsGo's API shape:
 *
 * ```ts
 * const latency = createProperty('queryLatency', Sum(), Avg(), Count(), Max(), Min(), Distr([0, 10, 50, 100]));
 * latency.report(12);
 * ```
 *
 * Each policy aggregates the values reported during one report interval; every interval the communicator whose
 * `<client> property` names the property object (`tars.tarsproperty.PropertyObj`) sends them with
 * PropertyF.reportPropMsg, one head per property, one StatPropInfo per policy, in the value formats TarsGo sends:
 * Sum the sum; Avg sum/count as shortest decimal text; Count the number of values; Max the largest; Min the smallest
 * non-zero; Distr `b1|n1,b2|n2,...` where a value counts in the first bucket whose bound is >= it and values above the
 * last bound count in the last bucket (TarsCpp instead counts v in the first bound > v and appends a `max|n` field for
 * the rest: framework.md 6.9). As TarsGo, a policy with nothing to say is left out (Sum, Avg, Count and Min at "0",
 * Max never set), and a property with no value in the interval is not sent at all.
 */
import type {StatPropMsgBody, StatPropMsgHead} from '../../framework/PropertyFTars.js';
import {type SetId} from '../set-routing.js';
import {ReportSender, type ReportSenderStats} from './report-sender.js';
import {type ReportTimer, realReportTimer} from './report-timer.js';

/** The policy names on the wire. */
export type PropertyPolicyName = 'Sum' | 'Avg' | 'Distr' | 'Max' | 'Min' | 'Count';

/** One aggregation of a property's values. */
export interface PropertyPolicy {
  readonly policy: PropertyPolicyName;
  /** Takes one value. */
  add(value: number): void;
  /** The interval's value text, or undefined when it has nothing to say; resets for the next interval. */
  take(): string | undefined;
}

/** What Max holds before any value: TarsCpp's and TarsGo's initial value (never sent). */
const MAX_UNSET = -9999999;

/** A number as Go's strconv.FormatFloat(x, 'f', -1, 64) writes it: shortest round-trip digits, never an exponent. */
export function formatPropertyValue(x: number): string {
  const s = String(x);
  if (!s.includes('e')) return s;
  if (Math.abs(x) >= 1) return BigInt(Math.round(x)).toString();
  return x.toFixed(20).replace(/0+$/, '').replace(/\.$/, '');
}

/** The sum of the values. */
export function Sum(): PropertyPolicy {
  let sum = 0;
  return {
    policy: 'Sum',
    add(value) {
      sum += value;
    },
    take() {
      const out = sum;
      sum = 0;
      return out === 0 ? undefined : formatPropertyValue(out);
    },
  };
}

/** The average of the values (sum/count). */
export function Avg(): PropertyPolicy {
  let sum = 0;
  let count = 0;
  return {
    policy: 'Avg',
    add(value) {
      sum += value;
      count++;
    },
    take() {
      const out = count === 0 ? 0 : sum / count;
      sum = 0;
      count = 0;
      return out === 0 ? undefined : formatPropertyValue(out);
    },
  };
}

/** How many values were reported. */
export function Count(): PropertyPolicy {
  let count = 0;
  return {
    policy: 'Count',
    add() {
      count++;
    },
    take() {
      const out = count;
      count = 0;
      return out === 0 ? undefined : String(out);
    },
  };
}

/** The largest value. */
export function Max(): PropertyPolicy {
  let max = MAX_UNSET;
  return {
    policy: 'Max',
    add(value) {
      if (value > max) max = value;
    },
    take() {
      const out = max;
      max = MAX_UNSET;
      return out === MAX_UNSET ? undefined : formatPropertyValue(out);
    },
  };
}

/** The smallest non-zero value (zeros are ignored, as TarsCpp and TarsGo do). */
export function Min(): PropertyPolicy {
  let min = 0;
  return {
    policy: 'Min',
    add(value) {
      if (value !== 0 && (min === 0 || value < min)) min = value;
    },
    take() {
      const out = min;
      min = 0;
      return out === 0 ? undefined : formatPropertyValue(out);
    },
  };
}

/**
 * The distribution of the values over `bounds` (sorted, duplicates removed): a value counts in the first bucket
 * whose bound is >= it; values above the last bound count in the last bucket. Throws on an empty or non-numeric list.
 */
export function Distr(bounds: readonly number[]): PropertyPolicy {
  if (!Array.isArray(bounds) || bounds.length === 0 || bounds.some((b) => !Number.isFinite(b))) {
    throw new TypeError(`Distr needs a non-empty list of finite bounds, like Distr([0, 10, 50, 100]) (got ${
      JSON.stringify(bounds)})`);
  }
  const sorted = [...new Set(bounds)].sort((a, b) => a - b);
  const counts = sorted.map(() => 0);
  const last = sorted.length - 1;
  return {
    policy: 'Distr',
    add(value) {
      let i = 0;
      while (i < last && value > sorted[i]!) i++;
      counts[i]!++;
    },
    take() {
      const out = sorted.map((b, i) => `${formatPropertyValue(b)}|${counts[i]}`).join(',');
      counts.fill(0);
      return out;
    },
  };
}

/** A named business property: {@link report} values; they are aggregated by its policies every interval. */
export class Property {
  private policies: PropertyPolicy[];
  private samples = 0;

  constructor(readonly name: string, policies: readonly PropertyPolicy[], private readonly onDrop?: () => void) {
    this.policies = [...policies];
  }

  /** Reports one value (finite numbers; anything else is ignored). Never throws (with the built-in policies). */
  report(value: number): void {
    if (this.onDrop) {
      this.onDrop();
      return;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) return;
    this.samples++;
    for (const p of this.policies) p.add(value);
  }

  /** Adds policies; one of a policy the property already has replaces it (as TarsGo's CreatePropertyReport). */
  addPolicies(policies: readonly PropertyPolicy[]): void {
    for (const p of policies) {
      const i = this.policies.findIndex((q) => q.policy === p.policy);
      if (i >= 0) this.policies[i] = p;
      else this.policies.push(p);
    }
  }

  /** The policy names, in order. */
  get policyNames(): PropertyPolicyName[] {
    return this.policies.map((p) => p.policy);
  }

  /** @internal The interval's values (policy, value) and a reset; undefined when nothing was reported. */
  take(): {policy: string; value: string}[] | undefined {
    if (this.samples === 0) return undefined;
    this.samples = 0;
    const out: {policy: string; value: string}[] = [];
    for (const p of this.policies) {
      let value: string | undefined;
      try {
        value = p.take();
      } catch {
        // A policy of the application's own making that throws loses its interval, never the report.
        continue;
      }
      if (value !== undefined) out.push({policy: p.policy, value});
    }
    return out;
  }
}

/** Default most properties a registry holds; further names get a property whose values are dropped and counted. */
export const MAX_PROPERTIES = 10000;

/**
 * The properties of a process (TarsGo keeps them process-wide too): {@link createProperty} uses the default one.
 * One property reporter at a time drains a registry (the first communicator with `property` set that starts).
 */
export class PropertyRegistry {
  private readonly byName = new Map<string, Property>();
  /** Values reported to properties beyond the cap. */
  dropped = 0;
  /** @internal The reporter draining this registry, if any. */
  owner?: object;

  constructor(readonly maxProperties = MAX_PROPERTIES) {}

  /**
   * The property `name` with `policies` (created on first use; later calls add or replace policies and return the
   * same object). Throws when the name is empty.
   */
  create(name: string, ...policies: PropertyPolicy[]): Property {
    if (typeof name !== 'string' || name === '') {
      throw new TypeError('a property needs a name, like createProperty("queryLatency", Avg())');
    }
    let p = this.byName.get(name);
    if (p) {
      p.addPolicies(policies);
      return p;
    }
    if (this.byName.size >= this.maxProperties) {
      return new Property(name, policies, () => {
        this.dropped++;
      });
    }
    p = new Property(name, policies);
    this.byName.set(name, p);
    return p;
  }

  get(name: string): Property | undefined {
    return this.byName.get(name);
  }

  get size(): number {
    return this.byName.size;
  }

  /** @internal Every property with values this interval, and a reset. */
  take(): {name: string; vInfo: {policy: string; value: string}[]}[] {
    const out: {name: string; vInfo: {policy: string; value: string}[]}[] = [];
    for (const p of this.byName.values()) {
      const vInfo = p.take();
      if (vInfo && vInfo.length > 0) out.push({name: p.name, vInfo});
    }
    return out;
  }
}

/** The registry {@link createProperty} fills. */
export const defaultPropertyRegistry = new PropertyRegistry();

/**
 * A business property of this process (TarsGo's CreatePropertyReport): `createProperty('queryLatency', Avg(),
 * Distr([0, 10, 50, 100])).report(12)`. Reported by the communicator whose `property` is set (a server's, from its
 * config), every report interval.
 */
export function createProperty(name: string, ...policies: PropertyPolicy[]): Property {
  return defaultPropertyRegistry.create(name, ...policies);
}

/** What a {@link PropertyReporter} needs. */
export interface PropertyReporterOptions {
  /** moduleName of every head (the `modulename`, SET suffix included). */
  moduleName: string;
  /** ip of every head (the property daemon takes the socket's anyway). */
  ip: string;
  set?: SetId;
  intervalMs: number;
  /** Makes one PropertyF.reportPropMsg call. */
  send(msg: Map<StatPropMsgHead, StatPropMsgBody>): Promise<unknown>;
  /** Default: {@link defaultPropertyRegistry}. */
  registry?: PropertyRegistry;
  maxPending?: number;
  maxReportSize?: number;
  timer?: ReportTimer;
}

/** Counters of a {@link PropertyReporter}: `reported` and `dropped` count property heads. */
export interface PropertyReportStats extends Omit<ReportSenderStats, 'pending'> {
  /** Properties in the registry. */
  properties: number;
  /** Whether this reporter drains the registry (another communicator may have claimed it first). */
  active: boolean;
  pending: number;
  lastError: string;
}

interface PropItem {
  head: StatPropMsgHead;
  body: StatPropMsgBody;
  size: number;
}

/** Sends a registry's properties every interval; see the module comment. */
export class PropertyReporter {
  readonly registry: PropertyRegistry;
  private readonly sender: ReportSender<PropItem>;
  private stopTimer?: () => void;

  constructor(private readonly options: PropertyReporterOptions) {
    this.registry = options.registry ?? defaultPropertyRegistry;
    this.sender = new ReportSender<PropItem>((batch) => options.send(new Map(batch.map((i) => [i.head, i.body]))),
      (i) => i.size, () => 1, {maxPending: options.maxPending ?? 64, maxReportSize: options.maxReportSize ?? 1400});
  }

  /** Claims the registry (when no other reporter has) and starts reporting every interval. Idempotent. */
  start(): this {
    this.registry.owner ??= this;
    this.stopTimer ??= (this.options.timer ?? realReportTimer).every(Math.max(1, this.options.intervalMs),
      () => void this.flush());
    return this;
  }

  /** Stops reporting and releases the registry. Idempotent. */
  stop(): void {
    this.stopTimer?.();
    this.stopTimer = undefined;
    if (this.registry.owner === this) this.registry.owner = undefined;
  }

  get stats(): PropertyReportStats {
    const s = this.sender.stats;
    return {...s, properties: this.registry.size, active: this.registry.owner === this,
      lastError: this.sender.lastError};
  }

  /** Reports the values of the interval now and starts a new one; resolves once sent. Never rejects. */
  async flush(): Promise<void> {
    if (this.registry.owner !== this) return;
    const o = this.options;
    const items = this.registry.take().map(({name, vInfo}): PropItem => ({
      head: {moduleName: o.moduleName, ip: o.ip, propertyName: name, setName: o.set?.name ?? '',
        setArea: o.set?.area ?? '', setID: o.set?.group ?? '', sContainer: '', iPropertyVer: 2},
      body: {vInfo},
      size: o.moduleName.length + o.ip.length + name.length + 30 +
        vInfo.reduce((n, v) => n + v.policy.length + v.value.length + 6, 0),
    }));
    await this.sender.submit(items);
  }
}
