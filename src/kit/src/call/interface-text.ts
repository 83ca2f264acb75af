// An interface as text: what `tars describe` prints.
import {type InterfaceDef, type InterfaceJson, idlTypeName, interfaceToJson} from '@tars-ts/core';

import {signature} from './call-interface.js';

/** An interface as IDL-like text: its operations, then the structs and enums they use. */
export function formatInterface(iface: InterfaceDef): string {
  const json: InterfaceJson = interfaceToJson(iface);
  const lines = [`interface ${iface.name}`, ...iface.operations.map((op) => `  ${signature(op)};`)];
  const typeText = (t: InterfaceJson['structs'][number]['fields'][number]['type']): string => {
    switch (t.kind) {
      case 'vector': return `vector<${typeText(t.elem)}>`;
      case 'map': return `map<${typeText(t.key)}, ${typeText(t.value)}>`;
      case 'struct': case 'enum': return t.name;
      default: return idlTypeName({kind: t.kind});
    }
  };
  for (const s of json.structs) {
    lines.push('', `struct ${s.name}`);
    for (const f of s.fields) {
      const def = f.default === undefined ? '' : ` = ${JSON.stringify(f.default)}`;
      lines.push(`  ${f.tag} ${f.required ? 'require' : 'optional'} ${typeText(f.type)} ${f.name}${def};`);
    }
  }
  for (const e of json.enums) {
    lines.push('', `enum ${e.name}`, ...e.members.map((m) => `  ${m.name} = ${m.value},`));
  }
  return lines.join('\n');
}
