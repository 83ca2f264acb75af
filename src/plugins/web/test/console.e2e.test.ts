// Issue 20, increment 1: `tars web` on a real cluster (`tars cluster start --detach` in a child process, shared by
// the whole file) with a small service deployed into it. The JSON API and its errors over real HTTP, the events
// stream, the login and CSRF rules, the command as a user runs it, and the page in a real headless Chromium (Debian's
// chromium driven by playwright-core): the service tree, a server stopped and started with its state changing
// without a reload, the registry view, the login page, a phone width and the dark theme. Screenshots go to a
// directory under the OS temp dir that the run prints.
import {expect} from 'chai';
import http from 'node:http';

import type {Page} from 'playwright-core';

import {exited, killChildren, startCliDaemon, tars} from '../../../../test/support/cli-daemon.js';
import {freePorts} from '../../../../test/support/ports.js';
import {until} from '../../../../test/support/wait.js';
import {type RunningConsole, type ServerJson, type TreeJson, startConsole} from '../src/index.js';
import {post, request, session, suiteBrowser, webCluster} from './support.js';

const TOKEN = 'console-test-token-0123456789';

describe('tars web: the console on a running cluster', function () {
  this.timeout(120_000);
  let locator: string;
  let web: RunningConsole;
  let base: string;
  const consoles: RunningConsole[] = [];

  before(async () => {
    ({locator} = await webCluster());
    web = await startConsole({locator, port: 0, pollMs: 300});
    consoles.push(web);
    base = web.url;
  });

  after(async () => {
    for (const c of consoles) await c.close();
  });

  /** Demo.Svc's instance in the tree. */
  const demoIn = (tree: TreeJson) => tree.applications.find((a) => a.name === 'Demo')?.servers
    .find((s) => s.name === 'Svc')?.instances[0];

  describe('the JSON API', () => {
    it('GET /api/tree lists the deployed server under its application, with its state, pid and endpoints per node', async () => {
      const res = await request(`${base}api/tree`);
      expect(res.status).to.equal(200);
      const tree = res.body as TreeJson;
      const demo = demoIn(tree)!;
      expect(demo).to.include({setting: 'active', state: 'active'});
      expect(demo.pid).to.be.greaterThan(0);
      expect(demo.endpoints[0]).to.match(/^EchoObj tcp -h 127\.0\.0\.1 -p \d+/);
      expect(tree.applications.map((a) => a.name)).to.deep.equal(['Demo', 'tars']);
      expect(tree.nodes).to.have.length(1);
      expect(tree.nodes[0]!.alive).to.equal(true);
    });

    it('GET /api/servers/:app/:server gives each instance with its adapters; an unknown one is 404, a bad name 400',
      async () => {
        const res = await request(`${base}api/servers/Demo/Svc`);
        expect(res.status).to.equal(200);
        const detail = res.body as ServerJson;
        expect(detail.server).to.equal('Demo.Svc');
        expect(detail.instances[0]!.adapters[0]).to.include({servant: 'Demo.Svc.EchoObj', protocol: 'tars'});
        const unknown = await request(`${base}api/servers/Demo/Nope`);
        expect(unknown.status).to.equal(404);
        expect(unknown.body.error).to.include({code: 'NO_SERVER', message: 'Demo.Nope is not deployed'});
        expect(unknown.body.error.hint).to.be.a('string').and.not.equal('');
        const bad = await request(`${base}api/servers/De%20mo/Svc`);
        expect(bad.status).to.equal(400);
        expect(bad.body.error.code).to.equal('BAD_NAME');
        const route = await request(`${base}api/nothing`);
        expect(route.status).to.equal(404);
        expect(route.body.error.code).to.equal('NOT_FOUND');
      });

    it('GET /api/registry lists every object with its active endpoints', async () => {
      const res = await request(`${base}api/registry`);
      expect(res.status).to.equal(200);
      const demo = (res.body as {objects: {name: string; active: string[]; nodes: string[]}[]}).objects
        .find((o) => o.name === 'Demo.Svc.EchoObj');
      expect(demo?.active[0]).to.match(/^tcp -h 127\.0\.0\.1 -p \d+/);
      expect(demo?.nodes).to.have.length(1);
    });

    it('a state-changing request without the session\'s X-CSRF-Token, from another origin or without a session is 403',
      async () => {
        const s = await session(base);
        const missing = await post(base, 'api/servers/Demo/Svc/stop', {cookie: s.cookie});
        expect(missing.status).to.equal(403);
        expect(missing.body.error.code).to.equal('CSRF');
        const wrong = await post(base, 'api/servers/Demo/Svc/stop', {cookie: s.cookie, csrf: 'x'.repeat(43)});
        expect(wrong.status).to.equal(403);
        const none = await post(base, 'api/servers/Demo/Svc/stop', {cookie: '', csrf: s.csrf});
        expect(none.status).to.equal(403);
        const foreign = await request(`${base}api/servers/Demo/Svc/stop`, {method: 'POST', body: '{}', headers: {
          'content-type': 'application/json', cookie: s.cookie, 'x-csrf-token': s.csrf, origin: 'http://evil.example'}});
        expect(foreign.status).to.equal(403);
        const host = await request(`${base}api/tree`, {headers: {host: `rebound.example:${web.port}`}});
        expect(host.status).to.equal(403);
        expect(host.body.error.code).to.equal('BAD_HOST');
        expect(demoIn((await request(`${base}api/tree`)).body as TreeJson)!.setting).to.equal('active');
      });

    it('a bad body is 400 naming the fix: not JSON, not an object, a node that is not a name', async () => {
      const s = await session(base);
      const form = await post(base, 'api/servers/Demo/Svc/stop', s, 'node=x', 'application/x-www-form-urlencoded');
      expect(form.status).to.equal(400);
      expect(form.body.error.hint).to.match(/Content-Type: application\/json/);
      const broken = await post(base, 'api/servers/Demo/Svc/stop', s, '{"node":');
      expect(broken.status).to.equal(400);
      expect(broken.body.error.message).to.match(/not valid JSON/);
      const array = await post(base, 'api/servers/Demo/Svc/stop', s, '[]');
      expect(array.status).to.equal(400);
      const node = await post(base, 'api/servers/Demo/Svc/stop', s, '{"node": 5}');
      expect(node.status).to.equal(400);
      expect(node.body.error.message).to.match(/"node"/);
      const elsewhere = await post(base, 'api/servers/Demo/Svc/stop', s, '{"node": "elsewhere"}');
      expect(elsewhere.status).to.equal(404);
      expect(elsewhere.body.error.message).to.match(/not deployed on node "elsewhere"/);
    });

    it('restart, stop and start answer with the server\'s new state, and the events stream pushes each change', async () => {
      const s = await session(base);
      const trees: TreeJson[] = [];
      const stream = await new Promise<http.IncomingMessage>((resolve, reject) => {
        http.get(`${base}api/events`, {headers: {cookie: s.cookie}}, resolve).on('error', reject);
      });
      expect(stream.headers['content-type']).to.match(/^text\/event-stream/);
      let pending = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        pending += chunk;
        for (let end = pending.indexOf('\n\n'); end >= 0; end = pending.indexOf('\n\n')) {
          const block = pending.slice(0, end);
          pending = pending.slice(end + 2);
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (/^event: tree$/m.test(block) && data) trees.push(JSON.parse(data) as TreeJson);
        }
      });
      try {
        await until(() => trees.length > 0, 'the first tree event');
        expect(demoIn(trees[0]!)!.state).to.equal('active');

        const restartedFrom = trees.length;
        const pidBefore = demoIn(trees.at(-1)!)!.pid;
        const restarted = await post(base, 'api/servers/Demo/Svc/restart', s);
        expect(restarted.status, JSON.stringify(restarted.body)).to.equal(200);
        expect(restarted.body.after.instances[0]).to.include({setting: 'active', state: 'active'});
        expect(restarted.body.after.instances[0].pid).to.be.greaterThan(0).and.not.equal(pidBefore);
        expect(restarted.body.nodes).to.deep.equal([{node: '127.0.0.1', result: restarted.body.nodes[0].result}]);
        await until(() => trees.slice(restartedFrom).some((t) => demoIn(t)!.state === 'active' && demoIn(t)!.pid ===
          restarted.body.after.instances[0].pid), 'a tree event with Demo.Svc restarted', 20_000);
        const stopped = await post(base, 'api/servers/Demo/Svc/stop', s);
        expect(stopped.status, JSON.stringify(stopped.body)).to.equal(200);
        expect(stopped.body.after.instances[0]).to.include({setting: 'inactive', state: 'inactive', pid: 0});
        await until(() => trees.some((t) => demoIn(t)!.state === 'inactive'), 'a tree event with Demo.Svc stopped', 20_000);

        const startedAt = trees.length;
        const started = await post(base, 'api/servers/Demo/Svc/start', s, '{"node": "127.0.0.1"}');
        expect(started.status, JSON.stringify(started.body)).to.equal(200);
        expect(started.body.after.instances[0]).to.include({setting: 'active', state: 'active'});
        await until(() => trees.slice(startedAt).some((t) => demoIn(t)!.state === 'active'),
          'a tree event with Demo.Svc running again', 20_000);
        // Only changes are sent: nothing while nothing changes.
        const quiet = trees.length;
        await new Promise((resolve) => setTimeout(resolve, 1000));
        expect(trees.length).to.equal(quiet);
      } finally {
        stream.destroy();
      }
    });

    it('config files: push stores versions, the list and history show them, an old version reads back; bad input is 400',
      async () => {
        const s = await session(base);
        expect((await request(`${base}api/config/Demo/Svc`)).body).to.deep.equal({server: 'Demo.Svc', files: []});
        const route = 'api/config/Demo/Svc/files/web.conf';
        expect((await post(base, route, {cookie: s.cookie}, '{"content": "a"}')).status).to.equal(403);
        const noContent = await post(base, route, s, '{"comment": "x"}');
        expect(noContent.status).to.equal(400);
        expect(noContent.body.error.message).to.match(/"content"/);
        const badName = await post(base, 'api/config/Demo/Svc/files/..conf', s, '{"content": "a"}');
        expect(badName.status).to.equal(400);
        const badLevel = await post(base, route, s, '{"content": "a", "level": "planet"}');
        expect(badLevel.status).to.equal(400);
        expect(badLevel.body.error.message).to.match(/level "planet"/);

        const first = await post(base, route, s, JSON.stringify({content: '<app>\n  pool = 4\n</app>\n', comment: 'first'}));
        expect(first.status, JSON.stringify(first.body)).to.equal(200);
        expect(first.body).to.include({version: 1});
        expect(first.body.author).to.match(/^tars web \(/);
        const second = await post(base, route, s, JSON.stringify({content: '<app>\n  pool = 8\n</app>\n', comment: 'more'}));
        expect(second.body.version).to.equal(2);

        const list = (await request(`${base}api/config/Demo/Svc`)).body;
        expect(list.files).to.have.length(1);
        expect(list.files[0]).to.deep.include({name: 'web.conf', level: 'server', node: '', setId: ''});
        expect(list.files[0].current).to.include({version: 2, comment: 'more'});
        const file = (await request(`${base}${route}`)).body;
        expect(file.content).to.equal('<app>\n  pool = 8\n</app>\n');
        expect(file.history.map((v: {version: number}) => v.version)).to.deep.equal([2, 1]);
        const old = (await request(`${base}${route}?version=1`)).body;
        expect(old).to.include({version: 1, content: '<app>\n  pool = 4\n</app>\n'});

        const missing = await request(`${base}api/config/Demo/Svc/files/none.conf`);
        expect(missing.status).to.equal(404);
        expect(missing.body.error.code).to.equal('NO_CONFIG');
        expect((await request(`${base}${route}?version=x`)).status).to.equal(400);
        expect((await request(`${base}${route}?level=node`)).status).to.equal(400);
      });

    it('config review shows the diff and each instance\'s merged file; reload reaches the running instance; ' +
      'references are added and removed; bad input is 400', async () => {
      const s = await session(base);
      const route = 'api/config/Demo/Svc/files/web.conf';
      const review = await post(base, `${route}/review`, s, JSON.stringify({content: '<app>\n  pool = 16\n</app>\n'}));
      expect(review.status, JSON.stringify(review.body)).to.equal(200);
      expect(review.body).to.include({from: 2, changed: true});
      expect(review.body.diff).to.include('-  pool = 8\n+  pool = 16\n');
      expect(review.body.instances).to.have.length(1);
      expect(review.body.instances[0]).to.include({app: 'Demo', server: 'Svc', ok: true});
      expect(review.body.instances[0].config).to.include('pool = 16');
      // a review stores nothing
      expect((await request(`${base}${route}`)).body.version).to.equal(2);
      const same = await post(base, `${route}/review`, s, JSON.stringify({content: '<app>\n  pool = 8\n</app>\n'}));
      expect(same.body).to.include({changed: false, diff: ''});
      const fresh = await post(base, 'api/config/Demo/Svc/files/new.conf/review', s, JSON.stringify({content: 'x = 1\n'}));
      expect(fresh.body).to.include({from: 0, changed: true});
      expect((await post(base, `${route}/review`, s, '{}')).status).to.equal(400);

      const reload = await post(base, `${route}/reload`, s, '{}');
      expect(reload.status, JSON.stringify(reload.body)).to.equal(200);
      expect(reload.body.instances).to.have.length(1);
      expect(reload.body.instances[0].ok, reload.body.instances[0].answer).to.equal(true);
      expect((await post(base, `${route}/reload`, {cookie: s.cookie}, '{}')).status).to.equal(403);

      const common = await post(base, 'api/config/Demo/Svc/files/common.conf', s,
        JSON.stringify({content: 'shared = 1\n', level: 'app'}));
      expect(common.status).to.equal(200);
      const refs = `${route}/references`;
      const added = await post(base, refs, s, JSON.stringify({target: {name: 'common.conf', level: 'app'}}));
      expect(added.status, JSON.stringify(added.body)).to.equal(200);
      expect(added.body.references).to.deep.equal([{name: 'common.conf', level: 'app', node: '', setId: ''}]);
      const listed = (await request(`${base}api/config/Demo/Svc`)).body.files.find((f: {name: string}) => f.name === 'web.conf');
      expect(listed.references).to.deep.equal(added.body.references);
      const merged = await post(base, `${route}/review`, s, JSON.stringify({content: 'own = 2\n'}));
      expect(merged.body.instances[0].config).to.match(/shared = 1[\s\S]*own = 2/);
      const missing = await post(base, refs, s, JSON.stringify({target: {name: 'nothing.conf', level: 'app'}}));
      expect(missing.status).to.equal(400);
      expect(missing.body.error.code).to.equal('BAD_CONFIG');
      expect((await post(base, refs, s, '{"target": "common.conf"}')).status).to.equal(400);
      expect((await post(base, refs, s, '{"target": {"name": "common.conf", "level": "app"}, "remove": "yes"}')).status)
        .to.equal(400);
      const removed = await post(base, refs, s, JSON.stringify({target: {name: 'common.conf', level: 'app'}, remove: true}));
      expect(removed.body).to.include({changed: true});
      expect(removed.body.references).to.deep.equal([]);
      expect((await request(`${base}${refs}`)).status).to.equal(405);
    });

    it('close() ends open event streams and returns at once', async () => {
      const other = await startConsole({locator, port: 0, pollMs: 300});
      consoles.push(other);
      const {ended} = await new Promise<{ended: Promise<void>}>((resolve, reject) => {
        http.get(`${other.url}api/events`, (res) => {
          resolve({ended: new Promise((done) => res.on('close', () => done()))});
          res.resume();
        }).on('error', reject);
      });
      // An open stream kept by a close() that does not end it would hold this test until mocha's timeout.
      await other.close();
      await ended;
    });

    it('a port in use is LISTEN_ADDRESS_IN_USE naming --port', async () => {
      let failure: (Error & {code?: string; hint?: string}) | undefined;
      await startConsole({locator, port: web.port}).then((c) => c.close(), (e: Error) => {
        failure = e;
      });
      expect(failure?.code).to.equal('LISTEN_ADDRESS_IN_USE');
      expect(failure?.message).to.equal(`the console cannot listen on 127.0.0.1:${web.port}: listen EADDRINUSE: address ` +
        `already in use 127.0.0.1:${web.port}`);
      expect(failure?.hint).to.match(/--port/);
    });

    it('a registry that does not answer is 502 NO_ANSWER, not a hang', async () => {
      const [dead] = await freePorts(1);
      const lost = await startConsole({locator: `tars.tarsregistry.QueryObj@tcp -h 127.0.0.1 -p ${dead} -t 1000`,
        port: 0, timeoutMs: 1000});
      consoles.push(lost);
      const res = await request(`${lost.url}api/tree`);
      expect(res.status).to.equal(502);
      expect(res.body.error.code).to.equal('NO_ANSWER');
      expect(res.body.error.message).to.match(/^the registry \(RegistryCtlObj\) did not answer/);
      expect(JSON.stringify(res.body)).not.to.match(/\n\s+at /);
      // The events stream says so too, as a `problem` event with the same error document.
      const problem = await new Promise<string>((resolve, reject) => {
        const req = http.get(`${lost.url}api/events`, (stream) => {
          let text = '';
          stream.setEncoding('utf8');
          stream.on('data', (c: string) => {
            text += c;
            const m = /^event: problem\ndata: (.*)$/m.exec(text);
            if (m) {
              req.destroy();
              resolve(m[1]!);
            }
          });
        });
        req.on('error', reject);
        req.setTimeout(10_000, () => req.destroy(new Error('no problem event in 10 s')));
      });
      expect((JSON.parse(problem) as {error: {code: string}}).error.code).to.equal('NO_ANSWER');
    });
  });

  describe('login (a console with the admin token)', () => {
    let guarded: RunningConsole;
    before(async () => {
      guarded = await startConsole({locator, port: 0, token: TOKEN});
      consoles.push(guarded);
    });

    it('refuses to bind beyond loopback without the admin token (ADMIN_TOKEN_REQUIRED), before listening', async () => {
      let failure: {code?: string; message: string} | undefined;
      await startConsole({locator, host: '0.0.0.0', port: 0}).then((c) => c.close(), (e: Error) => {
        failure = e as Error & {code?: string};
      });
      expect(failure?.code).to.equal('ADMIN_TOKEN_REQUIRED');
      expect(failure?.message).to.match(/needs the admin token beyond loopback/);
    });

    it('bound beyond loopback (0.0.0.0) with the token, it asks for a login and answers to any host name', async () => {
      const wide = await startConsole({locator, host: '0.0.0.0', port: 0, token: TOKEN});
      consoles.push(wide);
      expect(wide.loginRequired).to.equal(true);
      const local = `http://127.0.0.1:${wide.port}/`;
      const tree = await request(`${local}api/tree`, {headers: {host: `console.example:${wide.port}`}});
      expect(tree.status).to.equal(401);
      expect(tree.body.error.code).to.equal('NO_SESSION');
      const ok = await request(`${local}api/login`, {method: 'POST', headers: {'content-type': 'application/json',
        origin: `https://console.example:${wide.port}`, host: `console.example:${wide.port}`},
      body: JSON.stringify({token: TOKEN})});
      expect(ok.status, 'a login through a TLS proxy (https Origin of the same host)').to.equal(200);
    });

    it('without a session every API call is 401; a wrong token is 401; the right one gives a session cookie', async () => {
      expect(guarded.loginRequired).to.equal(true);
      const tree = await request(`${guarded.url}api/tree`);
      expect(tree.status).to.equal(401);
      expect(tree.body.error.code).to.equal('NO_SESSION');
      const events = await request(`${guarded.url}api/events`);
      expect(events.status).to.equal(401);
      const info = await request(`${guarded.url}api/session`);
      expect(info.body).to.deep.equal({loginRequired: true, authenticated: false});
      expect(info.headers['set-cookie']).to.equal(undefined);
      const page = await request(guarded.url);
      expect(page.status).to.equal(200);
      expect(page.headers['content-security-policy']).to.match(/default-src 'self'/);

      const login = (token: string) => request(`${guarded.url}api/login`, {method: 'POST',
        headers: {'content-type': 'application/json'}, body: JSON.stringify({token})});
      const wrong = await login(`${TOKEN}x`);
      expect(wrong.status).to.equal(401);
      expect(wrong.body.error.code).to.equal('BAD_TOKEN');
      const ok = await login(TOKEN);
      expect(ok.status).to.equal(200);
      const cookie = String(ok.headers['set-cookie']?.[0]);
      expect(cookie).to.match(/^tars_console=[\w-]{40,}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=\d+$/);
      const s = {cookie: cookie.split(';')[0]!, csrf: ok.body.csrf as string};
      expect((await request(`${guarded.url}api/tree`, {headers: {cookie: s.cookie}})).status).to.equal(200);
      expect((await post(guarded.url, 'api/servers/Demo/Svc/restart', {cookie: s.cookie})).status).to.equal(403);
      const out = await post(guarded.url, 'api/logout', s);
      expect(out.status).to.equal(200);
      expect((await request(`${guarded.url}api/tree`, {headers: {cookie: s.cookie}})).status).to.equal(401);
    });
  });

  describe('the command', () => {
    it('tars web prints its URL and READY, serves the tree, and ends cleanly on SIGTERM', async () => {
      const children = [];
      try {
        const {child, out} = await startCliDaemon(['web', '--port', '0', '--locator', locator]);
        children.push(child);
        const url = /console at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1];
        expect(url, out).to.be.a('string');
        expect(demoIn((await request(`${url}api/tree`)).body as TreeJson)).to.not.equal(undefined);
        child.kill('SIGTERM');
        await Promise.race([exited(child), new Promise((_, reject) => setTimeout(() => reject(
          new Error('tars web still runs 5 s after SIGTERM')), 5000))]);
        expect(child.exitCode).to.equal(0);
      } finally {
        await killChildren(children);
      }
    });

    it('tars web --host 0.0.0.0 without a token fails with ADMIN_TOKEN_REQUIRED and exit 2', async () => {
      const saved = process.env.TARS_ADMIN_TOKEN;
      delete process.env.TARS_ADMIN_TOKEN;
      try {
        const out = await tars(['web', '--host', '0.0.0.0', '--port', '0', '--locator', locator]);
        expect(out.exit).to.equal(2);
        expect(out.stderr).to.match(/^error: the console would let anyone who reaches 0\.0\.0\.0/m);
        expect(out.stderr).to.match(/^hint: .*tars login/m);
        expect(out.stderr).not.to.match(/\n\s+at /);
      } finally {
        if (saved !== undefined) process.env.TARS_ADMIN_TOKEN = saved;
      }
    });
  });

  describe('the page in headless Chromium', () => {
    const browser = suiteBrowser();

    const open = (width?: number, height?: number, colorScheme?: 'light' | 'dark'): Promise<Page> =>
      browser.open(width, height, colorScheme);

    it('shows the service tree, stops a server and sees its state change without a reload, starts it again', async () => {
      const page = await open();
      try {
        await page.goto(base);
        await page.getByRole('heading', {name: 'Services'}).waitFor();
        const row = page.locator('tr[data-server="Demo.Svc"]');
        await row.getByText('active', {exact: true}).waitFor();
        await page.locator('#live[data-live="on"]').waitFor();
        await browser.shot(page, 'services');

        await page.getByRole('link', {name: 'Svc'}).click();
        await page.getByRole('heading', {name: 'Demo.Svc'}).waitFor();
        const state = page.locator('td.instance-state');
        await state.and(page.locator('[data-state="active"]')).waitFor();
        // A mark on the window that a reload would wipe.
        await page.evaluate('window.consoleTestMark = 42');
        await page.getByRole('button', {name: 'Stop Demo.Svc', exact: true}).click();
        await state.and(page.locator('[data-state="inactive"]')).waitFor();
        await page.getByRole('status').getByText(/stop done/).waitFor();
        await browser.shot(page, 'server-stopped');
        await page.getByRole('button', {name: 'Start Demo.Svc', exact: true}).click();
        await state.and(page.locator('[data-state="active"]')).waitFor();
        expect(await page.evaluate('window.consoleTestMark')).to.equal(42);
        expect(page.url()).to.match(/#\/server\/Demo\/Svc$/);
        await browser.shot(page, 'server-started');

        await page.getByRole('link', {name: 'Registry'}).click();
        await page.locator('tr[data-object="Demo.Svc.EchoObj"]').waitFor();
        await browser.shot(page, 'registry');
      } finally {
        await page.context().close();
      }
    });

    it('a stop done elsewhere shows on the open server page by itself (server-sent events)', async () => {
      const page = await open();
      try {
        await page.goto(`${base}#/server/Demo/Svc`);
        const state = page.locator('td.instance-state');
        await state.and(page.locator('[data-state="active"]')).waitFor();
        const s = await session(base);
        expect((await post(base, 'api/servers/Demo/Svc/stop', s)).status).to.equal(200);
        await state.and(page.locator('[data-state="inactive"]')).waitFor();
        await until(async () => /^Demo\.Svc on \S+ is now inactive$/.test(await page.locator('#announcer').textContent() ?? ''),
          'the screen reader announcement of the new state');
        expect((await post(base, 'api/servers/Demo/Svc/start', s)).status).to.equal(200);
        await state.and(page.locator('[data-state="active"]')).waitFor();
      } finally {
        await page.context().close();
      }
    });

    it('creates a config file on the server page, pushes a second version and loads the first back', async () => {
      const page = await open();
      try {
        await page.goto(`${base}#/server/Demo/Svc`);
        await page.getByRole('link', {name: 'Config'}).click();
        await page.getByRole('heading', {name: 'Config files'}).waitFor();
        await page.getByLabel('New file').fill('browser.conf');
        await page.getByRole('button', {name: 'Create'}).click();
        await page.getByLabel('Content of browser.conf').fill('<app>\n  greeting = hello\n</app>\n');
        await page.getByLabel('Comment').fill('from the browser');
        await page.getByRole('button', {name: 'Review browser.conf'}).click();
        await page.locator('#config-review h4', {hasText: 'A new file'}).waitFor();
        await page.getByRole('button', {name: 'Push browser.conf'}).click();
        await page.locator('#config-status', {hasText: 'Stored as version 1.'}).waitFor();
        await page.getByLabel('Content of browser.conf').fill('<app>\n  greeting = hi\n</app>\n');
        await page.getByLabel('Reload the running instances after the push').check();
        await page.getByRole('button', {name: 'Review browser.conf'}).click();
        // the review: the changed line as removed and added, and the merged file the running instance would load
        await page.locator('.diff .del', {hasText: '-  greeting = hello'}).waitFor();
        await page.locator('.diff .add', {hasText: '+  greeting = hi'}).waitFor();
        await page.getByText(/^Demo\.Svc on \S+ would load$/).click();
        await page.locator('.reloads pre', {hasText: 'greeting = hi'}).waitFor();
        await browser.shot(page, 'config-review');
        await page.getByRole('button', {name: 'Push browser.conf'}).click();
        await page.locator('#config-status', {hasText: 'Stored as version 2.'}).waitFor();
        await page.locator('#config-push-reload', {hasText: '1 of 1 instance(s) reloaded'}).waitFor();
        await page.locator('tr[data-file="browser.conf"]').getByText('2', {exact: true}).waitFor();
        await browser.shot(page, 'config');
        await page.getByRole('button', {name: 'Load version 1 of browser.conf'}).click();
        await page.locator('#config-status', {hasText: 'Version 1 (the newest is 2'}).waitFor();
        expect(await page.getByLabel('Content of browser.conf').inputValue()).to.equal('<app>\n  greeting = hello\n</app>\n');
        const api = (await request(`${base}api/config/Demo/Svc/files/browser.conf`)).body;
        expect(api).to.include({version: 2, content: '<app>\n  greeting = hi\n</app>\n'});
        expect(api.history.map((v: {comment: string}) => v.comment)).to.deep.equal(['', 'from the browser']);
      } finally {
        await page.context().close();
      }
    });

    it('shows a registry that does not answer as an alert naming it', async () => {
      const [dead] = await freePorts(1);
      const lost = await startConsole({locator: `tars.tarsregistry.QueryObj@tcp -h 127.0.0.1 -p ${dead} -t 1000`,
        port: 0, timeoutMs: 1000});
      consoles.push(lost);
      const page = await open();
      try {
        await page.goto(lost.url);
        await page.getByRole('alert').getByText(/the registry \(RegistryCtlObj\) did not answer/).waitFor();
        await page.getByRole('alert').getByText(/tars cluster status/).waitFor();
      } finally {
        await page.context().close();
      }
    });

    it('fits a phone width in the dark theme, and the theme toggle switches to light', async () => {
      const page = await open(390, 844, 'dark');
      try {
        await page.goto(base);
        await page.locator('tr[data-server="Demo.Svc"]').waitFor();
        expect(await page.evaluate('document.documentElement.scrollWidth')).to.be.at.most(390);
        const dark = await page.evaluate('getComputedStyle(document.body).backgroundColor');
        await browser.shot(page, 'phone-dark');
        const toggle = page.getByRole('button', {name: 'Dark theme'});
        expect(await toggle.getAttribute('aria-pressed'), 'the system\'s dark scheme: the toggle is on').to.equal('true');
        await toggle.click();
        expect(await toggle.getAttribute('aria-pressed')).to.equal('false');
        expect(await page.evaluate('getComputedStyle(document.body).backgroundColor')).not.to.equal(dark);
        await browser.shot(page, 'phone-light');
      } finally {
        await page.context().close();
      }
    });

    it('asks a console with a token for it, refuses a wrong one, and shows the tree after the right one', async () => {
      const guarded = await startConsole({locator, port: 0, token: TOKEN});
      consoles.push(guarded);
      const page = await open();
      try {
        await page.goto(guarded.url);
        await page.getByRole('heading', {name: 'Log in'}).waitFor();
        await browser.shot(page, 'login');
        await page.getByLabel('Admin token').fill('not-the-token-at-all');
        await page.getByRole('button', {name: 'Log in'}).click();
        await page.getByRole('alert').getByText(/not the cluster's admin token/).waitFor();
        await page.getByLabel('Admin token').fill(TOKEN);
        await page.getByRole('button', {name: 'Log in'}).click();
        await page.locator('tr[data-server="Demo.Svc"]').waitFor();
        await page.getByRole('button', {name: 'Log out'}).click();
        await page.getByRole('heading', {name: 'Log in'}).waitFor();
      } finally {
        await page.context().close();
      }
    });
  });
});
