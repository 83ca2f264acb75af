// The admin token's pieces (src/kit/src/admin-token.ts, `tars login|logout`, the settings that hold it): where it
// comes from, what is refused, that it is never printed, and that the kit's list of admin objects is what the
// daemons' specs mark. The token at work across hosts is test/e2e/admin-token.
import {run} from '@oclif/core';
import {captureOutput} from '@oclif/test';
import {expect} from 'chai';
import {spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
  ADMIN_OBJECTS, type DaemonSpec, Settings, adminAuth, adminToken, checkAdminToken, isLoopbackHost, tokenProblem,
} from '@tars-ts/kit';

import {configDaemon} from '../../src/plugins/config/src/daemon.js';
import {logDaemon} from '../../src/plugins/log/src/daemon.js';
import {nodeDaemon} from '../../src/plugins/node/src/daemon.js';
import {patchDaemon} from '../../src/plugins/patch/src/daemon.js';
import {registryDaemon} from '../../src/plugins/registry/src/daemon.js';
import {statDaemon} from '../../src/plugins/stat/src/daemon.js';

const root = new URL('../..', import.meta.url).pathname;
const SPECS: DaemonSpec[] = [registryDaemon, nodeDaemon, configDaemon, logDaemon, statDaemon, patchDaemon];

describe('the admin token', () => {
  let dir: string;
  const saved = {config: process.env.TARS_CONFIG_DIR, token: process.env.TARS_ADMIN_TOKEN};

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-token-'));
    process.env.TARS_CONFIG_DIR = dir;
    delete process.env.TARS_ADMIN_TOKEN;
  });

  afterEach(() => {
    for (const [k, v] of [['TARS_CONFIG_DIR', saved.config], ['TARS_ADMIN_TOKEN', saved.token]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(dir, {recursive: true, force: true});
  });

  it('the kit\'s admin objects are exactly the servants the daemons mark admin', () => {
    const marked = SPECS.flatMap((s) => s.servants.filter((x) => x.admin).map((x) => x.obj));
    expect([...marked].sort()).to.deep.equal([...ADMIN_OBJECTS].sort());
  });

  it('comes from TARS_ADMIN_TOKEN first, then the saved setting', async () => {
    const settings = new Settings(dir);
    expect(adminToken(settings, {})).to.equal(undefined);
    await settings.set('token', 'saved-token-123');
    expect(adminToken(settings, {})).to.equal('saved-token-123');
    expect(adminToken(settings, {TARS_ADMIN_TOKEN: 'env-token-4567'})).to.equal('env-token-4567');
    expect(adminAuth('saved-token-123')!['tars.tarsnode.NodeObj']).to.deep.equal({accesskey: 'tars-admin',
      secretkey: 'saved-token-123'});
    expect(adminAuth(undefined)).to.equal(undefined);
  });

  it('short tokens and tokens with spaces are refused; loopback hosts are told apart', () => {
    expect(tokenProblem('short')).to.match(/5 characters long; give at least 12/);
    expect(tokenProblem('has a space in it')).to.match(/white space/);
    expect(tokenProblem('long-enough-token')).to.equal(undefined);
    expect(['127.0.0.1', '127.1.2.3', '::1', 'localhost'].every(isLoopbackHost)).to.equal(true);
    expect(['0.0.0.0', '10.0.0.5', '198.18.0.1', '::'].some(isLoopbackHost)).to.equal(false);
  });

  it('a daemon with admin servants beyond loopback needs one; loopback or a token is fine; others never', () => {
    expect(() => checkAdminToken(registryDaemon, '0.0.0.0', undefined)).to.throw(/registry would serve tars\.tarsAdminRegistry\.AdminRegObj, tars\.tarsregistry\.RegistryCtlObj on 0\.0\.0\.0/);
    expect(() => checkAdminToken(registryDaemon, '127.0.0.1', undefined)).to.not.throw();
    expect(() => checkAdminToken(registryDaemon, '10.0.0.5', 'a-token-here')).to.not.throw();
    expect(() => checkAdminToken(statDaemon, '10.0.0.5', undefined)).to.not.throw(); // no admin object
  });

  it('tars login --token-stdin | --generate saves it owner-only; settings and logout never print it', async () => {
    const generated = await captureOutput(() => run(['login', '--generate', '--json'], root));
    const json = JSON.parse(generated.stdout) as {file: string; length: number; generated: string};
    expect(json.generated).to.match(/^[A-Za-z0-9_-]{32}$/);
    expect(statSync(json.file).mode & 0o777).to.equal(0o600);
    expect(new Settings(dir).get('token')).to.equal(json.generated);

    const list = await captureOutput(() => run(['settings', 'list'], root));
    expect(list.stdout).to.contain('token = (set, 32 characters)');
    expect(list.stdout).to.not.contain(json.generated);
    const get = await captureOutput(() => run(['settings', 'get', 'token'], root));
    expect(get.stdout.trim()).to.equal('(set, 32 characters)');

    const short = await captureOutput(() => run(['settings', 'set', 'token', 'short'], root));
    expect(short.error?.oclif?.exit).to.equal(2);
    // From a pipe, as a script gives it.
    const piped = spawnSync(process.execPath, [path.join(root, 'bin/run.js'), 'login', '--token-stdin'],
      {input: 'piped-token-0123\n', encoding: 'utf8', env: {...process.env, TARS_CONFIG_DIR: dir}});
    expect(piped.status, piped.stderr).to.equal(0);
    expect(piped.stdout).to.not.contain('piped-token-0123');
    expect(new Settings(dir).get('token')).to.equal('piped-token-0123');

    const out = await captureOutput(() => run(['logout'], root));
    expect(out.stdout).to.match(/the admin token is removed from/);
    expect(new Settings(dir).get('token')).to.equal(undefined);
  });
});
