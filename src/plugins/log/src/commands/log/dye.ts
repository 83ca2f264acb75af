import {Args, Flags} from '@oclif/core';
import {
  type InstanceLine, type Unanswered, UserError, fileSources, follow, gather, groupByStore, lineTime, readFrom,
  unansweredNote,
} from '@tars-ts/kit';

import {LogClientCommand, downAsUnanswered} from '../../client-command.js';
import {dyeService, hasDyeKey, parseTime} from '../../lines.js';

/** One line of a dyed request in `tars log dye --json` (docs/log.md). */
export interface DyeLineJson extends InstanceLine {
  /** The App.Server that wrote it, when the line names one (TARS dye lines start with it). */
  service?: string;
  /** The line's own time, ISO. */
  time?: string;
}

/** What `tars log dye --json` prints. */
export interface LogDyeJson {
  key: string;
  since: string;
  /** The services the request reached, in the order they first logged it. */
  services: string[];
  lines: DyeLineJson[];
  /** The instances read (LogQueryObj endpoints), one per store. */
  instances: string[];
  /** Instances that did not answer, when some did not: their lines are missing. */
  unanswered?: Unanswered[];
}

function dyeLine(l: InstanceLine): DyeLineJson {
  const service = dyeService(l.line);
  const t = lineTime(l.line);
  return {...l, ...(service ? {service} : {}), ...(t === undefined ? {} : {time: new Date(t).toISOString()})};
}

export default class LogDye extends LogClientCommand {
  static override summary = 'The lines of one dyed request across every service it reached, in time order.';
  static override description = `Every service a dyed request passes through logs its lines for that request to the dye log as well
(tars_dyeing/dyeing/tars_dyeing.dyeing_<kind>_<date>.log on the log daemon, each line "host|App.Server|..."). This
reads those files, keeps the lines carrying <key> as a whole field, and prints them ordered by their own time (file
order where a line has none). -f goes on printing new lines of that key as they arrive.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> user-42',
    '<%= config.bin %> <%= command.id %> user-42 --since 1d --json',
    '<%= config.bin %> <%= command.id %> user-42 -f',
  ];

  static override args = {
    key: Args.string({description: 'The dye key the request was sent with (tars call --dye KEY).', required: true}),
  };

  static override flags = {
    since: Flags.string({summary: 'Only dye files written since: a duration back from now or an ISO time.',
      default: '1d', helpValue: 'TIME'}),
    follow: Flags.boolean({char: 'f', summary: 'Keep printing lines of this key as they arrive (Ctrl-C ends).'}),
    interval: Flags.integer({summary: 'With -f: how often to look for new lines, ms.', default: 500, min: 50,
      helpValue: 'MS'}),
  };

  async run(): Promise<LogDyeJson> {
    const {args, flags} = await this.parse(LogDye);
    const key = args.key.trim();
    if (key === '' || key.includes('\n')) {
      throw new UserError('the dye key is empty', {code: 'BAD_ARGUMENT',
        hint: 'give the key the request was dyed with'});
    }
    const since = parseTime(flags.since, '--since');
    const {LogQuery} = await import('@tars-ts/core/framework');
    const filter = LogQuery.LogFileFilter.create({dye: true, since: BigInt(since)});
    // The key as a plain-text pattern for the daemon's grep; the whole-field test runs here.
    const grep = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const {instances, down} = await this.logInstances(flags);
    const groups = groupByStore(instances, 'logStore');
    const {answers, unanswered} = await gather(groups, async (i) => {
      const {files} = await i.query.listFiles(filter);
      const offsets = new Map<string, number>();
      const found: DyeLineJson[] = [];
      for (const f of files) {
        const {lines, next} = await readFrom(i.query, f.path, 0, grep);
        offsets.set(f.path, next);
        for (const l of lines) if (hasDyeKey(l.line, key)) found.push(dyeLine({...l, instance: i.endpoint}));
      }
      return {found, offsets};
    });
    // Ordered by time, stable: a line without a time keeps its place after its neighbour in its instance's files.
    const order = answers.flatMap((a, k) => {
      let last = Number.NEGATIVE_INFINITY;
      return a.value.found.map((l, i) => ({l, k, i, t: (last = l.time ? Date.parse(l.time) : last)}));
    });
    order.sort((a, b) => (a.t - b.t) || (a.k - b.k) || (a.i - b.i));
    const lines = order.map((o) => o.l);
    const missing = [...downAsUnanswered(down), ...unanswered];
    if (missing.length > 0) this.note(unansweredNote(missing));
    const services = [...new Set(lines.flatMap((l) => (l.service ? [l.service] : [])))];
    const json: LogDyeJson = {key, since: new Date(since).toISOString(), services, lines,
      instances: answers.map((a) => a.instance.endpoint), ...(missing.length > 0 ? {unanswered: missing} : {})};
    if (!this.jsonEnabled()) {
      if (lines.length === 0 && !flags.follow) {
        this.logToStderr(`no dye-log lines with key ${key} since ${json.since}`);
      }
      for (const l of lines) this.log(l.line);
    }
    if (!flags.follow) return json;
    if (this.jsonEnabled()) for (const l of lines) process.stdout.write(`${JSON.stringify(l)}\n`);
    // Every store from the end of what was read; one that did not answer from its ends once it does.
    const sources = fileSources(groups, answers, (v) => v.offsets, down.map((d) => d.instance));
    await follow({sources, filter, grep, intervalMs: flags.interval, keep: (l) => hasDyeKey(l.line, key),
      note: (t) => this.note(t),
      print: (l) => {
        if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify(dyeLine(l))}\n`);
        else this.log(l.line);
      }});
    process.exit(0);
  }
}
