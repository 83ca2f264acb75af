import {expect} from 'chai';
import fc from 'fast-check';

import {FrameDecoder, TarsError} from '@tars-ts/core';

function frame(body: Uint8Array): Buffer {
  const out = Buffer.alloc(body.length + 4);
  out.writeUInt32BE(body.length + 4, 0);
  out.set(body, 4);
  return out;
}

describe('frame decoder', () => {
  it('gives back exactly the frames, however the stream is cut (property)', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({minLength: 1, maxLength: 300}), {minLength: 1, maxLength: 12}),
      fc.array(fc.integer({min: 1, max: 700}), {minLength: 1, maxLength: 40}), (bodies, cuts) => {
        const frames = bodies.map(frame);
        const stream = Buffer.concat(frames);
        const decoder = new FrameDecoder();
        const got: string[] = [];
        let offset = 0;
        let i = 0;
        while (offset < stream.length) {
          const size = cuts[i++ % cuts.length]!;
          decoder.push(stream.subarray(offset, offset + size), (f) => got.push(Buffer.from(f).toString('hex')));
          offset += size;
        }
        expect(got).to.deep.equal(frames.map((f) => f.toString('hex')));
        expect(decoder.pendingBytes).to.equal(0);
      }), {numRuns: 300});
  });

  it('returns a frame inside one chunk as a view, without copying', () => {
    const chunk = Buffer.concat([frame(Buffer.from('abc')), frame(Buffer.from('de'))]);
    const views: Buffer[] = [];
    new FrameDecoder().push(chunk, (f) => views.push(f));
    expect(views).to.have.length(2);
    expect(views[0]!.buffer).to.equal(chunk.buffer);
  });

  it('refuses a length below 5 or above the maximum before buffering anything', () => {
    const d = new FrameDecoder(1000);
    expect(() => d.push(Buffer.from('00000003', 'hex'), () => undefined)).to.throw(TarsError).with.property('code',
      'PACKET_TOO_SHORT');
    const big = new FrameDecoder(1000);
    expect(() => big.push(Buffer.from('7fffffff00', 'hex'), () => undefined)).to.throw(TarsError)
      .with.property('code', 'PACKET_TOO_LARGE');
    const split = new FrameDecoder(1000);
    split.push(Buffer.from('0000', 'hex'), () => undefined);
    expect(() => split.push(Buffer.from('ffff', 'hex'), () => undefined)).to.throw(TarsError)
      .with.property('code', 'PACKET_TOO_LARGE');
  });

  it('copies a large frame about once, even when its length prefix arrives split (no quadratic joining)', () => {
    const body = Buffer.alloc(1024 * 1024, 7);
    const stream = frame(body);
    const concat = Buffer.concat;
    let copied = 0;
    Buffer.concat = ((list: readonly Uint8Array[], total?: number) => {
      copied += total ?? list.reduce((n, b) => n + b.length, 0);
      return concat(list, total);
    }) as typeof Buffer.concat;
    const got: Buffer[] = [];
    try {
      const d = new FrameDecoder();
      d.push(stream.subarray(0, 2), (f) => got.push(f));
      for (let at = 2; at < stream.length; at += 4096) d.push(stream.subarray(at, at + 4096), (f) => got.push(f));
    } finally {
      Buffer.concat = concat;
    }
    expect(got).to.have.length(1);
    expect(got[0]!.equals(stream)).to.equal(true);
    // One join of the frame, plus the first chunk joined once with the 2-byte prefix; re-joining the buffered
    // chunks at every push copied about 128 MiB here.
    expect(copied).to.be.below(stream.length + 3 * 4096);
  });
});
