import {expect} from 'chai';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import {ConfigDomain, parseTarsConfig, writeTarsConfig} from '@tars-ts/core';
import {RegistryCtl} from '@tars-ts/core/framework';
import {UserError} from '@tars-ts/kit';

import {nodeFailure, onNodeHost, profileWithEnv, readProfile, renameAdapters, withAdapterFlags} from '../src/deploy-plan.js';
import {portFree} from '@tars-ts/kit';

import {envOf, lastLines, splitCommand} from '../src/node-servers.js';

const id = {application: 'App', serverName: 'Server'};

const sayHello = RegistryCtl.ServerAdapter.create({name: 'X.Y.SayHelloObjAdapter', servant: 'X.Y.SayHelloObj',
  endpoint: 'tcp -h 127.0.0.1 -p 10015 -t 60000', protocol: 'tars', threads: 3, maxConnections: 200, queuecap: 50,
  queuetimeout: 7000, allowIp: '10.0.0.1'});

function thrown(f: () => unknown): UserError {
  try {
    f();
  } catch (error) {
    expect(error).to.be.instanceOf(UserError);
    return error as UserError;
  }
  throw new Error('expected a UserError');
}

describe('deploy plan: adapters', () => {
  it('renames X.Y.SayHelloObj to App.Server.SayHelloObj, keeping the endpoint and the rest', () => {
    expect(renameAdapters([sayHello], id)).to.deep.equal([{...sayHello, servant: 'App.Server.SayHelloObj',
      name: 'App.Server.SayHelloObjAdapter'}]);
    expect(sayHello.servant, 'the input is not changed').to.equal('X.Y.SayHelloObj');
  });

  it('--adapter Obj=ENDPOINT replaces the endpoint of the adapter serving Obj', () => {
    const renamed = renameAdapters([sayHello], id);
    const out = withAdapterFlags(renamed, ['SayHelloObj=tcp -h 0.0.0.0 -p 20000 -t 3000'], id);
    expect(out).to.deep.equal([{...renamed[0]!, endpoint: 'tcp -h 0.0.0.0 -p 20000 -t 3000'}]);
    expect(renamed[0]!.endpoint, 'the input is not changed').to.equal('tcp -h 127.0.0.1 -p 10015 -t 60000');
  });

  it('a full servant name App.Server.Obj works too, spaces around = are trimmed', () => {
    const renamed = renameAdapters([sayHello], id);
    const out = withAdapterFlags(renamed, [' App.Server.SayHelloObj = tcp -h 0.0.0.0 -p 20001 '], id);
    expect(out).to.have.length(1);
    expect(out[0]!.endpoint).to.equal('tcp -h 0.0.0.0 -p 20001');
    expect(out[0]!.threads).to.equal(3);
  });

  it('a new Obj adds an adapter with protocol tars', () => {
    const renamed = renameAdapters([sayHello], id);
    const out = withAdapterFlags(renamed, ['AdminObj=tcp -h 127.0.0.1 -p 20002'], id);
    expect(out).to.have.length(2);
    expect(out[0]).to.deep.equal(renamed[0]);
    expect(out[1]).to.deep.equal(RegistryCtl.ServerAdapter.create({name: 'App.Server.AdminObjAdapter',
      servant: 'App.Server.AdminObj', endpoint: 'tcp -h 127.0.0.1 -p 20002', protocol: 'tars'}));
  });

  it('flags apply in order: adding then overriding the same Obj leaves one adapter', () => {
    const out = withAdapterFlags([], ['A=tcp -h 127.0.0.1 -p 1', 'A=tcp -h 127.0.0.1 -p 2'], id);
    expect(out.map((a) => [a.servant, a.endpoint])).to.deep.equal([['App.Server.A', 'tcp -h 127.0.0.1 -p 2']]);
  });

  it('malformed flags are USAGE errors naming the flag', () => {
    for (const flag of ['SayHelloObj', 'SayHelloObj=', 'SayHelloObj=   ', '=tcp -h 127.0.0.1 -p 1',
      'Say Hello=tcp -h 127.0.0.1 -p 1', 'App.Server.=tcp -h 127.0.0.1 -p 1']) {
      const error = thrown(() => withAdapterFlags([], [flag], id));
      expect(error.code, flag).to.equal('USAGE');
      expect(error.message, flag).to.contain(`--adapter ${flag}`);
    }
  });

  it('an endpoint that does not parse is BAD_ENDPOINT', () => {
    for (const flag of ['Obj=nonsense', 'Obj=http://127.0.0.1:80', 'Obj=tcp -h 127.0.0.1 -p notaport']) {
      const error = thrown(() => withAdapterFlags([], [flag], id));
      expect(error.code, flag).to.equal('BAD_ENDPOINT');
      expect(error.hint, flag).to.match(/tcp -h HOST -p PORT/);
    }
  });
});

describe('deploy plan: the env in the profile', () => {
  const profile = `<tars>
  <application>
    <client>
      locator = tars.tarsregistry.QueryObj@tcp -h 127.0.0.1 -p 17890
    </client>
    <server>
      logLevel = DEBUG
      env = OLD\\=1
      <App.Server.SayHelloObjAdapter>
        endpoint = tcp -h 127.0.0.1 -p 10015
      </App.Server.SayHelloObjAdapter>
    </server>
  </application>
  <custom>
    key = a\\=b
  </custom>
</tars>
`;

  it('sets /tars/application/server<env> to K=V;K2=V2 and keeps the rest', async () => {
    const out = parseTarsConfig(await profileWithEnv(profile, ['A=1', 'B=x=y']), 'out');
    expect(out.get('/tars/application/server<env>')).to.equal('A=1;B=x=y');
    expect(out.get('/tars/application/server<logLevel>')).to.equal('DEBUG');
    expect(out.get('/tars/application/client<locator>')).to.equal('tars.tarsregistry.QueryObj@tcp -h 127.0.0.1 -p 17890');
    expect(out.get('/tars/application/server/App.Server.SayHelloObjAdapter<endpoint>')).to.equal('tcp -h 127.0.0.1 -p 10015');
    expect(out.get('/tars/custom<key>')).to.equal('a=b');
  });

  it('the env it writes is the env the node reads', async () => {
    expect(envOf(await profileWithEnv(profile, ['A=1', 'B=x=y']))).to.deep.equal({A: '1', B: 'x=y'});
  });

  it('an empty profile gets the domains it needs', async () => {
    expect(parseTarsConfig(await profileWithEnv('', ['A=1']), 'out').get('/tars/application/server<env>'))
      .to.equal('A=1');
  });

  it('no env leaves the profile as it is', async () => {
    expect(await profileWithEnv(profile, [])).to.equal(profile);
  });
});

describe('deploy plan: a node\'s failure text', () => {
  it('splits "message\\nhint: text" into the message and the hint', () => {
    const error = nodeFailure('no such server\nhint: deploy it first\nthen start it', 'DEPLOY_FAILED');
    expect(error).to.be.instanceOf(UserError);
    expect(error.message).to.equal('no such server');
    expect(error.hint).to.equal('deploy it first\nthen start it');
    expect(error.code).to.equal('DEPLOY_FAILED');
  });

  it('a text without a hint line is all message', () => {
    const error = nodeFailure('it broke\nbadly', 'USAGE');
    expect(error.message).to.equal('it broke\nbadly');
    expect(error.code).to.equal('USAGE');
  });
});

describe('node: server helpers', () => {
  let tmp: string;

  before(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'tars-helpers-'));
  });

  after(() => {
    rmSync(tmp, {recursive: true, force: true});
  });

  it('splitCommand splits words as a shell: quotes, escapes, empty words', () => {
    expect(splitCommand('node  dist/a.js --x=1 ')).to.deep.equal(['node', 'dist/a.js', '--x=1']);
    expect(splitCommand(`node "a b" 'c d' e\\ f "" ''`)).to.deep.equal(['node', 'a b', 'c d', 'e f', '', '']);
    expect(splitCommand(`"a\\"b" 'a\\b' "a\\nb" "\\$x"`)).to.deep.equal(['a"b', 'a\\b', 'a\\nb', '$x']);
    expect(splitCommand(`pre"mid"'post'`)).to.deep.equal(['premidpost']);
    expect(splitCommand('')).to.deep.equal([]);
    expect(splitCommand(' \t ')).to.deep.equal([]);
  });

  it('splitCommand refuses an unclosed quote', () => {
    for (const line of [`node "a b`, `node 'a`]) {
      const error = thrown(() => splitCommand(line));
      expect(error.message).to.match(/unclosed/);
    }
  });

  it('envOf reads K=V items separated by ; or |', () => {
    const text = '<tars>\n  <application>\n    <server>\n      env = A\\=1;B\\=2|C\\=3\n    </server>\n  </application>\n</tars>\n';
    expect(envOf(text)).to.deep.equal({A: '1', B: '2', C: '3'});
    const config = new ConfigDomain('');
    config.set('/tars/application/server<env>', 'X=a=b;;Y=');
    expect(envOf(writeTarsConfig(config))).to.deep.equal({X: 'a=b', Y: ''});
    expect(envOf('<tars>\n</tars>\n')).to.deep.equal({});
  });

  it('lastLines gives the last N lines, and \'\' for a missing file', async () => {
    const file = path.join(tmp, 'log.txt');
    writeFileSync(file, 'one\ntwo\nthree\nfour\n');
    expect(await lastLines(file, 2)).to.equal('three\nfour');
    expect(await lastLines(file, 10)).to.equal('one\ntwo\nthree\nfour');
    writeFileSync(file, 'line1\nline2\nline3');
    expect(await lastLines(file, 1)).to.equal('line3');
    // reading only the end drops the partial first line
    writeFileSync(file, 'line1\nline2\nline3\n');
    expect(await lastLines(file, 5, 8)).to.equal('line3');
    expect(await lastLines(path.join(tmp, 'missing.txt'), 5)).to.equal('');
  });

  it('portFree is false while a server holds the port and true after it closes', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen({host: '127.0.0.1', port: 0}, resolve));
    const {port} = server.address() as net.AddressInfo;
    try {
      expect(await portFree('127.0.0.1', port)).to.equal(false);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    expect(await portFree('127.0.0.1', port)).to.equal(true);
  });
});

describe('deploy plan: --profile', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-profile-'));
  });
  after(() => rmSync(dir, {recursive: true, force: true}));

  it('reads a TARS config file as it is; a file that does not parse or does not exist is a USAGE error', async () => {
    const good = path.join(dir, 'good.conf');
    const text = '<tars>\n  <application>\n    <client>\n      report-interval = 1000\n    </client>\n  </application>\n</tars>\n';
    writeFileSync(good, text);
    expect(await readProfile(good)).to.equal(text);
    const bad = path.join(dir, 'bad.conf');
    writeFileSync(bad, '<tars>\n<application>\n');
    for (const [file, message] of [[bad, /is not a TARS config: .*never closed/], [path.join(dir, 'none'), /no such file/]] as const) {
      const error = await readProfile(file).then(() => undefined, (e: unknown) => e);
      expect(error).to.be.instanceOf(UserError);
      expect((error as UserError).code).to.equal('USAGE');
      expect((error as UserError).message).to.match(message);
    }
  });
});

describe('onNodeHost: a package written for one machine deployed to a node on another host', () => {
  const adapter = (endpoint: string) => RegistryCtl.ServerAdapter.create({name: 'A.S.ObjAdapter', servant: 'A.S.Obj',
    endpoint});

  it('binds a loopback adapter to the address the node is reached on, keeping port and options', () => {
    const [a] = onNodeHost([adapter('tcp -h 127.0.0.1 -p 10015 -t 60000 -e 1')],
      'tars.tarsnode.NodeObj@tcp -h 198.18.0.3 -p 19385 -t 60000');
    expect(a!.endpoint).to.equal('tcp -h 198.18.0.3 -p 10015 -t 60000 -e 1');
  });

  it('leaves adapters alone on a loopback node (one machine) and adapters bound to another address', () => {
    const loopNode = onNodeHost([adapter('tcp -h 127.0.0.1 -p 10015 -t 60000')],
      'tars.tarsnode.NodeObj@tcp -h 127.0.0.1 -p 19385 -t 60000');
    expect(loopNode[0]!.endpoint).to.equal('tcp -h 127.0.0.1 -p 10015 -t 60000');
    const chosen = onNodeHost([adapter('tcp -h 10.0.0.9 -p 10015 -t 60000')],
      'tars.tarsnode.NodeObj@tcp -h 198.18.0.3 -p 19385 -t 60000');
    expect(chosen[0]!.endpoint).to.equal('tcp -h 10.0.0.9 -p 10015 -t 60000');
  });
});
