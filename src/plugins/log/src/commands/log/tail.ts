import {Args, Flags} from '@oclif/core';

import {
  type InstanceLine, type Unanswered, fileSources, follow, gather, groupByStore, lineTime, mergeByTime, tailOf,
  unansweredNote,
} from '@tars-ts/kit';

import {LogClientCommand, appServer, downAsUnanswered, grepOf} from '../../client-command.js';
import {parseTime} from '../../lines.js';

/** What `tars log tail --json` prints (docs/log.md). */
export interface LogTailJson {
  app: string;
  server: string;
  /** The log name ('' = the default log, '*' = every log of the server). */
  name: string;
  /** The files read, each path once (instances keeping the same name each have their own file). */
  files: string[];
  /** Merged by the time the lines carry; each says which instance of the log daemon holds it. */
  lines: InstanceLine[];
  /** The instances read (LogQueryObj endpoints), one per store. */
  instances: string[];
  /** Instances that did not answer, when some did not: their lines are missing. */
  unanswered?: Unanswered[];
}

export default class LogTail extends LogClientCommand {
  static override summary = 'The last lines of a server\'s remote log, and with -f the new ones as they arrive.';
  static override description = `Reads the log daemon's files of App.Server (every set part), the default log or the one of --name
(--name '*': every log of the server), newest last. -n gives how many lines; --since the lines of that last stretch
of time instead (lines without a time of their own count when their file was written to since then). --grep keeps
the lines matching a JavaScript regular expression (matched by the daemon). -f goes on printing lines as they are
appended, following rotations to new files, until Ctrl-C; with --json each line is then one JSON object. With
several instances of the log daemon (each keeps the lines of the calls it took), every live one is read and their
lines merged by time, each JSON line naming its instance; one that stops answering is said once on stderr while
the others go on.`;

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
    const {LogQuery} = await import('@tars-ts/core/framework');
    const filter = LogQuery.LogFileFilter.create({app, server, name: name === '*' ? '' : name || '-', dye: false,
      since: BigInt(since ?? 0)});
    const want = flags.lines ?? (since === undefined ? 10 : Number.POSITIVE_INFINITY);
    const {instances, down} = await this.logInstances(flags);
    const groups = groupByStore(instances, 'logStore');
    const {answers, unanswered} = await gather(groups, (i) => tailOf(i, filter, want, since, flags.grep ?? ''));
    const merged = mergeByTime(answers.map((a) => a.value.lines), (l) => lineTime(l.line));
    const lines = Number.isFinite(want) ? (want === 0 ? [] : merged.slice(-want)) : merged;
    const missing = [...downAsUnanswered(down), ...unanswered];
    const json: LogTailJson = {app, server, name: name || '', files: [...new Set(answers.flatMap((a) => a.value.files))],
      lines, instances: answers.map((a) => a.instance.endpoint), ...(missing.length > 0 ? {unanswered: missing} : {})};
    const many = name === '*';
    if (missing.length > 0) this.note(unansweredNote(missing));
    if (!this.jsonEnabled()) {
      if (json.files.length === 0 && !flags.follow) {
        this.logToStderr(`no ${name && name !== '*' ? `"${name}" ` : ''}log of ${app}.${server} on the log daemon` +
          `${since === undefined ? '' : ` written since ${new Date(since).toISOString()}`}`);
      }
      for (const l of lines) this.log(many ? `${l.file}: ${l.line}` : l.line);
    }
    if (!flags.follow) return json;
    if (this.jsonEnabled()) for (const l of lines) process.stdout.write(`${JSON.stringify(l)}\n`);
    // Every store from the end of what was read; one that did not answer from its ends once it does.
    const sources = fileSources(groups, answers, (v) => v.offsets, down.map((d) => d.instance));
    await follow({sources, filter, grep: flags.grep ?? '',
      note: (t) => this.note(t),
      intervalMs: flags.interval,
      keep: grep ? (l) => grep.test(l.line) : undefined,
      print: (l) => {
        if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify(l)}\n`);
        else this.log(many ? `${l.file}: ${l.line}` : l.line);
      }});
    process.exit(0);
  }
}
