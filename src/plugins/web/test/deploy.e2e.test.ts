// The console's Deploy tab on the shared cluster: a server of its own (Web.Dep, an echo service deployed from a
// directory) gets versions uploaded through the API (streamed to the patch server in chunks, with progress events),
// is patched to one with batch 1 while the rollout's events are followed, rolled back, sent notify commands and
// undeployed; every route's errors; then in Chromium a package is picked with the file input, uploaded with its
// progress, patched, and the rollout followed to "done".
import {expect} from 'chai';
import {createHash, randomBytes} from 'node:crypto';
import {mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

import {copyPackageTree} from '@tars-ts/kit';
import * as tar from 'tar';

import {EchoProxy, echoServiceSource, writeServicePackage} from '../../../../test/support/echo-service.js';
import {freePorts} from '../../../../test/support/ports.js';
import {until} from '../../../../test/support/wait.js';
import type {RunningConsole} from '../src/index.js';
import {type Sse, events, post, request, session, suiteBrowser, webCluster, webConsole, webTars} from './support.js';

describe('tars web: the Deploy tab (versions, upload, patch, rollback, notify, undeploy)', function () {
  this.timeout(240_000);
  let work: string;
  let web: RunningConsole;
  let base: string;
  let s: {cookie: string; csrf: string};
  let locator: string;
  const packages = new Map<string, string>();

  /**
   * A .tgz of the echo service answering `v<version>:`, packed as `tars patch upload DIR` packs it, with 1.5 MiB of
   * random bytes so that it spans more than one upload chunk (1 MiB).
   */
  async function tgz(version: string, source = echoServiceSource('Web.Dep.EchoObj', version)): Promise<string> {
    const dir = writeServicePackage(path.join(work, `src${version}`), 'web-dep', source);
    const staged = path.join(work, `staged${version}`);
    await copyPackageTree(dir, staged);
    writeFileSync(path.join(staged, 'padding.bin'), randomBytes(1536 * 1024));
    const file = path.join(work, `Web.Dep-${version}.tgz`);
    await tar.c({file, gzip: true, portable: true, cwd: staged}, ['index.js', 'node_modules', 'package.json', 'padding.bin']);
    packages.set(version, file);
    return file;
  }

  const md5 = (file: string) => createHash('md5').update(readFileSync(file)).digest('hex');
  const headers = (extra: Record<string, string> = {}) => ({cookie: s.cookie, 'x-csrf-token': s.csrf, ...extra});

  /** POST a package to the upload route, following its progress events. */
  const upload = (file: string, comment: string) => events(`${base}api/deploy/Web/Dep/upload?${new URLSearchParams({
    md5: md5(file), comment})}`, {method: 'POST', body: readFileSync(file), headers: headers({
    'content-type': 'application/gzip'})});

  /** Starts a rollout (patch or rollback) and follows its events to the end. */
  async function rollout(kind: 'patch' | 'rollback', body: object): Promise<{job: any; steps: Sse[]; end: any}> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const started = await post(base, `api/deploy/Web/Dep/${kind}`, s, JSON.stringify(body));
    expect(started.status, JSON.stringify(started.body)).to.equal(200);
    const {job} = started.body;
    const followed = await events(`${base}api/rollouts/${job.id}/events`, {headers: {cookie: s.cookie}});
    expect(followed.status).to.equal(200);
    return {job, steps: followed.events.filter((e) => e.event === 'step'),
      end: followed.events.find((e) => e.event === 'end')?.data};
  }

  const echo = async (): Promise<string> => {
    const {Communicator} = await import('@tars-ts/core');
    const comm = new Communicator({locator});
    try {
      return (await comm.stringToProxy(EchoProxy, 'Web.Dep.EchoObj', {timeout: 3000}).EchoHello('x')).resp;
    } finally {
      comm.close();
    }
  };

  before(async () => {
    ({locator} = await webCluster());
    work = mkdtempSync(path.join(os.tmpdir(), 'tars-web-deploy-'));
    const dir = writeServicePackage(path.join(work, 'first'), 'web-dep', echoServiceSource('Web.Dep.EchoObj', '0'));
    const [port] = await freePorts(1);
    const deployed = await webTars(['server', 'deploy', 'Web.Dep', '--package', dir, '--adapter',
      `EchoObj=tcp -h 127.0.0.1 -p ${port} -t 60000`]);
    expect(deployed.exit, deployed.stderr + deployed.stdout).to.equal(0);
    web = await webConsole();
    base = web.url;
    s = await session(base);
  });

  after(async () => {
    await web?.close();
    await webTars(['server', 'undeploy', 'Web.Dep']).catch(() => undefined);
    if (work) rmSync(work, {recursive: true, force: true});
  });

  describe('the API', () => {
    it('uploads v1 and v2 in chunks with progress events; the list shows them, newest first, and what each node runs', async () => {
      const v1 = await upload(await tgz('1'), 'first');
      expect(v1.status).to.equal(200);
      const progress = v1.events.filter((e) => e.event === 'progress').map((e) => e.data.sent as number);
      const size = statSync(packages.get('1')!).size;
      expect(size, 'the package spans several 1 MiB chunks').to.be.above(1024 * 1024);
      expect(progress.length).to.be.at.least(2);
      expect(progress).to.deep.equal([...progress].sort((a, b) => a - b));
      expect(progress.at(-1)).to.equal(size);
      const version1 = v1.events.find((e) => e.event === 'version')!.data;
      expect(version1).to.include({app: 'Web', server: 'Dep', version: '1', comment: 'first', size});
      expect(version1.uploader).to.match(/^tars web \(/);

      const v2 = await upload(await tgz('2'), 'second');
      expect(v2.events.at(-1)!.event).to.equal('version');
      expect(v2.events.at(-1)!.data.version).to.equal('2');

      const list = await request(`${base}api/deploy/Web/Dep`, {headers: {cookie: s.cookie}});
      expect(list.status).to.equal(200);
      expect(list.body.versions.map((v: {version: string}) => v.version)).to.deep.equal(['2', '1']);
      expect(list.body.versions[0]).to.include({md5: md5(packages.get('2')!)});
      expect(list.body.versions[0].nodes).to.deep.equal([]);
      expect(list.body.instances).to.have.length(1);
      expect(list.body.instances[0].release).to.equal('');
      expect(list.body.running).to.equal(null);
    });

    it('an upload without events answers the version as JSON', async () => {
      const file = packages.get('1')!;
      const res = await request(`${base}api/deploy/Web/Dep/upload?md5=${md5(file)}`, {method: 'POST',
        body: readFileSync(file), headers: headers({'content-type': 'application/octet-stream', accept: 'application/json'})});
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body).to.include({version: '3', comment: ''});
      const removed = await request(`${base}api/deploy/Web/Dep/versions/3`, {method: 'DELETE', headers: headers()});
      expect(removed.status, JSON.stringify(removed.body)).to.equal(200);
      expect(removed.body).to.deep.equal({server: 'Web.Dep', version: '3', removed: true});
      const gone = await request(`${base}api/deploy/Web/Dep/versions/3`, {method: 'DELETE', headers: headers()});
      expect(gone.status).to.equal(404);
      expect(gone.body.error.code).to.equal('NO_VERSION');
    });

    it('upload errors: no CSRF 403, wrong type or md5 400, over the limit 413 naming it, a bad archive 400 with the patch server\'s words, unknown server 404, GET 405', async () => {
      const file = packages.get('1')!;
      const route = `${base}api/deploy/Web/Dep/upload?md5=${md5(file)}`;
      const noCsrf = await request(route, {method: 'POST', body: readFileSync(file), headers: {cookie: s.cookie,
        'content-type': 'application/gzip'}});
      expect(noCsrf.status).to.equal(403);
      expect(noCsrf.body.error.code).to.equal('CSRF');
      const form = await request(route, {method: 'POST', body: 'a=b', headers: headers({
        'content-type': 'application/x-www-form-urlencoded'})});
      expect(form.status).to.equal(400);
      expect(form.body.error.message).to.contain('application/x-www-form-urlencoded');
      const noMd5 = await request(`${base}api/deploy/Web/Dep/upload`, {method: 'POST', body: readFileSync(file),
        headers: headers({'content-type': 'application/gzip'})});
      expect(noMd5.status).to.equal(400);
      expect(noMd5.body.error.message).to.contain('md5');
      const wrongMd5 = await request(`${base}api/deploy/Web/Dep/upload?md5=${'0'.repeat(32)}`, {method: 'POST',
        body: readFileSync(file), headers: headers({'content-type': 'application/gzip'})});
      expect(wrongMd5.status).to.equal(400);
      expect(wrongMd5.body.error.code).to.equal('BAD_PACKAGE');
      const huge = await new Promise<{status: number; body: any}>((resolve, reject) => { // eslint-disable-line @typescript-eslint/no-explicit-any
        const req = http.request(route, {method: 'POST', headers: headers({'content-type': 'application/gzip',
          'content-length': String(300 * 1024 * 1024)})}, (res) => {
          let text = '';
          res.on('data', (c) => {
            text += c;
          });
          res.on('end', () => {
            req.destroy();
            resolve({status: res.statusCode ?? 0, body: JSON.parse(text)});
          });
        });
        req.on('error', reject);
        req.write(Buffer.alloc(1024));
      });
      expect(huge.status).to.equal(413);
      expect(huge.body.error).to.include({code: 'TOO_LARGE'});
      expect(huge.body.error.message).to.contain('256 MiB');
      const text = Buffer.from('not a gzip archive at all\n');
      const bad = await request(`${base}api/deploy/Web/Dep/upload?md5=${createHash('md5').update(text).digest('hex')}`,
        {method: 'POST', body: text, headers: headers({'content-type': 'application/gzip'})});
      expect(bad.status).to.equal(400);
      expect(bad.body.error.code).to.equal('BAD_PACKAGE');
      expect(bad.body.error.message).to.match(/^the patch server refused the package for Web\.Dep: .+/);
      const unknown = await request(`${base}api/deploy/Web/Nope/upload?md5=${md5(file)}`, {method: 'POST',
        body: readFileSync(file), headers: headers({'content-type': 'application/gzip'})});
      expect(unknown.status).to.equal(404);
      expect(unknown.body.error.code).to.equal('NO_SERVER');
      const get = await request(route, {headers: {cookie: s.cookie}});
      expect(get.status).to.equal(405);
      const list = await request(`${base}api/deploy/Web/Dep`, {headers: {cookie: s.cookie}});
      expect(list.body.versions.map((v: {version: string}) => v.version), 'nothing refused was stored')
        .to.deep.equal(['2', '1']);
    });

    it('a rollback before any store version runs is refused, naming why', async () => {
      const res = await post(base, 'api/deploy/Web/Dep/rollback', s, '{}');
      expect(res.status).to.equal(409);
      expect(res.body.error).to.include({code: 'NO_VERSION', message: 'Web.Dep runs no version from the patch store'});
    });

    it('patch to v2 with batch 1: each node\'s steps stream as they happen, the outcome says where it runs', async () => {
      const {job, steps, end} = await rollout('patch', {version: '2', batch: 1});
      expect(job).to.include({server: 'Web.Dep', kind: 'patch', version: '2', batch: 1, state: 'running'});
      const node = job.batches[0][0] as string;
      expect(steps.map((e) => `${e.data.step}:${e.data.result}`)).to.deep.equal(['download:running', 'download:ok',
        'switch:running', 'switch:ok']);
      expect(steps.every((e) => e.data.node === node && e.data.batch === 1 && e.data.batches === 1)).to.equal(true);
      expect(end).to.include({state: 'done', version: '2'});
      expect(end.outcome.nodes.map((n: {node: string}) => n.node)).to.deep.equal([node]);
      expect(await echo()).to.equal('v2:x');
      const list = await request(`${base}api/deploy/Web/Dep`, {headers: {cookie: s.cookie}});
      expect(list.body.instances[0].release).to.equal('2');
      expect(list.body.versions[0].nodes).to.deep.equal([node]);
      const again = await request(`${base}api/rollouts/${job.id}`, {headers: {cookie: s.cookie}});
      expect(again.status).to.equal(200);
      expect(again.body.state).to.equal('done');
      expect(again.body.events).to.have.length(4);
    });

    it('one rollout per server at a time: a second is 409 naming the running one', async () => {
      const first = await post(base, 'api/deploy/Web/Dep/patch', s, JSON.stringify({version: '1'}));
      expect(first.status).to.equal(200);
      const second = await post(base, 'api/deploy/Web/Dep/patch', s, JSON.stringify({version: '1'}));
      expect(second.status).to.equal(409);
      expect(second.body.error.code).to.equal('ROLLOUT_RUNNING');
      expect(second.body.error.message).to.contain(`rollout ${first.body.job.id} of Web.Dep to version 1`);
      const followed = await events(`${base}api/rollouts/${first.body.job.id}/events`, {headers: {cookie: s.cookie}});
      expect(followed.events.at(-1)!.data.state).to.equal('done');
      expect(await echo()).to.equal('v1:x');
      const back = await rollout('patch', {version: '2'});
      expect(back.end.state).to.equal('done');
    });

    it('removing the version a node runs is refused (409 naming the node)', async () => {
      const res = await request(`${base}api/deploy/Web/Dep/versions/2`, {method: 'DELETE', headers: headers()});
      expect(res.status).to.equal(409);
      expect(res.body.error.code).to.equal('VERSION_RUNNING');
      expect(res.body.error.message).to.match(/^version 2 of Web\.Dep runs on \S+/);
      const bad = await request(`${base}api/deploy/Web/Dep/versions/latest`, {method: 'DELETE', headers: headers()});
      expect(bad.status).to.equal(400);
      const noCsrf = await request(`${base}api/deploy/Web/Dep/versions/1`, {method: 'DELETE', headers: {cookie: s.cookie}});
      expect(noCsrf.status).to.equal(403);
    });

    it('rollback goes to the version before the one running', async () => {
      const {job, end} = await rollout('rollback', {batch: 1});
      expect(job).to.include({kind: 'rollback', version: '1'});
      expect(end.state).to.equal('done');
      expect(await echo()).to.equal('v1:x');
    });

    it('a version whose server does not come up: the node goes back, the rollout fails saying where', async () => {
      const up = await upload(await tgz('broken', 'process.exit(3);\n'), 'exits at once');
      const version = up.events.find((e) => e.event === 'version')!.data.version as string;
      const {job, steps, end} = await rollout('patch', {version, batch: 1});
      const node = job.batches[0][0] as string;
      expect(steps.map((e) => `${e.data.step}:${e.data.result}`)).to.deep.equal(['download:running', 'download:ok',
        'switch:running', 'switch:failed']);
      expect(end.state).to.equal('failed');
      expect(end.error.code).to.equal('ACTION_FAILED');
      expect(end.error.message).to.match(new RegExp(`^rollout stopped at node ${node.replace(/\./g, '\\.')} ` +
        '\\(batch 1 of 1; done: none\\): '));
      expect(end.error.hint).to.contain('went back to the version it ran');
      expect(await echo(), 'the node went back to version 1').to.equal('v1:x');
      const list = await request(`${base}api/deploy/Web/Dep`, {headers: {cookie: s.cookie}});
      expect(list.body.instances[0].release).to.equal('1');
      const removed = await request(`${base}api/deploy/Web/Dep/versions/${version}`, {method: 'DELETE', headers: headers()});
      expect(removed.status).to.equal(200);
    });

    it('patch and rollback errors: bad version, batch or nodes 400, unknown version or node 404, unknown rollout 404', async () => {
      const cases: [string, object, number, string][] = [
        ['patch', {}, 400, 'BAD_REQUEST'],
        ['patch', {version: 2}, 400, 'BAD_REQUEST'],
        ['patch', {version: '2', batch: -1}, 400, 'BAD_REQUEST'],
        ['patch', {version: '2', nodes: 'a'}, 400, 'BAD_REQUEST'],
        ['patch', {version: '2', waitHealthy: 'yes'}, 400, 'BAD_REQUEST'],
        ['patch', {version: '99'}, 404, 'NO_VERSION'],
        ['patch', {version: '2', nodes: ['no-such-node']}, 404, 'NO_SERVER'],
        ['rollback', {batch: 1.5}, 400, 'BAD_REQUEST'],
      ];
      for (const [kind, body, status, code] of cases) {
        const res = await post(base, `api/deploy/Web/Dep/${kind}`, s, JSON.stringify(body));
        expect(res.status, `${kind} ${JSON.stringify(body)}: ${JSON.stringify(res.body)}`).to.equal(status);
        expect(res.body.error.code).to.equal(code);
        expect(res.body.error.hint).to.be.a('string').and.not.equal('');
      }
      const unknownServer = await post(base, 'api/deploy/Web/Nope/patch', s, JSON.stringify({version: '1'}));
      expect(unknownServer.status).to.equal(404);
      const noCsrf = await post(base, 'api/deploy/Web/Dep/patch', {cookie: s.cookie}, JSON.stringify({version: '1'}));
      expect(noCsrf.status).to.equal(403);
      const notJson = await post(base, 'api/deploy/Web/Dep/rollback', s, 'x', 'text/plain');
      expect(notJson.status).to.equal(400);
      const noJob = await request(`${base}api/rollouts/nothere`, {headers: {cookie: s.cookie}});
      expect(noJob.status).to.equal(404);
      expect(noJob.body.error.code).to.equal('NO_JOB');
      const noJobEvents = await request(`${base}api/rollouts/nothere/events`, {headers: {cookie: s.cookie}});
      expect(noJobEvents.status).to.equal(404);
      const wrongMethod = await request(`${base}api/deploy/Web/Dep/patch`, {headers: {cookie: s.cookie}});
      expect(wrongMethod.status).to.equal(405);
    });

    it('notify sends a command to every node (or one) and gives each node\'s answer; its errors', async () => {
      const res = await post(base, 'api/deploy/Web/Dep/notify', s, JSON.stringify({command: 'tars.viewversion'}));
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body).to.include({server: 'Web.Dep', command: 'tars.viewversion'});
      expect(res.body.nodes).to.have.length(1);
      expect(res.body.nodes[0].ok).to.equal(true);
      expect(res.body.nodes[0].answer).to.be.a('string').and.not.equal('');
      const node = res.body.nodes[0].node as string;
      const level = await post(base, 'api/deploy/Web/Dep/notify', s, JSON.stringify({command: 'tars.setloglevel DEBUG', node}));
      expect(level.status).to.equal(200);
      expect(level.body.nodes.map((n: {node: string}) => n.node)).to.deep.equal([node]);
      for (const [body, status] of [[{}, 400], [{command: ''}, 400], [{command: 'a\nb'}, 400], [{command: 7}, 400],
        [{command: 'tars.help', node: 'no-such-node'}, 404]] as const) {
        const bad = await post(base, 'api/deploy/Web/Dep/notify', s, JSON.stringify(body));
        expect(bad.status, JSON.stringify(body)).to.equal(status);
      }
      expect((await post(base, 'api/deploy/Web/Nope/notify', s, '{"command": "tars.help"}')).status).to.equal(404);
      expect((await post(base, 'api/deploy/Web/Dep/notify', {cookie: s.cookie}, '{"command": "tars.help"}')).status)
        .to.equal(403);
    });

    it('GET errors: unknown server 404, bad name 400; with a token, no session is 401', async () => {
      const unknown = await request(`${base}api/deploy/Web/Nope`, {headers: {cookie: s.cookie}});
      expect(unknown.status).to.equal(404);
      expect(unknown.body.error.code).to.equal('NO_SERVER');
      const bad = await request(`${base}api/deploy/W%20eb/Dep`, {headers: {cookie: s.cookie}});
      expect(bad.status).to.equal(400);
      const guarded = await webConsole({token: 'deploy-test-token-0123456789'});
      try {
        for (const route of ['api/deploy/Web/Dep', 'api/rollouts/x', 'api/rollouts/x/events']) {
          const res = await request(`${guarded.url}${route}`);
          expect(res.status, route).to.equal(401);
          expect(res.body.error.code).to.equal('NO_SESSION');
        }
        const write = await request(`${guarded.url}api/deploy/Web/Dep/undeploy`, {method: 'POST', body: '{}',
          headers: {'content-type': 'application/json'}});
        expect(write.status).to.equal(401);
      } finally {
        await guarded.close();
      }
    });
  });

  describe('in Chromium', () => {
    const browser = suiteBrowser();

    it('uploads a package with the file input, patches it and watches the rollout reach done', async () => {
      const file = await tgz('4');
      const page = await browser.open();
      await page.goto(`${base}#/server/Web/Dep/deploy`);
      await page.getByRole('cell', {name: 'first'}).waitFor();
      await page.getByLabel('Package (.tgz)').setInputFiles(file);
      await page.getByLabel('Comment', {exact: true}).fill('from the browser');
      await page.getByRole('button', {name: 'Upload to Web.Dep'}).click();
      const status = page.locator('#deploy-upload-status');
      await status.filter({hasText: /^Uploaded Web\.Dep-4\.tgz as version \d+ of Web\.Dep/}).waitFor({timeout: 60_000});
      const uploaded = /as version (\d+)/.exec(await status.innerText())![1]!;
      expect(await page.locator('#deploy-upload-progress').evaluate((p) => {
        const bar = p as unknown as {value: number; max: number};
        return bar.value === bar.max && bar.max > 1024 * 1024;
      })).to.equal(true);
      await page.locator(`tr[data-version="${uploaded}"]`).waitFor();
      expect(await page.locator('#deploy-version').inputValue()).to.equal(uploaded);

      await page.getByLabel('Nodes at a time (0: all)').fill('1');
      await page.getByRole('button', {name: 'Patch Web.Dep'}).click();
      const rollout = page.locator('#deploy-rollout-status');
      await page.locator('.deploy-log li', {hasText: 'download · running'}).waitFor({timeout: 30_000});
      await page.locator('#deploy-rollout-status[data-outcome="done"]').waitFor({timeout: 90_000});
      expect(await rollout.innerText()).to.match(new RegExp(`^Rollout of version ${uploaded} to Web\\.Dep: done\\. ` +
        `Version ${uploaded} runs on \\S+\\.$`));
      const log = await page.locator('.deploy-log li').allInnerTexts();
      expect(log.map((l) => l.split(' · ').slice(2, 4).join(' '))).to.deep.equal(['download running', 'download ok',
        'switch and restart running', 'switch and restart ok']);
      await until(async () => await echo() === 'v4:x', 'version 4 answering', 10_000);
      await page.locator(`tr[data-version="${uploaded}"] td[data-label="Runs on"]`).filter({hasText: /\S/})
        .filter({hasNotText: '–'}).waitFor();

      await page.getByLabel('Command', {exact: true}).fill('tars.viewstatus');
      await page.getByRole('button', {name: 'Send to Web.Dep'}).click();
      await page.locator('.deploy-answer pre').first().waitFor();
      expect(await page.locator('.deploy-answer pre').first().innerText()).to.not.equal('');

      await page.getByRole('button', {name: 'Undeploy Web.Dep…'}).click();
      const confirm = page.getByRole('alertdialog');
      expect(await confirm.innerText()).to.match(/^Undeploy Web\.Dep from \S+\?/);
      await browser.shot(page, 'deploy');
      await confirm.getByRole('button', {name: 'Cancel'}).click();
      expect(await page.getByRole('alertdialog').count()).to.equal(0);
    });

    it('the tab works at a phone\'s width in the dark theme', async () => {
      const page = await browser.open(360, 780, 'dark');
      await page.goto(`${base}#/server/Web/Dep/deploy`);
      await page.getByRole('button', {name: 'Upload to Web.Dep'}).waitFor();
      await page.locator('tr[data-version="1"]').waitFor();
      const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth') as number;
      expect(overflow).to.be.at.most(0);
      await browser.shot(page, 'deploy-phone-dark');
    });
  });

  describe('undeploy', () => {
    it('errors first (unknown node 404, no CSRF 403, bad body 400), then every node, and the server is gone', async () => {
      const unknown = await post(base, 'api/deploy/Web/Dep/undeploy', s, JSON.stringify({node: 'no-such-node'}));
      expect(unknown.status).to.equal(404);
      const bad = await post(base, 'api/deploy/Web/Dep/undeploy', s, JSON.stringify({node: 3}));
      expect(bad.status).to.equal(400);
      expect((await post(base, 'api/deploy/Web/Dep/undeploy', {cookie: s.cookie}, '{}')).status).to.equal(403);
      const res = await post(base, 'api/deploy/Web/Dep/undeploy', s, '{}');
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body.server).to.equal('Web.Dep');
      expect(res.body.nodes).to.have.length(1);
      const gone = await request(`${base}api/deploy/Web/Dep`, {headers: {cookie: s.cookie}});
      expect(gone.status).to.equal(404);
      const again = await post(base, 'api/deploy/Web/Dep/undeploy', s, '{}');
      expect(again.status).to.equal(404);
      const demo = await request(`${base}api/servers/Demo/Svc`);
      expect(demo.status, 'Demo.Svc is left as it was').to.equal(200);
    });
  });
});
