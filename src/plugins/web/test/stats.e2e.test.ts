// Issue 20, charts: the Stats tab on the shared cluster. Calls to Demo.Svc made with `tars call --repeat` (the
// caller reports its statistics to the cluster's stat service as it ends) and a property reported to PropertyObj,
// read back through GET /api/stats and /api/properties (gathered from every stat instance, as `tars stat query`
// does), every route's errors, and the tab in headless Chromium: uPlot's canvas drawn, the totals table with the
// calls, screenshots on a laptop and on a phone in the dark theme.
import {expect} from 'chai';

import type {Communicator} from '@tars-ts/core';

import {until} from '../../../../test/support/wait.js';
import type {RunningConsole} from '../src/index.js';
import {hoursOf, interfaceOf, sideOf} from '../src/features/stats.js';
import type {PropertiesJson, StatsJson} from '../src/stats-api.js';
import {DAY_MS, STEP_MS, windowOf} from '../src/stats-api.js';
import {post, request, session, suiteBrowser, webCluster, webConsole, webTars} from './support.js';

const TOKEN = 'charts-test-token-0123456789';
const CALLS = 40;
const PROPERTY = 'charts.queue';

describe('tars web: the Stats tab (call statistics and properties)', function () {
  this.timeout(120_000);
  let web: RunningConsole;
  let base: string;
  let comm: Communicator | undefined;
  const consoles: RunningConsole[] = [];

  before(async () => {
    const {locator} = await webCluster();
    web = await webConsole();
    consoles.push(web);
    base = web.url;
    // Load through the registry: tars call reports what it saw (side client) to the stat service before it ends.
    const called = await webTars(['call', 'Demo.Svc.EchoObj', 'EchoHello', 'charts', '--repeat', String(CALLS), '--json']);
    expect(called.exit, called.stderr + called.stdout).to.equal(0);
    expect(JSON.parse(called.stdout)).to.include({calls: CALLS, ok: CALLS});
    // A property of Demo.Svc, as its server would report it: two reports, merged by policy.
    const [{communicatorFor, REGISTRY_QUERY_OBJ}, {PropertyF}] = await Promise.all([import('@tars-ts/kit'),
      import('@tars-ts/core/framework')]);
    comm = await communicatorFor({proxy: locator, obj: REGISTRY_QUERY_OBJ, locator, via: 'locator'}, {});
    const property = comm.stringToProxy(PropertyF.PropertyFProxy, 'tars.tarsproperty.PropertyObj', {timeout: 5000});
    const report = (pairs: [string, string][]) => property.reportPropMsg(new Map([[PropertyF.StatPropMsgHead.create({
      moduleName: 'Demo.Svc', propertyName: PROPERTY, iPropertyVer: 2}), PropertyF.StatPropMsgBody.create({
      vInfo: pairs.map(([policy, value]) => PropertyF.StatPropInfo.create({policy, value}))})]]));
    await report([['Sum', '10'], ['Max', '7']]);
    await report([['Sum', '5'], ['Max', '3']]);
  });

  after(async () => {
    comm?.close();
    for (const c of consoles) await c.close();
  });

  /** GET a route of the console as JSON (the loopback console needs no session for a GET). */
  const get = (route: string) => request(`${base}${route}`);

  describe('the API', () => {
    it('GET /api/stats: the echo interface\'s calls in the current window, and a comparison series a day earlier',
      async () => {
        let stats: StatsJson | undefined;
        await until(async () => {
          const res = await get('api/stats/Demo/Svc?hours=1&interface=EchoHello&side=client');
          expect(res.status, JSON.stringify(res.body)).to.equal(200);
          stats = res.body as StatsJson;
          return stats.totals.current.calls >= CALLS;
        }, 'the calls of tars call in the stat service', 20_000);
        const s = stats!;
        expect(s).to.include({server: 'Demo.Svc', side: 'client', hours: 1, interface: 'EchoHello', stepMs: STEP_MS});
        expect(s.times).to.have.length(12);
        expect(s.times[0]).to.equal(s.since);
        expect(s.until - s.since).to.equal(3600_000);
        for (const series of [s.current, s.previous]) {
          for (const values of [series.calls, series.errors, series.timeouts, series.avgMs, series.p99Ms]) {
            expect(values).to.have.length(12);
          }
        }
        expect(s.current.calls.reduce((a, b) => a + b, 0)).to.equal(s.totals.current.calls);
        expect(s.totals.current).to.include({errors: 0, timeouts: 0});
        expect(s.totals.current.success).to.equal(s.totals.current.calls);
        expect(s.totals.current.avgMs).to.be.a('number');
        expect(s.totals.current.p99Ms, 'a histogram bucket\'s bound').to.be.at.least(5);
        expect(s.previous.calls.every((n) => n >= 0)).to.equal(true);
        expect(s.totals.previous.calls).to.equal(s.previous.calls.reduce((a, b) => a + b, 0));
        const echo = s.interfaces.find((i) => i.name === 'EchoHello');
        expect(echo?.current.calls).to.equal(s.totals.current.calls);
        expect(s.instances).to.include({asked: 1, answered: 1});
        // Every interface added up is at least the echo interface's share.
        const all = (await get('api/stats/Demo/Svc?hours=1')).body as StatsJson;
        expect(all.interface).to.equal(null);
        expect(all.side).to.equal('client');
        expect(all.totals.current.calls).to.be.at.least(s.totals.current.calls);
      });

    it('GET /api/properties: each policy of a reported property, merged over the window', async () => {
      let props: PropertiesJson | undefined;
      await until(async () => {
        const res = await get('api/properties/Demo/Svc?hours=3');
        expect(res.status, JSON.stringify(res.body)).to.equal(200);
        props = res.body as PropertiesJson;
        return props.properties.filter((p) => p.name === PROPERTY).length === 2;
      }, 'the property in the stat service', 20_000);
      const mine = props!.properties.filter((p) => p.name === PROPERTY);
      expect(props!.times).to.have.length(36);
      const sum = mine.find((p) => p.policy === 'Sum')!;
      expect(sum).to.include({total: '15', numeric: true});
      expect(sum.values.filter((v) => v !== null).reduce((a, b) => a! + b!, 0)).to.equal(15);
      expect(mine.find((p) => p.policy === 'Max')).to.include({total: '7'});
    });

    it('bad input is 400 naming the fix: hours out of range or not a number, a bad side, a bad interface, a bad name',
      async () => {
        for (const [route, pattern] of [
          ['api/stats/Demo/Svc?hours=0', /hours "0" is not a whole number from 1 to 48/],
          ['api/stats/Demo/Svc?hours=49', /from 1 to 48/],
          ['api/stats/Demo/Svc?hours=two', /hours "two"/],
          ['api/stats/Demo/Svc?hours=1.5', /hours "1.5"/],
          ['api/properties/Demo/Svc?hours=-1', /hours "-1"/],
          ['api/stats/Demo/Svc?side=both', /side "both" is not client or server/],
          ['api/stats/Demo/Svc?interface=%3Cscript%3E', /interface "<script>" is not a function name/],
          ['api/stats/De%20mo/Svc', /"De mo" is not an application or server name/],
        ] as const) {
          const res = await get(route);
          expect(res.status, route).to.equal(400);
          expect(res.body.error.code, route).to.match(/^BAD_(REQUEST|NAME)$/);
          expect(res.body.error.message, route).to.match(pattern);
          expect(res.body.error.hint, route).to.be.a('string').and.not.equal('');
        }
      });

    it('an unknown server is 404 NO_SERVER; another method is 405, with or without the CSRF token', async () => {
      for (const route of ['api/stats/Demo/Nope', 'api/properties/Nobody/Svc']) {
        const res = await get(route);
        expect(res.status, route).to.equal(404);
        expect(res.body.error.code).to.equal('NO_SERVER');
      }
      const s = await session(base);
      const wrong = await post(base, 'api/stats/Demo/Svc', s);
      expect(wrong.status).to.equal(405);
      expect(wrong.body.error.code).to.equal('BAD_METHOD');
      expect((await post(base, 'api/properties/Demo/Svc', s)).body.error.code).to.equal('BAD_METHOD');
      // Both routes only read: a POST has no route to reach, so it is 405 before the CSRF guard would matter.
      const forged = await post(base, 'api/stats/Demo/Svc', {cookie: s.cookie});
      expect(forged.status).to.equal(405);
      expect(forged.body.error.code).to.equal('BAD_METHOD');
    });

    it('without a session on a console with a token, both routes are 401', async () => {
      const guarded = await webConsole({token: TOKEN});
      consoles.push(guarded);
      for (const route of ['api/stats/Demo/Svc', 'api/properties/Demo/Svc?hours=1']) {
        const res = await request(`${guarded.url}${route}`);
        expect(res.status, route).to.equal(401);
        expect(res.body.error.code).to.equal('NO_SESSION');
      }
    });

    it('the query\'s defaults: 3 hours, every interface, the callers\' side', () => {
      const q = new URLSearchParams();
      expect([hoursOf(q), interfaceOf(q), sideOf(q)]).to.deep.equal([3, null, 'client']);
      expect(interfaceOf(new URLSearchParams('interface='))).to.equal(null);
      expect(hoursOf(new URLSearchParams('hours=48'))).to.equal(48);
    });

    it('a window ends with the 5-minute slot now is in, and the comparison is the same slots a day earlier', () => {
      const now = Date.UTC(2026, 0, 2, 10, 7, 30);
      const w = windowOf(1, now);
      expect(new Date(w.until).toISOString()).to.equal('2026-01-02T10:10:00.000Z');
      expect(new Date(w.since).toISOString()).to.equal('2026-01-02T09:10:00.000Z');
      expect(w.times).to.have.length(12);
      expect(w.times.at(-1)! + STEP_MS).to.equal(w.until);
      expect(new Date(w.since - DAY_MS).toISOString()).to.equal('2026-01-01T09:10:00.000Z');
    });
  });

  describe('the tab in headless Chromium', () => {
    const browser = suiteBrowser();

    it('draws the call charts with data, a totals table with the calls, and the property', async () => {
      const page = await browser.open();
      try {
        await page.goto(`${base}#/server/Demo/Svc/stats`);
        await page.getByRole('heading', {name: 'Call statistics of Demo.Svc'}).waitFor();
        const callsChart = page.locator('#stats-calls-chart');
        await callsChart.locator('canvas').waitFor();
        const calls = page.locator('#stats-calls-chart + table td[data-total="Calls"]').first();
        await calls.waitFor();
        expect(Number((await calls.textContent())!.replace(/,/g, ''))).to.be.at.least(CALLS);
        expect(await callsChart.getAttribute('aria-label')).to.match(/^Calls of Demo\.Svc per 5 minutes, last 3 h: [\d,]+ in all/);
        // The canvas has pixels drawn: not every pixel is transparent.
        const painted = await page.evaluate(`(() => {
          const canvas = document.querySelector('#stats-calls-chart canvas');
          const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
          let n = 0;
          for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
          return n;
        })()`) as number;
        expect(painted).to.be.greaterThan(100);
        await page.locator('#stats-failures-chart canvas').waitFor();
        await page.locator('#stats-latency-chart canvas').waitFor();
        await page.locator(`tr[data-property="${PROPERTY}"]`).first().waitFor();
        await page.locator('tr[data-interface="EchoHello"]').waitFor();
        // One interface and another range: the charts are made again for it.
        await page.getByLabel('Interface').selectOption('EchoHello');
        await page.getByLabel('Range').selectOption('1');
        await until(async () => /last 1 h/.test(await callsChart.getAttribute('aria-label') ?? ''),
          'the calls chart of the last hour', 15_000);
        expect(await callsChart.getAttribute('aria-label')).to.match(/^Calls of Demo\.Svc EchoHello per 5 minutes/);
        await page.getByRole('status').filter({hasText: /calls in the last 1 h/}).waitFor();
        await browser.shot(page, 'stats');
        // Leaving the tab stops the refresh and drops the charts' canvases.
        await page.getByRole('link', {name: 'Overview'}).click();
        await page.getByRole('heading', {name: 'Adapters'}).waitFor();
        expect(await page.locator('.stats-chart canvas').count()).to.equal(0);
      } finally {
        await page.context().close();
      }
    });

    it('fits a phone width in the dark theme: the charts shrink with their container and take the theme\'s colours',
      async () => {
        const page = await browser.open(360, 800, 'dark');
        try {
          await page.goto(`${base}#/server/Demo/Svc/stats`);
          const canvas = page.locator('#stats-calls-chart canvas');
          await canvas.waitFor();
          await page.locator('#stats-calls-chart + table td[data-total="Calls"]').first().waitFor();
          expect(await page.evaluate('document.documentElement.scrollWidth')).to.be.at.most(360);
          const width = await canvas.evaluate((c) => c.getBoundingClientRect().width);
          expect(width).to.be.at.most(340);
          // The legend is in the theme's text colour: light text on the dark card.
          const legend = await page.evaluate(
            'getComputedStyle(document.querySelector("#stats-calls-chart .u-legend")).color');
          expect(legend).to.equal(await page.evaluate('getComputedStyle(document.body).color'));
          await browser.shot(page, 'stats-phone-dark');
          // A wider window: the chart grows with its container.
          await page.setViewportSize({width: 1000, height: 800});
          await until(async () => (await canvas.evaluate((c) => c.getBoundingClientRect().width)) > 400,
            'the chart grown with the window', 15_000);
        } finally {
          await page.context().close();
        }
      });
  });
});
