import type {EnumDef, StructDef, TarsType} from '../codec/types.js';
import {valueKind} from '../codec/writer.js';
import {TarsError} from '../errors/tars-error.js';
import type {InterfaceDef} from './operation.js';

/**
 * Interface descriptors as plain JSON, for reflection (a server describes its servants) and for `tars call`
 * without a .tars file. Structs and enums are listed once by qualified name and referred to by name, so recursive
 * types serialize finitely.
 */
export type TypeJson =
  | {kind: 'bool' | 'byte' | 'short' | 'int' | 'long' | 'float' | 'double' | 'string' | 'ubyte' | 'ushort' | 'uint'}
  | {kind: 'vector'; elem: TypeJson}
  | {kind: 'map'; key: TypeJson; value: TypeJson}
  | {kind: 'struct'; name: string}
  | {kind: 'enum'; name: string};

export interface InterfaceJson {
  /** Format version of this document. */
  version: 1;
  name: string;
  operations: {name: string; ret: TypeJson | null; params: {name: string; tag: number; type: TypeJson; out: boolean;
    routekey?: boolean}[]}[];
  structs: {name: string; fields: {tag: number; name: string; type: TypeJson; required: boolean; default?: unknown}[]}[];
  enums: {name: string; members: {name: string; value: number}[]}[];
}

function defaultToJson(v: unknown): unknown {
  if (typeof v === 'bigint') return {bigint: v.toString()};
  if (v instanceof Uint8Array) return {bytes: Buffer.from(v).toString('base64')};
  return v;
}

function defaultFromJson(v: unknown): unknown {
  if (v && typeof v === 'object' && 'bigint' in v) return BigInt((v as {bigint: string}).bigint);
  if (v && typeof v === 'object' && 'bytes' in v) return Buffer.from((v as {bytes: string}).bytes, 'base64');
  return v;
}

/** The JSON document of an interface and every struct and enum it reaches. */
export function interfaceToJson(iface: InterfaceDef): InterfaceJson {
  const structs = new Map<string, StructDef>();
  const enums = new Map<string, EnumDef>();
  const typeJson = (t: TarsType): TypeJson => {
    switch (t.kind) {
      case 'vector': return {kind: 'vector', elem: typeJson(t.elem)};
      case 'map': return {kind: 'map', key: typeJson(t.key), value: typeJson(t.value)};
      case 'struct':
        if (!structs.has(t.struct.name)) {
          structs.set(t.struct.name, t.struct);
          for (const f of t.struct.fields) typeJson(f.type);
        }
        return {kind: 'struct', name: t.struct.name};
      case 'enum':
        enums.set(t.enum.name, t.enum);
        return {kind: 'enum', name: t.enum.name};
      default: return {kind: t.kind};
    }
  };
  const operations = iface.operations.map((op) => ({
    name: op.name, ret: op.ret ? typeJson(op.ret) : null,
    params: op.params.map((p) => ({name: p.name, tag: p.tag, type: typeJson(p.type), out: p.out,
      ...(p.routekey ? {routekey: true} : {})})),
  }));
  return {
    version: 1, name: iface.name, operations,
    structs: [...structs.values()].map((s) => ({name: s.name, fields: s.fields.map((f) => ({
      tag: f.tag, name: f.name, type: typeJson(f.type), required: f.required,
      ...(f.default !== undefined ? {default: defaultToJson(f.default)} : {}),
    }))})),
    enums: [...enums.values()].map((e) => ({name: e.name, members: e.members.map((m) => ({...m}))})),
  };
}

const SCALAR_KINDS: ReadonlySet<string> = new Set(['bool', 'byte', 'short', 'int', 'long', 'float', 'double', 'string',
  'ubyte', 'ushort', 'uint']);

/** The error of a document that is not a valid interface description; `where` is a path like `operations[0].ret`. */
function malformed(where: string, problem: string): TarsError {
  return new TarsError('PACKET_MALFORMED', `not a valid interface description: ${where} ${problem}`, {where});
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function objectAt(v: unknown, where: string): Record<string, unknown> {
  if (v === undefined) throw malformed(where, 'is missing');
  if (!isObject(v)) throw malformed(where, `is ${valueKind(v)}, not an object`);
  return v;
}

function arrayAt(obj: Record<string, unknown>, key: string, where: string): unknown[] {
  const v = Object.hasOwn(obj, key) ? obj[key] : undefined;
  if (!Array.isArray(v)) throw malformed(`${where}.${key}`, 'is not an array');
  return v;
}

function stringAt(obj: Record<string, unknown>, key: string, where: string): string {
  const v = Object.hasOwn(obj, key) ? obj[key] : undefined;
  if (typeof v !== 'string' || v === '') throw malformed(`${where}.${key}`, 'is not a non-empty string');
  return v;
}

function booleanAt(obj: Record<string, unknown>, key: string, where: string, optional = false): boolean {
  const v = Object.hasOwn(obj, key) ? obj[key] : undefined;
  if (optional && v === undefined) return false;
  if (typeof v !== 'boolean') throw malformed(`${where}.${key}`, 'is not true or false');
  return v;
}

function integerAt(obj: Record<string, unknown>, key: string, where: string, min: number, max: number): number {
  const v = Object.hasOwn(obj, key) ? obj[key] : undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw malformed(`${where}.${key}`, `is not an integer in ${min}..${max}`);
  }
  return v;
}

/**
 * Rebuilds an interface from its JSON document (structs use the generic, descriptor-driven codec). The document
 * usually comes from another process (reflection), so every part is checked here: an unknown or malformed type
 * `kind`, a missing member or a reference to an undeclared struct or enum fails now with a `PACKET_MALFORMED`
 * TarsError naming where (`operations[0].params[1].type.kind`), never later as a type that encodes nothing.
 */
export function interfaceFromJson(json: InterfaceJson): InterfaceDef {
  const doc: unknown = json;
  if (!isObject(doc) || doc.version !== 1) {
    throw new TarsError('PACKET_MALFORMED', 'not an interface description (version 1)');
  }
  const name = stringAt(doc, 'name', 'interface');
  const structJson = arrayAt(doc, 'structs', 'interface').map((v, i) => objectAt(v, `structs[${i}]`));
  const enumJson = arrayAt(doc, 'enums', 'interface').map((v, i) => objectAt(v, `enums[${i}]`));
  const structs = new Map<string, StructDef>();
  structJson.forEach((s, i) => {
    const n = stringAt(s, 'name', `structs[${i}]`);
    structs.set(n, {name: n, fields: []});
  });
  const enums = new Map<string, EnumDef>();
  enumJson.forEach((e, i) => {
    const where = `enums[${i}]`;
    const n = stringAt(e, 'name', where);
    const members = arrayAt(e, 'members', where).map((m, j) => {
      const member = objectAt(m, `${where}.members[${j}]`);
      return {name: stringAt(member, 'name', `${where}.members[${j}]`),
        value: integerAt(member, 'value', `${where}.members[${j}]`, -(2 ** 31), 2 ** 31 - 1)};
    });
    enums.set(n, {name: n, members});
  });
  const type = (v: unknown, where: string): TarsType => {
    const t = objectAt(v, where);
    const kind = t.kind;
    if (typeof kind !== 'string') throw malformed(`${where}.kind`, 'is not a string');
    if (SCALAR_KINDS.has(kind)) return {kind} as TarsType;
    switch (kind) {
      case 'vector': return {kind: 'vector', elem: type(t.elem, `${where}.elem`)};
      case 'map': return {kind: 'map', key: type(t.key, `${where}.key`), value: type(t.value, `${where}.value`)};
      case 'struct': {
        const s = structs.get(stringAt(t, 'name', where));
        if (!s) throw malformed(`${where}.name`, `refers to unknown struct ${String(t.name)}`);
        return {kind: 'struct', struct: s};
      }
      case 'enum': {
        const e = enums.get(stringAt(t, 'name', where));
        if (!e) throw malformed(`${where}.name`, `refers to unknown enum ${String(t.name)}`);
        return {kind: 'enum', enum: e};
      }
      default:
        throw malformed(`${where}.kind`, `is ${JSON.stringify(kind)}, which is not a type (one of ` +
          `${[...SCALAR_KINDS].join(', ')}, vector, map, struct, enum)`);
    }
  };
  structJson.forEach((s, i) => {
    const where = `structs[${i}]`;
    structs.get(s.name as string)!.fields = arrayAt(s, 'fields', where).map((v, j) => {
      const fw = `${where}.fields[${j}]`;
      const f = objectAt(v, fw);
      const d = Object.hasOwn(f, 'default') ? f.default : undefined;
      return {tag: integerAt(f, 'tag', fw, 0, 255), name: stringAt(f, 'name', fw), type: type(f.type, `${fw}.type`),
        required: booleanAt(f, 'required', fw), ...(d !== undefined ? {default: defaultFromJson(d)} : {})};
    });
  });
  const operations = arrayAt(doc, 'operations', 'interface').map((v, i) => {
    const where = `operations[${i}]`;
    const op = objectAt(v, where);
    const ret = Object.hasOwn(op, 'ret') ? op.ret : undefined;
    return {name: stringAt(op, 'name', where), ret: ret === null ? null : type(ret, `${where}.ret`),
      params: arrayAt(op, 'params', where).map((pv, j) => {
        const pw = `${where}.params[${j}]`;
        const p = objectAt(pv, pw);
        return {name: stringAt(p, 'name', pw), tag: integerAt(p, 'tag', pw, 1, 255), type: type(p.type, `${pw}.type`),
          out: booleanAt(p, 'out', pw), ...(booleanAt(p, 'routekey', pw, true) ? {routekey: true} : {})};
      })};
  });
  return {name, operations};
}
