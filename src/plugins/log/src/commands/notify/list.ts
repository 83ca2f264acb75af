import {Flags} from '@oclif/core';
import type {LogQuery} from '@tars-ts/core/framework';
import {
  type LogInstance, NOTIFY_LEVELS, type NotifyEntryJson, type NotifyFilter, type Unanswered, entryJson,
  gatherNotifications, notifyQuery, pollSources, unansweredNote,
} from '@tars-ts/kit';

import {LogClientCommand, downAsUnanswered} from '../../client-command.js';
import {parseTime} from '../../lines.js';

export type {NotifyEntryJson} from '@tars-ts/kit';

/** What `tars notify list --json` prints. */
export interface NotifyListJson {
  /** The newest --limit entries of every store, oldest first (merged by time). */
  entries: NotifyEntryJson[];
  /** Instances that did not answer, when some did not: their entries may be missing. */
  unanswered?: Unanswered[];
}

export default class NotifyList extends LogClientCommand {
  static override summary = 'Server notifications (start, stop, crashes, alarms) kept by the log daemon\'s NotifyObj.';
  static override description = `Lists what servers and nodes reported to tars.tarsnotify.NotifyObj, oldest first: the newest --limit
entries matching. LEVEL is the official command column: "alarm", "error", "warn" or "normal" (a REPORT's level
comes from its text: [alarm], [error], [warn], [fail]; a NOTIFY's from its level). -f goes on printing new entries
until Ctrl-C (with --json, one JSON object per line). With several instances of the log daemon, each store is read
once: instances sharing one database (--db) hold the same entries and one of them answers; instances with a store
each (SQLite) are all read, and their entries merged by time, each naming its instance in JSON.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --app TestApp --server HelloServer --level error --since 1d',
    '<%= config.bin %> <%= command.id %> -f --json',
  ];

  static override flags = {
    app: Flags.string({summary: 'Only this application.'}),
    server: Flags.string({summary: 'Only this server name.'}),
    level: Flags.string({summary: 'Only this level.', options: [...NOTIFY_LEVELS]}),
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
    const {renderTable} = await import('@tars-ts/kit');
    const filter: NotifyFilter = {app: flags.app ?? '', server: flags.server ?? '', level: flags.level ?? '', since};
    const request = (afterId: number, limit: number): Promise<LogQuery.NotifyQuery> =>
      notifyQuery(filter, afterId, limit);
    // Instances sharing a store (one PostgreSQL schema) hold the same entries: one of them is asked per store; ids
    // are a store's own, so with several stores each entry says which instance holds it.
    const {instances, down} = await this.logInstances(flags);
    const gathered = await gatherNotifications({instances}, filter, flags.limit);
    const {groups, answers, unanswered} = gathered;
    let {several} = gathered;
    const json: NotifyListJson = {entries: gathered.entries};
    const missing = [...downAsUnanswered(down), ...unanswered];
    if (missing.length > 0) {
      json.unanswered = missing;
      this.note(unansweredNote(missing, 'the entries the others hold'));
    }
    const row = (e: NotifyEntryJson): string[] => [e.time, `${e.app}.${e.server}`, e.nodeName, e.command, e.message];
    if (!this.jsonEnabled()) {
      if (json.entries.length === 0 && !flags.follow) this.log('no notifications');
      else if (json.entries.length > 0) {
        this.log(await renderTable(['TIME', 'SERVER', 'NODE', 'LEVEL', 'MESSAGE'], json.entries.map(row)));
      }
    }
    if (!flags.follow) return json;
    if (this.jsonEnabled()) for (const e of json.entries) process.stdout.write(`${JSON.stringify(e)}\n`);
    // Each store from its newest entry on (ids grow in commit order: a store's writes take its lock in turn). A store
    // not read yet starts at its newest entry once it answers; an instance that was down, unless its store is one
    // already followed.
    const followed = new Set(instances.map((i) => i.notifyStore).filter(Boolean));
    const lastOf = (entries: readonly LogQuery.NotifyEntry[]): number => Math.max(0, ...entries.map((e) => Number(e.id)));
    const sources = [...groups.map((members) => {
      const answer = answers.find((a) => members.includes(a.instance));
      return {members, last: answer ? lastOf(answer.value) : undefined as number | undefined, storeUnknown: false,
        duplicate: false};
    }), ...down.map((d) => ({members: [d.instance], last: undefined as number | undefined, storeUnknown: true,
      duplicate: false}))];
    await pollSources<NotifyEntryJson>({intervalMs: flags.interval, timeOf: (e) => Date.parse(e.time),
      note: (t) => this.note(t),
      print: (e) => {
        if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify(e)}\n`);
        else this.log(row(e).join('  '));
      },
      sources: sources.map((source) => ({members: source.members, poll: async (i: LogInstance) => {
        if (source.duplicate) return [];
        if (source.storeUnknown) {
          const {stats} = await i.query.daemonStats();
          source.storeUnknown = false;
          source.duplicate = stats.notifyStore !== '' && followed.has(stats.notifyStore);
          if (source.duplicate) return [];
          several = true;
        }
        if (source.last === undefined) {
          source.last = lastOf((await i.query.listNotify(await request(0, 1))).entries);
          return [];
        }
        const {entries} = await i.query.listNotify(await request(source.last, 10_000));
        source.last = Math.max(source.last, lastOf(entries));
        return entries.map((e) => entryJson(e, several ? i.endpoint : undefined));
      }}))});
    process.exit(0);
  }
}
