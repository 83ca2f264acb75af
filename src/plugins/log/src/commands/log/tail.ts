import {Args, Flags} from '@oclif/core';

import {LogClientCommand, appServer, grepOf} from '../../client-command.js';
import {follow} from '../../follow.js';
import {type ReadLine, lineTime, parseTime, readFrom} from '../../lines.js';

/** What `tars log tail --json` prints (docs/log.md). */
export interface LogTailJson {
  app: string;
  server: string;
  /** The log name ('' = the default log, '*' = every log of the server). */
  name: string;
  files: string[];
  lines: ReadLine[];
}

export default class LogTail extends LogClientCommand {
  static override summary = 'The last lines of a server\'s remote log, and with -f the new ones as they arrive.';
  static override description = `Reads the log daemon's files of App.Server (every set part), the default log or the one of --name
(--name '*': every log of the server), newest last. -n gives how many lines; --since the lines of that last stretch
of time instead (lines without a time of their own count when their file was written to since then). --grep keeps
the lines matching a JavaScript regular expression (matched by the daemon). -f goes on printing lines as they are
appended, following rotations to new files, until Ctrl-C; with --json each line is then one JSON object.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> TestApp.HelloServer',
    '<%= config.bin %> <%= command.id %> TestApp.HelloServer --name access -f --grep "ERROR|WARN"',
    '<%= config.bin %> <%= command.id %> TestApp.HelloServer --since 10m --json',
  ];

  static override args = {
    server: Args.string({description: 'App.Server', required: true}),
  };

  static override flags = {
    name: Flags.string({summary: 'The log name (the file part after App.Server_); \'*\' for every log.',
      helpValue: 'NAME'}),
    follow: Flags.boolean({char: 'f', summary: 'Keep printing lines as they arrive (Ctrl-C ends).'}),
    grep: Flags.string({summary: 'Only lines matching this regular expression.', helpValue: 'RE'}),
    since: Flags.string({summary: 'The lines of this last stretch (10m, 1h) or since this ISO time.',
      helpValue: 'DURATION'}),
    lines: Flags.integer({char: 'n', summary: 'How many lines (default 10; with --since, all of them).', min: 0,
      helpValue: 'N'}),
    interval: Flags.integer({summary: 'With -f: how often to look for new lines, ms.', default: 500, min: 50,
      helpValue: 'MS'}),
  };

  async run(): Promise<LogTailJson> {
    const {args, flags} = await this.parse(LogTail);
    const {app, server} = appServer(args.server);
    const grep = grepOf(flags.grep);
    const since = flags.since ? parseTime(flags.since, '--since') : undefined;
    const name = flags.name ?? '';
    const filter = {app, server, name: name === '*' ? '' : name || '-', dye: false, since: BigInt(since ?? 0)};
    const {LogQuery} = await import('@tars-ts/core/framework');
    const query = await this.logQuery(flags);
    const {files} = await query.listFiles(LogQuery.LogFileFilter.create(filter));
    const want = flags.lines ?? (since === undefined ? 10 : Number.POSITIVE_INFINITY);
    const offsets = new Map<string, number>();
    let lines: ReadLine[] = [];
    // Newest file first, until enough lines; every file's end is where -f resumes.
    for (const f of [...files].reverse()) {
      const size = Number(f.size);
      offsets.set(f.path, size);
      if (lines.length >= want) continue;
      let got: ReadLine[];
      if (since === undefined) {
        const {ret, result} = await query.readLines(LogQuery.LogReadRequest.create({path: f.path, offset: -1n,
          tail: Math.min(want - lines.length, 100_000), maxBytes: 4 * 1024 * 1024, grep: flags.grep ?? ''}));
        got = ret === 0 ? result.lines.map((line, i) => ({file: f.path, offset: Number(result.offsets[i] ?? 0n), line}))
          : [];
      } else {
        got = (await readFrom(query, f.path, 0, flags.grep ?? '')).lines
          .filter((l) => (lineTime(l.line) ?? since) >= since);
      }
      lines = [...got.slice(-(want - lines.length)), ...lines];
    }
    const json: LogTailJson = {app, server, name: name || '', files: files.map((f) => f.path), lines};
    const many = name === '*';
    if (!this.jsonEnabled()) {
      if (files.length === 0 && !flags.follow) {
        this.logToStderr(`no ${name && name !== '*' ? `"${name}" ` : ''}log of ${app}.${server} on the log daemon` +
          `${since === undefined ? '' : ` written since ${new Date(since).toISOString()}`}`);
      }
      for (const l of lines) this.log(many ? `${l.file}: ${l.line}` : l.line);
    }
    if (!flags.follow) return json;
    if (this.jsonEnabled()) for (const l of lines) process.stdout.write(`${JSON.stringify(l)}\n`);
    await follow({query, filter: LogQuery.LogFileFilter.create(filter), offsets, grep: flags.grep ?? '',
      note: (t) => this.logToStderr(`note: ${t}`),
      intervalMs: flags.interval,
      keep: grep ? (l) => grep.test(l.line) : undefined,
      print: (l) => {
        if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify(l)}\n`);
        else this.log(many ? `${l.file}: ${l.line}` : l.line);
      }});
    process.exit(0);
  }
}
