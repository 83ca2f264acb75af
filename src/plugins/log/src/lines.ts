// Client-side helpers of the reading commands: the dye key test and times on the command line. The time a line
// carries and reading the daemon's files (lineTime, readFrom) are the kit's (shared with the console).
import {UserError} from '@tars-ts/kit';

import {parseDuration} from './duration.js';

/** Whether `line` carries `key` as a whole field: delimited by the line's ends, '|', spaces, brackets or '='. */
export function hasDyeKey(line: string, key: string): boolean {
  let at = line.indexOf(key);
  while (at >= 0) {
    const before = at === 0 ? '' : line[at - 1]!;
    const after = line[at + key.length] ?? '';
    if (/^[|\s[=:,]?$/.test(before) && /^[|\s\],;]?$/.test(after)) return true;
    at = line.indexOf(key, at + 1);
  }
  return false;
}

/** The App.Server a dye-log line names: its first field shaped like one that is not an IP address. */
export function dyeService(line: string): string | undefined {
  return line.split('|').slice(0, 3).find((f) => /^[\w-]+\.[\w-]+$/.test(f) && !/^\d+\.\d+$/.test(f));
}

/** A time on the command line: a duration back from now (10m, 1h, 2d) or an ISO date/time. */
export function parseTime(text: string, flag: string, now = Date.now()): number {
  if (/^\d+[smhd]$/.test(text.trim())) return now - parseDuration(text, flag);
  const t = Date.parse(text);
  if (Number.isNaN(t)) {
    throw new UserError(`${flag} "${text}" is neither a duration nor a date`, {code: 'BAD_DURATION',
      hint: `write a duration back from now (30s, 10m, 1h, 1d) or an ISO time (e.g. ${flag} 2026-01-21T10:00)`});
  }
  return t;
}
