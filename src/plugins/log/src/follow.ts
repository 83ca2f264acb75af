// `-f` of tail and dye: polls the daemon for the files of a filter and prints what was appended since the last poll,
// new files (a rotation) from their start, until Ctrl-C or SIGTERM.
import type {LogQuery} from '@tars-ts/core/framework';

import {type ReadLine, pause, readFrom, untilSignal} from './lines.js';

export interface FollowOptions {
  query: LogQuery.LogQueryProxy;
  filter: LogQuery.LogFileFilter;
  /** Where each known file's reading resumes; files not in it start at 0. */
  offsets: Map<string, number>;
  grep: string;
  intervalMs: number;
  /** Whether a line is shown (after the daemon's grep). */
  keep?: (line: ReadLine) => boolean;
  print: (line: ReadLine) => void;
  /** Where notes about the daemon go (stderr). */
  note?: (text: string) => void;
}

/** Polls until a signal; resolves then. */
export async function follow(options: FollowOptions): Promise<void> {
  const stop = untilSignal();
  let stopped = false;
  void stop.then(() => {
    stopped = true;
  });
  const since = Date.now() - 60_000;
  let away = false;
  while (!stopped) {
    try {
      const {ret, files} = await options.query.listFiles({...options.filter, since: BigInt(since)});
      if (away) options.note?.('the log daemon answers again');
      away = false;
      if (ret === 0) {
        for (const f of files) {
          const from = options.offsets.get(f.path) ?? 0;
          if (Number(f.size) === from) continue;
          const {lines, next} = await readFrom(options.query, f.path, Number(f.size) < from ? 0 : from, options.grep);
          options.offsets.set(f.path, next);
          for (const l of lines) if (!options.keep || options.keep(l)) options.print(l);
        }
      }
    } catch (error) {
      // The daemon restarting is no reason to stop following: say so once, and keep asking.
      if (!away) options.note?.(`the log daemon does not answer (${(error as Error).message}); still trying`);
      away = true;
    }
    await pause(options.intervalMs, stop);
  }
}
