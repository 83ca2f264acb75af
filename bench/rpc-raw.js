// The floor of the RPC benchmark: a plain `net` echo of length-prefixed frames (4-byte big-endian length counting
// itself, as TARS frames) with no RPC layer at all: no request ids, no codec, no timers. One socket.write per frame
// on both sides (no write batching), TCP_NODELAY on both sides.

import net from 'node:net';

/** Splits a byte stream into frames; calls onFrame(view) for each (a view into the chunk when it is whole). */
export class RawFramer {
  constructor(onFrame) {
    this.onFrame = onFrame;
    this.pending = null;
  }

  push(chunk) {
    let data = chunk;
    if (this.pending) {
      data = Buffer.concat([this.pending, chunk]);
      this.pending = null;
    }
    let offset = 0;
    while (data.length - offset >= 4) {
      const n = data.readUInt32BE(offset);
      if (n < 4) throw new Error(`bad frame length ${n}`);
      if (data.length - offset < n) break;
      this.onFrame(data.subarray(offset, offset + n));
      offset += n;
    }
    if (offset < data.length) this.pending = data.subarray(offset);
  }
}

/** The echo server: every frame is written back as it came, one write per frame. Resolves to the net.Server. */
export function startRawServer() {
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    const framer = new RawFramer((frame) => socket.write(frame));
    socket.on('data', (chunk) => {
      try {
        framer.push(chunk);
      } catch {
        socket.destroy();
      }
    });
    socket.on('error', () => {});
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/**
 * The client: `call()` writes one frame (a copy of `payload` behind a length prefix, one write) and resolves with
 * the echoed frame; answers come back in order, so the oldest waiter gets each.
 */
export async function connectRaw(port) {
  const socket = net.connect({host: '127.0.0.1', port});
  socket.setNoDelay(true);
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const waiters = [];
  let head = 0;
  const framer = new RawFramer((frame) => {
    const w = waiters[head];
    waiters[head++] = undefined;
    if (head > 1024 && head * 2 > waiters.length) {
      waiters.splice(0, head);
      head = 0;
    }
    w(frame);
  });
  socket.on('data', (chunk) => framer.push(chunk));
  return {
    call(payload) {
      const frame = Buffer.allocUnsafe(4 + payload.length);
      frame.writeUInt32BE(frame.length, 0);
      frame.set(payload, 4);
      socket.write(frame);
      return new Promise((resolve) => waiters.push(resolve));
    },
    close() {
      socket.destroy();
    },
  };
}
