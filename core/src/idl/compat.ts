/**
 * Wire compatibility of two versions of an interface: which changes between an old and a new .tars program break
 * peers that still use the other version, judged by the TARS binary encoding (protocol.md sections 1 and 2.4):
 *
 * - A struct is read field by field by tag; an unknown tag is skipped, an absent optional field keeps its default,
 *   an absent `require` field is a decode error (1.9, 1.11).
 * - Integers are written in the narrowest width that holds the value, and every reader (TarsCpp, TarsGo, Node)
 *   accepts a narrower or equal integer head and refuses a wider one (1.4, 1.10). bool is a byte, enum an int32,
 *   unsigned byte/short/int are written as short/int/long (1.5).
 * - A request's parameters are encoded by position as tags 1..n, in- and out-parameters counted together; the
 *   return value is tag 0 of the response; servers read in-parameters as required (2.4).
 * - Consts, `key[...]` and struct, interface and module names never travel in TARS (iVersion 1) calls.
 *
 * Pure: no I/O. Callers load both versions with `loadIdl` and pass the programs.
 */
import type {
  ConstDecl, ConstValue, EnumDecl, FieldDecl, IdlProgram, InterfaceDecl, ModuleScope, OperationDecl, ParamDecl, Pos,
  PrimitiveKind, StructDecl, TypeRef,
} from './ast.js';

/**
 * How a change affects peers that still use the other version:
 * - `breaking`: decoding fails or values land in the wrong place for some peers (a CI check should fail);
 * - `risky`: the TARS wire still decodes, but what a value means or which values fit changes (review it);
 * - `compatible`: old and new peers interoperate.
 */
export type IdlChangeSeverity = 'breaking' | 'risky' | 'compatible';

/** The stable ids of the changes {@link compareIdl} reports; each comes with one fixed severity unless noted. */
export type IdlChangeKind =
  // structs
  | 'struct-added' | 'struct-removed' | 'struct-key-changed'
  | 'required-field-added' | 'optional-field-added' | 'required-field-removed' | 'optional-field-removed'
  | 'field-type-changed' | 'field-element-type-changed' | 'field-type-widened' | 'field-type-reinterpreted'
  | 'field-renamed' | 'field-tag-reused' | 'field-tag-changed' | 'field-made-optional' | 'field-made-required'
  | 'field-default-changed'
  // enums
  | 'enum-added' | 'enum-removed' | 'enumerator-added' | 'enumerator-removed' | 'enumerator-renamed'
  | 'enum-value-renumbered'
  // consts
  | 'const-added' | 'const-removed' | 'const-value-changed' | 'const-type-changed'
  // interfaces
  | 'interface-added' | 'interface-removed' | 'function-added' | 'function-removed'
  | 'return-type-changed' | 'return-type-widened' | 'return-type-reinterpreted'
  | 'parameter-added' | 'parameter-removed' | 'parameter-reordered' | 'parameter-renamed'
  | 'parameter-type-changed' | 'parameter-element-type-changed' | 'parameter-type-widened'
  | 'parameter-type-reinterpreted' | 'parameter-direction-changed' | 'parameter-routekey-changed';

/** One difference between the two programs. */
export interface IdlChange {
  readonly kind: IdlChangeKind;
  readonly severity: IdlChangeSeverity;
  /** The module holding the definition (of the old program for removals, of the new one otherwise). */
  readonly module: string;
  /** The struct, enum, const or interface name. */
  readonly definition: string;
  /** The field, enumerator, operation or parameter (`operation(parameter)`), when the change is inside one. */
  readonly member?: string;
  /** What changed and why it breaks or not, in wire terms. */
  readonly message: string;
  /** Where it was in the old program (absent for additions). */
  readonly old?: Pos;
  /** Where it is in the new program (absent for removals). */
  readonly new?: Pos;
}

/** Severity order for sorting and summaries: breaking first. */
export const SEVERITY_ORDER: readonly IdlChangeSeverity[] = ['breaking', 'risky', 'compatible'];

/**
 * Compares two loaded programs (every module of every file they load, includes too) and lists the changes, ordered
 * by module, then definition (structs, enums, consts, interfaces; by name), then member. Definitions are matched by
 * module and name, struct fields by tag (and by name, to see a field moved to another tag), enumerators by name,
 * operations by name and parameters by position (their tag) and name. A module renamed shows as everything in it
 * removed and added. Comments, whitespace and the order of definitions do not count. Both programs should be free
 * of errors (see `assertNoErrors`); a partial program gives partial results.
 */
export function compareIdl(oldProgram: IdlProgram, newProgram: IdlProgram): IdlChange[] {
  return new Comparer(oldProgram, newProgram).run();
}

/** The slot a type sits in, which names the kind of a type change. */
type Slot = 'field' | 'parameter' | 'return';

/** The outcome of comparing two types, from harmless to breaking. */
interface TypeVerdict {
  readonly level: 'same' | 'reinterpreted' | 'widened' | 'changed';
  /** Set when the difference is inside a vector or map whose container kind is unchanged. */
  readonly inside: boolean;
  /** What differs, in words ('' when the same). */
  readonly detail: string;
}

const LEVEL_RANK = {same: 0, reinterpreted: 1, widened: 2, changed: 3} as const;
const SAME: TypeVerdict = {level: 'same', inside: false, detail: ''};

/**
 * The integer width each integral type is read with (1.5, 1.10): 0 byte, 1 short, 2 int, 3 long. bool is a byte;
 * unsigned types are written as the next wider signed type; an enum is an int32.
 */
const INT_RANK: Readonly<Partial<Record<PrimitiveKind, number>>> = {
  bool: 0, byte: 0, short: 1, ubyte: 1, int: 2, ushort: 2, long: 3, uint: 3,
};
const WIDTH_NAME = ['BYTE', 'SHORT', 'INT', 'LONG'];

/** The type as written in IDL. */
export function idlTypeText(t: TypeRef | null): string {
  if (t === null) return 'void';
  switch (t.kind) {
    case 'ubyte': return 'unsigned byte';
    case 'ushort': return 'unsigned short';
    case 'uint': return 'unsigned int';
    case 'vector': return `vector<${idlTypeText(t.elem)}>`;
    case 'map': return `map<${idlTypeText(t.key)}, ${idlTypeText(t.value)}>`;
    case 'named': return t.module === undefined ? t.name : `${t.module}::${t.name}`;
    default: return t.kind;
  }
}

/** What a type is on the wire, for comparing: integers by width, everything else by head type. */
type WireShape =
  | {readonly k: 'int'; readonly rank: number; readonly ident: string}
  | {readonly k: 'float' | 'double' | 'string' | 'bytes'}
  | {readonly k: 'list'; readonly elem: TypeRef}
  | {readonly k: 'map'; readonly key: TypeRef; readonly value: TypeRef}
  | {readonly k: 'struct'; readonly module: string; readonly name: string};

const HEAD_NAME: Record<WireShape['k'], string> = {
  int: 'integer', float: 'FLOAT', double: 'DOUBLE', string: 'STRING', bytes: 'SIMPLE_LIST (vector<byte>)',
  list: 'LIST', map: 'MAP', struct: 'STRUCT_BEGIN',
};

function shapeOf(t: TypeRef): WireShape {
  switch (t.kind) {
    case 'float': case 'double': case 'string':
      return {k: t.kind};
    case 'vector':
      return t.elem.kind === 'byte' ? {k: 'bytes'} : {k: 'list', elem: t.elem};
    case 'map':
      return {k: 'map', key: t.key, value: t.value};
    case 'named': {
      const r = t.resolved;
      const module = r?.module ?? t.module ?? '';
      if (r?.kind === 'enum') return {k: 'int', rank: 2, ident: `enum ${module}::${t.name}`};
      return {k: 'struct', module, name: t.name};
    }
    default:
      return {k: 'int', rank: INT_RANK[t.kind]!, ident: t.kind};
  }
}

function worse(a: TypeVerdict, b: TypeVerdict): TypeVerdict {
  return LEVEL_RANK[b.level] > LEVEL_RANK[a.level] ? b : a;
}

class Comparer {
  private readonly changes: IdlChange[] = [];
  /** Struct pairs being compared structurally, to stop on recursive types. */
  private readonly structsInProgress = new Set<string>();

  constructor(private readonly oldP: IdlProgram, private readonly newP: IdlProgram) {}

  run(): IdlChange[] {
    const names = [...new Set([...this.oldP.modules.keys(), ...this.newP.modules.keys()])].sort();
    for (const name of names) {
      const o = this.oldP.modules.get(name);
      const n = this.newP.modules.get(name);
      this.compareModule(name, o, n);
    }
    return this.changes;
  }

  private add(change: IdlChange): void {
    this.changes.push(change);
  }

  private compareModule(module: string, o: ModuleScope | undefined, n: ModuleScope | undefined): void {
    const gone = o !== undefined && n === undefined
      ? ` (module '${module}' is gone; a renamed module shows as everything in it removed and added again)`
      : '';
    const isNew = o === undefined ? ` (module '${module}' is new)` : '';
    const each = <T>(pick: (m: ModuleScope) => Map<string, {decl: T; file: string}>,
      visit: (name: string, a: T | undefined, b: T | undefined) => void): void => {
      const a = o === undefined ? new Map<string, {decl: T}>() : pick(o);
      const b = n === undefined ? new Map<string, {decl: T}>() : pick(n);
      for (const name of [...new Set([...a.keys(), ...b.keys()])].sort()) visit(name, a.get(name)?.decl, b.get(name)?.decl);
    };
    each((m) => m.structs, (name, a, b) => this.compareStruct(module, name, a, b, gone, isNew));
    each((m) => m.enums, (name, a, b) => this.compareEnum(module, name, a, b, gone, isNew));
    each((m) => m.consts, (name, a, b) => this.compareConst(module, name, a, b, gone, isNew));
    each((m) => m.interfaces, (name, a, b) => this.compareInterface(module, name, a, b, gone, isNew));
  }

  // ---------------------------------------------------------------------------------------------------- types

  /**
   * Compares the type a reader of the new IDL expects with the type the old IDL writes (and the other way round).
   * Integer widening is `widened`: every reader accepts narrower integer heads, but old readers refuse the wider
   * heads that new values beyond the old range are written with. Same width with another meaning (bool/byte,
   * int/enum/unsigned short, a struct renamed with the same fields) is `reinterpreted`.
   */
  private compareTypes(o: TypeRef, n: TypeRef): TypeVerdict {
    const a = shapeOf(o);
    const b = shapeOf(n);
    const was = `type ${idlTypeText(o)} -> ${idlTypeText(n)}`;
    if (a.k === 'int' && b.k === 'int') {
      if (a.ident === b.ident) return SAME;
      if (b.rank > a.rank) {
        return {level: 'widened', inside: false, detail: `${was}: readers of the new type accept the narrower ` +
          `${WIDTH_NAME[a.rank]} heads old peers write (TarsCpp, TarsGo and Node read any smaller integer into a ` +
          `larger field), but peers on the old IDL refuse a value beyond ${idlTypeText(o)}'s range, which is ` +
          `written as ${WIDTH_NAME[a.rank + 1]} or wider`};
      }
      if (b.rank < a.rank) {
        return {level: 'changed', inside: false, detail: `${was} narrows the integer: a reader of ` +
          `${idlTypeText(n)} refuses the ${WIDTH_NAME[b.rank + 1]} or wider heads that ${idlTypeText(o)} values ` +
          'beyond its range are written as'};
      }
      return {level: 'reinterpreted', inside: false, detail: `${was}: the same ${WIDTH_NAME[a.rank]}-or-narrower ` +
        'integer on the wire, read with another meaning (sign, range, truth value or enumerators)'};
    }
    if (a.k !== b.k) {
      const extra = a.k === 'float' && b.k === 'double'
        ? ' (TarsCpp and TarsGo read a FLOAT into a double, but Node refuses it, and old float readers refuse DOUBLE)'
        : a.k === 'bytes' || b.k === 'bytes'
          ? ' (vector<byte> travels as SIMPLE_LIST, every other vector as LIST)'
          : '';
      return {level: 'changed', inside: false,
        detail: `${was}: a reader of the new type refuses the ${HEAD_NAME[a.k]} head the old type is written as${extra}`};
    }
    if (a.k === 'list' && b.k === 'list') return this.inner('vector element', this.compareTypes(a.elem, b.elem));
    if (a.k === 'map' && b.k === 'map') {
      return worse(this.inner('map key', this.compareTypes(a.key, b.key)),
        this.inner('map value', this.compareTypes(a.value, b.value)));
    }
    if (a.k === 'struct' && b.k === 'struct') return this.compareStructRefs(a, b, was);
    return SAME;
  }

  private inner(where: string, v: TypeVerdict): TypeVerdict {
    return v.level === 'same' ? v : {level: v.level, inside: true, detail: `${where} ${v.detail}`};
  }

  /**
   * Two struct references. The same name: the struct's own changes are reported on the struct. Another name: the
   * wire carries no struct names in TARS calls, so the two structs are compared field by field.
   */
  private compareStructRefs(a: {module: string; name: string}, b: {module: string; name: string},
    was: string): TypeVerdict {
    if (a.module === b.module && a.name === b.name) return SAME;
    const key = `${a.module}::${a.name}|${b.module}::${b.name}`;
    if (this.structsInProgress.has(key)) return SAME;
    const os = this.oldP.modules.get(a.module)?.structs.get(a.name)?.decl;
    const ns = this.newP.modules.get(b.module)?.structs.get(b.name)?.decl;
    if (os === undefined || ns === undefined) return SAME;
    this.structsInProgress.add(key);
    try {
      const byTag = new Map(ns.fields.map((f) => [f.tag, f]));
      let level: TypeVerdict['level'] = 'reinterpreted';
      if (os.fields.length !== ns.fields.length) level = 'changed';
      for (const f of os.fields) {
        const g = byTag.get(f.tag);
        if (g === undefined || g.required !== f.required) {
          level = 'changed';
          continue;
        }
        const v = this.compareTypes(f.type, g.type);
        if (v.level === 'changed') level = 'changed';
        else if (v.level === 'widened' && level !== 'changed') level = 'widened';
      }
      return level === 'changed'
        ? {level, inside: false, detail: `${was}: another struct with different tags, types or require/optional`}
        : {level, inside: false, detail: `${was}: another struct name with the same tags and ` +
          `${level === 'widened' ? 'wider integer' : 'wire'} types (TARS calls carry no struct names; TUP ` +
          'version 2 does, as Module.Struct)'};
    } finally {
      this.structsInProgress.delete(key);
    }
  }

  /** Reports a type change of a field, parameter or return value; nothing when the types are the same. */
  private typeChange(slot: Slot, o: TypeRef | null, n: TypeRef | null, at: Omit<IdlChange, 'kind' | 'severity' |
    'message'>, what: string, breaksBecause: string): void {
    let v: TypeVerdict;
    if (o === null || n === null) {
      if (o === n) return;
      v = {level: 'changed', inside: false, detail: `type ${idlTypeText(o)} -> ${idlTypeText(n)}`};
    } else {
      v = this.compareTypes(o, n);
    }
    if (v.level === 'same') return;
    const kind = v.level === 'changed'
      ? (v.inside && slot !== 'return' ? `${slot}-element-type-changed` : `${slot}-type-changed`)
      : `${slot}-type-${v.level}`;
    const severity: IdlChangeSeverity = v.level === 'changed' ? 'breaking' : 'risky';
    const tail = v.level === 'changed' ? `; ${breaksBecause}` : '';
    this.add({...at, kind: kind as IdlChangeKind, severity, message: `${what}: ${v.detail}${tail}`});
  }

  // -------------------------------------------------------------------------------------------------- structs

  private compareStruct(module: string, name: string, o: StructDecl | undefined, n: StructDecl | undefined,
    gone: string, isNew: string): void {
    if (o === undefined && n !== undefined) {
      this.add({kind: 'struct-added', severity: 'compatible', module, definition: name, new: n.pos,
        message: `struct '${name}' is new${isNew}: nothing on the wire uses it until a field or parameter does`});
      return;
    }
    if (n === undefined && o !== undefined) {
      this.add({kind: 'struct-removed', severity: 'risky', module, definition: name, old: o.pos,
        message: `struct '${name}' is gone${gone}: no effect on the wire by itself (every field or parameter that ` +
          'used it is reported separately), but code built from other .tars files that use it no longer compiles'});
      return;
    }
    if (o === undefined || n === undefined) return;
    const at = {module, definition: name};
    const oldByName = new Map(o.fields.map((f) => [f.name, f]));
    const newByName = new Map(n.fields.map((f) => [f.name, f]));
    const newByTag = new Map(n.fields.map((f) => [f.tag, f]));
    const oldByTag = new Map(o.fields.map((f) => [f.tag, f]));
    const moved = new Set<string>();
    for (const f of [...o.fields].sort((x, y) => x.tag - y.tag)) {
      const g = newByName.get(f.name);
      if (g === undefined || g.tag === f.tag) continue;
      moved.add(f.name);
      this.add({...at, kind: 'field-tag-changed', severity: 'breaking', member: f.name, old: f.pos, new: g.pos,
        message: `field '${f.name}' moved from tag ${f.tag} to tag ${g.tag}: readers find fields by tag, so peers on ` +
          `the old IDL look for it at tag ${f.tag} and new readers at tag ${g.tag}, and neither finds the other's value`});
    }
    const tags = [...new Set([...oldByTag.keys(), ...newByTag.keys()])].sort((x, y) => x - y);
    for (const tag of tags) {
      const f = oldByTag.get(tag);
      const g = newByTag.get(tag);
      if (f !== undefined && g !== undefined) {
        this.compareField(at, f, g, moved, oldByName);
      } else if (f !== undefined && !moved.has(f.name)) {
        this.add({...at, member: f.name, old: f.pos, ...(f.required
          ? {kind: 'required-field-removed', severity: 'breaking', message: `required field '${f.name}' (tag ${tag}) ` +
            'is gone: writers on the new IDL no longer send the tag, and readers on the old IDL fail on the missing ' +
            'require field'}
          : {kind: 'optional-field-removed', severity: 'compatible', message: `optional field '${f.name}' (tag ${tag}) ` +
            'is gone: readers on the old IDL use its default when the tag is absent, and new readers skip it; never ' +
            `reuse tag ${tag} for a field of another type`}) as Pick<IdlChange, 'kind' | 'severity' | 'message'>});
      } else if (g !== undefined && !oldByName.has(g.name)) {
        this.add({...at, member: g.name, new: g.pos, ...(g.required
          ? {kind: 'required-field-added', severity: 'breaking', message: `required field '${g.name}' (tag ${tag}, ` +
            `${idlTypeText(g.type)}) is new: peers on the old IDL do not write tag ${tag}, and readers on the new IDL ` +
            'fail on the missing require field; add it as optional'}
          : {kind: 'optional-field-added', severity: 'compatible', message: `optional field '${g.name}' (tag ${tag}, ` +
            `${idlTypeText(g.type)}) is new: readers on the old IDL skip the unknown tag, and new readers use the ` +
            'default when old peers leave it out'}) as Pick<IdlChange, 'kind' | 'severity' | 'message'>});
      }
    }
    const oldKey = (o.key ?? []).join(', ');
    const newKey = (n.key ?? []).join(', ');
    if (oldKey !== newKey) {
      this.add({...at, kind: 'struct-key-changed', severity: 'risky', old: o.pos, new: n.pos,
        message: `key[${name}] changed from [${oldKey || 'none'}] to [${newKey || 'none'}]: no effect on the wire, ` +
          'but it decides equality and ordering of the struct as a map key (TarsCpp operator<, Node MultiMap)'});
    }
  }

  /** One tag present in both versions. */
  private compareField(at: {module: string; definition: string}, f: FieldDecl, g: FieldDecl, moved: Set<string>,
    oldByName: Map<string, FieldDecl>): void {
    const pos = {old: f.pos, new: g.pos};
    if (f.name !== g.name) {
      // A name that moved to or from another tag is reported as field-tag-changed; what took its place is a reuse.
      const fMoved = moved.has(f.name);
      const gMoved = oldByName.has(g.name);
      if (fMoved && gMoved) return;
      const v = this.compareTypes(f.type, g.type);
      if (fMoved || gMoved || v.level === 'changed') {
        this.add({...at, ...pos, kind: 'field-tag-reused', severity: 'breaking', member: g.name,
          message: `tag ${f.tag} was '${f.name}' (${idlTypeText(f.type)}) and is now '${g.name}' ` +
            `(${idlTypeText(g.type)}): peers on the two versions read each other's value as the other field` +
            (v.level === 'changed' ? `, and ${v.detail}` : '')});
        return;
      }
      this.add({...at, ...pos, kind: 'field-renamed', severity: 'compatible', member: g.name,
        message: `field at tag ${f.tag} renamed '${f.name}' -> '${g.name}': the TARS wire carries tags, not names ` +
          '(JSON conversion and the JSON protocol use the new name)'});
    }
    const member = g.name;
    this.typeChange('field', f.type, g.type, {...at, ...pos, member}, `field '${member}' (tag ${f.tag})`,
      'peers on the two versions fail to decode each other\'s value at this tag (a type mismatch fails even for ' +
      'an optional field)');
    if (f.required && !g.required) {
      this.add({...at, ...pos, member, kind: 'field-made-optional', severity: 'breaking',
        message: `field '${member}' (tag ${f.tag}) changed from require to optional: writers on the new IDL may leave ` +
          'it out when it equals its default (TarsGo and TarsCpp do), and readers on the old IDL fail on the ' +
          'missing require field'});
    } else if (!f.required && g.required) {
      this.add({...at, ...pos, member, kind: 'field-made-required', severity: 'breaking',
        message: `field '${member}' (tag ${f.tag}) changed from optional to require: peers on the old IDL may leave ` +
          'it out (TarsGo and TarsCpp omit optional fields equal to their default), and readers on the new IDL fail ' +
          'on the missing require field'});
    }
    const od = f.default === undefined ? undefined : constText(f.default);
    const nd = g.default === undefined ? undefined : constText(g.default);
    if (od !== nd) {
      const optional = !f.required || !g.required;
      this.add({...at, ...pos, member, kind: 'field-default-changed', severity: optional ? 'risky' : 'compatible',
        message: `default of field '${member}' (tag ${f.tag}) changed from ${od ?? 'none'} to ${nd ?? 'none'}: ` +
          (optional
            ? 'the wire still decodes, but an absent optional field now reads as another value, and writers that ' +
              'omit a field equal to its default (TarsGo, TarsCpp) now omit another value'
            : 'a require field is always written, so the default only sets the initial value in code')});
    }
  }

  // ---------------------------------------------------------------------------------------------------- enums

  private compareEnum(module: string, name: string, o: EnumDecl | undefined, n: EnumDecl | undefined,
    gone: string, isNew: string): void {
    if (o === undefined && n !== undefined) {
      this.add({kind: 'enum-added', severity: 'compatible', module, definition: name, new: n.pos,
        message: `enum '${name}' is new${isNew}`});
      return;
    }
    if (n === undefined && o !== undefined) {
      this.add({kind: 'enum-removed', severity: 'risky', module, definition: name, old: o.pos,
        message: `enum '${name}' is gone${gone}: no effect on the wire by itself (every field or parameter that used ` +
          'it is reported separately), but code built from other .tars files that use it no longer compiles'});
      return;
    }
    if (o === undefined || n === undefined) return;
    const at = {module, definition: name};
    const newByName = new Map(n.members.map((m) => [m.name, m]));
    const oldNames = new Set(o.members.map((m) => m.name));
    const renamedTo = new Set<string>();
    for (const m of o.members) {
      const k = newByName.get(m.name);
      if (k !== undefined) {
        if (k.value !== m.value) {
          this.add({...at, kind: 'enum-value-renumbered', severity: 'breaking', member: m.name, old: m.pos, new: k.pos,
            message: `enumerator '${m.name}' was ${m.value} and is now ${k.value}: enums travel as int32 values, so ` +
              `peers on the two versions read each other's ${m.name} as another enumerator`});
        }
        continue;
      }
      const rename = n.members.find((x) => x.value === m.value && !oldNames.has(x.name) && !renamedTo.has(x.name));
      if (rename !== undefined && !o.members.some((x) => x !== m && x.value === m.value && newByName.has(x.name))) {
        renamedTo.add(rename.name);
        this.add({...at, kind: 'enumerator-renamed', severity: 'compatible', member: rename.name, old: m.pos,
          new: rename.pos, message: `enumerator '${m.name}' renamed to '${rename.name}' with the same value ` +
            `${m.value}: the wire carries the int32 value, not the name (JSON output shows the new name)`});
        continue;
      }
      this.add({...at, kind: 'enumerator-removed', severity: 'breaking', member: m.name, old: m.pos,
        message: `enumerator '${m.name}' (${m.value}) is gone: peers on the old IDL still send ${m.value}, which ` +
          'the new code no longer names, and code that uses it no longer compiles'});
    }
    for (const k of n.members) {
      if (oldNames.has(k.name) || renamedTo.has(k.name)) continue;
      this.add({...at, kind: 'enumerator-added', severity: 'compatible', member: k.name, new: k.pos,
        message: `enumerator '${k.name}' = ${k.value} is new: an enum is an int32 on the wire, and decoders on the ` +
          `old IDL keep the unknown value ${k.value} as a number instead of failing`});
    }
  }

  // --------------------------------------------------------------------------------------------------- consts

  private compareConst(module: string, name: string, o: ConstDecl | undefined, n: ConstDecl | undefined,
    gone: string, isNew: string): void {
    const at = {module, definition: name};
    if (o === undefined && n !== undefined) {
      this.add({...at, kind: 'const-added', severity: 'compatible', new: n.pos,
        message: `const '${name}' is new${isNew}; consts never travel on the wire`});
    } else if (n === undefined && o !== undefined) {
      this.add({...at, kind: 'const-removed', severity: 'risky', old: o.pos,
        message: `const '${name}' is gone${gone}: consts never travel on the wire, but code that uses it no longer ` +
          'compiles'});
    } else if (o !== undefined && n !== undefined) {
      if (idlTypeText(o.type) !== idlTypeText(n.type)) {
        this.add({...at, kind: 'const-type-changed', severity: 'risky', old: o.pos, new: n.pos,
          message: `const '${name}' changed type ${idlTypeText(o.type)} -> ${idlTypeText(n.type)}: consts never ` +
            'travel on the wire, but code built from the two versions holds different values'});
      }
      const ov = constText(o.value);
      const nv = constText(n.value);
      if (ov !== nv) {
        this.add({...at, kind: 'const-value-changed', severity: 'risky', old: o.pos, new: n.pos,
          message: `const '${name}' changed from ${ov} to ${nv}: consts never travel on the wire, but peers built ` +
            'from the two versions use different values (limits, sizes, defaults)'});
      }
    }
  }

  // ----------------------------------------------------------------------------------------------- interfaces

  private compareInterface(module: string, name: string, o: InterfaceDecl | undefined, n: InterfaceDecl | undefined,
    gone: string, isNew: string): void {
    const at = {module, definition: name};
    if (o === undefined && n !== undefined) {
      this.add({...at, kind: 'interface-added', severity: 'compatible', new: n.pos,
        message: `interface '${name}' is new${isNew}`});
      return;
    }
    if (n === undefined && o !== undefined) {
      this.add({...at, kind: 'interface-removed', severity: 'breaking', old: o.pos,
        message: `interface '${name}' is gone${gone}: a server built from the new IDL no longer answers its ` +
          `${o.operations.length} function(s), so old callers get an unknown-function error`});
      return;
    }
    if (o === undefined || n === undefined) return;
    const newOps = new Map(n.operations.map((op) => [op.name, op]));
    const oldOps = new Set(o.operations.map((op) => op.name));
    for (const op of o.operations) {
      const k = newOps.get(op.name);
      if (k === undefined) {
        this.add({...at, kind: 'function-removed', severity: 'breaking', member: op.name, old: op.pos,
          message: `function '${op.name}' is gone: the request names the function (sFuncName), and a server built ` +
            'from the new IDL answers old callers with an unknown-function error (TARSSERVERNOFUNCERR -3; TarsGo ' +
            'iRet 1)'});
      } else {
        this.compareOperation(at, op, k);
      }
    }
    for (const k of n.operations) {
      if (oldOps.has(k.name)) continue;
      this.add({...at, kind: 'function-added', severity: 'compatible', member: k.name, new: k.pos,
        message: `function '${k.name}' is new: old callers never call it; a new caller of an old server gets an ` +
          'unknown-function error until the server is updated'});
    }
  }

  private compareOperation(at: {module: string; definition: string}, o: OperationDecl, n: OperationDecl): void {
    const op = o.name;
    this.typeChange('return', o.returnType, n.returnType, {...at, member: op, old: o.pos, new: n.pos},
      `return value of '${op}' (response tag 0)`,
      'the caller reads the return value at tag 0 of the response, and one side no longer writes or reads it as ' +
      'the other expects');
    const newIndex = new Map(n.params.map((p, i) => [p.name, i]));
    const oldIndex = new Map(o.params.map((p, i) => [p.name, i]));
    const member = (p: ParamDecl): string => `${op}(${p.name})`;
    const pos = (p?: ParamDecl, q?: ParamDecl): Pick<IdlChange, 'old' | 'new'> =>
      ({...(p ? {old: p.pos} : {}), ...(q ? {new: q.pos} : {})});
    const paired = new Set<number>();
    for (const [i, p] of o.params.entries()) {
      const j = newIndex.get(p.name);
      if (j === undefined) continue;
      const q = n.params[j];
      if (i !== j) {
        this.add({...at, kind: 'parameter-reordered', severity: 'breaking', member: member(p), ...pos(p, q),
          message: `parameter '${p.name}' of '${op}' moved from position ${i + 1} to ${j + 1}: parameters are ` +
            `encoded by position as tags 1..n, so it travels at tag ${j + 1} instead of ${i + 1} and peers on the two ` +
            'versions read it as another parameter'});
      }
      this.compareParam(at, op, p, q, j + 1);
    }
    // Positions where the old name is gone and the new name is new: the parameter was renamed.
    for (let i = 0; i < Math.min(o.params.length, n.params.length); i++) {
      const p = o.params[i];
      const q = n.params[i];
      if (newIndex.has(p.name) || oldIndex.has(q.name)) continue;
      paired.add(i);
      this.add({...at, kind: 'parameter-renamed', severity: 'risky', member: member(q), ...pos(p, q),
        message: `parameter ${i + 1} of '${op}' renamed '${p.name}' -> '${q.name}': TARS calls encode it by ` +
          'position (tag ' + `${i + 1}), but TUP and JSON calls key parameters by name, and a server built from the ` +
          'new IDL misses the old name in those'});
      this.compareParam(at, op, p, q, i + 1);
    }
    for (const [i, p] of o.params.entries()) {
      if (newIndex.has(p.name) || paired.has(i)) continue;
      this.add({...at, kind: 'parameter-removed', severity: 'breaking', member: member(p), ...pos(p),
        message: `${p.out ? 'out-' : ''}parameter '${p.name}' (position ${i + 1}, tag ${i + 1}) of '${op}' is gone: ` +
          (p.out
            ? 'callers on the old IDL expect it in the response'
            : 'callers on the new IDL no longer send it, and a server on the old IDL fails on the missing in-parameter') +
          (i < o.params.length - 1 ? ', and every later parameter moves to another tag' : '')});
    }
    for (const [j, q] of n.params.entries()) {
      if (oldIndex.has(q.name) || paired.has(j)) continue;
      this.add({...at, kind: 'parameter-added', severity: 'breaking', member: member(q), ...pos(undefined, q),
        message: `${q.out ? 'out-' : ''}parameter '${q.name}' (position ${j + 1}, tag ${j + 1}) of '${op}' is new: ` +
          (q.out
            ? 'a caller on the new IDL reads it from the response, which a server on the old IDL does not write'
            : 'callers on the old IDL do not send tag ' + `${j + 1}, and a server on the new IDL reads in-parameters ` +
              'as required') + (j < n.params.length - 1 ? ', and every later parameter moves to another tag' : '') +
          '; add a new function instead'});
    }
  }

  private compareParam(at: {module: string; definition: string}, op: string, p: ParamDecl, q: ParamDecl,
    position: number): void {
    const base = {...at, member: `${op}(${q.name})`, old: p.pos, new: q.pos};
    this.typeChange('parameter', p.type, q.type, base, `parameter '${q.name}' of '${op}' (tag ${position})`,
      'the receiving side fails to decode the argument at this tag');
    if (p.out !== q.out) {
      this.add({...base, kind: 'parameter-direction-changed', severity: 'breaking',
        message: `parameter '${q.name}' of '${op}' changed from ${p.out ? 'out' : 'in'} to ${q.out ? 'out' : 'in'}: ` +
          (q.out
            ? 'callers on the new IDL stop sending it, and a server on the old IDL fails on the missing in-parameter'
            : 'callers on the old IDL do not send it, and a server on the new IDL reads in-parameters as required')});
    }
    if (p.routekey !== q.routekey) {
      this.add({...base, kind: 'parameter-routekey-changed', severity: 'risky',
        message: `parameter '${q.name}' of '${op}' ${q.routekey ? 'became' : 'is no longer'} a routekey: the ` +
          'arguments encode the same, but which value goes into the STATUS_GRID_KEY status (grid routing) changes'});
    }
  }
}

/** A const or default value in words, comparable between the two programs. */
function constText(v: ConstValue): string {
  switch (v.kind) {
    case 'int': return v.value.toString();
    case 'float': return String(v.value);
    case 'string': return JSON.stringify(v.value);
    case 'bool': return String(v.value);
    case 'ident': return v.resolved === undefined ? v.name : `${v.resolved.member} (${v.resolved.value})`;
  }
}
