import {type FSWatcher, watch} from 'node:fs';
import path from 'node:path';

import {errorLines, errorReport} from '@tars-ts/kit';
import {type GenRequest, runGeneration} from './gen.js';

/**
 * `tars gen --watch`: generates once, then again whenever a .tars file changes in a directory holding one of the
 * program's files (entries and includes). Directories are watched rather than files so that editors that save by
 * renaming keep being noticed. Errors are reported and watching goes on. Resolves when `signal` aborts or on
 * SIGINT/SIGTERM.
 */
export async function watchGeneration(req: GenRequest, log: (line: string) => void,
  signal?: AbortSignal): Promise<void> {
  const cwd = req.cwd ?? process.cwd();
  let watchers = new Map<string, FSWatcher>();
  let timer: NodeJS.Timeout | undefined;
  let inputs = req.files.map((f) => path.resolve(cwd, f));

  const rewatch = (): void => {
    const dirs = new Set(inputs.map((f) => path.dirname(f)));
    for (const [dir, w] of watchers) {
      if (!dirs.has(dir)) {
        w.close();
        watchers.delete(dir);
      }
    }
    for (const dir of dirs) {
      if (watchers.has(dir)) continue;
      try {
        const w = watch(dir, (_event, name) => {
          if (name && name.toString().endsWith('.tars')) schedule();
        });
        watchers.set(dir, w);
      } catch {
        // The directory vanished; it is watched again once a run succeeds with it present.
      }
    }
  };

  const runOnce = (): void => {
    try {
      const result = runGeneration({...req, cwd});
      inputs = result.inputs;
      for (const w of result.warnings) log(w);
      const written = result.files.filter((f) => f.status === 'written');
      log(`${new Date().toLocaleTimeString()} ${written.length} written` +
        (written.length ? ` (${written.map((f) => f.path).join(', ')})` : '') +
        `, ${result.files.length - written.length} unchanged, in ${result.ms} ms; watching for changes`);
    } catch (error) {
      log(errorLines(errorReport(error), error).join('\n'));
    }
    rewatch();
  };

  const schedule = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(runOnce, 80);
  };

  runOnce();
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      if (timer) clearTimeout(timer);
      for (const w of watchers.values()) w.close();
      watchers = new Map();
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (signal) {
      if (signal.aborted) stop();
      else signal.addEventListener('abort', stop, {once: true});
    }
  });
}
