// Every route of the console's API, taken from the router itself (so a route added later is covered without a
// line here): without a session on a console with a token it is 401, a state-changing one without the CSRF token
// is 403, the other method is 405, and a server that does not exist or a malformed name gives a 4xx naming the
// problem and the fix; no error answer carries a stack.
import {expect} from 'chai';

import {freePorts} from '../../../../test/support/ports.js';
import {type RunningConsole, startConsole} from '../src/index.js';
import {type Answer, request, session, webConsole} from './support.js';

const TOKEN = 'api-errors-test-token-0123456789';

/**
 * A path matching `pattern`, its groups filled in order from `values` (an alternation takes its first choice).
 * Throws when the pattern is beyond these simple forms, so that a route nobody can test fails here.
 */
function examplePath(pattern: RegExp, values: string[]): string {
  let i = 0;
  const path = pattern.source.replace(/^\^/, '').replace(/\$$/, '')
    .replace(/\(\[\^\/\]\+\)/g, () => encodeURIComponent(values[i++] ?? 'x'))
    .replace(/\(([A-Za-z-]+)(\|[A-Za-z|-]+)?\)/g, (_m, first: string) => first)
    .replace(/\\\//g, '/').replace(/\\\./g, '.');
  if (!pattern.test(path)) throw new Error(`cannot make an example path of ${pattern}: got ${path}`);
  return path;
}

/** The error document every failure answers with: a code, a message and a hint, and no stack. */
function expectErrorDocument(answer: Answer, what: string): void {
  expect(answer.body, what).to.be.an('object');
  const error = answer.body.error;
  expect(error, `${what}: ${JSON.stringify(answer.body)}`).to.be.an('object');
  expect(error.code, what).to.match(/^[A-Z_]+$/);
  expect(error.message, what).to.be.a('string').and.not.equal('');
  expect(error.hint, what).to.be.a('string');
  expect(JSON.stringify(answer.body), what).not.to.match(/\n\s+at |\.ts:\d+|\.js:\d+/);
}

describe('tars web: every API route\'s errors', function () {
  this.timeout(120_000);
  let open: RunningConsole;
  let guarded: RunningConsole;

  before(async () => {
    open = await webConsole();
    guarded = await webConsole({token: TOKEN});
  });
  after(async () => {
    await open?.close();
    await guarded?.close();
  });

  it('the router lists the routes of every feature, each with a path this test can make', () => {
    expect(open.routes.length).to.be.greaterThan(8);
    for (const r of open.routes) examplePath(r.pattern, ['Demo', 'Svc', 'x.conf']);
  });

  it('without a session (a console with a token) every route is 401 NO_SESSION', async () => {
    for (const r of guarded.routes) {
      const path = examplePath(r.pattern, ['Demo', 'Svc', 'x.conf']);
      const answer = await request(`${guarded.url}${path.slice(1)}`, {method: r.method,
        headers: {'content-type': 'application/json'}, ...(r.method === 'GET' ? {} : {body: '{}'})});
      expect(answer.status, `${r.method} ${path}`).to.equal(401);
      expect(answer.body.error.code, `${r.method} ${path}`).to.equal('NO_SESSION');
      expectErrorDocument(answer, `${r.method} ${path}`);
    }
  });

  it('every state-changing route refuses a request without the X-CSRF-Token (403 CSRF), and one from another origin',
    async () => {
      const s = await session(open.url);
      for (const r of open.routes.filter((x) => x.method !== 'GET')) {
        const path = examplePath(r.pattern, ['Demo', 'Svc', 'x.conf']);
        const url = `${open.url}${path.slice(1)}`;
        const noToken = await request(url, {method: r.method, body: '{}', headers: {'content-type': 'application/json',
          cookie: s.cookie}});
        expect(noToken.status, `${r.method} ${path}`).to.equal(403);
        expect(noToken.body.error.code).to.equal('CSRF');
        const foreign = await request(url, {method: r.method, body: '{}', headers: {'content-type': 'application/json',
          cookie: s.cookie, 'x-csrf-token': s.csrf, origin: 'http://evil.example'}});
        expect(foreign.status, `${r.method} ${path} from another origin`).to.equal(403);
        expectErrorDocument(foreign, `${r.method} ${path}`);
      }
    });

  it('a route asked with a method it does not take is 405 BAD_METHOD', async () => {
    const s = await session(open.url);
    for (const r of open.routes) {
      const path = examplePath(r.pattern, ['Demo', 'Svc', 'x.conf']);
      const other = r.method === 'GET' ? 'POST' : 'GET';
      if (open.routes.some((x) => x.method === other && x.pattern.test(path))) continue;
      const answer = await request(`${open.url}${path.slice(1)}`, {method: other, body: other === 'GET' ? undefined : '{}',
        headers: {'content-type': 'application/json', cookie: s.cookie, 'x-csrf-token': s.csrf}});
      expect(answer.status, `${other} ${path}`).to.equal(405);
      expect(answer.body.error.code).to.equal('BAD_METHOD');
    }
  });

  it('a server that is not deployed, or a malformed name, is a 4xx naming the problem, never a 5xx or a stack',
    async () => {
      const s = await session(open.url);
      const serverRoutes = open.routes.filter((r) => r.pattern.source.startsWith('^\\/api\\/') &&
        (r.pattern.source.match(/\(\[\^\/\]\+\)/g) ?? []).length >= 2);
      expect(serverRoutes.length).to.be.greaterThan(3);
      for (const r of serverRoutes) {
        const groups = (r.pattern.source.match(/\(\[\^\/\]\+\)/g) ?? []).length;
        const cases = [['NoApp', 'NoServer', 'x.conf'], ['Bad App', 'Svc', 'x.conf'], ...groups > 2 ? [['Demo', 'Svc', '../x']] : []];
        for (const values of cases) {
          const path = examplePath(r.pattern, values);
          const answer = await request(`${open.url}${path.slice(1)}`, {method: r.method,
            headers: {'content-type': 'application/json', cookie: s.cookie, 'x-csrf-token': s.csrf},
            ...(r.method === 'GET' ? {} : {body: '{}'})});
          const what = `${r.method} ${path}`;
          if (values[0] === 'NoApp' && r.method === 'GET' && answer.status === 200) {
            // a list of something a server has (its files, its versions) may rightly be empty for one not deployed
            expect(JSON.stringify(answer.body), what).not.to.match(/NoServer.*"error"/);
            continue;
          }
          expect(answer.status, `${what}: ${JSON.stringify(answer.body)}`).to.be.within(400, 499);
          expectErrorDocument(answer, what);
        }
      }
    });

  it('with a registry that does not answer, every read route answers a 502 NO_ANSWER naming what did not answer ' +
    '(or a 4xx for its own input), never a hang', async () => {
    const [dead] = await freePorts(1);
    const lost = await startConsole({locator: `tars.tarsregistry.QueryObj@tcp -h 127.0.0.1 -p ${dead} -t 1000`,
      port: 0, timeoutMs: 1000});
    try {
      const s = await session(lost.url);
      for (const r of lost.routes.filter((x) => x.method === 'GET' && !x.pattern.test('/api/events'))) {
        const path = examplePath(r.pattern, ['Demo', 'Svc', 'x.conf']);
        const answer = await request(`${lost.url}${path.slice(1)}`, {headers: {cookie: s.cookie}});
        const what = `GET ${path}: ${JSON.stringify(answer.body)}`;
        expect(answer.status === 502 || (answer.status >= 400 && answer.status < 500), what).to.equal(true);
        expectErrorDocument(answer, what);
        if (answer.status === 502) expect(answer.body.error.message, what).to.match(/did not answer/);
      }
    } finally {
      await lost.close();
    }
  });

  it('an unknown API path is 404 NOT_FOUND; a body that is not JSON is 400 BAD_REQUEST', async () => {
    const s = await session(open.url);
    const unknown = await request(`${open.url}api/no/such/route`);
    expect(unknown.status).to.equal(404);
    expectErrorDocument(unknown, 'unknown route');
    for (const r of open.routes.filter((x) => x.method !== 'GET')) {
      const path = examplePath(r.pattern, ['Demo', 'Svc', 'x.conf']);
      const answer = await request(`${open.url}${path.slice(1)}`, {method: r.method, body: 'not json',
        headers: {'content-type': 'text/plain', cookie: s.cookie, 'x-csrf-token': s.csrf}});
      expect(answer.status, `${r.method} ${path}: ${JSON.stringify(answer.body)}`).to.be.within(400, 415);
      expectErrorDocument(answer, `${r.method} ${path}`);
    }
  });
});
