// What `tars trace list|show` take from the command line. (The reading is the kit's readCallChains, which
// `tars call --trace` shares.)
import {UserError} from '@tars-ts/kit';

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
