// Call chains end to end: the log daemon as a process (`tars log start`), three servers built with core's Application
// whose config sends their spans there (`<server> log`, `trace-rate = 1`), A relaying to B relaying to C, and a
// traced client; one call into A, then `tars trace list` and `tars trace show` read the chain back through the
// daemon's LogQueryObj: six spans, each the child of the one before, times nesting, and a failure in C marked in
// every span up the chain. Also the commands' one-line errors for bad input.
import {expect} from 'chai';
import {mkdtempSync, readdirSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {Application, Communicator, ReturnCode, Servant, T, TarsReturnCodeError} from '@tars-ts/core';
import {LogQuery} from '@tars-ts/core/framework';
import {readCallChains, traceSpansJson} from '@tars-ts/kit';

import type {TraceListJson} from '../src/commands/trace/list.js';
import type {TraceShowJson} from '../src/commands/trace/show.js';
import {tars, tarsJson} from '../../../../test/support/cli-daemon.js';
import {EchoProxy} from '../../../../test/support/echo-service.js';
import {type TestServer, startServer, testConfig} from '../../../../test/support/test-server.js';
import {until} from '../../../../test/support/wait.js';
import {type StartedLog, startLogProcess, stopChild} from './support.js';

const ECHO = {name: 'EchoHello', ret: T.int, params: [{name: 'req', tag: 1, type: T.string, out: false},
  {name: 'resp', tag: 2, type: T.string, out: true}]};

/** One hop of the chain (EchoProxy's interface): calls the next hop when there is one; the last fails on "fail". */
class Hop extends Servant {
  static override readonly $interface = {name: 'Test.Echo', operations: [ECHO]};
  next?: EchoProxy;
  async EchoHello(req: string): Promise<{ret: number; resp: string}> {
    if (this.next) return this.next.EchoHello(req);
    if (req === 'fail') throw new TarsReturnCodeError(ReturnCode.TARSSERVEROVERLOAD, 'C is busy');
    return {ret: 0, resp: `C:${req}`};
  }
}

describe('tars trace: A -> B -> C through the log daemon', function () {
  this.timeout(60_000);
  let dir: string;
  let log: StartedLog | undefined;
  const servers: TestServer[] = [];
  let client: Application | undefined;
  let a: EchoProxy;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-trace-e2e-'));
    log = await startLogProcess(path.join(dir, 'log'));
    const logObj = `tars.tarslog.LogObj@${log.endpoints['tars.tarslog.LogObj']}`;
    // trace-rate 0 (the default): every server still continues the trace of a traced caller, which is what the chain
    // needs. With trace-rate = 1 a service also traces its own sends to LogObj, whose spans are sent by the next
    // send: an endless stream of traces (see the pending test below and the report).
    const traced = `log = ${logObj}\n      trace-rate = 0`;
    const hops = {C: new Hop(), B: new Hop(), A: new Hop()};
    for (const name of ['C', 'B', 'A'] as const) {
      servers.push(await startServer({[`Tr.${name}.EchoObj`]: hops[name]}, {server: traced}));
    }
    const [cs, bs, as] = servers as [TestServer, TestServer, TestServer];
    hops.B.next = bs.app.communicator.stringToProxy(EchoProxy, cs.proxyString('Tr.C.EchoObj'));
    hops.A.next = as.app.communicator.stringToProxy(EchoProxy, bs.proxyString('Tr.B.EchoObj'));
    // The caller: an application of its own (no servants), tracing what it calls to the same log daemon.
    client = Application.fromText(testConfig('Tr', 'Client', [], {server: traced}), {graceMs: 1000});
    a = client.communicator.stringToProxy(EchoProxy, as.proxyString('Tr.A.EchoObj'));
  });

  after(async () => {
    await client?.close();
    for (const s of servers) await s.close();
    await stopChild(log?.child);
    rmSync(dir, {recursive: true, force: true});
  });

  const data = (): string[] => ['--data', path.join(dir, 'log')];

  /** `tars trace show <id> --json` once all `n` spans of the trace reached the log (the services send in batches). */
  async function shown(traceId: string, n: number): Promise<TraceShowJson> {
    let got: TraceShowJson | undefined;
    await until(async () => {
      const out = await tars(['trace', 'show', traceId, '--json', ...data()]);
      if (out.exit !== 0) return false;
      got = JSON.parse(out.stdout) as TraceShowJson;
      return got.spans.length >= n;
    }, `the ${n} spans of ${traceId} in the call-chain log`, 15_000);
    return got!;
  }

  /** Checks the spans form one chain from the client's call down to C, each the child of the one before. */
  function expectChain(spans: TraceShowJson['spans']): void {
    expect(spans.map((s) => [s.depth, s.kind, s.caller, s.callee, s.func])).to.deep.equal([
      [0, 'client', 'Tr.Client', 'Tr.A.EchoObj', 'EchoHello'],
      [1, 'server', 'Tr.Client', 'Tr.A.EchoObj', 'EchoHello'],
      [2, 'client', 'Tr.A', 'Tr.B.EchoObj', 'EchoHello'],
      [3, 'server', 'Tr.A', 'Tr.B.EchoObj', 'EchoHello'],
      [4, 'client', 'Tr.B', 'Tr.C.EchoObj', 'EchoHello'],
      [5, 'server', 'Tr.B', 'Tr.C.EchoObj', 'EchoHello']]);
    expect(spans[0]!.parentSpanId).to.equal('');
    for (let i = 1; i < spans.length; i += 1) {
      const [parent, child] = [spans[i - 1]!, spans[i]!];
      expect(child.parentSpanId, `span ${i} is the child of span ${i - 1}`).to.equal(parent.spanId);
      // Times nest: the lines carry whole ms, the durations microseconds: allow a ms of rounding at each end.
      expect(child.startMs, `span ${i} starts inside its parent`).to.be.at.least(parent.startMs - 1);
      expect(child.startMs + child.durationMs, `span ${i} ends inside its parent`)
        .to.be.at.most(parent.startMs + parent.durationMs + 1);
    }
    expect(spans.map((s) => s.writer)).to.deep.equal(['Tr.Client', 'Tr.A', 'Tr.A', 'Tr.B', 'Tr.B', 'Tr.C']);
  }

  it('one call into A: trace list shows the trace, trace show the six spans as a chain that nests', async () => {
    const {traceId, result} = client!.tracer!.runTraced(() => a.EchoHello('hi'));
    expect((await result).resp).to.equal('C:hi');
    const show = await shown(traceId, 6);
    expect(show.spans).to.have.length(6);
    expectChain(show.spans);
    expect(show.spans.map((s) => s.ret)).to.deep.equal([0, 0, 0, 0, 0, 0]);
    expect(show.trace).to.deep.include({traceId, spans: 6, root: 'Tr.Client.EchoHello', error: false});
    expect(show.trace.services).to.deep.equal(['Tr.Client', 'Tr.A', 'Tr.B', 'Tr.C']);
    console.log(`      trace ${traceId}: ${show.spans.map((s) => `${s.kind} ${s.callee} ${s.durationMs.toFixed(3)} ms`)
      .join(', ')}`);
    // The spans are in the one call-chain file of _tars_/_trace_, not in files of the servers (next to the log
    // directory's id, which is no log).
    expect(readdirSync(path.join(dir, 'log', 'remote_app_log')).sort()).to.deep.equal(['.tars-log-id', '_tars_']);

    // The kit's reader pages through the file (a line is about 250 bytes: a page of 512 holds one or two) to the same tree.
    const comm = new Communicator();
    try {
      const query = comm.stringToProxy(LogQuery.LogQueryProxy,
        `tars.tarslog.LogQueryObj@${log!.endpoints['tars.tarslog.LogQueryObj']}`);
      const paged = await readCallChains(query, {traceId, maxBytes: 512});
      expect(paged.traces).to.have.length(1);
      expect(paged.lines, 'the 12 lines of the trace').to.equal(12);
      expect(traceSpansJson(paged.traces[0]!)).to.deep.equal(show.spans);
    } finally {
      comm.close();
    }

    const list = await tarsJson<TraceListJson>(['trace', 'list', ...data()]);
    const row = list.traces.find((t) => t.traceId === traceId);
    expect(row).to.deep.include({traceId, spans: 6, root: 'Tr.Client.EchoHello', error: false});
    expect(Date.parse(row!.start)).to.be.closeTo(Date.now(), 60_000);
    const filtered = await tarsJson<TraceListJson>(['trace', 'list', '--app', 'Tr', '--server', 'C', '--since', '10m',
      ...data()]);
    expect(filtered.traces.map((t) => t.traceId)).to.include(traceId);
    const none = await tarsJson<TraceListJson>(['trace', 'list', '--server', 'Nobody', ...data()]);
    expect(none.traces).to.deep.equal([]);
    const errorsOnly = await tarsJson<TraceListJson>(['trace', 'list', '--errors', ...data()]);
    expect(errorsOnly.traces.map((t) => t.traceId)).to.not.include(traceId);

    const text = await tars(['trace', 'show', traceId, ...data()]);
    expect(text.exit, text.stderr).to.equal(0);
    const lines = text.stdout.trimEnd().split('\n');
    console.log(lines.map((l) => `      ${l}`).join('\n'));
    expect(lines[0]).to.match(new RegExp(`^trace ${traceId} .* 6 spans  Tr\\.Client, Tr\\.A, Tr\\.B, Tr\\.C$`));
    expect(lines.slice(2).map((l) => l.replace(/ +(client|server) .*$/, ''))).to.deep.equal([
      'Tr.Client -> Tr.A.EchoObj.EchoHello', '  Tr.Client -> Tr.A.EchoObj.EchoHello', '    Tr.A -> Tr.B.EchoObj.EchoHello',
      '      Tr.A -> Tr.B.EchoObj.EchoHello', '        Tr.B -> Tr.C.EchoObj.EchoHello', '          Tr.B -> Tr.C.EchoObj.EchoHello']);
    expect(text.stdout, 'no colour in a pipe').to.not.include('\x1b[');
  });

  it('an error in C shows in every span\'s return code up the chain, and in trace list --errors', async () => {
    const {traceId, result} = client!.tracer!.runTraced(() => a.EchoHello('fail'));
    const failed = await result.then(() => undefined, (e: Error & {returnCode?: number}) => e);
    expect(failed?.returnCode).to.equal(-9); // TARSSERVEROVERLOAD, thrown by C
    const show = await shown(traceId, 6);
    expectChain(show.spans);
    // Every span up the chain failed with C's own code, on both sides of each hop.
    expect(show.spans.map((s) => s.ret)).to.deep.equal([-9, -9, -9, -9, -9, -9]);
    expect(show.trace.error).to.equal(true);
    const errorsOnly = await tarsJson<TraceListJson>(['trace', 'list', '--errors', ...data()]);
    expect(errorsOnly.traces.map((t) => t.traceId)).to.deep.equal([traceId]);
  });

  // With trace-rate > 0 the tracer once sampled the application's own LogObj sends, each of which ended as a span
  // whose lines the next send carried: a stream of one-span traces that never stopped.
  it('a service sampling at trace-rate = 1 does not trace its own sends to the log daemon', async () => {
    const logObj = `tars.tarslog.LogObj@${log!.endpoints['tars.tarslog.LogObj']}`;
    const loop = await startServer({'Tr.Loop.EchoObj': new Hop()}, {server: `log = ${logObj}\n      trace-rate = 1`});
    try {
      const loopProxy = client!.communicator.stringToProxy(EchoProxy, loop.proxyString('Tr.Loop.EchoObj'));
      await loopProxy.EchoHello('one untraced call, sampled by Tr.Loop');
      await new Promise((r) => setTimeout(r, 3000));
      const list = await tarsJson<TraceListJson>(['trace', 'list', '--server', 'Loop', '--limit', '100000', ...data()]);
      const logSends = list.traces.filter((t) => t.root.startsWith('Tr.Loop.loggerbyInfo')).length;
      console.log(`      in 3 s: ${list.traces.length} traces of Tr.Loop, ${logSends} of them its own LogObj sends`);
      expect(logSends, 'traces of the log sends').to.equal(0);
      expect(list.traces).to.have.length(1);
    } finally {
      await loop.close();
    }
  });

  it('bad input: one error line with a hint and the documented exit code', async () => {
    const cases: [string[], number, RegExp][] = [
      [['trace', 'show', 'not-a-trace'], 2, /error: "not-a-trace" is not a trace id/],
      [['trace', 'show', 'f'.repeat(32)], 1, /error: no trace f{32} in the call-chain log/],
      [['trace', 'list', '--slow', 'fast'], 2, /error: --slow "fast" is not a duration/],
      [['trace', 'list', '--since', 'yesterday'], 2, /error: --since "yesterday" is neither a duration nor a date/],
    ];
    for (const [args, exit, message] of cases) {
      const out = await tars([...args, ...data()]);
      expect(out.exit, args.join(' ')).to.equal(exit);
      const errors = out.stderr.split('\n').filter((l) => l.startsWith('error:'));
      expect(errors, args.join(' ')).to.have.length(1);
      expect(errors[0]).to.match(message);
      expect(out.stderr, args.join(' ')).to.match(/hint: /);
    }
  });
});
