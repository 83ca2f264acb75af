#!/usr/bin/env node
// Client process of the RPC benchmark: node bench/rpc-client.js <ours|theirs|raw|stat> <port> <16B|16KiB|struct>
// [--stat-port P] (`stat`: ours reporting call statistics to the StatF servant on port P, see rpc-server.js)
// [--trace R] (ours with call-chain tracing at sample rate R: see benchTracer in rpc-common.js; trace.js)
// (TARS_BENCH_DYE=1: every call of ours dyed, to measure what a dyed request costs.)
//
// Connects to the Echo server of the same implementation on 127.0.0.1:<port> and answers the parent's commands on
// stdin with JSON lines on stdout (see rpc-common.js):
//   {"cmd":"check"}                          one call; its answer must equal what was sent -> {"ev":"checked"}
//   {"cmd":"start","inflight":N,"latency":b} keep N calls in flight until "stop" (b: time each call) -> {"ev":"started"}
//   {"cmd":"mark"}   -> {"ev":"mark","calls","errors","t" (ns),"cpu":{user,system} (µs),"lat":{p50,p99,n} (µs)}
//                       counters since start; latencies of the calls completed since the previous mark
//   {"cmd":"stop"}   -> {"ev":"stopped"} once every call in flight has completed
// Exits when stdin ends.
//
// Standalone, for profiling (node --cpu-prof bench/rpc-client.js ...):
//   node bench/rpc-client.js <impl> <port> <payload> --inflight 128 --seconds 5
// runs one second of warm-up and <seconds> of load and prints one JSON result.

import {isDeepStrictEqual, parseArgs} from 'node:util';

import {
  STAT_REPORT_INTERVAL, STRING_16, benchTracer, bytes16k, canonItem, cpuNow, emit, importGenerated, makeItem,
  serveCommands, traceCounts,
} from './rpc-common.js';

const {values: opts, positionals} = parseArgs({
  allowPositionals: true,
  options: {inflight: {type: 'string'}, seconds: {type: 'string'}, 'stat-port': {type: 'string'},
    trace: {type: 'string'}},
});
const [impl, portText, payload] = positionals;
const port = Number(portText);
const OBJ = `BenchRpc.EchoServer.EchoObj@tcp -h 127.0.0.1 -p ${port} -t 60000`;
const TIMEOUT_MS = 60000;
/** The tracer of --trace. */
let traced;

/** {call: () => Promise, check: async () => void} for the implementation and payload. */
async function makeCaller() {
  if (impl === 'ours' || impl === 'stat') {
    const {Communicator} = await import('@tars-ts/core');
    const {EchoProxy} = await importGenerated();
    const comm = new Communicator(impl === 'stat' ? {modulename: 'BenchRpc.Client', reportInterval: STAT_REPORT_INTERVAL,
      stat: `tars.tarsstat.StatObj@tcp -h 127.0.0.1 -p ${opts['stat-port']} -t 600000`} : {});
    comm.setProperty('sync-invoke-timeout', TIMEOUT_MS);
    // TARS_BENCH_INTERCEPTORS=N: N pass-through interceptors around every call, to measure what the chain costs.
    for (let i = 0; i < Number(process.env.TARS_BENCH_INTERCEPTORS ?? 0); i++) comm.use((call, next) => next(call));
    if (opts.trace !== undefined) {
      traced = await benchTracer(Number(opts.trace), 'BenchRpc.Client', (interceptor) => comm.use(interceptor));
    }
    const prx = comm.stringToProxy(EchoProxy, OBJ);
    // TARS_BENCH_DYE=1: every call of ours dyed (STATUS_DYED_KEY), to measure what a dyed request costs the server
    // (its async context and its dye-log line; the bench server has no logpath and no log object, so the line is
    // made and not written).
    const o = process.env.TARS_BENCH_DYE === '1' ? {dyeKey: 'bench'} : undefined;
    if (payload === '16B') {
      return {call: () => prx.echo(STRING_16, o), check: async () => same((await prx.echo(STRING_16, o)).ret, STRING_16)};
    }
    if (payload === '16KiB') {
      const b = new Uint8Array(bytes16k());
      return {call: () => prx.echoBytes(b, o),
        check: async () => same(Buffer.from((await prx.echoBytes(b, o)).ret).equals(b), true)};
    }
    const item = makeItem();
    return {call: () => prx.echoStruct(item, o),
      check: async () => same(canonItem((await prx.echoStruct(item, o)).ret), canonItem(item))};
  }
  if (impl === 'theirs') {
    const {BenchRpc, TarsRpc, TarsStream, toTheirsItem} = await import('./rpc-theirs.js');
    const prx = TarsRpc.client.stringToProxy(BenchRpc.EchoProxy, OBJ);
    prx.setTimeout(TIMEOUT_MS);
    if (payload === '16B') {
      return {call: () => prx.echo(STRING_16),
        check: async () => same((await prx.echo(STRING_16)).response.return, STRING_16)};
    }
    if (payload === '16KiB') {
      const raw = bytes16k();
      const b = new TarsStream.BinBuffer();
      b.writeNodeBuffer(raw);
      return {call: () => prx.echoBytes(b),
        check: async () => same((await prx.echoBytes(b)).response.return.toNodeBuffer().equals(raw), true)};
    }
    const item = makeItem();
    const theirs = toTheirsItem(item);
    return {call: () => prx.echoStruct(theirs),
      check: async () => same(canonItem((await prx.echoStruct(theirs)).response.return), canonItem(item))};
  }
  if (impl === 'raw') {
    const {connectRaw} = await import('./rpc-raw.js');
    const conn = await connectRaw(port);
    let bytes;
    if (payload === '16B') bytes = Buffer.from(STRING_16);
    else if (payload === '16KiB') bytes = bytes16k();
    else bytes = Buffer.from((await importGenerated()).Item.encode(makeItem())); // the struct's encoded bytes
    return {call: () => conn.call(bytes),
      check: async () => same(Buffer.from((await conn.call(bytes)).subarray(4)).equals(bytes), true)};
  }
  throw new Error(`unknown implementation ${impl}`);
}

function same(actual, expected) {
  if (!isDeepStrictEqual(actual, expected)) {
    throw new Error(`echo mismatch (${impl}, ${payload}):\n  sent ${JSON.stringify(expected)}\n  got  ` +
      JSON.stringify(actual));
  }
}

// ---- load -------------------------------------------------------------------------------------------------------

const state = {running: false, calls: 0, errors: 0, lastError: '', latencies: [], workers: []};

async function worker(call) {
  while (state.running) {
    try {
      await call();
      state.calls++;
    } catch (error) {
      state.errors++;
      state.lastError = String(error?.message ?? error?.response?.error?.message ?? error);
    }
  }
}

async function timedWorker(call) {
  const lat = state.latencies;
  while (state.running) {
    const t0 = performance.now();
    try {
      await call();
      lat.push((performance.now() - t0) * 1000);
      state.calls++;
    } catch (error) {
      state.errors++;
      state.lastError = String(error?.message ?? error?.response?.error?.message ?? error);
    }
  }
}

function start(call, inflight, latency) {
  state.running = true;
  state.calls = 0;
  state.errors = 0;
  state.latencies.length = 0;
  state.workers = [];
  for (let i = 0; i < inflight; i++) state.workers.push(latency ? timedWorker(call) : worker(call));
}

async function stop() {
  state.running = false;
  await Promise.all(state.workers);
  state.workers = [];
}

function quantiles(values) {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return {p50: at(0.5), p99: at(0.99), n: sorted.length};
}

function mark() {
  const lat = quantiles(state.latencies);
  state.latencies.length = 0;
  return {ev: 'mark', calls: state.calls, errors: state.errors, lastError: state.lastError,
    t: Number(process.hrtime.bigint()), cpu: cpuNow(), ...(lat ? {lat} : {}),
    ...(traced ? {trace: traceCounts(traced)} : {})};
}

// ---- main -------------------------------------------------------------------------------------------------------

if (!['ours', 'theirs', 'raw', 'stat'].includes(impl) || !(port > 0) || !['16B', '16KiB', 'struct'].includes(payload) ||
  (impl === 'stat' && !(Number(opts['stat-port']) > 0))) {
  process.stderr.write('usage: node bench/rpc-client.js <ours|theirs|raw|stat> <port> <16B|16KiB|struct> ' +
    '[--stat-port P] [--inflight N --seconds S]\n');
  process.exit(2);
}

const {call, check} = await makeCaller();

if (opts.seconds) {
  const inflight = Number(opts.inflight ?? 128);
  await check();
  start(call, inflight, inflight === 1);
  await new Promise((r) => setTimeout(r, 1000));
  const a = mark();
  await new Promise((r) => setTimeout(r, Number(opts.seconds) * 1000));
  const b = mark();
  await stop();
  const calls = b.calls - a.calls;
  const cpu = b.cpu.user + b.cpu.system - a.cpu.user - a.cpu.system;
  emit({impl, payload, inflight, callsPerSec: calls / ((b.t - a.t) / 1e9), clientCpuUsPerCall: cpu / calls,
    errors: b.errors, lastError: b.lastError, ...(b.lat ? {lat: b.lat} : {})});
  process.exit(0);
} else {
  emit({ev: 'ready', pid: process.pid});
  serveCommands(async (command) => {
    switch (command.cmd) {
      case 'check':
        await check();
        return {ev: 'checked'};
      case 'start':
        start(call, command.inflight, Boolean(command.latency));
        return {ev: 'started'};
      case 'mark':
        return mark();
      case 'stop':
        await stop();
        return {ev: 'stopped', errors: state.errors, lastError: state.lastError};
      default:
        throw new Error(`unknown command ${JSON.stringify(command)}`);
    }
  });
}
