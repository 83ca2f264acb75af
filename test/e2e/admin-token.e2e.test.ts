// The admin token (issue 19, item 6): a cluster bound beyond loopback, in a network namespace of its own (h1), and a
// machine of the network (h2) calling it. Without a token the cluster refuses to start; with one, its admin objects
// (registry writes, deploy, server lists) refuse callers without it or with another one (the TARS auth error -106,
// logged by the server, nothing executed), while lookups and business calls stay open; a caller with the token
// deploys a service that answers anyone. Skips, with the reason, where namespaces cannot be made (not root).
import {expect} from 'chai';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {Hosts, hostsUnavailable} from '../support/netns.js';
import {writeServicePackage} from '../support/echo-service.js';

const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
const TOKEN = 'a-test-token-of-the-cluster';

const ECHO_JS = `import {Application, Servant, T} from '@tars-ts/core';
const ECHO = {name: 'Echo', ret: T.string, params: [{name: 's', tag: 1, type: T.string, out: false}]};
const app = await Application.fromArgs(process.argv);
class Echo extends Servant {
  static $interface = {name: 'Test.Echo', operations: [ECHO]};
  async Echo(s) { return {ret: s}; }
}
app.addServant(new Echo(), 'Guard.Echo.EchoObj');
await app.start();
`;

describe('the admin token of a cluster bound beyond loopback (network namespaces)', function () {
  this.timeout(300_000);
  let hosts: Hosts | undefined;
  let work: string;
  let data: string;
  let locator: string;
  const envWith = (token?: string): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = {...process.env, CI: 'true', TARS_CONFIG_DIR: path.join(work, 'config'),
      TARS_CACHE_DIR: path.join(work, 'cache')};
    delete env.TARS_ADMIN_TOKEN;
    if (token !== undefined) env.TARS_ADMIN_TOKEN = token;
    return env;
  };
  const tars = (host: number, args: string[], token?: string) =>
    hosts!.run(host, [process.execPath, path.join(root, 'bin/run.js'), ...args], envWith(token));

  before(async function () {
    const why = hostsUnavailable();
    if (why) {
      console.log(`    (skipped: ${why})`);
      this.skip();
    }
    work = mkdtempSync(path.join(os.tmpdir(), 'tars-admin-token-'));
    data = path.join(work, 'cluster');
    hosts = Hosts.up(2);
    locator = `tars.tarsregistry.QueryObj@tcp -h ${hosts.addr(1)} -p 17890 -t 60000`;
  });

  after(async () => {
    if (hosts) {
      await tars(1, ['cluster', 'stop', '--data', data], TOKEN);
      hosts.down();
    }
    if (work) rmSync(work, {recursive: true, force: true});
  });

  it('refuses to start beyond loopback without a token, before anything runs', async () => {
    const r = await tars(1, ['cluster', 'start', '--detach', '--host', hosts!.addr(1), '--data', data]);
    expect(r.code, r.out).to.equal(2);
    expect(r.out).to.match(/error: registry would serve tars\.tarsAdminRegistry\.AdminRegObj, .* on 198\.18\.0\.1, beyond this machine, with no admin token/);
    expect(r.out).to.match(/hint: set one on every machine of the cluster \(tars login, or TARS_ADMIN_TOKEN=\.\.\.\)/);
    const status = await tars(1, ['cluster', 'status', '--data', data, '--json']);
    expect(status.code).to.not.equal(0);
  });

  it('with the token it starts; admin objects refuse callers without it or with another, nothing executed', async () => {
    const started = await tars(1, ['cluster', 'start', '--detach', '--host', hosts!.addr(1), '--data', data], TOKEN);
    expect(started.code, started.out).to.equal(0);
    expect(started.out).to.match(/tars\.tarsregistry\.RegistryCtlObj\s+tcp -h 198\.18\.0\.1 -p 17892 -t 60000 -e 1/);

    for (const token of [undefined, 'another-token-entirely']) {
      const add = await tars(2, ['registry', 'add', 'Guard.Manual.Obj', '-e', 'tcp -h 10.0.0.1 -p 1', '--locator',
        locator], token);
      expect(add.code, add.out).to.equal(1);
      expect(add.out).to.match(/^error: -106 AUTH_ERROR: /m);
      expect(add.out).to.match(/^hint: tars\.tarsregistry\.RegistryCtlObj is an admin object of the cluster: save its admin token on this machine \(tars login\)/m);
      const list = await tars(2, ['server', 'list', '--locator', locator], token);
      expect(list.code, list.out).to.not.equal(0);
    }
    // Nothing was written; lookups (QueryObj) need no token.
    const find = await tars(2, ['registry', 'find', 'Guard.Manual.Obj', '--all', '--locator', locator, '--json']);
    expect(find.code, find.out).to.equal(0);
    expect(JSON.parse(find.out)).to.deep.include({endpoints: []});
    // The registry logged the refusals.
    const log = readFileSync(path.join(data, 'registry', 'daemon.log'), 'utf8');
    expect(log).to.match(/auth tars\.tarsregistry\.RegistryCtlObj: refused connection from 198\.18\.0\.2/);
  });

  it('a caller with the token deploys; the service answers everyone', async () => {
    const pkg = path.join(work, 'pkg');
    writeServicePackage(pkg, 'echo', ECHO_JS);
    const deployed = await tars(2, ['server', 'deploy', 'Guard.Echo', '--package', pkg, '--adapter',
      'EchoObj=tcp -h 127.0.0.1 -p 20200 -t 60000', '--locator', locator], TOKEN);
    expect(deployed.code, deployed.out).to.equal(0);
    const call = await tars(2, ['call', 'Guard.Echo.EchoObj', 'Echo', 'hello', '--arg-types', 'string', '--locator',
      locator, '--json']);
    expect(call.code, call.out).to.equal(0);
    expect(call.out).to.contain('hello');
    const list = await tars(2, ['server', 'list', '--locator', locator], TOKEN);
    expect(list.code, list.out).to.equal(0);
    expect(list.out).to.match(/Guard\.Echo/);
  });
});
