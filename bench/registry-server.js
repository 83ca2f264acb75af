#!/usr/bin/env node
// Registry process of the registry benchmark: node [--expose-gc] bench/registry-server.js [--builds N] [--standalone]
//
// Loads the data set of registry-data.js (10,000 objects) into a MemoryRegistryRepository, builds the snapshot
// through RegistryService.refresh() (timed), times N more RegistrySnapshot.build of the same rows, then hosts our
// QueryObj (QueryServant over the service) in a core Application on 127.0.0.1:0 and prints
//   {"ev":"ready","port","pid","refreshMs","buildMs":[...],"objects","counts","mem":{rss,heapUsed,...}}
// (mem after a full GC when run with --expose-gc). Then answers the parent's commands (see rpc-common.js):
//   {"cmd":"mark"}              -> {"ev":"mark","cpu":{user,system} (µs),"rss","loopDelayUs":{p50,p99,max},
//                                   "gc":{count,ms,maxMs}} (event-loop delay and GC pauses since the last mark)
//   {"cmd":"mem"}               -> {"ev":"mem","mem":{...}} after a full GC (with --expose-gc)
//   {"cmd":"churn","perSec":N}  -> a node heart-beat (RegistryService.keepAlive, what Registry.keepAlive runs, as our
//                                  RegistryObj does it) N times a second from here on, 0 to stop; answers
//                                  {"ev":"churn","refreshes","refreshMs":{p50,max}} for the churn so far
// Exits when stdin ends. With --standalone it ignores stdin and runs until SIGINT/SIGTERM (for node --cpu-prof).
//
// Runs on the compiled packages (core/dist, src/plugins/registry/dist): build first.

import {PerformanceObserver, monitorEventLoopDelay} from 'node:perf_hooks';
import {parseArgs} from 'node:util';

import {Application} from '@tars-ts/core';
import {
  MemoryRegistryRepository, QUERY_OBJ, QueryServant, RegistryService, RegistrySnapshot, adapterRow, serverRow,
} from '@tars-ts/plugin-registry';

import {makeDataSet} from './registry-data.js';
import {cpuNow, emit, serveCommands} from './rpc-common.js';

const {values: opts} = parseArgs({options: {builds: {type: 'string', default: '5'},
  standalone: {type: 'boolean', default: false}}});

function mem() {
  globalThis.gc?.();
  const m = process.memoryUsage();
  return {rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external,
    arrayBuffers: m.arrayBuffers, gc: typeof globalThis.gc === 'function'};
}

const baseline = mem();
const now = Date.now();
const data = makeDataSet({now, rowHelpers: {serverRow, adapterRow}});
const repo = new MemoryRegistryRepository(data.rows);
const service = new RegistryService(repo);
let t0 = performance.now();
const snapshot = await service.refresh();
const refreshMs = performance.now() - t0;
const buildMs = [];
for (let i = 0; i < Number(opts.builds); i++) {
  t0 = performance.now();
  RegistrySnapshot.build(data.rows, {now});
  buildMs.push(performance.now() - t0);
}

const app = Application.fromOptions({app: 'tars', server: 'tarsregistry', loglevel: 'NONE', graceMs: 100,
  adapters: [{servant: QUERY_OBJ, endpoint: 'tcp -h 127.0.0.1 -p 0 -t 600000'}]});
app.addServant(new QueryServant(() => service.snapshot()), QUERY_OBJ);
await app.start();

// What holds requests up inside this process: event-loop delay (sampled every 2 ms) and GC pauses, since the last mark.
const loopDelay = monitorEventLoopDelay({resolution: 2});
loopDelay.enable();
const gc = {count: 0, ms: 0, maxMs: 0};
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gc.count++;
    gc.ms += e.duration;
    gc.maxMs = Math.max(gc.maxMs, e.duration);
  }
}).observe({entryTypes: ['gc']});

function stalls() {
  const out = {loopDelayUs: {p50: loopDelay.percentile(50) / 1000, p99: loopDelay.percentile(99) / 1000,
    max: loopDelay.max / 1000}, gc: {...gc}};
  loopDelay.reset();
  Object.assign(gc, {count: 0, ms: 0, maxMs: 0});
  return out;
}

emit({ev: 'ready', port: app.servantAdapters[0].endpoint.port, pid: process.pid, refreshMs, buildMs,
  objects: snapshot.objectNames.length, counts: data.counts, baseline, mem: mem()});

// ---- churn: node heart-beats while lookups run ------------------------------------------------------------------

const churn = {timer: undefined, refreshes: 0, ms: [], next: 0};
// Heart-beats of live nodes, the steady state of a cluster: the few dead nodes of the data set stay dead (a node
// coming back changes answers and rebuilds the snapshot: that cost is the 'snapshot build' row).
const beating = data.rows.nodes.filter((n) => n.lastHeartbeat > now - 250_000).map((n) => n.nodeName);

function setChurn(perSec) {
  clearInterval(churn.timer);
  churn.timer = undefined;
  churn.refreshes = 0;
  churn.ms = [];
  if (!(perSec > 0)) return;
  const load = {avg1: 0.5, avg5: 0.5, avg15: 0.5};
  churn.timer = setInterval(async () => {
    const node = beating[churn.next++ % beating.length];
    const t = performance.now();
    await service.keepAlive(node, load); // what Registry.keepAlive does: the repository write, then the model
    churn.ms.push(performance.now() - t);
    churn.refreshes++;
  }, Math.max(1, Math.round(1000 / perSec)));
}

function churnReport() {
  const s = [...churn.ms].sort((a, b) => a - b);
  return {ev: 'churn', refreshes: churn.refreshes,
    refreshMs: s.length ? {p50: s[Math.floor(s.length / 2)], max: s[s.length - 1]} : null};
}

if (opts.standalone) {
  const bye = () => {
    setChurn(0);
    app.close().then(() => process.exit(0));
  };
  process.on('SIGINT', bye);
  process.on('SIGTERM', bye);
} else {
  serveCommands((command) => {
    switch (command.cmd) {
      case 'mark':
        return {ev: 'mark', cpu: cpuNow(), rss: process.memoryUsage.rss(), ...stalls()};
      case 'mem':
        return {ev: 'mem', mem: mem()};
      case 'churn': {
        const report = churnReport();
        setChurn(command.perSec);
        return report;
      }
      default:
        throw new Error(`unknown command ${JSON.stringify(command)}`);
    }
  });
}
