// The console's interface debugger on the shared cluster: a server of its own (WebDbg.Calc) uploaded to the patch
// store with its .tars file and deployed from it, so that the patch store gives its interface; Demo.Svc (deployed
// from a path, reflection on) described by reflection; WebDbg.Bare (from a path, reflection off) with no interface
// until one is pasted. The API with every route's errors over real HTTP, the calls over TARS, and the Debug tab in
// headless Chromium: a form generated from the interface, filled, called, the answer shown.
import {expect} from 'chai';
import {writeFileSync} from 'node:fs';
import path from 'node:path';

import {writeServicePackage} from '../../../../test/support/echo-service.js';
import {freePorts} from '../../../../test/support/ports.js';
import type {RunningConsole} from '../src/index.js';
import {post, request, session, suiteBrowser, webCluster, webConsole, webTars, webTarsJson} from './support.js';

const TOKEN = 'debug-test-token-0123456789';

/** The interface WebDbg.Calc serves and ships in its package. */
const CALC_TARS = `module WebDbg {
  enum Color { RED = 0, GREEN = 1, BLUE = 2 };
  struct Item {
    0 require string name;
    1 require int qty;
    2 optional Color color = RED;
  };
  struct Order {
    0 require string customer;
    1 require vector<Item> items;
    2 optional map<string, string> notes;
  };
  interface Calc {
    int total(Order order, vector<int> extras, out string summary);
    bool slow(int ms);
    void fail(string why);
    string big(int kib);
    string paint(Item item, bool glossy, map<string, int> stock);
  };
};
`;

/**
 * The index.js of a service hosting `obj` whose interface is read from Calc.tars next to it (so the server and the
 * .tars file cannot disagree); with `reflection` false it does not answer tars_describe.
 */
function calcSource(obj: string, reflection: boolean): string {
  return `import path from 'node:path';
import {Application, Servant, describeProgram, loadIdl, loadServerConfig} from '@tars-ts/core';
const here = path.dirname(new URL(import.meta.url).pathname);
const {program, diagnostics} = loadIdl([path.join(here, 'Calc.tars')]);
if (diagnostics.some((d) => d.severity === 'error')) throw new Error(JSON.stringify(diagnostics));
const iface = [...describeProgram(program).interfaces.values()][0];
class Calc extends Servant {
  static $interface = iface;
  total(order, extras) {
    const sum = order.items.reduce((s, i) => s + i.qty, 0) + extras.reduce((s, x) => s + x, 0);
    return {ret: sum, summary: order.customer + ': ' + order.items.map((i) => i.name + '/' + i.color).join(',') +
      ' +' + extras.length};
  }
  async slow(ms) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(ms, 5000)));
    return {ret: true};
  }
  fail(why) { throw new Error(why); }
  paint(item, glossy, stock) {
    const names = ['RED', 'GREEN', 'BLUE'];
    return {ret: item.name + ' x' + item.qty + ' ' + names[item.color] + (glossy ? ' glossy' : '') + ' ' +
      [...stock].map(([k, v]) => k + '=' + v).join(',')};
  }
  big(kib) { return {ret: 'x'.repeat(Math.min(kib, 4096) * 1024)}; }
}
const at = process.argv.findIndex((a) => a.startsWith('--config'));
const file = process.argv[at].includes('=') ? process.argv[at].slice('--config='.length) : process.argv[at + 1];
const app = ${reflection ? 'await Application.fromArgs(process.argv)' : 'new Application({...loadServerConfig(file), reflection: false})'};
app.addServant(new Calc(), '${obj}');
await app.start();
`;
}

describe('tars web: the interface debugger', function () {
  this.timeout(120_000);
  let base: string;
  let web: RunningConsole;
  let s: {cookie: string; csrf: string};
  let calcVersion: string;
  const consoles: RunningConsole[] = [];

  before(async function () {
    this.timeout(180_000);
    const {work} = await webCluster();
    const [calcPort, barePort] = await freePorts(2);
    const calc = writeServicePackage(path.join(work, 'webdbg-calc'), 'webdbg-calc', calcSource('WebDbg.Calc.CalcObj', true));
    writeFileSync(path.join(calc, 'Calc.tars'), CALC_TARS);
    calcVersion = (await webTarsJson<{version: string}>(['patch', 'upload', 'WebDbg.Calc', calc, '-m', 'debugger test']))
      .version;
    const deployed = await webTars(['server', 'deploy', 'WebDbg.Calc', '--version', calcVersion, '--adapter',
      `CalcObj=tcp -h 127.0.0.1 -p ${calcPort} -t 60000`]);
    expect(deployed.exit, deployed.stderr + deployed.stdout).to.equal(0);
    const bare = writeServicePackage(path.join(work, 'webdbg-bare'), 'webdbg-bare', calcSource('WebDbg.Bare.CalcObj', false));
    writeFileSync(path.join(bare, 'Calc.tars'), CALC_TARS);
    const bareDeployed = await webTars(['server', 'deploy', 'WebDbg.Bare', '--package', bare, '--adapter',
      `CalcObj=tcp -h 127.0.0.1 -p ${barePort} -t 60000`]);
    expect(bareDeployed.exit, bareDeployed.stderr + bareDeployed.stdout).to.equal(0);
    web = await webConsole();
    consoles.push(web);
    base = web.url;
    s = await session(base);
  });

  after(async function () {
    this.timeout(120_000);
    for (const c of consoles) await c.close();
    for (const server of ['WebDbg.Calc', 'WebDbg.Bare']) await webTars(['server', 'undeploy', server]).catch(() => undefined);
  });

  const callCalc = (body: object, who: {cookie: string; csrf?: string} = s, server = 'WebDbg/Calc') =>
    post(base, `api/debug/${server}/call`, who, JSON.stringify(body));
  const order = {customer: 'ada', items: [{name: 'nut', qty: 2, color: 'GREEN'}, {name: 'bolt', qty: 3}]};

  describe('the API', () => {
    it('GET /api/debug/:app/:server gives each object\'s interface from the .tars files of the version the patch store ' +
      'deployed, saying so', async () => {
      const res = await request(`${base}api/debug/WebDbg/Calc`);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body).to.include({server: 'WebDbg.Calc', release: calcVersion});
      const [calc] = res.body.objects;
      expect(calc).to.include({obj: 'WebDbg.Calc.CalcObj', sourceKind: 'patch'});
      expect(calc.source).to.equal(`the .tars files of WebDbg.Calc version ${calcVersion} (patch server)`);
      expect(calc.endpoints[0].endpoint).to.match(/^tcp -h 127\.0\.0\.1 -p \d+/);
      const iface = calc.interface;
      expect(iface.name).to.equal('WebDbg.Calc');
      expect(iface.operations.map((o: {name: string}) => o.name)).to.deep.equal(['total', 'slow', 'fail', 'big', 'paint']);
      expect(iface.operations[0].params).to.deep.equal([
        {name: 'order', tag: 1, type: {kind: 'struct', name: 'WebDbg.Order'}, out: false},
        {name: 'extras', tag: 2, type: {kind: 'vector', elem: {kind: 'int'}}, out: false},
        {name: 'summary', tag: 3, type: {kind: 'string'}, out: true}]);
      const item = iface.structs.find((x: {name: string}) => x.name === 'WebDbg.Item');
      expect(item.fields.map((f: {tag: number; name: string; required: boolean}) => [f.tag, f.name, f.required]))
        .to.deep.equal([[0, 'name', true], [1, 'qty', true], [2, 'color', false]]);
      expect(iface.enums).to.deep.equal([{name: 'WebDbg.Color', members: [{name: 'RED', value: 0},
        {name: 'GREEN', value: 1}, {name: 'BLUE', value: 2}]}]);
    });

    it('a server deployed from a path is described by reflection, and that is said', async () => {
      const res = await request(`${base}api/debug/Demo/Svc`);
      expect(res.status).to.equal(200);
      expect(res.body.release).to.equal('');
      expect(res.body.objects[0]).to.include({obj: 'Demo.Svc.EchoObj', sourceKind: 'reflection'});
      expect(res.body.objects[0].problem).to.match(/deployed from a path/);
      expect(res.body.objects[0].interface.operations[0].name).to.equal('EchoHello');
    });

    it('a call with a struct and a vector answers the return value, the out-parameters, the duration and the endpoint',
      async () => {
        const res = await callCalc({obj: 'CalcObj', function: 'total', args: {order, extras: [10, 20]}});
        expect(res.status, JSON.stringify(res.body)).to.equal(200);
        expect(res.body).to.include({obj: 'WebDbg.Calc.CalcObj', function: 'total', ret: 0, returns: 35,
          sourceKind: 'patch'});
        expect(res.body.outs).to.deep.equal({summary: 'ada: nut/1,bolt/0 +2'});
        expect(res.body.durationMs).to.be.a('number').and.at.least(0);
        expect(res.body.endpoint).to.match(/^tcp -h 127\.0\.0\.1 -p \d+/);
        // On a node picked by name, through its adapter's endpoint.
        const detail = (await request(`${base}api/debug/WebDbg/Calc`)).body.objects[0];
        const onNode = await callCalc({obj: 'WebDbg.Calc.CalcObj', function: 'total', node: detail.endpoints[0].node,
          args: {order: {customer: 'bo', items: []}, extras: []}, timeoutMs: 5000});
        expect(onNode.status, JSON.stringify(onNode.body)).to.equal(200);
        expect(onNode.body).to.include({returns: 0});
        expect(onNode.body.endpoint.startsWith(detail.endpoints[0].endpoint.split(' -t ')[0])).to.equal(true);
      });

    it('an argument of the wrong type is 400 BAD_ARGUMENT naming the field and the expected type', async () => {
      const wrong = await callCalc({obj: 'CalcObj', function: 'total', args: {order: {customer: 'x',
        items: [{name: 'n', qty: 'three'}]}, extras: []}});
      expect(wrong.status, JSON.stringify(wrong.body)).to.equal(400);
      expect(wrong.body.error.code).to.equal('BAD_ARGUMENT');
      expect(wrong.body.error.message).to.equal('args.order.items[0].qty: expected int (an integer), got the string "three"');
      expect(wrong.body.error.hint).to.equal('expected: int total(WebDbg.Order order, vector<int> extras, out string summary)');
      const range = await callCalc({obj: 'CalcObj', function: 'total', args: {order, extras: [2 ** 31]}});
      expect(range.status).to.equal(400);
      expect(range.body.error.message).to.match(/^args\.extras\[0\]: expected int \(-2147483648\.\.2147483647\)/);
      const enumValue = await callCalc({obj: 'CalcObj', function: 'total', args: {order: {customer: 'x',
        items: [{name: 'n', qty: 1, color: 'PINK'}]}, extras: []}});
      expect(enumValue.status).to.equal(400);
      expect(enumValue.body.error.message).to.match(/^args\.order\.items\[0\]\.color: expected .*one of RED, GREEN, BLUE/);
      const missing = await callCalc({obj: 'CalcObj', function: 'total', args: {order}});
      expect(missing.status).to.equal(400);
      expect(missing.body.error.message).to.equal('args lacks "extras"');
      const extra = await callCalc({obj: 'CalcObj', function: 'total', args: {order, extras: [], more: 1}});
      expect(extra.status).to.equal(400);
      expect(extra.body.error.message).to.equal('args has "more", which is not an in-parameter of total');
    });

    it('an answer over 1 MiB of JSON comes as a truncated preview, a smaller one in full', async () => {
      const big = await callCalc({obj: 'CalcObj', function: 'big', args: {kib: 1100}});
      expect(big.status).to.equal(200);
      expect(big.body).to.include({ret: 0, returns: null});
      expect(big.body.outs).to.deep.equal({});
      expect(big.body.truncated.bytes).to.be.above(1024 * 1024);
      expect(big.body.truncated.preview).to.have.length(64 * 1024);
      expect(big.body.truncated.preview.startsWith('{\n  "returns": "xxx')).to.equal(true);
      const small = await callCalc({obj: 'CalcObj', function: 'big', args: {kib: 1}});
      expect(small.body.returns).to.have.length(1024);
      expect(small.body).to.not.have.property('truncated');
    });

    it('an unknown function is 404 NO_FUNCTION naming it, the nearest name and the functions there are', async () => {
      const res = await callCalc({obj: 'CalcObj', function: 'totl', args: {}});
      expect(res.status, JSON.stringify(res.body)).to.equal(404);
      expect(res.body.error.code).to.equal('NO_FUNCTION');
      expect(res.body.error.message).to.equal('WebDbg.Calc has no function "totl" (did you mean total?)');
      expect(res.body.error.hint).to.include('bool slow(int ms)');
    });

    it('a failed call is 502 CALL_FAILED with its TARS return code: -99 with the function\'s own error, -7 on timeout',
      async () => {
        const thrown = await callCalc({obj: 'CalcObj', function: 'fail', args: {why: 'out of nuts'}});
        expect(thrown.status).to.equal(502);
        expect(thrown.body.error).to.include({code: 'CALL_FAILED', ret: -99, name: 'TARSSERVERUNKNOWNERR'});
        expect(thrown.body.error.message).to.include('out of nuts');
        const slow = await callCalc({obj: 'CalcObj', function: 'slow', args: {ms: 3000}, timeoutMs: 300});
        expect(slow.status).to.equal(502);
        expect(slow.body.error).to.include({code: 'CALL_FAILED', ret: -7, name: 'TARSINVOKETIMEOUT'});
        expect(slow.body.error.hint).to.include('no answer in 300 ms');
        const ok = await callCalc({obj: 'CalcObj', function: 'slow', args: {ms: 1}});
        expect(ok.body).to.include({returns: true});
      });

    it('every route\'s errors: unknown server 404, bad names and bodies 400, unknown object or node 404, wrong method ' +
      '405, no CSRF token 403, a body over 1 MiB 413', async () => {
      const cases: [Promise<{status: number; body: any}>, number, string, RegExp?][] = [ // eslint-disable-line @typescript-eslint/no-explicit-any
        [request(`${base}api/debug/WebDbg/Nope`), 404, 'NO_SERVER', /WebDbg\.Nope is not deployed/],
        [request(`${base}api/debug/Web%20Dbg/Calc`), 400, 'BAD_NAME'],
        [callCalc({obj: 'CalcObj', function: 'total', args: {}}, s, 'WebDbg/Nope'), 404, 'NO_SERVER'],
        [callCalc({function: 'total'}), 400, 'BAD_REQUEST', /"obj"/],
        [callCalc({obj: 'CalcObj'}), 400, 'BAD_REQUEST', /"function"/],
        [callCalc({obj: 'CalcObj', function: 'total', args: [1]}), 400, 'BAD_REQUEST', /"args" must be an object/],
        [callCalc({obj: 'CalcObj', function: 'slow', args: {ms: 1}, timeoutMs: 60_001}), 400, 'BAD_REQUEST', /timeoutMs/],
        [callCalc({obj: 'CalcObj', function: 'slow', args: {ms: 1}, timeoutMs: 1.5}), 400, 'BAD_REQUEST', /timeoutMs/],
        [callCalc({obj: 'CalcObj', function: 'slow', args: {ms: 1}, node: ''}), 400, 'BAD_REQUEST', /"node"/],
        [callCalc({obj: 'CalcObj', function: 'slow', args: {ms: 1}, node: 'nowhere'}), 404, 'NO_SERVER', /nowhere/],
        [callCalc({obj: 'NopeObj', function: 'slow', args: {}}), 404, 'NO_OBJECT', /WebDbg\.Calc has no object "NopeObj"/],
        [post(base, 'api/debug/WebDbg/Calc/call', s, 'obj=x', 'application/x-www-form-urlencoded'), 400, 'BAD_REQUEST'],
        [post(base, 'api/debug/WebDbg/Calc/call', s, '{"obj":'), 400, 'BAD_REQUEST', /not valid JSON/],
        [request(`${base}api/debug/WebDbg/Calc/call`), 405, 'BAD_METHOD'],
        [post(base, 'api/debug/WebDbg/Calc', s), 405, 'BAD_METHOD'],
        [post(base, 'api/debug/WebDbg/Calc/call', {cookie: s.cookie}, '{}'), 403, 'CSRF'],
        [post(base, 'api/debug/WebDbg/Calc/interface', {cookie: s.cookie}, '{}'), 403, 'CSRF'],
        [post(base, 'api/debug/WebDbg/Calc/call', s, JSON.stringify({obj: 'CalcObj', function: 'fail',
          args: {why: 'x'.repeat(1024 * 1024 + 10)}})), 413, 'BAD_REQUEST', /over 1048576 bytes/],
      ];
      for (const [answer, status, code, message] of cases) {
        const res = await answer;
        expect(res.status, JSON.stringify(res.body)).to.equal(status);
        expect(res.body.error.code, JSON.stringify(res.body)).to.equal(code);
        expect(res.body.error.hint, JSON.stringify(res.body)).to.be.a('string').and.not.equal('');
        if (message) expect(res.body.error.message).to.match(message);
      }
    });

    it('a server without reflection or patch-store version has no interface (404 NO_INTERFACE on a call) until its ' +
      '.tars text is pasted, which lasts for that session only', async () => {
      const before = await request(`${base}api/debug/WebDbg/Bare`, {headers: {cookie: s.cookie}});
      expect(before.status).to.equal(200);
      expect(before.body.objects[0]).to.include({sourceKind: 'none', interface: null});
      expect(before.body.objects[0].problem).to.match(/does not describe itself/);
      const noInterface = await callCalc({obj: 'CalcObj', function: 'slow', args: {ms: 1}}, s, 'WebDbg/Bare');
      expect(noInterface.status).to.equal(404);
      expect(noInterface.body.error.code).to.equal('NO_INTERFACE');

      const paste = (files: unknown, who = s) => post(base, 'api/debug/WebDbg/Bare/interface', who, JSON.stringify({files}));
      const badIdl = await paste({'Calc.tars': 'module WebDbg { interface Calc { int total(Order o); }; };'});
      expect(badIdl.status).to.equal(400);
      expect(badIdl.body.error.code).to.equal('BAD_IDL');
      expect(badIdl.body.error.message).to.match(/Order/);
      expect((await paste({'../x.tars': CALC_TARS})).body.error.code).to.equal('BAD_REQUEST');
      expect((await paste({})).body.error.message).to.equal('no .tars file given');
      expect((await paste('text')).status).to.equal(400);

      const pasted = await paste({'Calc.tars': CALC_TARS});
      expect(pasted.status, JSON.stringify(pasted.body)).to.equal(200);
      expect(pasted.body.pasted).to.deep.equal(['Calc.tars']);
      expect(pasted.body.objects[0]).to.include({sourceKind: 'pasted',
        source: '.tars text pasted in this session (Calc.tars)'});
      const called = await callCalc({obj: 'CalcObj', function: 'total', args: {order, extras: [1]}}, s, 'WebDbg/Bare');
      expect(called.status, JSON.stringify(called.body)).to.equal(200);
      expect(called.body).to.include({returns: 6, sourceKind: 'pasted'});

      const other = await session(base);
      const otherView = await request(`${base}api/debug/WebDbg/Bare`, {headers: {cookie: other.cookie}});
      expect(otherView.body.objects[0].sourceKind).to.equal('none');
      const notJson = await request(`${base}api/debug/WebDbg/Bare/interface`, {method: 'DELETE', body: 'x',
        headers: {cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'text/plain'}});
      expect(notJson.status).to.equal(400);
      const dropped = await request(`${base}api/debug/WebDbg/Bare/interface`, {method: 'DELETE', body: '{}',
        headers: {cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/json'}});
      expect(dropped.status).to.equal(200);
      expect(dropped.body.objects[0].sourceKind).to.equal('none');
    });

    it('a console with a token answers 401 without a session', async () => {
      const guarded = await webConsole({token: TOKEN});
      consoles.push(guarded);
      const res = await request(`${guarded.url}api/debug/WebDbg/Calc`);
      expect(res.status).to.equal(401);
      expect(res.body.error.code).to.equal('NO_SESSION');
      const call = await post(guarded.url, 'api/debug/WebDbg/Calc/call', {cookie: '', csrf: 'x'},
        JSON.stringify({obj: 'CalcObj', function: 'slow', args: {ms: 1}}));
      expect(call.status).to.equal(401);
      expect(call.body.error.code).to.equal('NO_SESSION');
    });
  });

  describe('the Debug tab in headless Chromium', () => {
    const browser = suiteBrowser();

    it('builds a form from the interface, checks an int\'s range, calls with a struct and a vector, shows the answer ' +
      'and the history', async () => {
      const page = await browser.open();
      try {
        await page.goto(`${base}#/server/WebDbg/Calc/debug`);
        await page.locator('#debug-source', {hasText: `WebDbg.Calc version ${calcVersion} (patch server)`}).waitFor();
        await page.getByLabel('Function').selectOption('total');
        await page.locator('#debug-signature', {hasText: 'int total(Order order, vector<int> extras, out string summary)'})
          .waitFor();
        await page.getByLabel(/^customer /).fill('grace');
        // vector<Item>: a JSON text area with the struct's zero value to start from.
        const items = page.locator('textarea[name="order.items"]');
        expect(JSON.parse(await items.inputValue())).to.deep.equal([]);
        await items.fill(JSON.stringify([{name: 'cog', qty: 4, color: 'BLUE'}]));
        // vector<int>: repeatable rows.
        await page.getByRole('button', {name: 'Add an item to extras'}).click();
        await page.getByRole('button', {name: 'Add an item to extras'}).click();
        await page.getByLabel(/^item 1 /).fill('99999999999');
        await page.getByRole('button', {name: 'Call total'}).click();
        await page.getByRole('alert').filter({hasText: 'extras[0]: expected int from -2147483648 to 2147483647'}).waitFor();
        await page.getByLabel(/^item 1 /).fill('5');
        await page.getByLabel(/^item 2 /).fill('1');
        await page.getByRole('button', {name: 'Remove item 2 of extras'}).click();
        await page.getByRole('button', {name: 'Call total'}).click();
        await page.locator('#debug-answer-status', {hasText: /^ret 0 · [\d.]+ ms · tcp -h 127\.0\.0\.1/}).waitFor();
        const answer = JSON.parse(await page.locator('#debug-answer').innerText());
        expect(answer).to.deep.equal({returns: 9, outs: {summary: 'grace: cog/2 +1'}});
        await page.locator('#debug-history li').first().waitFor();
        expect(await page.locator('#debug-history li').first().innerText()).to.match(/CalcObj\.total · ret 0/);
        await browser.shot(page, 'debug');

        // Raw JSON mode: what the form held, editable; an unknown field comes back as the server's 400.
        await page.getByRole('button', {name: 'Raw JSON'}).click();
        const raw = JSON.parse(await page.locator('#debug-raw').inputValue());
        expect(raw.order.customer).to.equal('grace');
        await page.locator('#debug-raw').fill(JSON.stringify({...raw, nope: 1}));
        await page.getByRole('button', {name: 'Call total'}).click();
        await page.getByRole('alert').filter({hasText: 'args has "nope"'}).waitFor();

        // A struct as a fieldset with an enum select, a bool checkbox, a map as key/value rows.
        await page.getByLabel('Function').selectOption('paint');
        await page.locator('#debug-signature', {hasText: 'string paint(Item item, bool glossy, map<string, int> stock)'})
          .waitFor();
        await page.getByLabel(/^name /).fill('cog');
        await page.getByLabel(/^qty /).fill('7');
        await page.getByLabel(/^color /).selectOption('BLUE');
        await page.getByLabel(/^glossy /).check();
        await page.getByRole('button', {name: 'Add an entry to stock'}).click();
        await page.getByLabel(/^key 1 /).fill('bin');
        await page.getByLabel(/^value 1 /).fill('3');
        await page.getByRole('button', {name: 'Call paint'}).click();
        await page.locator('#debug-answer-status', {hasText: /^ret 0/}).waitFor();
        expect(JSON.parse(await page.locator('#debug-answer').innerText())).to.deep.equal({returns: 'cog x7 BLUE glossy bin=3',
          outs: {}});

        // The history keeps each call; Load puts a call's arguments back into its form.
        expect(await page.locator('#debug-history li').count()).to.equal(3);
        await page.getByRole('button', {name: 'Load the arguments of call 3 (total)'}).click();
        await page.locator('#debug-signature', {hasText: 'int total('}).waitFor();
        expect(await page.getByLabel(/^customer /).inputValue()).to.equal('grace');
      } finally {
        await page.context().close();
      }
    });

    it('says when no interface can be had, and takes a pasted .tars file for the session', async () => {
      const page = await browser.open(360, 800, 'dark');
      try {
        await page.goto(`${base}#/server/WebDbg/Bare/debug`);
        await page.locator('#debug-status', {hasText: 'No interface of WebDbg.Bare.CalcObj'}).waitFor();
        await page.getByLabel('.tars text').fill(CALC_TARS);
        await page.getByRole('button', {name: 'Use this .tars for WebDbg.Bare'}).click();
        await page.locator('#debug-source', {hasText: 'Interface from .tars text pasted in this session'}).waitFor();
        await page.getByLabel('Function').selectOption('slow');
        await page.getByLabel(/^ms /).fill('1');
        await page.getByRole('button', {name: 'Call slow'}).click();
        await page.locator('#debug-answer-status', {hasText: /^ret 0/}).waitFor();
        expect(JSON.parse(await page.locator('#debug-answer').innerText())).to.deep.equal({returns: true, outs: {}});
        const width = await page.evaluate('document.documentElement.scrollWidth');
        expect(width).to.be.at.most(360);
        await browser.shot(page, 'debug-phone-pasted');
      } finally {
        await page.context().close();
      }
    });
  });
});
