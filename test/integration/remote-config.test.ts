// addConfig and tars.loadconfig (issue 14, runtime): files fetched from a real ConfigF servant into the base path,
// backups rotated, the local copy used when the config center is away, listeners told of new content, the SET and
// the node name sent as the official clients send them.
import {expect} from 'chai';
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {Application, type CallContext, Logger, TarsError, formatEndpoint} from '@tars-ts/core';
import {ConfigF} from '@tars-ts/core/framework';

const quiet = new Logger('NONE', () => undefined);

/** A config center holding `files` (by name); records how each was asked for. */
class FakeConfig extends ConfigF.ConfigServant {
  readonly files = new Map<string, string>();
  readonly asked: {how: string; name: string; setdivision?: string; nodeName?: string}[] = [];

  ListConfig(): {ret: number; vf: string[]} {
    return {ret: 0, vf: [...this.files.keys()]};
  }

  loadConfig(_app: string, _server: string, filename: string, ctx: CallContext): {ret: number; config: string} {
    this.asked.push({how: 'loadConfig', name: filename, ...(ctx.context.get('node_name') ? {nodeName: ctx.context.get('node_name')!} : {})});
    const text = this.files.get(filename);
    return text === undefined ? {ret: -1, config: ''} : {ret: 0, config: text};
  }

  loadConfigByHost(): {ret: number; config: string} {
    return {ret: -1, config: ''};
  }

  checkConfig(): {ret: number; result: string} {
    return {ret: 0, result: ''};
  }

  ListConfigByInfo(): {ret: number; vf: string[]} {
    return {ret: 0, vf: [...this.files.keys()]};
  }

  loadConfigByInfo(info: ConfigF.ConfigInfo): {ret: number; config: string} {
    this.asked.push({how: 'loadConfigByInfo', name: info.filename, setdivision: info.setdivision});
    const text = this.files.get(info.filename);
    return text === undefined ? {ret: -1, config: ''} : {ret: 0, config: text};
  }

  checkConfigByInfo(): {ret: number; result: string} {
    return {ret: 0, result: ''};
  }

  ListAllConfigByInfo(): {ret: number; vf: string[]} {
    return {ret: 0, vf: []};
  }
}

describe('addConfig and tars.loadconfig: files from the config center', function () {
  this.timeout(20_000);
  let dir: string;
  let center: Application;
  let fake: FakeConfig;
  let configObj: string;
  const apps: Application[] = [];

  before(async () => {
    fake = new FakeConfig();
    center = Application.fromOptions({app: 'tars', server: 'tarsconfig', logger: quiet,
      adapters: [{servant: 'tars.tarsconfig.ConfigObj', endpoint: 'tcp -h 127.0.0.1 -p 0'}]});
    center.addServant(fake, 'tars.tarsconfig.ConfigObj');
    await center.start();
    configObj = `tars.tarsconfig.ConfigObj@${formatEndpoint(center.servantAdapters[0]!.endpoint)}`;
  });

  after(async () => {
    await center.close();
  });

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-remote-config-'));
    fake.files.clear();
    fake.asked.length = 0;
  });

  afterEach(async () => {
    for (const a of apps.splice(0)) await a.close();
    rmSync(dir, {recursive: true, force: true});
  });

  const server = async (extra: Record<string, unknown> = {}): Promise<Application> => {
    const app = Application.fromOptions({app: 'TestApp', server: 'Conf', basepath: dir, config: configObj,
      logger: quiet, local: 'tcp -h 127.0.0.1 -p 0', ...extra});
    apps.push(app);
    await app.start();
    return app;
  };

  it('fetches into the base path, calls the listener now and on each tars.loadconfig, and keeps 5 backups', async () => {
    fake.files.set('app.conf', 'v1');
    const app = await server();
    const seen: string[] = [];
    expect(await app.addConfig('app.conf', (content) => {
      seen.push(content);
    })).to.equal('v1');
    expect(readFileSync(path.join(dir, 'app.conf'), 'utf8')).to.equal('v1');
    for (let v = 2; v <= 8; v++) {
      fake.files.set('app.conf', `v${v}`);
      expect(await app.runAdminCommand('tars.loadconfig app.conf')).to.match(/^loaded config app\.conf \(2 bytes\)/);
    }
    expect(seen).to.deep.equal(['v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8']);
    expect(readFileSync(path.join(dir, 'app.conf'), 'utf8')).to.equal('v8');
    expect([1, 2, 3, 4, 5].map((i) => readFileSync(path.join(dir, `app.conf.${i}.bak`), 'utf8')))
      .to.deep.equal(['v7', 'v6', 'v5', 'v4', 'v3']);
    expect(existsSync(path.join(dir, 'app.conf.6.bak'))).to.equal(false);
    // Without a SET: loadConfig, twice per fetch at most.
    expect(fake.asked.every((a) => a.how === 'loadConfig')).to.equal(true);
  });

  it('the config center away or without the file: the local copy is used; with none, CONFIG_INVALID', async () => {
    const app = await server();
    const error = await app.addConfig('missing.conf').then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(TarsError);
    expect((error as TarsError).code).to.equal('CONFIG_INVALID');
    expect((error as Error).message).to.match(/missing\.conf: the config center did not give it .* no local copy/);
    writeFileSync(path.join(dir, 'local.conf'), 'kept');
    expect(await app.addConfig('local.conf')).to.equal('kept');
    expect(await app.runAdminCommand('tars.loadconfig local.conf')).to.match(/the local copy stays/);
    expect(await app.runAdminCommand('tars.loadconfig ../x')).to.match(/not a config file name/);
  });

  it('a server in a SET fetches with loadConfigByInfo; a node name other than the IP goes as node_name', async () => {
    fake.files.set('s.conf', 'set');
    const inSet = await server({enableset: true, setdivision: 'sz.a.1'});
    expect(await inSet.addConfig('s.conf')).to.equal('set');
    expect(fake.asked.at(-1)).to.deep.equal({how: 'loadConfigByInfo', name: 's.conf', setdivision: 'sz.a.1'});
    const named = await server({nodename: 'node-7'});
    expect(await named.addConfig('s.conf')).to.equal('set');
    expect(fake.asked.at(-1)).to.deep.equal({how: 'loadConfig', name: 's.conf', nodeName: 'node-7'});
  });

  it('a listener that throws is reported by tars.loadconfig; the file is still written', async () => {
    fake.files.set('l.conf', 'a');
    const app = await server();
    await app.addConfig('l.conf', (content) => {
      if (content === 'b') throw new Error('cannot apply b');
    });
    fake.files.set('l.conf', 'b');
    expect(await app.runAdminCommand('tars.loadconfig l.conf')).to.match(/a listener failed: cannot apply b/);
    expect(readFileSync(path.join(dir, 'l.conf'), 'utf8')).to.equal('b');
  });
});
