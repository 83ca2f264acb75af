// The spans of one trace that a chain of calls (A -> B -> C) makes, in order from its root down.
import {expect} from 'chai';

/** The spans of `traceId` from its root down, each the child of the one before; asserts they form one chain. */
export function spanChain<S extends {traceId: string; spanId: string; parentSpanId?: string | undefined}>(
  all: readonly S[], traceId: string): S[] {
  const spans = all.filter((s) => s.traceId === traceId);
  const out = spans.filter((s) => s.parentSpanId === undefined);
  for (let child = out[0] && spans.find((s) => s.parentSpanId === out[0]!.spanId); child;
    child = spans.find((s) => s.parentSpanId === out.at(-1)!.spanId)) {
    out.push(child);
  }
  expect(out, 'every span hangs in one chain').to.have.length(spans.length);
  return out;
}
