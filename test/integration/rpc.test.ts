// Our client against our server over real loopback sockets: every call form, every failure the client reports,
// the admin object, UDP, the locator, and graceful shutdown.
import {expect} from 'chai';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import {
  Communicator, MessageType, TarsCallError, TarsError, endpoint,
} from '@tars-ts/core';
import {AdminF, EndpointF as EndpointFFile} from '@tars-ts/core/framework';

import {ProbeProxy} from '../golden/codegen/rpctestTars.js';
import {FixedRegistry} from '../support/fixed-registry.js';
import {Probe as ProbeImpl} from '../support/probe.js';
import {type TestServer, startServer} from '../support/test-server.js';
import {sleep, until} from '../support/wait.js';

const OBJ = 'RpcTest.ProbeServer.ProbeObj';


async function failure(p: Promise<unknown>): Promise<TarsCallError> {
  try {
    await p;
  } catch (error) {
    expect(error).to.be.instanceOf(TarsCallError);
    return error as TarsCallError;
  }
  return expect.fail('the call should have failed');
}

/** A port nobody listens on. */
async function deadPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const {port} = s.address() as net.AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

describe('RPC: our client and our server', function () {
  this.timeout(20_000);
  let server: TestServer;
  let impl: ProbeImpl;
  let comm: Communicator;
  let probe: ProbeProxy;

  beforeEach(async () => {
    impl = new ProbeImpl();
    server = await startServer({[OBJ]: impl});
    comm = new Communicator();
    probe = comm.stringToProxy(ProbeProxy, server.proxyString(OBJ));
  });

  afterEach(async () => {
    comm.close();
    await server.close();
  });

  it('awaited calls return the value; many in flight share one connection', async () => {
    expect(await probe.echo('héllo')).to.deep.equal({ret: 'héllo'});
    const results = await Promise.all(Array.from({length: 200}, (_, i) => probe.echo(`m${i}`)));
    expect(results.map((r) => r.ret)).to.deep.equal(Array.from({length: 200}, (_, i) => `m${i}`));
    expect(server.app.servantAdapters[0]!.stats.connections).to.equal(1);
  });

  it('callback-style calls call back with (null, result) or (error)', async () => {
    const ok = await new Promise<unknown>((resolve) => probe.async_echo((e, r) => resolve(e ?? r), 'cb'));
    expect(ok).to.deep.equal({ret: 'cb'});
    const err = await new Promise<unknown>((resolve) => probe.async_boom((e) => resolve(e), 'x'));
    expect(err).to.be.instanceOf(TarsCallError).with.property('returnCode', -99);
  });

  it('one-way calls get no response and still reach the servant', async () => {
    expect(await probe.note('fire and forget', {oneway: true})).to.deep.equal({});
    await probe.echo('barrier');
    expect(impl.notes).to.deep.equal(['fire and forget']);
  });

  it('per-call timeouts fail with -7 naming the endpoint and a likely cause', async () => {
    const e = await failure(probe.sleep(1000, {timeout: 100}));
    expect(e.returnCode).to.equal(-7);
    expect(e.local).to.equal(true);
    expect(e.message).to.match(/^-7 TARSINVOKETIMEOUT: no answer in 100 ms \(RpcTest\.ProbeServer\.ProbeObj\.sleep at tcp -h 127\.0\.0\.1 -p \d+\); is the server up/);
    // The connection stays usable after a timeout.
    expect(await probe.echo('still here')).to.deep.equal({ret: 'still here'});
  });

  it('servant errors arrive as -99 with the message, TARS errors with their own code', async () => {
    const e = await failure(probe.boom('bad input'));
    expect(e.returnCode).to.equal(-99);
    expect(e.message).to.contain('boom: bad input');
    expect(e.local).to.equal(false);
    expect((await failure(probe.boom('tars'))).returnCode).to.equal(-9);
  });

  it('deferred responses answer after the method returned', async () => {
    expect(await probe.later(30)).to.deep.equal({ret: 30, how: 'deferred'});
    expect((await failure(probe.later(-10))).returnCode).to.equal(-9);
  });

  it('an unknown servant gets -4 and an unknown function -3', async () => {
    const wrongObj = comm.stringToProxy(ProbeProxy, server.proxyString(OBJ).replace('ProbeObj@', 'NoSuchObj@'));
    const e4 = await failure(wrongObj.echo('x'));
    expect(e4.returnCode).to.equal(-4);
    expect(e4.message).to.contain('no servant "RpcTest.ProbeServer.NoSuchObj"');
    const raw = comm.objectProxy(server.proxyString(OBJ));
    const e3 = await failure(raw.call({func: 'noSuchFunction', sBuffer: new Uint8Array(0)}));
    expect(e3.returnCode).to.equal(-3);
  });

  it('passes context, status, dyeing, hash and routekey to the server, and context back', async () => {
    const seen = await probe.whoami({context: {user: 'u1'}, status: {custom: 'v'}, dyeKey: 'dye-1', hashCode: 7});
    expect(seen.ret.context).to.deep.equal(new Map([['user', 'u1']]));
    expect(seen.ret.status.get('custom')).to.equal('v');
    expect(seen.ret.status.get('STATUS_DYED_KEY')).to.equal('dye-1');
    expect(seen.ret.dyeKey).to.equal('dye-1');
    expect(seen.ret.messageType & MessageType.TARSMESSAGETYPEDYED).to.not.equal(0);
    expect(seen.ret.messageType & MessageType.TARSMESSAGETYPEHASH).to.not.equal(0);
    expect(seen.ret.remoteHost).to.equal('127.0.0.1');
    await probe.route('shard-9');
    expect(impl.routes).to.deep.equal([`shard-9|shard-9|${MessageType.TARSMESSAGETYPEGRID}`]);
  });

  it('speaks TUP v3, TUP v2 and JSON per call or per proxy', async () => {
    for (const version of [2, 3, 5]) {
      expect(await probe.echo(`v${version}`, {version})).to.deep.equal({ret: `v${version}`});
      const seen = await probe.whoami({version});
      expect(seen.ret.version).to.equal(version);
    }
    const tup = comm.stringToProxy(ProbeProxy, server.proxyString(OBJ), {version: 3});
    expect(await tup.later(5)).to.deep.equal({ret: 5, how: 'deferred'});
  });

  it('tars_ping answers every endpoint with a round-trip time', async () => {
    const results = await comm.objectProxy(server.proxyString(OBJ)).ping();
    expect(results).to.have.length(1);
    expect(results[0]!.ms).to.be.a('number');
    expect(results[0]!.error).to.equal(undefined);
  });

  it('a refused connection fails at once with -8, then backs off, then reconnects when the server is back', async () => {
    const port = await deadPort();
    const dead = comm.stringToProxy(ProbeProxy, `${OBJ}@tcp -h 127.0.0.1 -p ${port} -t 3000`);
    const e = await failure(dead.echo('x'));
    expect(e.returnCode).to.equal(-8);
    expect(e.message).to.match(/cannot connect/);
    const again = await failure(dead.echo('x'));
    expect(again.returnCode).to.equal(-8);
    expect(again.message).to.match(/next attempt in \d+ ms|cannot connect/);
    // Bring a server up on that very port: once the back-off has passed, the same proxy reconnects.
    const second = await startServer({[OBJ]: new ProbeImpl()}, {port});
    try {
      await new Promise((r) => setTimeout(r, 250));
      expect(await dead.echo('back')).to.deep.equal({ret: 'back'});
    } finally {
      await second.close();
    }
  });

  it('a connection the server closes fails the calls in flight with -8 and the next call reconnects', async () => {
    const pending = probe.sleep(2000);
    await until(() => impl.ran.includes(2000), 'the call reached the servant');
    // Drop the connection from the server side.
    const adapter = server.app.servantAdapters[0]!;
    (adapter as unknown as {connections: Set<{conn: {destroy(): void}}>}).connections.forEach((c) => c.conn.destroy());
    const e = await failure(pending);
    expect(e.returnCode).to.equal(-8);
    expect(await probe.echo('reconnected')).to.deep.equal({ret: 'reconnected'});
  });

  it('graceful shutdown finishes requests in flight, then refuses new connections', async () => {
    const inFlight = probe.sleep(300);
    await until(() => impl.ran.includes(300), 'the call reached the servant');
    const closing = server.close();
    expect(await inFlight).to.deep.equal({ret: 300});
    await closing;
    const e = await failure(comm.stringToProxy(ProbeProxy, server.proxyString(OBJ)).echo('late'));
    expect([-8, -7]).to.include(e.returnCode);
  });

  it('AdminObj answers viewstatus, setloglevel, viewversion, connection, help, custom commands and getPid', async () => {
    server.app.addAdminCommand('probe.count', () => `notes=${impl.notes.length}`, 'count notes');
    const admin = comm.stringToProxy(AdminF.AdminFProxy, `AdminObj@tcp -h 127.0.0.1 -p ${server.app.admin!.endpoint.port}`);
    await probe.echo('one call');
    const status = (await admin.notify('tars.viewstatus')).ret;
    expect(status).to.contain('[adapter RpcTest.ProbeServer.ProbeObjAdapter]');
    expect(status).to.match(/requests:\s+1/);
    expect(status).to.match(/queuecap:\s+1024/);
    expect((await admin.notify('tars.setloglevel DEBUG')).ret).to.equal('set log level [DEBUG] ok');
    expect(server.app.logger.level).to.equal('DEBUG');
    expect((await admin.notify('tars.setloglevel LOUD')).ret).to.match(/error/);
    expect((await admin.notify('tars.viewversion')).ret).to.match(/^\$\d+\.\d+\.\d+\$$/);
    expect((await admin.notify('tars.connection')).ret).to.match(/127\.0\.0\.1:\d+ {2}since .* requests 1/);
    expect((await admin.notify('tars.help')).ret).to.contain('probe.count  count notes');
    expect((await admin.notify('probe.count')).ret).to.equal('notes=0');
    expect((await admin.notify('tars.nope')).ret).to.match(/unknown command "tars\.nope"/);
    expect((await admin.notify('tars.loadconfig x.conf')).ret).to.match(/no config center is configured/);
    expect((await admin.getPid()).ret).to.equal(BigInt(process.pid));
    server.app.logger.setLevel('NONE');
  });

  it('a bare object name needs a locator, and says so', async () => {
    const bare = new Communicator().stringToProxy(ProbeProxy, OBJ);
    try {
      await bare.echo('x');
      expect.fail('should fail');
    } catch (error) {
      expect(error).to.be.instanceOf(TarsError).with.property('code', 'NO_LOCATOR');
      expect((error as TarsError).message).to.contain(OBJ);
      expect((error as TarsError).spec.hint).to.match(/set the locator/);
    }
  });

  it('a failed locator lookup is not repeated by every call: it backs off, then tries again', async () => {
    const dead = net.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as net.AddressInfo).port;
    await new Promise((r) => dead.close(r));
    const located = new Communicator({locator: `tars.tarsregistry.QueryObj@tcp -h 127.0.0.1 -p ${port}`});
    let lookups = 0;
    located.use((call, next) => {
      if (call.obj === 'tars.tarsregistry.QueryObj') lookups++;
      return next(call);
    });
    try {
      const p = located.stringToProxy(ProbeProxy, OBJ);
      const errors: unknown[] = [];
      for (let i = 0; i < 20; i++) errors.push(await p.echo('x').catch((e: unknown) => e));
      expect(lookups).to.equal(1);
      expect(errors.every((e) => e instanceof TarsError && (e as TarsError).wireCode === -10)).to.equal(true);
      // After the back-off a call tries the registry again.
      const started = Date.now();
      while (lookups < 2 && Date.now() - started < 5000) {
        await p.echo('x').catch(() => undefined);
        await sleep(50);
      }
      expect(lookups).to.equal(2);
    } finally {
      located.close();
    }
  });

  it('when nothing it lists answers, a proxy asks the locator again within seconds, not at its 60 s refresh', async () => {
    const live = server.app.servantAdapters[0]!.endpoint.port;
    const dead = net.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const gone = (dead.address() as net.AddressInfo).port;
    await new Promise((r) => dead.close(r));
    // The registry first lists a server that is gone; the next lookup lists the live one.
    let port = gone;
    const registryServant = new FixedRegistry(() => [EndpointFFile.EndpointF.create({host: '127.0.0.1', port,
      timeout: 3000, istcp: 1})]);
    const registry = await startServer({'tars.tarsregistry.QueryObj': registryServant});
    const located = new Communicator({locator: registry.proxyString('tars.tarsregistry.QueryObj')});
    try {
      const p = located.stringToProxy(ProbeProxy, OBJ);
      expect(await p.echo('x').catch((e: TarsError) => e.wireCode)).to.equal(-8);
      port = live;
      const started = Date.now();
      let answered = false;
      while (!answered && Date.now() - started < 10_000) {
        answered = await p.echo('y').then(() => true, () => false);
        if (!answered) await sleep(100);
      }
      // Within the loop's 10 s: long before the proxy's 60 s refresh would have looked it up again.
      expect(answered, 'calls reach the server the registry lists now').to.equal(true);
      // Looked up again once or twice, not by every failed call.
      expect(registryServant.lookups).to.be.within(2, 4);
    } finally {
      located.close();
      await registry.close();
    }
  });

  it('resolves a bare object name through the locator (QueryF) and calls the endpoints it lists', async () => {
    const port = server.app.servantAdapters[0]!.endpoint.port;
    const asked: string[] = [];
    const registryServant = new FixedRegistry((id) => {
      asked.push(id);
      return [EndpointFFile.EndpointF.create({host: '127.0.0.1', port, timeout: 3000, istcp: 1})];
    });
    const registry = await startServer({'tars.tarsregistry.QueryObj': registryServant});
    const located = new Communicator({locator: registry.proxyString('tars.tarsregistry.QueryObj')});
    try {
      const p = located.stringToProxy(ProbeProxy, OBJ);
      expect(await p.echo('found')).to.deep.equal({ret: 'found'});
      expect(await p.echo('again')).to.deep.equal({ret: 'again'});
      expect(asked).to.deep.equal([OBJ]);
    } finally {
      located.close();
      await registry.close();
    }
  });

  it('with the registry down, calls go on from the last list: in the process, and after a restart from the cache file',
    async () => {
      const port = server.app.servantAdapters[0]!.endpoint.port;
      const registryServant = new FixedRegistry(() => [EndpointFFile.EndpointF.create({host: '127.0.0.1', port,
        timeout: 3000, istcp: 1})]);
      const registry = await startServer({'tars.tarsregistry.QueryObj': registryServant});
      const dir = mkdtempSync(path.join(os.tmpdir(), 'tars-cache-'));
      const cacheFile = path.join(dir, 'data', 'HelloGo.tarsdat');
      const locator = registry.proxyString('tars.tarsregistry.QueryObj');
      const first = new Communicator({locator, endpointCacheFile: cacheFile, refreshEndpointInterval: 1});
      try {
        const p = first.stringToProxy(ProbeProxy, OBJ);
        expect(await p.echo('found')).to.deep.equal({ret: 'found'});
        // TarsGo's AppCache shape, so either runtime reads the other's file.
        const kept = JSON.parse(readFileSync(cacheFile, 'utf8')) as {ObjCaches: {Name: string; Locator: string;
          Endpoints: {host: string; port: number}[]}[]};
        expect(kept.ObjCaches).to.have.length(1);
        expect(kept.ObjCaches[0]).to.deep.include({Name: OBJ, Locator: locator});
        expect(kept.ObjCaches[0]!.Endpoints[0]).to.deep.include({host: '127.0.0.1', port});
        await registry.close();
        // Refreshes fail now (the interval is 1 ms): the process keeps its list.
        for (let i = 0; i < 5; i++) expect(await p.echo(`still ${i}`)).to.deep.equal({ret: `still ${i}`});
        // A client started now finds the server through the file.
        const restarted = new Communicator({locator, endpointCacheFile: cacheFile});
        try {
          expect(await restarted.stringToProxy(ProbeProxy, OBJ).echo('cached')).to.deep.equal({ret: 'cached'});
        } finally {
          restarted.close();
        }
        // Without the file, the same client has nothing to call.
        const bare = new Communicator({locator});
        try {
          const error = await bare.stringToProxy(ProbeProxy, OBJ).echo('x').catch((e: unknown) => e);
          expect((error as TarsError).wireCode).to.equal(-10);
        } finally {
          bare.close();
        }
      } finally {
        first.close();
        await registry.close();
        rmSync(dir, {recursive: true, force: true});
      }
    });

  it('an unreadable cache file is no cache, not a failure', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tars-cache-'));
    const cacheFile = path.join(dir, 'x.tarsdat');
    writeFileSync(cacheFile, '{not json');
    const comm = new Communicator({locator: 'tars.tarsregistry.QueryObj@tcp -h 127.0.0.1 -p 1', endpointCacheFile: cacheFile});
    try {
      const error = await comm.stringToProxy(ProbeProxy, OBJ).echo('x').catch((e: unknown) => e);
      expect((error as TarsError).wireCode).to.equal(-10);
    } finally {
      comm.close();
      rmSync(dir, {recursive: true, force: true});
    }
  });

  it('the same calls work over UDP', async () => {
    const udp = await startServer({[OBJ]: new ProbeImpl()}, {protocol: 'udp'});
    try {
      const p = comm.stringToProxy(ProbeProxy, udp.proxyString(OBJ));
      expect(udp.proxyString(OBJ)).to.match(/@udp -h/);
      expect(await p.echo('datagram')).to.deep.equal({ret: 'datagram'});
      const results = await Promise.all(Array.from({length: 50}, (_, i) => p.echo(`d${i}`)));
      expect(results.map((r) => r.ret)).to.deep.equal(Array.from({length: 50}, (_, i) => `d${i}`));
      expect((await failure(p.sleep(500, {timeout: 80}))).returnCode).to.equal(-7);
    } finally {
      await udp.close();
    }
  });

  it('keep-alive pings keep an idle connection open past the server idle timeout; without them it is closed', async () => {
    const idle = await startServer({[OBJ]: new ProbeImpl()}, {idleMs: 300});
    const quiet = new Communicator();
    const alive = new Communicator({keepAliveInterval: 80});
    try {
      const adapter = idle.app.servantAdapters[0]!;
      await quiet.stringToProxy(ProbeProxy, idle.proxyString(OBJ)).echo('a');
      await alive.stringToProxy(ProbeProxy, idle.proxyString(OBJ)).echo('b');
      expect(adapter.stats.connections).to.equal(2);
      // The quiet client's connection is closed by the server's -t 300; the pinging one stays, past several idle
      // timeouts (a lower bound).
      await until(() => adapter.stats.connections === 1, 'the quiet connection closed');
      await sleep(700);
      expect(adapter.stats.connections).to.equal(1);
      const channel = alive.channel(idle.app.servantAdapters[0]!.endpoint) as unknown as {keepAlivesSent: number};
      expect(channel.keepAlivesSent).to.be.at.least(1);
      // Both clients still call fine (the quiet one reconnects).
      expect(await quiet.stringToProxy(ProbeProxy, idle.proxyString(OBJ)).echo('c')).to.deep.equal({ret: 'c'});
    } finally {
      quiet.close();
      alive.close();
      await idle.close();
    }
  });

  it('endpoint helper builds endpoints for custom channel factories', () => {
    expect(endpoint({host: 'h', port: 1})).to.include({protocol: 'tcp', timeout: 3000, weight: -1});
  });
});
