// Waiting in tests for a state, never for an amount of time: poll until a condition holds (the bound only ends a
// test that would otherwise hang), or sleep for a lower bound the test's logic needs.
import {expect} from 'chai';

/**
 * Polls `cond` until it holds; fails naming `what` if it has not after `timeoutMs`. An async condition (one that
 * asks a daemon) is polled every 100 ms, a synchronous one every 5 ms.
 */
export async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = cond();
    const async = typeof value !== 'boolean';
    if (await value) return;
    if (Date.now() > deadline) expect.fail(`${what}: not reached within ${timeoutMs} ms`);
    await sleep(async ? 100 : 5);
  }
}

/** Waits at least `ms` (a lower bound: a loaded machine only makes it longer). */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
