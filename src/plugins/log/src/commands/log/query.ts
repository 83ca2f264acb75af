import {Args, Flags} from '@oclif/core';

import {
  type InstanceLine, type Unanswered, gather, groupByStore, lineTime, mergeByTime, readFrom, unansweredNote,
} from '@tars-ts/kit';

import {LogClientCommand, appServer, downAsUnanswered, grepOf} from '../../client-command.js';
import {parseTime} from '../../lines.js';

/** One line of `tars log query --json`: the instance that holds it, and its own time when it carries one. */
export type QueryLine = InstanceLine & {time?: string};

/** What `tars log query --json` prints (docs/log.md). */
export interface LogQueryJson {
  app: string;
  server: string;
  name: string;
  since: string;
  until: string;
  /** How many lines matched; more than `lines` when --limit cut the answer. */
  matched: number;
  /** The first --limit, merged by the time the lines carry (each instance's in file and line order). */
  lines: QueryLine[];
  /** The instances read (LogQueryObj endpoints), one per store. */
  instances: string[];
  /** Instances that did not answer, when some did not: their lines are missing. */
  unanswered?: Unanswered[];
}

export default class LogQueryCommand extends LogClientCommand {
  static override summary = 'The lines of a server\'s remote logs over a time range, optionally matching --grep.';
  static override description = `Reads every file of App.Server written to since --since (every log, or --name's), keeps the lines whose
own time (the first "YYYY-MM-DD HH:MM:SS" in the line) falls in [--since, --until] — a line without a time counts
when its file is in the range — and prints the first --limit of them in file and line order. With several instances
of the log daemon (each keeps the files of the calls it took), every live one is read and their lines are merged by
time; one that does not answer is named on stderr and the others' lines are shown.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> TestApp.HelloServer --since 1h --grep ERROR',
    '<%= config.bin %> <%= command.id %> TestApp.HelloServer --name access --since 2026-01-21T10:00 --until 2026-01-21T11:00 --json',
  ];

  static override args = {
    server: Args.string({description: 'App.Server', required: true}),
  };

  static override flags = {
    name: Flags.string({summary: 'Only this log (\'-\' the default log); every log of the server by default.',
      helpValue: 'NAME'}),
    since: Flags.string({summary: 'From: a duration back from now (10m, 1h, 1d) or an ISO time.', default: '1h',
      helpValue: 'TIME'}),
    until: Flags.string({summary: 'To: a duration back from now or an ISO time (default now).', helpValue: 'TIME'}),
    grep: Flags.string({summary: 'Only lines matching this regular expression.', helpValue: 'RE'}),
    limit: Flags.integer({summary: 'At most this many lines.', default: 10_000, min: 1, max: 1_000_000,
      helpValue: 'N'}),
  };

  async run(): Promise<LogQueryJson> {
    const {args, flags} = await this.parse(LogQueryCommand);
    const {app, server} = appServer(args.server);
    grepOf(flags.grep);
    const now = Date.now();
    const since = parseTime(flags.since, '--since', now);
    const until = flags.until ? parseTime(flags.until, '--until', now) : now;
    const {LogQuery} = await import('@tars-ts/core/framework');
    const filter = LogQuery.LogFileFilter.create({app, server, name: flags.name ?? '', since: BigInt(since)});
    const {instances, down} = await this.logInstances(flags);
    const {answers, unanswered} = await gather(groupByStore(instances, 'logStore'), async (i) => {
      const {files} = await i.query.listFiles(filter);
      // The merge keeps each instance's order, so its first --limit lines are all it can give to the answer.
      const lines: QueryLine[] = [];
      let matched = 0;
      for (const f of files) {
        const {lines: got} = await readFrom(i.query, f.path, 0, flags.grep ?? '');
        for (const l of got) {
          const t = lineTime(l.line);
          if (t !== undefined && (t < since || t > until)) continue;
          matched += 1;
          if (lines.length >= flags.limit) continue;
          lines.push({...l, instance: i.endpoint, ...(t === undefined ? {} : {time: new Date(t).toISOString()})});
        }
      }
      return {lines, matched};
    });
    const lines = mergeByTime(answers.map((a) => a.value.lines), (l) => (l.time ? Date.parse(l.time) : undefined))
      .slice(0, flags.limit);
    const matched = answers.reduce((n, a) => n + a.value.matched, 0);
    const missing = [...downAsUnanswered(down), ...unanswered];
    const json: LogQueryJson = {app, server, name: flags.name ?? '', since: new Date(since).toISOString(),
      until: new Date(until).toISOString(), matched, lines,
      instances: answers.map((a) => a.instance.endpoint), ...(missing.length > 0 ? {unanswered: missing} : {})};
    if (missing.length > 0) this.note(unansweredNote(missing));
    if (!this.jsonEnabled()) {
      if (lines.length === 0) this.logToStderr(`no lines of ${app}.${server} between ${json.since} and ${json.until}`);
      const many = new Set(lines.map((l) => l.file)).size > 1;
      for (const l of lines) this.log(many ? `${l.file}: ${l.line}` : l.line);
      if (matched > lines.length) this.logToStderr(`note: ${lines.length} of ${matched} lines; --limit N shows more`);
    }
    return json;
  }
}
