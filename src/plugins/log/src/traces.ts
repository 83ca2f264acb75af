// What `tars trace list|show` read: the call-chain log (`_tars_/_trace_/..._t_trace_...`, naming.ts) through the
// daemon's LogQueryObj, page by page, made into traces by the kit's trace-view.
import type {LogQuery} from '@tars-ts/core/framework';
import {type TraceLogLine, UserError, buildSpans, buildTraces, parseTraceLogLine} from '@tars-ts/kit';
import type {Trace} from '@tars-ts/kit';

import {TRACE_APP, TRACE_FILE, TRACE_SERVER} from './naming.js';
import {readFrom} from './lines.js';

/** The trace id of the command line (hex, 16..64 digits; TarsCpp's `<flags>-<id>` accepted), lower case. */
export function traceIdOf(text: string): string {
  const id = text.trim().replace(/^[0-9a-fA-F]{1,2}(\.\d+)?-/, '');
  if (!/^[0-9a-fA-F]{16,64}$/.test(id)) {
    throw new UserError(`"${text}" is not a trace id`, {code: 'BAD_ARGUMENT',
      hint: 'give the hex id tars trace list shows (32 digits, e.g. 0af7651916cd43dd8448eb211c80319c)'});
  }
  return id.toLowerCase();
}

const SLOW_UNITS = {ms: 1, s: 1000, m: 60_000} as const;

/** Milliseconds of --slow: `100ms`, `1.5s`, `2m` or a bare number of ms. */
export function parseSlow(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) {
    throw new UserError(`--slow "${text}" is not a duration`, {code: 'BAD_DURATION',
      hint: 'write a number and a unit: 100ms, 1.5s, 2m (a bare number is milliseconds), e.g. --slow 100ms'});
  }
  return Number(m[1]) * SLOW_UNITS[(m[2] ?? 'ms') as keyof typeof SLOW_UNITS];
}

/** How much was read, for the notes the commands print. */
export interface TraceRead {
  traces: Trace[];
  files: number;
  lines: number;
}

/**
 * The traces in the call-chain files written to since `since` (epoch ms, 0 for all), only the lines matching `grep`
 * when given (matched by the daemon).
 */
export async function readTraces(query: LogQuery.LogQueryProxy, since: number, grep = ''): Promise<TraceRead> {
  const [{LogQuery: Q}, {parseTraceLine}] = await Promise.all([import('@tars-ts/core/framework'),
    import('@tars-ts/core')]);
  const {files} = await query.listFiles(Q.LogFileFilter.create({app: TRACE_APP, server: TRACE_SERVER,
    name: TRACE_FILE, since: BigInt(since)}));
  const parsed: TraceLogLine[] = [];
  let lines = 0;
  for (const f of files) {
    const {lines: got} = await readFrom(query, f.path, 0, grep);
    lines += got.length;
    for (const l of got) {
      const p = parseTraceLogLine(l.line, parseTraceLine);
      if (p) parsed.push(p);
    }
  }
  return {traces: buildTraces(buildSpans(parsed)), files: files.length, lines};
}
