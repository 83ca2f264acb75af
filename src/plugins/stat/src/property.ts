// Business properties as tarsproperty aggregates them (framework.md 2.7, 3.3): the key, the policies and their value
// strings, and how two values of one policy merge. Pure.
import type {PropertyF} from '@tars-ts/core/framework';

import {MAX_FIELD_LENGTH} from './aggregate.js';

/** The policies the official clients send. Others are refused (the official server would keep them unmerged). */
export const POLICIES = ['Sum', 'Avg', 'Count', 'Max', 'Min', 'Distr'] as const;
export type Policy = (typeof POLICIES)[number];

/** The longest value string taken (a Distr of many buckets stays far below it). */
export const MAX_VALUE_LENGTH = 4096;

/**
 * The key of a property row: the head tarsproperty keeps. `ip` is the reporter's socket IP, whatever the head says
 * (cpp sends "", go its local IP); sContainer and iPropertyVer are not part of it.
 */
export interface PropKey {
  readonly moduleName: string;
  readonly ip: string;
  readonly propertyName: string;
  readonly setName: string;
  readonly setArea: string;
  readonly setID: string;
}

/**
 * The values of one key, by policy, in their mergeable form: as received, except that an Avg merged at least once
 * is `sum=count` (what tarsproperty keeps until it writes sum/count). Shown through {@link displayValue}.
 */
export type PropValues = Map<string, string>;

/** What {@link normaliseProperty} makes of one reportPropMsg entry. */
export type NormalisedProperty =
  | {kind: 'entry'; key: PropKey; values: PropValues}
  | {kind: 'rejected'; reason: string};

/** The map key of a {@link PropKey}. */
export function propKeyString(k: PropKey): string {
  return [k.moduleName, k.ip, k.propertyName, k.setName, k.setArea, k.setID].join('\0');
}

// `bound|count,...`; cpp ends with `max|count` (values past the last bound).
const DISTR = /^(-?\d+(\.\d+)?|max)\|-?\d+(,(-?\d+(\.\d+)?|max)\|-?\d+)*$/;
const NUMBER = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;

/**
 * One reportPropMsg entry as tarsproperty keeps it, with `ip` the reporter's socket IP. Refused (counted): a field
 * longer than {@link MAX_FIELD_LENGTH}, a value longer than {@link MAX_VALUE_LENGTH}, a policy other than the six,
 * a value that is not a number (a Distr that is not `bound|n,...`). An entry with no value left is refused too.
 */
export function normaliseProperty(head: PropertyF.StatPropMsgHead, body: PropertyF.StatPropMsgBody, ip: string):
  NormalisedProperty {
  const key: PropKey = {moduleName: head.moduleName, ip, propertyName: head.propertyName, setName: head.setName,
    setArea: head.setArea, setID: head.setID};
  for (const field of ['moduleName', 'ip', 'propertyName', 'setName', 'setArea', 'setID'] as const) {
    if (key[field].length > MAX_FIELD_LENGTH) {
      return {kind: 'rejected', reason: `${field} is ${key[field].length} characters (at most ${MAX_FIELD_LENGTH})`};
    }
  }
  const values: PropValues = new Map();
  for (const {policy, value} of body.vInfo) {
    if (!(POLICIES as readonly string[]).includes(policy)) return {kind: 'rejected', reason: `unknown policy ${policy.slice(0, 40)}`};
    if (value.length > MAX_VALUE_LENGTH) return {kind: 'rejected', reason: `${policy} value too long`};
    const ok = policy === 'Distr' ? DISTR.test(value)
      : policy === 'Avg' ? value.split('=').length <= 2 && value.split('=').every((p) => NUMBER.test(p))
        : NUMBER.test(value);
    if (!ok) return {kind: 'rejected', reason: `${policy} value ${JSON.stringify(value.slice(0, 40))} is not a number`};
    const had = values.get(policy);
    values.set(policy, had === undefined ? value : mergeValue(policy, had, value));
  }
  if (values.size === 0) return {kind: 'rejected', reason: 'no value'};
  return {kind: 'entry', key, values};
}

/** An integer as C++ `strto<long long>` reads it: the leading integer part, 0 if none. */
export function toInteger(text: string): number {
  const m = /^\s*([+-]?\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}

/** A double as `strto<double>` reads it: 0 if not a number. */
function toDouble(text: string): number {
  const v = Number.parseFloat(text);
  return Number.isFinite(v) ? v : 0;
}

/** A number as C++ `tostr` writes it: integers plainly, others with up to 6 significant digits. */
export function numberText(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(6)));
}

/**
 * Merges a value of `policy` into the kept one as tarsproperty does: Count and Sum add (as integers), Min and Max
 * keep the smaller and the larger, Distr adds the counts field by field by position (the kept value's fields
 * decide; a missing incoming field adds 0), Avg keeps `sum=count` (a plain value is one sample).
 */
export function mergeValue(policy: string, kept: string, incoming: string): string {
  switch (policy) {
    case 'Count':
    case 'Sum':
      return String(toInteger(kept) + toInteger(incoming));
    case 'Min':
      return String(Math.min(toInteger(kept), toInteger(incoming)));
    case 'Max':
      return String(Math.max(toInteger(kept), toInteger(incoming)));
    case 'Distr': {
      const inFields = incoming.split(',');
      return kept.split(',').map((field, i) => {
        const [bound, n] = field.split('|');
        const add = inFields[i]?.split('|')[1];
        return `${bound}|${toInteger(n ?? '0') + toInteger(add ?? '0')}`;
      }).join(',');
    }
    case 'Avg': {
      const [ks, kc] = kept.split('=');
      const [is, ic] = incoming.split('=');
      const sum = toDouble(ks!) + toDouble(is!);
      const n = (kc === undefined ? 1 : toInteger(kc)) + (ic === undefined ? 1 : toInteger(ic));
      return `${numberText(sum)}=${n}`;
    }
    default:
      return kept;
  }
}

/** Merges every policy of `from` into `into`; a policy `into` lacks is taken as it is. */
export function mergeValues(into: PropValues, from: PropValues): PropValues {
  for (const [policy, value] of from) {
    const had = into.get(policy);
    into.set(policy, had === undefined ? value : mergeValue(policy, had, value));
  }
  return into;
}

/** The value string a dashboard shows (and tarsproperty writes): an Avg as sum/count, everything else as kept. */
export function displayValue(policy: string, value: string): string {
  if (policy !== 'Avg') return value;
  const [s, c] = value.split('=');
  if (c === undefined) return value;
  const n = toInteger(c);
  return n === 0 ? '0' : numberText(toDouble(s!) / n);
}

/** The numeric value of a policy's display value (Distr: the number of samples). */
export function numericValue(policy: string, value: string): number {
  const shown = displayValue(policy, value);
  if (policy === 'Distr') return shown.split(',').reduce((s, f) => s + toInteger(f.split('|')[1] ?? '0'), 0);
  return toDouble(shown);
}
