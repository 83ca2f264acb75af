import {existsSync} from 'node:fs';
import path from 'node:path';

import type {ClientTlsSettings, Communicator, ServantProxy, ServantProxyClass} from '@tars-ts/core';
import {shellQuote} from '@tars-ts/core/errors';
import {isWildcardHost} from '@tars-ts/core/endpoint';

import {UserError} from './errors.js';

/** Where calls to an object go and how that was decided. */
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
  /** `-e/--endpoint`. */
  endpoint?: string | undefined;
  /** `--locator`. */
  locator?: string | undefined;
  /** The locator saved with `tars settings set locator`. */
  savedLocator?: string | undefined;
  /** Where to look for a project's config.conf. */
  cwd: string;
}

/**
 * Decides where calls to an object go: `Obj@...` as given; `-e ENDPOINT`; inside a project made by `tars new` (a
 * config.conf in the working directory with an adapter serving the object) that adapter's endpoint; else the
 * locator (flag, then saved setting). Nothing of these: a NO_ENDPOINT error saying what to give. A malformed
 * name or endpoint: BAD_NAME. Loads the runtime only when called.
 */
export async function resolveTarget(objArg: string, options: TargetOptions): Promise<ResolvedTarget> {
  const {parseProxyString} = await import('@tars-ts/core');
  let parsed;
  try {
    parsed = parseProxyString(objArg);
  } catch (error) {
    throw new UserError((error as Error).message, {code: 'BAD_NAME',
      hint: 'write the object as App.Server.Obj, or "App.Server.Obj@tcp -h HOST -p PORT" (quoted)'});
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
      throw new UserError((error as Error).message, {code: 'BAD_NAME', hint: '-e takes "tcp -h HOST -p PORT"'});
    }
    return {proxy, obj, via: 'endpoint'};
  }
  const fromProject = await projectEndpoint(obj, options.cwd);
  if (fromProject) return {proxy: `${obj}@${fromProject}`, obj, via: 'project'};
  const locator = options.locator ?? options.savedLocator;
  if (locator) return {proxy: obj, obj, locator, via: 'locator'};
  throw new UserError(`no endpoint for ${obj}`, {code: 'NO_ENDPOINT',
    hint: `give one: ${shellQuote(`${obj}@tcp -h 127.0.0.1 -p 10015`)}, -e 'tcp -h HOST -p PORT', --locator, ` +
      'or `tars settings set locator ...`; inside a project made by `tars new`, its config.conf is used'});
}

/** The endpoint a project's config.conf gives the servant `obj`, reachable from this host. */
async function projectEndpoint(obj: string, cwd: string): Promise<string | undefined> {
  const file = path.join(cwd, 'config.conf');
  if (!existsSync(file)) return undefined;
  const {formatEndpoint, loadServerConfig} = await import('@tars-ts/core');
  try {
    const cfg = loadServerConfig(file);
    const adapter = cfg.adapters.find((a) => a.servant === obj);
    if (!adapter) return undefined;
    const host = isWildcardHost(adapter.endpoint.host) ? '127.0.0.1' : adapter.endpoint.host;
    return formatEndpoint({...adapter.endpoint, host});
  } catch {
    return undefined;
  }
}

/**
 * The communicator that calls a resolved target: with its locator, if any, and the CLI's endpoint cache in
 * `cacheDir` (TarsGo's .tarsdat format), so that bare names still resolve from the last answer while the registry
 * is away. `timeout` is every call's default; with `token` (the admin token), calls to the base services' admin
 * objects authenticate with it where their endpoints ask (`-e 1`); `tls` is the TLS of ssl endpoints
 * (`--ca/--cert/--key`). The caller closes it.
 */
export async function communicatorFor(target: ResolvedTarget | undefined, options: {timeout?: number;
  cacheDir?: string; token?: string | undefined; tls?: ClientTlsSettings | undefined}): Promise<Communicator> {
  const {Communicator} = await import('@tars-ts/core');
  const {adminAuth} = await import('./admin-token.js');
  const auth = adminAuth(options.token);
  return new Communicator({
    ...(auth ? {auth} : {}),
    ...(target?.locator ? {locator: target.locator} : {}),
    ...(options.timeout ? {syncInvokeTimeout: options.timeout} : {}),
    ...(target?.locator && options.cacheDir ? {endpointCacheFile: path.join(options.cacheDir, 'endpoints.tarsdat')} : {}),
    ...(options.tls ? {tls: options.tls, tlsKeyNames: () => (key: string) => `--${key}`} : {}),
  });
}

/**
 * One typed proxy per endpoint the registry (the communicator's locator) lists as active for `obj`, each bound to
 * its endpoint, for a query that gathers from every instance of a base service deployed several times. An empty
 * list when there is none; rejects with the lookup's error when the registry does not answer.
 */
export async function activeProxies<P extends ServantProxy>(communicator: Communicator,
  proxyClass: ServantProxyClass<P>, obj: string, timeout: number): Promise<{endpoint: string; proxy: P}[]> {
  const {formatEndpoint} = await import('@tars-ts/core');
  const endpoints = await communicator.objectProxy(obj).activeEndpoints();
  return endpoints.map((e) => {
    const endpoint = formatEndpoint(e);
    return {endpoint, proxy: communicator.stringToProxy(proxyClass, `${obj}@${endpoint}`, {timeout})};
  });
}
