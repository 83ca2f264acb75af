import {Flags} from '@oclif/core';
import {UserError} from '@tars-ts/kit';

import {StatClientCommand} from '../../client-command.js';
import {type WatchBy, type WatchJson, type WatchSort, runWatch, watchFrame, watchRows} from '../../watch.js';

const SORT_KEYS: Record<string, WatchSort> = {c: 'calls', e: 'errors', a: 'avg', p: 'p99', n: 'name'};

export default class StatWatch extends StatClientCommand {
  static override summary = 'Live call statistics, top-like: calls/min, success/timeout/exception %, latency, trend.';
  static override description = `One row per callee (App.Server), per callee function (--by interface) or per caller of a callee
(--by caller), each side of the reports apart ("client": what callers saw, "server": what the callee saw), from the
stat daemon's live one-minute slots (of every live instance, added up, when it runs as several), redrawn in place
every --interval. CALLS/MIN counts the last 60 s; the
percentages, AVG (of successful calls) and P99 (the upper bound of the histogram bucket that holds it) cover the
last --minutes, whose calls per minute the sparkline draws. Failure shares of 1 % and 5 %, and a P99 of 500 ms
and 2 s, turn yellow and red. Keys: c, e, a, p, n sort by calls, errors, avg, p99, name; q (or Ctrl-C) quits and
gives the terminal back. Not on a terminal, or with --once or --json, one snapshot is printed instead.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --by interface --app TestApp --server HelloGo',
    '<%= config.bin %> <%= command.id %> --once --json',
  ];

  static override flags = {
    by: Flags.string({summary: 'Group per callee, per callee function, or per caller.', options: ['callee',
      'interface', 'caller'], default: 'callee'}),
    app: Flags.string({summary: 'Only callees of this application.'}),
    server: Flags.string({summary: 'Only callees of this server name.'}),
    interface: Flags.string({summary: 'Only this function.'}),
    side: Flags.string({summary: 'Only the reports of callers (client) or of callees (server).',
      options: ['client', 'server']}),
    minutes: Flags.integer({summary: 'The window of the percentages, latencies and sparkline, in minutes.',
      default: 15, min: 1, max: 60}),
    interval: Flags.integer({summary: 'How often to redraw, ms.', default: 3000, min: 200, helpValue: 'MS'}),
    sort: Flags.string({summary: 'The first sort order (keys change it).', options: ['calls', 'errors', 'avg', 'p99',
      'name'], default: 'calls'}),
    once: Flags.boolean({summary: 'Print one snapshot and exit (what a pipe or --json gets anyway).'}),
  };

  async run(): Promise<WatchJson> {
    const {flags} = await this.parse(StatWatch);
    const by = flags.by as WatchBy;
    const [{StatQuery}, {gatherLiveStats, instancesStatus, RefusedQuery}] = await Promise.all([
      import('@tars-ts/core/framework'), import('../../gather.js')]);
    // Asked again every frame (the registry's list is cached by the communicator, refreshed every minute): an
    // instance started meanwhile joins, one withdrawn leaves; while the registry is away the last list stays.
    let instances = await this.statInstances(flags);
    const request = StatQuery.StatQueryRequest.create({by, app: flags.app ?? '', server: flags.server ?? '',
      interfaceName: flags.interface ?? '', side: flags.side ?? '', minutes: flags.minutes});
    const filters = [flags.app && `app ${flags.app}`, flags.server && `server ${flags.server}`,
      flags.interface && `interface ${flags.interface}`, flags.side && `side ${flags.side}`].filter(Boolean).join(', ');
    let sort = flags.sort as WatchSort;
    return runWatch<WatchJson>({
      intervalMs: flags.interval,
      snapshot: async () => {
        instances = await this.statInstances(flags).catch(() => instances);
        const gathered = await gatherLiveStats(instances, request).catch((error: unknown) => {
          throw error instanceof RefusedQuery ? new UserError(error.message) : error;
        });
        const stats = gathered.daemon;
        const now = Number(stats.now);
        const rows = watchRows(gathered.series, by, {now, openSlot: Number(stats.openSlot), minuteMs: stats.minuteMs,
          minutes: flags.minutes});
        const sum = (f: (d: typeof stats) => number | bigint): number => gathered.daemons.reduce((n, d) => n + Number(f(d)), 0);
        const dropped = sum((d) => d.droppedKeys) + sum((d) => d.rejected);
        return {json: {time: new Date(now).toISOString(), by, minutes: flags.minutes, rows,
          instances: gathered.instances},
        status: `${instancesStatus(gathered.instances)}: ${sum((d) => d.keys)} keys this minute (cap ${stats.keyCap}` +
          `${gathered.daemons.length > 1 ? ' each' : ''})` + (dropped > 0 ? `, ${dropped} entries dropped or refused` : '')};
      },
      frame: (json, status, height, colours) => watchFrame(json.rows, {by, sort, minutes: flags.minutes,
        intervalMs: flags.interval, filters, time: new Date(), colours, status}, height),
      onKey: (key) => {
        const next = SORT_KEYS[key.toLowerCase()];
        if (next) sort = next;
        return next !== undefined;
      },
    }, {once: flags.once, json: this.jsonEnabled(), log: (text) => this.log(text)});
  }
}
