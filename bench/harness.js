// Shared measurement helpers for the benchmark modules in bench/.
//
// A benchmark module measures a set of *cases* (synchronous functions, one operation per call) interleaved in the
// same process: every round runs each case once for a fixed number of iterations, in an order that alternates
// between rounds, so that the machine's state (CPU frequency, GC pressure, other load) is shared by all cases.
// The reported figure is the median of the per-round rates.

import net from 'node:net';

/** Run lengths. `quick` is a smoke test of a few seconds; the full profile aims at 30-60 s for the codec module. */
export const PROFILES = {
  full: {warmupMs: 1200, calibrateMs: 100, sampleMs: 250, rounds: 15},
  quick: {warmupMs: 150, calibrateMs: 30, sampleMs: 40, rounds: 5},
};

/** Results are written here so that the optimiser cannot drop the work. */
let sink = 0;

/** Folds an operation's result into the sink cheaply (length of a buffer, or a field of an object). */
function consume(result) {
  if (result === undefined || result === null) {
    sink ^= 1;
  } else if (typeof result === 'object') {
    sink ^= result.length ?? 2;
  } else {
    sink ^= 3;
  }
}

/**
 * A batch runner dedicated to `fn`: runs it `iterations` times and returns the elapsed nanoseconds. Each case gets
 * its own copy of the loop (compiled from source, so with its own type feedback): a loop shared by all cases would
 * see several call targets, and whichever case V8 optimised (and inlined) into it first would be measured
 * differently from the others.
 */
function makeRunner(fn) {
  // eslint-disable-next-line no-new-func
  return new Function('fn', 'hrtime', 'consume', `
    return function runBatch(iterations) {
      let last;
      const t0 = hrtime();
      for (let i = 0; i < iterations; i++) last = fn();
      const t1 = hrtime();
      consume(last);
      return Number(t1 - t0);
    };`)(fn, process.hrtime.bigint, consume);
}

/** Runs `run` for at least `ms` milliseconds (doubling batches); returns nanoseconds per operation. */
function runFor(run, ms) {
  const budget = ms * 1e6;
  let iterations = 1;
  let total = 0;
  let count = 0;
  while (total < budget) {
    total += run(iterations);
    count += iterations;
    if (iterations < 1 << 20) iterations *= 2;
  }
  return total / count;
}

function median(sorted) {
  const n = sorted.length;
  if (n === 0) return NaN;
  return n % 2 ? sorted[(n - 1) >> 1] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

/** Summary of the per-round rates of one case (operations per second). */
export function summarize(rates) {
  const sorted = [...rates].sort((a, b) => a - b);
  const med = median(sorted);
  const mad = median(sorted.map((r) => Math.abs(r - med)).sort((a, b) => a - b));
  return {
    median: med,
    min: sorted[0],
    max: sorted[sorted.length - 1],
    /** Median absolute deviation, relative to the median, in percent. */
    madPct: med > 0 ? (mad / med) * 100 : 0,
    rounds: rates.length,
  };
}

/**
 * Measures `cases` ({id: () => result}) interleaved. Each case is warmed up, calibrated so that one sample takes
 * about `sampleMs`, then sampled once per round for `rounds` rounds; the order of the cases is reversed every other
 * round and rotated by one between rounds, so that no case always follows another.
 *
 * Returns {id: summary} with ops/s statistics, plus the raw per-round rates in `.rates`.
 */
export function measureInterleaved(cases, profile, log = () => {}) {
  const ids = Object.keys(cases);
  const runners = Object.fromEntries(ids.map((id) => [id, makeRunner(cases[id])]));
  // Warm-up. First all cases in turn in tiny slices, so that the code they share (the codec classes, and Node's own
  // Buffer internals) has collected type feedback from all of them before the optimising compiler sees it: without
  // this, whichever case happened to go first was compiled against immature feedback and measured up to 1.5x slower
  // than an identical copy of itself listed second. Then every case for longer, twice, to reach steady state.
  for (let pass = 0; pass < 64; pass++) {
    for (const id of ids) runners[id](4);
  }
  for (let pass = 0; pass < 2; pass++) {
    for (const id of ids) runFor(runners[id], profile.warmupMs / 2);
  }
  const iterations = {};
  for (const id of ids) {
    const nsPerOp = runFor(runners[id], profile.calibrateMs);
    iterations[id] = Math.max(1, Math.round((profile.sampleMs * 1e6) / nsPerOp));
  }
  const rates = Object.fromEntries(ids.map((id) => [id, []]));
  for (let round = 0; round < profile.rounds; round++) {
    const rotated = ids.map((_, i) => ids[(i + round) % ids.length]);
    const order = round % 2 ? rotated.reverse() : rotated;
    for (const id of order) {
      const ns = runners[id](iterations[id]);
      rates[id].push((iterations[id] * 1e9) / ns);
    }
    log(`  round ${round + 1}/${profile.rounds}`);
  }
  const out = {};
  for (const id of ids) out[id] = {...summarize(rates[id]), rates: rates[id]};
  return out;
}

/** Reported so that a caller can prove the sink was used. */
export function sinkValue() {
  return sink;
}

/**
 * A port P with P .. P+count-1 all free on 127.0.0.1 (a daemon takes consecutive ports with --port P, a cluster with
 * --base-port P), picked at random from [low, high). Throws after 100 tries.
 */
export async function freePortRange(count = 1, low = 20_000, high = 60_000) {
  const free = (port) => new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen({host: '127.0.0.1', port, exclusive: true}, () => s.close(() => resolve(true)));
  });
  for (let i = 0; i < 100; i++) {
    const base = low + Math.floor(Math.random() * (high - low - count));
    let ok = true;
    for (let k = 0; k < count && ok; k++) ok = await free(base + k);
    if (ok) return base;
  }
  throw new Error(`no ${count} consecutive free ports in ${low}..${high}`);
}
