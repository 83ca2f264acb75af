import {expect} from 'chai';

import {
  type IdlChange, type IdlChangeKind, type IdlChangeSeverity, type IdlProgram, compareIdl, formatDiagnostics, loadIdl,
} from '../../core/src/idl/index.js';

/** Loads IDL text from memory as /mem/A.tars (plus extra in-memory files it may #include). */
function program(text: string, extra: Record<string, string> = {}): IdlProgram {
  const files: Record<string, string> = {'/mem/A.tars': text, ...extra};
  const result = loadIdl(['/mem/A.tars'], {readFile: (p) => files[p]});
  expect(result.diagnostics, formatDiagnostics(result.diagnostics)).to.deep.equal([]);
  return result.program;
}

/** A struct S with the given members, in module M. */
const struct = (members: string): string => `module M { struct S { ${members} }; };`;
/** An interface I with the given operations, in module M. */
const iface = (ops: string): string => `module M { interface I { ${ops} }; };`;
/** An enum E with the given enumerators, in module M. */
const enumOf = (members: string): string => `module M { enum E { ${members} }; };`;

interface Row {
  readonly name: string;
  readonly old: string;
  readonly new: string;
  /** Every change expected, in report order: [kind, severity, member?]. */
  readonly expect: readonly (readonly [IdlChangeKind, IdlChangeSeverity, string?])[];
}

const ROWS: readonly Row[] = [
  // ------------------------------------------------------------------------------------------------- no change
  {name: 'no change', old: struct('0 require int a;'), new: struct('0 require int a;'), expect: []},
  {
    name: 'comments, whitespace and the order of definitions only',
    old: `module M {
      struct S { 0 require int a; 1 optional string b; };
      enum E { X, Y };
      interface I { int f(S s, out E e); };
    };`,
    new: `// a comment
    module M {
      /* reordered */ interface I { int f(S s, out E e); /* same */ };
      enum E { X,
               Y };
      struct S { 1 optional string b;   // members listed in another order
                 0 require int a; };
    };`,
    expect: [],
  },
  // ---------------------------------------------------------------------------------------------------- struct
  {name: 'a required field added', old: struct('0 require int a;'), new: struct('0 require int a; 1 require int b;'),
    expect: [['required-field-added', 'breaking', 'b']]},
  {name: 'an optional field added', old: struct('0 require int a;'), new: struct('0 require int a; 1 optional int b;'),
    expect: [['optional-field-added', 'compatible', 'b']]},
  {name: 'a required field removed', old: struct('0 require int a; 1 require int b;'), new: struct('0 require int a;'),
    expect: [['required-field-removed', 'breaking', 'b']]},
  {name: 'an optional field removed', old: struct('0 require int a; 1 optional int b;'), new: struct('0 require int a;'),
    expect: [['optional-field-removed', 'compatible', 'b']]},
  {name: 'a field type changed to another wire type', old: struct('0 optional int a;'),
    new: struct('0 optional string a;'), expect: [['field-type-changed', 'breaking', 'a']]},
  {name: 'a field narrowed (long -> int)', old: struct('0 optional long a;'), new: struct('0 optional int a;'),
    expect: [['field-type-changed', 'breaking', 'a']]},
  {name: 'float -> double (Node refuses a FLOAT head for a double)', old: struct('0 optional float a;'),
    new: struct('0 optional double a;'), expect: [['field-type-changed', 'breaking', 'a']]},
  {name: 'vector<byte> -> vector<int> (SIMPLE_LIST vs LIST)', old: struct('0 optional vector<byte> a;'),
    new: struct('0 optional vector<int> a;'), expect: [['field-type-changed', 'breaking', 'a']]},
  {name: 'byte -> short -> int -> long widening', old: struct('0 optional byte a; 1 optional short b; 2 optional int c;'),
    new: struct('0 optional short a; 1 optional int b; 2 optional long c;'),
    expect: [['field-type-widened', 'risky', 'a'], ['field-type-widened', 'risky', 'b'],
      ['field-type-widened', 'risky', 'c']]},
  {name: 'same integer width with another meaning (bool/byte, int/unsigned short, int/enum)',
    old: 'module M { enum E { X }; struct S { 0 optional bool a; 1 optional int b; 2 optional int c; }; };',
    new: 'module M { enum E { X }; struct S { 0 optional byte a; 1 optional unsigned short b; 2 optional E c; }; };',
    expect: [['field-type-reinterpreted', 'risky', 'a'], ['field-type-reinterpreted', 'risky', 'b'],
      ['field-type-reinterpreted', 'risky', 'c']]},
  {name: 'a vector element type changed', old: struct('0 optional vector<int> a;'),
    new: struct('0 optional vector<string> a;'), expect: [['field-element-type-changed', 'breaking', 'a']]},
  {name: 'a map value type changed', old: struct('0 optional map<string, int> a;'),
    new: struct('0 optional map<string, vector<int> > a;'), expect: [['field-element-type-changed', 'breaking', 'a']]},
  {name: 'a map key widened', old: struct('0 optional map<int, string> a;'),
    new: struct('0 optional map<long, string> a;'), expect: [['field-type-widened', 'risky', 'a']]},
  {name: 'a field renamed with the same tag and type', old: struct('0 require int a;'), new: struct('0 require int b;'),
    expect: [['field-renamed', 'compatible', 'b']]},
  {name: 'a tag reused for another field of another type', old: struct('0 optional int a;'),
    new: struct('0 optional string b;'), expect: [['field-tag-reused', 'breaking', 'b']]},
  {name: 'a field moved to another tag', old: struct('0 optional int a; 1 optional int b;'),
    new: struct('0 optional int a; 5 optional int b;'), expect: [['field-tag-changed', 'breaking', 'b']]},
  {name: 'two fields swap tags', old: struct('0 optional int a; 1 optional string b;'),
    new: struct('0 optional string b; 1 optional int a;'),
    expect: [['field-tag-changed', 'breaking', 'a'], ['field-tag-changed', 'breaking', 'b']]},
  {name: 'a field moved away and its tag taken by a new field', old: struct('0 optional int a;'),
    new: struct('0 optional int c; 1 optional int a;'),
    expect: [['field-tag-changed', 'breaking', 'a'], ['field-tag-reused', 'breaking', 'c']]},
  {name: 'require -> optional', old: struct('0 require int a;'), new: struct('0 optional int a;'),
    expect: [['field-made-optional', 'breaking', 'a']]},
  {name: 'optional -> require', old: struct('0 optional int a;'), new: struct('0 require int a;'),
    expect: [['field-made-required', 'breaking', 'a']]},
  {name: 'the default of an optional field changed', old: struct('0 optional int a = 1;'),
    new: struct('0 optional int a = 2;'), expect: [['field-default-changed', 'risky', 'a']]},
  {name: 'the default of a require field changed', old: struct('0 require string a = "x";'),
    new: struct('0 require string a = "y";'), expect: [['field-default-changed', 'compatible', 'a']]},
  {name: 'a struct added', old: struct('0 require int a;'),
    new: 'module M { struct S { 0 require int a; }; struct T { 0 require int a; }; };',
    expect: [['struct-added', 'compatible']]},
  {name: 'a struct removed', old: 'module M { struct S { 0 require int a; }; struct T { 0 require int a; }; };',
    new: struct('0 require int a;'), expect: [['struct-removed', 'risky']]},
  {name: 'a key[] changed', old: `${struct('0 require int a; 1 require int b;').slice(0, -3)} key[S, a]; };`,
    new: `${struct('0 require int a; 1 require int b;').slice(0, -3)} key[S, a, b]; };`,
    expect: [['struct-key-changed', 'risky']]},
  {name: 'a field switched to another struct with the same tags and types',
    old: 'module M { struct A { 0 require int x; }; struct S { 0 optional A a; }; };',
    new: 'module M { struct A { 0 require int x; }; struct B { 0 require int y; }; struct S { 0 optional B a; }; };',
    expect: [['struct-added', 'compatible'], ['field-type-reinterpreted', 'risky', 'a']]},
  {name: 'a field switched to another struct with different tags',
    old: 'module M { struct A { 0 require int x; }; struct S { 0 optional A a; }; };',
    new: 'module M { struct A { 0 require int x; }; struct B { 1 require int x; }; struct S { 0 optional B a; }; };',
    expect: [['struct-added', 'compatible'], ['field-type-changed', 'breaking', 'a']]},
  // ------------------------------------------------------------------------------------------------------ enum
  {name: 'enum values renumbered', old: enumOf('A, B'), new: enumOf('A = 1, B'),
    expect: [['enum-value-renumbered', 'breaking', 'A'], ['enum-value-renumbered', 'breaking', 'B']]},
  {name: 'an enumerator inserted before others renumbers them', old: enumOf('A, B'), new: enumOf('A, X, B'),
    expect: [['enum-value-renumbered', 'breaking', 'B'], ['enumerator-added', 'compatible', 'X']]},
  {name: 'an enumerator removed', old: enumOf('A, B, C'), new: enumOf('A, B'),
    expect: [['enumerator-removed', 'breaking', 'C']]},
  {name: 'an enumerator added at the end', old: enumOf('A, B'), new: enumOf('A, B, C'),
    expect: [['enumerator-added', 'compatible', 'C']]},
  {name: 'an enumerator renamed with the same value', old: enumOf('A, B'), new: enumOf('A, Bee'),
    expect: [['enumerator-renamed', 'compatible', 'Bee']]},
  {name: 'an enum added', old: struct('0 require int a;'), new: `${struct('0 require int a;')}\n${enumOf('A')}`,
    expect: [['enum-added', 'compatible']]},
  {name: 'an enum removed', old: `${struct('0 require int a;')}\n${enumOf('A')}`, new: struct('0 require int a;'),
    expect: [['enum-removed', 'risky']]},
  // ----------------------------------------------------------------------------------------------------- const
  {name: 'a const value changed', old: 'module M { const int K = 1; };', new: 'module M { const int K = 2; };',
    expect: [['const-value-changed', 'risky']]},
  {name: 'a const type changed', old: 'module M { const int K = 1; };', new: 'module M { const long K = 1; };',
    expect: [['const-type-changed', 'risky']]},
  {name: 'a const added', old: 'module M { const int K = 1; };',
    new: 'module M { const int K = 1; const string N = "n"; };', expect: [['const-added', 'compatible']]},
  {name: 'a const removed', old: 'module M { const int K = 1; const string N = "n"; };',
    new: 'module M { const int K = 1; };', expect: [['const-removed', 'risky']]},
  // ------------------------------------------------------------------------------------------------- interface
  {name: 'a function removed', old: iface('void f(); void g();'), new: iface('void f();'),
    expect: [['function-removed', 'breaking', 'g']]},
  {name: 'a function added', old: iface('void f();'), new: iface('void f(); int g(string s);'),
    expect: [['function-added', 'compatible', 'g']]},
  {name: 'a parameter added', old: iface('int f(int a);'), new: iface('int f(int a, int b);'),
    expect: [['parameter-added', 'breaking', 'f(b)']]},
  {name: 'an out-parameter added', old: iface('int f(int a);'), new: iface('int f(int a, out int r);'),
    expect: [['parameter-added', 'breaking', 'f(r)']]},
  {name: 'a parameter removed', old: iface('int f(int a, int b);'), new: iface('int f(int a);'),
    expect: [['parameter-removed', 'breaking', 'f(b)']]},
  {name: 'parameters reordered', old: iface('int f(int a, string b);'), new: iface('int f(string b, int a);'),
    expect: [['parameter-reordered', 'breaking', 'f(a)'], ['parameter-reordered', 'breaking', 'f(b)']]},
  {name: 'a parameter inserted in the middle moves the later ones',
    old: iface('int f(int a, int c);'), new: iface('int f(int a, int b, int c);'),
    expect: [['parameter-reordered', 'breaking', 'f(c)'], ['parameter-added', 'breaking', 'f(b)']]},
  {name: 'a parameter type changed', old: iface('int f(int a);'), new: iface('int f(string a);'),
    expect: [['parameter-type-changed', 'breaking', 'f(a)']]},
  {name: 'a parameter vector element type changed', old: iface('int f(vector<int> a);'),
    new: iface('int f(vector<double> a);'), expect: [['parameter-element-type-changed', 'breaking', 'f(a)']]},
  {name: 'a parameter widened', old: iface('int f(short a);'), new: iface('int f(int a);'),
    expect: [['parameter-type-widened', 'risky', 'f(a)']]},
  {name: 'a parameter reinterpreted (int -> enum)', old: 'module M { enum E { X }; interface I { int f(int a); }; };',
    new: 'module M { enum E { X }; interface I { int f(E a); }; };',
    expect: [['parameter-type-reinterpreted', 'risky', 'f(a)']]},
  {name: 'a parameter renamed', old: iface('int f(int a);'), new: iface('int f(int b);'),
    expect: [['parameter-renamed', 'risky', 'f(b)']]},
  {name: 'in -> out', old: iface('int f(int a, int b);'), new: iface('int f(int a, out int b);'),
    expect: [['parameter-direction-changed', 'breaking', 'f(b)']]},
  {name: 'out -> in', old: iface('int f(int a, out int b);'), new: iface('int f(int a, int b);'),
    expect: [['parameter-direction-changed', 'breaking', 'f(b)']]},
  {name: 'a parameter became a routekey', old: iface('int f(string a);'), new: iface('int f(routekey string a);'),
    expect: [['parameter-routekey-changed', 'risky', 'f(a)']]},
  {name: 'a return type changed', old: iface('int f();'), new: iface('string f();'),
    expect: [['return-type-changed', 'breaking', 'f']]},
  {name: 'void -> a return value', old: iface('void f();'), new: iface('int f();'),
    expect: [['return-type-changed', 'breaking', 'f']]},
  {name: 'a return type widened', old: iface('int f();'), new: iface('long f();'),
    expect: [['return-type-widened', 'risky', 'f']]},
  {name: 'a return type reinterpreted', old: iface('byte f();'), new: iface('bool f();'),
    expect: [['return-type-reinterpreted', 'risky', 'f']]},
  {name: 'an interface added', old: iface('void f();'),
    new: 'module M { interface I { void f(); }; interface J { void g(); }; };',
    expect: [['interface-added', 'compatible']]},
  {name: 'an interface removed', old: 'module M { interface I { void f(); }; interface J { void g(); }; };',
    new: iface('void f();'), expect: [['interface-removed', 'breaking']]},
  // ---------------------------------------------------------------------------------------------------- module
  {name: 'a module renamed shows as removed plus added',
    old: 'module M { struct S { 0 require int a; }; interface I { S f(); }; };',
    new: 'module N { struct S { 0 require int a; }; interface I { S f(); }; };',
    expect: [['struct-removed', 'risky'], ['interface-removed', 'breaking'], ['struct-added', 'compatible'],
      ['interface-added', 'compatible']]},
];

/** Every kind compareIdl can report: the compiler makes this list complete, the test below makes each one covered. */
const ALL_KINDS: Record<IdlChangeKind, true> = {
  'struct-added': true, 'struct-removed': true, 'struct-key-changed': true, 'required-field-added': true,
  'optional-field-added': true, 'required-field-removed': true, 'optional-field-removed': true,
  'field-type-changed': true, 'field-element-type-changed': true, 'field-type-widened': true,
  'field-type-reinterpreted': true, 'field-renamed': true, 'field-tag-reused': true, 'field-tag-changed': true,
  'field-made-optional': true, 'field-made-required': true, 'field-default-changed': true, 'enum-added': true,
  'enum-removed': true, 'enumerator-added': true, 'enumerator-removed': true, 'enumerator-renamed': true,
  'enum-value-renumbered': true, 'const-added': true, 'const-removed': true, 'const-value-changed': true,
  'const-type-changed': true, 'interface-added': true, 'interface-removed': true, 'function-added': true,
  'function-removed': true, 'return-type-changed': true, 'return-type-widened': true,
  'return-type-reinterpreted': true, 'parameter-added': true, 'parameter-removed': true, 'parameter-reordered': true,
  'parameter-renamed': true, 'parameter-type-changed': true, 'parameter-element-type-changed': true,
  'parameter-type-widened': true, 'parameter-type-reinterpreted': true, 'parameter-direction-changed': true,
  'parameter-routekey-changed': true,
};

function diff(row: Pick<Row, 'old' | 'new'>): IdlChange[] {
  return compareIdl(program(row.old), program(row.new));
}

describe('idl compatibility (compareIdl)', () => {
  for (const row of ROWS) {
    it(row.name, () => {
      const changes = diff(row);
      const got = changes.map((c) => c.member === undefined ? [c.kind, c.severity] : [c.kind, c.severity, c.member]);
      expect(got, changes.map((c) => c.message).join('\n')).to.deep.equal(row.expect.map((e) => [...e]));
    });
  }

  it('has a row for every kind of change', () => {
    const covered = new Set(ROWS.flatMap((r) => r.expect.map(([kind]) => kind)));
    expect(Object.keys(ALL_KINDS).filter((k) => !covered.has(k as IdlChangeKind))).to.deep.equal([]);
  });

  it('gives every change its module, definition, positions and a message in wire terms', () => {
    const [change] = diff({old: struct('0 require int a;'), new: struct('0 require int a;\n 7 require long b;')});
    expect(change).to.include({kind: 'required-field-added', module: 'M', definition: 'S', member: 'b'});
    expect(change.message).to.contain('tag 7').and.to.contain('require');
    expect(change.new).to.include({file: '/mem/A.tars', line: 2});
    expect(change.old).to.equal(undefined);

    const [removed] = diff({old: iface('void f();\n void g();'), new: iface('void f();')});
    expect(removed.old).to.include({file: '/mem/A.tars', line: 2});
    expect(removed.new).to.equal(undefined);

    const [moved] = diff({old: iface('int f(int a, string b);'), new: iface('int f(string b,\n int a);')});
    expect(moved.message).to.contain('position 1 to 2').and.to.contain('tag 2');
    expect(moved.old?.line).to.equal(1);
    expect(moved.new?.line).to.equal(2);
  });

  it('says which integer widths a widened field accepts and which values old peers refuse', () => {
    const [change] = diff({old: struct('0 optional byte a;'), new: struct('0 optional long a;')});
    expect(change.message).to.match(/narrower BYTE heads/).and.to.match(/beyond byte's range/);
  });

  it('compares types from included files and follows renamed structs that hold themselves', () => {
    const inc = 'module T { struct Node { 0 optional vector<Node> kids; 1 optional int v; }; };';
    const incNew = 'module T { struct Node { 0 optional vector<Node> kids; 1 optional string v; }; };';
    const main = '#include "/mem/T.tars"\nmodule M { struct S { 0 optional T::Node n; }; };';
    const changes = compareIdl(program(main, {'/mem/T.tars': inc}), program(main, {'/mem/T.tars': incNew}));
    expect(changes.map((c) => [c.module, c.definition, c.kind])).to.deep.equal([['T', 'Node', 'field-type-changed']]);

    const renamed = compareIdl(
      program('module M { struct A { 0 optional vector<A> k; }; struct S { 0 optional A a; }; };'),
      program('module M { struct A { 0 optional vector<A> k; }; struct B { 0 optional vector<B> k; }; ' +
        'struct S { 0 optional B a; }; };'));
    expect(renamed.map((c) => c.kind)).to.deep.equal(['struct-added', 'field-type-reinterpreted']);
  });
});
