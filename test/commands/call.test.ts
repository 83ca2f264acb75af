// tars call / ping / describe / settings, end to end through the command layer: against our own server (by
// reflection, with no .tars file at hand), against @tars/rpc's server with a .tars file (every argument type), and
// every error path with its exit code.
import {run} from '@oclif/core';
import {captureOutput} from '@oclif/test';
import {expect} from 'chai';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import {formatEndpoint} from '@tars-ts/core';
import {EndpointF} from '@tars-ts/core/framework';

import {FixedRegistry} from '../support/fixed-registry.js';
import {Probe} from '../support/probe.js';
import {OracleRecorder, type OfficialServer, createEchoImp, startOfficialServer} from '../support/rpc-oracle.js';
import {type TestServer, startServer} from '../support/test-server.js';

const root = new URL('../..', import.meta.url).pathname;
const OBJ = 'RpcTest.ProbeServer.ProbeObj';
const interopTars = path.join(root, 'test/fixtures/idl/interop.tars');


async function tars(args: string[], cwd?: string): Promise<{stdout: string; stderr: string; exit: number}> {
  const before = process.cwd();
  if (cwd) process.chdir(cwd);
  try {
    // @oclif/test's runCommand re-splits arguments at spaces; endpoints and JSON need them kept whole.
    const {stdout, stderr, error} = await captureOutput(() => run(args, root));
    return {stdout, stderr, exit: error?.oclif?.exit ?? (error ? 1 : 0)};
  } finally {
    process.chdir(before);
  }
}

describe('tars call, ping, describe', function () {
  this.timeout(30_000);
  let server: TestServer;
  let probe: Probe;
  let target: string;
  let dir: string;

  before(async () => {
    probe = new Probe();
    server = await startServer({[OBJ]: probe});
    target = server.proxyString(OBJ);
  });

  after(async () => {
    await server.close();
  });

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-call-'));
  });

  afterEach(() => rmSync(dir, {recursive: true, force: true}));

  it('calls our server by reflection, with no .tars file at hand', async () => {
    const r = await tars(['call', target, 'later', '42'], dir);
    expect(r.exit).to.equal(0);
    expect(r.stdout).to.match(/^ret: 42\nhow: "deferred"\n-- [\d.]+ ms, tcp -h 127\.0\.0\.1 -p \d+ -t 60000 \(int later\(int ms, out string how\); interface from reflection\)/);
  });

  it('--json gives {obj, func, endpoint, ret, out, ms}', async () => {
    const r = await tars(['call', target, 'later', '7', '--json'], dir);
    const json = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(json)).to.deep.equal(['obj', 'func', 'endpoint', 'ret', 'out', 'ms']);
    expect(json).to.include({obj: OBJ, func: 'later', ret: 7});
    expect(json.out).to.deep.equal({how: 'deferred'});
  });

  it('the exact line of the README works inside a project: the endpoint comes from its config.conf', async () => {
    const port = server.app.servantAdapters[0]!.endpoint.port;
    writeFileSync(path.join(dir, 'config.conf'), `<tars>\n<application>\n<server>\napp = RpcTest\nserver = ProbeServer\n` +
      `<RpcTest.ProbeServer.ProbeObjAdapter>\nendpoint = tcp -h 127.0.0.1 -p ${port} -t 60000\n` +
      `servant = ${OBJ}\n</RpcTest.ProbeServer.ProbeObjAdapter>\n</server>\n</application>\n</tars>\n`);
    const r = await tars(['call', OBJ, 'echo', 'tars', '--json'], dir);
    expect(JSON.parse(r.stdout)).to.include({ret: 'tars'});
  });

  it('-e, context, dyeing, hash, TUP and one-way reach the server', async () => {
    const endpoint = formatEndpoint(server.app.servantAdapters[0]!.endpoint);
    const r = await tars(['call', OBJ, 'whoami', '-e', endpoint, '--context', 'user=u1', '--context', 'k=v',
      '--dye', 'd1', '--hash', '99', '--tup', '--json'], dir);
    const seen = JSON.parse(r.stdout).ret as {context: Record<string, string>; version: number; dyeKey: string};
    expect(seen.context).to.deep.equal({user: 'u1', k: 'v'});
    expect(seen.version).to.equal(3);
    expect(seen.dyeKey).to.equal('d1');
    const one = await tars(['call', target, 'note', 'fire', '--oneway', '--json'], dir);
    expect(JSON.parse(one.stdout)).to.include({func: 'note'});
    await tars(['call', target, 'echo', 'barrier'], dir);
    expect(probe.notes).to.include('fire');
  });

  it('--repeat with --concurrency prints a load summary', async () => {
    const r = await tars(['call', target, 'echo', 'x', '--repeat', '200', '--concurrency', '8', '--json'], dir);
    const json = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(json)).to.deep.equal(['calls', 'ok', 'failed', 'byCode', 'callsPerSec', 'p50Ms', 'p90Ms',
      'p99Ms', 'maxMs']);
    expect(json).to.include({calls: 200, ok: 200, failed: 0});
    expect(json.byCode).to.deep.equal({0: 200});
    const failing = await tars(['call', target, 'boom', 'x', '--repeat', '5'], dir);
    expect(failing.stdout).to.match(/by code: -99 TARSSERVERUNKNOWNERR: 5/);
  });

  it('--template prints a skeleton of the arguments and calls nothing', async () => {
    const r = await tars(['call', 'Interop.OfficialServer.EchoObj@tcp -h 127.0.0.1 -p 1', 'echoContainers',
      '--tars', interopTars, '--template'], dir);
    expect(r.exit).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({v: [], m: {}, b: ''});
  });

  describe('errors', () => {
    it('an unknown function is refused before sending, with the signatures (exit 2)', async () => {
      const r = await tars(['call', target, 'ecoh', 'x'], dir);
      expect(r.exit).to.equal(2);
      expect(r.stderr).to.match(/error: RpcTest\.Probe has no function "ecoh"/);
      expect(r.stderr).to.match(/hint: functions: string echo\(string s\);/);
    });

    it('arguments of the wrong type or number are refused with the expected signature (exit 2)', async () => {
      const wrong = await tars(['call', target, 'later', 'soon'], dir);
      expect(wrong.exit).to.equal(2);
      expect(wrong.stderr).to.match(/error: ms: expected int/);
      expect(wrong.stderr).to.match(/hint: expected: int later\(int ms, out string how\)/);
      const count = await tars(['call', target, 'echo'], dir);
      expect(count.exit).to.equal(2);
      expect(count.stderr).to.match(/echo takes 1 argument\(s\), got 0/);
      const json = await tars(['call', 'Interop.X.EchoObj@tcp -h 127.0.0.1 -p 1', 'echoStruct', '{bad',
        '--tars', interopTars], dir);
      expect(json.stderr).to.match(/argument p: not valid JSON/);
    });

    it('a TARS error from the server exits 3 with its name, and --json has the error object', async () => {
      const r = await tars(['call', target, 'boom', 'now'], dir);
      expect(r.exit).to.equal(3);
      expect(r.stderr).to.match(/error: -99 TARSSERVERUNKNOWNERR: boom: now/);
      const j = await tars(['call', target, 'boom', 'now', '--json'], dir);
      const json = JSON.parse(j.stdout) as {error: {code: number; name: string}};
      expect(Object.keys(json)).to.deep.equal(['obj', 'func', 'endpoint', 'error']);
      expect(json.error).to.include({code: -99, name: 'TARSSERVERUNKNOWNERR'});
    });

    it('nothing answering exits 4: a timeout names the endpoint, a refused connect says to check the server', async () => {
      const slow = await tars(['call', target, 'sleep', '2000', '--timeout', '150'], dir);
      expect(slow.exit).to.equal(4);
      expect(slow.stderr).to.match(/error: -7 TARSINVOKETIMEOUT: no answer in 150 ms \(RpcTest\.ProbeServer\.ProbeObj\.sleep at tcp /);
      // The hint can be pasted as it is: the proxy string is quoted.
      expect(slow.stderr).to.match(/\nhint: .* try: tars ping 'RpcTest\.ProbeServer\.ProbeObj@tcp -h 127\.0\.0\.1 -p \d+[^']*'\n/);
      const dead = await tars(['call', `${OBJ}@tcp -h 127.0.0.1 -p 1`, 'echo', 'x', '--tars', interopTars], dir);
      expect(dead.exit).to.equal(2); // no interface Probe in that file: refused before any call
      const refused = await tars(['call', `${OBJ}@tcp -h 127.0.0.1 -p 1`, 'echo', 'x'], dir);
      expect(refused.exit).to.equal(4);
      expect(refused.stderr).to.match(/-8 TARSPROXYCONNECTERR: cannot connect/);
      // The failure is the call's, though it happened while asking for the interface.
      expect(refused.stderr).to.match(/\(RpcTest\.ProbeServer\.ProbeObj\.echo at tcp -h 127\.0\.0\.1 -p 1\)/);
      expect(refused.stderr).to.not.match(/tars_describe|tars ping/);
    });

    it('a wrong object name is -4 (no such servant, exit 3) naming the function called, not "reflection is off"',
      async () => {
        const wrong = target.replace(OBJ, 'RpcTest.ProbeServer.NoSuchObj');
        const r = await tars(['call', wrong, 'echo', 'x'], dir);
        expect(r.exit).to.equal(3);
        expect(r.stderr).to.match(/^error: -4 TARSSERVERNOSERVANTERR: no servant "RpcTest\.ProbeServer\.NoSuchObj" here \(this server has RpcTest\.ProbeServer\.ProbeObj\) \(RpcTest\.ProbeServer\.NoSuchObj\.echo at /);
        expect(r.stderr).to.match(/\nhint: the server does not host this object/);
        expect(r.stderr).to.not.match(/reflection/);
      });

    it('a misspelt function gets "did you mean" and the list of functions (exit 2)', async () => {
      const r = await tars(['call', target, 'ecoh', 'x'], dir);
      expect(r.exit).to.equal(2);
      expect(r.stderr).to.match(/^error: RpcTest\.Probe has no function "ecoh" \(did you mean echo\?\)\nhint: functions: string echo\(string s\);/);
    });

    it('a bare name resolved through the locator is still called while the registry is down (the CLI\'s cache)',
      async () => {
        const port = server.app.servantAdapters[0]!.endpoint.port;
        const registry = await startServer({'tars.tarsregistry.QueryObj': new FixedRegistry(() =>
          [EndpointF.EndpointF.create({host: '127.0.0.1', port, timeout: 3000, istcp: 1})])});
        const locator = registry.proxyString('tars.tarsregistry.QueryObj');
        const cache = mkdtempSync(path.join(os.tmpdir(), 'tars-cli-cache-'));
        const saved = process.env.TARS_CACHE_DIR;
        process.env.TARS_CACHE_DIR = cache;
        try {
          const up = await tars(['call', OBJ, 'echo', 'up', '--locator', locator, '--json'], dir);
          expect(JSON.parse(up.stdout).ret).to.equal('up');
          await registry.close();
          const down = await tars(['call', OBJ, 'echo', 'down', '--locator', locator, '--json'], dir);
          expect(down.exit, down.stderr).to.equal(0);
          expect(JSON.parse(down.stdout).ret).to.equal('down');
        } finally {
          if (saved === undefined) delete process.env.TARS_CACHE_DIR;
          else process.env.TARS_CACHE_DIR = saved;
          await registry.close();
          rmSync(cache, {recursive: true, force: true});
        }
      });

    it('a bare name with no endpoint, project or locator says what to give (exit 2)', async () => {
      const r = await tars(['call', OBJ, 'echo', 'x'], dir);
      expect(r.exit).to.equal(2);
      expect(r.stderr).to.match(/error: no endpoint for RpcTest\.ProbeServer\.ProbeObj/);
      expect(r.stderr).to.match(/hint: give one: .*--locator/);
    });
  });

  describe('against @tars/rpc', () => {
    let official: OfficialServer;
    const recorder = new OracleRecorder();

    before(async () => {
      official = await startOfficialServer(createEchoImp(recorder));
    });

    after(() => official.stop());

    it('strings, structs, containers and bytes, positional and with --data, with a .tars file', async () => {
      const s = await tars(['call', official.proxyString, 'echoString', 'héllo wörld', '--tars', interopTars, '--json']);
      expect(JSON.parse(s.stdout).ret).to.equal('héllo wörld');
      const st = await tars(['call', official.proxyString, 'echoStruct', '{"name": "n", "value": "9007199254740993"}',
        '--tars', interopTars, '--json']);
      expect(JSON.parse(st.stdout)).to.deep.include({ret: 1, out: {q: {name: 'n!', value: '9007199254740994'}}});
      const c = await tars(['call', official.proxyString, 'echoContainers', '--tars', interopTars, '--json', '--data',
        JSON.stringify({v: [1, 2, 3], m: {a: {name: 'x', value: '1'}}, b: Buffer.from([1, 2, 3]).toString('base64')})]);
      const out = JSON.parse(c.stdout) as {ret: number; out: Record<string, unknown>};
      expect(out.ret).to.equal(3);
      expect(out.out).to.deep.equal({v2: [3, 2, 1], m2: {a: {name: 'X', value: '1'}},
        b2: Buffer.from([3, 2, 1]).toString('base64')});
    });

    it('TUP, one-way and a server error through @tars/rpc', async () => {
      const t = await tars(['call', official.proxyString, 'echoString', 'tup', '--tup', '--tars', interopTars, '--json']);
      expect(JSON.parse(t.stdout).ret).to.equal('tup');
      await tars(['call', official.proxyString, 'fire', 'one-way!', '--oneway', '--tars', interopTars]);
      const fired = await recorder.waitFor((c) => c.func === 'fire' && c.args[0] === 'one-way!');
      expect(fired.packetType).to.equal(1);
      const f = await tars(['call', official.proxyString, 'fail', 'send:-42', '--tars', interopTars]);
      expect(f.exit).to.equal(3);
      expect(f.stderr).to.match(/-42/);
    });

    it('tars ping answers for their server too; describe reads the .tars file', async () => {
      const p = await tars(['ping', official.proxyString, '--json']);
      const json = JSON.parse(p.stdout) as {endpoints: {ms?: number}[]};
      expect(json.endpoints[0]!.ms).to.be.a('number');
      const d = await tars(['describe', official.servant, '--tars', interopTars]);
      expect(d.stdout).to.match(/interface Interop\.Echo\n {2}string echoString\(string s\);/);
      expect(d.stdout).to.match(/struct Interop\.Pair\n {2}0 require string name;\n {2}1 optional long value;/);
    });
  });

  it('tars ping: every endpoint with its round-trip time; exit 4 when none answers', async () => {
    const ok = await tars(['ping', target]);
    expect(ok.exit).to.equal(0);
    expect(ok.stdout).to.match(/tcp -h 127\.0\.0\.1 -p \d+ -t 60000 {2}[\d.]+ ms/);
    const dead = await tars(['ping', `${OBJ}@tcp -h 127.0.0.1 -p 1`, '--json']);
    expect(dead.exit).to.equal(4);
    expect(JSON.parse(dead.stdout).endpoints[0].error.code).to.equal(-8);
  });

  it('tars describe by reflection; reflection can be turned off in the server config', async () => {
    const d = await tars(['describe', target, '--json'], dir);
    const json = JSON.parse(d.stdout) as {name: string; operations: {name: string}[]; source: string};
    expect(json.name).to.equal('RpcTest.Probe');
    expect(json.source).to.equal('reflection');
    expect(json.operations.map((o) => o.name)).to.include.members(['echo', 'later', 'whoami']);
    const closed = await startServer({[OBJ]: new Probe()}, {server: 'reflection = n'});
    try {
      const r = await tars(['describe', closed.proxyString(OBJ)], dir);
      expect(r.exit).to.equal(2);
      expect(r.stderr).to.match(/does not describe itself \(tars_describe answered -3: reflection is off/);
      expect(r.stderr).to.match(/hint: give it with --tars/);
    } finally {
      await closed.close();
    }
  });
});

describe('tars settings', () => {
  let config: string;
  let saved: string | undefined;

  beforeEach(() => {
    config = mkdtempSync(path.join(os.tmpdir(), 'tars-settings-'));
    saved = process.env.TARS_CONFIG_DIR;
    process.env.TARS_CONFIG_DIR = config;
  });

  afterEach(() => {
    if (saved === undefined) delete process.env.TARS_CONFIG_DIR;
    else process.env.TARS_CONFIG_DIR = saved;
    rmSync(config, {recursive: true, force: true});
  });

  it('ping and describe wait as long as the saved timeout says', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const obj = `X.Y.ZObj@tcp -h 127.0.0.1 -p ${(silent.address() as net.AddressInfo).port}`;
    try {
      expect((await tars(['settings', 'set', 'timeout', '150'])).exit).to.equal(0);
      const ping = await tars(['ping', obj, '--json']);
      expect(ping.exit).to.equal(4);
      expect(JSON.parse(ping.stdout).endpoints[0].error.message).to.equal('no answer in 150 ms');
      const describe = await tars(['describe', obj]);
      expect(describe.exit).to.equal(4);
      expect(describe.stderr).to.match(/^error: -7 TARSINVOKETIMEOUT: no answer in 150 ms/);
      const flag = await tars(['ping', obj, '--timeout', '120', '--json']);
      expect(JSON.parse(flag.stdout).endpoints[0].error.message).to.equal('no answer in 120 ms');
    } finally {
      silent.close();
    }
  });

  it('set, get, list and unset a setting; unknown keys and bad values are refused without touching the file', async () => {
    const set = await tars(['settings', 'set', 'locator', 'tars.tarsregistry.QueryObj@tcp -h 127.0.0.1 -p 17890']);
    expect(set.exit).to.equal(0);
    expect((await tars(['settings', 'get', 'locator'])).stdout.trim()).to.equal(
      'tars.tarsregistry.QueryObj@tcp -h 127.0.0.1 -p 17890');
    expect((await tars(['settings', 'list'])).stdout).to.match(/locator = tars\.tarsregistry\.QueryObj@/);
    const bad = await tars(['settings', 'set', 'locator', 'not a proxy']);
    expect(bad.exit).to.equal(2);
    const unknown = await tars(['settings', 'set', 'colour', 'blue']);
    expect(unknown.exit).to.equal(2);
    expect(unknown.stderr).to.match(/unknown setting "colour"/);
    expect((await tars(['settings', 'get', 'locator'])).stdout.trim()).to.match(/17890$/);
    expect((await tars(['settings', 'unset', 'locator'])).stdout).to.match(/locator removed/);
    expect((await tars(['settings', 'get', 'locator', '--json'])).stdout).to.match(/"value": null/);
  });
});
