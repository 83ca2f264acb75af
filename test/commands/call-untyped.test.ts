// tars call with no interface at all: against @tars/rpc's server (a typed tars2node-style servant), against a server
// that answers tars_describe as TarsGo does (iRet 1), and against ours with reflection off. Arguments take inferred
// or --arg-types wire types; the answer is printed by tag with its wire types.
import {run} from '@oclif/core';
import {captureOutput} from '@oclif/test';
import {expect} from 'chai';
import {mkdtempSync, rmSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import {
  FrameDecoder, TARS_DESCRIBE, TarsReader, TarsWriter, decodeUntyped, encodeResponseFrame, readRequestPacket,
  responsePacket,
} from '@tars-ts/core';

import {Probe} from '../support/probe.js';
import {type OfficialServer, OracleRecorder, startOfficialServer} from '../support/rpc-oracle.js';
import {type TestServer, startServer} from '../support/test-server.js';
import {type MixCall, createProbeImp} from '../support/untyped-oracle.js';

const root = new URL('../..', import.meta.url).pathname;

async function tars(args: string[], cwd: string): Promise<{stdout: string; stderr: string; exit: number}> {
  const before = process.cwd();
  process.chdir(cwd);
  try {
    const {stdout, stderr, error} = await captureOutput(() => run(args, root));
    return {stdout, stderr, exit: error?.oclif?.exit ?? (error ? 1 : 0)};
  } finally {
    process.chdir(before);
  }
}

/**
 * A server that behaves as TarsGo's does for what it does not know: tars_describe (any unknown function) is
 * answered with iRet 1. It serves `int add(int a, int b, out string how)`, reading its arguments by tag.
 */
async function startGoLikeServer(): Promise<{endpoint: string; close: () => Promise<void>}> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const decoder = new FrameDecoder();
    socket.on('data', (chunk) => {
      decoder.push(chunk, (frame) => {
        const req = readRequestPacket(new TarsReader(frame, 4, frame.length));
        const reply = {iRequestId: req.iRequestId, iVersion: req.iVersion};
        if (req.sFuncName !== 'add') {
          socket.write(encodeResponseFrame(responsePacket({...reply, iRet: 1,
            sResultDesc: `func mismatch: ${req.sFuncName}`})));
          return;
        }
        const [a, b] = decodeUntyped(req.sBuffer).map((f) => (f.value as {value: number}).value);
        const w = new TarsWriter();
        w.writeInt32(0, a! + b!);
        w.writeString(3, `${a}+${b}`);
        socket.write(encodeResponseFrame(responsePacket({...reply, sBuffer: w.toBuffer()})));
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {endpoint: `tcp -h 127.0.0.1 -p ${(server.address() as net.AddressInfo).port}`,
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    })};
}

describe('tars call with no interface', function () {
  this.timeout(30_000);
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-untyped-'));
  });

  afterEach(() => rmSync(dir, {recursive: true, force: true}));

  describe('against @tars/rpc (no .tars file, no reflection)', () => {
    let official: OfficialServer;
    const calls: MixCall[] = [];

    before(async () => {
      official = await startOfficialServer(createProbeImp(new OracleRecorder(), calls) as never,
        {servant: 'Untyped.ProbeServer.ProbeObj'});
    });

    after(() => official?.stop());

    it('string, integers, long, bool, double and a struct as JSON; ret and out parameters by tag', async () => {
      const r = await tars(['call', official.proxyString, 'mix', 'tars', '-7', '100000', '9007199254740993', 'true',
        '2.5', '{"0": 42, "1": "label", "2": 9007199254740993}', '--json'], dir);
      expect(r.exit, r.stderr).to.equal(0);
      const json = JSON.parse(r.stdout) as Record<string, unknown>;
      expect(Object.keys(json)).to.deep.equal(['obj', 'func', 'endpoint', 'ret', 'out', 'types', 'guessed', 'ms']);
      expect(json).to.deep.include({obj: 'Untyped.ProbeServer.ProbeObj', func: 'mix', ret: 99993,
        guessed: '(string, int, int, long, bool, double, struct{0: int, 1: string, 2: long})'});
      expect(json.out).to.deep.equal({'8': 'tars|-7|100000|9007199254740993|true|2.5|42|label|9007199254740993',
        '9': {'0': 84, '1': 'tars!', '2': '9007199254740994'}});
      expect(json.types).to.deep.equal({'0': 'int', '8': 'string', '9': {'0': 'int', '1': 'string', '2': 'long'}});
      expect(calls.at(-1)).to.deep.include({s: 'tars', sh: -7, i: 100000, l: '9007199254740993', b: true, d: 2.5});
    });

    it('prints each tag with its wire type and says the interface was guessed', async () => {
      const r = await tars(['call', official.proxyString, 'mix', 'x', '1', '2', '3', 'false', '0.5', '{"0": 1}'], dir);
      expect(r.exit, r.stderr).to.equal(0);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines.slice(0, 3)).to.deep.equal(['ret: 3  ("int")', '8: "x|1|2|3|false|0.5|1||0"  ("string")',
        '9: {"0":2,"1":"x!","2":4}  ({"0":"int","1":"string","2":"int"})']);
      expect(lines[3], lines[3]).to.match(/^-- [\d.]+ ms, tcp -h 127\.0\.0\.1 -p \d+[^(]* \(no interface: sent as mix\(string, int, int, int, bool, double, struct\{0: int\}\); Untyped\.ProbeServer\.ProbeObj does not describe itself \(tars_describe answered -3/);
    });

    it('--arg-types forces the wire types (and skips the interface lookup)', async () => {
      const r = await tars(['call', official.proxyString, 'mix', '123', '1', '2', '3', 'true', '4', '{"0": 1}',
        '--arg-types', 'string,short,int,long,bool,double,struct', '--json'], dir);
      expect(r.exit, r.stderr + r.stdout).to.equal(0);
      expect(JSON.parse(r.stdout).guessed).to.equal('(string, short, int, long, bool, double, struct{0: int})');
      expect(calls.at(-1)).to.deep.include({s: '123', b: true, d: 4});
    });

    it('a wrong guess is the server\'s decode error (exit 3); a bad --arg-types is a usage error (exit 2)', async () => {
      const wrong = await tars(['call', official.proxyString, 'mix', '123', '1', '2', '3', 'true', '1.5', '{"0": 1}'],
        dir);
      expect(wrong.exit).to.equal(3);
      expect(wrong.stderr).to.match(/^error: -1 TARSSERVERDECODEERR/);
      const bad = await tars(['call', official.proxyString, 'mix', 'x', '--arg-types', 'int,string'], dir);
      expect(bad.exit).to.equal(2);
      expect(bad.stderr).to.match(/^error: .*--arg-types/);
      const data = await tars(['call', official.proxyString, 'mix', '--data', '{}'], dir);
      expect(data.exit).to.equal(2);
      expect(data.stderr).to.match(/^error: --data needs the interface/);
    });
  });

  it('a server answering tars_describe with iRet 1 (as TarsGo does) is taken as having no reflection', async () => {
    const go = await startGoLikeServer();
    try {
      const r = await tars(['call', `Go.Server.Obj@${go.endpoint}`, 'add', '40', '2', '--json'], dir);
      expect(r.exit, r.stderr).to.equal(0);
      expect(JSON.parse(r.stdout)).to.deep.include({ret: 42, out: {'3': '40+2'}, guessed: '(int, int)'});
      const d = await tars(['describe', `Go.Server.Obj@${go.endpoint}`], dir);
      expect(d.exit).to.equal(2);
      expect(d.stderr).to.match(/does not describe itself \(tars_describe answered 1/);
    } finally {
      await go.close();
    }
  });

  it(`our own server with reflection off is called the same way (${TARS_DESCRIBE} answered -3)`, async () => {
    const OBJ = 'RpcTest.ProbeServer.ProbeObj';
    const closed: TestServer = await startServer({[OBJ]: new Probe()}, {server: 'reflection = n'});
    try {
      const r = await tars(['call', closed.proxyString(OBJ), 'echo', 'hello'], dir);
      expect(r.exit, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/^ret: "hello" {2}\("string"\)\n-- .*no interface: sent as echo\(string\)/);
    } finally {
      await closed.close();
    }
  });
});
