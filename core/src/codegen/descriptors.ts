import type {EnumDef, StructDef, TarsType} from '../codec/types.js';
import type {ConstValue, IdlProgram, TypeRef} from '../idl/ast.js';
import type {InterfaceDef} from '../protocol/operation.js';

/** Run-time descriptors of everything a loaded IDL program declares, keyed by qualified name (`Module.Name`). */
export interface ProgramDescriptors {
  readonly interfaces: Map<string, InterfaceDef>;
  readonly structs: Map<string, StructDef>;
  readonly enums: Map<string, EnumDef>;
}

/**
 * Descriptors straight from the AST, without generating code: what `tars call --tars file.tars` encodes with. They
 * drive the generic codec (no compiled hooks) and give the same bytes as generated code.
 */
export function describeProgram(program: IdlProgram): ProgramDescriptors {
  const structs = new Map<string, StructDef>();
  const enums = new Map<string, EnumDef>();
  for (const [module, scope] of program.modules) {
    for (const [name, {decl}] of scope.enums) {
      enums.set(`${module}.${name}`, {name: `${module}.${name}`, members: decl.members.map((m) => ({name: m.name,
        value: m.value}))});
    }
    for (const name of scope.structs.keys()) structs.set(`${module}.${name}`, {name: `${module}.${name}`, fields: []});
  }
  const type = (t: TypeRef): TarsType => {
    switch (t.kind) {
      case 'vector': return {kind: 'vector', elem: type(t.elem)};
      case 'map': return {kind: 'map', key: type(t.key), value: type(t.value)};
      case 'named': {
        const r = t.resolved;
        if (!r) throw new Error(`unresolved type ${t.name}`);
        const q = `${r.module}.${r.name}`;
        return r.kind === 'struct' ? {kind: 'struct', struct: structs.get(q)!} : {kind: 'enum', enum: enums.get(q)!};
      }
      default: return {kind: t.kind};
    }
  };
  const value = (t: TarsType, v: ConstValue): unknown => {
    if (v.kind === 'ident') return v.resolved?.value ?? 0;
    if (t.kind === 'long') return v.kind === 'int' ? v.value : BigInt(Math.trunc(Number(v.value)));
    if (t.kind === 'string') return String(v.value);
    if (t.kind === 'bool') return Boolean(v.value);
    return Number(v.value);
  };
  for (const [module, scope] of program.modules) {
    for (const [name, {decl}] of scope.structs) {
      structs.get(`${module}.${name}`)!.fields = [...decl.fields].sort((a, b) => a.tag - b.tag).map((f) => {
        const t = type(f.type);
        return {tag: f.tag, name: f.name, type: t, required: f.required,
          ...(f.default ? {default: value(t, f.default)} : {})};
      });
    }
  }
  const interfaces = new Map<string, InterfaceDef>();
  for (const [module, scope] of program.modules) {
    for (const [name, {decl}] of scope.interfaces) {
      interfaces.set(`${module}.${name}`, {name: `${module}.${name}`, operations: decl.operations.map((op) => ({
        name: op.name, ret: op.returnType ? type(op.returnType) : null,
        params: op.params.map((p, i) => ({name: p.name, tag: i + 1, type: type(p.type), out: p.out,
          ...(p.routekey ? {routekey: true} : {})})),
      }))});
    }
  }
  return {interfaces, structs, enums};
}
