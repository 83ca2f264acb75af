// Trace context on the wire (W3C traceparent, TarsCpp's STATUS_TRACE_KEY) and the call-chain log lines.
import {expect} from 'chai';

import {
  STATUS_TRACE_KEY, TRACEPARENT, TRACESTATE, extractTraceContext, injectTraceContext, newSpanId, newTraceId,
  parseTarsTraceKey, parseTraceLine, parseTraceparent, spanLines,
} from '@tars-ts/core';

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const S = '00f067aa0ba902b7';

describe('trace context', () => {
  it('reads the W3C example traceparent, sampled or not, with its tracestate', () => {
    expect(parseTraceparent(`00-${T}-${S}-01`, 'congo=t61rcWkgMzE')).to.deep.equal({traceId: T, spanId: S,
      sampled: true, traceState: 'congo=t61rcWkgMzE'});
    expect(parseTraceparent(`00-${T}-${S}-00`)?.sampled).to.equal(false);
  });

  it('refuses what the W3C spec refuses: zero ids, upper case, version ff, extra fields in version 00', () => {
    for (const bad of [`00-${'0'.repeat(32)}-${S}-01`, `00-${T}-${'0'.repeat(16)}-01`, `00-${T.toUpperCase()}-${S}-01`,
      `ff-${T}-${S}-01`, `00-${T}-${S}-01-extra`, `00-${T}-${S}`, 'garbage']) {
      expect(parseTraceparent(bad), bad).to.equal(undefined);
    }
    // A future version is read by its first four fields.
    expect(parseTraceparent(`cc-${T}-${S}-01-future`)?.traceId).to.equal(T);
  });

  it('reads TarsCpp\'s trace key: flags, parameter length, trace and the caller\'s span (32-hex ids too)', () => {
    const cpp = 'f.2-ee824ad0eb4dacf56b29d230a229c584|030019ac000044a863ed1a8a00000021';
    expect(parseTarsTraceKey(cpp)).to.deep.equal({traceId: 'ee824ad0eb4dacf56b29d230a229c584',
      spanId: '030019ac000044a863ed1a8a00000021', sampled: true, tarsFlags: 'f.2'});
    expect(parseTarsTraceKey(`0-${T}|${S}|${S}`)?.spanId).to.equal(S);
    expect(parseTarsTraceKey('no-bar-here')).to.equal(undefined);
    expect(parseTarsTraceKey(`zz-${T}|${S}`)).to.equal(undefined);
  });

  it('a call carries both forms, and a server reads traceparent first, then the TarsCpp key', () => {
    const status = new Map<string, string>();
    injectTraceContext(status, T, S, true, {traceState: 'a=1', tarsFlags: 'f'});
    expect(Object.fromEntries(status)).to.deep.equal({[TRACEPARENT]: `00-${T}-${S}-01`, [TRACESTATE]: 'a=1',
      [STATUS_TRACE_KEY]: `f-${T}|${S}`});
    expect(extractTraceContext(status)).to.deep.include({traceId: T, spanId: S, sampled: true});
    status.delete(TRACEPARENT);
    expect(extractTraceContext(status)).to.deep.include({traceId: T, spanId: S, tarsFlags: 'f'});
    expect(extractTraceContext(new Map())).to.equal(undefined);
  });

  it('new ids are lower-case hex of the W3C sizes, and differ', () => {
    const ids = new Set(Array.from({length: 1000}, () => newSpanId()));
    expect(ids.size).to.equal(1000);
    for (const id of ids) expect(id).to.match(/^[0-9a-f]{16}$/);
    expect(newTraceId()).to.match(/^[0-9a-f]{32}$/);
  });
});

describe('call-chain log lines', () => {
  const span = {traceId: T, spanId: S, parentSpanId: 'aaaaaaaaaaaaaaaa', kind: 'client' as const, caller: 'A.A',
    callee: 'B.B.Obj', func: 'echo', peer: '127.0.0.1:1', startMs: 1_700_000_000_123.4, endMs: 1_700_000_000_125.9,
    ret: -7, error: 'no answer | in 3000 ms\nreally', requestBytes: 10, responseBytes: 0};

  it('a span is two lines in TarsCpp\'s _t_trace_ layout, read back to the same facts', () => {
    const [cs, cr] = spanLines(span);
    expect(cs.split('|').slice(0, 9)).to.deep.equal([`0-${T}`, S, 'aaaaaaaaaaaaaaaa', 'cs', 'A.A', 'B.B.Obj', 'echo',
      '1700000000123', '0']);
    const back = parseTraceLine(cr)!;
    expect(back).to.deep.include({traceId: T, spanId: S, parentSpanId: 'aaaaaaaaaaaaaaaa', annotation: 'cr',
      client: 'A.A', server: 'B.B.Obj', func: 'echo', ms: 1_700_000_000_125, ret: -7,
      error: 'no answer   in 3000 ms really'});
    expect(back.facts).to.deep.equal({p: '127.0.0.1:1', q: 10, r: 0, d: 2500});
  });

  it('a root span names itself as parent, read back as no parent; TarsCpp\'s callee lines (parent *) too', () => {
    const [sr] = spanLines({...span, kind: 'server', parentSpanId: undefined});
    expect(parseTraceLine(sr)).to.deep.include({parentSpanId: '', annotation: 'sr'});
    const cpp = 'f-ee824ad0eb4dacf56b29d230a229c584|030019ac000044a863ed1a8a00000021|*|sr||Test.Hello|hi|1|0|e30=|';
    expect(parseTraceLine(cpp)).to.deep.include({parentSpanId: '', annotation: 'sr', server: 'Test.Hello', data: '{}',
      tarsFlags: 'f'});
  });

  it('anything else is skipped, not fatal', () => {
    for (const bad of ['', 'a|b|c', `0-${T}|${S}|${S}|xx|a|b|c|1|0|e30=|`, `0-${T}|${S}|${S}|cs|a|b|c|soon|0|e30=|`]) {
      expect(parseTraceLine(bad), bad).to.equal(undefined);
    }
  });
});
