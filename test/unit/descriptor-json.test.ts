// Interface descriptors as JSON (reflection, `tars call` without a .tars file): a document read from another
// process is checked when it is read, so a bad one fails there with a clear error.
import {expect} from 'chai';

import {
  type InterfaceJson, TarsError, decodeRequestArgs, encodeRequestArgs, interfaceFromJson, interfaceToJson,
} from '@tars-ts/core';

import {User, UserService$def} from '../golden/codegen/tortureTars.js';

/** The torture interface's document, as a peer would send it (through JSON text). */
function document(): InterfaceJson {
  return JSON.parse(JSON.stringify(interfaceToJson(UserService$def))) as InterfaceJson;
}

/** The PACKET_MALFORMED error `interfaceFromJson` raises for `doc`. */
function errorOf(doc: unknown): TarsError {
  try {
    interfaceFromJson(doc as InterfaceJson);
  } catch (error) {
    expect(error).to.be.instanceOf(TarsError);
    expect((error as TarsError).code).to.equal('PACKET_MALFORMED');
    return error as TarsError;
  }
  return expect.fail('interfaceFromJson accepted a malformed document');
}

describe('interface descriptors as JSON', () => {
  it('round-trips an interface: the rebuilt one encodes the same bytes', () => {
    const iface = interfaceFromJson(document());
    expect(iface.name).to.equal('Torture.UserService');
    expect(iface.operations.map((op) => op.name)).to.deep.equal(UserService$def.operations.map((op) => op.name));
    const find = UserService$def.operations.find((op) => op.name === 'getUser')!;
    const rebuilt = iface.operations.find((op) => op.name === 'getUser')!;
    const args = decodeRequestArgs(find, 1, encodeRequestArgs(find, 1, [7n]));
    expect(Buffer.from(encodeRequestArgs(rebuilt, 1, args)))
      .to.deep.equal(Buffer.from(encodeRequestArgs(find, 1, args)));
    const struct = rebuilt.params.find((p) => p.out)!.type;
    expect(struct.kind === 'struct' && struct.struct.fields.map((f) => f.name))
      .to.deep.equal(User.$def.fields.map((f) => f.name));
  });

  it('an unknown type kind fails when read, not as a type that later encodes nothing', () => {
    const doc = document();
    (doc.operations[0]!.params[0]!.type as {kind: string}).kind = 'int32';
    const e = errorOf(doc);
    expect(e.message).to.include('operations[0].params[0].type.kind is "int32", which is not a type');
    expect(e.details['where']).to.equal('operations[0].params[0].type.kind');
  });

  it('an unknown kind deep inside a struct member fails with its path', () => {
    const doc = document();
    const s = doc.structs.findIndex((x) => x.fields.some((f) => f.type.kind === 'map'));
    const f = doc.structs[s]!.fields.findIndex((x) => x.type.kind === 'map');
    (doc.structs[s]!.fields[f]!.type as {value: unknown}).value = {kind: 'List'};
    expect(errorOf(doc).message).to.include(`structs[${s}].fields[${f}].type.value.kind is "List"`);
  });

  const broken: Array<[string, (doc: Record<string, any>) => void, string]> = [
    ['a type without a kind', (d) => { d.operations[0].ret = {}; }, 'operations[0].ret.kind is not a string'],
    ['a type that is not an object', (d) => { d.operations[0].ret = 'int'; },
      'operations[0].ret is the string "int", not an object'],
    ['a vector without its element', (d) => { d.operations[0].ret = {kind: 'vector'}; },
      'operations[0].ret.elem is missing'],
    ['a map without its value', (d) => { d.operations[0].ret = {kind: 'map', key: {kind: 'int'}}; },
      'operations[0].ret.value is missing'],
    ['a struct that is not declared', (d) => { d.operations[0].ret = {kind: 'struct', name: 'X.Nope'}; },
      'refers to unknown struct X.Nope'],
    ['an enum without a name', (d) => { d.operations[0].ret = {kind: 'enum'}; },
      'operations[0].ret.name is not a non-empty string'],
    ['an operation without a return entry', (d) => { delete d.operations[0].ret; }, 'operations[0].ret is missing'],
    ['operations that are not an array', (d) => { d.operations = {}; }, 'interface.operations is not an array'],
    ['no structs list', (d) => { delete d.structs; }, 'interface.structs is not an array'],
    ['a parameter tag out of range', (d) => { d.operations[0].params[0].tag = 0; },
      'operations[0].params[0].tag is not an integer in 1..255'],
    ['a parameter without out', (d) => { delete d.operations[0].params[0].out; },
      'operations[0].params[0].out is not true or false'],
    ['a member tag that is not a number', (d) => { d.structs[0].fields[0].tag = '0'; },
      'structs[0].fields[0].tag is not an integer in 0..255'],
    ['an enum value that is not an integer', (d) => { d.enums[0].members[0].value = 1.5; },
      'enums[0].members[0].value is not an integer'],
  ];
  for (const [name, breakIt, message] of broken) {
    it(`refuses ${name}`, () => {
      const doc = document() as unknown as Record<string, any>;
      breakIt(doc);
      expect(errorOf(doc).message).to.include(message);
    });
  }

  it('refuses what is not a version 1 document', () => {
    for (const doc of [null, 'x', [], {version: 2, name: 'A', operations: [], structs: [], enums: []}]) {
      expect(errorOf(doc).message).to.equal('not an interface description (version 1)');
    }
  });
});
