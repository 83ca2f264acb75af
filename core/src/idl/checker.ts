import * as path from 'node:path';
import type {
  ConstDecl, ConstValue, Diagnostic, EnumDecl, EnumMember, FieldDecl, IdlFile, InterfaceDecl, KeyDecl,
  ModuleScope, NamedTypeRef, OperationDecl, Pos, PrimitiveKind, StructDecl, TypeRef,
} from './ast.js';
import {diagnosticAt} from './diagnostics.js';
import type {SourceText} from './source-text.js';
import {closestName} from './suggest.js';

/** Everything the semantic checks need from the loader. */
export interface CheckInput {
  /** Every loaded file, in load order. */
  readonly files: ReadonlyMap<string, IdlFile>;
  /** The text of each file, for quoting lines in diagnostics. */
  readonly sources: ReadonlyMap<string, SourceText>;
  /** For each file, the files whose definitions it may use: itself and everything it includes, transitively. */
  readonly visible: ReadonlyMap<string, ReadonlySet<string>>;
  /** Files that (transitively) include a file that could not be read; unknown names there are not reported. */
  readonly incomplete: ReadonlySet<string>;
  /** How to show a path inside a message. */
  readonly display: (file: string) => string;
}

export interface CheckResult {
  readonly modules: Map<string, ModuleScope>;
  readonly diagnostics: Diagnostic[];
}

/**
 * The semantic checks of protocol.md 4.2, run over every loaded file: merges modules across blocks and files,
 * resolves every named type and enumerator reference (filling `resolved`), computes enum values, sets
 * `StructDecl.key`, and reports each violation as a diagnostic with a hint. Never throws on bad input.
 */
export function checkProgram(input: CheckInput): CheckResult {
  return new Checker(input).run();
}

interface Ctx {
  readonly file: string;
  readonly module: string;
}

type Named =
  | {readonly kind: 'struct'; readonly decl: StructDecl; readonly file: string}
  | {readonly kind: 'enum'; readonly decl: EnumDecl; readonly file: string}
  | {readonly kind: 'const'; readonly decl: ConstDecl; readonly file: string}
  | {readonly kind: 'interface'; readonly decl: InterfaceDecl; readonly file: string};

/** What a value is being checked for, to word the messages: "member 'x'"/"default" or "const 'X'"/"value". */
interface Subject {
  readonly owner: string;
  readonly noun: 'default' | 'value';
}

const INT_RANGES: Readonly<Partial<Record<PrimitiveKind, readonly [bigint, bigint]>>> = {
  byte: [-128n, 127n],
  ubyte: [0n, 255n],
  short: [-32768n, 32767n],
  ushort: [0n, 65535n],
  int: [-2147483648n, 2147483647n],
  uint: [0n, 4294967295n],
  long: [-(2n ** 63n), 2n ** 63n - 1n],
};
const INT32: readonly [bigint, bigint] = [-2147483648n, 2147483647n];
const FLOAT_MAX = 3.4028234663852886e38;
const PRIMITIVE_NAMES = ['bool', 'byte', 'short', 'int', 'long', 'float', 'double', 'string'];
const CONTAINMENT_HINT = 'a struct cannot hold itself directly (it would be infinitely large); ' +
  'hold it in a vector<...> or map<...> instead';

/** The type as it would be written in IDL. */
function typeText(t: TypeRef): string {
  switch (t.kind) {
    case 'ubyte': return 'unsigned byte';
    case 'ushort': return 'unsigned short';
    case 'uint': return 'unsigned int';
    case 'vector': return `vector<${typeText(t.elem)}>`;
    case 'map': return `map<${typeText(t.key)}, ${typeText(t.value)}>`;
    case 'named': return t.module === undefined ? t.name : `${t.module}::${t.name}`;
    default: return t.kind;
  }
}

function describeValue(v: ConstValue): string {
  switch (v.kind) {
    case 'int': return `the integer ${v.text}`;
    case 'float': return `the float ${v.text}`;
    case 'string': return `the string ${JSON.stringify(v.value)}`;
    case 'bool': return `${v.value}`;
    case 'ident': return `the name '${[v.module, v.enumName, v.name].filter((s) => s !== undefined).join('::')}'`;
  }
}

class Checker {
  private readonly modules = new Map<string, ModuleScope>();
  private readonly diagnostics: Diagnostic[] = [];

  constructor(private readonly input: CheckInput) {}

  run(): CheckResult {
    const enums: Array<[EnumDecl, Ctx]> = [];
    const structs: Array<[StructDecl, Ctx]> = [];
    const consts: Array<[ConstDecl, Ctx]> = [];
    const keys: Array<[KeyDecl, Ctx]> = [];
    const interfaces: Array<[InterfaceDecl, Ctx]> = [];
    for (const [file, idl] of this.input.files) {
      for (const block of idl.modules) {
        const scope = this.scope(block.name);
        const ctx: Ctx = {file, module: block.name};
        for (const def of block.definitions) {
          if (def.kind === 'key') {
            keys.push([def, ctx]);
            continue;
          }
          this.declare(scope, def, file);
          switch (def.kind) {
            case 'struct': structs.push([def, ctx]); break;
            case 'enum': enums.push([def, ctx]); break;
            case 'const': consts.push([def, ctx]); break;
            case 'interface': interfaces.push([def, ctx]); break;
          }
        }
      }
    }
    // Enum values first: member defaults anywhere may name them.
    for (const [d, ctx] of enums) this.checkEnum(d, ctx);
    for (const [d, ctx] of structs) this.checkStruct(d, ctx);
    for (const [d, ctx] of keys) this.checkKey(d, ctx);
    for (const [d, ctx] of consts) this.checkConst(d, ctx);
    for (const [d, ctx] of interfaces) this.checkInterface(d, ctx);
    this.checkContainment();
    return {modules: this.modules, diagnostics: this.diagnostics};
  }

  private report(pos: Pos, message: string, hint: string, severity: Diagnostic['severity'] = 'error'): void {
    this.diagnostics.push(diagnosticAt(this.input.sources.get(pos.file), pos, message, hint, severity));
  }

  private scope(name: string): ModuleScope {
    let scope = this.modules.get(name);
    if (scope === undefined) {
      scope = {name, structs: new Map(), enums: new Map(), consts: new Map(), interfaces: new Map()};
      this.modules.set(name, scope);
    }
    return scope;
  }

  private lookup(scope: ModuleScope, name: string): Named | undefined {
    const s = scope.structs.get(name);
    if (s) return {kind: 'struct', ...s};
    const e = scope.enums.get(name);
    if (e) return {kind: 'enum', ...e};
    const c = scope.consts.get(name);
    if (c) return {kind: 'const', ...c};
    const i = scope.interfaces.get(name);
    if (i) return {kind: 'interface', ...i};
    return undefined;
  }

  /** Registers a definition in its module; structs, enums, consts and interfaces share one namespace. */
  private declare(scope: ModuleScope, def: StructDecl | EnumDecl | ConstDecl | InterfaceDecl, file: string): void {
    const prior = this.lookup(scope, def.name);
    if (prior !== undefined) {
      const where = `${this.input.display(prior.file)}:${prior.decl.pos.line}`;
      this.report(def.pos, `'${def.name}' is already defined in module '${scope.name}' (${prior.kind} at ${where})`,
        'rename one of them; a name is defined once per module, across every file and block that opens it');
      return;
    }
    switch (def.kind) {
      case 'struct': scope.structs.set(def.name, {decl: def, file}); break;
      case 'enum': scope.enums.set(def.name, {decl: def, file}); break;
      case 'const': scope.consts.set(def.name, {decl: def, file}); break;
      case 'interface': scope.interfaces.set(def.name, {decl: def, file}); break;
    }
  }

  // ---- enums ----

  private checkEnum(decl: EnumDecl, ctx: Ctx): void {
    const seen = new Map<string, EnumMember>();
    let next = 0n;
    for (const m of decl.members) {
      let value = next;
      const init = m.init;
      if (init?.kind === 'int') {
        value = init.value;
      } else if (init?.kind === 'ident' && init.module === undefined) {
        const earlier = seen.get(init.name);
        if (earlier !== undefined) {
          value = BigInt(earlier.value);
          init.resolved = {module: ctx.module, enumName: decl.name, member: earlier.name, value: earlier.value};
        } else if (init.name === m.name) {
          this.report(init.pos, `enumerator '${m.name}' refers to itself`,
            'give it a number, or the name of an enumerator declared above it');
        } else if (decl.members.some((x) => x.name === init.name)) {
          this.report(init.pos, `enumerator '${m.name}' refers to '${init.name}', which is declared after it`,
            `an enumerator can copy only one declared above it; move '${init.name}' up or write the number`);
        } else {
          const s = closestName(init.name, seen.keys());
          this.report(init.pos, `'${init.name}' is not an enumerator of enum '${decl.name}'`, s !== undefined
            ? `did you mean '${s}'?`
            : 'an enumerator\'s value is an integer or the name of an earlier enumerator of the same enum');
        }
      }
      if (value < INT32[0] || value > INT32[1]) {
        this.report(init?.pos ?? m.pos, `value ${value} of enumerator '${m.name}' does not fit int32`,
          'enum values are int32 on the wire: -2147483648..2147483647');
        value = 0n;
      }
      if (seen.has(m.name)) {
        this.report(m.pos, `duplicate enumerator '${m.name}' in enum '${decl.name}'`,
          `rename it; '${m.name}' is already declared at line ${seen.get(m.name)!.pos.line}`);
      } else {
        seen.set(m.name, m);
      }
      m.value = Number(value);
      next = value + 1n;
    }
  }

  // ---- structs and keys ----

  private checkStruct(decl: StructDecl, ctx: Ctx): void {
    if (decl.fields.length === 0) {
      this.report(decl.pos, `struct '${decl.name}' has no members`,
        'tars2cpp rejects empty structs; add a member if C++ peers use this file', 'warning');
    }
    const names = new Map<string, FieldDecl>();
    const tags = new Map<number, FieldDecl>();
    for (const f of decl.fields) {
      if (!Number.isInteger(f.tag) || f.tag < 0 || f.tag > 255) {
        this.report(f.pos, `tag ${f.tag} of member '${f.name}' is out of range 0..255`,
          'tags are 0..255: the wire head has room for no more');
      } else if (tags.has(f.tag)) {
        let free = 0;
        while (free < 256 && tags.has(free)) free++;
        this.report(f.pos, `duplicate tag ${f.tag} in struct '${decl.name}': '${tags.get(f.tag)!.name}' and ` +
          `'${f.name}' both use it`, `give each member its own tag${free < 256 ? `; ${free} is free` : ''}`);
      } else {
        tags.set(f.tag, f);
      }
      const prior = names.get(f.name);
      if (prior !== undefined) {
        this.report(f.pos, `duplicate member '${f.name}' in struct '${decl.name}'`,
          `rename one of them; the first '${f.name}' is at line ${prior.pos.line}`);
      } else {
        names.set(f.name, f);
      }
      this.resolveType(f.type, ctx);
      if (f.default !== undefined) this.checkValue(f.type, f.default, {owner: `member '${f.name}'`, noun: 'default'});
    }
  }

  private checkKey(decl: KeyDecl, ctx: Ctx): void {
    const scope = this.scope(ctx.module);
    const entry = scope.structs.get(decl.struct);
    if (entry === undefined) {
      const s = closestName(decl.struct, scope.structs.keys());
      this.report(decl.pos, `key[...] names unknown struct '${decl.struct}' in module '${ctx.module}'`,
        s !== undefined ? `did you mean '${s}'?` : `key[...] must name a struct of module '${ctx.module}'`);
      return;
    }
    const struct = entry.decl;
    if (struct.key !== undefined) {
      this.report(decl.pos, `struct '${struct.name}' already has a key`, 'declare one key[...] per struct');
      return;
    }
    const members = struct.fields.map((f) => f.name);
    const key: string[] = [];
    for (const name of decl.fields) {
      if (!members.includes(name)) {
        const s = closestName(name, members);
        this.report(decl.pos, `'${name}' is not a member of struct '${struct.name}'`, s !== undefined
          ? `did you mean '${s}'?` : `key[...] lists members of '${struct.name}': ${members.join(', ')}`);
      } else if (key.includes(name)) {
        this.report(decl.pos, `'${name}' appears twice in key[${struct.name}, ...]`, 'list each member once');
      } else {
        key.push(name);
      }
    }
    if (key.length > 0) struct.key = key;
  }

  /**
   * Reports structs that contain themselves by value (directly or through other structs): such a struct would be
   * infinitely large. Containment through vector or map is fine. Iterative, so a long chain of structs cannot
   * exhaust the stack.
   */
  private checkContainment(): void {
    interface Edge {
      readonly from: StructDecl;
      readonly field: FieldDecl;
      readonly to: string;
    }
    const nodes = new Map<string, StructDecl>();
    for (const [m, scope] of this.modules) for (const [n, e] of scope.structs) nodes.set(`${m}::${n}`, e.decl);
    const edgesOf = (id: string): Edge[] => {
      const from = nodes.get(id)!;
      const out: Edge[] = [];
      for (const field of from.fields) {
        const r = field.type.kind === 'named' ? field.type.resolved : undefined;
        if (r?.kind === 'struct' && nodes.has(`${r.module}::${r.name}`)) {
          out.push({from, field, to: `${r.module}::${r.name}`});
        }
      }
      return out;
    };
    const state = new Map<string, 'active' | 'done'>();
    for (const root of nodes.keys()) {
      if (state.has(root)) continue;
      const stack: Array<{id: string; edges: Edge[]; next: number; via?: Edge}> = [];
      stack.push({id: root, edges: edgesOf(root), next: 0});
      state.set(root, 'active');
      while (stack.length > 0) {
        const top = stack[stack.length - 1]!;
        if (top.next >= top.edges.length) {
          state.set(top.id, 'done');
          stack.pop();
          continue;
        }
        const e = top.edges[top.next++]!;
        const s = state.get(e.to);
        if (s === undefined) {
          state.set(e.to, 'active');
          stack.push({id: e.to, edges: edgesOf(e.to), next: 0, via: e});
        } else if (s === 'active') {
          const k = stack.findIndex((fr) => fr.id === e.to);
          const cycle = [e, ...stack.slice(k + 1).map((fr) => fr.via!)];
          if (cycle.length === 1) {
            this.report(e.field.pos, `struct '${e.from.name}' contains itself through member '${e.field.name}'`,
              CONTAINMENT_HINT);
          } else {
            const chain = cycle.map((c) => `${c.from.name}.${c.field.name}`).join(' -> ');
            this.report(e.field.pos, `struct '${e.from.name}' contains itself: ${chain} -> ${e.from.name}`,
              CONTAINMENT_HINT);
          }
        }
      }
    }
  }

  // ---- consts and interfaces ----

  private checkConst(decl: ConstDecl, ctx: Ctx): void {
    const t = decl.type;
    if (t.kind === 'vector' || t.kind === 'map' || t.kind === 'named') {
      if (t.kind === 'named') this.resolveType(t, ctx);
      this.report(t.pos, `const '${decl.name}' must have a built-in type, not ${typeText(t)}`,
        'a const is bool, byte, short, int, long, float, double, string or unsigned byte|short|int');
      return;
    }
    this.checkValue(t, decl.value, {owner: `const '${decl.name}'`, noun: 'value'});
  }

  private checkInterface(decl: InterfaceDecl, ctx: Ctx): void {
    const ops = new Set<string>();
    for (const op of decl.operations) {
      if (ops.has(op.name)) {
        this.report(op.pos, `duplicate operation '${op.name}' in interface '${decl.name}'`,
          'operation names are unique within an interface (there is no overloading); rename one');
      }
      ops.add(op.name);
      if (op.returnType !== null) this.resolveType(op.returnType, ctx);
      if (op.params.length > 255) {
        this.report(op.pos, `operation '${op.name}' has ${op.params.length} parameters; at most 255 are allowed`,
          'parameters are tagged 1..255 on the wire; pass a struct instead');
      }
      const params = new Set<string>();
      let routekeys = 0;
      for (const p of op.params) {
        this.resolveType(p.type, ctx);
        if (p.name === op.name) {
          this.report(p.pos, `parameter '${p.name}' has the same name as its operation`,
            'rename the parameter; generated code cannot use one name for both');
        } else if (params.has(p.name)) {
          this.report(p.pos, `duplicate parameter '${p.name}' in operation '${op.name}'`, 'rename one of them');
        }
        params.add(p.name);
        if (p.routekey && ++routekeys === 2) {
          this.report(p.pos, `only the first routekey parameter of '${op.name}' is used for routing`,
            'mark one parameter \'routekey\'', 'warning');
        }
      }
      if (op.returnType !== null) this.checkReturnName(op);
    }
  }

  /**
   * The return value of a call result is `ret`, or `ret_` when an out-parameter is named `ret` (README "Naming
   * rules", protocol/operation.ts `returnKey`). With parameters named both, one of the two names would mean the
   * return value and a parameter at once (with two out-parameters, a result type with two `ret_` members), so a
   * non-void operation may use one of the names, not both; void operations have no return key to collide with. An
   * out-parameter `ret` alone works here but is warned about: tars2cpp's async callback and tars2go's proxy both
   * name the return value `ret` next to the parameters, so their generated code does not compile. An in-parameter
   * `ret` stays silent: the framework's AdminReg.tars has one (reportResult), it never meets the return value in a
   * result object, and tars2cpp's callbacks carry only the return value and the out-parameters.
   */
  private checkReturnName(op: OperationDecl): void {
    const ret = op.params.find((p) => p.name === 'ret');
    const retAlt = op.params.find((p) => p.name === 'ret_');
    if (ret !== undefined && retAlt !== undefined) {
      const later = op.params.indexOf(ret) < op.params.indexOf(retAlt) ? retAlt : ret;
      this.report(later.pos, `operation '${op.name}' returns a value and has parameters named both 'ret' and ` +
        '\'ret_\', the two names its return value takes in generated code',
      `rename the parameter '${later.name}'; a parameter may take one of the two names, not both`);
    } else if (ret?.out === true) {
      this.report(ret.pos, `out-parameter 'ret' of '${op.name}' next to its return value: the return value is ` +
        '\'ret_\' in generated TypeScript, and code generated by tars2cpp and tars2go does not compile',
      'rename the parameter if C++ or Go peers use this file', 'warning');
    }
  }

  // ---- types ----

  private resolveType(t: TypeRef, ctx: Ctx): void {
    if (t.kind === 'vector') this.resolveType(t.elem, ctx);
    else if (t.kind === 'map') {
      this.resolveType(t.key, ctx);
      this.resolveType(t.value, ctx);
    } else if (t.kind === 'named') this.resolveNamed(t, ctx);
  }

  /** Resolves `Name` in the current module, or `Mod::Name` in module Mod; only structs and enums are types. */
  private resolveNamed(ref: NamedTypeRef, ctx: Ctx): void {
    const moduleName = ref.module ?? ctx.module;
    const scope = this.modules.get(moduleName);
    const written = typeText(ref);
    const quiet = this.input.incomplete.has(ctx.file);
    if (scope === undefined) {
      if (quiet) return;
      const s = closestName(moduleName, this.modules.keys());
      this.report(ref.pos, `unknown module '${moduleName}' in '${written}'`, s !== undefined
        ? `did you mean '${s}::${ref.name}'?` : `#include the file that declares module '${moduleName}'`);
      return;
    }
    const found = this.lookup(scope, ref.name);
    if (found?.kind === 'struct' || found?.kind === 'enum') {
      ref.resolved = {kind: found.kind, module: moduleName, name: ref.name};
      if (!(this.input.visible.get(ctx.file)?.has(found.file) ?? true)) {
        const rel = path.relative(path.dirname(ctx.file), found.file).split(path.sep).join('/');
        this.report(ref.pos, `'${written}' is declared in ${this.input.display(found.file)}, ` +
          'which this file does not #include', `add #include "${rel}" to this file`);
      }
      return;
    }
    if (found !== undefined) {
      this.report(ref.pos, `'${written}' is ${found.kind === 'const' ? 'a const' : 'an interface'}, not a type`,
        'only built-in types, structs and enums can be used as types');
      return;
    }
    if (quiet) return;
    if (ref.module === undefined) {
      for (const [other, s] of this.modules) {
        if (other !== moduleName && (s.structs.has(ref.name) || s.enums.has(ref.name))) {
          this.report(ref.pos, `unknown type '${ref.name}' in module '${moduleName}'`,
            `'${ref.name}' is declared in module '${other}'; write '${other}::${ref.name}'`);
          return;
        }
      }
    }
    const candidates: string[] = [...scope.structs.keys(), ...scope.enums.keys()];
    if (ref.module === undefined) candidates.push(...PRIMITIVE_NAMES);
    for (const [other, s] of this.modules) {
      if (other === moduleName) continue;
      for (const n of [...s.structs.keys(), ...s.enums.keys()]) candidates.push(`${other}::${n}`);
    }
    const s = closestName(ref.module === undefined ? ref.name : written, candidates) ??
      (ref.module !== undefined ? closestName(ref.name, [...scope.structs.keys(), ...scope.enums.keys()]) : undefined);
    const suggestion = s !== undefined && ref.module !== undefined && !s.includes('::') ? `${ref.module}::${s}` : s;
    this.report(ref.pos, `unknown type '${written}'`, suggestion !== undefined
      ? `did you mean '${suggestion}'?`
      : `declare a struct or enum '${ref.name}' in module '${moduleName}', or #include the file that declares it`);
  }

  // ---- values ----

  /** Checks a default or const value against its type, filling `resolved` on enumerator references. */
  private checkValue(type: TypeRef, v: ConstValue, subject: Subject): void {
    const {owner, noun} = subject;
    const mismatch = (hint: string): void =>
      this.report(v.pos, `${owner} is ${typeText(type)}, but its ${noun} is ${describeValue(v)}`, hint);
    switch (type.kind) {
      case 'vector':
      case 'map':
        this.report(v.pos, `${owner} is ${typeText(type)}; only bool, number, string and enum members can have a ` +
          'default', 'remove \'= ...\'; vector and map members start out empty');
        return;
      case 'named': {
        const r = type.resolved;
        if (r === undefined) return;
        if (r.kind === 'struct') {
          this.report(v.pos, `${owner} is struct '${typeText(type)}'; only bool, number, string and enum members ` +
            'can have a default', 'remove \'= ...\'; a struct member starts out with its own defaults');
          return;
        }
        this.checkEnumValue(r.module, r.name, v, subject, mismatch);
        return;
      }
      case 'bool':
        if (v.kind !== 'bool') mismatch('write true or false');
        return;
      case 'string':
        if (v.kind !== 'string') mismatch('write a string in double quotes, e.g. "text"');
        return;
      case 'float':
      case 'double':
        if (v.kind !== 'int' && v.kind !== 'float') mismatch('write a number, e.g. 0.5');
        else if (type.kind === 'float' && Math.abs(Number(v.value)) > FLOAT_MAX) {
          this.report(v.pos, `${noun} ${v.text} is out of range for float ${owner}`,
            'a float holds at most about 3.4e38; use double');
        }
        return;
      default: {
        const [lo, hi] = INT_RANGES[type.kind]!;
        if (v.kind !== 'int') mismatch(`write an integer in ${lo}..${hi}, e.g. 0`);
        else if (v.value < lo || v.value > hi) {
          this.report(v.pos, `${noun} ${v.text} is out of range for ${typeText(type)} ${owner} (${lo}..${hi})`,
            `use a value in ${lo}..${hi}, or a wider type`);
        }
      }
    }
  }

  private checkEnumValue(
    module: string, name: string, v: ConstValue, subject: Subject, mismatch: (hint: string) => void,
  ): void {
    const decl = this.modules.get(module)?.enums.get(name)?.decl;
    if (decl === undefined) return;
    const example = decl.members[0]?.name ?? 'MEMBER';
    if (v.kind === 'int') {
      if (v.value < INT32[0] || v.value > INT32[1]) {
        this.report(v.pos, `${subject.noun} ${v.text} of ${subject.owner} does not fit an enum (int32)`,
          `write a member of enum '${name}', e.g. ${example}`);
      }
      return;
    }
    if (v.kind !== 'ident') {
      mismatch(`write a member of enum '${name}', e.g. ${example}`);
      return;
    }
    // Accepted spellings: Member, Enum::Member, Module::Member, Module::Enum::Member.
    const qualified = v.enumName !== undefined ? v.module === module && v.enumName === name
      : v.module === undefined || v.module === name || v.module === module;
    const member = qualified ? decl.members.find((m) => m.name === v.name) : undefined;
    if (member === undefined) {
      const written = [v.module, v.enumName, v.name].filter((s) => s !== undefined).join('::');
      const names = decl.members.map((m) => m.name);
      const s = closestName(v.name, names);
      this.report(v.pos, `'${written}' is not a member of enum '${name}'`, s !== undefined && qualified
        ? `did you mean '${s}'?`
        : `members of '${name}' are: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', ...' : ''}`);
      return;
    }
    v.resolved = {module, enumName: name, member: member.name, value: member.value};
  }
}
