// Durations on the command line: `30s`, `10m`, `1h`, `1d` (one number, one unit).
import {UserError} from '@tars-ts/kit';

const UNITS = {s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000} as const;

/** Milliseconds of `text`; a BAD_DURATION usage error naming the flag when it is not NUMBER + s|m|h|d. */
export function parseDuration(text: string, flag = '--since'): number {
  const m = /^(\d+)([smhd])$/.exec(text.trim());
  if (!m || Number(m[1]) === 0) {
    throw new UserError(`${flag} "${text}" is not a duration`, {code: 'BAD_DURATION',
      hint: `write a positive number and a unit: 30s, 10m, 1h, 1d (e.g. ${flag} 1h)`});
  }
  return Number(m[1]) * UNITS[m[2] as keyof typeof UNITS];
}
