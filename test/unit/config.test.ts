import {expect} from 'chai';
import fc from 'fast-check';

import {
  ConfigDomain, TarsError, formatEndpoint, parseEndpoint, parseEndpoints, parseProxyString, parseTarsConfig,
  serverConfigOf, writeTarsConfig,
} from '@tars-ts/core';

const SERVER_CONF = `<tars>
  <application>
    enableset = n
    setdivision = NULL
    <client>
      locator = tars.tarsregistry.QueryObj@tcp -h 10.0.0.1 -p 17890
      sync-invoke-timeout = 5000
      async-invoke-timeout = 8000
      refresh-endpoint-interval = 30000
      stat = tars.tarsstat.StatObj
      modulename = TestApp.HelloGo
    </client>
    <server>
      app = TestApp
      server = HelloGo
      localip = 10.0.0.5
      local = tcp -h 127.0.0.1 -p 15001 -t 10000
      node = tars.tarsnode.ServerObj@tcp -h 127.0.0.1 -p 19386
      logpath = /tmp/log
      loglevel = info
      # a comment line
      <TestApp.HelloGo.SayHelloObjAdapter>
        allow = 10.0.0.1;10.0.0.2
        endpoint = tcp -h localip -p 10015 -t 60000
        maxconns = 200000
        queuecap = 10000
        queuetimeout = 60000
        servant = TestApp.HelloGo.SayHelloObj
        threads = 5
      </TestApp.HelloGo.SayHelloObjAdapter>
    </server>
  </application>
</tars>
`;

function errorOf(fn: () => unknown): TarsError {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(TarsError);
    return error as TarsError;
  }
  throw new Error('expected an error');
}

describe('TARS config file', () => {
  it('parses domains, keys, comments, and reads values by TARS path', () => {
    const root = parseTarsConfig(SERVER_CONF, 'server.conf');
    expect(root.get('/tars/application/server<app>')).to.equal('TestApp');
    expect(root.get('/tars/application/client<locator>')).to.equal(
      'tars.tarsregistry.QueryObj@tcp -h 10.0.0.1 -p 17890');
    expect(root.get('/tars/application/server/TestApp.HelloGo.SayHelloObjAdapter<threads>')).to.equal('5');
    expect(root.get('/tars/application/server<nope>')).to.equal(undefined);
  });

  it('keeps everything after the first = (no trailing comments), takes a bare key as empty, lets a repeat override', () => {
    const root = parseTarsConfig('<a>\n  k = v # not a comment\n  url = x=y\n  flag\n  k2 = 1\n  k2 = 2\n</a>\n');
    expect(root.get('/a<k>')).to.equal('v # not a comment');
    expect(root.get('/a<url>')).to.equal('x=y');
    expect(root.get('/a<flag>')).to.equal('');
    expect(root.get('/a<k2>')).to.equal('2');
  });

  it('merges a domain opened twice, and understands escapes', () => {
    const root = parseTarsConfig('<a>\nx = 1\n</a>\n<a>\ny = 2\n</a>\n<b>\nk\\=ey = line\\none\\ttab\n</b>\n');
    expect([...root.domain('/a')!.params]).to.deep.equal([['x', '1'], ['y', '2']]);
    expect(root.get('/b<k=ey>')).to.equal('line\none\ttab');
  });

  it('reports errors with the file and line', () => {
    expect(errorOf(() => parseTarsConfig('<a>\n<b>\n</a>\n', 'x.conf')).message)
      .to.equal('x.conf:3: </a> does not match <b> opened at line 2');
    expect(errorOf(() => parseTarsConfig('<a>\nk = v\n', 'x.conf')).message)
      .to.match(/x\.conf: <a> opened at line 1 is never closed \(expected <\/a>\)/);
    expect(errorOf(() => parseTarsConfig('</a>\n', 'x.conf')).message).to.match(/x\.conf:1: <\/a> closes a domain/);
    expect(errorOf(() => parseTarsConfig('<a>\nk = \\q\n</a>', 'x.conf')).message).to.match(/x\.conf:2: unknown escape/);
    expect(errorOf(() => parseTarsConfig('<a b\n', 'x.conf')).code).to.equal('CONFIG_INVALID');
  });

  it('writes what it reads (round trip), escaping what needs it', () => {
    const root = parseTarsConfig(SERVER_CONF);
    const again = parseTarsConfig(writeTarsConfig(root));
    expect(writeTarsConfig(again)).to.equal(writeTarsConfig(root));
    expect(again.get('/tars/application/server<local>')).to.equal('tcp -h 127.0.0.1 -p 15001 -t 10000');
    fc.assert(fc.property(fc.string({maxLength: 20}).filter((s) => !/[<>&]/.test(s) && s.trim() === s && s !== ''),
      fc.string({maxLength: 30}).filter((s) => !/[<>&]/.test(s) && s.trim() === s), (key, value) => {
        const d = new ConfigDomain('');
        d.set('/x/y<' + key + '>', value);
        if (key.startsWith('#') || key.startsWith('<')) return;
        expect(parseTarsConfig(writeTarsConfig(d)).get('/x/y<' + key + '>')).to.equal(value);
      }), {numRuns: 200});
    const bad = new ConfigDomain('');
    bad.set('/a<k>', 'x<y');
    expect(errorOf(() => writeTarsConfig(bad)).message).to.match(/TarsGo cannot read/);
  });

  it('gives the server view with defaults, localip substituted, and the client properties', () => {
    const cfg = serverConfigOf(parseTarsConfig(SERVER_CONF, 'server.conf'), 'server.conf');
    expect(cfg).to.include({app: 'TestApp', server: 'HelloGo', localip: '10.0.0.5', logpath: '/tmp/log',
      loglevel: 'INFO', enableset: false, nodename: '10.0.0.5'});
    expect(cfg.setdivision).to.equal(undefined);
    expect(cfg.local && formatEndpoint(cfg.local)).to.equal('tcp -h 127.0.0.1 -p 15001 -t 10000');
    const [a] = cfg.adapters;
    expect(a).to.include({name: 'TestApp.HelloGo.SayHelloObjAdapter', servant: 'TestApp.HelloGo.SayHelloObj',
      maxconns: 200000, queuecap: 10000, queuetimeout: 60000, threads: 5, protocol: 'tars'});
    expect(a!.allow).to.deep.equal(['10.0.0.1', '10.0.0.2']);
    expect(formatEndpoint(a!.endpoint)).to.equal('tcp -h 10.0.0.5 -p 10015 -t 60000');
    expect(cfg.client).to.include({syncInvokeTimeout: 5000, asyncInvokeTimeout: 8000, refreshEndpointInterval: 30000,
      stat: 'tars.tarsstat.StatObj', modulename: 'TestApp.HelloGo', reportInterval: 60000});
  });

  it('refuses a server config without app/server, an adapter without servant, or a foreign servant', () => {
    expect(errorOf(() => serverConfigOf(parseTarsConfig('<tars>\n</tars>'), 'c.conf')).message)
      .to.match(/no <tars><application><server> domain/);
    expect(errorOf(() => serverConfigOf(parseTarsConfig(
      '<tars>\n<application>\n<server>\napp = A\n</server>\n</application>\n</tars>'), 'c.conf')).message)
      .to.match(/needs "app" and "server"/);
    const foreign = SERVER_CONF.replace('servant = TestApp.HelloGo.SayHelloObj', 'servant = Other.App.Obj');
    expect(errorOf(() => serverConfigOf(parseTarsConfig(foreign), 'c.conf')).message)
      .to.match(/not a servant of TestApp\.HelloGo/);
    const badNum = SERVER_CONF.replace('maxconns = 200000', 'maxconns = lots');
    expect(errorOf(() => serverConfigOf(parseTarsConfig(badNum), 'c.conf')).message).to.match(/maxconns = lots is not an integer/);
  });
});

describe('endpoints and proxy strings', () => {
  it('parses every option, with TarsGo/TarsCpp defaults', () => {
    expect(parseEndpoint('tcp -h 127.0.0.1 -p 10015')).to.deep.equal({protocol: 'tcp', host: '127.0.0.1', port: 10015,
      timeout: 3000, weight: -1, weightType: 0, grid: 0, qos: 0, authType: 0});
    expect(parseEndpoint('udp -h h.example -p 1 -t 60000 -w 50 -v 1 -g 2 -q 3 -e 1 -b 10.0.0.2')).to.deep.equal({
      protocol: 'udp', host: 'h.example', port: 1, timeout: 60000, weight: 50, weightType: 1, grid: 2, qos: 3,
      authType: 1, bind: '10.0.0.2'});
    expect(parseEndpoint('tcp -h * -p 0').host).to.equal('0.0.0.0');
    expect(parseEndpoint('tcp -h 1.2.3.4 -p 1 -v 1').weight).to.equal(100);
    expect(parseEndpoint('tcp  -h 1.2.3.4   -a  -p 9 -s x').port).to.equal(9);
  });

  it('splits lists where a protocol word starts, so IPv6 hosts survive', () => {
    const list = parseEndpoints('tcp -h ::1 -p 10015 -t 5:udp -h fe80::1:2 -p 7 : tcp -h [2001:db8::1] -p 9');
    expect(list.map(formatEndpoint)).to.deep.equal([
      'tcp -h ::1 -p 10015 -t 5', 'udp -h fe80::1:2 -p 7 -t 3000', 'tcp -h 2001:db8::1 -p 9 -t 3000']);
  });

  it('parses Obj, Obj@endpoints and Obj#hash@endpoints', () => {
    expect(parseProxyString('TestApp.HelloGo.SayHelloObj')).to.deep.equal({objName: 'TestApp.HelloGo.SayHelloObj'});
    const t = parseProxyString('TestApp.HelloGo.SayHelloObj#2@tcp -h 127.0.0.1 -p 10015 -t 60000:tcp -h 127.0.0.2 -p 1');
    expect(t.objName).to.equal('TestApp.HelloGo.SayHelloObj');
    expect(t.hashTag).to.equal('2');
    expect(t.endpoints?.map((e) => e.host)).to.deep.equal(['127.0.0.1', '127.0.0.2']);
    expect(parseProxyString('tars://A.B.C@tcp -h h -p 1').objName).to.equal('A.B.C');
  });

  it('names the problem of a bad endpoint', () => {
    expect(errorOf(() => parseEndpoint('http -h a -p 1')).message).to.match(/must start with tcp, udp or ssl/);
    expect(errorOf(() => parseEndpoint('tcp -p 1')).message).to.match(/no host/);
    expect(errorOf(() => parseEndpoint('tcp -h a -p 70000')).message).to.match(/-p 70000 is outside 0\.\.65535/);
    expect(errorOf(() => parseEndpoint('tcp -h a -p x')).message).to.match(/-p needs an integer/);
    expect(errorOf(() => parseEndpoint('tcp -h a -e 2')).code).to.equal('ENDPOINT_INVALID');
    expect(errorOf(() => parseProxyString('@tcp -h a -p 1')).message).to.match(/no object name/);
    expect(errorOf(() => parseProxyString('A.B.C@')).message).to.match(/no endpoint/);
  });

  it('formats what it parses (round trip)', () => {
    fc.assert(fc.property(fc.constantFrom('tcp', 'udp'), fc.ipV4(), fc.integer({min: 0, max: 65535}),
      fc.integer({min: 0, max: 1e6}), (proto, host, port, timeout) => {
        const text = `${proto} -h ${host} -p ${port} -t ${timeout}`;
        expect(formatEndpoint(parseEndpoint(text))).to.equal(text);
      }), {numRuns: 100});
  });
});
