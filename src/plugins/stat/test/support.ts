// What the stat plugin's tests share.

/** Waits at least `ms` (a lower bound: a loaded machine only makes it longer). */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
