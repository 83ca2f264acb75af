import {type DaemonStatusJson, DaemonStatusCommand} from '@tars-ts/kit';

import {statDaemon} from '../../daemon.js';
import type {DaemonJson} from '../../views.js';

/** `status --json` of the stat daemon: the kit's, plus the daemon's own counters when it answers. */
export type StatStatusJson = DaemonStatusJson & {stats?: DaemonJson};

export default class StatStatus extends DaemonStatusCommand {
  static override daemon = statDaemon;
  static override summary = 'Show whether the stat daemon runs: pid, uptime, endpoints, store, metrics, keys and drops.';

  override async run(): Promise<StatStatusJson> {
    const json = await super.run();
    const query = json.endpoints.find((e) => e.obj === 'tars.tarsstat.StatQueryObj');
    if (!query) return json;
    const [{Communicator}, {StatQuery}, {daemonJson}] = await Promise.all([import('@tars-ts/core'),
      import('@tars-ts/core/framework'), import('../../views.js')]);
    const comm = new Communicator();
    try {
      const proxy = comm.stringToProxy(StatQuery.StatQueryProxy, `tars.tarsstat.StatQueryObj@${query.endpoint}`,
        {timeout: this.settings.timeout(undefined)});
      const stats = daemonJson((await proxy.daemonStats()).stats);
      const width = Math.max(5, ...json.endpoints.map((e) => e.obj.length));
      this.log(`  ${'metrics'.padEnd(width)}  ${stats.metrics}`);
      this.log(`  ${'keys'.padEnd(width)}  ${stats.keys} of ${stats.keyCap} this minute (properties ${stats.propertyKeys}); ` +
        `dropped at the cap ${stats.droppedKeys + stats.propertyDropped}, refused ${stats.rejected}`);
      this.log(`  ${'written'.padEnd(width)}  ${stats.lastFlushedMinute ?? 'nothing yet'}` +
        `${stats.flushErrors > 0 ? ` (${stats.flushErrors} failed writes)` : ''}; retention ${stats.retentionDays} days`);
      return {...json, stats};
    } catch (error) {
      this.log(`  (StatQueryObj did not answer: ${(error as Error).message})`);
      return json;
    } finally {
      comm.close();
    }
  }
}
