import {type ClientTlsSettings, type InterfaceDef, TARS_DESCRIBE, type InterfaceJson, idlTypeName, interfaceToJson} from '@tars-ts/core';
import {UserError, communicatorFor, resolveTarget} from '@tars-ts/kit';

import {deployedInterfaceOf, resolveInterface, signature} from './call-interface.js';

/** Everything `tars describe` is asked. */
export interface DescribeRequest {
  obj: string;
  endpoint?: string | undefined;
  locator?: string | undefined;
  savedLocator?: string | undefined;
  tars: string[];
  include: string[];
  timeout: number;
  cacheDir?: string | undefined;
  /** The admin token (calls to admin objects use it). */
  token?: string | undefined;
  /** TLS of ssl endpoints (--ca, --cert, --key). */
  tls?: ClientTlsSettings | undefined;
  cwd: string;
}

/**
 * Runs `tars describe`: the interface from --tars files (no server is asked), the project's .tars files, or the
 * server's reflection. A server without reflection is a NO_INTERFACE error saying what to give instead.
 */
export async function runDescribe(req: DescribeRequest): Promise<{iface: InterfaceJson; source: string;
  text: string}> {
  const target = req.tars.length > 0 ? undefined : await resolveTarget(req.obj, req);
  const comm = await communicatorFor(target, req);
  try {
    const obj = target?.obj ?? req.obj.split('@')[0]!;
    const found = await resolveInterface({...req, obj, func: TARS_DESCRIBE,
      proxy: () => comm.objectProxy(target!.proxy),
      ...(target?.via === 'locator' ? {deployed: () => deployedInterfaceOf(comm, obj)} : {})});
    if (found.iface === undefined) throw new UserError(found.why, {code: 'NO_INTERFACE'});
    return {iface: interfaceToJson(found.iface), source: found.source, text: formatInterface(found.iface)};
  } finally {
    comm.close();
  }
}

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
