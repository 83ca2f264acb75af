// A load run: N calls with C in flight, and its summary (calls/s, latency percentiles, outcomes by return code).
// What `tars call --repeat` and the shell's `bench` make; the statistics are a pure function of what was measured.
import {TarsCallError} from '@tars-ts/core';

/** The most calls and calls in flight a load run takes (the shell's `bench` bounds; `tars call --repeat` too). */
export const MAX_LOAD_CALLS = 1_000_000;
export const MAX_LOAD_CONCURRENCY = 1000;

/** `tars call --repeat N --json` (spec/cli.md), and the shell's `bench --json`. */
export interface RepeatResultJson {
  /** Calls made (fewer than asked when the run was stopped). */
  calls: number;
  ok: number;
  failed: number;
  /** Calls by return code (`0`: answered with success). */
  byCode: Record<string, number>;
  callsPerSec: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Present (true) when the run was stopped before all calls were made (Ctrl-C in the shell's `bench`). */
  stopped?: true;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** The value under which a fraction `p` of the sorted `values` fall (nearest rank, 0 when empty). */
export function percentileOf(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/**
 * The summary of a load run from what it measured: each call's latency (ms, any order), the calls by return code,
 * the run's wall time (ms) and whether it was stopped early. Pure: `latencies` is not changed.
 */
export function loadSummary(latencies: readonly number[], byCode: Readonly<Record<string, number>>, elapsedMs: number,
  stopped = false): RepeatResultJson {
  const sorted = [...latencies].sort((a, b) => a - b);
  const calls = Object.values(byCode).reduce((s, n) => s + n, 0);
  const ok = byCode['0'] ?? 0;
  return {calls, ok, failed: calls - ok, byCode: {...byCode},
    callsPerSec: elapsedMs > 0 ? Math.round(calls * 1000 / elapsedMs) : 0,
    p50Ms: round3(percentileOf(sorted, 0.5)), p90Ms: round3(percentileOf(sorted, 0.9)),
    p99Ms: round3(percentileOf(sorted, 0.99)), maxMs: round3(sorted.at(-1) ?? 0), ...(stopped ? {stopped: true} : {})};
}

/**
 * Makes `total` calls of `callOnce` with `concurrency` in flight and summarizes them by return code. A call that
 * fails with a TarsCallError counts under its code; any other error ends the run with it. `signal` stops issuing
 * new calls: the run waits for those in flight and summarizes what was made (`stopped`).
 */
export async function runLoad(callOnce: () => Promise<unknown>, total: number, concurrency: number,
  signal?: AbortSignal): Promise<RepeatResultJson> {
  const latencies: number[] = [];
  const byCode: Record<string, number> = {};
  let issued = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (issued < total && !signal?.aborted) {
      issued++;
      const t0 = performance.now();
      let code = 0;
      try {
        await callOnce();
      } catch (error) {
        if (!(error instanceof TarsCallError)) throw error;
        code = error.returnCode;
      }
      latencies.push(performance.now() - t0);
      byCode[String(code)] = (byCode[String(code)] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({length: Math.min(concurrency, total)}, worker));
  return loadSummary(latencies, byCode, performance.now() - started, latencies.length < total);
}
