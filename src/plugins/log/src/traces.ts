// What `tars trace list|show` take from the command line, and the reading of the call-chain log of every live
// instance of the log daemon, each log directory once (the kit's readCallChainLines reads one instance's lines).
import {type LogInstance, type Trace, type Unanswered, UserError, gather} from '@tars-ts/kit';


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

/** What {@link gatherCallChains} read. */
export interface GatheredCallChains {
  traces: Trace[];
  /** The instances read (one per log directory) and those that did not answer. */
  instances: string[];
  unanswered: Unanswered[];
}

/**
 * The traces of the call-chain log of every live instance of the log daemon: each log directory is read once
 * (through any instance that reads it; see gather.ts), the lines of all of them made into one set of spans (the two
 * lines of one span, or the spans of one trace, may sit on different instances: each service sends each batch to
 * one of them), then into traces, newest first. `sinceMs`: the files written to since then; `traceId`: only its
 * lines (matched by the daemon). At most `maxLines` lines in all, each read at most `maxBytes` a call.
 */
export async function gatherCallChains(groups: readonly (readonly LogInstance[])[], options: {sinceMs?: number;
  traceId?: string; maxBytes?: number; maxLines?: number} = {}): Promise<GatheredCallChains> {
  const kit = await import('@tars-ts/kit');
  const maxLines = options.maxLines ?? 2_000_000;
  let lines = 0;
  const {answers, unanswered} = await gather(groups, async (instance) => {
    const read = await kit.readCallChainLines(instance.query, {...options, maxLines: Math.max(0, maxLines - lines)});
    lines += read.lines;
    return read.parsed;
  });
  return {traces: kit.buildTraces(kit.buildSpans(answers.flatMap((a) => a.value))),
    instances: answers.map((a) => a.instance.endpoint), unanswered};
}
