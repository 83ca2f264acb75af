// Waiting in tests for a state, never for an amount of time: poll until a condition holds (the bound only ends a
// test that would otherwise hang), or sleep for a lower bound the test's logic needs.
import {expect} from 'chai';

/** Polls `cond` until it holds; fails naming `what` if it has not after `timeoutMs`. */
export async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) expect.fail(`${what}: not reached within ${timeoutMs} ms`);
    await sleep(5);
  }
}

/** Waits at least `ms` (a lower bound: a loaded machine only makes it longer). */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
