import {TarsError} from '../errors/tars-error.js';
import type {TarsReader} from './reader.js';
import {type TarsWriter, valueKind} from './writer.js';

/**
 * Run-time descriptors of TARS types. Generated code carries them for reflection and dynamic calls; TUP v2 takes its
 * type names from them; `tars call` encodes JSON arguments through them without compiled stubs.
 *
 * Value mapping: bool -> boolean; byte, short, int, unsigned byte/short/int, float, double, enum -> number;
 * long -> bigint; string -> string; vector<byte> -> Uint8Array; vector<T> -> T[]; map<K,V> -> Map<K,V>;
 * struct -> plain object keyed by field name.
 */
export type TarsType =
  | {readonly kind: 'bool'}
  | {readonly kind: 'byte'}
  | {readonly kind: 'short'}
  | {readonly kind: 'int'}
  | {readonly kind: 'long'}
  | {readonly kind: 'float'}
  | {readonly kind: 'double'}
  | {readonly kind: 'string'}
  | {readonly kind: 'ubyte'}
  | {readonly kind: 'ushort'}
  | {readonly kind: 'uint'}
  | {readonly kind: 'vector'; readonly elem: TarsType}
  | {readonly kind: 'map'; readonly key: TarsType; readonly value: TarsType}
  | {readonly kind: 'struct'; readonly struct: StructDef}
  | {readonly kind: 'enum'; readonly enum: EnumDef};

export type ScalarKind = 'bool' | 'byte' | 'short' | 'int' | 'long' | 'float' | 'double' | 'string' | 'ubyte' |
  'ushort' | 'uint';

/** A struct member. */
export interface FieldDef {
  readonly tag: number;
  readonly name: string;
  readonly type: TarsType;
  readonly required: boolean;
  /** The IDL default (already in the value mapping above); absent means the type's zero value. */
  readonly default?: unknown;
}

/** A struct: `name` is qualified as on the wire in TUP v2 (`Module.Struct`); fields ascend by tag. */
export interface StructDef {
  readonly name: string;
  /** Filled after creation for recursive structs; always sorted by tag. */
  fields: readonly FieldDef[];
  /**
   * Compiled fast paths (generated code provides them): write the fields of a value, read them into a new value.
   * When absent, the generic descriptor-driven code is used; both give the same bytes and values.
   */
  writeFields?: (w: TarsWriter, value: any) => void;
  readFields?: (r: TarsReader) => any;
}

/** An enum; its values are int32 on the wire. */
export interface EnumDef {
  readonly name: string;
  readonly members: readonly {readonly name: string; readonly value: number}[];
}

const SCALARS = new Map<string, TarsType>(
  ['bool', 'byte', 'short', 'int', 'long', 'float', 'double', 'string', 'ubyte', 'ushort', 'uint']
    .map((k) => [k, Object.freeze({kind: k}) as TarsType]));

/** Shorthand constructors for descriptors. */
export const T = {
  bool: SCALARS.get('bool')!,
  byte: SCALARS.get('byte')!,
  short: SCALARS.get('short')!,
  int: SCALARS.get('int')!,
  long: SCALARS.get('long')!,
  float: SCALARS.get('float')!,
  double: SCALARS.get('double')!,
  string: SCALARS.get('string')!,
  ubyte: SCALARS.get('ubyte')!,
  ushort: SCALARS.get('ushort')!,
  uint: SCALARS.get('uint')!,
  vector: (elem: TarsType): TarsType => ({kind: 'vector', elem}),
  map: (key: TarsType, value: TarsType): TarsType => ({kind: 'map', key, value}),
  struct: (struct: StructDef): TarsType => ({kind: 'struct', struct}),
  enum: (def: EnumDef): TarsType => ({kind: 'enum', enum: def}),
} as const;

/** True for `vector<byte>`, which is written as SIMPLE_LIST. */
export function isBytesType(t: TarsType): boolean {
  return t.kind === 'vector' && t.elem.kind === 'byte';
}

/** The zero value of a type (what an absent optional field without an IDL default reads as). */
export function zeroValue(t: TarsType): unknown {
  switch (t.kind) {
    case 'bool': return false;
    case 'long': return 0n;
    case 'string': return '';
    case 'vector': return t.elem.kind === 'byte' ? new Uint8Array(0) : [];
    case 'map': return new Map();
    case 'struct': return defaultStruct(t.struct);
    case 'enum': return t.enum.members.length > 0 ? t.enum.members[0].value : 0;
    default: return 0;
  }
}

/**
 * Sets an own property, even one named `__proto__` (a plain assignment would replace the prototype instead).
 * Field names come from IDL files and wire data, so they are never trusted as plain keys.
 */
export function setField(obj: Record<string, unknown>, name: string, value: unknown): void {
  if (name === '__proto__') {
    Object.defineProperty(obj, name, {value, enumerable: true, writable: true, configurable: true});
  } else {
    obj[name] = value;
  }
}

/** A struct object holding every field's default (a fresh copy of mutable defaults). */
export function defaultStruct(def: StructDef): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of def.fields) setField(out, f.name, f.default !== undefined ? f.default : zeroValue(f.type));
  return out;
}

/** Writes `value` of type `t` as the field `tag`. */
export function writeValue(w: TarsWriter, tag: number, t: TarsType, value: unknown): void {
  switch (t.kind) {
    case 'bool': w.writeBool(tag, value as boolean); return;
    case 'byte': w.writeInt8(tag, value as number); return;
    case 'short': w.writeInt16(tag, value as number); return;
    case 'int': case 'enum': w.writeInt32(tag, value as number); return;
    case 'long': w.writeInt64(tag, value as bigint); return;
    case 'ubyte': w.writeUInt8(tag, value as number); return;
    case 'ushort': w.writeUInt16(tag, value as number); return;
    case 'uint': w.writeUInt32(tag, value as number); return;
    case 'float': w.writeFloat(tag, value as number); return;
    case 'double': w.writeDouble(tag, value as number); return;
    case 'string': w.writeString(tag, value as string); return;
    case 'vector': {
      if (t.elem.kind === 'byte') {
        w.writeBytes(tag, value as Uint8Array);
        return;
      }
      const elem = t.elem;
      w.writeList(tag, value as unknown[], (ww, v) => writeValue(ww, 0, elem, v));
      return;
    }
    case 'map': {
      const {key, value: valueType} = t;
      w.writeMap(tag, value as Map<unknown, unknown>, (ww, k) => writeValue(ww, 0, key, k),
        (ww, v) => writeValue(ww, 1, valueType, v));
      return;
    }
    case 'struct':
      w.writeStructBegin(tag);
      writeStructFields(w, t.struct, value);
      w.writeStructEnd();
      return;
  }
}

/** Writes the fields of a struct value (no STRUCT_BEGIN/END: a top-level struct or the inside of a nested one). */
export function writeStructFields(w: TarsWriter, def: StructDef, value: unknown): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TarsError('ENCODE_BAD_VALUE', `struct ${def.name}: expected an object, got ${valueKind(value)}`);
  }
  if (def.writeFields) {
    def.writeFields(w, value);
    return;
  }
  const obj = value as Record<string, unknown>;
  for (const f of def.fields) {
    const v = Object.hasOwn(obj, f.name) ? obj[f.name] : undefined;
    if (v === undefined) {
      if (f.required) {
        throw new TarsError('ENCODE_BAD_VALUE', `struct ${def.name}: required field ${f.name} (tag ${f.tag}) is missing`,
          {tag: f.tag});
      }
      continue;
    }
    writeValue(w, f.tag, f.type, v);
  }
}

/** Reads the field `tag` as type `t`; `def` (or the type's zero value) when absent and not required. */
export function readValue(r: TarsReader, tag: number, t: TarsType, required: boolean, def?: unknown): unknown {
  switch (t.kind) {
    case 'bool': return r.readBool(tag, required, (def as boolean) ?? false);
    case 'byte': return r.readInt8(tag, required, (def as number) ?? 0);
    case 'short': return r.readInt16(tag, required, (def as number) ?? 0);
    case 'int': return r.readInt32(tag, required, (def as number) ?? 0);
    case 'enum': return r.readInt32(tag, required, (def as number) ?? zeroValue(t) as number);
    case 'long': return r.readInt64(tag, required, (def as bigint) ?? 0n);
    case 'ubyte': return r.readUInt8(tag, required, (def as number) ?? 0);
    case 'ushort': return r.readUInt16(tag, required, (def as number) ?? 0);
    case 'uint': return r.readUInt32(tag, required, (def as number) ?? 0);
    case 'float': return r.readFloat(tag, required, (def as number) ?? 0);
    case 'double': return r.readDouble(tag, required, (def as number) ?? 0);
    case 'string': return r.readString(tag, required, (def as string) ?? '');
    case 'vector': {
      if (t.elem.kind === 'byte') return r.readBytes(tag, required, (def as Uint8Array) ?? undefined);
      const elem = t.elem;
      return r.readList(tag, required, (rr) => readValue(rr, 0, elem, true), def as unknown[] | undefined);
    }
    case 'map': {
      const {key, value} = t;
      return r.readMap(tag, required, (rr) => readValue(rr, 0, key, true), (rr) => readValue(rr, 1, value, true),
        def as Map<unknown, unknown> | undefined);
    }
    case 'struct': {
      const struct = t.struct;
      return r.readStruct(tag, required, (rr) => readStructFields(rr, struct),
        () => (def !== undefined ? def : defaultStruct(struct)));
    }
  }
}

/** Reads the fields of a struct (a top-level struct or the inside of a nested one). */
export function readStructFields(r: TarsReader, def: StructDef): Record<string, unknown> {
  if (def.readFields) return def.readFields(r);
  const out: Record<string, unknown> = {};
  for (const f of def.fields) setField(out, f.name, readValue(r, f.tag, f.type, f.required, f.default));
  return out;
}

/** How TUP v2 spells list type names: "list<...>" (TarsCpp, TarsJava) or "List<...>" (@tars/stream). */
export type ListSpelling = 'list' | 'List';

/**
 * The TUP v2 type name of a type (protocol.md 2.4): bool, char, short, int32, int64, float, double, string,
 * list<char>, list<T>, map<K,V>, Module.Struct. `vector<byte>` is always "list<char>" (every implementation).
 */
export function tupTypeName(t: TarsType, listSpelling: ListSpelling = 'list'): string {
  switch (t.kind) {
    case 'bool': return 'bool';
    case 'byte': return 'char';
    case 'short': case 'ubyte': return 'short';
    case 'int': case 'ushort': case 'enum': return 'int32';
    case 'long': case 'uint': return 'int64';
    case 'float': return 'float';
    case 'double': return 'double';
    case 'string': return 'string';
    case 'vector':
      if (t.elem.kind === 'byte') return 'list<char>';
      return `${listSpelling}<${tupTypeName(t.elem, listSpelling)}>`;
    case 'map': return `map<${tupTypeName(t.key, listSpelling)},${tupTypeName(t.value, listSpelling)}>`;
    case 'struct': return t.struct.name;
  }
}

/** The IDL spelling of a type, for messages and signatures (e.g. `map<string, vector<int>>`). */
export function idlTypeName(t: TarsType): string {
  switch (t.kind) {
    case 'ubyte': return 'unsigned byte';
    case 'ushort': return 'unsigned short';
    case 'uint': return 'unsigned int';
    case 'vector': return `vector<${idlTypeName(t.elem)}>`;
    case 'map': return `map<${idlTypeName(t.key)}, ${idlTypeName(t.value)}>`;
    case 'struct': return t.struct.name;
    case 'enum': return t.enum.name;
    default: return t.kind;
  }
}
