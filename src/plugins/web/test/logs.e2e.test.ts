// The console's Logs and Notifications on the shared cluster: a service of its own (WebLog.Svc) whose EchoHello writes
// a remote day-log line and sends a notification, so the test can cause both when it wants. The API with its errors
// over real HTTP (the file list, the last lines, the live tail as server-sent events, the node's log of the output,
// the notifications of the cluster and of one server), and the page in headless Chromium: a live tail that shows a
// line written after it started, the filter and the pause, and the notifications view updating by itself.
import {expect} from 'chai';
import http from 'node:http';
import path from 'node:path';

import {Communicator} from '@tars-ts/core';

import {EchoProxy, writeServicePackage} from '../../../../test/support/echo-service.js';
import {freePorts} from '../../../../test/support/ports.js';
import {until} from '../../../../test/support/wait.js';
import type {RunningConsole} from '../src/index.js';
import {post, request, session, suiteBrowser, webCluster, webConsole, webTars} from './support.js';

const TOKEN = 'logs-test-token-0123456789';

/** WebLog.Svc: EchoHello(req) logs "weblog <req>" to its remote day log and notifies "weblog notify <req>" (warn). */
const SERVICE_JS = `import {Application, Servant, T} from '@tars-ts/core';
const ECHO = {name: 'EchoHello', ret: T.int, params: [{name: 'req', tag: 1, type: T.string, out: false},
  {name: 'resp', tag: 2, type: T.string, out: true}]};
const app = await Application.fromArgs(process.argv);
const log = app.dayLogger();
class Echo extends Servant {
  static $interface = {name: 'Test.Echo', operations: [ECHO]};
  EchoHello(req) {
    log.info('weblog ' + req);
    app.notify('warn', 'weblog notify ' + req);
    return {ret: 0, resp: req};
  }
}
app.addServant(new Echo(), 'WebLog.Svc.EchoObj');
await app.start();
log.info('weblog started');
console.log('weblog output on stdout');
`;

/** One server-sent event. */
interface StreamEvent {
  event: string;
  data: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** An open event stream: what came so far, its status, and its end. */
interface OpenStream {
  status: number;
  events: StreamEvent[];
  ended: Promise<void>;
  close(): void;
}

/** Opens `url` as an event stream (resolves once the answer's head is in). */
function openStream(url: string, headers: Record<string, string> = {}): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, {headers}, (res) => {
      const events: StreamEvent[] = [];
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let at: number;
        while ((at = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          const event = /^event: (.*)$/m.exec(frame)?.[1];
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (event !== undefined && data !== undefined) events.push({event, data: JSON.parse(data)});
        }
      });
      resolve({status: res.statusCode ?? 0, events, ended: new Promise((done) => res.on('close', () => done())),
        close: () => req.destroy()});
    });
    req.on('error', reject);
  });
}

describe('tars web: logs and notifications', function () {
  this.timeout(120_000);
  let locator: string;
  let web: RunningConsole;
  let base: string;
  let communicator: Communicator;
  let echo: EchoProxy;
  const consoles: RunningConsole[] = [];
  /** The default day log's file of WebLog.Svc, as the API lists it. */
  let dayFile: string;

  before(async () => {
    const shared = await webCluster();
    locator = shared.locator;
    const pkg = path.join(shared.work, 'weblog-pkg');
    writeServicePackage(pkg, 'weblog', SERVICE_JS);
    const [port] = await freePorts(1);
    const deployed = await webTars(['server', 'deploy', 'WebLog.Svc', '--package', pkg, '--adapter',
      `EchoObj=tcp -h 127.0.0.1 -p ${port} -t 60000`]);
    expect(deployed.exit, deployed.stderr + deployed.stdout).to.equal(0);
    web = await webConsole();
    consoles.push(web);
    base = web.url;
    communicator = new Communicator({locator});
    echo = communicator.stringToProxy(EchoProxy, 'WebLog.Svc.EchoObj');
    // The service's start line reaches the log daemon within its logger's flush interval.
    await until(async () => {
      const res = await request(`${base}api/logs/WebLog/Svc`);
      dayFile = res.body.logs?.find((l: {name: string}) => l.name === '')?.files[0]?.path;
      return res.status === 200 && dayFile !== undefined;
    }, 'the default log of WebLog.Svc listed by GET /api/logs/WebLog/Svc', 30_000);
  });

  after(async () => {
    for (const c of consoles) await c.close();
    communicator?.close();
    await webTars(['server', 'undeploy', 'WebLog.Svc']).catch(() => undefined);
  });

  describe('the JSON API', () => {
    it('GET /api/logs/:app/:server lists the server\'s remote log files by name, with their date and size', async () => {
      const res = await request(`${base}api/logs/WebLog/Svc`);
      expect(res.status).to.equal(200);
      expect(res.body.server).to.equal('WebLog.Svc');
      const day = res.body.logs[0];
      expect(day.name).to.equal('');
      expect(day.files[0].path).to.match(/^WebLog\/Svc\/WebLog\.Svc_\d{8}\.log$/);
      expect(day.files[0].date).to.match(/^\d{4}-\d{2}-\d{2}$/);
      expect(day.files[0].size).to.be.greaterThan(0);
      expect(res.body.instances).to.have.length(1);
    });

    it('GET .../lines gives the last lines of a file, as text, filtered by grep', async () => {
      await echo.EchoHello('lines-1');
      await until(async () => (await request(`${base}api/logs/WebLog/Svc/lines?file=${encodeURIComponent(dayFile)}`))
        .body.lines?.some((l: {line: string}) => l.line.includes('weblog lines-1')), 'the line in the last lines', 20_000);
      const res = await request(`${base}api/logs/WebLog/Svc/lines?${new URLSearchParams({file: dayFile, n: '1'})}`);
      expect(res.status).to.equal(200);
      expect(res.body.lines).to.have.length(1);
      expect(res.body.lines[0]).to.include({file: dayFile});
      const grep = await request(`${base}api/logs/WebLog/Svc/lines?${new URLSearchParams({file: dayFile,
        grep: 'started$'})}`);
      expect(grep.body.lines.map((l: {line: string}) => l.line.replace(/^.*\|/, ''))).to.deep.equal(['weblog started']);
    });

    it('GET .../tail streams a line written after the stream opened, and the stream ends when the browser goes', async () => {
      const stream = await openStream(`${base}api/logs/WebLog/Svc/tail?${new URLSearchParams({file: dayFile})}`);
      try {
        expect(stream.status).to.equal(200);
        await until(() => stream.events.some((e) => e.event === 'ready'), 'the ready event', 20_000);
        expect(stream.events[0]!.data).to.include({file: dayFile, name: ''});
        expect(stream.events.some((e) => e.event === 'line')).to.equal(false);
        await echo.EchoHello('tail-1');
        await until(() => stream.events.some((e) => e.event === 'line' && e.data.line.includes('weblog tail-1')),
          'the new line on the tail stream', 20_000);
        const line = stream.events.find((e) => e.event === 'line')!.data;
        expect(line.file).to.equal(dayFile);
        expect(line.instance).to.match(/^tcp -h /);
      } finally {
        stream.close();
      }
    });

    it('a tail with grep streams only the matching lines', async () => {
      const stream = await openStream(`${base}api/logs/WebLog/Svc/tail?${new URLSearchParams({file: dayFile,
        grep: 'wanted'})}`);
      try {
        await until(() => stream.events.some((e) => e.event === 'ready'), 'the ready event', 20_000);
        await echo.EchoHello('unwanted-but-no');
        await echo.EchoHello('grep-wanted');
        await until(() => stream.events.some((e) => e.event === 'line' && e.data.line.includes('grep-wanted')),
          'the matching line', 20_000);
        const lines = stream.events.filter((e) => e.event === 'line').map((e) => e.data.line as string);
        expect(lines.every((l) => /wanted/.test(l))).to.equal(true);
      } finally {
        stream.close();
      }
    });

    it('at most 16 tails are open at once (429 TOO_MANY_STREAMS); one the browser closed frees its place', async () => {
      const other = await webConsole();
      consoles.push(other);
      const url = `${other.url}api/logs/WebLog/Svc/tail?${new URLSearchParams({file: dayFile})}`;
      const streams: OpenStream[] = [];
      try {
        for (let i = 0; i < 16; i++) streams.push(await openStream(url));
        expect(streams.map((x) => x.status)).to.deep.equal(Array(16).fill(200));
        const refused = await request(url);
        expect(refused.status).to.equal(429);
        expect(refused.body.error.code).to.equal('TOO_MANY_STREAMS');
        streams.shift()!.close();
        // The console notices the browser went away and drops that tail's poller.
        await until(async () => {
          const again = await openStream(url);
          streams.push(again);
          return again.status === 200;
        }, 'a tail accepted again after one closed', 10_000);
      } finally {
        for (const x of streams) x.close();
      }
    });

    it('close() ends open tail streams', async () => {
      const other = await webConsole();
      consoles.push(other);
      const stream = await openStream(`${other.url}api/logs/WebLog/Svc/tail?${new URLSearchParams({file: dayFile})}`);
      await until(() => stream.events.some((e) => e.event === 'ready'), 'the ready event', 20_000);
      // A stream that close() left open would hold this test until mocha's timeout.
      await other.close();
      await stream.ended;
    });

    it('GET .../node gives the server\'s output as its node keeps it', async () => {
      const res = await request(`${base}api/logs/WebLog/Svc/node`);
      expect(res.status).to.equal(200);
      expect(res.body.server).to.equal('WebLog.Svc');
      expect(res.body.text).to.include('weblog output on stdout');
      const other = await request(`${base}api/logs/WebLog/Svc/node?node=nowhere`);
      expect(other.status).to.equal(404);
      expect(other.body.error.code).to.equal('NO_SERVER');
    });

    it('GET /api/notifications lists a notification the service sent, newest first, filtered by app, server and level',
      async () => {
        await echo.EchoHello('notify-1');
        await until(async () => (await request(`${base}api/notifications?app=WebLog`)).body.entries
          ?.some((e: {message: string}) => e.message === 'weblog notify notify-1'), 'the notification', 20_000);
        await echo.EchoHello('notify-2');
        await until(async () => (await request(`${base}api/notifications?app=WebLog&server=Svc`)).body.entries[0]
          ?.message === 'weblog notify notify-2', 'the newer notification first', 20_000);
        const all = await request(`${base}api/notifications?limit=1000`);
        expect(all.status).to.equal(200);
        const times = all.body.entries.map((e: {time: string}) => Date.parse(e.time));
        expect(times).to.deep.equal([...times].sort((a, b) => b - a));
        expect(all.body.entries.some((e: {app: string}) => e.app === 'WebLog')).to.equal(true);
        const warn = await request(`${base}api/notifications?app=WebLog&level=warn`);
        expect(warn.body.entries[0]).to.include({app: 'WebLog', server: 'Svc', command: '[warn]'});
        const error = await request(`${base}api/notifications?app=WebLog&level=error`);
        expect(error.body.entries.some((e: {message: string}) => e.message.startsWith('weblog notify'))).to.equal(false);
        const one = await request(`${base}api/notifications/WebLog/Svc?limit=1`);
        expect(one.status).to.equal(200);
        expect(one.body.entries).to.have.length(1);
        expect(one.body.entries[0]).to.include({app: 'WebLog', server: 'Svc', message: 'weblog notify notify-2'});
      });

    it('an unknown server is 404 NO_SERVER on every route, an unknown file 404 NO_LOG', async () => {
      for (const route of ['api/logs/WebLog/Nope', 'api/logs/WebLog/Nope/lines?file=x.log',
        'api/logs/WebLog/Nope/tail?file=x.log', 'api/logs/WebLog/Nope/node', 'api/notifications/WebLog/Nope']) {
        const res = await request(`${base}${route}`);
        expect(res.status, route).to.equal(404);
        expect(res.body.error.code, route).to.equal('NO_SERVER');
      }
      for (const route of ['lines', 'tail']) {
        const res = await request(`${base}api/logs/WebLog/Svc/${route}?file=WebLog/Svc/nothing.log`);
        expect(res.status, route).to.equal(404);
        expect(res.body.error.code, route).to.equal('NO_LOG');
        expect(res.body.error.hint, route).to.match(/GET \/api\/logs\/WebLog\/Svc lists/);
      }
    });

    it('bad input is 400 naming the fix: a bad name, no file, a bad grep, count, level or limit', async () => {
      const cases: [string, string][] = [
        ['api/logs/Bad%20App/Svc', 'BAD_NAME'],
        ['api/logs/WebLog/Svc/lines', 'BAD_REQUEST'],
        ['api/logs/WebLog/Svc/tail', 'BAD_REQUEST'],
        [`api/logs/WebLog/Svc/lines?file=${encodeURIComponent(dayFile)}&grep=(`, 'BAD_REQUEST'],
        [`api/logs/WebLog/Svc/tail?file=${encodeURIComponent(dayFile)}&grep=[`, 'BAD_REQUEST'],
        [`api/logs/WebLog/Svc/lines?file=${encodeURIComponent(dayFile)}&n=0`, 'BAD_REQUEST'],
        [`api/logs/WebLog/Svc/lines?file=${encodeURIComponent(dayFile)}&n=many`, 'BAD_REQUEST'],
        ['api/logs/WebLog/Svc/node?n=99999', 'BAD_REQUEST'],
        ['api/notifications?level=loud', 'BAD_REQUEST'],
        ['api/notifications?app=a%20b', 'BAD_NAME'],
        ['api/notifications?limit=0', 'BAD_REQUEST'],
        ['api/notifications/WebLog/Svc?level=loud', 'BAD_REQUEST'],
        ['api/notifications/Bad%20App/Svc', 'BAD_NAME'],
      ];
      for (const [route, code] of cases) {
        const res = await request(`${base}${route}`);
        expect(res.status, route).to.equal(400);
        expect(res.body.error.code, route).to.equal(code);
        expect(res.body.error.hint, route).to.be.a('string').and.not.equal('');
      }
    });

    it('the routes are read-only: another method is 405 (with the session and its CSRF token too)', async () => {
      const s = await session(base);
      for (const route of ['api/logs/WebLog/Svc', 'api/logs/WebLog/Svc/tail', 'api/notifications',
        'api/notifications/WebLog/Svc']) {
        const res = await post(base, route, s);
        expect(res.status, route).to.equal(405);
        expect(res.body.error.code, route).to.equal('BAD_METHOD');
        const del = await request(`${base}${route}`, {method: 'DELETE'});
        expect(del.status, route).to.equal(405);
      }
    });

    it('on a console with a token, every route is 401 without a session', async () => {
      const guarded = await webConsole({token: TOKEN});
      consoles.push(guarded);
      for (const route of ['api/logs/WebLog/Svc', `api/logs/WebLog/Svc/lines?file=${encodeURIComponent(dayFile)}`,
        `api/logs/WebLog/Svc/tail?file=${encodeURIComponent(dayFile)}`, 'api/logs/WebLog/Svc/node',
        'api/notifications', 'api/notifications/WebLog/Svc']) {
        const res = await request(`${guarded.url}${route}`);
        expect(res.status, route).to.equal(401);
        expect(res.body.error.code, route).to.equal('NO_SESSION');
      }
    });

  });

  describe('the page in headless Chromium', () => {
    const browser = suiteBrowser();

    it('the Logs tab shows the last lines, a live tail shows a new line, the filter hides others, pause holds lines',
      async () => {
        const page = await browser.open();
        try {
          await page.goto(`${base}#/server/WebLog/Svc`);
          await page.getByRole('link', {name: 'Logs'}).click();
          await page.getByRole('combobox', {name: 'Log file'}).and(page.locator(':enabled')).waitFor();
          const lines = page.locator('#log-lines li');
          await lines.getByText(/weblog started$/).waitFor();
          await page.getByRole('button', {name: 'Start live tail of WebLog.Svc'}).click();
          await page.getByRole('status').getByText(/^Following the default log of WebLog\.Svc live/).waitFor();
          await echo.EchoHello('browser-1');
          await lines.getByText(/weblog browser-1$/).waitFor({timeout: 20_000});

          await page.getByRole('searchbox', {name: 'Filter'}).fill('browser-1');
          const visible = page.locator('#log-lines li:visible');
          await until(async () => (await visible.count()) === 1, 'one visible line', 5000);
          expect(await visible.textContent()).to.match(/weblog browser-1$/);
          await page.getByRole('searchbox', {name: 'Filter'}).fill('');

          await page.getByRole('button', {name: 'Pause live tail of WebLog.Svc'}).click();
          await echo.EchoHello('browser-paused');
          await echo.EchoHello('browser-paused-2');
          // Both lines came on the stream, and are held while paused.
          await page.getByRole('status').getByText('Paused: 2 new lines held.').waitFor({timeout: 20_000});
          expect(await lines.getByText(/weblog browser-paused(-2)?$/).count()).to.equal(0);
          await page.getByRole('button', {name: 'Resume live tail of WebLog.Svc'}).click();
          await lines.getByText(/weblog browser-paused-2$/).waitFor({timeout: 20_000});
          await browser.shot(page, 'logs');
          // Lines are text: the HTML-looking line is shown as written, not parsed.
          await echo.EchoHello('<b id="injected">bold</b>');
          await lines.getByText('weblog <b id="injected">bold</b>', {exact: false}).waitFor({timeout: 20_000});
          expect(await page.locator('#injected').count()).to.equal(0);

          await page.getByRole('button', {name: 'Show the output of WebLog.Svc'}).click();
          await page.locator('pre.node-log').getByText('weblog output on stdout').waitFor();
          await page.getByRole('button', {name: 'Stop live tail of WebLog.Svc'}).click();
          await page.getByRole('status').getByText('Live tail of WebLog.Svc stopped.').waitFor();
        } finally {
          await page.context().close();
        }
      });

    it('#/notifications lists the cluster\'s notifications and shows a new one without a reload, announced', async () => {
      const page = await browser.open();
      try {
        await echo.EchoHello('page-1');
        await page.goto(`${base}#/notifications`);
        await page.getByRole('heading', {name: 'Notifications', exact: true}).waitFor();
        await page.getByRole('textbox', {name: 'Application'}).fill('WebLog');
        await page.getByRole('button', {name: 'Filter notifications'}).click();
        const rows = page.locator('tr[data-notify]');
        await rows.getByText('weblog notify page-1').first().waitFor({timeout: 20_000});
        await page.evaluate('window.notifyTestMark = 7');
        await echo.EchoHello('page-live');
        await rows.first().getByText('weblog notify page-live').waitFor({timeout: 20_000});
        await until(async () => (await page.locator('#announcer').textContent() ?? '')
          .includes('New notification: WebLog.Svc: weblog notify page-live'), 'the announcement', 10_000);
        expect(await page.evaluate('window.notifyTestMark')).to.equal(7);
        await browser.shot(page, 'notifications');

        await page.goto(`${base}#/server/WebLog/Svc/notifications`);
        await page.locator('#server-notify-status').getByText(/notifications of WebLog\.Svc, newest first/).waitFor();
        await page.locator('tr[data-notify]').first().getByText('weblog notify page-live').waitFor();
      } finally {
        await page.context().close();
      }
    });

    it('the Logs tab and the notifications fit a phone width in the dark theme', async () => {
      const page = await browser.open(360, 740, 'dark');
      try {
        await page.goto(`${base}#/server/WebLog/Svc/logs`);
        await page.locator('#log-lines li').first().waitFor();
        const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
        expect(overflow).to.be.at.most(0);
        await browser.shot(page, 'logs-phone-dark');
        await page.goto(`${base}#/notifications`);
        await page.locator('tr[data-notify]').first().waitFor();
        expect(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'))
          .to.be.at.most(0);
      } finally {
        await page.context().close();
      }
    });
  });
});
