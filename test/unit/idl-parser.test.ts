import {expect} from 'chai';
import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';

import {
  type ConstDecl, type EnumDecl, type FieldDecl, type IdlProgram, type InterfaceDecl, type StructDecl, type TypeRef,
  formatDiagnostics, loadIdl, parseIdl, tokenize,
} from '../../core/src/idl/index.js';

const TORTURE = fileURLToPath(new URL('../fixtures/idl/torture.tars', import.meta.url));
const COMMON = fileURLToPath(new URL('../fixtures/idl/common.tars', import.meta.url));

/** A type written back as IDL, to compare whole types in one assertion. */
function typeText(t: TypeRef | null): string {
  if (t === null) return 'void';
  switch (t.kind) {
    case 'vector': return `vector<${typeText(t.elem)}>`;
    case 'map': return `map<${typeText(t.key)},${typeText(t.value)}>`;
    case 'named': return t.module === undefined ? t.name : `${t.module}::${t.name}`;
    default: return t.kind;
  }
}

describe('idl parser and loader: torture file', () => {
  let program: IdlProgram;
  let user: StructDecl;
  let field: (name: string) => FieldDecl;
  let constant: (name: string) => ConstDecl;

  before(() => {
    const result = loadIdl([TORTURE]);
    expect(result.diagnostics, formatDiagnostics(result.diagnostics)).to.deep.equal([]);
    program = result.program;
    const scope = program.modules.get('Torture')!;
    user = scope.structs.get('User')!.decl;
    field = (name) => user.fields.find((f) => f.name === name)!;
    constant = (name) => scope.consts.get(name)!.decl;
  });

  it('loads the entry and its include, each once, and resolves the include path', () => {
    expect(program.entries).to.deep.equal([TORTURE]);
    expect([...program.files.keys()]).to.deep.equal([TORTURE, COMMON]);
    const file = program.files.get(TORTURE)!;
    expect(file.includes).to.have.length(1);
    expect(file.includes[0]).to.include({path: 'common.tars', resolved: COMMON});
    expect(file.includes[0]!.pos).to.deep.equal({file: TORTURE, line: 3, col: 1});
  });

  it('keeps reopened module blocks apart in the file and merges them in the program', () => {
    const file = program.files.get(TORTURE)!;
    expect(file.modules.map((m) => m.name)).to.deep.equal(['Torture', 'Torture']);
    expect(file.modules.map((m) => m.pos.line)).to.deep.equal([5, 59]);
    const scope = program.modules.get('Torture')!;
    expect([...scope.structs.keys()]).to.deep.equal(['User', 'Page']);
    expect([...scope.enums.keys()]).to.deep.equal(['Color']);
    expect([...scope.interfaces.keys()]).to.deep.equal(['UserService']);
    expect([...scope.consts.keys()]).to.deep.equal(
      ['MAX_USERS', 'BIG', 'UMAX', 'GREETING', 'ENABLED', 'PI', 'SMALL', 'MINB', 'PLUS']);
    expect(scope.structs.get('Page')!.file).to.equal(TORTURE);
    expect([...program.modules.keys()].sort()).to.deep.equal(['Common', 'Torture']);
    expect(program.modules.get('Common')!.structs.get('Result')!.file).to.equal(COMMON);
  });

  it('resolves enum values: implicit, explicit, negative, hex, octal and references', () => {
    const color = program.modules.get('Torture')!.enums.get('Color')!.decl as EnumDecl;
    expect(color.members.map((m) => [m.name, m.value])).to.deep.equal([
      ['RED', 0], ['GREEN', 5], ['BLUE', 6], ['ALIAS', 0], ['NEG', -3], ['HEX', 31], ['OCT', 15], ['NEXT', 16],
    ]);
    expect(color.members[0]!.init).to.equal(undefined);
    expect(color.members[1]!.init).to.include({kind: 'int', value: 5n, text: '5'});
    const alias = color.members[3]!.init!;
    expect(alias.kind).to.equal('ident');
    if (alias.kind === 'ident') {
      expect(alias.resolved).to.deep.equal({module: 'Torture', enumName: 'Color', member: 'RED', value: 0});
    }
    expect(color.pos).to.deep.equal({file: TORTURE, line: 7, col: 5});
    expect(color.members[2]!.pos).to.deep.equal({file: TORTURE, line: 11, col: 9});
    const status = program.modules.get('Common')!.enums.get('Status')!.decl;
    expect(status.members.map((m) => m.value)).to.deep.equal([0, -1, 16]);
  });

  it('parses consts of every base type with their literal values', () => {
    expect(constant('MAX_USERS').value).to.include({kind: 'int', value: 1000n});
    expect(constant('BIG').value).to.include({kind: 'int', value: -(2n ** 63n), text: '-9223372036854775808'});
    expect(constant('UMAX').type.kind).to.equal('uint');
    expect(constant('UMAX').value).to.include({kind: 'int', value: 4294967295n});
    expect(constant('GREETING').value).to.include(
      {kind: 'string', value: 'tab\there "quoted" AA back\\slash\n'});
    expect(constant('ENABLED').value).to.include({kind: 'bool', value: true});
    expect(constant('PI').value).to.include({kind: 'float', value: 3.14159, text: '3.14159'});
    expect(constant('SMALL').type.kind).to.equal('float');
    expect(constant('SMALL').value).to.include({kind: 'float', value: 0.0015, text: '1.5e-3f'});
    expect(constant('MINB').value).to.include({kind: 'int', value: -128n});
    expect(constant('PLUS').value).to.include({kind: 'int', value: 7n, text: '+7'});
    expect(constant('PLUS').pos).to.deep.equal({file: TORTURE, line: 27, col: 5});
  });

  it('parses struct members: tags, require/optional, types, names in source order', () => {
    expect(user.fields).to.have.length(22);
    expect(user.fields.map((f) => f.tag)).to.deep.equal(
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 255, 19, 20]);
    expect(user.fields.map((f) => f.required)).to.deep.equal([true, true, ...new Array<boolean>(20).fill(false)]);
    expect(field('id').pos).to.deep.equal({file: TORTURE, line: 31, col: 9});
    expect(user.pos).to.deep.equal({file: TORTURE, line: 29, col: 5});
    const types = Object.fromEntries(user.fields.map((f) => [f.name, typeText(f.type)]));
    expect(types).to.deep.equal({
      id: 'long', name: 'string', age: 'int', level: 'ubyte', port: 'ushort', flags: 'uint', active: 'bool',
      score: 'float', ratio: 'double', half: 'double', color: 'Color', color2: 'Color', color3: 'Color',
      color4: 'Color', blob: 'vector<byte>', index: 'map<string,vector<int>>',
      nested: 'vector<map<int,vector<User>>>', result: 'Common::Result', status: 'Common::Status', maxTag: 'short',
      b: 'byte', l: 'long',
    });
  });

  it('parses defaults: negative and hex ints, floats, escaped strings, bool, enumerators in every spelling', () => {
    expect(field('id').default).to.equal(undefined);
    expect(field('name').default).to.include({kind: 'string', value: 'anon'});
    expect(field('age').default).to.include({kind: 'int', value: -1n, text: '-1'});
    expect(field('level').default).to.include({kind: 'int', value: 255n});
    expect(field('port').default).to.include({kind: 'int', value: 65535n, text: '0xFFFF'});
    expect(field('flags').default).to.include({kind: 'int', value: 0x7fffffffn});
    expect(field('active').default).to.include({kind: 'bool', value: false});
    expect(field('score').default).to.include({kind: 'float', value: 2.5, text: '2.5f'});
    expect(field('ratio').default).to.include({kind: 'float', value: 1e10});
    expect(field('half').default).to.include({kind: 'int', value: 1n});
    expect(field('maxTag').default).to.include({kind: 'int', value: -32768n});
    expect(field('b').default).to.include({kind: 'int', value: 127n});
    expect(field('l').default).to.include({kind: 'int', value: 15n, text: '017'});
    expect(field('color4').default).to.include({kind: 'int', value: 6n});

    const color = field('color').default!;
    expect(color).to.deep.include({kind: 'ident', name: 'GREEN',
      resolved: {module: 'Torture', enumName: 'Color', member: 'GREEN', value: 5}});
    expect(color.pos).to.deep.equal({file: TORTURE, line: 41, col: 35});
    expect(field('color2').default).to.deep.include({kind: 'ident', module: 'Color', name: 'BLUE',
      resolved: {module: 'Torture', enumName: 'Color', member: 'BLUE', value: 6}});
    expect(field('color3').default).to.deep.include({kind: 'ident', module: 'Torture', enumName: 'Color',
      name: 'NEG', resolved: {module: 'Torture', enumName: 'Color', member: 'NEG', value: -3}});
    expect(field('status').default).to.deep.include({kind: 'ident', module: 'Common', name: 'FAILED',
      resolved: {module: 'Common', enumName: 'Status', member: 'FAILED', value: -1}});
  });

  it('resolves named types locally and across modules, through vector and map', () => {
    const color = field('color').type;
    expect(color.kind === 'named' && color.resolved).to.deep.equal({kind: 'enum', module: 'Torture', name: 'Color'});
    const result = field('result').type;
    expect(result).to.deep.include({kind: 'named', module: 'Common', name: 'Result',
      resolved: {kind: 'struct', module: 'Common', name: 'Result'}});
    const nested = field('nested').type;
    if (nested.kind !== 'vector' || nested.elem.kind !== 'map' || nested.elem.value.kind !== 'vector') {
      throw new Error('unexpected shape');
    }
    expect(nested.elem.value.elem).to.deep.include({kind: 'named', name: 'User',
      resolved: {kind: 'struct', module: 'Torture', name: 'User'}});
    expect(nested.elem.value.pos).to.deep.equal({file: TORTURE, line: 47, col: 36});
  });

  it('attaches key[...] to its struct', () => {
    expect(user.key).to.deep.equal(['id', 'name']);
    expect(program.modules.get('Torture')!.structs.get('Page')!.decl.key).to.equal(undefined);
    const keyDecl = program.files.get(TORTURE)!.modules[0]!.definitions.find((d) => d.kind === 'key');
    expect(keyDecl).to.deep.include({kind: 'key', struct: 'User', fields: ['id', 'name']});
  });

  it('parses interfaces: return types, void, out and routekey parameters', () => {
    const iface = program.modules.get('Torture')!.interfaces.get('UserService')!.decl as InterfaceDecl;
    expect(iface.operations.map((o) => o.name)).to.deep.equal(['getUser', 'ping', 'find', 'colors']);
    const sig = iface.operations.map((o) => `${typeText(o.returnType)} ${o.name}(${o.params.map((p) =>
      `${p.out ? 'out ' : ''}${p.routekey ? 'routekey ' : ''}${typeText(p.type)} ${p.name}`).join(', ')})`);
    expect(sig).to.deep.equal([
      'int getUser(long id, out User user)',
      'void ping()',
      'Common::Result find(routekey string shardKey, int limit, out vector<User> users, out int total)',
      'map<string,Color> colors()',
    ]);
    const find = iface.operations[2]!;
    expect(find.pos).to.deep.equal({file: TORTURE, line: 67, col: 9});
    expect(find.params[0]!.pos).to.deep.equal({file: TORTURE, line: 67, col: 29});
    const ret = find.returnType!;
    expect(ret.kind === 'named' && ret.resolved).to.deep.equal({kind: 'struct', module: 'Common', name: 'Result'});
    const users = find.params[2]!.type;
    expect(users.kind === 'vector' && users.elem.kind === 'named' && users.elem.resolved?.name).to.equal('User');
  });

  it('parses the same file alone without diagnostics (the parser does not resolve names)', () => {
    const {file, diagnostics} = parseIdl(readFileSync(TORTURE, 'utf8'), 'torture.tars');
    expect(diagnostics).to.deep.equal([]);
    expect(file.path).to.equal('torture.tars');
    expect(file.modules[0]!.definitions.map((d) => d.kind)).to.deep.equal(
      ['enum', 'const', 'const', 'const', 'const', 'const', 'const', 'const', 'const', 'const', 'struct', 'key']);
  });
});

describe('idl lexer', () => {
  const kinds = (src: string): string[] => tokenize(src, 't.tars').tokens.map((t) => `${t.kind}:${t.text}`);

  it('splits >> into two closing angle brackets', () => {
    expect(kinds('map<int,vector<int>>')).to.deep.equal([
      'keyword:map', 'punct:<', 'keyword:int', 'punct:,', 'keyword:vector', 'punct:<', 'keyword:int', 'punct:>',
      'punct:>', 'eof:',
    ]);
  });

  it('reads numbers like strtoll(s, 0) and floats with exponents and f suffixes', () => {
    const values = tokenize('0 -1 +2 0x1F -0x10 017 1.5 .5 1. 2e3 1.5e-3f', 't.tars').tokens
      .filter((t) => t.kind !== 'eof').map((t) => t.kind === 'int' ? t.intValue : t.kind === 'float' ? t.floatValue : t.text);
    expect(values).to.deep.equal([0n, -1n, 2n, 31n, -16n, 15n, 1.5, 0.5, 1, 2000, 0.0015]);
  });

  it('decodes string escapes', () => {
    const [t] = tokenize(String.raw`"a\\b\"c\'d\n\t\r\0\101\x42\x4a?"`, 't.tars').tokens;
    expect(t!.stringValue).to.equal('a\\b"c\'d\n\t\r\0ABJ?');
  });

  it('records 1-based positions and the end of each token, skipping comments', () => {
    const {tokens} = tokenize('/* a\n b */ module\r\n  X // c\n::Y', 't.tars');
    expect(tokens.map((t) => [t.text, t.pos.line, t.pos.col, t.end.col])).to.deep.equal([
      ['module', 2, 7, 13], ['X', 3, 3, 4], ['::', 4, 1, 3], ['Y', 4, 3, 4], ['', 4, 4, 4],
    ]);
  });

  it('reads #include as one token, with spaces after the #', () => {
    expect(kinds('#include "a.tars"\n#  include "b"')).to.deep.equal(
      ['include:#include', 'string:"a.tars"', 'include:#  include', 'string:"b"', 'eof:']);
  });
});
