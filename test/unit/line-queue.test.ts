// The remote log's queue of lines kept as bytes off the V8 heap: what goes in comes out, in order, whole.
import {expect} from 'chai';

import {LineQueue} from '../../core/src/rpc/log/line-queue.js';

describe('LineQueue', () => {
  it('gives back every line as written, in order, in takes of at most N', () => {
    const q = new LineQueue();
    const lines = ['2026-12-02 10:00:00|plain', 'héllo wörld 你好 🎉', '', 'a|b\nc\r\n', 'x'.repeat(70_000)];
    for (const l of lines) q.push(l);
    expect(q.length).to.equal(5);
    expect(q.take(2)).to.deep.equal(lines.slice(0, 2));
    expect(q.length).to.equal(3);
    expect(q.take(10)).to.deep.equal(lines.slice(2));
    expect(q.length).to.equal(0);
    expect(q.take(10)).to.deep.equal([]);
  });

  it('many lines across segments, pushed while others are taken', () => {
    const q = new LineQueue();
    const sent: string[] = [];
    const got: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const line = `${i}|${'y'.repeat(i % 300)}`;
      sent.push(line);
      q.push(line);
      if (i % 997 === 0) got.push(...q.take(500));
    }
    while (q.length > 0) got.push(...q.take(2000));
    expect(got).to.deep.equal(sent);
  });

  it('clear drops everything and says how much', () => {
    const q = new LineQueue();
    q.push('a');
    q.push('b');
    expect(q.clear()).to.equal(2);
    expect(q.length).to.equal(0);
    q.push('c');
    expect(q.take(5)).to.deep.equal(['c']);
  });
});
