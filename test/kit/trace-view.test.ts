// The kit's call-chain view (trace-view.ts) on made-up lines of the call-chain log, in our form (core's spanLines)
// and in TarsCpp's (callee lines with the caller's span id and parent `*`): spans paired, the tree with its missing
// parents, the per-trace summary and filters, and the waterfall drawn plain and in colour.
import {expect} from 'chai';

import {type SpanRecord, parseTraceLine, spanLines} from '@tars-ts/core';

import {stripAnsi} from '../../src/kit/src/live-view.js';
import {
  type TraceLogLine, buildSpans, buildTrace, buildTraces, parseTraceLogLine, renderWaterfall, traceMatches,
  traceSpansJson,
} from '../../src/kit/src/trace-view.js';

const T1 = '0af7651916cd43dd8448eb211c80319c';
const T0 = Date.UTC(2026, 11, 2, 10, 0, 0);

/** The log service's lines of one span: `node|App|Server|time|record`, as the daemon writes them. */
function logged(span: Omit<SpanRecord, 'traceId'> & {traceId?: string}, writer: string): string[] {
  const [app, server] = writer.split('.');
  return spanLines({traceId: T1, ...span}).map((l) => `10.0.0.1|${app}|${server}|2026-12-02 10:00:00|${l}`);
}

/** tars.call -> A -> B -> C, ours: six spans, each the child of the one before; C fails with `ret`. */
function ourChain(ret = 0): string[] {
  const ids = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'].map((x) => x.repeat(8));
  const hop = (i: number, kind: 'client' | 'server', caller: string, callee: string, start: number, end: number,
    writer: string): string[] => logged({spanId: ids[i]!, ...(i > 0 ? {parentSpanId: ids[i - 1]} : {}), kind, caller,
    callee, func: 'echo', startMs: T0 + start, endMs: T0 + end, ret: i >= 1 ? ret : ret, peer: '127.0.0.1:1',
    requestBytes: 10, responseBytes: 20}, writer);
  return [
    ...hop(5, 'server', 'Tr.B', 'Tr.C.ProbeObj', 4, 5, 'Tr.C'), // arrives first: order does not matter
    ...hop(0, 'client', 'tars.call', 'Tr.A.ProbeObj', 0, 10, 'tars.call'),
    ...hop(1, 'server', 'tars.call', 'Tr.A.ProbeObj', 1, 9, 'Tr.A'),
    ...hop(2, 'client', 'Tr.A', 'Tr.B.ProbeObj', 2, 8, 'Tr.A'),
    ...hop(3, 'server', 'Tr.A', 'Tr.B.ProbeObj', 3, 7, 'Tr.B'),
    ...hop(4, 'client', 'Tr.B', 'Tr.C.ProbeObj', 3.5, 6, 'Tr.B'),
  ];
}

const parse = (lines: string[]): TraceLogLine[] => lines.map((l) => parseTraceLogLine(l, parseTraceLine))
  .filter((l): l is TraceLogLine => l !== undefined);

describe('kit: call chains from the log (trace-view)', () => {
  it('reads the log service\'s prefix, with and without the node, and skips what is not a record', () => {
    const [line] = ourChain();
    const l = parseTraceLogLine(line!, parseTraceLine)!;
    expect(l).to.include({node: '10.0.0.1', app: 'Tr', server: 'C', time: '2026-12-02 10:00:00'});
    expect(l.record).to.include({traceId: T1, annotation: 'sr', func: 'echo'});
    const noNode = parseTraceLogLine(line!.slice('10.0.0.1|'.length), parseTraceLine)!;
    expect(noNode).to.include({node: '', app: 'Tr', server: 'C'});
    expect(noNode.record.spanId).to.equal(l.record.spanId);
    for (const bad of ['', 'x|y|z', `10.0.0.1|A|S|2026-12-02 10:00:00|not a record`, 'A|S|no time|0-ab|cd']) {
      expect(parseTraceLogLine(bad, parseTraceLine), bad).to.equal(undefined);
    }
  });

  it('pairs open and close lines into spans with the facts of our records', () => {
    const spans = buildSpans(parse(ourChain()));
    expect(spans).to.have.length(6);
    const a = spans.find((s) => s.spanId === 'a2'.repeat(8))!;
    expect(a).to.deep.include({kind: 'server', caller: 'tars.call', callee: 'Tr.A.ProbeObj', func: 'echo',
      parentSpanId: 'a1'.repeat(8), startMs: T0 + 1, durationMs: 8, ret: 0, peer: '127.0.0.1:1', requestBytes: 10,
      responseBytes: 20, writer: 'Tr.A', node: '10.0.0.1'});
    expect(a.partial).to.equal(undefined);
    // A close line alone: a partial span that ends at its time, started its measured duration before.
    const [, close] = logged({spanId: 'b'.repeat(16), kind: 'client', caller: 'X.Y', callee: 'Z.W.Obj', func: 'f',
      startMs: T0 + 0.5, endMs: T0 + 3, ret: -7}, 'X.Y');
    const [lone] = buildSpans(parse([close!, close!]));
    expect(lone).to.deep.include({partial: true, ret: -7, durationMs: 2.5, startMs: T0 + 0.5});
  });

  it('our chain: one trace, six spans in a chain, in the tree\'s order, error from C up', () => {
    const [trace, ...more] = buildTraces(buildSpans(parse(ourChain(-99))));
    expect(more).to.have.length(0);
    const json = traceSpansJson(trace!);
    expect(json.map((s) => [s.depth, s.kind, s.callee])).to.deep.equal([
      [0, 'client', 'Tr.A.ProbeObj'], [1, 'server', 'Tr.A.ProbeObj'], [2, 'client', 'Tr.B.ProbeObj'],
      [3, 'server', 'Tr.B.ProbeObj'], [4, 'client', 'Tr.C.ProbeObj'], [5, 'server', 'Tr.C.ProbeObj']]);
    json.slice(1).forEach((s, i) => expect(s.parentSpanId).to.equal(json[i]!.spanId));
    expect(json[0]!.parentSpanId).to.equal('');
    expect(trace!.summary).to.deep.include({traceId: T1, startMs: T0, durationMs: 10, spans: 6,
      rootService: 'tars.call', rootFunc: 'echo', error: true});
    expect(trace!.summary.services).to.deep.equal(['tars.call', 'Tr.A', 'Tr.B', 'Tr.C']);
  });

  it('TarsCpp\'s form: the callee side shares its caller\'s span id (parent *), and what it calls hangs under it', () => {
    // A (TarsCpp) calls B: cs/cr with span s1 (root: parent = span); B writes sr/ss as `trace|s1|*`, then calls C
    // with a new span s2 whose parent is s1; C writes `trace|s2|*`.
    const key = `f-${T1}`;
    const s1 = '1111111111111111';
    const s2 = '2222222222222222';
    const rec = (fields: string) => `10.0.0.2|App|Srv|2026-12-02 10:00:00|${fields}`;
    const lines = [
      rec(`${key}|${s1}|${s1}|cs|App.A|App.B.BObj|get|${T0}|0|e30=|`),
      rec(`${key}|${s1}|*|sr||App.B|get|${T0 + 1}|0|e30=|`),
      rec(`${key}|${s2}|${s1}|cs|App.B|App.C.CObj|put|${T0 + 2}|0|e30=|`),
      rec(`${key}|${s2}|*|sr||App.C|put|${T0 + 3}|0|e30=|`),
      rec(`${key}|${s2}|*|ss||App.C|put|${T0 + 4}|-1|e30=|disk full`),
      rec(`${key}|${s2}|${s1}|cr|App.B|App.C.CObj|put|${T0 + 5}|-1|e30=|`),
      rec(`${key}|${s1}|*|ss||App.B|get|${T0 + 6}|-1|e30=|`),
      rec(`${key}|${s1}|${s1}|cr|App.A|App.B.BObj|get|${T0 + 7}|-1|e30=|`),
    ];
    const trace = buildTrace(buildSpans(parse(lines)));
    const json = traceSpansJson(trace);
    expect(json.map((s) => [s.depth, s.kind, s.spanId, s.parentSpanId, s.durationMs])).to.deep.equal([
      [0, 'client', s1, '', 7], [1, 'server', s1, s1, 5], [2, 'client', s2, s1, 3], [3, 'server', s2, s2, 1]]);
    expect(json[3]!.error).to.equal('disk full');
    expect(trace.summary).to.deep.include({rootService: 'App.A', rootFunc: 'get', error: true, durationMs: 7});
    expect(trace.summary.services).to.deep.equal(['App.A', 'App.B', 'App.C']);
  });

  it('a span whose parent is not in the log hangs under the root, marked; with no root at all, at the top', () => {
    const lines = ourChain().filter((l) => !l.includes(`${T1}|${'a3'.repeat(8)}|`)); // A's call to B is lost
    const trace = buildTrace(buildSpans(parse(lines)));
    const json = traceSpansJson(trace);
    expect(json).to.have.length(5);
    const orphan = json.find((s) => s.spanId === 'a4'.repeat(8))!;
    expect(orphan).to.include({depth: 1, parentSpanId: 'a1'.repeat(8), missingParent: true});
    expect(json.find((s) => s.spanId === 'a5'.repeat(8))).to.include({depth: 2, parentSpanId: 'a4'.repeat(8)});
    const rootless = traceSpansJson(buildTrace(buildSpans(parse(ourChain().slice(0, 2)))));
    expect(rootless).to.have.length(1);
    expect(rootless[0]).to.include({depth: 0, parentSpanId: '', missingParent: true});
  });

  it('traces newest first, filtered by app, server, start, slowness and errors', () => {
    const other = '1'.repeat(32);
    const later = logged({traceId: other, spanId: 'c'.repeat(16), kind: 'server', caller: 'X.Y', callee: 'Q.R.Obj',
      func: 'f', startMs: T0 + 60_000, endMs: T0 + 60_002, ret: 0}, 'Q.R');
    const traces = buildTraces(buildSpans(parse([...ourChain(-1), ...later])));
    expect(traces.map((t) => t.traceId)).to.deep.equal([other, T1]);
    const kept = (f: Parameters<typeof traceMatches>[1]): string[] => traces.filter((t) => traceMatches(t.summary, f))
      .map((t) => t.traceId);
    expect(kept({})).to.deep.equal([other, T1]);
    expect(kept({app: 'Tr'})).to.deep.equal([T1]);
    expect(kept({server: 'R'})).to.deep.equal([other]);
    expect(kept({app: 'Tr', server: 'C'})).to.deep.equal([T1]);
    expect(kept({app: 'Q', server: 'C'})).to.deep.equal([]);
    expect(kept({sinceMs: T0 + 1})).to.deep.equal([other]);
    expect(kept({slowMs: 5})).to.deep.equal([T1]);
    expect(kept({errorsOnly: true})).to.deep.equal([T1]);
  });

  it('the waterfall: one row per span indented by depth, bars placed in the trace\'s time, cut to the width', () => {
    const trace = buildTrace(buildSpans(parse(ourChain(-99))));
    const plain = renderWaterfall(trace, {width: 120, colour: false});
    expect(plain).to.have.length(2 + 6);
    expect(plain.join('\n')).to.not.include('\x1b[');
    expect(plain[0]).to.match(new RegExp(`^trace ${T1}  2026-12-02T10:00:00.000Z  10.0 ms  6 spans  tars.call, Tr.A, Tr.B, Tr.C  error$`));
    for (const row of plain) expect(row.length).to.be.at.most(120);
    const rows = plain.slice(2);
    expect(rows[0]).to.match(/^tars\.call -> Tr\.A\.ProbeObj\.echo +client +10\.0 ms +-99 +\|█+\|?$/);
    expect(rows[5]).to.match(/^ {10}Tr\.B -> Tr\.C\.ProbeObj\.echo +server +1\.00 ms +-99 +\|/);
    const bars = rows.map((r) => r.slice(r.indexOf('|') + 1));
    const span = (b: string): [number, number] => [b.indexOf('█'), b.lastIndexOf('█')];
    // Each bar lies within the one above it (the times nest), and the first fills the range.
    expect(span(bars[0]!)).to.deep.equal([0, bars[0]!.trimEnd().length - 1]);
    for (let i = 1; i < bars.length; i += 1) {
      expect(span(bars[i]!)[0], `row ${i} starts inside its parent`).to.be.at.least(span(bars[i - 1]!)[0]);
      expect(span(bars[i]!)[1], `row ${i} ends inside its parent`).to.be.at.most(span(bars[i - 1]!)[1]);
    }
    const narrow = renderWaterfall(trace, {width: 50, colour: false});
    for (const row of narrow) expect(row.length).to.be.at.most(50);
    const coloured = renderWaterfall(trace, {width: 120, colour: true});
    expect(coloured.join('\n')).to.include('\x1b[31m');
    expect(coloured.map(stripAnsi)).to.deep.equal(plain);
  });
});
