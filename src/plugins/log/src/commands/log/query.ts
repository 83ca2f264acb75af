import {Args, Flags} from '@oclif/core';

import {LogClientCommand, appServer, grepOf} from '../../client-command.js';
import {type ReadLine, lineTime, parseTime, readFrom} from '../../lines.js';

/** What `tars log query --json` prints (docs/log.md). */
export interface LogQueryJson {
  app: string;
  server: string;
  name: string;
  since: string;
  until: string;
  /** How many lines matched; more than `lines` when --limit cut the answer. */
  matched: number;
  lines: (ReadLine & {time?: string})[];
}

export default class LogQueryCommand extends LogClientCommand {
  static override summary = 'The lines of a server\'s remote logs over a time range, optionally matching --grep.';
  static override description = `Reads every file of App.Server written to since --since (every log, or --name's), keeps the lines whose
own time (the first "YYYY-MM-DD HH:MM:SS" in the line) falls in [--since, --until] — a line without a time counts
when its file is in the range — and prints the first --limit of them in file and line order.`;

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
    const query = await this.logQuery(flags);
    const {files} = await query.listFiles(LogQuery.LogFileFilter.create({app, server, name: flags.name ?? '',
      since: BigInt(since)}));
    const lines: LogQueryJson['lines'] = [];
    let matched = 0;
    for (const f of files) {
      const {lines: got} = await readFrom(query, f.path, 0, flags.grep ?? '');
      for (const l of got) {
        const t = lineTime(l.line);
        if (t !== undefined && (t < since || t > until)) continue;
        matched += 1;
        if (lines.length < flags.limit) {
          lines.push({...l, ...(t === undefined ? {} : {time: new Date(t).toISOString()})});
        }
      }
    }
    const json: LogQueryJson = {app, server, name: flags.name ?? '', since: new Date(since).toISOString(),
      until: new Date(until).toISOString(), matched, lines};
    if (!this.jsonEnabled()) {
      if (lines.length === 0) this.logToStderr(`no lines of ${app}.${server} between ${json.since} and ${json.until}`);
      const many = new Set(lines.map((l) => l.file)).size > 1;
      for (const l of lines) this.log(many ? `${l.file}: ${l.line}` : l.line);
      if (matched > lines.length) this.logToStderr(`note: ${lines.length} of ${matched} lines; --limit N shows more`);
    }
    return json;
  }
}
