// The config file a node writes for a server: golden output for a fixed descriptor (UPDATE_GOLDEN=1 rewrites it), the
// round trip through core's reader, the template + profile merge, macros, and the write-if-changed with .bak.
import {expect} from 'chai';
import {mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import {formatEndpoint, parseTarsConfig, serverConfigOf} from '@tars-ts/core';
import {RegistryDescriptor} from '@tars-ts/core/framework';

import {
  DEFAULT_SERVER_TEMPLATE, type ServerConfigInput, expandMacros, localEndpointOf, serverConfigText, serverLayout,
  serverMacros, writeServerConfig,
} from '../src/index.js';

const golden = path.join(path.dirname(new URL(import.meta.url).pathname), 'golden');

const adapter = (init: Partial<RegistryDescriptor.AdapterDescriptor>): RegistryDescriptor.AdapterDescriptor =>
  RegistryDescriptor.AdapterDescriptor.create(init);

/** A server as a registry describes it: two adapters, in a set, with its own profile over the template. */
function descriptor(init: Partial<RegistryDescriptor.ServerDescriptor> = {}): RegistryDescriptor.ServerDescriptor {
  return RegistryDescriptor.ServerDescriptor.create({
    application: 'TestApp', serverName: 'HelloGo', nodeName: '10.0.0.5', settingState: 'active',
    presentState: 'inactive', serverType: 'tars_go', asyncThreadNum: 3, setId: 'sz.sh.1',
    profile: '<tars>\n<application>\n<client>\nsync-invoke-timeout = 2000\n</client>\n<server>\n' +
      'logLevel = INFO\nhearttimeout = 45000\nenv = GOMAXPROCS\\=2\n</server>\n</application>\n</tars>\n',
    adapters: new Map([
      ['TestApp.HelloGo.SayHelloObjAdapter', adapter({adapterName: 'TestApp.HelloGo.SayHelloObjAdapter',
        threadNum: '5', endpoint: 'tcp -h 10.0.0.5 -p 10015 -t 60000', maxConnections: 10240, allowIp: '',
        servant: 'TestApp.HelloGo.SayHelloObj', queuecap: 100000, queuetimeout: 60000, protocol: 'tars'})],
      ['TestApp.HelloGo.AdminHttpObjAdapter', adapter({adapterName: 'TestApp.HelloGo.AdminHttpObjAdapter',
        threadNum: '1', endpoint: 'tcp -h 10.0.0.5 -p 10016 -t 60000', maxConnections: 128,
        allowIp: '10.0.0.1;10.0.0.2', servant: 'TestApp.HelloGo.AdminHttpObj', queuecap: 1024, queuetimeout: 10000,
        protocol: 'not_tars'})],
    ]),
    ...init,
  });
}

function input(init: Partial<ServerConfigInput> = {}): ServerConfigInput {
  return {
    descriptor: descriptor(),
    node: {serverObjEndpoint: 'tcp -h 10.0.0.5 -p 19386 -t 60000',
      locator: 'tars.tarsregistry.QueryObj@tcp -h 10.0.0.2 -p 17890:tcp -h 10.0.0.3 -p 17890'},
    layout: serverLayout('/usr/local/app/tars/tarsnode/data', 'TestApp', 'HelloGo'),
    local: 'tcp -h 127.0.0.1 -p 31234 -t 10000',
    ...init,
  };
}

describe('node: server config file', () => {
  it('writes the expected file for a fixed descriptor (golden)', () => {
    const text = serverConfigText(input());
    const file = path.join(golden, 'TestApp.HelloGo.config.conf');
    if (process.env.UPDATE_GOLDEN) writeFileSync(file, text);
    expect(text, 'UPDATE_GOLDEN=1 rewrites the golden file').to.equal(readFileSync(file, 'utf8'));
  });

  it('names the node as node_name when it knows its name (what the config center picks node files by)', () => {
    const node = {...input().node, nodeName: 'node-7'};
    const config = parseTarsConfig(serverConfigText(input({node})));
    expect(config.get('/tars/application/server<node_name>')).to.equal('node-7');
    expect(parseTarsConfig(serverConfigText(input())).get('/tars/application/server<node_name>')).to.equal(undefined);
  });

  it('reads back through core as what went in', () => {
    const c = serverConfigOf(parseTarsConfig(serverConfigText(input())));
    expect(c).to.deep.include({app: 'TestApp', server: 'HelloGo', localip: '10.0.0.5',
      node: 'tars.tarsnode.ServerObj@tcp -h 10.0.0.5 -p 19386 -t 60000',
      basepath: '/usr/local/app/tars/tarsnode/data/TestApp.HelloGo/bin/',
      datapath: '/usr/local/app/tars/tarsnode/data/TestApp.HelloGo/data/',
      logpath: '/usr/local/app/tars/tarsnode/data/TestApp.HelloGo/log', loglevel: 'INFO',
      config: 'tars.tarsconfig.ConfigObj', notify: 'tars.tarsnotify.NotifyObj', log: 'tars.tarslog.LogObj',
      enableset: true, setdivision: 'sz.sh.1'});
    expect(formatEndpoint(c.local!)).to.equal('tcp -h 127.0.0.1 -p 31234 -t 10000');
    expect(c.client).to.deep.include({locator: 'tars.tarsregistry.QueryObj@tcp -h 10.0.0.2 -p 17890:tcp -h 10.0.0.3 ' +
      '-p 17890', syncInvokeTimeout: 2000, asyncInvokeTimeout: 5000, refreshEndpointInterval: 60000,
      stat: 'tars.tarsstat.StatObj', property: 'tars.tarsproperty.PropertyObj', reportInterval: 60000,
      modulename: 'TestApp.HelloGo'});
    expect(c.adapters.map((a) => ({...a, endpoint: formatEndpoint(a.endpoint)}))).to.deep.equal([
      {name: 'TestApp.HelloGo.AdminHttpObjAdapter', endpoint: 'tcp -h 10.0.0.5 -p 10016 -t 60000',
        servant: 'TestApp.HelloGo.AdminHttpObj', maxconns: 128, queuecap: 1024, queuetimeout: 10000,
        allow: ['10.0.0.1', '10.0.0.2'], protocol: 'not_tars', threads: 1, concurrency: 1024},
      {name: 'TestApp.HelloGo.SayHelloObjAdapter', endpoint: 'tcp -h 10.0.0.5 -p 10015 -t 60000',
        servant: 'TestApp.HelloGo.SayHelloObj', maxconns: 10240, queuecap: 100000, queuetimeout: 60000, allow: [],
        protocol: 'tars', threads: 5, concurrency: 1024}]);
    // Keys the node itself reads back from the file (framework.md 2.2) survive, escapes included.
    expect(c.raw.get('/tars/application/server<env>')).to.equal('GOMAXPROCS=2');
    expect(c.raw.get('/tars/application/server<hearttimeout>')).to.equal('45000');
    expect(c.raw.get('/tars/application/server<activating-timeout>')).to.equal('60000');
    expect(c.raw.get('/tars/application/server<deactivating-timeout>')).to.equal('3000');
  });

  it('writes the keys TarsGo reads under the names it reads them', () => {
    const root = parseTarsConfig(serverConfigText(input()));
    // TarsGo takes the level from the map key `logLevel` only, and logsize as "10M"-style sizes.
    expect(root.get('/tars/application/server<logLevel>')).to.equal('INFO');
    expect(root.get('/tars/application/server<loglevel>')).to.equal(undefined);
    expect(root.get('/tars/application/server<logsize>')).to.equal('10M');
    expect(root.get('/tars/application<enableset>')).to.equal('y');
    // TarsGo reads the file with Go's XML tokenizer: every domain line must be an XML tag, no other line may hold
    // <, > or & (a key alone, like an empty `allow`, it skips: the same as empty).
    for (const line of serverConfigText(input()).split('\n').map((l) => l.trim()).filter((l) => l !== '')) {
      if (line.startsWith('<')) expect(line).to.match(/^<\/?[A-Za-z_][\w.-]*>$/);
      else expect(line).to.not.match(/[<>&]/);
    }
  });

  it('outside a set: enableset n, setdivision NULL (read back as no set)', () => {
    const text = serverConfigText(input({descriptor: descriptor({setId: ''})}));
    const c = serverConfigOf(parseTarsConfig(text));
    expect(c.enableset).to.equal(false);
    expect(c.setdivision).to.equal(undefined);
    expect(parseTarsConfig(text).get('/tars/application<setdivision>')).to.equal('NULL');
  });

  it('merges the profile over the template over the skeleton, domain by domain and key by key', () => {
    const template = '<tars>\n<application>\n<client>\nasync-invoke-timeout = 7000\nsync-invoke-timeout = 1\n' +
      '</client>\n<server>\nlogLevel = WARN\nlocal = ${local}\nnode = tars.tarsnode.ServerObj@tcp -h 1.1.1.1 -p 1\n' +
      '<TestApp.HelloGo.SayHelloObjAdapter>\nthreads = 9\nqueuecap = 7\n</TestApp.HelloGo.SayHelloObjAdapter>\n' +
      '</server>\n</application>\n</tars>\n';
    const profile = '<tars>\n<application>\n<client>\nsync-invoke-timeout = 2\n</client>\n<server>\n' +
      '<TestApp.HelloGo.SayHelloObjAdapter>\nqueuecap = 8\n</TestApp.HelloGo.SayHelloObjAdapter>\n' +
      '</server>\n</application>\n</tars>\n';
    const root = parseTarsConfig(serverConfigText(input({template, descriptor: descriptor({profile}),
      logLevel: 'ERROR'})));
    expect(root.get('/tars/application/client<async-invoke-timeout>')).to.equal('7000');
    expect(root.get('/tars/application/client<sync-invoke-timeout>')).to.equal('2');
    // The template wins over what the node would write, as officially (the profile is merged over the skeleton).
    expect(root.get('/tars/application/server<logLevel>')).to.equal('WARN');
    expect(root.get('/tars/application/server<node>')).to.equal('tars.tarsnode.ServerObj@tcp -h 1.1.1.1 -p 1');
    const a = root.domain('/tars/application/server/TestApp.HelloGo.SayHelloObjAdapter')!;
    expect(Object.fromEntries(a.params)).to.deep.include({threads: '9', queuecap: '8', maxconns: '10240',
      servant: 'TestApp.HelloGo.SayHelloObj'});
    // Without a template key, the node's log level stands.
    const plain = parseTarsConfig(serverConfigText(input({template: '', descriptor: descriptor({profile: ''}),
      logLevel: 'ERROR'})));
    expect(plain.get('/tars/application/server<logLevel>')).to.equal('ERROR');
    expect(plain.get('/tars/application/server<local>')).to.equal('tcp -h 127.0.0.1 -p 31234 -t 10000');
  });

  it('an empty template and profile still give a file core reads (the skeleton has every node fact)', () => {
    const c = serverConfigOf(parseTarsConfig(serverConfigText(input({template: '',
      descriptor: descriptor({profile: ''})}))));
    expect(c).to.deep.include({app: 'TestApp', server: 'HelloGo', localip: '10.0.0.5', enableset: true});
    expect(c.client.locator).to.match(/^tars\.tarsregistry\.QueryObj@/);
    expect(c.adapters).to.have.length(2);
  });

  it('expands the official macros, escaped, and leaves unknown ones literal', () => {
    const m = serverMacros(input({descriptor: descriptor({exePath: '', configCenterPort: 8080})}));
    expect(Object.fromEntries(m)).to.deep.equal({
      locator: 'tars.tarsregistry.QueryObj@tcp -h 10.0.0.2 -p 17890:tcp -h 10.0.0.3 -p 17890',
      modulename: 'TestApp.HelloGo', app: 'TestApp', server: 'HelloGo', serverid: 'TestApp.HelloGo',
      localip: '10.0.0.5', exe: '/usr/local/app/tars/tarsnode/data/TestApp.HelloGo/bin/HelloGo',
      basepath: '/usr/local/app/tars/tarsnode/data/TestApp.HelloGo/bin/',
      datapath: '/usr/local/app/tars/tarsnode/data/TestApp.HelloGo/data/',
      logpath: '/usr/local/app/tars/tarsnode/data/TestApp.HelloGo/log', local: 'tcp -h 127.0.0.1 -p 31234 -t 10000',
      mainclass: 'com.qq.testapp.hellogo.HelloGo', 'config-center-port': '8080', setdivision: 'sz.sh.1',
      enableset: 'y', asyncthread: '3', baseimage: '', sha: ''});
    expect(expandMacros('a = ${app}\nb = ${nodename}\nc = ${x}', new Map([['app', 'A'], ['x', 'k=v\nz']])))
      .to.equal('a = A\nb = ${nodename}\nc = k\\=v\\nz');
    const profile = '<tars>\n<application>\n<server>\nx = ${serverid}@${localip}\nk = ${mine}\n</server>\n' +
      '</application>\n</tars>\n';
    const root = parseTarsConfig(serverConfigText(input({descriptor: descriptor({profile}),
      macros: {mine: 'v=1', localip: '10.9.9.9'}})));
    expect(root.get('/tars/application/server<x>')).to.equal('TestApp.HelloGo@10.9.9.9');
    expect(root.get('/tars/application/server<k>')).to.equal('v=1');
    expect(root.get('/tars/application/server<localip>')).to.equal('10.9.9.9');
  });

  it('exe follows the official rules for exePath and interpreted servers', () => {
    const exe = (init: Partial<RegistryDescriptor.ServerDescriptor>): string | undefined =>
      serverMacros(input({descriptor: descriptor(init)})).get('exe');
    expect(exe({exePath: 'sub/run'})).to.equal('/usr/local/app/tars/tarsnode/data/TestApp.HelloGo/bin/sub/run');
    expect(exe({exePath: '/opt/x/run'})).to.equal('/opt/x/run');
    expect(exe({serverType: 'tars_nodejs'})).to.equal('node');
  });

  it('refuses what TARS readers cannot take: bad template, bad endpoint, <>& values, non-TARS names', () => {
    expect(() => serverConfigText(input({template: '<tars>\n'}))).to.throw(/template.*never closed/);
    expect(() => serverConfigText(input({descriptor: descriptor({profile: 'k = a\\qb'})})))
      .to.throw(/profile:1: unknown escape/);
    expect(() => serverConfigText(input({local: 'http://x'}))).to.throw(/local: bad endpoint/);
    expect(() => serverConfigText(input({descriptor: descriptor({profile: 'x = a&b'})}))).to.throw(/TarsGo/);
    expect(() => serverConfigText(input({descriptor: descriptor({serverName: '../x'})}))).to.throw(/not a TARS name/);
  });

  it('localEndpointOf gives the admin endpoint of a previous file, or nothing', () => {
    expect(localEndpointOf(serverConfigText(input()))).to.equal('tcp -h 127.0.0.1 -p 31234 -t 10000');
    for (const text of [undefined, '', '<tars>', '<tars>\n<application>\n<server>\nlocal = nope\n</server>\n' +
      '</application>\n</tars>\n']) {
      expect(localEndpointOf(text), String(text)).to.equal(undefined);
    }
  });

  it('the default template parses and has every macro the official one has', () => {
    const names = [...DEFAULT_SERVER_TEMPLATE.matchAll(/\$\{([^}]+)\}/g)].map((m) => m[1]).sort();
    expect(names).to.deep.equal(['app', 'asyncthread', 'basepath', 'datapath', 'enableset', 'local', 'localip',
      'locator', 'logpath', 'modulename', 'server', 'setdivision']);
    expect(() => parseTarsConfig(DEFAULT_SERVER_TEMPLATE)).to.not.throw();
  });

  describe('writeServerConfig', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'tars-node-config-'));
    });
    afterEach(() => rmSync(dir, {recursive: true, force: true}));

    it('writes a new file (creating its directory), then only when the content changes, keeping a .bak', async () => {
      const file = path.join(dir, 'conf', 'A.B.config.conf');
      expect(await writeServerConfig(file, 'one\n')).to.equal(true);
      expect(readFileSync(file, 'utf8')).to.equal('one\n');
      expect(readdirSync(path.dirname(file))).to.deep.equal(['A.B.config.conf']);
      expect(await writeServerConfig(file, 'one\n')).to.equal(false);
      expect(readdirSync(path.dirname(file))).to.deep.equal(['A.B.config.conf']);
      expect(await writeServerConfig(file, 'two\n')).to.equal(true);
      expect(readFileSync(file, 'utf8')).to.equal('two\n');
      expect(readFileSync(`${file}.bak`, 'utf8')).to.equal('one\n');
      expect(await writeServerConfig(file, 'three\n')).to.equal(true);
      expect(readFileSync(`${file}.bak`, 'utf8')).to.equal('two\n');
      // No temporary file is left behind.
      expect(readdirSync(path.dirname(file)).sort()).to.deep.equal(['A.B.config.conf', 'A.B.config.conf.bak']);
    });

    it('a target it cannot read (a directory) is an error, not a missing file, and nothing is written', async () => {
      const file = path.join(dir, 'conf');
      await writeServerConfig(path.join(file, 'x'), 'x');
      // `file` is a directory: reading it fails with EISDIR, which is not "missing".
      let failure: unknown;
      await writeServerConfig(file, 'y').catch((error: unknown) => {
        failure = error;
      });
      expect((failure as NodeJS.ErrnoException).code).to.equal('EISDIR');
      expect(readdirSync(dir)).to.deep.equal(['conf']);
    });
  });
});
