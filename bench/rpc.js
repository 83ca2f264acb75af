// RPC echo benchmark: one server process and one client process over loopback, for three implementations run in
// the same session:
//
//   ours      @tars-ts/core (compiled, core/dist): Application + the servant and proxy `tars gen` generates for
//             bench/rpc-echo.tars (generated at run time, see generated.js), Communicator.stringToProxy
//   theirs    @tars/rpc 2.0.15 with @tars/stream 2.0.3: server.createServer().start(BindAdapterOption), client
//             stringToProxy, and what tars2node would generate, written by hand (rpc-theirs.js)
//   raw       a plain `net` echo of length-prefixed frames, one write per frame (rpc-raw.js): the floor
//
// Cases: 16 B string echo (echo), 16 KiB bytes echo (echoBytes), struct echo (echoStruct, a BenchRpc::Item with a
// long, strings, a double, a bool, a vector<int> and a map<string, string>), each at 1, 16 and 128 calls in flight
// on one connection. Reported: calls/s, sequential (1 in flight) p50/p99 latency, and CPU per call = (server process
// CPU + client process CPU) / calls over the measured window, from process.cpuUsage() in each process.
//
// Method: per payload, fresh processes for all three implementations (6 children, rpc-server.js / rpc-client.js),
// driven by this process over stdin/stdout JSON lines (rpc-common.js). Each pair is warmed up by a burst at 16 in
// flight; then for each in-flight count every implementation is warmed up once more and measured in interleaved
// rounds (the order rotates every round and reverses every other one): start the load, let it settle, mark (client
// calls, time, CPU of both processes), run the round, mark again, stop and drain. Only one implementation is loaded
// at a time; figures are medians of the rounds. On Linux the CPU time the rest of the machine used during each round
// is measured too (/proc/stat): the notes say when other load skewed the figures, which on a small machine it will.
//
// Run: npx tsc -b tsconfig.build.json && node bench/run.js --filter rpc [--quick] [--json]. Profiling one side:
// TARS_BENCH_CHILD_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" passes node options to every child, or run the
// children by hand (rpc-server.js --standalone, rpc-client.js --inflight N --seconds S; see their headers).

import {spawn} from 'node:child_process';
import {existsSync, readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {loadGenerated} from './generated.js';
import {summarize} from './harness.js';
import {IMPLS, PAYLOADS, STAT, STAT_REPORT_INTERVAL, STRING_16, compileGenerated, makeItem} from './rpc-common.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export const name = 'rpc';
export const description = 'RPC echo over loopback, server and client processes: @tars-ts/core vs @tars/rpc, ' +
  'with a raw net echo as the floor';

/**
 * Run lengths: first warm-up per (implementation, in-flight), settle before each round, round length, rounds, and the
 * most time the whole run may spend waiting for other load to pass and re-running windows it skewed.
 */
export const PROFILES = {
  full: {firstWarmupMs: 700, settleMs: 200, roundMs: 1000, rounds: 3, quietBudgetMs: 30000},
  quick: {firstWarmupMs: 300, settleMs: 50, roundMs: 250, rounds: 2, quietBudgetMs: 3000},
};

export const INFLIGHT = [1, 16, 128];

/** Targets of the issue, as ratios where higher is better (throughput ours/theirs; p99 and CPU theirs/ours). */
export const TARGETS = {throughput: 2, structThroughput: 2.5, p99: 1, cpu: 2};

const LABEL = {ours: 'ours', theirs: '@tars/rpc', raw: 'raw', stat: 'ours+stat'};

// ---- child processes ---------------------------------------------------------------------------------------------

const live = new Set();

function killAll() {
  for (const c of live) c.kill();
}

/**
 * A child process speaking the line protocol. `next()` resolves with its next message; `request(cmd)` sends a
 * command and resolves with the answer. Messages are awaited with a deadline so that a stuck child fails the
 * benchmark instead of hanging it.
 */
export class Child {
  /** `nodeArgs`: node options of this child (before the script), after those of TARS_BENCH_CHILD_ARGS. */
  constructor(script, args, label, nodeArgs = []) {
    this.label = label;
    this.bench = script.replace(/[-.].*$/, ''); // rpc-server.js -> rpc: errors name the benchmark
    this.messages = [];
    this.waiters = [];
    this.stderr = '';
    this.exited = null;
    const env = {...process.env};
    delete env.TARS_CONFIG; // would make @tars/rpc read a config file
    delete env.TARS_MONITOR; // would make @tars/rpc report to a stat server
    const extra = (process.env.TARS_BENCH_CHILD_ARGS ?? '').split(/\s+/).filter(Boolean);
    this.proc = spawn(process.execPath, [...extra, ...nodeArgs, path.join(here, script), ...args.map(String)],
      {stdio: ['pipe', 'pipe', 'pipe'], env});
    live.add(this);
    let out = '';
    this.proc.stdout.setEncoding('utf8');
    this.proc.stdout.on('data', (chunk) => {
      out += chunk;
      let nl;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        if (!line.startsWith('{"ev"')) continue; // stray output of a library
        this.deliver(JSON.parse(line));
      }
    });
    this.proc.stderr.setEncoding('utf8');
    this.proc.stderr.on('data', (chunk) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
    });
    this.proc.stdin.on('error', () => {}); // EPIPE when the child died: reported through 'exit'
    this.proc.on('exit', (code, signal) => {
      live.delete(this);
      this.exited = {code, signal};
      const error = this.failure(`exited (${signal ?? code})`);
      for (const w of this.waiters.splice(0)) w.reject(error);
    });
  }

  failure(what) {
    const tail = this.stderr.trim().split('\n').filter((l) => !/circular dependency|--trace-warnings/.test(l))
      .slice(-15).join('\n');
    return new Error(`${this.bench} bench: ${this.label} ${what}${tail ? `\n${tail}` : ''}`);
  }

  deliver(message) {
    const w = this.waiters.shift();
    if (w) w.resolve(message);
    else this.messages.push(message);
  }

  next(timeoutMs = 30000) {
    if (this.messages.length) return Promise.resolve(this.messages.shift());
    if (this.exited) return Promise.reject(this.failure(`exited (${this.exited.signal ?? this.exited.code})`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(this.failure(`gave no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = {
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.waiters.push(waiter);
    });
  }

  async request(command, timeoutMs) {
    this.proc.stdin.write(`${JSON.stringify(command)}\n`);
    const answer = await this.next(timeoutMs);
    if (answer.ev === 'error') throw this.failure(`failed: ${answer.message}`);
    return answer;
  }

  kill() {
    live.delete(this);
    if (this.exited) return;
    this.proc.stdin.end();
    this.proc.kill('SIGKILL');
  }
}

// ---- measurement -------------------------------------------------------------------------------------------------

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const cpuOf = (c) => c.user + c.system;

/**
 * CPU time the whole machine spent busy so far, µs (Linux: /proc/stat; null elsewhere). Compared with what the
 * measured pair used, it shows how much CPU other processes took during a window: on a small machine any other load
 * skews the figures, and the notes say so.
 */
const PROC_STAT = '/proc/stat';
/** Other load above this (CPUs' worth) marks a window as skewed. */
/**
 * Kills the benchmark's children with `killAll` when this process ends or is interrupted (exit 130); returns the
 * function that removes these handlers once the run has cleaned up by itself.
 */
export function killOnExit(killAll) {
  const onSignal = () => {
    killAll();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', killAll);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', killAll);
  };
}

export const BUSY = 0.15;
const hasProcStat = existsSync(PROC_STAT);
export function machineBusyUs() {
  if (!hasProcStat) return null;
  const fields = readFileSync(PROC_STAT, 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
  // irq and softirq are left out: loopback TCP runs in softirqs, charged to no process, part of the workload.
  const [user, nice, system, , , , , steal] = fields;
  return ((user + nice + system + steal) * 1e6) / 100; // USER_HZ is 100 on Linux
}

/**
 * One window of load: start, settle, mark, run, mark, stop. Returns the window's figures (null: warm-up only), with
 * the raw marks of both processes (`marks`) for figures of a benchmark's own (bench/trace.js: spans). Latencies are
 * sampled at one call in flight unless `latency` says otherwise.
 */
export async function window(pair, inflight, settleMs, runMs, latency = inflight === 1) {
  const {server, client} = pair;
  await client.request({cmd: 'start', inflight, latency});
  await sleep(settleMs);
  if (runMs === null) {
    await client.request({cmd: 'stop'});
    return null;
  }
  const m0 = machineBusyUs();
  const [c0, s0] = await Promise.all([client.request({cmd: 'mark'}), server.request({cmd: 'mark'})]);
  await sleep(runMs);
  const [c1, s1] = await Promise.all([client.request({cmd: 'mark'}), server.request({cmd: 'mark'})]);
  const m1 = machineBusyUs();
  const stopped = await client.request({cmd: 'stop'});
  const calls = c1.calls - c0.calls;
  if (calls <= 0) throw new Error(`rpc bench: ${client.label} completed no call in ${runMs} ms (${stopped.lastError})`);
  const seconds = (c1.t - c0.t) / 1e9;
  const pairUs = cpuOf(c1.cpu) - cpuOf(c0.cpu) + cpuOf(s1.cpu) - cpuOf(s0.cpu);
  return {
    // CPUs' worth of time that other processes (this one included) were busy during the window.
    foreign: m0 === null ? null : Math.max(0, (m1 - m0 - pairUs) / 1e6 / seconds),
    rate: calls / seconds,
    calls,
    clientCpu: (cpuOf(c1.cpu) - cpuOf(c0.cpu)) / calls,
    serverCpu: (cpuOf(s1.cpu) - cpuOf(s0.cpu)) / calls,
    errors: stopped.errors,
    lastError: stopped.lastError,
    lat: c1.lat ?? null,
    // `stat` only: what its stat daemon had received by the end of the window.
    statReceived: s1.stat ?? null,
    marks: {c0, c1, s0, s1},
  };
}

/** Spawns the server and client of each implementation for `payload` and checks one echo of each. */
async function startPairs(payload) {
  const pairs = {};
  for (const impl of IMPLS) {
    const server = new Child('rpc-server.js', [impl], `${LABEL[impl]} server`);
    pairs[impl] = {server};
  }
  for (const impl of IMPLS) {
    const {port, statPort} = await pairs[impl].server.next();
    const client = new Child('rpc-client.js', [impl, port, payload, ...(statPort ? ['--stat-port', statPort] : [])],
      `${LABEL[impl]} client (${payload})`);
    pairs[impl].client = client;
  }
  for (const impl of IMPLS) {
    await pairs[impl].client.next();
    await pairs[impl].client.request({cmd: 'check'});
  }
  return pairs;
}

/**
 * A measured window on a machine as quiet as the budget allows: waits (in slices) while other processes keep more
 * than BUSY of a CPU busy, and runs a window again once when other load came up during it (keeping the quieter of
 * the two). `quiet.budgetMs` (shared by the whole run) bounds the waiting and re-running, so a machine that never
 * calms down costs a bounded delay and its figures are flagged instead.
 */
export async function quietWindow(pair, inflight, profile, quiet, measure = window) {
  await waitQuiet(quiet);
  let w = await measure(pair, inflight, profile.settleMs, profile.roundMs);
  if (w.foreign !== null && w.foreign > BUSY && quiet.budgetMs >= profile.roundMs) {
    await waitQuiet(quiet);
    const t0 = Date.now();
    const again = await measure(pair, inflight, profile.settleMs, profile.roundMs);
    quiet.budgetMs -= Date.now() - t0;
    quiet.retried++;
    if (again.foreign < w.foreign) w = again;
  }
  return w;
}

export async function waitQuiet(quiet) {
  if (!hasProcStat) return;
  while (quiet.budgetMs > 0) {
    const slice = 250;
    const b0 = machineBusyUs();
    await sleep(slice);
    const load = (machineBusyUs() - b0) / (slice * 1000);
    if (load <= BUSY) return;
    quiet.budgetMs -= slice;
    quiet.waitedMs += slice;
  }
}

/** Every figure of one payload: {inflight: {impl: [window results]}}. */
async function measurePayload(payload, profile, progress, quiet) {
  const pairs = await startPairs(payload);
  try {
    const out = {};
    // A burst at 16 in flight first: the code gets hot much sooner than at 1 in flight, which is measured first.
    for (const impl of IMPLS) await window(pairs[impl], 16, profile.firstWarmupMs, null);
    for (const inflight of INFLIGHT) {
      const results = Object.fromEntries(IMPLS.map((impl) => [impl, []]));
      for (const impl of IMPLS) await window(pairs[impl], inflight, profile.firstWarmupMs, null);
      for (let round = 0; round < profile.rounds; round++) {
        const rotated = IMPLS.map((_, i) => IMPLS[(i + round) % IMPLS.length]);
        const order = round % 2 ? rotated.reverse() : rotated;
        for (const impl of order) results[impl].push(await quietWindow(pairs[impl], inflight, profile, quiet));
        progress(`  ${PAYLOADS[payload].label} x${inflight}: round ${round + 1}/${profile.rounds}`);
      }
      out[inflight] = results;
    }
    return out;
  } finally {
    for (const {server, client} of Object.values(pairs)) {
      client?.kill();
      server.kill();
    }
  }
}

// ---- rows ----------------------------------------------------------------------------------------------------------

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/**
 * A row in the shape of the codec benchmark's (ours, theirs: {median, min, max, madPct, rounds}; ratio; target),
 * plus `raw` (the floor), `unit` and `higherIsBetter`. For lower-is-better rows (latency, CPU) `ratio` is
 * theirs/ours, so that a ratio at or above the target is always good.
 */
function row(label, unit, higherIsBetter, target, values, extra = {}) {
  const s = Object.fromEntries(IMPLS.map((impl) => [impl, summarize(values[impl])]));
  const paired = values.ours.map((x, i) => (higherIsBetter ? x / values.theirs[i] : values.theirs[i] / x));
  return {
    case: label,
    unit,
    higherIsBetter,
    ours: s.ours,
    theirs: s.theirs,
    raw: s.raw,
    // TARS_BENCH_STAT: ours+stat/ours (of the medians, and the median of the per-round ratios).
    ...(s.stat ? {stat: s.stat, statRatio: s.stat.median / s.ours.median,
      statPairedRatio: median(values.stat.map((x, i) => x / values.ours[i]))} : {}),
    ratio: higherIsBetter ? s.ours.median / s.theirs.median : s.theirs.median / s.ours.median,
    pairedRatio: median(paired),
    target,
    ...extra,
  };
}

function rowsOf(measured) {
  const rows = [];
  for (const [payload, byInflight] of Object.entries(measured)) {
    const label = PAYLOADS[payload].label;
    const pick = (results, f) => Object.fromEntries(IMPLS.map((impl) => [impl, results[impl].map(f)]));
    const cpuRows = [];
    for (const inflight of INFLIGHT) {
      const r = byInflight[inflight];
      const cpu = Object.fromEntries(IMPLS.map((impl) => [impl, {
        server: median(r[impl].map((w) => w.serverCpu)),
        client: median(r[impl].map((w) => w.clientCpu)),
        total: median(r[impl].map((w) => w.serverCpu + w.clientCpu)),
      }]));
      const errors = Object.fromEntries(IMPLS.map((impl) => [impl, r[impl].reduce((n, w) => n + w.errors, 0)]));
      // The most CPU other processes took in any round of this case (CPUs' worth), per implementation.
      const otherLoad = Object.fromEntries(IMPLS.map((impl) => [impl,
        r[impl].some((w) => w.foreign === null) ? null : Math.max(...r[impl].map((w) => w.foreign))]));
      rows.push(row(`${label} x${inflight} calls/s`, 'calls/s', true,
        payload === 'struct' ? TARGETS.structThroughput : TARGETS.throughput, pick(r, (w) => w.rate),
        {kind: 'throughput', payload, inflight, cpuUsPerCall: cpu, errors, otherLoad}));
      // CPU in ns so that the integer formatting of the runner's table keeps three digits.
      cpuRows.push(row(`${label} x${inflight} CPU ns/call`, 'ns/call', false, TARGETS.cpu,
        pick(r, (w) => (w.serverCpu + w.clientCpu) * 1000), {kind: 'cpu', payload, inflight, cpuUsPerCall: cpu}));
      if (inflight === 1) {
        rows.push(row(`${label} seq p50 µs`, 'µs', false, null, pick(r, (w) => w.lat?.p50 ?? NaN),
          {kind: 'p50', payload, inflight}));
        rows.push(row(`${label} seq p99 µs`, 'µs', false, TARGETS.p99, pick(r, (w) => w.lat?.p99 ?? NaN),
          {kind: 'p99', payload, inflight}));
      }
    }
    rows.push(...cpuRows);
  }
  return rows;
}

// ---- the detailed table (notes) ------------------------------------------------------------------------------------

function fmt(x, digits = 0) {
  if (!Number.isFinite(x)) return '-';
  return x.toLocaleString('en-US', {minimumFractionDigits: digits, maximumFractionDigits: digits});
}

function status(r) {
  if (r.target == null || !Number.isFinite(r.ratio)) return '';
  return r.ratio >= r.target ? 'ok' : 'BELOW';
}

/** One line per payload and in-flight count: calls/s of the three, ratio, CPU split, and latency at 1 in flight. */
function detailTable(rows) {
  const head = ['case', 'ours/s', '@tars/rpc/s', 'raw/s', 'ratio', 'target', '', 'floor', 'CPU µs/call ours srv+cli',
    '@tars/rpc srv+cli', 'raw', 'ratio', '', 'p50 µs ours/@tars/rpc/raw', 'p99 µs ours/@tars/rpc/raw', ''];
  const lines = [head];
  const find = (kind, payload, inflight) => rows.find((r) => r.kind === kind && r.payload === payload &&
    r.inflight === inflight);
  for (const t of rows.filter((r) => r.kind === 'throughput')) {
    const c = find('cpu', t.payload, t.inflight);
    const cpu = t.cpuUsPerCall;
    const split = (impl) => `${fmt(cpu[impl].total, 1)} = ${fmt(cpu[impl].server, 1)}+${fmt(cpu[impl].client, 1)}`;
    const p50 = find('p50', t.payload, t.inflight);
    const p99 = find('p99', t.payload, t.inflight);
    const lat = (r) => (r ? `${fmt(r.ours.median)}/${fmt(r.theirs.median)}/${fmt(r.raw.median)}` : '');
    const skewed = Object.values(t.otherLoad).some((x) => x !== null && x > BUSY);
    lines.push([
      `${PAYLOADS[t.payload].label} x${t.inflight}${skewed ? ' *' : ''}`,
      fmt(t.ours.median), fmt(t.theirs.median), fmt(t.raw.median), `${fmt(t.ratio, 2)}x`, `${fmt(t.target, 1)}x`,
      status(t), `${fmt(t.raw.median / t.theirs.median, 2)}x`,
      split('ours'), split('theirs'), fmt(cpu.raw.total, 1), `${fmt(c.ratio, 2)}x`, status(c),
      lat(p50), lat(p99), p99 ? `${fmt(p99.ratio, 2)}x ${status(p99)}` : '',
    ]);
  }
  const widths = head.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  const left = new Set([0, 6, 12, 15]);
  return lines.map((l) => l.map((cell, i) => (left.has(i) ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
    .join('  ').trimEnd());
}

/**
 * TARS_BENCH_STAT=1: what call statistics cost, as ours+stat against ours measured in the same interleaved rounds
 * (calls/s on/off, CPU per call on/off, latency), and what the stat daemon received.
 */
function statNotes(rows, measured) {
  const lines = [`stat on/off (TARS_BENCH_STAT=1: ours+stat reports both sides to a live StatF servant every ` +
    `${STAT_REPORT_INTERVAL} ms); ratio = ours+stat/ours, paired by round:`];
  for (const r of rows) {
    if (!r.stat) continue;
    const digits = r.unit === 'calls/s' ? 0 : 1;
    lines.push(`  ${r.case}: ours ${fmt(r.ours.median, digits)}, ours+stat ${fmt(r.stat.median, digits)} ${r.unit}, ` +
      `ratio ${fmt(r.statRatio, 3)} (paired ${fmt(r.statPairedRatio, 3)})`);
  }
  const received = Object.values(measured).flatMap((byInflight) => Object.values(byInflight)
    .flatMap((byImpl) => (byImpl.stat ?? []).map((w) => w.statReceived))).filter(Boolean);
  const last = received.at(-1);
  if (last) lines.push(`  the stat daemon received ${last.reports} reports covering ${last.calls} calls (last payload)`);
  return lines;
}

// ---- the module ----------------------------------------------------------------------------------------------------

export async function run(opts = {}) {
  const profile = opts.profile ?? (opts.quick ? PROFILES.quick : PROFILES.full);
  const log = opts.log ?? (() => {});
  const progress = opts.progress ?? (() => {});
  const payloads = opts.payloads ?? Object.keys(PAYLOADS);

  // Generate the code of rpc-echo.tars once, and compile it, before any child imports it (children only read it).
  const {Item} = await loadGenerated('rpc-echo.tars');
  await compileGenerated();
  const structBytes = Item.encode(makeItem()).length;

  const release = killOnExit(killAll);
  const measured = {};
  const quiet = {budgetMs: profile.quietBudgetMs ?? 0, waitedMs: 0, retried: 0};
  try {
    for (const payload of payloads) {
      progress(`rpc: ${PAYLOADS[payload].label} (${PAYLOADS[payload].op}): starting 3 servers and 3 clients`);
      measured[payload] = await measurePayload(payload, profile, progress, quiet);
    }
  } finally {
    killAll();
    release();
  }

  const rows = rowsOf(measured);
  const foreign = Object.values(measured).flatMap((byInflight) => Object.values(byInflight)
    .flatMap((byImpl) => Object.values(byImpl).flatMap((windows) => windows.map((w) => w.foreign))))
    .filter((x) => x !== null);
  const busy = foreign.filter((x) => x > BUSY).length;
  const errors = rows.filter((r) => r.kind === 'throughput')
    .flatMap((r) => IMPLS.filter((impl) => r.errors[impl] > 0).map((impl) => `${r.case} ${LABEL[impl]}: ` +
      `${r.errors[impl]} failed calls`));
  const notes = [
    `payloads: echo(string) of ${STRING_16.length} B, echoBytes(vector<byte>) of 16384 B, echoStruct(Item) of ` +
      `${structBytes} B encoded; raw echoes frames of the same payload sizes`,
    `${profile.rounds} interleaved rounds of ${profile.roundMs} ms per case and implementation, one connection; ` +
      'figures are medians of the rounds',
    'rows in µs and ns/call are lower-is-better: their ratio is @tars/rpc/ours, so >= target is good',
    'CPU per call = (server process CPU + client process CPU) / calls over the window (process.cpuUsage)',
    'floor = raw/@tars/rpc calls/s: how far the bare transport (no RPC layer, no write batching) is ahead of @tars/rpc',
    ...(foreign.length ? [`other load during the windows: median ${fmt(median(foreign) * 100)}% of a CPU, max ` +
      `${fmt(Math.max(...foreign) * 100)}%; ${busy} of ${foreign.length} windows above ${BUSY * 100}%` +
      (busy ? ' (rows marked * below had one: their figures are skewed, rerun on an idle machine)' : '') +
      (quiet.waitedMs || quiet.retried ? `; waited ${fmt(quiet.waitedMs / 1000, 1)} s for quiet and re-ran ` +
        `${quiet.retried} window(s)` : '')] : []),
    ...errors,
    ...(STAT ? statNotes(rows, measured) : []),
    ...detailTable(rows),
  ];
  const otherLoad = foreign.length ? {median: median(foreign), max: Math.max(...foreign), windows: foreign.length,
    busyWindows: busy, waitedMs: quiet.waitedMs, retriedWindows: quiet.retried} : null;
  return {rows, notes, info: {profile, structBytes, inflight: INFLIGHT, targets: TARGETS, cpus: os.cpus().length,
    otherLoad}};
}
