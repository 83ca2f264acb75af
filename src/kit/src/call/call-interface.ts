import {existsSync, readdirSync, statSync} from 'node:fs';
import path from 'node:path';

import {
  type Communicator, type InterfaceDef, type ObjectProxy, type OperationDef, ReturnCode, TARS_DESCRIBE, TarsCallError,
  TarsError,
  assertNoErrors, closestName, decodeResponseBody, describeProgram, idlTypeName, interfaceFromJson, loadIdl,
} from '@tars-ts/core';

import {UserError} from '../errors.js';

/** Where the interface came from. */
export interface ResolvedInterface {
  iface: InterfaceDef;
  source: string;
}

/** Chooses the interface serving `obj` among several: `...SayHelloObj` is served by `SayHello`. */
export function chooseInterface(interfaces: InterfaceDef[], obj: string, func: string | undefined, source: string):
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

/** The .tars files of a deployed version (path inside the package -> content). */
export interface DeployedInterface {
  readonly server: string;
  readonly version: string;
  readonly files: ReadonlyMap<string, string>;
}

/**
 * Every interface declared by a set of .tars texts (path inside a package or a name -> content), read from memory:
 * includes among them resolve by path. Parse or semantic errors throw (TarsError IDL_*, naming file and line).
 * `label` names the set in file positions (e.g. `App.Server/3`).
 */
export function interfacesFromText(files: ReadonlyMap<string, string>, label: string): InterfaceDef[] {
  const rootDir = path.resolve('/', '.tars-deployed', label);
  const byPath = new Map([...files].map(([name, text]) => [path.resolve(rootDir, name), text]));
  const loaded = loadIdl([...byPath.keys()], {readFile: (p) => byPath.get(p),
    includeDirs: [...new Set([...byPath.keys()].map((p) => path.dirname(p)))]});
  assertNoErrors(loaded.diagnostics);
  return [...describeProgram(loaded.program).interfaces.values()];
}

/** The interface of `obj` from a deployed version's .tars files, read from memory (includes among them resolve). */
function fromMemory(deployed: DeployedInterface, obj: string, func: string | undefined): ResolvedInterface {
  const interfaces = interfacesFromText(deployed.files, path.join(deployed.server, deployed.version));
  const source = `the .tars files of ${deployed.server} version ${deployed.version} (patch server)`;
  return {iface: chooseInterface(interfaces, obj, func, source), source};
}

/**
 * What the patch server keeps of the version `obj`'s server runs: the registry says which version its nodes run
 * (their last patch), PatchCtl hands out that version's .tars files. Undefined when the server runs no version
 * from the patch store, or either cannot be asked.
 */
export async function deployedInterfaceOf(comm: Communicator, obj: string): Promise<DeployedInterface | undefined> {
  const [application, serverName] = obj.split('.');
  if (!application || !serverName) return undefined;
  const {RegistryCtl} = await import('@tars-ts/core/framework');
  const ctl = comm.stringToProxy(RegistryCtl.RegistryCtlProxy, 'tars.tarsregistry.RegistryCtlObj', {timeout: 2000});
  const {servers} = await ctl.listServers('');
  const versions = servers.filter((s) => s.application === application && s.serverName === serverName &&
    s.patchVersion !== '').map((s) => s.patchVersion);
  if (versions.length === 0) return undefined;
  const version = versions.sort((a, b) => Number(b) - Number(a))[0]!;
  return patchInterfaceFiles(comm, application, serverName, version);
}

/**
 * The .tars files the patch server keeps of `version` of `application.serverName` (PatchCtl.getInterface: the
 * .tars files found in the uploaded package). Undefined when it keeps none (or has no such version); rejects when
 * the patch server does not answer within `timeoutMs`.
 */
export async function patchInterfaceFiles(comm: Communicator, application: string, serverName: string,
  version: string, timeoutMs = 2000): Promise<DeployedInterface | undefined> {
  const {PatchCtl} = await import('@tars-ts/core/framework');
  const patch = comm.stringToProxy(PatchCtl.PatchCtlProxy, 'tars.tarspatch.PatchCtlObj', {timeout: timeoutMs});
  const {ret, files} = await patch.getInterface(application, serverName, version);
  return ret === 0 && files.size > 0 ? {server: `${application}.${serverName}`, version, files} : undefined;
}

/**
 * Return codes that mean "this server does not answer tars_describe": -3 (no such function: TarsCpp, @tars/rpc, or
 * ours with `reflection = n`) and 1 (TarsGo answers an unknown function with 1).
 */
const NO_REFLECTION = new Set<number>([ReturnCode.TARSSERVERNOFUNCERR, 1]);

/**
 * The .tars files of a directory, by name: files only, so that a `.tars` data directory (the daemons' and the
 * cluster's default, made where `tars cluster start` ran) is never read as an interface.
 */
export function localIdlFiles(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true})
    .filter((e) => e.name.endsWith('.tars') && e.name !== '.tars' && (e.isFile() || (e.isSymbolicLink() &&
      statSync(path.join(dir, e.name), {throwIfNoEntry: false})?.isFile() === true)))
    .map((e) => e.name).sort();
}

/**
 * Finds the interface of `obj`: from `--tars` files; else the .tars files of the project in the working
 * directory; else by asking the server (reflection: `tars_describe`), else (with `deployed`) the .tars files
 * of the version its nodes run, kept by the patch server. Resolves `{iface: undefined, why}` when the
 * server has no reflection, so that the caller can go on without an interface. A failure of the reflection call
 * itself (nothing answered, no such object) is reported as a failure of `func`, the function the user called.
 */
export async function resolveInterface(options: {tars: string[]; include: string[]; cwd: string; obj: string;
  func: string; proxy: () => ObjectProxy; timeout?: number; deployed?: () => Promise<DeployedInterface | undefined>}):
  Promise<ResolvedInterface | {iface: undefined; why: string}> {
  if (options.tars.length > 0) return fromFiles(options.tars, options.include, options.cwd, options.obj, options.func);
  const local = localIdlFiles(options.cwd);
  if (local.length > 0) return fromFiles(local, options.include, options.cwd, options.obj, options.func);
  const described = await describeByReflection(options.proxy(), options.timeout, options.func);
  if (described.iface) return described;
  // No reflection: the .tars files of the version the nodes run, kept by the patch server.
  const deployed = await options.deployed?.().catch(() => undefined);
  if (deployed) return fromMemory(deployed, options.obj, options.func);
  return {iface: undefined, why: described.why};
}

/**
 * The interface the server behind `proxy` describes (reflection: `tars_describe`, answered by servers built with
 * this toolkit). Resolves `{iface: undefined, why}` when the server has no reflection (it answered -3, or 1 as TarsGo
 * does); a failure of the call itself (nothing answered, no such object) rejects with a TarsCallError reported as a
 * failure of `func` (the function the user meant to call); an answer that is no interface description rejects with
 * PACKET_MALFORMED.
 */
export async function describeByReflection(proxy: ObjectProxy, timeout: number | undefined, func = TARS_DESCRIBE):
  Promise<ResolvedInterface | {iface: undefined; why: string}> {
  const describe: OperationDef = {name: TARS_DESCRIBE, ret: {kind: 'string'}, params: []};
  let text: string;
  try {
    const {response} = await proxy.call({func: TARS_DESCRIBE, sBuffer: new Uint8Array(0)},
      timeout ? {timeout} : {});
    text = String(decodeResponseBody(describe, 1, response!.sBuffer).ret);
  } catch (error) {
    if (!(error instanceof TarsCallError)) throw error;
    if (!error.local && NO_REFLECTION.has(error.returnCode)) {
      return {iface: undefined, why: `${proxy.objName} does not describe itself (tars_describe answered ` +
        `${error.returnCode}: reflection is off, or the server is not built with this toolkit)`};
    }
    throw new TarsCallError(error.returnCode, error.what, {obj: error.obj, func,
      ...(error.endpoint ? {endpoint: error.endpoint} : {})}, error.local);
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
  const near = closestName(func, iface.operations.map((o) => o.name));
  throw new UserError(`${iface.name} has no function "${func}"${near ? ` (did you mean ${near}?)` : ''}`, {
    hint: `functions: ${iface.operations.map(signature).join('; ')}`, code: 'NO_FUNCTION'});
}

