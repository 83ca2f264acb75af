import {Flags} from '@oclif/core';
import type {LogQuery} from '@tars-ts/core/framework';

import {LogClientCommand} from '../../client-command.js';
import {pause, parseTime, untilSignal} from '../../lines.js';

/** One notification in `tars notify list --json` (docs/log.md). */
export interface NotifyEntryJson {
  id: number;
  time: string;
  app: string;
  server: string;
  nodeName: string;
  serverId: string;
  command: string;
  message: string;
  threadId: string;
  container: string;
  setName: string;
  setArea: string;
  setGroup: string;
  /** ReportType: 0 REPORT (command from the text), 1 NOTIFY (command from the level). */
  type: number;
}

/** What `tars notify list --json` prints. */
export interface NotifyListJson {
  entries: NotifyEntryJson[];
}

export function entryJson(e: LogQuery.NotifyEntry): NotifyEntryJson {
  return {id: Number(e.id), time: new Date(Number(e.time)).toISOString(), app: e.app, server: e.server,
    nodeName: e.nodeName, serverId: e.serverId, command: e.command, message: e.message, threadId: e.threadId,
    container: e.container, setName: e.setName, setArea: e.setArea, setGroup: e.setGroup, type: e.type};
}

const LEVELS = ['alarm', 'error', 'warn', 'normal'];

export default class NotifyList extends LogClientCommand {
  static override summary = 'Server notifications (start, stop, crashes, alarms) kept by the log daemon\'s NotifyObj.';
  static override description = `Lists what servers and nodes reported to tars.tarsnotify.NotifyObj, oldest first: the newest --limit
entries matching. LEVEL is the official command column: "alarm", "error", "warn" or "normal" (a REPORT's level
comes from its text: [alarm], [error], [warn], [fail]; a NOTIFY's from its level). -f goes on printing new entries
until Ctrl-C (with --json, one JSON object per line).`;

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --app TestApp --server HelloServer --level error --since 1d',
    '<%= config.bin %> <%= command.id %> -f --json',
  ];

  static override flags = {
    app: Flags.string({summary: 'Only this application.'}),
    server: Flags.string({summary: 'Only this server name.'}),
    level: Flags.string({summary: 'Only this level.', options: LEVELS}),
    since: Flags.string({summary: 'Only entries since: a duration back from now (10m, 1d) or an ISO time.',
      helpValue: 'TIME'}),
    limit: Flags.integer({summary: 'At most this many entries, the newest.', default: 100, min: 1, max: 10_000,
      helpValue: 'N'}),
    follow: Flags.boolean({char: 'f', summary: 'Keep printing new entries (Ctrl-C ends).'}),
    interval: Flags.integer({summary: 'With -f: how often to look for new entries, ms.', default: 1000, min: 50,
      helpValue: 'MS'}),
  };

  async run(): Promise<NotifyListJson> {
    const {flags} = await this.parse(NotifyList);
    const since = flags.since ? parseTime(flags.since, '--since') : 0;
    const [{LogQuery}, {renderTable}] = await Promise.all([import('@tars-ts/core/framework'), import('@tars-ts/kit')]);
    const query = await this.logQuery(flags);
    const request = (afterId: number): LogQuery.NotifyQuery => LogQuery.NotifyQuery.create({app: flags.app ?? '',
      server: flags.server ?? '', level: flags.level ?? '', since: BigInt(since), afterId: BigInt(afterId),
      limit: flags.limit});
    const {entries} = await query.listNotify(request(0));
    const json: NotifyListJson = {entries: entries.map(entryJson)};
    const row = (e: NotifyEntryJson): string[] => [e.time, `${e.app}.${e.server}`, e.nodeName, e.command, e.message];
    if (!this.jsonEnabled()) {
      if (json.entries.length === 0 && !flags.follow) this.log('no notifications');
      else if (json.entries.length > 0) {
        this.log(await renderTable(['TIME', 'SERVER', 'NODE', 'LEVEL', 'MESSAGE'], json.entries.map(row)));
      }
    }
    if (!flags.follow) return json;
    if (this.jsonEnabled()) for (const e of json.entries) process.stdout.write(`${JSON.stringify(e)}\n`);
    let last = json.entries.at(-1)?.id ?? 0;
    const stop = untilSignal();
    let stopped = false;
    void stop.then(() => {
      stopped = true;
    });
    while (!stopped) {
      await pause(flags.interval, stop);
      if (stopped) break;
      const {entries: more} = await query.listNotify(request(last));
      for (const e of more.map(entryJson)) {
        last = Math.max(last, e.id);
        if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify(e)}\n`);
        else this.log(row(e).join('  '));
      }
    }
    process.exit(0);
  }
}
