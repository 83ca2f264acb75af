import {existsSync, readdirSync} from 'node:fs';
import path from 'node:path';

import {
  type InterfaceDef, type ObjectProxy, type OperationDef, TARS_DESCRIBE, TarsCallError, TarsError, assertNoErrors,
  decodeResponseBody, describeProgram, formatEndpoint, idlTypeName, interfaceFromJson,
  loadIdl, loadServerConfig, parseProxyString,
} from '@tars-ts/core';

import {UserError} from './user-error.js';

/** Where a call goes and how that was decided. */
export interface ResolvedTarget {
  /** The proxy string: `Obj@endpoints`, or the bare name when a locator resolves it. */
  proxy: string;
  /** The bare object name. */
  obj: string;
  locator?: string;
  /** How the endpoints were found: given in the name, -e, the project's config.conf, or the locator. */
  via: 'name' | 'endpoint' | 'project' | 'locator';
}

/** Where to find endpoints when the object name has none. */
export interface TargetOptions {
  endpoint?: string;
  locator?: string;
  /** The locator saved with `tars settings set locator`. */
  savedLocator?: string;
  cwd: string;
}

/**
 * Decides where a call goes: `Obj@...` as given; `-e ENDPOINT`; inside a project made by `tars new` (a config.conf
 * in the working directory with an adapter serving the object) that adapter's endpoint; else the locator (flag,
 * then saved setting). Nothing of these: a usage error saying what to give.
 */
export function resolveTarget(objArg: string, options: TargetOptions): ResolvedTarget {
  let parsed;
  try {
    parsed = parseProxyString(objArg);
  } catch (error) {
    throw new UserError((error as Error).message, {hint: 'write the object as App.Server.Obj[@tcp -h HOST -p PORT]'});
  }
  const obj = parsed.objName;
  if (parsed.endpoints) {
    if (options.endpoint) throw new UserError('the object already has endpoints after "@"; drop -e/--endpoint');
    return {proxy: objArg, obj, via: 'name'};
  }
  if (options.endpoint) {
    const proxy = `${obj}@${options.endpoint}`;
    try {
      parseProxyString(proxy);
    } catch (error) {
      throw new UserError((error as Error).message, {hint: '-e takes "tcp -h HOST -p PORT"'});
    }
    return {proxy, obj, via: 'endpoint'};
  }
  const fromProject = projectEndpoint(obj, options.cwd);
  if (fromProject) return {proxy: `${obj}@${fromProject}`, obj, via: 'project'};
  const locator = options.locator ?? options.savedLocator;
  if (locator) return {proxy: obj, obj, locator, via: 'locator'};
  throw new UserError(`no endpoint for ${obj}`, {
    hint: `give one: "${obj}@tcp -h 127.0.0.1 -p 10015", -e "tcp -h ... -p ...", --locator, ` +
      'or `tars settings set locator ...`; inside a project made by `tars new`, its config.conf is used',
    code: 'NO_ENDPOINT',
  });
}

/** The endpoint a project's config.conf gives the servant `obj`, reachable from this host. */
function projectEndpoint(obj: string, cwd: string): string | undefined {
  const file = path.join(cwd, 'config.conf');
  if (!existsSync(file)) return undefined;
  try {
    const cfg = loadServerConfig(file);
    const adapter = cfg.adapters.find((a) => a.servant === obj);
    if (!adapter) return undefined;
    const host = adapter.endpoint.host === '0.0.0.0' ? '127.0.0.1' : adapter.endpoint.host;
    return formatEndpoint({...adapter.endpoint, host});
  } catch {
    return undefined;
  }
}

/** Where the interface came from. */
export interface ResolvedInterface {
  iface: InterfaceDef;
  source: string;
}

/** Chooses the interface serving `obj` among several: `...SayHelloObj` is served by `SayHello`. */
function chooseInterface(interfaces: InterfaceDef[], obj: string, func: string | undefined, source: string):
  InterfaceDef {
  if (interfaces.length === 0) throw new UserError(`${source} declares no interface`);
  if (interfaces.length === 1) return interfaces[0]!;
  const objShort = obj.split('.').pop() ?? obj;
  const byName = interfaces.filter((i) => `${i.name.split('.').pop()}Obj` === objShort);
  if (byName.length === 1) return byName[0]!;
  if (func) {
    const byFunc = interfaces.filter((i) => i.operations.some((op) => op.name === func));
    if (byFunc.length === 1) return byFunc[0]!;
  }
  throw new UserError(`${source} declares several interfaces (${interfaces.map((i) => i.name).join(', ')}) and none ` +
    `is clearly the one of ${obj}`, {hint: 'name the servant after its interface (SayHello -> ...SayHelloObj) or ' +
    'pass only the .tars file of this interface with --tars'});
}

/** Loads interfaces from .tars files (with includes). */
function fromFiles(files: string[], include: string[], cwd: string, obj: string, func: string | undefined):
  ResolvedInterface {
  const abs = files.map((f) => path.resolve(cwd, f));
  for (const [i, f] of abs.entries()) {
    if (!existsSync(f)) throw new UserError(`${files[i]}: no such file`, {hint: 'check the path given to --tars'});
  }
  const loaded = loadIdl(abs, {includeDirs: include.map((d) => path.resolve(cwd, d))});
  const diagnostics = loaded.diagnostics.map((d) => ({...d, file: path.relative(cwd, d.file) || d.file}));
  assertNoErrors(diagnostics);
  const {interfaces} = describeProgram(loaded.program);
  const source = files.join(', ');
  return {iface: chooseInterface([...interfaces.values()], obj, func, source), source};
}

/**
 * Finds the interface of `obj`: from `--tars` files; else the .tars files of the project in the working
 * directory; else by asking the server (reflection: `tars_describe`). Errors say which to give.
 */
export async function resolveInterface(options: {tars: string[]; include: string[]; cwd: string; obj: string;
  func?: string; proxy: () => ObjectProxy; timeout?: number}): Promise<ResolvedInterface> {
  if (options.tars.length > 0) return fromFiles(options.tars, options.include, options.cwd, options.obj, options.func);
  const local = readdirSync(options.cwd).filter((f) => f.endsWith('.tars')).sort();
  if (local.length > 0) return fromFiles(local, options.include, options.cwd, options.obj, options.func);
  const describe: OperationDef = {name: TARS_DESCRIBE, ret: {kind: 'string'}, params: []};
  let text: string;
  try {
    const {response} = await options.proxy().call({func: TARS_DESCRIBE, sBuffer: new Uint8Array(0)},
      options.timeout ? {timeout: options.timeout} : {});
    text = String(decodeResponseBody(describe, 1, response!.sBuffer).ret);
  } catch (error) {
    if (error instanceof TarsCallError && !error.local) {
      throw new UserError(`${options.obj} does not describe itself (${error.returnCode}: reflection is off, or the ` +
        'server is not built with this toolkit)', {hint: 'give its interface with --tars FILE.tars [-I DIR]',
        code: 'NO_INTERFACE'});
    }
    throw error;
  }
  try {
    return {iface: interfaceFromJson(JSON.parse(text)), source: 'reflection'};
  } catch (error) {
    throw new TarsError('PACKET_MALFORMED', `the server's interface description is not valid: ${(error as Error).message}`);
  }
}

/** `int EchoHello(string req, out string resp)`. */
export function signature(op: OperationDef): string {
  return `${op.ret ? idlTypeName(op.ret) : 'void'} ${op.name}(` +
    op.params.map((p) => `${p.out ? 'out ' : p.routekey ? 'routekey ' : ''}${idlTypeName(p.type)} ${p.name}`)
      .join(', ') + ')';
}

/** The operation `func` of the interface, or a usage error listing what there is. */
export function findOperation(iface: InterfaceDef, func: string): OperationDef {
  const op = iface.operations.find((o) => o.name === func);
  if (op) return op;
  const near = iface.operations.find((o) => o.name.toLowerCase() === func.toLowerCase());
  throw new UserError(`${iface.name} has no function "${func}"${near ? ` (did you mean ${near.name}?)` : ''}`, {
    hint: `functions: ${iface.operations.map(signature).join('; ')}`, code: 'NO_FUNCTION'});
}

