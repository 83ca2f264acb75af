// The base of `tars stat query` and `tars property query`: where the stat daemon's StatQueryObj is, and its proxy.
import type {StatQuery} from '@tars-ts/core/framework';
import {DaemonClientCommand, type DaemonClientFlags} from '@tars-ts/kit';

import {statDaemon} from './daemon.js';
import type {StatInstance} from './gather.js';

/** The query servant's official object name in this toolkit. */
export const STAT_QUERY = 'tars.tarsstat.StatQueryObj';

/** What every stat client command accepts. */
export type StatClientFlags = DaemonClientFlags;

/**
 * A command that reads from the stat daemon's StatQueryObj, found as every daemon client finds its daemon (the
 * kit's DaemonClientCommand: -e, --locator, --data, the saved locator, the local daemon): `tars stat start` and then
 * `tars stat query` just work.
 */
export abstract class StatClientCommand extends DaemonClientCommand {
  static override daemon = statDaemon;
  static override endpointObj = STAT_QUERY;

  /** The StatQuery proxy; its communicator closes when the command ends. */
  protected async statQuery(flags: StatClientFlags): Promise<StatQuery.StatQueryProxy> {
    const {StatQuery: Q} = await import('@tars-ts/core/framework');
    return this.connect(Q.StatQueryProxy, flags);
  }

  /**
   * A StatQuery proxy per live instance of the daemon (several instances on one database; docs/stat.md): every
   * active endpoint of StatQueryObj the registry lists, or the one daemon -e or --data names.
   */
  protected async statInstances(flags: StatClientFlags): Promise<StatInstance[]> {
    const {StatQuery: Q} = await import('@tars-ts/core/framework');
    return this.connectEach(Q.StatQueryProxy, flags);
  }
}
