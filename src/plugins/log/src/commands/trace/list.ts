import {Flags} from '@oclif/core';
import {type TraceSummaryJson, type Unanswered, groupByStore, unansweredNote} from '@tars-ts/kit';

import {LogClientCommand, downAsUnanswered} from '../../client-command.js';
import {parseTime} from '../../lines.js';
import {gatherCallChains, parseSlow} from '../../traces.js';

/** What `tars trace list --json` prints (docs/log.md). */
export interface TraceListJson {
  since: string;
  /** How many traces matched; more than `traces` when --limit cut the answer. */
  matched: number;
  traces: TraceSummaryJson[];
  /** Instances of the log daemon that did not answer, when some did not: their spans are missing. */
  unanswered?: Unanswered[];
}

export default class TraceList extends LogClientCommand {
  static override summary = 'The call chains (traces) the log daemon holds, newest first.';
  static override description = `Reads the call-chain log (_tars_/_trace_, where every service's _t_trace_ lines go) written to since
--since, and lists each trace: its id, start, root (the first span's service and function), duration (first start
to last end), span count, the services taking part, and whether some span failed (a return code other than 0).
--app and --server keep the traces some service of that application / server name takes part in; --slow those
lasting at least that long; --errors the failed ones. \`tars trace show <id>\` draws one. With several instances of
the log daemon, every live one's call-chain log is read (each took some of the spans) and the traces built from all.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --app TestApp --server HelloServer --since 10m --slow 100ms',
    '<%= config.bin %> <%= command.id %> --errors --limit 5 --json',
  ];

  static override flags = {
    app: Flags.string({summary: 'Only traces a service of this application takes part in.', helpValue: 'APP'}),
    server: Flags.string({summary: 'Only traces a server of this name takes part in.', helpValue: 'SERVER'}),
    since: Flags.string({summary: 'Only traces started since: a duration back from now (10m, 1h, 1d) or an ISO time.',
      default: '1h', helpValue: 'TIME'}),
    slow: Flags.string({summary: 'Only traces lasting at least this long (100ms, 1.5s).', helpValue: 'DURATION'}),
    errors: Flags.boolean({summary: 'Only traces where some call failed.'}),
    limit: Flags.integer({summary: 'At most this many traces, the newest.', default: 20, min: 1, max: 100_000,
      helpValue: 'N'}),
  };

  async run(): Promise<TraceListJson> {
    const {flags} = await this.parse(TraceList);
    const since = parseTime(flags.since, '--since');
    const slowMs = flags.slow === undefined ? undefined : parseSlow(flags.slow);
    const {renderTable, formatMs, traceMatches, traceSummaryJson} = await import('@tars-ts/kit');
    const {instances, down} = await this.logInstances(flags);
    const {traces, unanswered} = await gatherCallChains(groupByStore(instances, 'logStore'), {sinceMs: since});
    const missing = [...downAsUnanswered(down), ...unanswered];
    if (missing.length > 0) this.note(unansweredNote(missing, 'the spans the others hold'));
    const kept = traces.filter((t) => traceMatches(t.summary, {app: flags.app, server: flags.server, sinceMs: since,
      slowMs, errorsOnly: flags.errors}));
    const json: TraceListJson = {since: new Date(since).toISOString(), matched: kept.length,
      traces: kept.slice(0, flags.limit).map((t) => traceSummaryJson(t.summary)),
      ...(missing.length > 0 ? {unanswered: missing} : {})};
    if (!this.jsonEnabled()) {
      if (json.traces.length === 0) this.logToStderr(`no trace started since ${json.since} matches`);
      else {
        this.log(await renderTable(['TRACE', 'START', 'ROOT', 'DURATION', 'SPANS', 'SERVICES', 'ERROR'],
          json.traces.map((t) => [t.traceId, t.start, t.root, formatMs(t.durationMs), String(t.spans),
            t.services.join(','), t.error ? 'yes' : ''])));
      }
      if (kept.length > json.traces.length) {
        this.logToStderr(`note: the newest ${json.traces.length} of ${kept.length} traces; --limit N shows more`);
      }
    }
    return json;
  }
}
