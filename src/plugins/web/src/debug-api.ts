// The interface debugger's side of the console: each object of a server with its interface, and a call of any of its
// functions with JSON arguments, made over TARS as `tars call` makes it (the kit's call kit: the same interface
// loading, argument conversion and dynamic call). The interface comes from the .tars files of the version the server
// runs (the patch store's PatchCtl.getInterface), else the server's own description (reflection: tars_describe),
// else .tars text the user pasted in the page (kept for the session).
import type {Communicator, InterfaceDef, InterfaceJson, Json} from '@tars-ts/core';
import {loadCallKit} from '@tars-ts/kit';

import {ApiError} from './api-error.js';
import {type ClusterApi, type ServerJson, checkServerId} from './cluster-api.js';

/** The longest call the debugger makes, ms. */
export const MAX_CALL_TIMEOUT_MS = 60_000;
/** The largest answer shown in full, bytes of JSON; a larger one comes as a truncated preview. */
export const MAX_RESULT_BYTES = 1024 * 1024;
/** How much of an answer over {@link MAX_RESULT_BYTES} is shown, characters. */
const PREVIEW_CHARS = 64 * 1024;
/** The most .tars text pasted for one server, characters, and the most servers with pasted text per session. */
export const MAX_PASTED_CHARS = 512 * 1024;
export const MAX_PASTED_SERVERS = 16;

/** Where an object's interface came from. */
export type InterfaceSourceKind = 'patch' | 'reflection' | 'pasted' | 'none';

/** One object of the server and its interface. */
export interface DebugObjectJson {
  /** App.Server.Obj */
  obj: string;
  /** The adapter's endpoint of this object on each node. */
  endpoints: {node: string; endpoint: string}[];
  /** As `tars describe --json` gives it; null when none could be had (`problem` says why). */
  interface: InterfaceJson | null;
  sourceKind: InterfaceSourceKind;
  /** In words: `the .tars files of App.Server version 3 (patch server)`, `reflection`, `.tars text pasted in ...`. */
  source: string;
  /** Why a source before the one used (or every source) gave nothing, when one did not. */
  problem?: string;
}

/** GET /api/debug/:app/:server. */
export interface DebugServerJson {
  server: string;
  /** The patch-store version its nodes run ('' when deployed from a path). */
  release: string;
  /** The names of the .tars files pasted for this server in this session ([] when none). */
  pasted: string[];
  objects: DebugObjectJson[];
}

/** POST /api/debug/:app/:server/call. */
export interface DebugCallJson {
  obj: string;
  function: string;
  /** The TARS return code: 0 (a failed call is an error answer with its code). */
  ret: number;
  /** The function's return value (null for void). */
  returns: Json;
  /** The out-parameters by name. */
  outs: Record<string, Json>;
  durationMs: number;
  endpoint: string;
  sourceKind: InterfaceSourceKind;
  source: string;
  /** Set when the answer is over MAX_RESULT_BYTES: `returns` and `outs` are then empty and `preview` has its start. */
  truncated?: {bytes: number; preview: string};
}

/** A call the server (or the way to it) failed: the error answer carries the TARS return code and its name. */
export class DebugCallError extends ApiError {
  constructor(message: string, hint: string, readonly ret: number, readonly retName: string) {
    super(502, 'CALL_FAILED', message, hint);
  }

  override toJSON(): {error: {code: string; message: string; hint: string; ret: number; name: string}} {
    return {error: {...super.toJSON().error, ret: this.ret, name: this.retName}};
  }
}

/** .tars texts by file name, as pasted for one server. */
export type PastedFiles = ReadonlyMap<string, string>;

const TARS_FILE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*\.tars$/;

/** The pasted files of a request body `{files: {"Name.tars": "text", ...}}`, checked (400 naming the fix). */
export function pastedFiles(body: Record<string, unknown>): Map<string, string> {
  const files = body.files;
  const example = 'send {"files": {"Hello.tars": "module App { interface Hello { int hi(string s); }; };"}}';
  if (files === null || typeof files !== 'object' || Array.isArray(files)) {
    throw new ApiError(400, 'BAD_REQUEST', '"files" must be an object of .tars file names to their text', example);
  }
  const out = new Map<string, string>();
  let size = 0;
  for (const [name, text] of Object.entries(files as Record<string, unknown>)) {
    if (!TARS_FILE.test(name) || name.includes('..')) {
      throw new ApiError(400, 'BAD_REQUEST', `"${name}" is not a .tars file name`, 'e.g. Hello.tars (letters, digits, _, -, .)');
    }
    if (typeof text !== 'string') throw new ApiError(400, 'BAD_REQUEST', `the text of ${name} must be a string`, example);
    size += text.length;
    out.set(name, text);
  }
  if (out.size === 0) throw new ApiError(400, 'BAD_REQUEST', 'no .tars file given', example);
  if (size > MAX_PASTED_CHARS) {
    throw new ApiError(413, 'BAD_REQUEST', `the .tars text is over ${MAX_PASTED_CHARS} characters`, 'paste only the interface\'s files');
  }
  return out;
}

/** An interface found for an object, or why none was. */
type Found = {iface: InterfaceDef; kind: InterfaceSourceKind; source: string; problem?: string} |
  {iface: undefined; kind: 'none'; source: string; problem: string};

/** The debugger's view of the cluster. Base services that do not answer are 502 NO_ANSWER naming them. */
export class DebugApi {
  /**
   * @param communicator with the registry as its locator (names resolve through it)
   * @param cluster the registry's view (deployments, adapters)
   * @param timeoutMs the timeout of the interface lookups (patch store, reflection)
   */
  constructor(private readonly communicator: Communicator, private readonly cluster: ClusterApi,
    private readonly timeoutMs: number) {}

  /** The server's objects with their interfaces (404 NO_SERVER when it is not deployed). */
  async describe(application: string, serverName: string, pasted: PastedFiles | undefined): Promise<DebugServerJson> {
    checkServerId(application, serverName);
    const detail = await this.cluster.server(application, serverName);
    const release = releaseOf(detail);
    const patch = await this.patchInterfaces(application, serverName, release);
    const objects = await Promise.all(objectsOf(detail).map(async ({obj, endpoints}) => {
      const found = await this.find(obj, patch, pasted);
      const {interfaceToJson} = await import('@tars-ts/core');
      return {obj, endpoints, interface: found.iface ? interfaceToJson(found.iface) : null, sourceKind: found.kind,
        source: found.source, ...(found.problem ? {problem: found.problem} : {})};
    }));
    return {server: detail.server, release, pasted: pasted ? [...pasted.keys()] : [], objects};
  }

  /**
   * Calls `func` of `obj` (App.Server.Obj, or just Obj) with `args` keyed by parameter name, on `node` (its endpoint
   * there) or through the registry. Errors: 404 NO_OBJECT / NO_FUNCTION / NO_INTERFACE / NO_SERVER, 400 BAD_ARGUMENT
   * naming the parameter and the expected type, 502 CALL_FAILED with the TARS return code.
   */
  async call(application: string, serverName: string, request: {obj: string; func: string; args: Record<string, unknown>;
    node?: string | undefined; timeoutMs: number}, pasted: PastedFiles | undefined): Promise<DebugCallJson> {
    checkServerId(application, serverName);
    const detail = await this.cluster.server(application, serverName);
    const objects = objectsOf(detail);
    const wanted = request.obj.includes('.') ? request.obj : `${detail.server}.${request.obj}`;
    const object = objects.find((o) => o.obj === wanted);
    if (!object) {
      throw new ApiError(404, 'NO_OBJECT', `${detail.server} has no object "${request.obj}"`,
        `its objects: ${objects.map((o) => o.obj).join(', ') || 'none'}`);
    }
    let endpoint: string | undefined;
    if (request.node !== undefined) {
      endpoint = object.endpoints.find((e) => e.node === request.node)?.endpoint;
      if (endpoint === undefined) {
        throw new ApiError(404, 'NO_SERVER', `${detail.server} has no ${object.obj} on node "${request.node}"`,
          `it is on: ${object.endpoints.map((e) => e.node).join(', ')}; leave "node" out to let the registry pick`);
      }
    }
    const found = await this.find(object.obj, await this.patchInterfaces(application, serverName, releaseOf(detail)),
      pasted);
    if (!found.iface) {
      throw new ApiError(404, 'NO_INTERFACE', `no interface of ${object.obj}: ${found.problem}`,
        'paste its .tars file in the Debug tab (POST /api/debug/:app/:server/interface)');
    }
    // The error classes of the same module instances as the call kit's (a test runner may load this file's static
    // imports through another loader than the kit's dynamic ones, and instanceof must compare like with like).
    const [kit, {UserError, errorReport}] = await Promise.all([loadCallKit(), import('@tars-ts/kit')]);
    let op;
    let args: unknown[];
    try {
      op = kit.findOperation(found.iface, request.func);
      args = kit.argsFromObject(op, request.args, 'args');
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      if (error.code === 'NO_FUNCTION') throw new ApiError(404, 'NO_FUNCTION', error.message, error.hint);
      throw new ApiError(400, 'BAD_ARGUMENT', error.code === 'BAD_ARGUMENT' ? `args.${error.message}` : error.message,
        error.hint);
    }
    const proxy = this.communicator.objectProxy(endpoint === undefined ? object.obj : `${object.obj}@${endpoint}`);
    let result;
    try {
      result = await kit.invokeJson(proxy, op, args, {timeout: request.timeoutMs});
    } catch (error) {
      const {TarsCallError, returnCodeName} = await import('@tars-ts/core');
      if (!(error instanceof TarsCallError)) throw error;
      const report = errorReport(error);
      throw new DebugCallError(report.message, hintFor(error.returnCode, report.hint, request.timeoutMs, found),
        error.returnCode, returnCodeName(error.returnCode));
    }
    const answer: DebugCallJson = {obj: object.obj, function: op.name, ret: 0, returns: result.ret ?? null,
      outs: result.out, durationMs: result.ms, endpoint: result.endpoint, sourceKind: found.kind, source: found.source};
    const bytes = Buffer.byteLength(JSON.stringify({returns: answer.returns, outs: answer.outs}));
    if (bytes > MAX_RESULT_BYTES) {
      const preview = JSON.stringify({returns: answer.returns, outs: answer.outs}, null, 2).slice(0, PREVIEW_CHARS);
      return {...answer, returns: null, outs: {}, truncated: {bytes, preview}};
    }
    return answer;
  }

  /** The interfaces of the .tars files the patch store keeps of `release`, or why there are none. */
  private async patchInterfaces(application: string, serverName: string, release: string):
    Promise<{interfaces: InterfaceDef[]; source: string} | {interfaces: undefined; problem: string}> {
    if (release === '') {
      return {interfaces: undefined, problem: `${application}.${serverName} runs no version of the patch store ` +
        '(it was deployed from a path)'};
    }
    const kit = await loadCallKit();
    let files;
    try {
      files = await kit.patchInterfaceFiles(this.communicator, application, serverName, release, this.timeoutMs);
    } catch (error) {
      return {interfaces: undefined, problem: `the patch server (PatchCtlObj) did not answer: ${
        (error as Error).message.split('\n')[0]}`};
    }
    if (!files) {
      return {interfaces: undefined, problem: `the package of ${application}.${serverName} version ${release} ` +
        'holds no .tars file'};
    }
    try {
      return {interfaces: kit.interfacesFromText(files.files, `${application}.${serverName}/${release}`),
        source: `the .tars files of ${application}.${serverName} version ${release} (patch server)`};
    } catch (error) {
      return {interfaces: undefined, problem: `the .tars files of version ${release} do not parse: ${
        (error as Error).message.split('\n')[0]}`};
    }
  }

  /** The interface of `obj`: the patch store's, else reflection, else the pasted text. */
  private async find(obj: string, patch: Awaited<ReturnType<DebugApi['patchInterfaces']>>,
    pasted: PastedFiles | undefined): Promise<Found> {
    const kit = await loadCallKit();
    const problems: string[] = [];
    if (patch.interfaces) {
      try {
        return {iface: kit.chooseInterface(patch.interfaces, obj, undefined, patch.source), kind: 'patch',
          source: patch.source};
      } catch (error) {
        problems.push((error as Error).message);
      }
    } else {
      problems.push(patch.problem);
    }
    try {
      const described = await kit.describeByReflection(this.communicator.objectProxy(obj), this.timeoutMs);
      if (described.iface) return {iface: described.iface, kind: 'reflection', source: 'reflection (tars_describe)',
        problem: problems.join('; ')};
      problems.push(described.why);
    } catch (error) {
      problems.push(`asking ${obj} for its interface failed: ${(error as Error).message.split('\n')[0]}`);
    }
    if (pasted) {
      const source = `.tars text pasted in this session (${[...pasted.keys()].join(', ')})`;
      try {
        const interfaces = kit.interfacesFromText(pasted, obj.split('.').slice(0, 2).join('.'));
        return {iface: kit.chooseInterface(interfaces, obj, undefined, source), kind: 'pasted', source,
          problem: problems.join('; ')};
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
    return {iface: undefined, kind: 'none', source: 'none', problem: problems.join('; ')};
  }
}

/** Pasted .tars text that does not parse: 400 BAD_IDL with the first diagnostics. */
export async function checkPasted(pasted: PastedFiles, server: string): Promise<void> {
  const kit = await loadCallKit();
  try {
    const interfaces = kit.interfacesFromText(pasted, server);
    if (interfaces.length === 0) throw new Error('it declares no interface');
  } catch (error) {
    throw new ApiError(400, 'BAD_IDL', `the pasted .tars text is not usable: ${(error as Error).message.split('\n')
      .slice(0, 3).join(' ')}`, 'fix the line it names (module X { interface Y { ... }; };) and send it again');
  }
}

/** The newest patch-store version the server's nodes run ('' when none). */
function releaseOf(detail: ServerJson): string {
  return detail.instances.map((i) => i.release).filter((r) => r !== '').sort((a, b) => Number(b) - Number(a))[0] ?? '';
}

/** The server's objects (its adapters' servants, tars protocol) with their endpoint on each node, by name. */
function objectsOf(detail: ServerJson): {obj: string; endpoints: {node: string; endpoint: string}[]}[] {
  const byObj = new Map<string, {node: string; endpoint: string}[]>();
  for (const inst of detail.instances) {
    for (const a of inst.adapters) {
      if (a.protocol !== 'tars' || a.servant === '') continue;
      byObj.set(a.servant, [...byObj.get(a.servant) ?? [], {node: inst.node, endpoint: a.endpoint}]);
    }
  }
  return [...byObj].map(([obj, endpoints]) => ({obj, endpoints})).sort((a, b) => a.obj.localeCompare(b.obj));
}

/** What to do about a failed call, by its return code (the CLI's hint otherwise). */
function hintFor(code: number, cliHint: string | undefined, timeoutMs: number, found: Found): string {
  switch (code) {
    case -7: return `no answer in ${timeoutMs} ms: is the server up (its state above)? a slow function needs a larger ` +
      `timeoutMs (at most ${MAX_CALL_TIMEOUT_MS})`;
    case -3: return `the server has no such function: the interface used (${found.source}) is not the one it runs`;
    case -4: return 'the server has no such object: the interface used does not match what it serves';
    case -99: return 'the function itself threw: the message above is its own; the server\'s log says more';
    default: return cliHint ?? 'the server log (tars server logs) says more';
  }
}
