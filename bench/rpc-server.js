#!/usr/bin/env node
// Server process of the RPC benchmark: node bench/rpc-server.js <ours|theirs|raw|stat> [--standalone] [--trace R]
// (--trace R: ours with call-chain tracing at sample rate R, spans to a log sink that sends at once; trace.js.)
// (TARS_BENCH_INTERCEPTORS=N: ours with N pass-through server interceptors; rpc-client.js takes it too.)
// `stat` is ours reporting call statistics: this process also hosts a StatF servant (tars.tarsstat.StatObj, on its
// own ephemeral port, given as statPort in the ready line) that the server and the client report to.
//
// Starts an Echo server of the given implementation on an ephemeral loopback port and prints {"ev":"ready","port"}.
// Then answers the parent's commands on stdin (see rpc-common.js): {"cmd":"mark"} -> {"ev":"mark","cpu":{user,system}}
// (this process's CPU time so far, µs). Exits when stdin ends. With --standalone it ignores stdin and runs until
// SIGINT/SIGTERM, exiting normally (so that `node --cpu-prof` writes its profile).
//
//   ours    Application (core/dist) hosting a servant derived from the generated EchoServant
//   theirs  @tars/rpc server.createServer() + start(BindAdapterOption) with the tars2node-style EchoImp
//   raw     plain net echo of length-prefixed frames

import {STAT_REPORT_INTERVAL, benchTracer, cpuNow, emit, importGenerated, serveCommands, traceCounts} from
  './rpc-common.js';

const impl = process.argv[2];
const standalone = process.argv.includes('--standalone');
const traceAt = process.argv.indexOf('--trace');
const traceRate = traceAt > 0 ? Number(process.argv[traceAt + 1]) : undefined;
/** The tracer of --trace. */
let traced;

/** The live stat daemon of the `stat` implementation: a StatF servant that counts what it receives. */
async function startStatServant() {
  const {Application, Logger} = await import('@tars-ts/core');
  const {StatF} = await import('@tars-ts/core/framework');
  const received = {reports: 0, calls: 0};
  class StatImp extends StatF.StatFServant {
    reportMicMsg(msg) {
      received.reports++;
      for (const body of msg.values()) received.calls += body.count + body.timeoutCount + body.execCount;
      return {ret: 0};
    }

    reportSampleMsg() {
      return {ret: 0};
    }
  }
  const app = Application.fromOptions({app: 'tars', server: 'tarsstat', logger: new Logger('NONE'),
    adapters: [{servant: 'tars.tarsstat.StatObj', endpoint: 'tcp -h 127.0.0.1 -p 0 -t 600000'}]});
  app.addServant(new StatImp(), 'tars.tarsstat.StatObj');
  await app.start();
  return {port: app.servantAdapters[0].endpoint.port, received};
}

let statServant;

async function startOurs(withStat = false) {
  const {Application} = await import('@tars-ts/core');
  if (withStat) statServant = await startStatServant();
  const client = withStat ? `
    <client>
      stat = tars.tarsstat.StatObj@tcp -h 127.0.0.1 -p ${statServant.port} -t 600000
      report-interval = ${STAT_REPORT_INTERVAL}
    </client>` : '';
  const {EchoServant} = await importGenerated();
  class EchoImp extends EchoServant {
    echo(s) {
      return {ret: s};
    }

    echoBytes(b) {
      return {ret: b};
    }

    echoStruct(i) {
      return {ret: i};
    }
  }
  const app = Application.fromText(`<tars>
  <application>${client}
    <server>
      app = BenchRpc
      server = EchoServer
      loglevel = NONE
      <EchoAdapter>
        endpoint = tcp -h 127.0.0.1 -p 0 -t 600000
        servant = BenchRpc.EchoServer.EchoObj
        maxconns = 16
      </EchoAdapter>
    </server>
  </application>
</tars>
`, {graceMs: 100});
  app.addServant(new EchoImp(), 'BenchRpc.EchoServer.EchoObj');
  // TARS_BENCH_INTERCEPTORS=N: N pass-through interceptors around every call, to measure what the chain costs.
  for (let i = 0; i < Number(process.env.TARS_BENCH_INTERCEPTORS ?? 0); i++) app.use((_ctx, next) => next());
  if (traceRate !== undefined) {
    traced = await benchTracer(traceRate, 'BenchRpc.EchoServer', (interceptor) => app.communicator.use(interceptor));
    app.dispatcher.traceWith(traced.tracer);
  }
  await app.start();
  return app.servantAdapters[0].endpoint.port;
}

async function startTheirs() {
  const {BenchRpc, TarsRpc} = await import('./rpc-theirs.js');
  const server = TarsRpc.server;
  const option = new server.BindAdapterOption();
  option.endpoint = 'tcp -h 127.0.0.1 -p 0 -t 600000';
  option.name = 'BenchRpc.EchoServer.EchoObjAdapter';
  option.servant = 'BenchRpc.EchoServer.EchoObj';
  option.handleImp = BenchRpc.EchoImp;
  option.maxconns = 16;
  const svr = server.createServer();
  svr.start(option);
  // start() gives no listen callback: wait on the adapter's listener (the only way to learn an ephemeral port).
  const listener = svr._adapters[0]._netthread._listener;
  if (!listener.listening) {
    await new Promise((resolve, reject) => {
      listener.once('listening', resolve);
      listener.once('error', reject);
    });
  }
  return listener.address().port;
}

async function startRaw() {
  const {startRawServer} = await import('./rpc-raw.js');
  const server = await startRawServer();
  return server.address().port;
}

const starters = {ours: () => startOurs(), theirs: startTheirs, raw: startRaw, stat: () => startOurs(true)};
if (!starters[impl]) {
  process.stderr.write('usage: node bench/rpc-server.js <ours|theirs|raw|stat> [--standalone]\n');
  process.exit(2);
}

const port = await starters[impl]();
emit({ev: 'ready', port, pid: process.pid, ...(statServant ? {statPort: statServant.port} : {})});
if (standalone) {
  process.on('SIGINT', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
} else {
  serveCommands((command) => {
    if (command.cmd === 'mark') {
      return {ev: 'mark', cpu: cpuNow(), ...(statServant ? {stat: statServant.received} : {}),
        ...(traced ? {trace: traceCounts(traced)} : {})};
    }
    throw new Error(`unknown command ${JSON.stringify(command)}`);
  });
}
