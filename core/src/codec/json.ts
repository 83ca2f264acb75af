import {TarsError} from '../errors/tars-error.js';
import {type StructDef, type TarsType, defaultStruct, idlTypeName, setField} from './types.js';
import {valueKind} from './writer.js';

/**
 * JSON conversion of TARS values (spec/cli.md, "TARS values in JSON"), shared by generated `toJSON`/`fromJSON`,
 * `tars call --data` and call output:
 *
 * - struct -> object keyed by field name; `long` and `unsigned int` -> decimal string (input: number or string);
 * - `vector<byte>` -> base64 string; enum -> member name (input: name or number);
 * - map with string or number keys -> object; any other key type -> array of `{"key", "value"}`;
 * - float/double NaN and infinities -> "NaN", "Infinity", "-Infinity" (input takes them too).
 *
 * `fromJson(t, toJson(t, v))` gives back `v` for every type.
 */
export type Json = null | boolean | number | string | Json[] | {[key: string]: Json};

function isObjectKeyType(t: TarsType): boolean {
  switch (t.kind) {
    case 'string': case 'bool': case 'byte': case 'short': case 'int': case 'long': case 'ubyte': case 'ushort':
    case 'uint': case 'float': case 'double': case 'enum':
      return true;
    default:
      return false;
  }
}

function floatToJson(v: number): Json {
  return Number.isFinite(v) ? v : String(v);
}

/** The JSON form of `value` of type `t`. */
export function toJson(t: TarsType, value: unknown): Json {
  switch (t.kind) {
    case 'bool': case 'byte': case 'short': case 'int': case 'ubyte': case 'ushort': case 'string':
      return value as Json;
    case 'float': case 'double':
      return floatToJson(value as number);
    case 'long': case 'uint':
      return String(value);
    case 'enum': {
      const member = t.enum.members.find((m) => m.value === value);
      return member ? member.name : (value as number);
    }
    case 'vector':
      if (t.elem.kind === 'byte') return Buffer.from(value as Uint8Array).toString('base64');
      return (value as unknown[]).map((v) => toJson(t.elem, v));
    case 'map': {
      const m = value as Map<unknown, unknown>;
      if (isObjectKeyType(t.key)) {
        const out: {[key: string]: Json} = {};
        for (const [k, v] of m) setField(out, String(toJson(t.key, k)), toJson(t.value, v));
        return out;
      }
      return [...m].map(([k, v]) => ({key: toJson(t.key, k), value: toJson(t.value, v)}));
    }
    case 'struct':
      return structToJson(t.struct, value);
  }
}

function structToJson(def: StructDef, value: unknown): Json {
  const obj = value as Record<string, unknown>;
  const out: {[key: string]: Json} = {};
  for (const f of def.fields) {
    const v = Object.hasOwn(obj, f.name) ? obj[f.name] : undefined;
    if (v !== undefined) setField(out, f.name, toJson(f.type, v));
  }
  return out;
}

function bad(path: string, t: TarsType, json: unknown, why = ''): TarsError {
  return new TarsError('ENCODE_BAD_VALUE',
    `${path || 'value'}: expected ${idlTypeName(t)}${why ? ` (${why})` : ''}, got ${valueKind(json)}`, {path});
}

const INT_RANGE: Record<string, [number, number]> = {
  byte: [-128, 127], short: [-32768, 32767], int: [-2147483648, 2147483647], ubyte: [0, 255], ushort: [0, 65535],
  uint: [0, 4294967295],
};

function parseInteger(path: string, t: TarsType, json: unknown): bigint {
  if (typeof json === 'number' && Number.isInteger(json)) return BigInt(json);
  if (typeof json === 'string' && /^\s*[-+]?(0x[0-9a-f]+|\d+)\s*$/i.test(json)) {
    const s = json.trim();
    const negative = s.startsWith('-');
    const digits = s.replace(/^[-+]/, '');
    const v = BigInt(digits);
    return negative ? -v : v;
  }
  throw bad(path, t, json, 'an integer');
}

/**
 * The TARS value of type `t` for `json`, checking every type and range; errors name the path of the bad value
 * (e.g. `req.items[2].id`). Absent optional struct fields take their defaults; absent required ones are errors.
 */
export function fromJson(t: TarsType, json: unknown, path = ''): unknown {
  switch (t.kind) {
    case 'bool':
      if (typeof json === 'boolean') return json;
      if (json === 0 || json === 1) return json === 1;
      if (json === 'true' || json === 'false') return json === 'true';
      throw bad(path, t, json);
    case 'byte': case 'short': case 'int': case 'ubyte': case 'ushort': case 'uint': {
      const v = parseInteger(path, t, json);
      const [min, max] = INT_RANGE[t.kind];
      if (v < BigInt(min) || v > BigInt(max)) throw bad(path, t, json, `${min}..${max}`);
      return Number(v);
    }
    case 'long': {
      const v = parseInteger(path, t, json);
      if (v < -(2n ** 63n) || v > 2n ** 63n - 1n) throw bad(path, t, json, '64-bit signed');
      if (typeof json === 'number' && !Number.isSafeInteger(json)) {
        throw bad(path, t, json, 'beyond 2^53 a JSON number is not exact: pass the value as a string');
      }
      return v;
    }
    case 'float': case 'double':
      if (typeof json === 'number') return json;
      if (typeof json === 'string' && /^\s*(NaN|[-+]?Infinity|[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?)\s*$/i.test(json)) {
        return Number(json.trim());
      }
      throw bad(path, t, json);
    case 'string':
      if (typeof json === 'string') return json;
      throw bad(path, t, json);
    case 'enum': {
      if (typeof json === 'string') {
        const member = t.enum.members.find((m) => m.name === json);
        if (member) return member.value;
        if (/^-?\d+$/.test(json)) return fromJson(t, Number(json), path);
        throw bad(path, t, json, `one of ${t.enum.members.map((m) => m.name).join(', ')}`);
      }
      if (typeof json === 'number' && Number.isInteger(json) && (json | 0) === json) return json;
      throw bad(path, t, json, `one of ${t.enum.members.map((m) => m.name).join(', ')}`);
    }
    case 'vector':
      if (t.elem.kind === 'byte') {
        if (typeof json === 'string' && /^[A-Za-z0-9+/=_-]*$/.test(json)) return Buffer.from(json, 'base64');
        if (Array.isArray(json)) return Buffer.from(json.map((v, i) => fromJson(t.elem, v, `${path}[${i}]`) as number));
        throw bad(path, t, json, 'base64 string');
      }
      if (!Array.isArray(json)) throw bad(path, t, json, 'an array');
      return json.map((v, i) => fromJson(t.elem, v, `${path}[${i}]`));
    case 'map': {
      const out = new Map<unknown, unknown>();
      if (Array.isArray(json)) {
        json.forEach((entry, i) => {
          if (entry === null || typeof entry !== 'object' || !('key' in entry) || !('value' in entry)) {
            throw bad(`${path}[${i}]`, t, entry, 'an entry {"key": ..., "value": ...}');
          }
          const e = entry as {key: unknown; value: unknown};
          out.set(fromJson(t.key, e.key, `${path}[${i}].key`), fromJson(t.value, e.value, `${path}[${i}].value`));
        });
        return out;
      }
      if (json === null || typeof json !== 'object' || !isObjectKeyType(t.key)) {
        throw bad(path, t, json, isObjectKeyType(t.key) ? 'an object' : 'an array of {"key", "value"}');
      }
      for (const [k, v] of Object.entries(json)) {
        out.set(fromJson(t.key, k, `${path}.<key ${k}>`), fromJson(t.value, v, `${path}.${k}`));
      }
      return out;
    }
    case 'struct':
      return structFromJson(t.struct, json, path);
  }
}

function structFromJson(def: StructDef, json: unknown, path: string): Record<string, unknown> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw bad(path, {kind: 'struct', struct: def}, json, 'an object');
  }
  const obj = json as Record<string, unknown>;
  const known = new Set(def.fields.map((f) => f.name));
  for (const key of Object.keys(obj)) {
    if (!known.has(key)) {
      throw new TarsError('ENCODE_BAD_VALUE', `${path ? path + '.' : ''}${key}: struct ${def.name} has no field ` +
        `"${key}" (fields: ${[...known].join(', ')})`, {path});
    }
  }
  // Absent fields, required or not, take their defaults (as protobuf JSON does); unknown keys are refused above,
  // which is what catches typos.
  const out = defaultStruct(def);
  for (const f of def.fields) {
    if (!Object.hasOwn(obj, f.name) || obj[f.name] === undefined) continue;
    setField(out, f.name, fromJson(f.type, obj[f.name], path ? `${path}.${f.name}` : f.name));
  }
  return out;
}
