import {Flags} from '@oclif/core';

import {StatClientCommand} from '../../client-command.js';
import {type PropertyWatchJson, propertyWatchFrame, propertyWatchRows, runWatch} from '../../watch.js';

export default class PropertyWatch extends StatClientCommand {
  static override summary = 'Live business properties: each property\'s value over the last minutes, and its trend.';
  static override description = `One row per module, property, policy and reporter, from the stat daemon's live one-minute slots (of every live
instance, merged, when it runs as several),
redrawn in place every --interval: the value over the last --minutes (merged as the policy merges: Sum and Count
add, Max and Min keep the extreme, Avg is the mean of every sample, Distr adds each bucket), the open minute's
value, and a sparkline of the value per minute (Distr: its samples). q quits. Not on a terminal, or with --once or
--json, one snapshot is printed instead.`;

  static override examples = ['<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --module TestApp.HelloGo --once --json'];

  static override flags = {
    module: Flags.string({summary: 'Only this module (the reporter\'s moduleName, e.g. App.Server).'}),
    name: Flags.string({summary: 'Only properties whose name contains this.'}),
    minutes: Flags.integer({summary: 'The window of the values and sparkline, in minutes.', default: 15, min: 1,
      max: 60}),
    interval: Flags.integer({summary: 'How often to redraw, ms.', default: 3000, min: 200, helpValue: 'MS'}),
    once: Flags.boolean({summary: 'Print one snapshot and exit (what a pipe or --json gets anyway).'}),
  };

  async run(): Promise<PropertyWatchJson> {
    const {flags} = await this.parse(PropertyWatch);
    const [{StatQuery}, {gatherLiveProperties, instancesStatus}] = await Promise.all([
      import('@tars-ts/core/framework'), import('../../gather.js')]);
    let instances = await this.statInstances(flags);
    const request = StatQuery.PropertyQueryRequest.create({moduleName: flags.module ?? '', property: flags.name ?? '',
      minutes: flags.minutes});
    const filters = [flags.module && `module ${flags.module}`, flags.name && `name ${flags.name}`].filter(Boolean)
      .join(', ');
    return runWatch<PropertyWatchJson>({
      intervalMs: flags.interval,
      snapshot: async () => {
        instances = await this.statInstances(flags).catch(() => instances);
        const gathered = await gatherLiveProperties(instances, request);
        const stats = gathered.daemon;
        const rows = propertyWatchRows(gathered.series, {openSlot: Number(stats.openSlot), minuteMs: stats.minuteMs,
          minutes: flags.minutes});
        const keys = gathered.daemons.reduce((n, d) => n + d.propKeys, 0);
        const dropped = gathered.daemons.reduce((n, d) => n + Number(d.propDropped), 0);
        return {json: {time: new Date(Number(stats.now)).toISOString(), minutes: flags.minutes, rows,
          instances: gathered.instances},
        status: `${instancesStatus(gathered.instances)}: ${keys} property keys this minute` +
            (dropped > 0 ? `, ${dropped} dropped at the cap` : '')};
      },
      frame: (json, status, height, colours) => propertyWatchFrame(json.rows, {minutes: flags.minutes,
        intervalMs: flags.interval, filters, time: new Date(), colours, status}, height),
    }, {once: flags.once, json: this.jsonEnabled(), log: (text) => this.log(text)});
  }
}
