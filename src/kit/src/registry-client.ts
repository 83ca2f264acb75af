// The base of every command that asks the registry (`tars registry list|find|add|rm|nodes`, `tars node list`,
// `tars server ...`): where the registry is, and a proxy of one of its servants. In the kit because commands of
// several plugins need it, and plugins may not import each other.
import {Flags} from '@oclif/core';
import type {Communicator, ServantProxy, ServantProxyClass} from '@tars-ts/core';

import {TarsCommand} from './command.js';
import {daemonStatus} from './daemon/host.js';
import {UserError} from './errors.js';
import {type ResolvedTarget, communicatorFor} from './target.js';

/** The registry's QueryObj, the object a locator names. */
export const REGISTRY_QUERY_OBJ = 'tars.tarsregistry.QueryObj';
const QUERY_OBJ = REGISTRY_QUERY_OBJ;
/** The registry daemon's name in the kit's daemon host (its data directory and lock). */
const REGISTRY_DAEMON = {name: 'registry'} as const;

/** What every registry client command accepts. */
export interface RegistryClientFlags {
  locator?: string | undefined;
  timeout?: number | undefined;
  data?: string | undefined;
}

/**
 * A command that talks to the registry. The registry is `--locator` (its QueryObj, or just `tcp -h H -p P`), else
 * the saved locator (`tars settings set locator ...`), else the registry running on this machine with the default
 * (or `--data`) data directory, found through its lock: `tars registry start` and then `tars registry list` just
 * work. Every other servant (RegistryCtlObj, AdminRegObj) is resolved by name through that QueryObj, since the
 * registry lists its own servants.
 */
export abstract class RegistryClientCommand extends TarsCommand {
  private communicator?: Communicator;

  static override baseFlags = {
    locator: Flags.string({summary: 'The registry: its QueryObj ("tars.tarsregistry.QueryObj@tcp -h H -p P", or ' +
      'just "tcp -h H -p P"). Default: the saved locator, else the registry running here.', helpValue: 'OBJ'}),
    timeout: Flags.integer({summary: 'Timeout of each call, ms (default 3000, or: tars settings set timeout N).',
      min: 1, helpValue: 'MS'}),
    data: Flags.string({summary: 'Data directory of the local registry to use when no locator is given.',
      helpValue: 'DIR'}),
  };

  /** The registry's QueryObj proxy string, from the flags, the settings or the local registry. */
  protected async registryLocator(flags: RegistryClientFlags): Promise<string> {
    const given = flags.locator ?? this.settings.get('locator');
    if (given) return given.includes('@') ? given : `${QUERY_OBJ}@${given}`;
    const local = await daemonStatus(REGISTRY_DAEMON, {data: flags.data});
    const query = local.running ? local.info.endpoints.find((e) => e.obj === QUERY_OBJ) : undefined;
    if (query) return `${QUERY_OBJ}@${query.endpoint}`;
    throw new UserError(`no registry to ask: no --locator, no saved locator, and no registry runs in ${local.running
      ? local.info.dataDir : local.dataDir}`, {code: 'NO_ENDPOINT',
      hint: 'start one (tars registry start --detach), or give --locator "tcp -h HOST -p 17890", or save it: ' +
        'tars settings set locator "tars.tarsregistry.QueryObj@tcp -h HOST -p 17890"'});
  }

  /**
   * A proxy of the registry's servant `obj` (default QueryObj): QueryObj at the locator's endpoints, any other
   * resolved by name through that QueryObj. Its calls time out after `--timeout`; the communicator closes when the
   * command ends.
   */
  protected async registry<P extends ServantProxy>(proxyClass: ServantProxyClass<P>, flags: RegistryClientFlags,
    obj = QUERY_OBJ): Promise<P> {
    const locator = await this.registryLocator(flags);
    const target: ResolvedTarget = obj === QUERY_OBJ ? {proxy: locator, obj, locator, via: 'locator'}
      : {proxy: obj, obj, locator, via: 'locator'};
    this.communicator ??= await communicatorFor(target, {cacheDir: this.config.cacheDir,
      token: (await import('./admin-token.js')).adminToken(this.settings)});
    return this.communicator.stringToProxy(proxyClass, target.proxy, {timeout: this.settings.timeout(flags.timeout)});
  }

  /** The communicator of the command's registry proxies (after a first {@link registry} call), for other proxies. */
  protected get registryCommunicator(): Communicator | undefined {
    return this.communicator;
  }

  protected override async finally(err: Error | undefined): Promise<unknown> {
    this.communicator?.close();
    return super.finally(err);
  }
}
