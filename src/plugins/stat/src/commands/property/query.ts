import {Flags} from '@oclif/core';

import {StatClientCommand} from '../../client-command.js';
import {parseDuration} from '../../duration.js';
import type {InstancesJson} from '../../gather.js';
import {type PropertyRowJson, propertyRowJson} from '../../views.js';

/** What `tars property query --json` prints (docs/stat.md). */
export interface PropertyQueryJson {
  since: string;
  until: string;
  /** At most this many rows (--limit). */
  limit: number;
  /** How many series matched: more than the rows when the answer was cut. */
  groups: number;
  slotMinutes: number;
  rows: PropertyRowJson[];
  /** The daemon's instances asked and those that answered (several on one database: docs/stat.md). */
  instances: InstancesJson;
}

export default class PropertyQueryCommand extends StatClientCommand {
  static override summary = 'Business properties of the last --since, one row per property, reporter and policy.';
  static override description = `Reads the stat daemon's 5-minute property slots (the store, plus the minutes not written yet). Each
value is merged over the range as its policy merges (Sum and Count add, Max and Min keep the extreme, Avg is
sum/count of every sample, Distr adds each bucket) and shown in the official format (Distr: "bound|count,...").
The stat daemon hosts PropertyObj: there is no separate property daemon to start. With several instances on one
database, the store is read through one and every live instance's unwritten minutes are added, as tars stat query.`;

  static override examples = ['<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --since 1d --module TestApp.HelloGo --json'];

  static override flags = {
    since: Flags.string({summary: 'How far back: 30s, 10m, 1h, 1d.', default: '1h', helpValue: 'DURATION'}),
    module: Flags.string({summary: 'Only this module (the reporter\'s moduleName, e.g. App.Server).'}),
    name: Flags.string({summary: 'Only properties whose name contains this.'}),
    limit: Flags.integer({summary: 'At most this many rows.', default: 1000, min: 1, max: 10_000, helpValue: 'N'}),
  };

  async run(): Promise<PropertyQueryJson> {
    const {flags} = await this.parse(PropertyQueryCommand);
    const sinceMs = parseDuration(flags.since);
    const [{StatQuery}, {renderTable}] = await Promise.all([import('@tars-ts/core/framework'), import('@tars-ts/kit')]);
    const {gatherHistoryProperties, instancesNote} = await import('../../gather.js');
    const instances = await this.statInstances(flags);
    const now = Date.now();
    const {series, groups, instances: asked, cut} = await gatherHistoryProperties(instances,
      StatQuery.PropertyQueryRequest.create({moduleName: flags.module ?? '', property: flags.name ?? '',
        since: BigInt(now - sinceMs), limit: flags.limit}));
    const json: PropertyQueryJson = {since: new Date(now - sinceMs).toISOString(), until: new Date(now).toISOString(),
      limit: flags.limit, groups, slotMinutes: 5, rows: series.map(propertyRowJson), instances: asked};
    if (!this.jsonEnabled()) {
      this.log(json.rows.length === 0 ? `no property reported in the last ${flags.since}`
        : await renderTable(['MODULE', 'PROPERTY', 'POLICY', 'IP', 'VALUE'], json.rows.map((r) =>
          [r.module, r.property, r.policy, r.ip || '-', r.value])));
      if (groups > json.rows.length) this.log(`note: ${json.rows.length} of ${groups} rows; --limit N shows more`);
      if (cut) this.log('note: an instance cut its part at 10000 series: rows near the cut may lack its share');
      const note = instancesNote(asked);
      if (note) this.log(note);
    }
    return json;
  }
}
