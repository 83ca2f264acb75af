// Registry benchmark (issue 11): our QueryObj answering findObjectByIdInSameGroup for 10,000 registered objects.
//
//   registry  registry-server.js: a core Application on 127.0.0.1:0 hosting QueryServant over a RegistryService over
//             a MemoryRegistryRepository loaded with the data set of registry-data.js (10,000 objects on 320 nodes,
//             IDC groups and fallback rows, sets, static endpoints; ~25,000 endpoints)
//   client    registry-client.js: 16 clients (a communicator, so a connection, each) in one process, asking for
//             random known objects from random nodes (context node_name), through core's QueryF.QueryFProxy; with
//             the official @tars/rpc client (@tars/registry's QueryFProxy) as a second client implementation
//             (TARS_BENCH_REGISTRY_THEIRS=0 leaves it out)
//
// Measured: (a) max lookups/s with 16 in flight (each client 1 call at a time), p50/p99 of those calls; (b) an open
// loop at 5,000 lookups/s (bursts every 1 ms, latency from the burst's scheduled time, so queueing shows):
// p50/p99/p999, the goal row (p99 < 2 ms); (c) the same open loop while nodes heart-beat (each heart-beat is a
// repository write + a full snapshot rebuild, as RegistryObj.keepAlive does it); (d) the registry process's CPU per
// lookup, RSS after loading and after the runs, and the time to build the snapshot of the 10,000 objects.
// There is no official registry in this repository to compare with: "theirs" is null in every row.
//
// Method: one registry process, one client process per client implementation, driven over stdin/stdout JSON lines
// (rpc-common.js); only one client loads the registry at a time. Each window: start the load, settle, mark (calls,
// time, CPU of both processes, latencies from here), run, mark, stop and drain. Figures are medians of the rounds;
// ± is their median absolute deviation. Before each window the run waits (within a budget) for the machine to be
// quiet, and the notes give the CPU other processes took during the windows (/proc/stat).
//
// Run: npx tsc -b tsconfig.build.json && node bench/run.js --filter registry [--quick] [--json]. Profiling the
// registry: TARS_BENCH_REGISTRY_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" (node options of the registry process;
// it writes its profile when its stdin ends), or run it by hand: node bench/registry-server.js --standalone.

import os from 'node:os';

import {summarize} from './harness.js';
import {BUSY, Child, killOnExit, machineBusyUs, waitQuiet} from './rpc.js';

export const name = 'registry';
export const description = 'registry QueryObj: findObjectByIdInSameGroup over 10,000 objects from 16 clients ' +
  '(lookups/s, p99 at 5,000/s, CPU, RSS, snapshot build)';

/** Run lengths (ms) and counts. */
export const PROFILES = {
  full: {warmupMs: 2000, settleMs: 300, roundMs: 1500, rounds: 3, pacedSettleMs: 700, pacedMs: 3000, pacedRounds: 3,
    churnRounds: 2, builds: 7, quietBudgetMs: 20000},
  quick: {warmupMs: 300, settleMs: 100, roundMs: 300, rounds: 1, pacedSettleMs: 200, pacedMs: 600, pacedRounds: 1,
    churnRounds: 1, builds: 2, quietBudgetMs: 0},
};

/** The goal: p99 under 2 ms at 5,000 lookups/s, 16 clients. */
export const GOAL = {rate: 5000, p99Us: 2000, clients: 16};
/** Node heart-beats a second during the churn run: each of the 320 nodes once every 10 s. */
export const CHURN_PER_SEC = 32;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const cpuOf = (c) => c.user + c.system;
const MiB = 1024 * 1024;

function median(values) {
  const s = values.filter(Number.isFinite).sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

function fmt(x, digits = 0) {
  if (!Number.isFinite(x)) return '-';
  return x.toLocaleString('en-US', {minimumFractionDigits: digits, maximumFractionDigits: digits});
}

/** One window of load; returns its figures. */
async function window(registry, client, start, settleMs, runMs) {
  await client.request({cmd: 'start', ...start});
  await sleep(settleMs);
  const m0 = machineBusyUs();
  const [c0, s0] = await Promise.all([client.request({cmd: 'mark'}), registry.request({cmd: 'mark'})]);
  await sleep(runMs);
  const [c1, s1] = await Promise.all([client.request({cmd: 'mark'}), registry.request({cmd: 'mark'})]);
  const m1 = machineBusyUs();
  const stopped = await client.request({cmd: 'stop'}, 60000);
  const calls = c1.calls - c0.calls;
  if (calls <= 0) throw new Error(`registry bench: ${client.label} completed no lookup (${stopped.lastError})`);
  const seconds = (c1.t - c0.t) / 1e9;
  const registryUs = cpuOf(s1.cpu) - cpuOf(s0.cpu);
  const clientUs = cpuOf(c1.cpu) - cpuOf(c0.cpu);
  return {
    rate: calls / seconds,
    lat: c1.lat ?? null,
    lag: c1.lag ?? null,
    registryCpuUs: registryUs / calls,
    clientCpuUs: clientUs / calls,
    registryCpuShare: registryUs / 1e6 / seconds,
    foreign: m0 === null ? null : Math.max(0, (m1 - m0 - registryUs - clientUs) / 1e6 / seconds),
    loopDelayUs: s1.loopDelayUs,
    gc: s1.gc,
    errors: stopped.errors,
    dropped: stopped.dropped,
    lastError: stopped.lastError,
  };
}

async function measuredWindow(registry, client, start, settleMs, runMs, quiet) {
  await waitQuiet(quiet);
  return window(registry, client, start, settleMs, runMs);
}

/** A row in the runner's shape; `theirs` is null (no official registry). Lower-is-better rows say so. */
function row(label, unit, values, extra = {}) {
  return {case: label, unit, ours: summarize(values), theirs: null, ratio: NaN, pairedRatio: NaN, target: null,
    ...extra};
}

export async function run(opts = {}) {
  const profile = opts.profile ?? (opts.quick ? PROFILES.quick : PROFILES.full);
  const progress = opts.progress ?? (() => {});
  const impls = ['ours', ...(process.env.TARS_BENCH_REGISTRY_THEIRS === '0' ? [] : ['theirs'])];
  const children = [];
  const killAll = () => {
    for (const c of children) c.kill();
  };
  const release = killOnExit(killAll);
  const quiet = {budgetMs: profile.quietBudgetMs, waitedMs: 0, retried: 0};
  const windows = [];
  const record = (w) => {
    windows.push(w);
    return w;
  };
  let ready;
  let memAfter;
  const out = {closed: {}, paced: [], churn: [], churnReport: null};
  try {
    progress('registry: loading 10,000 objects into the registry process');
    const registryArgs = (process.env.TARS_BENCH_REGISTRY_ARGS ?? '').split(/\s+/).filter(Boolean);
    const registry = new Child('registry-server.js', ['--builds', profile.builds], 'registry',
      ['--expose-gc', ...registryArgs]);
    children.push(registry);
    ready = await registry.next(120000);
    const clients = {};
    for (const impl of impls) {
      const client = new Child('registry-client.js', [impl, ready.port, '--clients', GOAL.clients],
        `${impl === 'ours' ? 'our' : '@tars/rpc'} client`);
      children.push(client);
      await client.next(60000);
      await client.request({cmd: 'check'}, 60000);
      clients[impl] = client;
    }

    // (a) closed loop, 16 in flight: warm up each client, then interleaved rounds.
    for (const impl of impls) {
      progress(`registry: warm-up (${impl} client, ${GOAL.clients} in flight)`);
      await window(registry, clients[impl], {mode: 'closed'}, profile.warmupMs, 100);
      out.closed[impl] = [];
    }
    for (let round = 0; round < profile.rounds; round++) {
      const order = round % 2 ? [...impls].reverse() : impls;
      for (const impl of order) {
        out.closed[impl].push(record(await measuredWindow(registry, clients[impl], {mode: 'closed'},
          profile.settleMs, profile.roundMs, quiet)));
      }
      progress(`registry: ${GOAL.clients} in flight, round ${round + 1}/${profile.rounds}`);
    }

    // (b) open loop at the goal's rate.
    const paced = {mode: 'paced', rate: GOAL.rate, slotMs: 1};
    for (let round = 0; round < profile.pacedRounds; round++) {
      out.paced.push(record(await measuredWindow(registry, clients.ours, paced, profile.pacedSettleMs,
        profile.pacedMs, quiet)));
      progress(`registry: ${fmt(GOAL.rate)}/s paced, round ${round + 1}/${profile.pacedRounds}`);
    }

    // (c) the same with node heart-beats rebuilding the snapshot.
    await registry.request({cmd: 'churn', perSec: CHURN_PER_SEC});
    for (let round = 0; round < profile.churnRounds; round++) {
      out.churn.push(record(await measuredWindow(registry, clients.ours, paced, profile.pacedSettleMs,
        profile.pacedMs, quiet)));
      progress(`registry: ${fmt(GOAL.rate)}/s paced + ${CHURN_PER_SEC} heart-beats/s, round ${round + 1}/` +
        `${profile.churnRounds}`);
    }
    out.churnReport = await registry.request({cmd: 'churn', perSec: 0});
    memAfter = (await registry.request({cmd: 'mem'})).mem;
  } finally {
    // Children exit when their stdin ends (so that one run with --cpu-prof writes its profile); killed if they linger.
    await Promise.all(children.map((c) => c.exited ? null : Promise.race([
      new Promise((resolve) => {
        c.proc.once('exit', resolve);
        c.proc.stdin.end();
      }), sleep(5000)])));
    killAll();
    release();
  }

  // ---- rows --------------------------------------------------------------------------------------------------------
  const us = (ws, f) => ws.map((w) => f(w) ?? NaN);
  const closed = out.closed.ours;
  const p99 = median(us(out.paced, (w) => w.lat?.p99));
  const goalOk = p99 < GOAL.p99Us && out.paced.every((w) => w.errors === 0 && w.dropped === 0) &&
    median(out.paced.map((w) => w.rate)) >= GOAL.rate * 0.98;
  const rows = [
    row(`lookups/s, ${GOAL.clients} in flight`, 'lookups/s', closed.map((w) => w.rate), {kind: 'throughput'}),
    row(`${GOAL.clients} in flight: p50 µs`, 'µs', us(closed, (w) => w.lat?.p50), {kind: 'latency'}),
    row(`${GOAL.clients} in flight: p99 µs`, 'µs', us(closed, (w) => w.lat?.p99), {kind: 'latency'}),
    row(`${fmt(GOAL.rate)}/s paced: lookups/s`, 'lookups/s', out.paced.map((w) => w.rate), {kind: 'throughput'}),
    row(`${fmt(GOAL.rate)}/s paced: p50 µs`, 'µs', us(out.paced, (w) => w.lat?.p50), {kind: 'latency'}),
    row(`${fmt(GOAL.rate)}/s paced: p99 µs (goal)`, 'µs', us(out.paced, (w) => w.lat?.p99),
      {kind: 'goal', targetLabel: `< ${fmt(GOAL.p99Us)} µs`, ok: goalOk}),
    row(`${fmt(GOAL.rate)}/s paced: p999 µs`, 'µs', us(out.paced, (w) => w.lat?.p999), {kind: 'latency'}),
    row(`${fmt(GOAL.rate)}/s + ${CHURN_PER_SEC} heart-beats/s: p99 µs`, 'µs', us(out.churn, (w) => w.lat?.p99),
      {kind: 'latency'}),
    row(`${fmt(GOAL.rate)}/s + ${CHURN_PER_SEC} heart-beats/s: p999 µs`, 'µs', us(out.churn, (w) => w.lat?.p999),
      {kind: 'latency'}),
    // CPU in ns so that the integer formatting of the runner's table keeps three digits.
    row(`registry CPU ns/lookup, ${GOAL.clients} in flight`, 'ns/lookup', closed.map((w) => w.registryCpuUs * 1000),
      {kind: 'cpu'}),
    row(`registry CPU ns/lookup, ${fmt(GOAL.rate)}/s`, 'ns/lookup', out.paced.map((w) => w.registryCpuUs * 1000),
      {kind: 'cpu'}),
    row(`snapshot build ms (${fmt(ready.counts.objects)} objects)`, 'ms', ready.buildMs, {kind: 'build'}),
    row('registry RSS MiB after loading', 'MiB', [ready.mem.rss / MiB], {kind: 'memory'}),
    row('registry RSS MiB after the runs', 'MiB', [memAfter.rss / MiB], {kind: 'memory'}),
  ];
  if (out.closed.theirs) {
    rows.splice(3, 0,
      row(`lookups/s, ${GOAL.clients} in flight, @tars/rpc client`, 'lookups/s',
        out.closed.theirs.map((w) => w.rate), {kind: 'throughput', client: 'theirs'}),
      row(`${GOAL.clients} in flight: p99 µs, @tars/rpc client`, 'µs', us(out.closed.theirs, (w) => w.lat?.p99),
        {kind: 'latency', client: 'theirs'}));
  }

  // ---- notes -------------------------------------------------------------------------------------------------------
  const c = ready.counts;
  const foreign = windows.map((w) => w.foreign).filter((x) => x !== null);
  const busy = foreign.filter((x) => x > BUSY).length;
  const lost = windows.reduce((n, w) => n + w.errors + w.dropped, 0);
  const split = (ws) => `${fmt(median(ws.map((w) => w.registryCpuUs)), 1)} + ${fmt(median(ws.map((w) =>
    w.clientCpuUs)), 1)} µs (registry + client), registry busy ${fmt(median(ws.map((w) => w.registryCpuShare)) *
    100)}% of a CPU`;
  const notes = [
    'theirs is null in every row: there is no official registry here to compare with; the rows marked @tars/rpc ' +
      'client are the official client (@tars/registry\'s QueryFProxy) against our registry ' +
      '(TARS_BENCH_REGISTRY_THEIRS=0 leaves them out)',
    `data set: ${fmt(c.objects)} objects (${fmt(c.objects - c.staticObjects)} on ${fmt(c.servers)} server ` +
      `instances of ${fmt(c.nodes)} nodes, ${fmt(c.staticObjects)} with static endpoints only), ` +
      `${fmt(c.endpoints)} endpoints, ${fmt(c.groupedServers)} instances IDC-grouped, ${fmt(c.setServers)} in sets; ` +
      `${fmt(ready.objects)} objects have an endpoint (the rest: standby instances only)`,
    `lookups: findObjectByIdInSameGroup of a random object from a random node (context node_name; 3 of 4 nodes in ` +
      `an IDC group), ${GOAL.clients} clients with a connection each, in one client process`,
    `${profile.rounds} round(s) of ${profile.roundMs} ms at ${GOAL.clients} in flight; ${profile.pacedRounds} of ` +
      `${profile.pacedMs} ms paced; figures are medians of the rounds, latencies in µs (lower is better)`,
    `paced: open loop, ${fmt(GOAL.rate / 1000)} lookups every 1 ms over the ${GOAL.clients} connections, latency ` +
      `from the scheduled time; the client issued bursts late by p50 ${fmt(median(us(out.paced, (w) =>
        w.lag?.p50)))} µs, p99 ${fmt(median(us(out.paced, (w) => w.lag?.p99)))} µs (counted in the latencies); ` +
      `max latency ${fmt(Math.max(...us(out.paced, (w) => w.lat?.max)))} µs`,
    `goal (p99 < ${fmt(GOAL.p99Us)} µs at ${fmt(GOAL.rate)}/s): ${goalOk ? 'met' : 'MISSED'} (p99 ` +
      `${fmt(p99)} µs, rounds ${us(out.paced, (w) => w.lat?.p99).map((x) => fmt(x)).join(', ')})`,
    `inside the registry during the paced windows: event-loop delay p99 ${fmt(median(us(out.paced, (w) =>
      w.loopDelayUs?.p99)))} µs, max ${fmt(Math.max(...us(out.paced, (w) => w.loopDelayUs?.max)))} µs; GC ` +
      `${fmt(median(us(out.paced, (w) => w.gc?.count)))} pauses per window, ${fmt(median(us(out.paced, (w) =>
        w.gc?.ms)), 1)} ms in all, longest ${fmt(Math.max(...us(out.paced, (w) => w.gc?.maxMs)), 1)} ms`,
    `CPU per lookup at ${GOAL.clients} in flight: ${split(closed)}; at ${fmt(GOAL.rate)}/s: ${split(out.paced)}`,
    `snapshot: built in ${ready.buildMs.map((x) => fmt(x, 1)).join(', ')} ms (RegistrySnapshot.build of the rows); ` +
      `the first refresh (loadRows + build) ${fmt(ready.refreshMs, 1)} ms. Every write that changes an answer rebuilds ` +
      'it, on the event loop: lookups wait for it; a live node\'s heart-beat only moves its deadline',
    `heart-beats: ${CHURN_PER_SEC}/s (RegistryService.keepAlive, what Registry.keepAlive runs) during the paced run ` +
      `gave ${out.churnReport?.refreshes ?? 0} heart-beats, each awaited for p50 ${fmt(out.churnReport?.refreshMs?.p50, 1)}` +
      ` ms, max ${fmt(out.churnReport?.refreshMs?.max, 1)} ms; lookups/s ${fmt(median(out.churn.map((w) =>
        w.rate)))}, registry busy ${fmt(median(out.churn.map((w) => w.registryCpuShare)) * 100)}% of a CPU`,
    `registry memory: RSS ${fmt(ready.baseline.rss / MiB)} MiB at start, ${fmt(ready.mem.rss / MiB)} MiB after ` +
      `loading (heap used ${fmt(ready.mem.heapUsed / MiB)} of ${fmt(ready.mem.heapTotal / MiB)} MiB), ` +
      `${fmt(memAfter.rss / MiB)} MiB after the runs (heap used ${fmt(memAfter.heapUsed / MiB)} of ` +
      `${fmt(memAfter.heapTotal / MiB)} MiB)${ready.mem.gc ? ', each after a full GC' : ''}`,
    ...(foreign.length ? [`other load during the windows: median ${fmt(median(foreign) * 100)}% of a CPU, max ` +
      `${fmt(Math.max(...foreign) * 100)}%; ${busy} of ${foreign.length} windows above ${BUSY * 100}%` +
      (busy ? ' (figures skewed: rerun on an idle machine)' : '') +
      (quiet.waitedMs ? `; waited ${fmt(quiet.waitedMs / 1000, 1)} s for quiet` : '')] : []),
    ...(lost ? [`${lost} lookups failed or were dropped (last error: ${windows.find((w) => w.lastError)?.lastError ??
      '-'})`] : []),
  ];
  return {rows, notes, info: {profile, goal: GOAL, churnPerSec: CHURN_PER_SEC, counts: c, buildMs: ready.buildMs,
    refreshMs: ready.refreshMs, memory: {start: ready.baseline, loaded: ready.mem, after: memAfter},
    cpus: os.cpus().length, windows: {closed: out.closed, paced: out.paced, churn: out.churn},
    churn: out.churnReport}};
}
