import {type ClientTlsSettings, type Communicator, TARS_DESCRIBE, type InterfaceJson, interfaceToJson} from '@tars-ts/core';
import {UserError, communicatorFor, loadCallKit, resolveTarget} from '@tars-ts/kit';

// Imported only when `tars describe` runs: the call kit (and the runtime) load with it.
const {deployedInterfaceOf, formatInterface, resolveInterface} = await loadCallKit();

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
  /** A communicator to ask through (the shell's session one, with the locator set): left open. */
  comm?: Communicator | undefined;
}

/**
 * Runs `tars describe`: the interface from --tars files (no server is asked), the project's .tars files, or the
 * server's reflection. A server without reflection is a NO_INTERFACE error saying what to give instead.
 */
export async function runDescribe(req: DescribeRequest): Promise<{iface: InterfaceJson; source: string;
  text: string}> {
  const target = req.tars.length > 0 ? undefined : await resolveTarget(req.obj, req);
  const comm = req.comm ?? await communicatorFor(target, req);
  try {
    const obj = target?.obj ?? req.obj.split('@')[0]!;
    const found = await resolveInterface({...req, obj, func: TARS_DESCRIBE,
      proxy: () => comm.objectProxy(target!.proxy),
      ...(target?.via === 'locator' ? {deployed: () => deployedInterfaceOf(comm, obj)} : {})});
    if (found.iface === undefined) throw new UserError(found.why, {code: 'NO_INTERFACE'});
    return {iface: interfaceToJson(found.iface), source: found.source, text: formatInterface(found.iface)};
  } finally {
    if (!req.comm) comm.close();
  }
}
