import type {
  ConstDecl, ConstValue, Definition, Diagnostic, EnumDecl, EnumMember, FieldDecl, IdlFile, IncludeDecl,
  InterfaceDecl, KeyDecl, ModuleBlock, OperationDecl, ParamDecl, Pos, PrimitiveKind, StructDecl, TypeRef,
} from './ast.js';
import {diagnosticAt} from './diagnostics.js';
import {type Token, tokenize} from './lexer.js';
import {SourceText} from './source-text.js';

/** What {@link parseIdl} returns: the file's AST (partial when there were errors) and every problem found. */
export interface ParseResult {
  readonly file: IdlFile;
  readonly diagnostics: Diagnostic[];
}

/** After this many diagnostics in one file the parser stops; by then the rest is almost surely cascade. */
export const MAX_DIAGNOSTICS = 100;
/** Deeper `vector<vector<...>>` nesting than this is refused, so hostile input cannot exhaust the stack. */
const MAX_TYPE_DEPTH = 64;

const PRIMITIVES: ReadonlySet<string> = new Set(['bool', 'byte', 'short', 'int', 'long', 'float', 'double', 'string']);
const DEFINITION_KEYWORDS: ReadonlySet<string> = new Set(['module', 'struct', 'interface', 'enum', 'const', 'key']);
const TYPE_HINT = 'a type is bool, byte, short, int, long, float, double, string, unsigned byte|short|int, ' +
  'vector<T>, map<K, V>, or a struct or enum name (Name or Module::Name)';

/** Thrown after a syntax error has been reported; the nearest list loop catches it and resynchronizes. */
class ParseAbort extends Error {}
/** Thrown when the diagnostic cap is reached; ends the parse. */
class TooManyErrors extends Error {}

/**
 * Parses one .tars file (protocol.md 4.2) into an {@link IdlFile}. Never throws on bad input and always terminates.
 *
 * After a syntax error the parser skips to the next `;` or `}` at the error's nesting depth (or to the next
 * definition keyword) and goes on, so one run reports every error; at most {@link MAX_DIAGNOSTICS} are reported.
 * A missing `;` on the line before the next member, definition or `}` is reported and assumed, so it costs nothing
 * that follows. Only one diagnostic is kept per line, which folds the usual cascades into the first cause.
 *
 * Only syntax is checked here: tag ranges, names, types and values are the loader's job (`loadIdl`).
 * Node positions are those of the node's first token.
 */
export function parseIdl(source: string, file: string): ParseResult {
  const text = new SourceText(file, source);
  const lexed = tokenize(source, file, text);
  const parser = new Parser(lexed.tokens, text, lexed.diagnostics);
  return {file: parser.parseFile(), diagnostics: parser.diagnostics};
}

const describe = (t: Token): string =>
  t.kind === 'eof' ? 'the end of the file' : t.kind === 'string' ? 'a string' : `'${t.text}'`;

class Parser {
  private i = 0;
  private readonly includes: IncludeDecl[] = [];
  private readonly modules: ModuleBlock[] = [];
  private readonly linesWithErrors = new Set<number>();

  constructor(private readonly tokens: Token[], private readonly source: SourceText, readonly diagnostics: Diagnostic[]) {
    for (const d of diagnostics) this.linesWithErrors.add(d.line);
  }

  // ---- token access ----

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.i + ahead, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  /**
   * True when `t` (the token at `at`) starts a definition. `key` counts only before `[`, because `key` is also a
   * tempting (if illegal) member or parameter name, and recovery must not take such a name for a new definition.
   */
  private startsDefinition(t: Token, at = this.i): boolean {
    if (t.kind !== 'keyword' || !DEFINITION_KEYWORDS.has(t.text)) return false;
    const after = this.tokens[Math.min(at + 1, this.tokens.length - 1)]!;
    return t.text !== 'key' || (after.kind === 'punct' && after.text === '[');
  }

  private prev(): Token {
    return this.tokens[Math.max(0, this.i - 1)]!;
  }

  /** True when the current token is the punctuation or keyword `text`. */
  private at(text: string): boolean {
    const t = this.peek();
    return (t.kind === 'punct' || t.kind === 'keyword') && t.text === text;
  }

  private eat(text: string): boolean {
    if (!this.at(text)) return false;
    this.i++;
    return true;
  }

  // ---- diagnostics and recovery ----

  private report(pos: Pos, message: string, hint: string, severity: Diagnostic['severity'] = 'error'): void {
    if (this.linesWithErrors.has(pos.line)) return;
    this.linesWithErrors.add(pos.line);
    if (this.diagnostics.length >= MAX_DIAGNOSTICS - 1) {
      this.diagnostics.push(diagnosticAt(this.source, pos, `too many errors (${MAX_DIAGNOSTICS}); stopping here`,
        'fix the errors above and run again'));
      throw new TooManyErrors();
    }
    this.diagnostics.push(diagnosticAt(this.source, pos, message, hint, severity));
  }

  private fail(t: Token, message: string, hint: string): never {
    this.report(t.pos, message, hint);
    throw new ParseAbort();
  }

  /**
   * Skips to a point where parsing can resume: just past the next `;` at the current depth, or at (not past) the
   * next `}` closing the enclosing block, the next definition keyword (when `stopAtDefinitions`), or the end.
   */
  private sync(stopAtDefinitions: boolean): void {
    let depth = 0;
    // Inside ( ) or [ ] a definition keyword is a misplaced name, not the start of a definition.
    let parens = 0;
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') return;
      if (t.kind === 'punct') {
        if (t.text === '{') depth++;
        else if (t.text === '}') {
          if (depth === 0) return;
          depth--;
        } else if (t.text === ';' && depth === 0) {
          this.i++;
          return;
        } else if (t.text === '(' || t.text === '[') parens++;
        else if ((t.text === ')' || t.text === ']') && parens > 0) parens--;
      } else if (depth === 0 && parens === 0 && stopAtDefinitions && this.startsDefinition(t)) {
        return;
      }
      this.i++;
    }
  }

  /**
   * Runs `step` until `done()`; a syntax error inside a step is followed by `sync`. A step that consumes
   * nothing is forced one token forward, which is what guarantees termination on any input.
   */
  private loop(done: () => boolean, step: () => void, stopAtDefinitions = true): void {
    while (!done()) {
      const before = this.i;
      try {
        step();
      } catch (e) {
        if (!(e instanceof ParseAbort)) throw e;
        this.sync(stopAtDefinitions);
      }
      if (this.i === before && !done()) this.i++;
    }
  }

  /**
   * Expects `;` after a construct. When it is missing but the next token plainly starts something new (it is on a
   * later line, or is `}`, a definition keyword or the end), the `;` is reported and assumed, and parsing goes on.
   */
  private expectSemicolon(after: string, hint: string): void {
    if (this.eat(';')) return;
    const t = this.peek();
    const last = this.prev();
    this.report(last.end, `expected ';' after ${after}`, hint);
    if (t.kind === 'eof' || t.pos.line > last.end.line || (t.kind === 'punct' && t.text === '}') ||
        this.startsDefinition(t)) return;
    throw new ParseAbort();
  }

  private expectPunct(text: string, message: string, hint: string): Token {
    if (!this.at(text)) this.fail(this.peek(), `${message}, found ${describe(this.peek())}`, hint);
    return this.next();
  }

  /**
   * Reads a name. A keyword in its place is reported ("'string' is a keyword") and then accepted as the name, so
   * the rest of the declaration is still checked.
   */
  private expectName(what: string, example: string): Token {
    const t = this.peek();
    if (t.kind === 'ident') return this.next();
    // `struct`, `key` & co. are taken as the name only when punctuation follows (`int key;`, `string out)`);
    // otherwise the name is missing and the keyword starts the next definition.
    const after = this.peek(1);
    if (t.kind === 'keyword' && (!DEFINITION_KEYWORDS.has(t.text) || after.kind === 'punct')) {
      this.report(t.pos, `'${t.text}' is a keyword and cannot be used as a ${what} name`,
        `'${t.text}' is a keyword; rename the ${what} (e.g. '${t.text}_' or '${example}')`);
      return this.next();
    }
    return this.fail(t, `expected a ${what} name, found ${describe(t)}`,
      `a name is letters, digits and '_', not starting with a digit (e.g. '${example}')`);
  }

  /** Reports a missing `}` at `t` for a block opened at `open`. */
  private missingBrace(t: Token, what: string, open: Token): void {
    this.report(t.pos, `expected '}' to close ${what}${t.kind === 'eof' ? '' : ` before ${describe(t)}`}`,
      `${what} opened at line ${open.pos.line}; close it with '};'`);
  }

  // ---- file and module ----

  parseFile(): IdlFile {
    try {
      this.loop(() => this.peek().kind === 'eof', () => this.parseTopLevel(), false);
    } catch (e) {
      if (!(e instanceof TooManyErrors)) throw e;
    }
    return {path: this.source.file, includes: this.includes, modules: this.modules};
  }

  private parseTopLevel(): void {
    const t = this.peek();
    if (t.kind === 'include') return this.parseInclude();
    if (this.at('module')) return this.parseModule(undefined);
    if (this.at('}')) {
      this.next();
      this.report(t.pos, 'unexpected \'}\' outside any module',
        'remove it, or check that every \'{\' before it has exactly one matching \'}\'');
      return;
    }
    if (this.startsDefinition(t)) {
      this.fail(t, `'${t.text}' must be inside a module`, `wrap it in 'module Name { ... };'`);
    }
    this.fail(t, `expected 'module' or '#include', found ${describe(t)}`,
      'a .tars file holds #include "file.tars" lines and \'module Name { ... };\' blocks');
  }

  private parseInclude(): void {
    const hash = this.next();
    const t = this.peek();
    if (t.kind !== 'string') {
      this.fail(t, `expected a file name in quotes after #include, found ${describe(t)}`,
        'write #include "other.tars"');
    }
    this.next();
    this.includes.push({path: t.stringValue ?? '', pos: hash.pos});
  }

  /** Parses `module Name { ... };`; `outer` is the enclosing module's name when it is (wrongly) nested. */
  private parseModule(outer: string | undefined): void {
    const kw = this.next();
    const name = this.expectName('module', 'MyApp').text;
    if (outer !== undefined) {
      this.report(kw.pos, `modules cannot be nested: module '${name}' is inside module '${outer}'`,
        `close module '${outer}' with '};' before 'module ${name}', and refer to its types as '${name}::Type'`);
    }
    const open = this.expectPunct('{', `expected '{' after 'module ${name}'`, `write 'module ${name} { ... };'`);
    const definitions: Definition[] = [];
    // Pushed first so that a nested (erroneous) module lands after it, in source order.
    this.modules.push({name, definitions, pos: kw.pos});
    let closed = false;
    this.loop(() => closed || this.peek().kind === 'eof' || this.at('}'), () => {
      const t = this.peek();
      if (t.kind === 'include') return this.parseInclude();
      if (this.at('module')) return this.parseModule(name);
      const def = this.parseDefinition();
      if (def !== undefined) definitions.push(def);
    });
    if (this.eat('}')) {
      this.expectSemicolon(`'}' of module '${name}'`, 'end a module with \'};\'');
    } else {
      this.missingBrace(this.peek(), `module '${name}'`, open);
    }
  }

  private parseDefinition(): Definition | undefined {
    const t = this.peek();
    if (t.kind === 'keyword') {
      switch (t.text) {
        case 'struct': return this.parseStruct();
        case 'enum': return this.parseEnum();
        case 'const': return this.parseConst();
        case 'key': return this.parseKey();
        case 'interface': return this.parseInterface();
      }
    }
    return this.fail(t, `expected a definition (struct, enum, const, key or interface), found ${describe(t)}`,
      'inside a module, write \'struct Name { ... };\', \'enum Name { ... };\', \'const int N = 1;\', ' +
      '\'key[Struct, member];\' or \'interface Name { ... };\'');
  }

  /**
   * Parses the `{ items }` body of a struct, enum or interface, with the `};` after it. A definition keyword where an
   * item should be means the `}` was forgotten: that is reported and the body ends there.
   */
  private parseBody(kind: string, name: string, open: Token, item: () => void): void {
    const what = `${kind} '${name}'`;
    this.loop(() => this.peek().kind === 'eof' || this.at('}') || this.startsDefinition(this.peek()), item);
    if (this.eat('}')) this.expectSemicolon(`'}' of ${what}`, `end the ${kind} with '};'`);
    else this.missingBrace(this.peek(), what, open);
  }

  // ---- struct ----

  private parseStruct(): StructDecl {
    const kw = this.next();
    const name = this.expectName('struct', 'MyStruct').text;
    const open = this.expectPunct('{', `expected '{' after 'struct ${name}'`,
      `write 'struct ${name} { 0 require int id; };'`);
    const fields: FieldDecl[] = [];
    this.parseBody('struct', name, open, () => fields.push(this.parseField()));
    return {kind: 'struct', name, fields, pos: kw.pos};
  }

  private parseField(): FieldDecl {
    const t = this.peek();
    const example = 'write members as \'<tag> require|optional <type> <name>;\', e.g. \'0 require int id;\'';
    let tag: number;
    if (t.kind === 'int') {
      tag = Number(t.intValue ?? 0n);
      this.next();
    } else if (t.kind === 'float') {
      return this.fail(t, `a tag must be an integer, found '${t.text}'`, 'tags are whole numbers 0..255');
    } else if (this.at('require') || this.at('optional')) {
      return this.fail(t, `expected a tag number before '${t.text}'`, example);
    } else if (this.startsType(t)) {
      return this.fail(t, 'expected a tag and \'require\' or \'optional\' before the member\'s type', example);
    } else {
      return this.fail(t, `expected a struct member or '}', found ${describe(t)}`, example);
    }
    let required = false;
    if (this.eat('require')) required = true;
    else if (!this.eat('optional')) {
      const u = this.peek();
      // With a type right there, the member is otherwise fine: report, assume optional, and keep checking it.
      if (this.startsType(u)) {
        this.report(u.pos, `expected 'require' or 'optional' after tag ${t.text}`,
          `write '${t.text} require ...' or '${t.text} optional ...'; every member must say which`);
      } else {
        this.fail(u, `expected 'require' or 'optional' after tag ${t.text}, found ${describe(u)}`, example);
      }
    }
    const type = this.parseType(0);
    const name = this.expectName('member', 'value').text;
    if (this.at('[')) {
      this.fail(this.peek(), 'array members (\'name[N]\') are a C++-only extension and are not supported',
        'use vector<T> instead');
    }
    let value: ConstValue | undefined;
    if (this.eat('=')) value = this.parseConstValue();
    this.expectSemicolon('the struct member', 'end each member with \';\'');
    const field = {tag, required, type, name, pos: t.pos};
    return value === undefined ? field : {...field, default: value};
  }

  // ---- types and values ----

  private startsType(t: Token): boolean {
    return t.kind === 'ident' || (t.kind === 'keyword' &&
      (PRIMITIVES.has(t.text) || t.text === 'unsigned' || t.text === 'vector' || t.text === 'map'));
  }

  private parseType(depth: number): TypeRef {
    const t = this.peek();
    if (depth > MAX_TYPE_DEPTH) this.fail(t, 'type is nested too deeply', `nest at most ${MAX_TYPE_DEPTH} levels`);
    if (t.kind === 'keyword') {
      if (PRIMITIVES.has(t.text)) {
        this.next();
        return {kind: t.text as PrimitiveKind, pos: t.pos};
      }
      switch (t.text) {
        case 'unsigned': return this.parseUnsigned();
        case 'vector': {
          this.next();
          this.expectPunct('<', 'expected \'<\' after \'vector\'', 'write vector<T>, e.g. vector<int>');
          const elem = this.parseType(depth + 1);
          this.expectPunct('>', 'expected \'>\' to close vector<...>', 'write vector<T>, e.g. vector<int>');
          return {kind: 'vector', elem, pos: t.pos};
        }
        case 'map': {
          this.next();
          const hint = 'write map<KeyType, ValueType>, e.g. map<string, int>';
          this.expectPunct('<', 'expected \'<\' after \'map\'', hint);
          const key = this.parseType(depth + 1);
          if (this.at('>')) this.fail(this.peek(), 'map needs a key type and a value type, found only one', hint);
          this.expectPunct(',', 'expected \',\' between the key and value types of map<K, V>', hint);
          const value = this.parseType(depth + 1);
          this.expectPunct('>', 'expected \'>\' to close map<...>', hint);
          return {kind: 'map', key, value, pos: t.pos};
        }
        case 'void':
          return this.fail(t, '\'void\' can only be the return type of an operation', TYPE_HINT);
      }
    }
    if (t.kind === 'ident') {
      this.next();
      if (!this.eat('::')) return {kind: 'named', name: t.text, pos: t.pos};
      const member = this.peek();
      if (member.kind !== 'ident') {
        this.fail(member, `expected a type name after '${t.text}::', found ${describe(member)}`,
          'write Module::Type, e.g. Common::Result');
      }
      this.next();
      if (this.at('::')) {
        this.fail(this.peek(), 'a type name has at most one scope: \'Module::Type\'',
          'modules do not nest, so write Module::Type');
      }
      return {kind: 'named', module: t.text, name: member.text, pos: t.pos};
    }
    return this.fail(t, `expected a type, found ${describe(t)}`, TYPE_HINT);
  }

  private parseUnsigned(): TypeRef {
    const kw = this.next();
    const t = this.peek();
    const hint = '\'unsigned\' applies only to byte, short and int; use long for larger values';
    const kinds: Readonly<Record<string, PrimitiveKind>> = {byte: 'ubyte', short: 'ushort', int: 'uint'};
    if (t.kind === 'keyword' && t.text in kinds) {
      this.next();
      return {kind: kinds[t.text]!, pos: kw.pos};
    }
    if (t.kind === 'keyword' && PRIMITIVES.has(t.text)) {
      // `unsigned long` etc.: report, then keep the base type so the member is still checked.
      this.next();
      this.report(kw.pos, `'unsigned ${t.text}' is not a type`, hint);
      return {kind: t.text as PrimitiveKind, pos: kw.pos};
    }
    return this.fail(t, `expected byte, short or int after 'unsigned', found ${describe(t)}`, hint);
  }

  private parseConstValue(): ConstValue {
    const t = this.peek();
    switch (t.kind) {
      case 'int':
        this.next();
        return {kind: 'int', value: t.intValue ?? 0n, text: t.text, pos: t.pos};
      case 'float':
        this.next();
        return {kind: 'float', value: t.floatValue ?? 0, text: t.text, pos: t.pos};
      case 'string':
        this.next();
        return {kind: 'string', value: t.stringValue ?? '', pos: t.pos};
      case 'keyword':
        if (t.text === 'true' || t.text === 'false') {
          this.next();
          return {kind: 'bool', value: t.text === 'true', pos: t.pos};
        }
        break;
      case 'ident': {
        this.next();
        const parts = [t.text];
        while (this.eat('::')) {
          const p = this.peek();
          if (p.kind !== 'ident') {
            this.fail(p, `expected a name after '::', found ${describe(p)}`, 'write Enum::Member or Module::Enum::Member');
          }
          parts.push(this.next().text);
        }
        if (parts.length > 3) {
          this.report(t.pos, `'${parts.join('::')}' has too many scopes`,
            'name an enumerator as Member, Enum::Member, Module::Member or Module::Enum::Member');
        }
        const name = parts[parts.length - 1]!;
        if (parts.length === 1) return {kind: 'ident', name, pos: t.pos};
        if (parts.length === 2) return {kind: 'ident', module: parts[0]!, name, pos: t.pos};
        return {kind: 'ident', module: parts[parts.length - 3]!, enumName: parts[parts.length - 2]!, name, pos: t.pos};
      }
      default:
        break;
    }
    return this.fail(t, `expected a value after '=', found ${describe(t)}`,
      'a value is a number (42, -1, 0x2A, 1.5), a "string", true, false, or an enumerator name');
  }

  // ---- enum ----

  private parseEnum(): EnumDecl {
    const kw = this.next();
    const name = this.expectName('enum', 'MyEnum').text;
    const open = this.expectPunct('{', `expected '{' after 'enum ${name}'`, `write 'enum ${name} { A, B = 5, C };'`);
    const members: EnumMember[] = [];
    this.parseBody('enum', name, open, () => {
      members.push(this.parseEnumerator());
      if (this.eat(',') || this.at('}')) return;
      const t = this.peek();
      if (t.kind === 'ident') {
        this.report(this.prev().end, 'expected \',\' between enumerators', 'separate enumerators with \',\'');
        return;
      }
      this.fail(t, `expected ',' or '}' after an enumerator, found ${describe(t)}`,
        `separate enumerators with ',' and close the enum with '};'`);
    });
    if (members.length === 0) {
      this.report(kw.pos, `enum '${name}' has no enumerators`, `add at least one, e.g. 'enum ${name} { NONE };'`);
    }
    return {kind: 'enum', name, members, pos: kw.pos};
  }

  private parseEnumerator(): EnumMember {
    const t = this.peek();
    const name = this.expectName('enumerator', 'VALUE').text;
    if (!this.eat('=')) return {name, value: 0, pos: t.pos};
    const init = this.parseConstValue();
    if (init.kind !== 'int' && !(init.kind === 'ident' && init.module === undefined)) {
      this.report(init.pos, `an enumerator's value must be an integer or an earlier enumerator of this enum`,
        `write '${name} = 5' or '${name} = OTHER' where OTHER is declared above it in this enum`);
      return {name, value: 0, pos: t.pos};
    }
    return {name, value: 0, init, pos: t.pos};
  }

  // ---- const and key ----

  private parseConst(): ConstDecl {
    const kw = this.next();
    const type = this.parseType(0);
    const name = this.expectName('const', 'MAX_SIZE').text;
    this.expectPunct('=', `expected '=' and a value after 'const ... ${name}'`, `write 'const int ${name} = 1;'`);
    const value = this.parseConstValue();
    this.expectSemicolon(`const '${name}'`, 'end a const with \';\'');
    return {kind: 'const', type, name, value, pos: kw.pos};
  }

  private parseKey(): KeyDecl {
    const kw = this.next();
    const hint = 'write key[StructName, member1, member2];';
    this.expectPunct('[', 'expected \'[\' after \'key\'', hint);
    const struct = this.expectName('struct', 'MyStruct').text;
    if (this.at(']')) this.fail(this.peek(), `key[${struct}] names no members`, hint);
    const fields: string[] = [];
    while (this.eat(',')) fields.push(this.expectName('member', 'id').text);
    this.expectPunct(']', 'expected \',\' or \']\' in key[...]', hint);
    this.expectSemicolon('key[...]', 'end a key declaration with \';\'');
    return {kind: 'key', struct, fields, pos: kw.pos};
  }

  // ---- interface ----

  private parseInterface(): InterfaceDecl {
    const kw = this.next();
    const name = this.expectName('interface', 'MyService').text;
    const open = this.expectPunct('{', `expected '{' after 'interface ${name}'`,
      `write 'interface ${name} { int call(string req, out string resp); };'`);
    const operations: OperationDecl[] = [];
    this.parseBody('interface', name, open, () => operations.push(this.parseOperation()));
    return {kind: 'interface', name, operations, pos: kw.pos};
  }

  private parseOperation(): OperationDecl {
    const t = this.peek();
    let returnType: TypeRef | null = null;
    if (this.at('void')) this.next();
    else if (this.startsType(t)) returnType = this.parseType(0);
    else {
      this.fail(t, `expected an operation or '}', found ${describe(t)}`,
        'write operations as \'<type|void> name(<params>);\', e.g. \'int getUser(long id, out User user);\'');
    }
    const name = this.expectName('operation', 'doWork').text;
    this.expectPunct('(', `expected '(' after operation name '${name}'`, `write '${name}(int a, out string b);'`);
    const params: ParamDecl[] = [];
    if (!this.at(')')) {
      for (;;) {
        params.push(this.parseParam());
        if (this.eat(',')) continue;
        if (this.at(')')) break;
        this.fail(this.peek(), `expected ',' or ')' in the parameters of '${name}', found ${describe(this.peek())}`,
          'separate parameters with \',\' and close the list with \')\'');
      }
    }
    this.next();
    this.expectSemicolon(`operation '${name}'`, 'end each operation with \';\'');
    return {name, returnType, params, pos: t.pos};
  }

  private parseParam(): ParamDecl {
    const start = this.peek();
    let out = false;
    let routekey = false;
    while (this.at('out') || this.at('routekey')) {
      const m = this.next();
      if (out || routekey) {
        this.report(m.pos, `'${m.text}' cannot be combined with '${out ? 'out' : 'routekey'}'`,
          'a parameter is plain, \'out\', or \'routekey\' (an input used for routing)');
      }
      if (m.text === 'out') out = true;
      else routekey = true;
    }
    const type = this.parseType(0);
    const name = this.expectName('parameter', 'req').text;
    if (this.at('=')) {
      this.fail(this.peek(), 'parameters cannot have default values', 'remove \'= ...\' from the parameter');
    }
    return {name, type, out, routekey, pos: start.pos};
  }
}
