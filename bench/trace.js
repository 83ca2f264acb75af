// Call-chain tracing benchmark: what tracing costs the RPC echo of the rpc benchmark (the same server and client
// processes, rpc-server.js and rpc-client.js, of our runtime on the compiled core/dist), in four modes run in the
// same session:
//
//   off      no tracer at all (what a service with no `<server> log` and no `trace-otlp` runs)
//   idle     a tracer on both sides at sample rate 0: nothing traced (what a service with `log` set pays: the server
//            looks at each request's status map for a trace to continue)
//   1%       the client starts a trace for 1% of its calls (Tracer sampleRate 0.01), which the server continues
//   100%     every call traced: a client span and a server span per call
//
// Spans go through the log sink (each span as its two `_t_trace_` lines, as to the log daemon) into a RemoteLog whose
// send resolves at once: what is measured is the tracing (trace context on the wire, spans, lines, batching), not a
// daemon. The server's sample rate is 0 in every mode (it continues the traces its caller starts), so `1%` traces 1%
// of the calls end to end.
//
// Method, as rpc.js (harness.js's measureInterleaved times synchronous cases in one process; an RPC is asynchronous
// and spans two processes, so the interleaving is rpc.js's, by windows): one server and one client process per mode,
// 16 B string echo; per in-flight count every mode is warmed up, then measured in interleaved rounds (the order rotates every round and reverses every other one):
// start the load, settle, mark, run the round, mark, stop. Figures are medians of the rounds; the ratio of a mode is
// its calls/s over off's (and the median of the per-round ratios); CPU per call = (server + client process CPU) /
// calls over the window.
//
// Run: npm run build && node bench/run.js --filter trace [--quick] [--json] (TRACE_INFLIGHT=128: only those counts).

import {summarize} from './harness.js';
import {BUSY, Child, killOnExit, quietWindow as rpcQuietWindow, window as rpcWindow} from './rpc.js';
import {compileGenerated} from './rpc-common.js';
import {loadGenerated} from './generated.js';

export const name = 'trace';
export const description = 'RPC echo (16 B, server and client processes) with call-chain tracing off, idle, ' +
  'sampled at 1% and at 100%';

export const PROFILES = {
  full: {firstWarmupMs: 700, settleMs: 200, roundMs: 1000, rounds: 5, quietBudgetMs: 20000},
  quick: {firstWarmupMs: 300, settleMs: 50, roundMs: 250, rounds: 2, quietBudgetMs: 2000},
};

export const INFLIGHT = (process.env.TRACE_INFLIGHT ?? "1,16,128").split(",").map(Number);

/** The modes: the sample rate both processes get (--trace), or null for no tracer. */
export const MODES = {off: null, idle: 0, '1%': 0.01, '100%': 1};


function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** One server and one client of `mode`, checked by one echo. */
async function startPair(mode, live) {
  const rate = MODES[mode];
  // The server's rate is 0: it continues the traces its caller starts.
  const server = new Child('rpc-server.js', ['ours', ...(rate === null ? [] : ['--trace', 0])], `${mode} server`);
  live.add(server);
  const {port} = await server.next();
  const client = new Child('rpc-client.js', ['ours', port, '16B', ...(rate === null ? [] : ['--trace', rate])],
    `${mode} client`);
  live.add(client);
  await client.next();
  await client.request({cmd: 'check'});
  return {server, client};
}

/** One window of load (null runMs: warm-up only): rpc.js's, with the spans both processes made during it. */
async function window(pair, inflight, settleMs, runMs) {
  const w = await rpcWindow(pair, inflight, settleMs, runMs, false);
  if (w === null) return null;
  const {c0, c1, s0, s1} = w.marks;
  const spans = (a, b) => (a && b ? b.client + b.server - a.client - a.server : 0);
  return {...w, cpuNsPerCall: (w.clientCpu + w.serverCpu) * 1000,
    spans: spans(c0.trace, c1.trace) + spans(s0.trace, s1.trace),
    lines: (c1.trace?.lines ?? 0) + (s1.trace?.lines ?? 0),
    dropped: (c1.trace?.dropped ?? 0) + (s1.trace?.dropped ?? 0)};
}

const quietWindow = (pair, inflight, profile, quiet) => rpcQuietWindow(pair, inflight, profile, quiet, window);

function fmt(x, digits = 0) {
  return Number.isFinite(x) ? x.toLocaleString('en-US', {minimumFractionDigits: digits,
    maximumFractionDigits: digits}) : '-';
}

export async function run(opts = {}) {
  const profile = opts.profile ?? (opts.quick ? PROFILES.quick : PROFILES.full);
  const progress = opts.progress ?? (() => {});
  const modes = Object.keys(MODES);
  await loadGenerated('rpc-echo.tars');
  await compileGenerated();

  const live = new Set();
  const killAll = () => {
    for (const c of live) c.kill();
  };
  const release = killOnExit(killAll);
  const quiet = {budgetMs: profile.quietBudgetMs, waitedMs: 0, retried: 0};
  const measured = {};
  try {
    const pairs = {};
    for (const mode of modes) pairs[mode] = await startPair(mode, live);
    for (const mode of modes) await window(pairs[mode], 16, profile.firstWarmupMs, null);
    for (const inflight of INFLIGHT) {
      const results = Object.fromEntries(modes.map((m) => [m, []]));
      for (const mode of modes) await window(pairs[mode], inflight, profile.firstWarmupMs, null);
      for (let round = 0; round < profile.rounds; round++) {
        const rotated = modes.map((_, i) => modes[(i + round) % modes.length]);
        const order = round % 2 ? rotated.reverse() : rotated;
        for (const mode of order) results[mode].push(await quietWindow(pairs[mode], inflight, profile, quiet));
        progress(`  trace x${inflight}: round ${round + 1}/${profile.rounds}`);
      }
      measured[inflight] = results;
    }
  } finally {
    killAll();
    release();
  }

  const rows = [];
  const notes = [
    `16 B echo, ${profile.rounds} interleaved rounds of ${profile.roundMs} ms per mode and in-flight count, one ` +
      'connection; the "theirs" column is tracing off (no tracer) measured in the same rounds, ours/theirs = ' +
      'mode/off (1.00x: no cost)',
    'spans to the log sink (two _t_trace_ lines each) into a RemoteLog that sends at once; server rate 0 ' +
      '(continues the client\'s traces)',
  ];
  const detail = [['case', 'calls/s', 'ratio to off', 'paired', 'CPU ns/call', 'client', 'server', 'CPU ratio',
    'spans/call', 'dropped']];
  for (const inflight of INFLIGHT) {
    const r = measured[inflight];
    const off = r.off.map((w) => w.rate);
    const offCpu = median(r.off.map((w) => w.cpuNsPerCall));
    for (const mode of modes) {
      const rates = r[mode].map((w) => w.rate);
      const ours = summarize(rates);
      const theirs = mode === 'off' ? null : summarize(off);
      const ratio = theirs ? ours.median / theirs.median : NaN;
      const pairedRatio = theirs ? median(rates.map((x, i) => x / off[i])) : NaN;
      const cpu = median(r[mode].map((w) => w.cpuNsPerCall));
      const clientCpu = median(r[mode].map((w) => w.clientCpu * 1000));
      const serverCpu = median(r[mode].map((w) => w.serverCpu * 1000));
      const calls = r[mode].reduce((n, w) => n + w.calls, 0);
      const spans = r[mode].reduce((n, w) => n + w.spans, 0);
      const dropped = Math.max(...r[mode].map((w) => w.dropped));
      const errors = r[mode].reduce((n, w) => n + w.errors, 0);
      rows.push({case: `16 B x${inflight} ${mode}`, unit: 'calls/s', mode, inflight, ours, theirs, ratio,
        pairedRatio, target: null, cpuNsPerCall: cpu, cpuRatio: cpu / offCpu, spansPerCall: spans / calls, errors,
        dropped});
      detail.push([`x${inflight} ${mode}`, fmt(ours.median), theirs ? `${fmt(ratio, 3)}x` : '',
        theirs ? `${fmt(pairedRatio, 3)}x` : '', fmt(cpu), fmt(clientCpu), fmt(serverCpu), `${fmt(cpu / offCpu, 3)}x`, fmt(spans / calls, 4),
        fmt(dropped)]);
      if (errors) notes.push(`x${inflight} ${mode}: ${errors} failed calls`);
    }
  }
  const foreign = Object.values(measured).flatMap((byMode) => Object.values(byMode)
    .flatMap((ws) => ws.map((w) => w.foreign))).filter((x) => x !== null);
  if (foreign.length) {
    const busy = foreign.filter((x) => x > BUSY).length;
    notes.push(`other load during the windows: median ${fmt(median(foreign) * 100)}% of a CPU, max ` +
      `${fmt(Math.max(...foreign) * 100)}%; ${busy} of ${foreign.length} windows above ${BUSY * 100}%` +
      (quiet.waitedMs || quiet.retried ? `; waited ${fmt(quiet.waitedMs / 1000, 1)} s for quiet and re-ran ` +
        `${quiet.retried} window(s)` : ''));
  }
  const widths = detail[0].map((_, i) => Math.max(...detail.map((l) => l[i].length)));
  notes.push(...detail.map((l) => l.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
    .join('  ').trimEnd()));
  return {rows, notes, info: {profile, inflight: INFLIGHT, modes: MODES}};
}
