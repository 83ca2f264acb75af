/**
 * The AST of the .tars IDL (protocol.md section 4). Every node carries its source position. The parser produces one
 * {@link IdlFile} per file; the loader resolves includes and names and produces an {@link IdlProgram}.
 */

/** A position in a source file; line and col are 1-based, col counts UTF-16 units. */
export interface Pos {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export type PrimitiveKind = 'bool' | 'byte' | 'short' | 'int' | 'long' | 'float' | 'double' | 'string' |
  'ubyte' | 'ushort' | 'uint';

/** A type as written. `named` refers to a struct or enum, possibly `Module::Name`. */
export type TypeRef =
  | {readonly kind: PrimitiveKind; readonly pos: Pos}
  | {readonly kind: 'vector'; readonly elem: TypeRef; readonly pos: Pos}
  | {readonly kind: 'map'; readonly key: TypeRef; readonly value: TypeRef; readonly pos: Pos}
  | NamedTypeRef;

export interface NamedTypeRef {
  readonly kind: 'named';
  /** Module as written (`Mod::Name`), or undefined for a bare name. */
  readonly module?: string;
  readonly name: string;
  readonly pos: Pos;
  /** Filled by the loader: what the name refers to. */
  resolved?: {readonly kind: 'struct' | 'enum'; readonly module: string; readonly name: string};
}

/** A literal as written. Integers keep full 64-bit precision. */
export type ConstValue =
  | {readonly kind: 'int'; readonly value: bigint; readonly text: string; readonly pos: Pos}
  | {readonly kind: 'float'; readonly value: number; readonly text: string; readonly pos: Pos}
  | {readonly kind: 'string'; readonly value: string; readonly pos: Pos}
  | {readonly kind: 'bool'; readonly value: boolean; readonly pos: Pos}
  | EnumValueRef;

/** An identifier used as a value: an enumerator (`Member`, or `Mod::Member`/`Enum::Member` forms if supported). */
export interface EnumValueRef {
  readonly kind: 'ident';
  /**
   * The qualifier as written: `Q` in `Q::Member` (the loader accepts the enum's module or the enum's own name there),
   * or `Mod` in `Mod::Enum::Member`.
   */
  readonly module?: string;
  /** `Enum` in the three-part form `Mod::Enum::Member`; undefined otherwise. */
  readonly enumName?: string;
  readonly name: string;
  readonly pos: Pos;
  /** Filled by the loader when the identifier names an enumerator. */
  resolved?: {readonly module: string; readonly enumName: string; readonly member: string; readonly value: number};
}

export interface FieldDecl {
  readonly tag: number;
  readonly required: boolean;
  readonly type: TypeRef;
  readonly name: string;
  readonly default?: ConstValue;
  readonly pos: Pos;
}

export interface StructDecl {
  readonly kind: 'struct';
  readonly name: string;
  /** Members in source order (code generators sort them by tag). */
  readonly fields: FieldDecl[];
  /** Member names of a `key[Struct, f1, f2]` declaration, when present. */
  key?: string[];
  readonly pos: Pos;
}

export interface EnumMember {
  readonly name: string;
  /** The resolved int32 value (implicit: previous + 1, first 0; explicit: the integer; reference: the copied value). */
  value: number;
  /** The explicit `= value` as written, when present. */
  readonly init?: ConstValue;
  readonly pos: Pos;
}

export interface EnumDecl {
  readonly kind: 'enum';
  readonly name: string;
  readonly members: EnumMember[];
  readonly pos: Pos;
}

export interface ConstDecl {
  readonly kind: 'const';
  readonly type: TypeRef;
  readonly name: string;
  readonly value: ConstValue;
  readonly pos: Pos;
}

export interface KeyDecl {
  readonly kind: 'key';
  readonly struct: string;
  readonly fields: string[];
  readonly pos: Pos;
}

export interface ParamDecl {
  readonly name: string;
  readonly type: TypeRef;
  readonly out: boolean;
  readonly routekey: boolean;
  readonly pos: Pos;
}

export interface OperationDecl {
  readonly name: string;
  /** null for `void`. */
  readonly returnType: TypeRef | null;
  readonly params: ParamDecl[];
  readonly pos: Pos;
}

export interface InterfaceDecl {
  readonly kind: 'interface';
  readonly name: string;
  readonly operations: OperationDecl[];
  readonly pos: Pos;
}

export type Definition = StructDecl | EnumDecl | ConstDecl | KeyDecl | InterfaceDecl;

/** One `module X { ... };` block; a module may be reopened in several blocks and files. */
export interface ModuleBlock {
  readonly name: string;
  readonly definitions: Definition[];
  readonly pos: Pos;
}

export interface IncludeDecl {
  /** The path as written in `#include "..."`. */
  readonly path: string;
  /** Absolute path it resolved to (filled by the loader). */
  resolved?: string;
  readonly pos: Pos;
}

/** One parsed .tars file. */
export interface IdlFile {
  /** The file name as given to the parser (the loader passes absolute paths). */
  readonly path: string;
  readonly includes: IncludeDecl[];
  readonly modules: ModuleBlock[];
}

/** A problem found in IDL source. `sourceLine` is the text of the line, for the caret display. */
export interface Diagnostic {
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly hint?: string;
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly sourceLine?: string;
  /**
   * Set to 'IDL_FILE_NOT_FOUND' when a file or `#include` could not be read; unset for every other problem, which
   * all map to IDL_INVALID. Lets callers tell "fix the path" from "fix the IDL" without matching messages.
   */
  readonly code?: 'IDL_FILE_NOT_FOUND';
}

/** A module merged over every block and file that opens it. */
export interface ModuleScope {
  readonly name: string;
  readonly structs: Map<string, {decl: StructDecl; file: string}>;
  readonly enums: Map<string, {decl: EnumDecl; file: string}>;
  readonly consts: Map<string, {decl: ConstDecl; file: string}>;
  readonly interfaces: Map<string, {decl: InterfaceDecl; file: string}>;
}

/** The result of loading entry files with their includes: every file, and every module merged. */
export interface IdlProgram {
  /** Absolute path -> parsed file, entry files and every file they include. */
  readonly files: Map<string, IdlFile>;
  /** Absolute paths of the entry files, in the order given. */
  readonly entries: string[];
  readonly modules: Map<string, ModuleScope>;
}
