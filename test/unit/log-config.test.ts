// The log keys of a server config (`<server> logsize`, `lognum`, `logpath`) as the application uses them: the roll
// log under <logpath>/<App>/<Server>/ rolls at logsize keeping lognum files; a bad logsize is one clear error.
import {expect} from 'chai';
import {mkdtempSync, readFileSync, readdirSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import {Application, DEFAULT_LOG_NUM, DEFAULT_LOG_SIZE, TarsError} from '@tars-ts/core';

const config = (server: string): string => `<tars>
  <application>
    <server>
      app = App
      server = Server
${server}
    </server>
  </application>
</tars>
`;

describe('log keys of the server config', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tars-logcfg-'));
  });
  afterEach(() => rmSync(dir, {recursive: true, force: true}));

  it('logsize and lognum default to 10 MiB and 10 files; they are read with K/M/G sizes', () => {
    const plain = Application.fromText(config(''));
    expect([plain.config.logsize, plain.config.lognum]).to.deep.equal([DEFAULT_LOG_SIZE, DEFAULT_LOG_NUM]);
    expect(DEFAULT_LOG_SIZE).to.equal(10 * 1024 * 1024);
    const set = Application.fromText(config('      logsize = 1K\n      lognum = 3'));
    expect([set.config.logsize, set.config.lognum]).to.deep.equal([1024, 3]);
    expect(Application.fromOptions({app: 'App', server: 'Server', logsize: '2M', lognum: 4}).config)
      .to.include({logsize: 2 * 1024 * 1024, lognum: 4});
  });

  it('a logsize that is not a size is a CONFIG_INVALID error naming the key and the fix', () => {
    const bad = (): Application => Application.fromText(config('      logsize = lots'));
    expect(bad).to.throw(TarsError, /<server> logsize = lots is not a size \(give bytes with an optional K, M or G/);
  });

  it('the application\'s roll log rolls at logsize and keeps lognum files', async () => {
    const app = Application.fromText(config(`      logpath = ${dir}\n      logsize = 300\n      lognum = 2\n` +
      '      loglevel = DEBUG'));
    for (let i = 0; i < 40; i++) app.logger.debug(`line number ${i}`);
    await app.close();
    // Two files at most (the live one is absent when the very last line rolled it); nothing beyond lognum.
    const files = readdirSync(path.join(dir, 'App', 'Server'));
    expect(files).to.include('App.Server1.log');
    expect(files.filter((f) => !['App.Server.log', 'App.Server1.log'].includes(f))).to.deep.equal([]);
  });

  it('named roll logs: <App>.<Server>_<name>.log, rolled the same way, at the level tars.setloglevel sets', async () => {
    const app = Application.fromText(config(`      logpath = ${dir}\n      logsize = 200\n      lognum = 2\n` +
      '      loglevel = INFO'));
    const audit = app.rollLogger('audit');
    expect(app.rollLogger('audit')).to.equal(audit);
    expect(app.rollLogger('')).to.equal(app.logger);
    audit.debug('hidden');
    audit.info('shown');
    expect(await app.runAdminCommand('tars.setloglevel DEBUG')).to.equal('set log level [DEBUG] ok');
    audit.debug('now shown');
    const live = path.join(dir, 'App', 'Server', 'App.Server_audit.log');
    expect(readFileSync(live, 'utf8').split('\n').filter(Boolean).map((l) => l.split('|').slice(1).join('|')))
      .to.deep.equal(['INFO|shown', 'DEBUG|now shown']);
    for (let i = 0; i < 30; i++) audit.info(`filler ${i}`);
    await app.close();
    const files = readdirSync(path.join(dir, 'App', 'Server')).filter((f) => f.includes('_audit')).sort();
    expect(files).to.include('App.Server_audit1.log');
    expect(files.filter((f) => !['App.Server_audit.log', 'App.Server_audit1.log'].includes(f))).to.deep.equal([]);
    expect(() => app.rollLogger('a/b')).to.throw(/plain name/);
  });
});
