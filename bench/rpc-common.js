// Shared by the RPC benchmark's parent (rpc.js) and its child processes (rpc-server.js, rpc-client.js): the payloads,
// the line protocol between parent and children, and the generated code of rpc-echo.tars.
//
// Line protocol: the parent writes one JSON command per line on a child's stdin ({"cmd": ...}); the child answers
// each command with one JSON line on stdout ({"ev": ...}). A child exits when its stdin ends, so a parent that dies
// (even by SIGKILL) takes its children with it.

import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * TARS_BENCH_STAT=1 adds `stat`: ours with call statistics on, on both sides (each side's communicator reports to a
 * live StatF servant hosted in the server process, every second), measured in the same interleaved rounds as ours so
 * that the notes can give the on/off ratio.
 */
export const STAT = process.env.TARS_BENCH_STAT === '1';

/** ms between stat reports when `stat` runs (the default is 60 s: a report would never fall in a window). */
export const STAT_REPORT_INTERVAL = 1000;

/** The implementations compared, in table order. */
export const IMPLS = ['ours', 'theirs', 'raw', ...(STAT ? ['stat'] : [])];

/** The payloads: what each call carries (and gets back). */
export const PAYLOADS = {
  '16B': {label: '16 B', op: 'echo'},
  '16KiB': {label: '16 KiB', op: 'echoBytes'},
  struct: {label: 'struct', op: 'echoStruct'},
};

export const STRING_16 = 'tars-rpc-echo-16'; // 16 ASCII characters
if (STRING_16.length !== 16) throw new Error('STRING_16 must be 16 bytes');

export function bytes16k() {
  const b = Buffer.alloc(16 * 1024);
  for (let i = 0; i < b.length; i++) b[i] = (i * 131 + 7) & 0xff;
  return b;
}

/** The struct of the struct echo, in our representation (bench/rpc-echo.tars, BenchRpc::Item). */
export function makeItem() {
  return {
    id: 123456,
    stamp: 1700000000123n, // > 2^32: written as LONG
    name: 'benchmark-item',
    score: 98.625,
    flag: true,
    tags: [1, -2, 300, 40000, -5000000, 6, 70, 800],
    attrs: new Map([['region', 'eu-west'], ['tier', 'gold'], ['owner', 'tars'], ['zone', 'b']]),
  };
}

/** A plain, comparable form of an Item in either representation (ours or @tars/stream's). */
export function canonItem(v) {
  const tags = Array.isArray(v.tags) ? [...v.tags] : [...v.tags.value];
  const attrs = [];
  if (v.attrs instanceof Map) for (const [k, x] of v.attrs) attrs.push([k, x]);
  else v.attrs.forEach((k, x) => { attrs.push([k, x]); });
  attrs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {id: v.id, stamp: String(v.stamp), name: v.name, score: v.score, flag: Boolean(v.flag), tags, attrs};
}

/**
 * The generated module of rpc-echo.tars, compiled to JavaScript: `rpc.js` generates it (loadGenerated) and compiles
 * it (compileGenerated) before it starts any child. Children import the .js file natively, so that it and the
 * runtime share the one compiled core, as in production (through tsx the core would be loaded a second time, under
 * tsx's namespace, with its own copies of every class and buffer).
 */
export async function importGenerated() {
  return import(pathToFileURL(path.join(here, '.gen', 'rpc-echoTars.js')).href);
}

/** Compiles bench/.gen/rpc-echoTars.ts (written by loadGenerated) to rpc-echoTars.js next to it, as tsc would. */
export async function compileGenerated() {
  const {default: ts} = await import('typescript');
  const file = path.join(here, '.gen', 'rpc-echoTars.ts');
  const {outputText} = ts.transpileModule(readFileSync(file, 'utf8'), {fileName: file,
    compilerOptions: {target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext}});
  writeFileSync(file.replace(/\.ts$/, '.js'), outputText);
}

/**
 * Child side of the line protocol: calls `handler(command)` for each command line on stdin (one at a time, in
 * order) and writes what it returns as the answer. Exits when stdin ends. An exception is answered as
 * {"ev": "error"} and ends the process.
 */
export function serveCommands(handler) {
  let buffered = '';
  let chain = Promise.resolve();
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => {
    buffered += chunk;
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (!line) continue;
      const command = JSON.parse(line);
      chain = chain.then(() => handler(command)).then((answer) => emit(answer), (error) => {
        emit({ev: 'error', message: String(error?.stack ?? error)});
        process.exit(1);
      });
    }
  });
  process.stdin.on('end', () => process.exit(0));
}

/** Writes one protocol line on stdout. */
export function emit(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** CPU time of this process so far, µs (user + system), and its split. */
export function cpuNow() {
  const {user, system} = process.cpuUsage();
  return {user, system};
}

/**
 * `--trace <rate>` of rpc-server.js and rpc-client.js (the trace benchmark, trace.js): a Tracer at that sample rate
 * whose spans go through the log sink (the `_t_trace_` lines a service sends the log daemon) into a RemoteLog whose
 * send resolves at once, so that what is measured is the tracing (context, spans, lines, batching), not a daemon.
 * `install(interceptor)` adds the client side once a trace runs. Returns {tracer, remote}.
 */
export async function benchTracer(rate, moduleName, install) {
  const {LogSpanSink, RemoteLog, Tracer} = await import('@tars-ts/core');
  const remote = new RemoteLog(async () => undefined);
  const [app, server] = moduleName.split('.');
  const tracer = new Tracer({sampleRate: rate, moduleName, sinks: [new LogSpanSink(remote, app, server)],
    onActive: (t) => install(t.clientInterceptor)});
  return {tracer, remote};
}

/** What a bench tracer did so far: spans by kind, log lines taken and dropped. */
export function traceCounts(bench) {
  if (!bench) return undefined;
  const {sent, dropped} = bench.remote.stats;
  return {client: bench.tracer.counts.client, server: bench.tracer.counts.server, lines: sent, dropped};
}
