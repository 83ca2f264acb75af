// tars.viewproxy: a server's own client view of the objects it calls (what `tars route --from` asks for): each
// proxy's endpoints with their state, and for a blocked one since when and why.
import {expect} from 'chai';

import {Servant} from '@tars-ts/core';

import {EchoProxy} from '../support/echo-service.js';
import {freePort} from '../support/ports.js';
import {type TestServer, startServer} from '../support/test-server.js';

/** The servant EchoProxy calls: EchoHello answers its argument. */
class Echo extends Servant {
  static readonly $interface = EchoProxy.$interface;
  EchoHello(req: string): {ret: number; resp: string} {
    return {ret: 0, resp: req};
  }
}

describe('tars.viewproxy', function () {
  this.timeout(15_000);
  let server: TestServer | undefined;
  after(async () => {
    await server?.close();
  });

  it('lists each proxy\'s endpoints; one that refused a connection is blocked since then, for connect-failure', async () => {
    server = await startServer({'View.Proxy.EchoObj': new Echo()});
    const dead = await freePort();
    const live = server.proxyString('View.Proxy.EchoObj').split('@')[1]!;
    const proxy = server.app.communicator.stringToProxy(EchoProxy,
      `View.Proxy.EchoObj@${live}:tcp -h 127.0.0.1 -p ${dead} -t 3000`, {timeout: 2000});
    const before = Date.now();
    for (let i = 0; i < 6; i++) await proxy.EchoHello('x').catch(() => undefined);

    const json = JSON.parse(await server.app.runAdminCommand(`tars.viewproxy --json View.Proxy`));
    expect(json.now).to.be.a('number');
    const mine = json.proxies.find((p: {obj: string}) => p.obj === 'View.Proxy.EchoObj');
    const deadLine = mine.endpoints.find((e: {endpoint: string}) => e.endpoint.includes(`-p ${dead}`));
    expect(deadLine).to.include({state: 'blocked', reason: 'connect-failure'});
    expect(deadLine.unusableSince).to.be.within(before, Date.now());
    expect(deadLine.blockedUntil).to.be.greaterThan(deadLine.unusableSince);
    const liveLine = mine.endpoints.find((e: {endpoint: string}) => !e.endpoint.includes(`-p ${dead}`));
    expect(liveLine.state).to.equal('active');
    expect(liveLine).to.not.have.property('unusableSince');

    const text = await server.app.runAdminCommand('tars.viewproxy');
    expect(text).to.match(/^\[proxy View\.Proxy\.EchoObj\]$/m);
    expect(text).to.match(new RegExp(`-p ${dead} -t 3000 {2}blocked {2}failures 1 .* since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z ` +
      '\\(connect-failure\\) {2}next probe '));
    expect(await server.app.runAdminCommand('tars.viewproxy Nothing.Here')).to.equal(
      'no client proxy of an object containing "Nothing.Here"');
  });
});
