// The console's sessions in-process, on a clock the tests move: the cookie's flags, expiry after the idle time,
// the CSRF check, the login's token check and its throttle after failures.
import {expect} from 'chai';

import {MAX_FAILED_LOGINS_PER_MINUTE, SESSION_TTL_MS, Sessions, cookieValue, sameSecret} from '../src/sessions.js';

const TOKEN = 'sessions-test-token-0123';

describe('console sessions', () => {
  let now = 1_800_000_000_000;
  const clock = (): number => now;

  it('a session cookie is HttpOnly, SameSite=Strict, Path=/, expires, and names a random id', () => {
    const sessions = new Sessions(undefined, clock);
    const a = sessions.create();
    const b = sessions.create();
    expect(a.id).to.not.equal(b.id);
    expect(a.csrf).to.not.equal(a.id);
    expect(a.id).to.match(/^[\w-]{43}$/);
    expect(Sessions.cookie(a)).to.equal(`tars_console=${a.id}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_TTL_MS / 1000}`);
    expect(Sessions.cookie(a, true)).to.match(/; Secure$/);
    expect(Sessions.clearCookie()).to.match(/^tars_console=; .*Max-Age=0$/);
  });

  it('finds a session by its cookie among others, and forgets it after the idle time or a destroy', () => {
    const sessions = new Sessions(undefined, clock);
    const s = sessions.create();
    expect(sessions.get(`theme=dark; tars_console=${s.id}; x=1`)).to.equal(s);
    expect(sessions.get('tars_console=forged')).to.equal(undefined);
    expect(sessions.get(undefined)).to.equal(undefined);
    now += SESSION_TTL_MS - 1000;
    expect(sessions.get(`tars_console=${s.id}`), 'used within the idle time: still there').to.equal(s);
    now += SESSION_TTL_MS + 1;
    expect(sessions.get(`tars_console=${s.id}`), 'idle too long').to.equal(undefined);
    const t = sessions.create();
    sessions.destroy(t);
    expect(sessions.get(`tars_console=${t.id}`)).to.equal(undefined);
  });

  it('the CSRF header must be the session\'s own token', () => {
    const sessions = new Sessions(undefined, clock);
    const s = sessions.create();
    const other = sessions.create();
    expect(Sessions.csrfMatches(s, s.csrf)).to.equal(true);
    expect(Sessions.csrfMatches(s, other.csrf)).to.equal(false);
    expect(Sessions.csrfMatches(s, undefined)).to.equal(false);
    expect(Sessions.csrfMatches(s, '')).to.equal(false);
    expect(Sessions.csrfMatches(s, [s.csrf, s.csrf])).to.equal(false);
  });

  it('a login takes only the admin token, and none at all without one', () => {
    expect(new Sessions(TOKEN, clock).login(TOKEN)).to.equal(true);
    expect(new Sessions(TOKEN, clock).login(`${TOKEN} `)).to.equal(false);
    expect(new Sessions(TOKEN, clock).login(TOKEN.slice(0, -1))).to.equal(false);
    expect(new Sessions(undefined, clock).login(TOKEN)).to.equal(false);
    expect(sameSecret('a', 'a')).to.equal(true);
    expect(sameSecret('a', 'ab')).to.equal(false);
  });

  it(`after ${MAX_FAILED_LOGINS_PER_MINUTE} failed logins in a minute even the right token waits for the next minute`, () => {
    now = 1_800_000_000_000 - (1_800_000_000_000 % 60_000);
    const sessions = new Sessions(TOKEN, clock);
    for (let i = 0; i < MAX_FAILED_LOGINS_PER_MINUTE; i++) expect(sessions.login('guess')).to.equal(false);
    expect(sessions.login(TOKEN)).to.equal('throttled');
    now += 60_000;
    expect(sessions.login(TOKEN)).to.equal(true);
  });

  it('cookieValue reads one cookie of a header', () => {
    expect(cookieValue('a=1; b=2', 'b')).to.equal('2');
    expect(cookieValue('ab=1', 'a')).to.equal(undefined);
    expect(cookieValue('', 'a')).to.equal(undefined);
  });
});
