// The Logs and Notifications routes' input checks and the file date, without a cluster: each bad input is a 400 that
// names the fix, and what is accepted comes back as the API uses it.
import {expect} from 'chai';

import {ApiError} from '../src/api-error.js';
import {checkGrep, countParam, fileDate, notifyFilter} from '../src/logs-api.js';

/** The ApiError `fn` throws. */
function failure(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  return expect.fail('no ApiError thrown');
}

describe('the logs API\'s input', () => {
  it('reads a file\'s day, hour or minute from its name, and nothing from a name without one', () => {
    expect(fileDate('App/Svc/App.Svc_20261203.log')).to.equal('2026-12-03');
    expect(fileDate('App/Svc/App.Svc_access_2026120314.log')).to.equal('2026-12-03 14:00');
    expect(fileDate('App/Svc/App.Svc_access_202612031420.log')).to.equal('2026-12-03 14:20');
    expect(fileDate('App/Svc/App.Svc.log')).to.equal('');
  });

  it('takes a grep that is a regular expression, and refuses one that is not or is too long, naming the fix', () => {
    expect(checkGrep(null)).to.equal('');
    expect(checkGrep('ERROR|WARN')).to.equal('ERROR|WARN');
    const bad = failure(() => checkGrep('('));
    expect([bad.status, bad.code]).to.deep.equal([400, 'BAD_REQUEST']);
    expect(bad.hint).to.match(/regular expression/);
    expect(failure(() => checkGrep('x'.repeat(501))).status).to.equal(400);
  });

  it('takes a count from 1 to its bound, the default when absent, and refuses anything else', () => {
    expect(countParam(null, 'n', 200, 2000)).to.equal(200);
    expect(countParam('2000', 'n', 200, 2000)).to.equal(2000);
    for (const text of ['0', '2001', '-1', '1.5', 'many']) {
      const e = failure(() => countParam(text, 'n', 200, 2000));
      expect(e.message, text).to.equal(`n "${text}" is not a number from 1 to 2000`);
    }
  });

  it('takes a notification filter of names and a level, and refuses a bad name (BAD_NAME) or level', () => {
    expect(notifyFilter(new URLSearchParams('app=WebLog&server=Svc&level=warn')))
      .to.deep.equal({app: 'WebLog', server: 'Svc', level: 'warn'});
    expect(notifyFilter(new URLSearchParams(''))).to.deep.equal({app: '', server: '', level: ''});
    expect(failure(() => notifyFilter(new URLSearchParams('server=a.b'))).code).to.equal('BAD_NAME');
    const level = failure(() => notifyFilter(new URLSearchParams('level=loud')));
    expect(level.message).to.equal('level "loud" is not one of alarm, error, warn, normal');
  });
});
