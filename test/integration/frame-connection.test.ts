// FrameConnection's write policy, on a real loopback connection: how many socket writes a burst of frames sent in
// one tick becomes (counted, never timed), and that the frames still arrive whole and in order.
import net from 'node:net';

import {expect} from 'chai';

import {FrameConnection} from '@tars-ts/core';

import {until} from '../support/wait.js';

function frame(i: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeUInt32BE(8, 0);
  out.writeUInt32BE(i, 4);
  return out;
}

interface Pair {
  sender: FrameConnection;
  received: number[];
  writes: () => number;
  close(): void;
}

async function pair(maxBatchFrames?: number): Promise<Pair> {
  const received: number[] = [];
  let accepted: FrameConnection | undefined;
  const server = net.createServer((socket) => {
    accepted = new FrameConnection(socket, {onFrame: (f) => received.push(f.readUInt32BE(4)), onClose: () => {}});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const socket = net.connect({host: '127.0.0.1', port: (server.address() as net.AddressInfo).port});
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let writes = 0;
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  (socket as unknown as {write: (...args: unknown[]) => boolean}).write = (...args: unknown[]) => {
    writes++;
    return write(...args);
  };
  const sender = new FrameConnection(socket, {onFrame: () => {}, onClose: () => {}},
    maxBatchFrames === undefined ? {} : {maxBatchFrames});
  await until(() => accepted !== undefined, 'server side accepted');
  return {
    sender, received, writes: () => writes,
    close() {
      sender.destroy();
      accepted?.destroy();
      server.close();
    },
  };
}

describe('FrameConnection writes', () => {
  it('a burst sent in one tick is not held back as one write: the first frame goes at once, the rest in batches', async () => {
    // One write per tick made client and server take turns at many calls in flight (each idle while the other
    // worked); the first frame now leaves at once and batches are bounded.
    const p = await pair(4);
    try {
      p.sender.send(frame(0));
      expect(p.writes()).to.equal(1); // written during send, not on the next tick
      for (let i = 1; i <= 9; i++) p.sender.send(frame(i));
      expect(p.writes()).to.equal(3); // 1 + two full batches of 4; frame 9 waits for the end of the tick
      await until(() => p.received.length === 10, 'all frames received');
      expect(p.writes()).to.equal(4);
      expect(p.received).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    } finally {
      p.close();
    }
  });

  it('the first frame of every tick goes at once, in order with what the previous tick batched', async () => {
    const p = await pair();
    try {
      for (let tick = 0; tick < 3; tick++) {
        for (let i = 0; i < 5; i++) p.sender.send(frame(tick * 5 + i));
        await new Promise((r) => setImmediate(r));
      }
      await until(() => p.received.length === 15, 'all frames received');
      expect(p.received).to.deep.equal(Array.from({length: 15}, (_, i) => i));
      expect(p.writes()).to.equal(6); // per tick: the first frame, then the other four together
    } finally {
      p.close();
    }
  });

  it('a write callback of a frame written at once or batched is called', async () => {
    const p = await pair();
    try {
      let called = 0;
      p.sender.send(frame(0), () => called++);
      p.sender.send(frame(1), () => called++);
      await until(() => called === 2, 'both write callbacks called');
    } finally {
      p.close();
    }
  });
});
