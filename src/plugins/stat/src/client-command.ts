// The base of `tars stat query` and `tars property query`: where the stat daemon's StatQueryObj is, and its proxy.
import {Flags} from '@oclif/core';
import type {StatQuery} from '@tars-ts/core/framework';
import {type ResolvedTarget, TarsCommand, UserError} from '@tars-ts/kit';

import {statDaemon} from './daemon.js';

/** The query servant's official object name in this toolkit. */
export const STAT_QUERY = 'tars.tarsstat.StatQueryObj';

/** What every stat client command accepts. */
export interface StatClientFlags {
  endpoint?: string | undefined;
  locator?: string | undefined;
  timeout?: number | undefined;
  data?: string | undefined;
}

/**
 * A command that reads from the stat daemon. The daemon is `-e` (its StatQueryObj endpoint), else the registry of
 * `--locator` (which resolves tars.tarsstat.StatQueryObj by name), else the daemon running on this machine with
 * `--data` when given, else the saved locator (`tars settings set locator ...`), else the daemon running here with
 * the default data directory, found through its lock: `tars stat start` and then `tars stat query` just work.
 */
export abstract class StatClientCommand extends TarsCommand {
  private communicator?: import('@tars-ts/core').Communicator;

  static override baseFlags = {
    endpoint: Flags.string({char: 'e', summary: 'The stat daemon\'s StatQueryObj endpoint ("tcp -h H -p 18294").',
      helpValue: 'ENDPOINT'}),
    locator: Flags.string({summary: 'A registry that resolves tars.tarsstat.StatQueryObj ' +
      '("tars.tarsregistry.QueryObj@tcp -h H -p 17890", or just "tcp -h H -p P").', helpValue: 'OBJ'}),
    timeout: Flags.integer({summary: 'Timeout of each call, ms (default 3000, or: tars settings set timeout N).',
      min: 1, helpValue: 'MS'}),
    data: Flags.string({summary: 'Data directory of the local stat daemon to ask.', helpValue: 'DIR'}),
  };

  /** Where StatQueryObj is. */
  protected async statTarget(flags: StatClientFlags): Promise<ResolvedTarget> {
    if (flags.endpoint) return {proxy: `${STAT_QUERY}@${flags.endpoint}`, obj: STAT_QUERY, via: 'endpoint'};
    const viaLocator = (locator: string): ResolvedTarget => ({proxy: STAT_QUERY, obj: STAT_QUERY, via: 'locator',
      locator: locator.includes('@') ? locator : `tars.tarsregistry.QueryObj@${locator}`});
    if (flags.locator) return viaLocator(flags.locator);
    const {daemonStatus} = await import('@tars-ts/kit');
    const local = async (): Promise<ResolvedTarget | undefined> => {
      const status = await daemonStatus(statDaemon, {data: flags.data});
      const query = status.running ? status.info.endpoints.find((e) => e.obj === STAT_QUERY) : undefined;
      return query ? {proxy: `${STAT_QUERY}@${query.endpoint}`, obj: STAT_QUERY, via: 'endpoint'} : undefined;
    };
    if (flags.data) {
      const found = await local();
      if (found) return found;
      throw this.noDaemon(flags.data);
    }
    const saved = this.settings.get('locator');
    if (saved) return viaLocator(saved);
    const found = await local();
    if (found) return found;
    throw this.noDaemon(undefined);
  }

  private noDaemon(data: string | undefined): UserError {
    return new UserError(`no stat daemon to ask: no -e, no --locator, no saved locator, and no stat daemon runs in ` +
      `${data ?? './.tars/stat'}`, {code: 'NO_ENDPOINT',
      hint: 'start one (tars stat start --detach), or give -e "tcp -h HOST -p 18294", or --data DIR of a running one'});
  }

  /** The StatQuery proxy; its communicator closes when the command ends. */
  protected async statQuery(flags: StatClientFlags): Promise<StatQuery.StatQueryProxy> {
    const [{StatQuery}, {communicatorFor}] = await Promise.all([import('@tars-ts/core/framework'),
      import('@tars-ts/kit')]);
    const target = await this.statTarget(flags);
    this.communicator ??= await communicatorFor(target, {cacheDir: this.config.cacheDir});
    return this.communicator.stringToProxy(StatQuery.StatQueryProxy, target.proxy,
      {timeout: this.settings.timeout(flags.timeout)});
  }

  protected override async finally(err: Error | undefined): Promise<unknown> {
    this.communicator?.close();
    return super.finally(err);
  }
}
