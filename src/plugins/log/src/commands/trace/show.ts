import {Args} from '@oclif/core';
import {
  type TraceSpanJson, type TraceSummaryJson, type Unanswered, UserError, groupByStore, unansweredNote,
} from '@tars-ts/kit';

import {LogClientCommand, downAsUnanswered} from '../../client-command.js';
import {gatherCallChains, traceIdOf} from '../../traces.js';

/** What `tars trace show --json` prints (docs/log.md). */
export interface TraceShowJson {
  trace: TraceSummaryJson;
  /** The spans in the tree's order (depth first, children by start), each with its parent's span id and depth. */
  spans: TraceSpanJson[];
  /** Instances of the log daemon that did not answer, when some did not: their spans are missing. */
  unanswered?: Unanswered[];
}

export default class TraceShow extends LogClientCommand {
  static override summary = 'One call chain as a tree of spans, drawn as a waterfall.';
  static override description = `Finds the lines of TRACE in the call-chain log (every file the log daemon holds) and draws its spans: one
row per side of each call (client: the caller's, server: the callee's), indented under the span it is part of,
with the call (caller -> servant.function), the duration, the return code and a bar placed in the trace's time
range. A span whose parent is not in the log hangs under the root, marked "?". Spans reach the log a moment after
the call ends (the services send their log lines in batches). With several instances of the log daemon, every live
one is read: each took some of the spans.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> 0af7651916cd43dd8448eb211c80319c',
    '<%= config.bin %> <%= command.id %> 0af7651916cd43dd8448eb211c80319c --json',
  ];

  static override args = {
    traceId: Args.string({description: 'The trace id (as tars trace list shows it).', required: true}),
  };

  async run(): Promise<TraceShowJson> {
    const {args, flags} = await this.parse(TraceShow);
    const id = traceIdOf(args.traceId);
    const {coloursWanted, renderWaterfall, traceSpansJson, traceSummaryJson} = await import('@tars-ts/kit');
    const {instances, down} = await this.logInstances(flags);
    const {traces, unanswered} = await gatherCallChains(groupByStore(instances, 'logStore'), {traceId: id});
    const missing = [...downAsUnanswered(down), ...unanswered];
    if (missing.length > 0) this.note(unansweredNote(missing, 'the spans the others hold'));
    const trace = traces.find((t) => t.traceId === id);
    if (!trace) {
      throw new UserError(`no trace ${id} in the call-chain log`, {code: 'FAILURE',
        hint: 'tars trace list shows the traces held; spans arrive a few seconds after a call, and only from ' +
          'services with "<server> log" set that sampled the call (trace-rate, or a dyed request)'});
    }
    const json: TraceShowJson = {trace: traceSummaryJson(trace.summary), spans: traceSpansJson(trace),
      ...(missing.length > 0 ? {unanswered: missing} : {})};
    if (!this.jsonEnabled()) {
      const width = process.stdout.isTTY ? process.stdout.columns || 120 : 160;
      for (const line of renderWaterfall(trace, {width, colour: coloursWanted()})) this.log(line);
    }
    return json;
  }
}
