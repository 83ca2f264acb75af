import {expect} from 'chai';
import fc from 'fast-check';
import {readFileSync} from 'node:fs';
import * as path from 'node:path';
import {fileURLToPath} from 'node:url';

import {TarsError} from '../../core/src/errors/tars-error.js';
import {
  type Diagnostic, MAX_DIAGNOSTICS, assertNoErrors, formatDiagnostic, formatDiagnostics, loadIdl, parseIdl, tokenize,
} from '../../core/src/idl/index.js';

const DIR = path.resolve('/virtual-idl');
const TORTURE = readFileSync(fileURLToPath(new URL('../fixtures/idl/torture.tars', import.meta.url)), 'utf8');
const COMMON = readFileSync(fileURLToPath(new URL('../fixtures/idl/common.tars', import.meta.url)), 'utf8');

/** Loads in-memory files (names relative to DIR); the entries default to main.tars. */
function load(files: Record<string, string>, entries: string[] = ['main.tars']): Diagnostic[] {
  const byPath = new Map(Object.entries(files).map(([name, text]) => [path.join(DIR, name), text]));
  return loadIdl(entries.map((e) => path.join(DIR, e)), {readFile: (p) => byPath.get(p)}).diagnostics;
}

const errorsOf = (list: Diagnostic[]): Diagnostic[] => list.filter((d) => d.severity === 'error');

/** `module M { <body> };`, with the body starting on line 2. */
const M = (body: string): string => `module M {\n${body}\n};\n`;

interface Case {
  readonly name: string;
  /** main.tars, or every file when an object. */
  readonly src: string | Record<string, string>;
  readonly entries?: string[];
  /** A stable substring of the message, or a pattern. */
  readonly message: string | RegExp;
  readonly line: number;
  readonly col: number;
  /** The file the diagnostic is in (default main.tars). */
  readonly file?: string;
  /** A substring the hint must contain. */
  readonly hint?: string;
  /** How many errors the whole run reports (default 1: recovery must not cascade). */
  readonly errors?: number;
}

const CASES: Case[] = [
  // ---- syntax ----
  {name: 'missing ; after a member', src: M('  struct S {\n    0 require int a\n    1 require int b;\n  };'),
    message: 'expected \';\' after the struct member', line: 3, col: 20, hint: 'end each member with \';\''},
  {name: 'missing ; after the } of a struct', src: M('  struct S { 0 require int a; } struct T { 0 require int b; };'),
    message: 'expected \';\' after \'}\' of struct \'S\'', line: 2, col: 32},
  {name: 'missing } of a module at the end of the file', src: 'module M {\n  struct S {\n    0 require int a;\n  };\n',
    message: 'expected \'}\' to close module \'M\'', line: 4, col: 5, hint: 'opened at line 1'},
  {name: 'missing } of a struct before the next definition',
    src: M('  struct A {\n    0 require int a;\n  struct B {\n    0 require int b;\n  };'),
    message: 'expected \'}\' to close struct \'A\' before \'struct\'', line: 4, col: 3, hint: 'opened at line 2'},
  {name: 'unterminated block comment', src: M('  /* never closed\n  struct S { 0 require int a; };'),
    message: 'unterminated comment', line: 2, col: 3, hint: '*/'},
  {name: 'unterminated string', src: M('  struct S {\n    0 optional string s = "abc;\n    1 require int b;\n  };'),
    message: 'unterminated string', line: 3, col: 27},
  {name: 'non-integer tag', src: M('  struct S {\n    1.5 require int a;\n  };'),
    message: 'a tag must be an integer, found \'1.5\'', line: 3, col: 5},
  {name: 'member without a tag', src: M('  struct S {\n    require int a;\n  };'),
    message: 'expected a tag number before \'require\'', line: 3, col: 5},
  {name: 'missing require/optional', src: M('  struct S {\n    0 int a;\n  };'),
    message: 'expected \'require\' or \'optional\' after tag 0', line: 3, col: 7},
  {name: 'keyword as a member name', src: M('  struct S {\n    0 require string string;\n  };'),
    message: '\'string\' is a keyword and cannot be used as a member name', line: 3, col: 22,
    hint: '\'string\' is a keyword; rename the member'},
  {name: 'keyword as a struct name', src: M('  struct int { 0 require int a; };'),
    message: '\'int\' is a keyword and cannot be used as a struct name', line: 2, col: 10},
  {name: 'keyword key as a parameter name', src: M('  interface I { void f(string key); };'),
    message: '\'key\' is a keyword and cannot be used as a parameter name', line: 2, col: 31},
  {name: 'unsigned long', src: M('  struct S {\n    0 require unsigned long x;\n  };'),
    message: '\'unsigned long\' is not a type', line: 3, col: 15, hint: 'only to byte, short and int'},
  {name: 'map with a missing value type', src: M('  struct S {\n    0 require map<int> m;\n  };'),
    message: 'map needs a key type and a value type', line: 3, col: 22, hint: 'map<KeyType, ValueType>'},
  {name: 'void as a member type', src: M('  struct S {\n    0 require void v;\n  };'),
    message: '\'void\' can only be the return type of an operation', line: 3, col: 15},
  {name: 'nested module', src: 'module A {\n  module B {\n    struct S { 0 require int a; };\n  };\n};\n',
    message: 'modules cannot be nested: module \'B\' is inside module \'A\'', line: 2, col: 3},
  {name: 'definition outside any module', src: 'struct S { 0 require int a; };\n',
    message: '\'struct\' must be inside a module', line: 1, col: 1, hint: 'module Name'},
  {name: 'missing value after =', src: M('  struct S {\n    0 optional int a = ;\n  };'),
    message: 'expected a value after \'=\', found \';\'', line: 3, col: 24},
  {name: 'missing comma between enumerators', src: M('  enum E { A B };'),
    message: 'expected \',\' between enumerators', line: 2, col: 13},
  {name: 'invalid octal literal', src: M('  const int X = 08;'),
    message: 'invalid octal literal \'08\'', line: 2, col: 17},
  {name: 'unknown string escape', src: M('  const string S = "a\\qb";'),
    message: 'unknown escape \'\\q\'', line: 2, col: 22},
  {name: 'stray character', src: M('  struct S { 0 require int a; }; @'),
    message: 'unexpected character \'@\'', line: 2, col: 34},
  {name: 'unknown directive', src: `#define X 1\n${M('  struct S { 0 require int a; };')}`,
    message: 'unknown directive \'#define\'', line: 1, col: 1},

  // ---- tags and members ----
  {name: 'tag -1', src: M('  struct S {\n    -1 require int a;\n  };'),
    message: 'tag -1 of member \'a\' is out of range 0..255', line: 3, col: 5},
  {name: 'tag 256', src: M('  struct S {\n    256 require int a;\n  };'),
    message: 'tag 256 of member \'a\' is out of range 0..255', line: 3, col: 5},
  {name: 'duplicate tag', src: M('  struct S {\n    0 require int a;\n    0 optional int b;\n  };'),
    message: 'duplicate tag 0 in struct \'S\': \'a\' and \'b\' both use it', line: 4, col: 5, hint: '1 is free'},
  {name: 'duplicate member', src: M('  struct S {\n    0 require int a;\n    1 optional string a;\n  };'),
    message: 'duplicate member \'a\' in struct \'S\'', line: 4, col: 5},
  {name: 'struct containing itself', src: M('  struct Node { 0 optional Node next; };'),
    message: 'struct \'Node\' contains itself through member \'next\'', line: 2, col: 17, hint: 'vector'},
  {name: 'structs containing each other', src: M('  struct A { 0 optional B b; };\n  struct B { 0 optional A a; };'),
    message: 'struct \'B\' contains itself: B.a -> A.b -> B', line: 3, col: 14},

  // ---- names and types ----
  {name: 'duplicate struct across two files',
    src: {'main.tars': `#include "b.tars"\n${M('  struct S { 0 require int a; };')}`,
      'b.tars': M('  struct S { 0 require string s; };')},
    message: /'S' is already defined in module 'M' \(struct at .*b\.tars:2\)/, line: 3, col: 3},
  {name: 'duplicate names across kinds', src: M('  enum X { A };\n  struct X { 0 require int a; };'),
    message: '\'X\' is already defined in module \'M\' (enum at', line: 3, col: 3},
  {name: 'unknown type with a suggestion', src: M('  struct User { 0 require int id; };\n  struct S { 0 require Usr u; };'),
    message: 'unknown type \'Usr\'', line: 3, col: 24, hint: 'did you mean \'User\'?'},
  {name: 'misspelt built-in type', src: M('  struct S { 0 require stirng s; };'),
    message: 'unknown type \'stirng\'', line: 2, col: 24, hint: 'did you mean \'string\'?'},
  {name: 'unknown module', src: M('  struct S { 0 require Nope::User u; };'),
    message: 'unknown module \'Nope\' in \'Nope::User\'', line: 2, col: 24, hint: '#include'},
  {name: 'type of another module without Module::',
    src: {'main.tars': `#include "b.tars"\n${M('  struct S { 0 require T t; };')}`,
      'b.tars': 'module Other { struct T { 0 require int a; }; };\n'},
    message: 'unknown type \'T\' in module \'M\'', line: 3, col: 24, hint: 'write \'Other::T\''},
  {name: 'type from a file that is not included',
    src: {'main.tars': M('  struct S { 0 require T t; };'), 'b.tars': M('  struct T { 0 require int a; };')},
    entries: ['main.tars', 'b.tars'],
    message: /'T' is declared in .*b\.tars, which this file does not #include/, line: 2, col: 24,
    hint: 'add #include "b.tars"'},
  {name: 'interface used as a type', src: M('  interface I { void f(); };\n  struct S { 0 require I i; };'),
    message: '\'I\' is an interface, not a type', line: 3, col: 24},
  {name: 'const used as a type', src: M('  const int C = 1;\n  struct S { 0 require C c; };'),
    message: '\'C\' is a const, not a type', line: 3, col: 24},

  // ---- values ----
  {name: 'string default into int', src: M('  struct S {\n    0 optional int a = "x";\n  };'),
    message: 'member \'a\' is int, but its default is the string "x"', line: 3, col: 24, hint: 'integer'},
  {name: 'float default into int', src: M('  struct S {\n    0 optional int a = 1.5;\n  };'),
    message: 'member \'a\' is int, but its default is the float 1.5', line: 3, col: 24},
  {name: 'out-of-range byte default', src: M('  struct S {\n    0 optional byte b = 128;\n  };'),
    message: 'default 128 is out of range for byte member \'b\' (-128..127)', line: 3, col: 25},
  {name: 'negative unsigned default', src: M('  struct S {\n    0 optional unsigned short p = -1;\n  };'),
    message: 'default -1 is out of range for unsigned short member \'p\' (0..65535)', line: 3, col: 35},
  {name: 'default on a vector', src: M('  struct S {\n    0 optional vector<int> v = 1;\n  };'),
    message: 'member \'v\' is vector<int>; only bool, number, string and enum members can have a default',
    line: 3, col: 32, hint: 'remove'},
  {name: 'enum default that is not a member', src: M('  enum E { RED, GREEN };\n  struct S { 0 optional E e = GREN; };'),
    message: '\'GREN\' is not a member of enum \'E\'', line: 3, col: 31, hint: 'did you mean \'GREEN\'?'},
  {name: 'const of the wrong type', src: M('  const bool B = 1;'),
    message: 'const \'B\' is bool, but its value is the integer 1', line: 2, col: 18, hint: 'true or false'},
  {name: 'const of vector type', src: M('  const vector<int> V = 1;'),
    message: 'const \'V\' must have a built-in type, not vector<int>', line: 2, col: 9},

  // ---- enums ----
  {name: 'duplicate enumerator', src: M('  enum E { A, B, A };'),
    message: 'duplicate enumerator \'A\' in enum \'E\'', line: 2, col: 18},
  {name: 'enumerator referring to an unknown member', src: M('  enum E { A, B = C };'),
    message: '\'C\' is not an enumerator of enum \'E\'', line: 2, col: 19},
  {name: 'enumerator referring to a later member', src: M('  enum E { A = B, B };'),
    message: 'enumerator \'A\' refers to \'B\', which is declared after it', line: 2, col: 16},
  {name: 'enum value beyond int32', src: M('  enum E { A = 2147483648 };'),
    message: 'value 2147483648 of enumerator \'A\' does not fit int32', line: 2, col: 16},

  // ---- keys and interfaces ----
  {name: 'key naming an unknown member', src: M('  struct S { 0 require int id; };\n  key[S, idd];'),
    message: '\'idd\' is not a member of struct \'S\'', line: 3, col: 3, hint: 'did you mean \'id\'?'},
  {name: 'key naming an unknown struct', src: M('  key[Nope, a];'),
    message: 'key[...] names unknown struct \'Nope\' in module \'M\'', line: 2, col: 3},
  {name: 'parameter named like its operation', src: M('  interface I { int f(int f); };'),
    message: 'parameter \'f\' has the same name as its operation', line: 2, col: 23},
  {name: 'duplicate parameter', src: M('  interface I { void f(int a, out int a); };'),
    message: 'duplicate parameter \'a\' in operation \'f\'', line: 2, col: 31},
  {name: 'duplicate operation', src: M('  interface I {\n    void f();\n    void f(int a);\n  };'),
    message: 'duplicate operation \'f\' in interface \'I\'', line: 4, col: 5, hint: 'no overloading'},
  {name: 'out-parameters ret and ret_ beside a return value (two ret_ members in the result)',
    src: M('  interface I { int f(out int ret, out int ret_); };'),
    message: 'operation \'f\' returns a value and has parameters named both \'ret\' and \'ret_\'', line: 2, col: 36,
    hint: 'rename the parameter \'ret_\''},
  {name: 'in-parameter ret_ and out-parameter ret beside a return value',
    src: M('  interface I { string f(string ret_, out int ret); };'),
    message: 'operation \'f\' returns a value and has parameters named both \'ret\' and \'ret_\'', line: 2, col: 39,
    hint: 'rename the parameter \'ret\''},

  // ---- files ----
  {name: 'include not found', src: `#include "missing.tars"\n${M('  struct S { 0 require int a; };')}`,
    message: 'cannot find included file \'missing.tars\'', line: 1, col: 1, hint: 'include directories'},
  {name: 'include cycle',
    src: {'main.tars': `#include "a.tars"\n${M('  struct S { 0 require int a; };')}`,
      'a.tars': `// a.tars\n#include "main.tars"\n${M('  struct T { 0 require int b; };')}`},
    message: /^include cycle: \S*main\.tars -> \S*a\.tars -> \S*main\.tars$/, file: 'a.tars', line: 2, col: 1},
];

describe('idl errors: one case per malformed input', () => {
  it('has at least 25 cases', () => {
    expect(CASES.length).to.be.at.least(25);
  });

  for (const c of CASES) {
    it(c.name, () => {
      const files = typeof c.src === 'string' ? {'main.tars': c.src} : c.src;
      const diagnostics = load(files, c.entries);
      const shown = formatDiagnostics(diagnostics);
      const d = diagnostics.find((x) =>
        typeof c.message === 'string' ? x.message.includes(c.message) : c.message.test(x.message));
      expect(d, `no diagnostic matching ${String(c.message)} in:\n${shown}`).to.not.equal(undefined);
      expect(d!.severity).to.equal('error');
      expect(d!.file, shown).to.equal(path.join(DIR, c.file ?? 'main.tars'));
      expect([d!.line, d!.col], shown).to.deep.equal([c.line, c.col]);
      expect(d!.hint, shown).to.be.a('string').and.not.equal('');
      if (c.hint !== undefined) expect(d!.hint, shown).to.include(c.hint);
      expect(d!.sourceLine, shown).to.equal(files[c.file ?? 'main.tars']!.split('\n')[c.line - 1]);
      expect(errorsOf(diagnostics), shown).to.have.length(c.errors ?? 1);
    });
  }

  it('lets ret and ret_ through where no return value can collide, and warns of an out-parameter ret', () => {
    expect(load({'main.tars': M('  interface I { void f(out int ret, out int ret_); };')})).to.deep.equal([]);
    // As the framework's AdminReg.reportResult: an in-parameter never meets the return value in a result object.
    expect(load({'main.tars': M('  interface I { int f(int requestId, int ret); };')})).to.deep.equal([]);
    const warned = load({'main.tars': M('  interface I { int f(string s, out int ret); };')});
    expect(warned.map((d) => [d.severity, d.line, d.col]), formatDiagnostics(warned))
      .to.deep.equal([['warning', 2, 33]]);
    expect(warned[0]!.message).to.include('the return value is \'ret_\'');
    expect(warned[0]!.hint).to.include('rename the parameter');
  });

  it('reports a missing entry file at line 0 with the path as given', () => {
    const diagnostics = loadIdl(['no/such/file.tars'], {readFile: () => undefined}).diagnostics;
    expect(diagnostics).to.deep.equal([{
      severity: 'error', message: 'cannot find file \'no/such/file.tars\'', hint: 'check the path of the .tars file',
      file: 'no/such/file.tars', line: 0, col: 0, code: 'IDL_FILE_NOT_FOUND',
    }]);
  });

  it('finds includes in the include directories after the including file\'s own directory', () => {
    const files = new Map([
      [path.join(DIR, 'src/main.tars'), `#include "shared.tars"\n${M('  struct S { 0 require Shared::T t; };')}`],
      [path.join(DIR, 'lib/shared.tars'), 'module Shared { struct T { 0 require int a; }; };'],
    ]);
    const {program, diagnostics} = loadIdl([path.join(DIR, 'src/main.tars')],
      {includeDirs: [path.join(DIR, 'lib')], readFile: (p) => files.get(p)});
    expect(diagnostics).to.deep.equal([]);
    expect(program.files.get(path.join(DIR, 'src/main.tars'))!.includes[0]!.resolved)
      .to.equal(path.join(DIR, 'lib/shared.tars'));
  });

  it('an absolute #include that does not exist falls back to its base name in the include directories', () => {
    const files = new Map([
      [path.join(DIR, 'src/main.tars'),
        `#include "/elsewhere/build/shared.tars"\n${M('  struct S { 0 require Shared::T t; };')}`],
      [path.join(DIR, 'lib/shared.tars'), 'module Shared { struct T { 0 require int a; }; };'],
    ]);
    const {program, diagnostics} = loadIdl([path.join(DIR, 'src/main.tars')],
      {includeDirs: [path.join(DIR, 'lib')], readFile: (p) => files.get(p)});
    expect(diagnostics).to.deep.equal([]);
    expect(program.files.get(path.join(DIR, 'src/main.tars'))!.includes[0]!.resolved)
      .to.equal(path.join(DIR, 'lib/shared.tars'));
  });

  it('an absolute #include that exists is used as is, before any file of the same name nearby', () => {
    const files = new Map([
      [path.join(DIR, 'main.tars'),
        `#include "${path.join(DIR, 'abs/shared.tars')}"\n${M('  struct S { 0 require int a; };')}`],
      [path.join(DIR, 'abs/shared.tars'), 'module Shared { struct T { 0 require int a; }; };'],
      [path.join(DIR, 'shared.tars'), 'module Other { struct T { 0 require int a; }; };'],
    ]);
    const {program, diagnostics} = loadIdl([path.join(DIR, 'main.tars')], {readFile: (p) => files.get(p)});
    expect(diagnostics).to.deep.equal([]);
    expect(program.files.get(path.join(DIR, 'main.tars'))!.includes[0]!.resolved)
      .to.equal(path.join(DIR, 'abs/shared.tars'));
  });

  it('the hint of a missing include lists only the places searched, each once', () => {
    const src = (inc: string): Map<string, string> =>
      new Map([[path.join(DIR, 'main.tars'), `#include "${inc}"\n${M('  struct S { 0 require int a; };')}`]]);
    const hintOf = (inc: string, includeDirs: string[]): string => {
      const files = src(inc);
      const [d] = loadIdl([path.join(DIR, 'main.tars')], {includeDirs, readFile: (p) => files.get(p)}).diagnostics;
      expect(d!.code).to.equal('IDL_FILE_NOT_FOUND');
      return d!.hint ?? '';
    };
    // An absolute path was once said to be looked for in directories that were never searched.
    expect(hintOf('/nowhere/gone.tars', [path.join(DIR, 'inc')])).to.equal(`looked for /nowhere/gone.tars, then for ` +
      `'gone.tars' in ${DIR}, ${path.join(DIR, 'inc')}; add the directory that holds it to the include directories ` +
      '(-I/--include)');
    expect(hintOf('gone.tars', [DIR, path.join(DIR, 'inc')]))
      .to.match(new RegExp(`^looked in ${DIR}, ${path.join(DIR, 'inc')}; `));
  });

  it('parses each file once however often it is included', () => {
    const reads: string[] = [];
    const files: Record<string, string> = {
      'main.tars': '#include "a.tars"\n#include "b.tars"\nmodule M { struct S { 0 require D::T t; }; };',
      'a.tars': '#include "d.tars"\nmodule A { struct X { 0 require int a; }; };',
      'b.tars': '#include "d.tars"\nmodule B { struct Y { 0 require int a; }; };',
      'd.tars': 'module D { struct T { 0 require int a; }; };',
    };
    const {program, diagnostics} = loadIdl([path.join(DIR, 'main.tars'), path.join(DIR, 'a.tars')], {
      readFile: (p) => {
        reads.push(path.basename(p));
        return files[path.basename(p)];
      },
    });
    expect(diagnostics).to.deep.equal([]);
    expect(reads.sort()).to.deep.equal(['a.tars', 'b.tars', 'd.tars', 'main.tars']);
    expect(program.entries.map((e) => path.basename(e))).to.deep.equal(['main.tars', 'a.tars']);
  });

  it('reports all of three independent errors in one run', () => {
    const diagnostics = load({'main.tars': M([
      '  struct A {',
      '    0 require int a',
      '    1 require int b;',
      '  };',
      '  struct B { 0 require Strng s; };',
      '  enum E { X, X };',
    ].join('\n'))});
    expect(errorsOf(diagnostics).map((d) => [d.line, d.message]), formatDiagnostics(diagnostics)).to.deep.equal([
      [3, 'expected \';\' after the struct member'],
      [6, 'unknown type \'Strng\''],
      [7, 'duplicate enumerator \'X\' in enum \'E\''],
    ]);
  });

  it('stops after MAX_DIAGNOSTICS errors in one file', () => {
    const body = Array.from({length: 300}, (_, i) => `  struct S${i} { 0 reqire int a; };`).join('\n');
    const {diagnostics} = parseIdl(M(body), 'many.tars');
    expect(diagnostics).to.have.length(MAX_DIAGNOSTICS);
    expect(diagnostics[MAX_DIAGNOSTICS - 1]!.message).to.include('too many errors');
  });
});

describe('idl diagnostics: formatting and assertNoErrors', () => {
  it('formats file:line:col, the source line, a caret under the column and the hint', () => {
    const [d] = load({'main.tars': M('\tstruct S {\n\t\t0 optional byte b = 300;\n\t};')});
    expect(formatDiagnostic(d!)).to.equal([
      `${path.join(DIR, 'main.tars')}:3:23: error: default 300 is out of range for byte member 'b' (-128..127)`,
      '\t\t0 optional byte b = 300;',
      '\t\t                    ^',
      'hint: use a value in -128..127, or a wider type',
    ].join('\n'));
  });

  it('formats a diagnostic without a position as the file name alone', () => {
    expect(formatDiagnostic({severity: 'error', message: 'cannot find file \'x.tars\'', hint: 'check the path',
      file: 'x.tars', line: 0, col: 0})).to.equal('x.tars: error: cannot find file \'x.tars\'\nhint: check the path');
  });

  it('formatDiagnostics ends with the counts', () => {
    const diagnostics = load({'main.tars': M('  struct E {};\n  struct S { 0 require Nope n; };')});
    expect(formatDiagnostics(diagnostics)).to.match(/warning: struct 'E' has no members[\s\S]*\n1 error, 1 warning$/);
  });

  it('throws IDL_INVALID with every diagnostic when there are errors', () => {
    const diagnostics = load({'main.tars': M('  struct S { 0 require Nope n; 1 require int n; };')});
    try {
      assertNoErrors(diagnostics);
      expect.fail('should have thrown');
    } catch (e) {
      expect(e).to.be.instanceOf(TarsError);
      const err = e as TarsError;
      expect(err.code).to.equal('IDL_INVALID');
      expect(err.message).to.equal(formatDiagnostics(diagnostics));
      expect(err.details['diagnostics']).to.deep.equal(diagnostics);
    }
  });

  it('throws IDL_FILE_NOT_FOUND when the only errors are missing files', () => {
    const diagnostics = load({'main.tars': `#include "gone.tars"\n${M('  struct S { 0 require Gone::T t; };')}`});
    expect(errorsOf(diagnostics).map((d) => d.code)).to.deep.equal(['IDL_FILE_NOT_FOUND']);
    expect(() => assertNoErrors(diagnostics)).to.throw(TarsError).with.property('code', 'IDL_FILE_NOT_FOUND');
  });

  it('passes warnings alone', () => {
    const diagnostics = load({'main.tars': M('  struct E {};')});
    expect(diagnostics.map((d) => d.severity)).to.deep.equal(['warning']);
    expect(() => assertNoErrors(diagnostics)).to.not.throw();
  });
});

describe('idl fuzz: hostile input never throws and always finishes', function () {
  this.timeout(20000);

  const wellFormed = (d: Diagnostic): void => {
    expect(d.message).to.be.a('string').and.not.equal('');
    expect(d.hint).to.be.a('string').and.not.equal('');
    expect(d.line).to.be.at.least(1);
    expect(d.col).to.be.at.least(1);
  };
  const byPath = (files: Record<string, string>) => (p: string): string | undefined => files[path.basename(p)];

  // UTF-16 units, mostly ASCII, lone surrogates included. (fc.string's 'binary' unit costs a second to warm up.)
  const unit = fc.oneof(fc.integer({min: 0, max: 127}), fc.integer({min: 0, max: 0xffff}));
  const garbage = fc.array(unit, {maxLength: 300}).map((units) => String.fromCharCode(...units));

  it('random strings', () => {
    fc.assert(fc.property(garbage, (s) => {
      const {diagnostics} = parseIdl(s, 'fuzz.tars');
      diagnostics.forEach(wellFormed);
      expect(diagnostics.length).to.be.at.most(MAX_DIAGNOSTICS);
      tokenize(s, 'fuzz.tars');
    }), {numRuns: 300});
  });

  const PIECES = ['module', 'struct', 'enum', 'interface', 'const', 'key', '{', '}', ';', ',', '<', '>', '(', ')',
    '[', ']', '=', '::', 'M', 'S', 'T', 'E', 'A', '0', '1', '-1', '256', '0x1F', '1.5', '"s"', '"', '/*', '*/', '//',
    '\n', 'require', 'optional', 'int', 'string', 'unsigned', 'long', 'vector', 'map', 'void', 'out', 'routekey',
    'true', '#include', '"common.tars"', '"main.tars"', 'Common::Result', 'Common'];

  it('random token soup, parsed and loaded with includes', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...PIECES), {maxLength: 120}), (parts) => {
      const src = parts.join(' ');
      const diagnostics = loadIdl(['/fuzz/main.tars'], {readFile: byPath({'main.tars': src, 'common.tars': COMMON})})
        .diagnostics;
      diagnostics.forEach(wellFormed);
    }), {numRuns: 400});
  });

  it('every truncation of the torture file', () => {
    for (let n = 0; n <= TORTURE.length; n += 5) {
      const cut = TORTURE.slice(0, n);
      const {diagnostics} = loadIdl(['/fuzz/torture.tars'],
        {readFile: byPath({'torture.tars': cut, 'common.tars': COMMON})});
      diagnostics.forEach(wellFormed);
    }
  });

  it('the torture file with any one token deleted', () => {
    const {tokens} = tokenize(TORTURE, 't.tars');
    const lines = TORTURE.split('\n');
    for (const t of tokens) {
      if (t.kind === 'eof') continue;
      const copy = [...lines];
      const line = copy[t.pos.line - 1]!;
      copy[t.pos.line - 1] = line.slice(0, t.pos.col - 1) + line.slice(t.end.col - 1);
      const {diagnostics} = loadIdl(['/fuzz/torture.tars'],
        {readFile: byPath({'torture.tars': copy.join('\n'), 'common.tars': COMMON})});
      diagnostics.forEach(wellFormed);
    }
  });
});
