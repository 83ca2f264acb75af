// What `tars server deploy` writes to the registry, computed from the package and the flags: adapters renamed to the
// target App.Server, --adapter overrides, the env in the server's profile. Pure, so it is tested without a cluster.
import {
  formatEndpoint, isLoopbackHost, isWildcardHost, parseEndpoint, parseTarsConfig, writeTarsConfig,
} from '@tars-ts/core';
import type {ErrorCode} from '@tars-ts/core/errors';
import {RegistryCtl} from '@tars-ts/core/framework';
import {UserError} from '@tars-ts/kit';

import type {ServerId} from './server-command.js';

/** The object part of a servant name (`App.Server.Obj` -> `Obj`). */
function objOf(servant: string): string {
  return servant.split('.').pop()!;
}

/**
 * The package's adapters as adapters of `id`: `X.Y.SayHelloObj` becomes `App.Server.SayHelloObj` with the adapter
 * `App.Server.SayHelloObjAdapter` (a package made for one name deploys under another).
 */
export function renameAdapters(adapters: readonly RegistryCtl.ServerAdapter[], id: ServerId): RegistryCtl.ServerAdapter[] {
  return adapters.map((a) => {
    const servant = `${id.application}.${id.serverName}.${objOf(a.servant)}`;
    return {...a, servant, name: `${servant}Adapter`};
  });
}

/**
 * `adapters` with each `--adapter Obj=ENDPOINT` applied: the endpoint of the adapter serving Obj replaced, or a new
 * adapter (protocol tars) when there is none. USAGE errors name the bad flag.
 */
export function withAdapterFlags(adapters: readonly RegistryCtl.ServerAdapter[], flags: readonly string[],
  id: ServerId): RegistryCtl.ServerAdapter[] {
  const out = [...adapters];
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    const obj = eq > 0 ? objOf(flag.slice(0, eq).trim()) : '';
    const endpoint = eq > 0 ? flag.slice(eq + 1).trim() : '';
    if (!/^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(obj) || endpoint === '') {
      throw new UserError(`--adapter ${flag} is not Obj=ENDPOINT`, {code: 'USAGE',
        hint: '--adapter SayHelloObj="tcp -h 127.0.0.1 -p 10015 -t 60000"'});
    }
    try {
      parseEndpoint(endpoint);
    } catch (error) {
      throw new UserError(`--adapter ${obj}: "${endpoint}" is not an endpoint: ${(error as Error).message}`,
        {code: 'BAD_ENDPOINT', hint: 'write it as "tcp -h HOST -p PORT [-t TIMEOUT]"'});
    }
    const servant = `${id.application}.${id.serverName}.${obj}`;
    const at = out.findIndex((a) => a.servant === servant);
    if (at >= 0) out[at] = {...out[at]!, endpoint};
    else out.push(RegistryCtl.ServerAdapter.create({name: `${servant}Adapter`, servant, endpoint}));
  }
  return out;
}

/**
 * `adapters` as the node at `nodeObj` (its NodeObj proxy string) runs them: an adapter bound to a loopback address,
 * as packages are written (`tcp -h 127.0.0.1 -p 10015`), binds the node's own address when the node is reached on
 * another one, so that other hosts can call it (TarsWeb fills in the node's IP the same way). A node on a loopback
 * address (one machine), or an adapter already bound to another address, is left as it is.
 */
export function onNodeHost(adapters: readonly RegistryCtl.ServerAdapter[], nodeObj: string): RegistryCtl.ServerAdapter[] {
  let nodeHost: string | undefined;
  try {
    nodeHost = parseEndpoint(nodeObj.slice(nodeObj.indexOf('@') + 1).split(':')[0]!).host;
  } catch {
    return [...adapters];
  }
  if (isLoopbackHost(nodeHost) || isWildcardHost(nodeHost)) return [...adapters];
  return adapters.map((a) => {
    try {
      const ep = parseEndpoint(a.endpoint);
      return isLoopbackHost(ep.host) ? {...a, endpoint: formatEndpoint({...ep, host: nodeHost})} : a;
    } catch {
      return a; // the registry refuses it with its own message
    }
  });
}

/** A `--profile` file: its text, checked to parse as a TARS config (USAGE naming the file and the line when not). */
export async function readProfile(file: string): Promise<string> {
  const {readFile} = await import('node:fs/promises');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UserError(`--profile ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file'
      : (error as Error).message}`, {code: 'USAGE', hint: 'give a TARS config file, e.g. <tars><application>...'});
  }
  try {
    parseTarsConfig(text, file);
  } catch (error) {
    throw new UserError(`--profile ${file} is not a TARS config: ${(error as Error).message}`, {code: 'USAGE',
      hint: 'domains as <name> ... </name>, keys as key = value'});
  }
  return text;
}

/** `profile` with `/tars/application/server<env>` set to the K=V items (left as it is when there are none). */
export async function profileWithEnv(profile: string, env: readonly string[]): Promise<string> {
  if (env.length === 0) return profile;
  const config = parseTarsConfig(profile, 'the server profile');
  config.child('tars').child('application').child('server').params.set('env', env.join(';'));
  return writeTarsConfig(config);
}

/** A node's `-1` answer as a UserError: its text up to a `\nhint: ` line is the message, the rest the hint. */
export function nodeFailure(result: string, code: ErrorCode): UserError {
  const at = result.indexOf('\nhint: ');
  if (at < 0) return new UserError(result, {code});
  return new UserError(result.slice(0, at), {code, hint: result.slice(at + '\nhint: '.length)});
}
