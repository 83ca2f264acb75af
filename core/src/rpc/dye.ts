/**
 * The dye of the request being served (TARS "dyeing"): a request carrying TARSMESSAGETYPEDYED and STATUS_DYED_KEY is
 * served inside an async context holding its key, so that the lines the service logs while serving it reach the dye
 * log and the calls it makes carry the same key to the next hop (TarsCpp keeps the key per thread, TarsGo in the
 * context.Context).
 *
 * Cost when nothing is dyed: none measurable. The AsyncLocalStorage is only entered for a dyed request, and Node
 * installs its async hooks only once it is first entered; until then {@link dyeingStarted} is false and readers skip
 * the storage altogether.
 */
import {AsyncLocalStorage} from 'node:async_hooks';

const storage = new AsyncLocalStorage<string>();
let started = false;

/** Whether any dyed request was served in this process (before that, nothing is dyed and nobody need look). */
export function dyeingStarted(): boolean {
  return started;
}

/** The dye key of the request being served here, or undefined outside a dyed request. */
export function currentDyeKey(): string | undefined {
  return started ? storage.getStore() : undefined;
}

/**
 * Runs `fn` (and everything asynchronous it starts) as part of a request dyed with `key`: its log lines go to the
 * dye log and its outgoing calls carry the key.
 */
export function runDyed<T>(key: string, fn: () => T): T {
  started = true;
  return storage.run(key, fn);
}

/**
 * Runs `fn` outside any dye (background work a dyed request merely triggered: a log batch, a report), so that it
 * neither carries nor logs the dye.
 */
export function runUndyed<T>(fn: () => T): T {
  return started ? storage.exit(fn) : fn();
}
