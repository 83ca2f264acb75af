// "Deploy a server" on the shared cluster (application WebNew): a package uploaded for a server not deployed yet
// (?new=1), deployed with POST /api/deploy (the kit's deploy that `tars server deploy --version` runs), answering a
// call; bad inputs named; and the Services view's form in Chromium from the file input to the new server's page.
import {expect} from 'chai';
import {createHash} from 'node:crypto';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {copyPackageTree} from '@tars-ts/kit';
import * as tar from 'tar';

import {EchoProxy, echoServiceSource, writeServicePackage} from '../../../../test/support/echo-service.js';
import {freePorts} from '../../../../test/support/ports.js';
import type {RunningConsole} from '../src/index.js';
import {events, post, request, session, suiteBrowser, webCluster, webConsole, webTars} from './support.js';

describe('tars web: deploy a new server (POST /api/deploy, the Services view\'s form)', function () {
  this.timeout(240_000);
  let work: string;
  let web: RunningConsole;
  let base: string;
  let locator: string;
  let s: {cookie: string; csrf: string};
  const deployed: string[] = [];

  /** A .tgz of the echo service hosting `obj`, answering `v<version>:`, packed as tars patch upload packs it. */
  async function tgz(obj: string, version: string): Promise<string> {
    const dir = writeServicePackage(path.join(work, `src-${obj}`), 'web-new', echoServiceSource(obj, version));
    const staged = path.join(work, `staged-${obj}`);
    await copyPackageTree(dir, staged);
    const file = path.join(work, `${obj}.tgz`);
    await tar.c({file, gzip: true, portable: true, cwd: staged}, ['index.js', 'node_modules', 'package.json']);
    return file;
  }

  const md5 = (file: string) => createHash('md5').update(readFileSync(file)).digest('hex');
  const headers = (extra: Record<string, string> = {}) => ({cookie: s.cookie, 'x-csrf-token': s.csrf, ...extra});

  const echo = async (obj: string): Promise<string> => {
    const {Communicator} = await import('@tars-ts/core');
    const comm = new Communicator({locator});
    try {
      return (await comm.stringToProxy(EchoProxy, obj, {timeout: 5000}).EchoHello('x')).resp;
    } finally {
      comm.close();
    }
  };

  before(async () => {
    ({locator} = await webCluster());
    work = mkdtempSync(path.join(os.tmpdir(), 'tars-web-new-'));
    web = await webConsole();
    base = web.url;
    s = await session(base);
  });

  after(async () => {
    await web?.close();
    for (const server of deployed) await webTars(['server', 'undeploy', server]).catch(() => undefined);
    if (work) rmSync(work, {recursive: true, force: true});
  });

  describe('the API', () => {
    let version: string;

    it('uploads a package for a server deployed nowhere with ?new=1 (without it: 404 NO_SERVER)', async () => {
      const file = await tgz('WebNew.Api.EchoObj', '1');
      const refused = await request(`${base}api/deploy/WebNew/Api/upload?md5=${md5(file)}`, {method: 'POST',
        body: readFileSync(file), headers: headers({'content-type': 'application/gzip'})});
      expect(refused.status).to.equal(404);
      expect(refused.body.error.code).to.equal('NO_SERVER');
      const badName = await request(`${base}api/deploy/WebNew/a.b/upload?new=1&md5=${md5(file)}`, {method: 'POST',
        body: readFileSync(file), headers: headers({'content-type': 'application/gzip'})});
      expect(badName.status).to.equal(400);
      expect(badName.body.error.code).to.equal('BAD_NAME');
      const stored = await request(`${base}api/deploy/WebNew/Api/upload?new=1&md5=${md5(file)}`, {method: 'POST',
        body: readFileSync(file), headers: headers({'content-type': 'application/gzip', accept: 'application/json'})});
      expect(stored.status, JSON.stringify(stored.body)).to.equal(200);
      version = stored.body.version;
      expect(version).to.match(/^\d+$/);
    });

    it('deploys it, streaming each step, and the new server answers a call through the registry', async () => {
      const [port] = await freePorts(1);
      const nodes = await request(`${base}api/nodes`, {headers: {cookie: s.cookie}});
      expect(nodes.status).to.equal(200);
      const node = nodes.body.nodes.find((n: {alive: boolean}) => n.alive).name;
      deployed.push('WebNew.Api');
      const answer = await events(`${base}api/deploy`, {method: 'POST', headers: {'content-type': 'application/json',
        ...headers()}, body: Buffer.from(JSON.stringify({application: 'WebNew', server: 'Api', node, version,
        adapters: [{obj: 'EchoObj', endpoint: `tcp -h 127.0.0.1 -p ${port} -t 60000`}], env: ['WEBNEW=1']}))});
      expect(answer.status).to.equal(200);
      const steps = answer.events.filter((e) => e.event === 'step').map((e) => `${e.data.step} ${e.data.result}`);
      expect(steps).to.deep.equal(['node running', 'node ok', 'stage running', 'stage ok', 'record running',
        'record ok', 'start running', 'start ok']);
      const done = answer.events.find((e) => e.event === 'done')?.data;
      expect(done, JSON.stringify(answer.events)).to.include({server: 'WebNew.Api', node, state: 'active',
        replaced: false});
      expect(done.pid).to.be.above(0);
      expect(done.adapters[0]).to.include({servant: 'WebNew.Api.EchoObj', endpoint: `tcp -h 127.0.0.1 -p ${port} -t 60000`});
      expect(await echo('WebNew.Api.EchoObj')).to.equal('v1:x');
      const page = await request(`${base}api/servers/WebNew/Api`, {headers: {cookie: s.cookie}});
      expect(page.status).to.equal(200);
      expect(page.body.instances.map((i: {node: string}) => i.node)).to.deep.equal([node]);
    });

    it('a server already deployed on the node is 409 ALREADY_DEPLOYED naming patch', async () => {
      const again = await post(base, 'api/deploy', s, JSON.stringify({application: 'WebNew', server: 'Api',
        version, adapters: []}));
      expect(again.status).to.equal(409);
      expect(again.body.error.code).to.equal('ALREADY_DEPLOYED');
      expect(again.body.error.hint).to.contain('patch');
    });

    it('bad input is 400 naming the field; a version not in the store 404; an unknown node 409 NO_NODE', async () => {
      const ok = {application: 'WebNew', server: 'Nope', version: '1', adapters: [{obj: 'EchoObj',
        endpoint: 'tcp -h 127.0.0.1 -p 1 -t 60000'}]};
      const cases: [object, number, string, string][] = [
        [{...ok, application: 'Web.New'}, 400, 'BAD_NAME', 'Web.New'],
        [{...ok, server: undefined}, 400, 'BAD_NAME', '"server"'],
        [{...ok, version: 'latest'}, 400, 'BAD_REQUEST', '"version"'],
        [{...ok, adapters: [{obj: 'Echo Obj', endpoint: 'tcp -h 127.0.0.1 -p 1'}]}, 400, 'BAD_REQUEST', 'adapters[0].obj'],
        [{...ok, adapters: [{obj: 'EchoObj', endpoint: 'tcp -h 127.0.0.1 -p notaport'}]}, 400, 'BAD_REQUEST', 'adapters[0].endpoint'],
        [{...ok, adapters: 'EchoObj'}, 400, 'BAD_REQUEST', '"adapters"'],
        [{...ok, env: ['NOEQUALS']}, 400, 'BAD_REQUEST', '"env"'],
        [{...ok, set: 'justone'}, 400, 'BAD_REQUEST', '"set"'],
        [{...ok, wait: 500_000}, 400, 'BAD_REQUEST', '"wait"'],
        [{...ok, version: '999999'}, 404, 'NO_VERSION', 'no version 999999'],
      ];
      for (const [body, status, code, words] of cases) {
        const res = await post(base, 'api/deploy', s, JSON.stringify(body));
        expect(res.status, JSON.stringify(body)).to.equal(status);
        expect(res.body.error.code, JSON.stringify(res.body)).to.equal(code);
        expect(res.body.error.message, JSON.stringify(body)).to.contain(words);
      }
      const noNode = await post(base, 'api/deploy', s, JSON.stringify({application: 'WebNew', server: 'Api',
        version, node: 'no-such-node', adapters: [], wait: 5000}));
      expect(noNode.status, JSON.stringify(noNode.body)).to.equal(409);
      expect(noNode.body.error).to.include({code: 'NO_NODE', message: 'node "no-such-node" is not registered'});
      const form = await request(`${base}api/deploy`, {method: 'POST', body: 'a=b', headers: headers({
        'content-type': 'application/x-www-form-urlencoded'})});
      expect(form.status).to.equal(400);
      const noCsrf = await request(`${base}api/deploy`, {method: 'POST', body: JSON.stringify(ok),
        headers: {cookie: s.cookie, 'content-type': 'application/json'}});
      expect(noCsrf.status).to.equal(403);
      const get = await request(`${base}api/deploy`, {headers: {cookie: s.cookie}});
      expect(get.status).to.equal(405);
    });
  });

  describe('in Chromium', () => {
    const browser = suiteBrowser();

    it('fills the form, uploads a package, deploys it and reaches the new server\'s page', async () => {
      const file = await tgz('WebNew.Form.EchoObj', '7');
      const [port] = await freePorts(1);
      const page = await browser.open();
      await page.goto(`${base}#/`);
      await page.getByRole('button', {name: 'Deploy a server'}).click();
      await page.getByLabel('Application', {exact: true}).fill('WebNew');
      await page.getByLabel('Server', {exact: true}).fill('Form');
      await page.getByLabel('Package (.tgz)').setInputFiles(file);
      await page.getByLabel('Object 1', {exact: true}).fill('Spare');
      await page.getByRole('button', {name: 'Add an adapter'}).click();
      await page.getByLabel('Object 2', {exact: true}).waitFor();
      await page.getByRole('button', {name: 'Remove adapter 1'}).click();
      await page.getByLabel('Object 1', {exact: true}).fill('EchoObj');
      await page.getByLabel('Endpoint 1', {exact: true}).fill(`tcp -h 127.0.0.1 -p ${port} -t 60000`);
      await page.getByLabel('Environment (K=V, one a line)').fill('WEBNEW=2');
      deployed.push('WebNew.Form');
      await page.getByRole('button', {name: 'Deploy the server'}).click();
      const link = page.getByRole('link', {name: 'Open WebNew.Form'});
      await link.waitFor({timeout: 120_000});
      const steps = await page.locator('#new-server-steps li').allTextContents();
      expect(steps.length, steps.join('\n')).to.equal(5);
      expect(steps[0]).to.match(/^Uploaded version \d+/);
      await browser.shot(page, 'deploy-new');
      await link.click();
      await page.getByRole('heading', {name: 'WebNew.Form'}).waitFor();
      expect(await echo('WebNew.Form.EchoObj')).to.equal('v7:x');
    });

    it('the form works at 360 px in the dark theme, naming a bad input', async () => {
      const page = await browser.open(360, 780, 'dark');
      await page.goto(`${base}#/`);
      await page.getByRole('button', {name: 'Deploy a server'}).click();
      await page.getByLabel('Application', {exact: true}).fill('Bad.Name');
      await page.getByLabel('Server', {exact: true}).fill('X');
      await page.getByRole('button', {name: 'Deploy the server'}).click();
      const alert = page.locator('#new-server-status[role=alert]');
      await alert.waitFor();
      expect(await alert.textContent()).to.contain('package');
      const wide = Number(await page.evaluate('document.documentElement.scrollWidth'));
      expect(wide, 'nothing wider than the phone').to.be.at.most(360);
      await browser.shot(page, 'deploy-new-phone-dark');
    });
  });
});
