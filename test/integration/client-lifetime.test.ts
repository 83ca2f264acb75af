import {expect} from 'chai';
import {spawn} from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {
  FrameDecoder, ReturnCode, TarsReader, encodeResponseFrame, readRequestPacket, responsePacket,
} from '@tars-ts/core';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'clients', 'ping-once.ts');

/** Runs the one-ping client; resolves with what it printed and how long it lived. */
function pingOnce(endpoint: string, timeoutMs: number, mode = ''): Promise<{out: string; code: number | null}> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=tars-dev', script, endpoint,
    String(timeoutMs), mode], {stdio: ['ignore', 'pipe', 'pipe']});
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const killer = setTimeout(() => child.kill(), 20_000);
  return new Promise((resolve) => child.on('exit', (code) => {
    clearTimeout(killer);
    resolve({out: out.trim() || err.trim(), code});
  }));
}

/** The answer to a request frame, as a server would send it. */
function answer(frame: Uint8Array): Buffer {
  const req = readRequestPacket(new TarsReader(frame, 4, frame.length));
  return encodeResponseFrame(responsePacket({iRequestId: req.iRequestId}));
}

describe('a client process ends on its own, once its calls are answered or timed out', function () {
  this.timeout(60_000);
  const closers: (() => void)[] = [];
  afterEach(() => {
    for (const close of closers.splice(0)) close();
  });

  async function udpServer(delayMs: number | null): Promise<number> {
    const socket = dgram.createSocket('udp4');
    socket.on('message', (msg, rinfo) => {
      if (delayMs !== null) setTimeout(() => socket.send(answer(msg), rinfo.port, rinfo.address), delayMs);
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    closers.push(() => socket.close());
    return socket.address().port;
  }

  let framesReceived = 0;

  async function tcpServer(delayMs: number | null): Promise<number> {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      const decoder = new FrameDecoder();
      socket.on('data', (chunk) => decoder.push(chunk, (frame) => {
        framesReceived++;
        if (delayMs !== null) setTimeout(() => socket.write(answer(frame)), delayMs);
      }));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => {
      for (const s of sockets) s.destroy();
      server.close();
    });
    return (server.address() as net.AddressInfo).port;
  }

  it('UDP: waits for a late answer (the socket is held while a call is pending)', async () => {
    const port = await udpServer(400);
    const r = await pingOnce(`udp -h 127.0.0.1 -p ${port}`, 5000);
    expect(r.out).to.equal('ok');
    expect(r.code).to.equal(0);
  });

  it('UDP: an answer that never comes ends in a timeout, not a silent exit', async () => {
    const port = await udpServer(null);
    const r = await pingOnce(`udp -h 127.0.0.1 -p ${port}`, 600);
    expect(r.out).to.equal(`error ${ReturnCode.TARSINVOKETIMEOUT}`);
    expect(r.code).to.equal(0);
  });

  it('TCP: waits for a late answer, and a timeout is reported in time', async () => {
    const late = await pingOnce(`tcp -h 127.0.0.1 -p ${await tcpServer(400)}`, 5000);
    expect(late.out).to.equal('ok');
    expect(late.code, 'ended by itself, not killed').to.equal(0);
    const never = await pingOnce(`tcp -h 127.0.0.1 -p ${await tcpServer(null)}`, 600);
    expect(never.out).to.equal(`error ${ReturnCode.TARSINVOKETIMEOUT}`);
    expect(never.code).to.equal(0);
  });

  it('TCP: a one-way call is sent, and the process ends without waiting for anything', async () => {
    framesReceived = 0;
    const port = await tcpServer(null);
    const r = await pingOnce(`tcp -h 127.0.0.1 -p ${port}`, 5000, 'oneway');
    expect(r.out).to.equal('sent');
    expect(r.code, 'ended by itself, not killed').to.equal(0);
    // The frame left before the child ended; its arrival here may trail the child's exit event.
    for (let i = 0; i < 200 && framesReceived === 0; i++) await new Promise((r2) => setTimeout(r2, 10));
    expect(framesReceived).to.equal(1);
  });
});
