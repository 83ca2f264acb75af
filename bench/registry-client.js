#!/usr/bin/env node
// Client process of the registry benchmark: node bench/registry-client.js <ours|theirs> <port> [--clients N]
//
// N clients (default 16), each with its own communicator and so its own connection to the registry at
// 127.0.0.1:<port>, asking QueryF.findObjectByIdInSameGroup for random objects of the data set (registry-data.js),
// each call from a random node of the data set (context node_name = the node's IP, as TARS clients send it; a
// quarter of the nodes are in no IDC group, so both the group path and the no-group path are taken).
//   ours    @tars-ts/core (core/dist): a Communicator per client, QueryF.QueryFProxy from @tars-ts/core/framework
//   theirs  @tars/rpc 2.0.15: a Communicator per client, @tars/registry's generated QueryFProxy
//
// Commands on stdin, answers on stdout (see rpc-common.js):
//   {"cmd":"check"}   a lookup of a sample of objects; each must answer ret 0 with endpoints -> {"ev":"checked"}
//   {"cmd":"start","mode":"closed"}        every client keeps 1 call in flight (N in flight in total) until stop
//   {"cmd":"start","mode":"paced","rate":R,"slotMs":S}
//       open loop: R lookups a second, issued in bursts every S ms (R*S/1000 per burst, spread over the clients in
//       turn; a worker thread keeps time) whether or not earlier ones have answered; a call's latency runs from its burst's scheduled time, so
//       queueing in the registry (or in this process) shows. At most 20,000 calls are outstanding; later ones are
//       counted as dropped.
//   {"cmd":"mark"} -> {"ev":"mark","calls","errors","dropped","t" (ns),"cpu":{user,system} (µs),
//                      "lat":{p50,p99,p999,max,n} (µs, calls completed since the previous mark),
//                      "lag":{p50,p99,max} (µs, paced: how late bursts were issued against their schedule)}
//   {"cmd":"stop"} -> {"ev":"stopped","errors","lastError"} once every call has completed
// Exits when stdin ends.

import {createRequire} from 'node:module';
import {parseArgs} from 'node:util';
import {Worker} from 'node:worker_threads';

import {makeDataSet, prng} from './registry-data.js';
import {cpuNow, emit, serveCommands} from './rpc-common.js';

const {values: opts, positionals} = parseArgs({allowPositionals: true,
  options: {clients: {type: 'string', default: '16'}}});
const [impl, portText] = positionals;
const port = Number(portText);
const CLIENTS = Number(opts.clients);
const QUERY_OBJ = 'tars.tarsregistry.QueryObj';
const OBJ = `${QUERY_OBJ}@tcp -h 127.0.0.1 -p ${port} -t 60000`;
const TIMEOUT_MS = 60000;
const MAX_OUTSTANDING = 20000;

if (!['ours', 'theirs'].includes(impl) || !(port > 0) || !(CLIENTS > 0)) {
  process.stderr.write('usage: node bench/registry-client.js <ours|theirs> <port> [--clients N]\n');
  process.exit(2);
}

const {objects, callers} = makeDataSet();

/**
 * One lookup function per client: (objectName, callerIndex) => Promise<number of endpoints>. The per-caller call
 * options are built once, as a client with a fixed node name would have them.
 */
async function makeClients() {
  if (impl === 'ours') {
    const {Communicator} = await import('@tars-ts/core');
    const {QueryF} = await import('@tars-ts/core/framework');
    const options = callers.map((ip) => ({context: {node_name: ip}}));
    return Array.from({length: CLIENTS}, () => {
      const comm = new Communicator();
      comm.setProperty('sync-invoke-timeout', TIMEOUT_MS);
      const prx = comm.stringToProxy(QueryF.QueryFProxy, OBJ);
      return async (id, caller) => {
        const r = await prx.findObjectByIdInSameGroup(id, options[caller]);
        if (r.ret !== 0) throw new Error(`ret ${r.ret}`);
        return r.activeEp.length + r.inactiveEp.length;
      };
    });
  }
  const require = createRequire(import.meta.url);
  // @tars/rpc's modules require each other in a cycle; Node warns about it while they load (not ours to fix).
  const emitWarning = process.emitWarning;
  process.emitWarning = () => {};
  let TarsRpc;
  try {
    TarsRpc = require('@tars/rpc');
  } finally {
    process.emitWarning = emitWarning;
  }
  const {QueryFProxy} = require('@tars/registry/QueryFProxy.js').tars;
  const options = callers.map((ip) => ({context: {node_name: ip}}));
  return Array.from({length: CLIENTS}, () => {
    const comm = new TarsRpc.Communicator();
    comm.setProperty('timeout', TIMEOUT_MS);
    const prx = comm.stringToProxy(QueryFProxy, OBJ);
    prx.setTimeout(TIMEOUT_MS);
    return async (id, caller) => {
      const r = await prx.findObjectByIdInSameGroup(id, options[caller]);
      if (r.response.return !== 0) throw new Error(`ret ${r.response.return}`);
      return r.response.arguments.activeEp.value.length + r.response.arguments.inactiveEp.value.length;
    };
  });
}

const clients = await makeClients();

// ---- load -------------------------------------------------------------------------------------------------------

const rnd = prng(process.pid);
const randomObject = () => objects[Math.floor(rnd() * objects.length)];
const randomCaller = () => Math.floor(rnd() * callers.length);

const state = {running: false, calls: 0, errors: 0, dropped: 0, outstanding: 0, lastError: '', lat: [], lag: [],
  workers: [], metronome: undefined, drained: undefined};

function failed(error) {
  state.errors++;
  state.lastError = String(error?.message ?? error?.response?.error?.message ?? error);
}

async function closedWorker(lookup) {
  const lat = state.lat;
  while (state.running) {
    const t0 = performance.now();
    try {
      await lookup(randomObject(), randomCaller());
      lat.push((performance.now() - t0) * 1000);
      state.calls++;
    } catch (error) {
      failed(error);
    }
  }
}

/**
 * The open loop's clock: a worker thread that sleeps until each slot's time (Atomics.wait, which has sub-millisecond
 * resolution, unlike timers: setTimeout rounds to whole milliseconds of the event loop's clock, and issued bursts up
 * to 1.5 ms late) and then wakes this thread with a message. It posts the slot number; this thread issues every slot
 * whose time has come, so a late wake-up (this thread busy) is still counted from the schedule.
 */
const METRONOME = `
const {parentPort, workerData} = require('node:worker_threads');
const {flag, t0, slotMs} = workerData; // t0: absolute ms (timeOrigin + now)
const origin = performance.timeOrigin;
for (let slot = 0; Atomics.load(flag, 0) === 0; slot++) {
  const wait = t0 + slot * slotMs - (origin + performance.now());
  if (wait > 0) Atomics.wait(flag, 0, 0, wait);
  if (Atomics.load(flag, 0) !== 0) break;
  parentPort.postMessage(slot);
}
`;

/** Open loop: bursts on a schedule fixed at start, issued when the metronome says their time has come. */
function startPaced(rate, slotMs) {
  const perSlot = (rate * slotMs) / 1000;
  const t0 = performance.now();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  let slot = 0;
  let owed = 0;
  let next = 0;
  const tick = () => {
    const now = performance.now();
    // Every slot whose time has come, each with its own scheduled time.
    while (t0 + slot * slotMs <= now) {
      const scheduled = t0 + slot * slotMs;
      state.lag.push((now - scheduled) * 1000);
      owed += perSlot;
      for (; owed >= 1; owed--) {
        if (state.outstanding >= MAX_OUTSTANDING) {
          state.dropped++;
          continue;
        }
        state.outstanding++;
        const lookup = clients[next++ % clients.length];
        lookup(randomObject(), randomCaller()).then(() => {
          state.lat.push((performance.now() - scheduled) * 1000);
          state.calls++;
          settled();
        }, (error) => {
          failed(error);
          settled();
        });
      }
      slot++;
    }
  };
  const worker = new Worker(METRONOME, {eval: true,
    workerData: {flag, t0: performance.timeOrigin + t0, slotMs}});
  worker.on('message', () => {
    if (state.running) tick();
  });
  worker.on('error', failed);
  state.metronome = {
    stop: () => {
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      return new Promise((resolve) => {
        worker.once('exit', resolve);
      });
    },
  };
}

function settled() {
  if (--state.outstanding === 0 && state.drained) {
    state.drained();
    state.drained = undefined;
  }
}

function start(command) {
  state.running = true;
  state.calls = 0;
  state.errors = 0;
  state.dropped = 0;
  state.lat.length = 0;
  state.lag.length = 0;
  state.workers = [];
  if (command.mode === 'paced') startPaced(command.rate, command.slotMs ?? 1);
  else for (const lookup of clients) state.workers.push(closedWorker(lookup));
}

async function stop() {
  state.running = false;
  await state.metronome?.stop();
  state.metronome = undefined;
  await Promise.all(state.workers);
  state.workers = [];
  if (state.outstanding > 0) await new Promise((resolve) => { state.drained = resolve; });
}

function quantiles(values, qs) {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const out = {n: sorted.length, max: sorted[sorted.length - 1]};
  for (const [name, q] of qs) out[name] = sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return out;
}

function mark() {
  const lat = quantiles(state.lat, [['p50', 0.5], ['p99', 0.99], ['p999', 0.999]]);
  const lag = quantiles(state.lag, [['p50', 0.5], ['p99', 0.99]]);
  state.lat.length = 0; // emptied in place: the closed-loop workers hold this array
  state.lag.length = 0;
  return {ev: 'mark', calls: state.calls, errors: state.errors, dropped: state.dropped, lastError: state.lastError,
    t: Number(process.hrtime.bigint()), cpu: cpuNow(), ...(lat ? {lat} : {}), ...(lag ? {lag} : {})};
}

async function check() {
  // Every client connects (and answers) before any measured window; then a sample of objects from several nodes.
  await Promise.all(clients.map((lookup, i) => lookup(objects[i], i)));
  const r = prng(7);
  let empty = 0;
  const sample = 200;
  for (let i = 0; i < sample; i++) {
    if (await clients[i % clients.length](objects[Math.floor(r() * objects.length)], i % callers.length) === 0) empty++;
  }
  // A few objects have only standby or broken instances (the registry leaves those out): rare, never most.
  if (empty > sample / 10) throw new Error(`${empty} of ${sample} lookups found no endpoint: wrong data set?`);
}

emit({ev: 'ready', pid: process.pid, clients: CLIENTS});
serveCommands(async (command) => {
  switch (command.cmd) {
    case 'check':
      await check();
      return {ev: 'checked'};
    case 'start':
      start(command);
      return {ev: 'started'};
    case 'mark':
      return mark();
    case 'stop':
      await stop();
      return {ev: 'stopped', errors: state.errors, lastError: state.lastError, dropped: state.dropped};
    default:
      throw new Error(`unknown command ${JSON.stringify(command)}`);
  }
});
