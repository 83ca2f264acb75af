#!/usr/bin/env node
// Probe of what a client's tracing costs, piece by piece (not part of run.js): one client process, 128 calls in
// flight of the 16 B echo for 2 s after 1 s of warm-up, against a server started by hand:
//
//   node bench/rpc-server.js ours --standalone &      # prints {"ev":"ready","port":P}
//   node bench/trace-probe.js P <mode>                # one line: calls/s and client CPU µs per call
//
// Modes: plain (no tracer); interceptor (a pass-through async client interceptor); als (an AsyncLocalStorage
// entered once, so that Node 20's promise hooks run); nosink<R> (a Tracer at rate R, no sink); count<R> (a sink that
// counts); lines<R> (a sink that makes the span's _t_trace_ lines and drops them); remote<R> (a sink that writes one
// constant line to a RemoteLog); rate<R> (the log sink into a RemoteLog that sends at once, as trace.js). Run each
// mode in its own process (enabling AsyncLocalStorage is for the life of the process); compare the CPU column.
// PROBE_SECONDS=S measures S seconds instead of 2.
import {AsyncLocalStorage} from 'node:async_hooks';

import {importGenerated} from './rpc-common.js';

const [port, mode = 'plain'] = process.argv.slice(2);
const core = await import('@tars-ts/core');
const {EchoProxy} = await importGenerated();
const comm = new core.Communicator({});
const rate = Number(mode.replace(/^[a-z]+/, ''));
if (mode === 'interceptor') comm.use(async (call, next) => next(call));
if (mode === 'als') new AsyncLocalStorage().run({}, () => {});
const remote = new core.RemoteLog(async () => undefined);
const target = {kind: 'logger', app: 'BenchRpc', server: 'Client', file: 'probe', format: ''};
let folded = 0;
const sinks = {
  nosink: [],
  count: [{add() { folded++; }}],
  lines: [{add(s) { folded ^= core.spanLines(s)[0].length; }}],
  remote: [{add() { remote.write(target, 'x'.repeat(150)); }}],
  rate: [new core.LogSpanSink(remote, 'BenchRpc', 'Client')],
}[mode.replace(/[0-9.]+$/, '')];
if (sinks) {
  new core.Tracer({sampleRate: rate, moduleName: 'BenchRpc.Client', sinks,
    onActive: (t) => comm.use(t.clientInterceptor)});
}
const prx = comm.stringToProxy(EchoProxy, `BenchRpc.EchoServer.EchoObj@tcp -h 127.0.0.1 -p ${port} -t 60000`);
let calls = 0;
let running = true;
const worker = async () => {
  while (running) {
    await prx.echo('tars-rpc-echo-16');
    calls++;
  }
};
const workers = Array.from({length: 128}, worker);
await new Promise((r) => setTimeout(r, 1000));
const c0 = calls;
const t0 = performance.now();
const u0 = process.cpuUsage();
await new Promise((r) => setTimeout(r, Number(process.env.PROBE_SECONDS ?? 2) * 1000));
const u = process.cpuUsage(u0);
const n = calls - c0;
const s = (performance.now() - t0) / 1000;
running = false;
await Promise.all(workers);
console.log(`${mode.padEnd(16)} ${String(Math.round(n / s)).padStart(8)} calls/s ${((u.user + u.system) / n).toFixed(2)} ` +
  `µs client CPU/call${folded < 0 ? ' ' : ''}`);
process.exit(0);
