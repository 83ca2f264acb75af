import {Flags} from '@oclif/core';
import {UserError} from '@tars-ts/kit';

import {StatClientCommand} from '../../client-command.js';
import {parseDuration} from '../../duration.js';
import type {InstancesJson} from '../../gather.js';
import {type DaemonJson, type StatRowJson, daemonJson, statHead, statRowCells, statRowJson} from '../../views.js';

/** What `tars stat query --json` prints (docs/stat.md). */
export interface StatQueryJson {
  since: string;
  until: string;
  by: string;
  /** At most this many rows (--limit). */
  limit: number;
  /** How many groups matched: more than the rows when the answer was cut (--limit, or the daemon's size budget). */
  groups: number;
  /** Minutes per slot of `slots`: the store's 5. */
  slotMinutes: number;
  rows: StatRowJson[];
  /** The counters of the instance that read the store. */
  daemon: DaemonJson;
  /** The daemon's instances asked and those that answered (several on one database: docs/stat.md). */
  instances: InstancesJson;
}

export default class StatQueryCommand extends StatClientCommand {
  static override summary = 'Call statistics of the last --since: calls, success/timeout/exception, latency.';
  static override description = `Reads the stat daemon's 5-minute slots (the store, plus the minutes not written yet, so every report
taken is counted), grouped per callee (App.Server), per callee function (--by interface) or per caller of a callee
(--by caller), each side of the reports apart: "client" rows come from callers (reportMicMsg with bFromClient),
"server" rows from the callees themselves. P99 is the upper bound of the histogram bucket that holds it.
With several instances of the daemon on one database (found through the registry), the store is read through one
of them and the minutes each live instance has not written yet are added, each report counted once; an instance
that does not answer is named in a note (what it had not written is missing).`;

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --since 1d --by interface --app TestApp --server HelloGo',
    '<%= config.bin %> <%= command.id %> --since 10m --by caller --json',
  ];

  static override flags = {
    since: Flags.string({summary: 'How far back: 30s, 10m, 1h, 1d.', default: '1h', helpValue: 'DURATION'}),
    by: Flags.string({summary: 'Group per callee, per callee function, or per caller.', options: ['callee',
      'interface', 'caller'], default: 'callee'}),
    app: Flags.string({summary: 'Only callees of this application.'}),
    server: Flags.string({summary: 'Only callees of this server name.'}),
    interface: Flags.string({summary: 'Only this function.'}),
    side: Flags.string({summary: 'Only the reports of callers (client) or of callees (server).',
      options: ['client', 'server']}),
    limit: Flags.integer({summary: 'At most this many rows, most calls first.', default: 1000, min: 1, max: 10_000,
      helpValue: 'N'}),
  };

  async run(): Promise<StatQueryJson> {
    const {flags} = await this.parse(StatQueryCommand);
    const sinceMs = parseDuration(flags.since);
    const [{StatQuery}, {renderTable}] = await Promise.all([import('@tars-ts/core/framework'), import('@tars-ts/kit')]);
    const {gatherHistoryStats, instancesNote, RefusedQuery} = await import('../../gather.js');
    const instances = await this.statInstances(flags);
    const now = Date.now();
    const gathered = await gatherHistoryStats(instances, StatQuery.StatQueryRequest.create({by: flags.by,
      app: flags.app ?? '', server: flags.server ?? '', interfaceName: flags.interface ?? '', side: flags.side ?? '',
      since: BigInt(now - sinceMs), limit: flags.limit})).catch((error: unknown) => {
      throw error instanceof RefusedQuery ? new UserError(error.message) : error;
    });
    const {series, groups} = gathered;
    const daemons = gathered.daemons.map(daemonJson);
    const json: StatQueryJson = {since: new Date(now - sinceMs).toISOString(), until: new Date(now).toISOString(),
      by: flags.by, limit: flags.limit, groups, slotMinutes: 5, rows: series.map((s) => statRowJson(s, flags.by)),
      daemon: daemonJson(gathered.daemon), instances: gathered.instances};
    if (!this.jsonEnabled()) {
      this.log(json.rows.length === 0 ? `no calls reported in the last ${flags.since}`
        : await renderTable(statHead(flags.by), json.rows.map((r) => statRowCells(r, flags.by))));
      if (groups > json.rows.length) this.log(`note: ${json.rows.length} of ${groups} rows, most calls first; --limit N shows more`);
      if (gathered.cut) this.log('note: an instance cut its part at 10000 groups: rows near the cut may lack its share');
      const dropped = daemons.reduce((n, d) => n + d.droppedKeys, 0);
      const rejected = daemons.reduce((n, d) => n + d.rejected, 0);
      if (dropped > 0 || rejected > 0) {
        this.log(`note: the daemon dropped ${dropped} entries at its key cap (${json.daemon.keyCap} ` +
          `per minute) and refused ${rejected}`);
      }
      const note = instancesNote(json.instances);
      if (note) this.log(note);
    }
    return json;
  }
}
