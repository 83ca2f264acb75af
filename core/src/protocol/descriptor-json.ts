import type {EnumDef, StructDef, TarsType} from '../codec/types.js';
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

/** Rebuilds an interface from its JSON document (structs use the generic, descriptor-driven codec). */
export function interfaceFromJson(json: InterfaceJson): InterfaceDef {
  if (!json || json.version !== 1 || !Array.isArray(json.operations)) {
    throw new TarsError('PACKET_MALFORMED', 'not an interface description (version 1)');
  }
  const structs = new Map<string, StructDef>(json.structs.map((s) => [s.name, {name: s.name, fields: []}]));
  const enums = new Map<string, EnumDef>(json.enums.map((e) => [e.name, {name: e.name, members: e.members}]));
  const type = (t: TypeJson): TarsType => {
    switch (t.kind) {
      case 'vector': return {kind: 'vector', elem: type(t.elem)};
      case 'map': return {kind: 'map', key: type(t.key), value: type(t.value)};
      case 'struct': {
        const s = structs.get(t.name);
        if (!s) throw new TarsError('PACKET_MALFORMED', `interface description refers to unknown struct ${t.name}`);
        return {kind: 'struct', struct: s};
      }
      case 'enum': {
        const e = enums.get(t.name);
        if (!e) throw new TarsError('PACKET_MALFORMED', `interface description refers to unknown enum ${t.name}`);
        return {kind: 'enum', enum: e};
      }
      default: return {kind: t.kind} as TarsType;
    }
  };
  for (const s of json.structs) {
    structs.get(s.name)!.fields = s.fields.map((f) => ({tag: f.tag, name: f.name, type: type(f.type),
      required: f.required, ...(f.default !== undefined ? {default: defaultFromJson(f.default)} : {})}));
  }
  return {
    name: json.name,
    operations: json.operations.map((op) => ({name: op.name, ret: op.ret ? type(op.ret) : null,
      params: op.params.map((p) => ({name: p.name, tag: p.tag, type: type(p.type), out: p.out,
        ...(p.routekey ? {routekey: true} : {})}))})),
  };
}
