import {type StructDef, T, type TarsType, idlTypeName, writeValue} from '../codec/types.js';
import {TarsWriter} from '../codec/writer.js';
import {TarsError} from '../errors/tars-error.js';

/**
 * Arguments of a call with no IDL at hand (`tars call Obj Func a b c`): typed from the command-line strings alone,
 * or from `--arg-types`, and written as in-parameters at tags 1..n (protocol.md 2.4). Integers are written in the
 * narrowest wire type whatever their declared width (1.4), and readers accept narrower integers (1.10), so an
 * inferred `int` or `long` is read by a server declaring byte, short, int or long alike, as long as the value fits.
 */

/** One argument, ready to encode. */
export interface UntypedArg {
  /** Its tag in the request body: the 1-based position among the arguments. */
  readonly tag: number;
  /** Its type descriptor. */
  readonly type: TarsType;
  /** Its value in the codec's value mapping (long as bigint, vector<byte> as Uint8Array, map as Map, ...). */
  readonly value: unknown;
  /** The type for display, e.g. `long`, `vector<string>`, `struct{1: int, 2: string}`. */
  readonly typeName: string;
  /** True when `--arg-types` gave the type, false when it was inferred. */
  readonly forced: boolean;
}

/** The outcome of {@link inferArgs}. */
export interface UntypedArgs {
  readonly args: readonly UntypedArg[];
  /** The types for display: `(long, string)`. */
  readonly signature: string;
  /** What the user should hear that is not an error (e.g. text that looked like JSON but was not: sent as a string). */
  readonly warnings: readonly string[];
}

/** Options of {@link inferArgs}. */
export interface InferArgsOptions {
  /**
   * Forced types, one per argument, comma-separated (commas inside `<>` belong to the type): IDL type expressions
   * (bool, byte, short, int, long, float, double, string, unsigned byte/short/int, vector<T>, map<K,V>) or `struct`
   * (a JSON object keyed by tag whose members are inferred). Several strings are joined with commas.
   */
  readonly argTypes?: string | readonly string[];
}

// ---- errors -------------------------------------------------------------------------------------------------------

/** A problem with one argument, located by a path inside its JSON (empty for the argument itself). */
class ArgProblem extends Error {
  constructor(readonly path: string, message: string, readonly outOfRange = false) {
    super(message);
  }
}

function excerpt(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/** Paths inside an argument's JSON are JSON Pointers (RFC 6901): `/2/name`, `/items/0`. */
function pathJoin(path: string, key: string | number): string {
  return `${path}/${String(key).replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

// ---- JSON with exact numbers --------------------------------------------------------------------------------------

/** Parsed JSON that keeps numbers as written, so 2^63-1 stays exact and `1.0` stays a decimal. */
type JNode =
  | {readonly t: 'null'}
  | {readonly t: 'bool'; readonly v: boolean}
  | {readonly t: 'num'; readonly text: string}
  | {readonly t: 'str'; readonly v: string}
  | {readonly t: 'arr'; readonly items: readonly JNode[]}
  | {readonly t: 'obj'; readonly entries: readonly (readonly [string, JNode])[]};

/** Deepest JSON nesting accepted (the codec reader's default depth). */
const MAX_JSON_DEPTH = 256;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

class JsonSyntaxError extends Error {}

/** A strict RFC 8259 parser; duplicate keys in an object are refused (ArgProblem). */
function parseJson(text: string): JNode {
  let pos = 0;
  const ws = (): void => {
    while (pos < text.length && ' \t\r\n'.includes(text[pos])) pos++;
  };
  const error = (what: string): never => {
    const found = pos < text.length ? `'${text[pos]}'` : 'the end';
    throw new JsonSyntaxError(`${what} at offset ${pos}, found ${found}`);
  };
  const sticky = (re: RegExp): string | null => {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (m === null) return null;
    pos += m[0].length;
    return m[0];
  };
  const value = (depth: number): JNode => {
    if (depth > MAX_JSON_DEPTH) throw new JsonSyntaxError(`nested deeper than ${MAX_JSON_DEPTH}`);
    ws();
    const c = text[pos];
    if (c === '{') {
      pos++;
      const entries: [string, JNode][] = [];
      const seen = new Set<string>();
      ws();
      if (text[pos] === '}') {
        pos++;
        return {t: 'obj', entries};
      }
      for (;;) {
        ws();
        const keyText = sticky(STRING);
        if (keyText === null) error('expected a "key"');
        const key = JSON.parse(keyText!) as string;
        // Valid JSON, but which value is meant is a guess: an error rather than text sent as a string.
        if (seen.has(key)) throw new ArgProblem('', `the key ${JSON.stringify(key)} is given twice in one object`);
        seen.add(key);
        ws();
        if (text[pos] !== ':') error('expected \':\'');
        pos++;
        entries.push([key, value(depth + 1)]);
        ws();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === '}') {
          pos++;
          return {t: 'obj', entries};
        }
        error('expected \',\' or \'}\'');
      }
    }
    if (c === '[') {
      pos++;
      const items: JNode[] = [];
      ws();
      if (text[pos] === ']') {
        pos++;
        return {t: 'arr', items};
      }
      for (;;) {
        items.push(value(depth + 1));
        ws();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === ']') {
          pos++;
          return {t: 'arr', items};
        }
        error('expected \',\' or \']\'');
      }
    }
    if (c === '"') return {t: 'str', v: JSON.parse(sticky(STRING) ?? error('bad string')) as string};
    for (const [word, node] of [['true', {t: 'bool', v: true}], ['false', {t: 'bool', v: false}],
      ['null', {t: 'null'}]] as const) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return node;
      }
    }
    const num = sticky(NUMBER);
    if (num === null) return error('expected a value');
    return {t: 'num', text: num};
  };
  const root = value(0);
  ws();
  if (pos < text.length) error('unexpected text after the value');
  return root;
}

// ---- type expressions (--arg-types) -------------------------------------------------------------------------------

/** A forced type: an IDL type, with `struct` standing for a struct whose members are inferred from the value. */
type TypeExpr =
  | {readonly k: 'fixed'; readonly type: TarsType}
  | {readonly k: 'vector'; readonly elem: TypeExpr}
  | {readonly k: 'map'; readonly key: TarsType; readonly value: TypeExpr}
  | {readonly k: 'struct'};

const SCALAR_NAMES = new Map<string, TarsType>([
  ['bool', T.bool], ['byte', T.byte], ['short', T.short], ['int', T.int], ['long', T.long], ['float', T.float],
  ['double', T.double], ['string', T.string],
]);
const UNSIGNED = new Map<string, TarsType>([['byte', T.ubyte], ['short', T.ushort], ['int', T.uint]]);
const TYPE_HELP = 'bool, byte, short, int, long, float, double, string, unsigned byte|short|int, vector<T>, ' +
  'map<K,V> or struct';

/** A type expression without `struct` is one fixed type. */
function fixedOf(e: TypeExpr): TarsType | null {
  switch (e.k) {
    case 'fixed': return e.type;
    case 'struct': return null;
    case 'vector': {
      const elem = fixedOf(e.elem);
      return elem && T.vector(elem);
    }
    case 'map': {
      const value = fixedOf(e.value);
      return value && T.map(e.key, value);
    }
  }
}

function isScalar(t: TarsType): boolean {
  return t.kind !== 'vector' && t.kind !== 'map' && t.kind !== 'struct' && t.kind !== 'enum';
}

/** Parses `--arg-types`: type expressions separated by commas at the outer level. */
function parseArgTypes(text: string): TypeExpr[] {
  const tokens = [...text.matchAll(/\s*([A-Za-z_]\w*|[<>,]|\S)/g)].map((m) => ({text: m[1], at: m.index! +
    m[0].length - m[1].length}));
  let i = 0;
  const fail = (what: string): never => {
    const at = i < tokens.length ? `'${tokens[i].text}' at offset ${tokens[i].at}` : 'the end';
    throw new TarsError('ENCODE_BAD_VALUE', `--arg-types ${JSON.stringify(text)}: ${what}, found ${at} ` +
      `(types: ${TYPE_HELP})`);
  };
  const expect = (s: string): void => {
    if (tokens[i]?.text !== s) fail(`expected '${s}'`);
    i++;
  };
  const type = (depth: number): TypeExpr => {
    if (depth > MAX_JSON_DEPTH) fail('types nested too deeply');
    const word = tokens[i]?.text ?? '';
    const scalar = SCALAR_NAMES.get(word);
    if (scalar) {
      i++;
      return {k: 'fixed', type: scalar};
    }
    switch (word) {
      case 'unsigned': {
        i++;
        const t = UNSIGNED.get(tokens[i]?.text ?? '');
        if (!t) fail('expected byte, short or int after unsigned');
        i++;
        return {k: 'fixed', type: t!};
      }
      case 'struct':
        i++;
        return {k: 'struct'};
      case 'vector': {
        i++;
        expect('<');
        const elem = type(depth + 1);
        expect('>');
        const fixed = fixedOf(elem);
        return fixed ? {k: 'fixed', type: T.vector(fixed)} : {k: 'vector', elem};
      }
      case 'map': {
        i++;
        expect('<');
        const keyAt = i;
        const key = fixedOf(type(depth + 1));
        if (!key || !isScalar(key)) {
          i = keyAt;
          fail('map keys must be a scalar type here (bool, integers, float, double, string)');
        }
        expect(',');
        const value = type(depth + 1);
        expect('>');
        const fixed = fixedOf(value);
        return fixed ? {k: 'fixed', type: T.map(key!, fixed)} : {k: 'map', key: key!, value};
      }
      default:
        return fail('expected a type');
    }
  };
  const out: TypeExpr[] = [];
  if (tokens.length === 0) return out;
  for (;;) {
    out.push(type(0));
    if (i >= tokens.length) return out;
    expect(',');
  }
}

// ---- inference ----------------------------------------------------------------------------------------------------

/** What inference knows about a value: a fixed type, or a container whose element type is still being unified. */
type Shape =
  | {readonly k: 'fixed'; readonly type: TarsType}
  | {readonly k: 'vector'; readonly elem: Shape | null}
  | {readonly k: 'map'; readonly key: TarsType; readonly value: Shape | null}
  | {readonly k: 'struct'; readonly fields: ReadonlyMap<number, Shape>}
  /** `{}`: a map or a struct, whichever its siblings are; alone, map<string, string>. */
  | {readonly k: 'empty-object'};

const INT32_MIN = -(2n ** 31n);
const INT32_MAX = 2n ** 31n - 1n;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** A tag as an object key: decimal 0..255 without leading zeros. */
const TAG_KEY = /^(0|[1-9]\d{0,2})$/;

function isTagKey(key: string): boolean {
  return TAG_KEY.test(key) && Number(key) <= 255;
}

function integerType(text: string, path: string): TarsType {
  const v = BigInt(text);
  if (v >= INT32_MIN && v <= INT32_MAX) return T.int;
  if (v >= INT64_MIN && v <= INT64_MAX) return T.long;
  throw new ArgProblem(path, `${text} does not fit long (64-bit signed); to send it as text, force string with ` +
    '--arg-types', true);
}

function shapeName(s: Shape | null): string {
  if (s === null) return '(nothing)';
  switch (s.k) {
    case 'fixed': return untypedTypeName(s.type);
    case 'vector': return `vector<${s.elem ? shapeName(s.elem) : '?'}>`;
    case 'map': return `map<${untypedTypeName(s.key)}, ${s.value ? shapeName(s.value) : '?'}>`;
    case 'struct': return `struct{${[...s.fields].sort(([a], [b]) => a - b).map(([t, f]) => `${t}: ${shapeName(f)}`)
      .join(', ')}}`;
    case 'empty-object': return '{}';
  }
}

/** The common shape of two elements of one container, or a problem naming both. */
function unify(a: Shape | null, b: Shape, path: string): Shape {
  if (a === null) return b;
  const mixed = (): never => {
    throw new ArgProblem(path, `mixes ${shapeName(a)} and ${shapeName(b)}; elements of a vector or values of a map ` +
      'need one type (force one with --arg-types)');
  };
  if (a.k === 'fixed' && b.k === 'fixed') {
    const x = a.type.kind;
    const y = b.type.kind;
    if (idlTypeName(a.type) === idlTypeName(b.type)) return a;
    // Numbers widen where no value changes: int to long, int to double. A long (beyond 32 bits) next to a double
    // is refused: a double would round it.
    const wider = (p: string, q: string): boolean => (p === 'long' || p === 'double') && q === 'int';
    if (wider(x, y)) return a;
    if (wider(y, x)) return b;
    return mixed();
  }
  if (a.k === 'empty-object' && (b.k === 'map' || b.k === 'struct' || b.k === 'empty-object')) return b;
  if (b.k === 'empty-object' && (a.k === 'map' || a.k === 'struct')) return a;
  if (a.k === 'vector' && b.k === 'vector') {
    return {k: 'vector', elem: b.elem === null ? a.elem : unify(a.elem, b.elem, path)};
  }
  if (a.k === 'map' && b.k === 'map' && idlTypeName(a.key) === idlTypeName(b.key)) {
    return {k: 'map', key: a.key, value: b.value === null ? a.value : unify(a.value, b.value, path)};
  }
  if (a.k === 'struct' && b.k === 'struct') {
    const fields = new Map(a.fields);
    for (const [tag, s] of b.fields) fields.set(tag, unify(fields.get(tag) ?? null, s, pathJoin(path, String(tag))));
    return {k: 'struct', fields};
  }
  return mixed();
}

function foldShapes(items: readonly JNode[], elem: TypeExpr | undefined, path: string): Shape | null {
  let s: Shape | null = null;
  items.forEach((item, i) => {
    s = unify(s, shapeOf(item, elem, pathJoin(path, i)), pathJoin(path, i));
  });
  return s;
}

function describeNode(n: JNode): string {
  switch (n.t) {
    case 'null': return 'null';
    case 'bool': return `${n.v}`;
    case 'num': return `the number ${n.text}`;
    case 'str': return `the string ${excerpt(n.v)}`;
    case 'arr': return 'an array';
    case 'obj': return 'an object';
  }
}

/** Struct members from an object keyed by tag, each inferred. */
function structShape(n: JNode, path: string): Shape {
  if (n.t !== 'obj') throw new ArgProblem(path, `expected a struct as an object keyed by tag, got ${describeNode(n)}`);
  const fields = new Map<number, Shape>();
  for (const [key, v] of n.entries) {
    if (!isTagKey(key)) {
      throw new ArgProblem(path, `a struct is keyed by tags (0..255), not ${JSON.stringify(key)}`);
    }
    fields.set(Number(key), shapeOf(v, undefined, pathJoin(path, key)));
  }
  return {k: 'struct', fields};
}

/** The shape of a JSON value: inferred, or as `hint` forces it (members of a forced `struct` are inferred). */
function shapeOf(n: JNode, hint: TypeExpr | undefined, path: string): Shape {
  if (hint !== undefined) {
    switch (hint.k) {
      case 'fixed': return {k: 'fixed', type: hint.type};
      case 'struct': return structShape(n, path);
      case 'vector':
        if (n.t !== 'arr') throw new ArgProblem(path, `expected an array, got ${describeNode(n)}`);
        return {k: 'vector', elem: foldShapes(n.items, hint.elem, path) ?? shapeOfEmpty(hint.elem)};
      case 'map': {
        const values = mapValues(n, path);
        let s: Shape | null = null;
        for (const [p, v] of values) s = unify(s, shapeOf(v, hint.value, p), p);
        return {k: 'map', key: hint.key, value: s ?? shapeOfEmpty(hint.value)};
      }
    }
  }
  switch (n.t) {
    case 'null':
      throw new ArgProblem(path, 'null has no TARS type; leave the member out or give a value');
    case 'bool': return {k: 'fixed', type: T.bool};
    case 'str': return {k: 'fixed', type: T.string};
    case 'num': return {k: 'fixed', type: /[.eE]/.test(n.text) ? T.double : integerType(n.text, path)};
    case 'arr': return {k: 'vector', elem: foldShapes(n.items, undefined, path)};
    case 'obj': {
      if (n.entries.length === 0) return {k: 'empty-object'};
      if (n.entries.every(([key]) => isTagKey(key))) return structShape(n, path);
      let s: Shape | null = null;
      for (const [key, v] of n.entries) s = unify(s, shapeOf(v, undefined, pathJoin(path, key)), pathJoin(path, key));
      return {k: 'map', key: T.string, value: s};
    }
  }
}

/** The shape of a forced type with no value to infer from (elements of an empty container). */
function shapeOfEmpty(e: TypeExpr): Shape {
  switch (e.k) {
    case 'fixed': return {k: 'fixed', type: e.type};
    case 'struct': return {k: 'struct', fields: new Map()};
    case 'vector': return {k: 'vector', elem: shapeOfEmpty(e.elem)};
    case 'map': return {k: 'map', key: e.key, value: shapeOfEmpty(e.value)};
  }
}

/** The values of a JSON map: an object's members, or the `value`s of an array of `{"key", "value"}`. */
function mapValues(n: JNode, path: string): [string, JNode][] {
  if (n.t === 'obj') return n.entries.map(([k, v]) => [pathJoin(path, k), v]);
  if (n.t === 'arr') {
    return n.items.map((item, i) => {
      const p = pathJoin(path, i);
      const entry = item.t === 'obj' ? new Map(item.entries) : null;
      if (!entry || entry.size !== 2 || !entry.has('key') || !entry.has('value')) {
        throw new ArgProblem(p, 'expected a map entry {"key": ..., "value": ...}');
      }
      return [pathJoin(p, 'value'), entry.get('value')!];
    });
  }
  throw new ArgProblem(path, `expected a map as an object (or an array of {"key", "value"}), got ${describeNode(n)}`);
}

/** The type a shape settles on: empty containers take int elements and string values, `{}` a map<string, string>. */
function typeOf(s: Shape): TarsType {
  switch (s.k) {
    case 'fixed': return s.type;
    case 'vector': return T.vector(s.elem ? typeOf(s.elem) : T.int);
    case 'map': return T.map(s.key, s.value ? typeOf(s.value) : T.string);
    case 'empty-object': return T.map(T.string, T.string);
    case 'struct': {
      // Members are optional: elements of one vector may each give a different subset of the tags.
      const fields = [...s.fields].sort(([a], [b]) => a - b)
        .map(([tag, f]) => ({tag, name: String(tag), type: typeOf(f), required: false}));
      // Nothing names the struct; its spelled-out type makes the name that error messages show.
      const def: StructDef = {name: structName(fields), fields};
      return T.struct(def);
    }
  }
}

function structName(fields: StructDef['fields']): string {
  return `struct{${fields.map((f) => `${f.tag}: ${untypedTypeName(f.type)}`).join(', ')}}`;
}

/**
 * The display name of a type: the IDL spelling, with structs (whose names are made up) spelled out by tag, e.g.
 * `vector<struct{1: int, 2: string}>`.
 */
export function untypedTypeName(t: TarsType): string {
  switch (t.kind) {
    case 'vector': return `vector<${untypedTypeName(t.elem)}>`;
    case 'map': return `map<${untypedTypeName(t.key)}, ${untypedTypeName(t.value)}>`;
    case 'struct': return structName(t.struct.fields);
    default: return idlTypeName(t);
  }
}

// ---- values -------------------------------------------------------------------------------------------------------

const INT_RANGES: Record<string, readonly [bigint, bigint]> = {
  byte: [-128n, 127n], short: [-32768n, 32767n], int: [INT32_MIN, INT32_MAX], long: [INT64_MIN, INT64_MAX],
  ubyte: [0n, 255n], ushort: [0n, 65535n], uint: [0n, 4294967295n],
};
const INTEGER_TEXT = /^[-+]?(?:0x[0-9a-f]+|\d+)$/i;
const FLOAT_TEXT = /^(?:NaN|[-+]?Infinity|[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)$/i;
const FLOAT_MAX = 3.4028234663852886e38;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;

function parseBigInt(text: string): bigint {
  const negative = text.startsWith('-');
  const v = BigInt(text.replace(/^[-+]/, ''));
  return negative ? -v : v;
}

/** An integer of kind `kind` (byte ... uint, long) from its text, range-checked. */
function integerValue(kind: string, text: string, path: string): number | bigint {
  let v: bigint;
  if (INTEGER_TEXT.test(text)) {
    v = parseBigInt(text);
  } else {
    // JSON allows 1e3 or 5.0 for an integer value.
    const n = Number(text);
    if (!FLOAT_TEXT.test(text) || !Number.isSafeInteger(n)) {
      throw new ArgProblem(path, `expected an integer (${idlTypeName({kind} as TarsType)}), got ${excerpt(text)}`);
    }
    v = BigInt(n);
  }
  const [min, max] = INT_RANGES[kind];
  if (v < min || v > max) {
    throw new ArgProblem(path, `${text} does not fit ${idlTypeName({kind} as TarsType)} (${min}..${max})`, true);
  }
  return kind === 'long' ? v : Number(v);
}

/** A float or double from its text (rounded to the type, as any decimal is); NaN and infinities by name. */
function floatValue(kind: 'float' | 'double', text: string, path: string): number {
  if (!FLOAT_TEXT.test(text)) throw new ArgProblem(path, `expected a number (${kind}), got ${excerpt(text)}`);
  const v = Number(text);
  if (Number.isFinite(v) ? kind === 'float' && Math.abs(v) > FLOAT_MAX : !/^(?:NaN|[-+]?Infinity)$/i.test(text)) {
    throw new ArgProblem(path, `${text} does not fit ${kind}`, true);
  }
  return v;
}

function boolValue(text: string, path: string): boolean {
  if (text === 'true' || text === 'false') return text === 'true';
  throw new ArgProblem(path, `expected true or false, got ${excerpt(text)}`);
}

function bytesValue(text: string, path: string): Uint8Array {
  if (!BASE64.test(text)) throw new ArgProblem(path, 'expected bytes as base64 (or a JSON array of byte values)');
  return Buffer.from(text, 'base64');
}

/** A scalar of type `t` from text (a command-line argument, a JSON number's text, a JSON string or a map key). */
function scalarFromText(t: TarsType, text: string, path: string): unknown {
  switch (t.kind) {
    case 'string': return text;
    case 'bool': return boolValue(text, path);
    case 'float': case 'double': return floatValue(t.kind, text, path);
    default: return integerValue(t.kind, text, path);
  }
}

/** The value of JSON `n` as type `t` (which inference or `--arg-types` settled on). */
function valueOf(n: JNode, t: TarsType, path: string): unknown {
  const wrong = (what: string): never => {
    throw new ArgProblem(path, `expected ${what}, got ${describeNode(n)}`);
  };
  switch (t.kind) {
    case 'string': return n.t === 'str' ? n.v : wrong('a string');
    case 'bool': return n.t === 'bool' ? n.v : wrong('true or false');
    case 'vector':
      if (t.elem.kind === 'byte') {
        if (n.t === 'str') return bytesValue(n.v, path);
        if (n.t !== 'arr') return wrong('bytes as base64 or an array of byte values');
        // Byte values as signed (-128..127, TarsGo and TarsCpp) or unsigned (0..255, as they print).
        return Uint8Array.from(n.items, (item, i) => {
          const p = pathJoin(path, i);
          if (item.t !== 'num') throw new ArgProblem(p, `expected a byte value, got ${describeNode(item)}`);
          const v = integerValue('short', item.text, p) as number;
          if (v < -128 || v > 255) throw new ArgProblem(p, `${item.text} is not a byte value (-128..255)`, true);
          return v & 0xff;
        });
      }
      if (n.t !== 'arr') return wrong('an array');
      return n.items.map((item, i) => valueOf(item, t.elem, pathJoin(path, i)));
    case 'map': {
      const out = new Map<unknown, unknown>();
      if (n.t === 'obj') {
        for (const [k, v] of n.entries) {
          out.set(scalarFromText(t.key, k, pathJoin(path, k)), valueOf(v, t.value, pathJoin(path, k)));
        }
        return out;
      }
      if (n.t !== 'arr') return wrong('an object');
      n.items.forEach((item, i) => {
        const p = pathJoin(path, i);
        const entry = new Map(item.t === 'obj' ? item.entries : []);
        if (entry.size !== 2 || !entry.has('key') || !entry.has('value')) {
          throw new ArgProblem(p, 'expected a map entry {"key": ..., "value": ...}');
        }
        const key = valueOf(entry.get('key')!, t.key, pathJoin(p, 'key'));
        if (out.has(key)) throw new ArgProblem(p, `the key ${String(key)} is given twice`);
        out.set(key, valueOf(entry.get('value')!, t.value, pathJoin(p, 'value')));
      });
      return out;
    }
    case 'struct': {
      if (n.t !== 'obj') return wrong('an object keyed by tag');
      const types = new Map(t.struct.fields.map((f) => [f.name, f.type]));
      const out: Record<string, unknown> = {};
      for (const [k, v] of n.entries) out[k] = valueOf(v, types.get(k)!, pathJoin(path, k));
      return out;
    }
    case 'enum':
      return wrong('an enum, which untyped calls cannot name');
    default:
      // Numbers; JSON strings are accepted too (a long as "9223372036854775807", a float as "NaN").
      if (n.t === 'num') return scalarFromText(t, n.text, path);
      if (n.t === 'str') return scalarFromText(t, n.v, path);
      return wrong(`a number (${idlTypeName(t)})`);
  }
}

// ---- arguments ----------------------------------------------------------------------------------------------------

/** Text that is a JSON integer; JSON's number grammar (no `+`, no leading zeros) keeps `007` or `+1` text. */
const INT_ARG = /^-?(?:0|[1-9]\d*)$/;
const DECIMAL_ARG = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?$/;

interface Typed {
  type: TarsType;
  value: unknown;
}

function fromJsonText(text: string, hint: TypeExpr | undefined): Typed {
  let node: JNode;
  try {
    node = parseJson(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new ArgProblem('', `not valid JSON: ${error.message}`);
    throw error;
  }
  const type = typeOf(shapeOf(node, hint, ''));
  return {type, value: valueOf(node, type, '')};
}

/** An argument with no forced type. */
function inferOne(text: string, warn: (message: string) => void): Typed {
  if (INT_ARG.test(text)) {
    const type = integerType(text, '');
    return {type, value: integerValue(type.kind, text, '')};
  }
  if (DECIMAL_ARG.test(text)) return {type: T.double, value: floatValue('double', text, '')};
  if (text === 'true' || text === 'false') return {type: T.bool, value: text === 'true'};
  const start = text.trimStart()[0];
  if (start === '{' || start === '[') {
    try {
      return fromJsonText(text, undefined);
    } catch (error) {
      // Only text that is not JSON at all is sent as it is; JSON without a TARS type (mixed arrays) is an error.
      if (!(error instanceof ArgProblem) || !error.message.startsWith('not valid JSON')) throw error;
      warn(`starts with '${start}' but is ${error.message}; sent as a string`);
    }
  }
  return {type: T.string, value: text};
}

/** An argument of a forced type. */
function forcedOne(text: string, e: TypeExpr): Typed {
  const fixed = fixedOf(e);
  if (fixed !== null && isScalar(fixed)) return {type: fixed, value: scalarFromText(fixed, text, '')};
  if (fixed !== null && fixed.kind === 'vector' && fixed.elem.kind === 'byte' && text.trimStart()[0] !== '[') {
    return {type: fixed, value: bytesValue(text, '')};
  }
  return fromJsonText(text, e);
}

/**
 * Types command-line arguments for a call without IDL.
 *
 * Inferred: an integer (JSON spelling: `-5`, not `+5` or `007`) is `int` when it fits 32 bits, else `long` (a
 * bigint; beyond 64 bits an error); a JSON decimal (`1.5`, `1e3`) is `double`; `true`/`false` (exactly) are `bool`;
 * text starting with `{` or `[` that is JSON is typed from it (see below); anything else, the empty string and
 * `TRUE` included, is a `string` (with a warning when it looked like JSON but is not).
 *
 * Inside JSON: numbers as above (int widens to long or double across the elements of one container, long and
 * double do not mix); strings;
 * booleans; arrays are `vector<common element type>` (elements that share no type are an error; `[]` is
 * `vector<int>`); objects whose keys are all tags (`"0"`..`"255"`) are structs by tag with optional members (the
 * members of a vector's structs are merged); other objects are `map<string, V>`; `{}` is `map<string, string>`
 * unless its siblings say struct; `null` is an error.
 *
 * Forced (`options.argTypes`): scalars parse the text as it is (integers also in hex, floats also `NaN`,
 * `Infinity`; a string is taken verbatim), `vector<byte>` takes base64 or a JSON array, other types take JSON
 * (maps as objects or arrays of `{"key","value"}`); every value is range-checked.
 *
 * Contract: returns one {@link UntypedArg} per text, tagged 1..n, whose value {@link writeUntypedArgs} can encode.
 * Throws a {@link TarsError} (ENCODE_BAD_VALUE, or ENCODE_OUT_OF_RANGE for values beyond their type) whose message
 * names the argument, the place inside its JSON (a JSON Pointer such as `/2/1`) and the problem, and whose details
 * carry `arg` (1-based) and `path`; also when `argTypes` does not parse or gives another count than there are
 * arguments. Every such error is the caller's input, a usage error. Pure: no I/O.
 */
export function inferArgs(texts: readonly string[], options: InferArgsOptions = {}): UntypedArgs {
  let forced: TypeExpr[] | undefined;
  if (options.argTypes !== undefined) {
    const spec = typeof options.argTypes === 'string' ? options.argTypes : options.argTypes.join(',');
    forced = parseArgTypes(spec);
    if (forced.length !== texts.length) {
      throw new TarsError('ENCODE_BAD_VALUE', `--arg-types gives ${forced.length} type(s) for ${texts.length} ` +
        'argument(s); give one type per argument, separated by commas');
    }
  }
  const warnings: string[] = [];
  const args = texts.map((text, i): UntypedArg => {
    const n = i + 1;
    try {
      const typed = forced ? forcedOne(text, forced[i]) : inferOne(text, (m) => warnings.push(`argument ${n}: ${m}`));
      return {tag: n, type: typed.type, value: typed.value, typeName: untypedTypeName(typed.type),
        forced: forced !== undefined};
    } catch (error) {
      if (!(error instanceof ArgProblem)) throw error;
      const where = error.path ? ` at ${error.path}` : '';
      throw new TarsError(error.outOfRange ? 'ENCODE_OUT_OF_RANGE' : 'ENCODE_BAD_VALUE',
        `argument ${n} (${excerpt(text)})${where}: ${error.message}`, {arg: n, path: error.path});
    }
  });
  return {args, signature: `(${args.map((a) => a.typeName).join(', ')})`, warnings};
}

/**
 * Writes arguments as a request body: each value at its tag (1..n), in ascending order, as a struct-less run of
 * fields; suitable as `RawCall.sBuffer` (a function of a writer) of `ObjectProxy.call`.
 */
export function writeUntypedArgs(w: TarsWriter, args: readonly UntypedArg[]): void {
  for (const a of [...args].sort((x, y) => x.tag - y.tag)) writeValue(w, a.tag, a.type, a.value);
}

/** The request body of {@link writeUntypedArgs} as bytes of its own. */
export function encodeUntypedArgs(args: readonly UntypedArg[]): Buffer {
  const w = new TarsWriter();
  writeUntypedArgs(w, args);
  return Buffer.from(w.toBuffer());
}
