// A patch server started with --locator is found by name: the kit lists PatchObj and PatchCtlObj in the registry, and
// `tars patch upload|list --locator` resolve both through it. The registry runs as a real process (`tars registry
// start`), since a plugin does not import another.
import {run} from '@oclif/core';
import {captureOutput} from '@oclif/test';
import {expect} from 'chai';
import {type ChildProcess, spawn} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {Logger} from '@tars-ts/core';
import {type RunningDaemon, startDaemon} from '@tars-ts/kit';

import {patchDaemon} from '../src/index.js';
import {tgz} from './fixtures.js';

const root = new URL('../../../..', import.meta.url).pathname;

async function tars(args: string[]): Promise<{stdout: string; stderr: string; exit: number}> {
  const {stdout, stderr, error} = await captureOutput(() => run(args, root));
  return {stdout, stderr, exit: error?.oclif?.exit ?? (error ? 1 : 0)};
}

function startRegistry(data: string): Promise<{child: ChildProcess; query: string}> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'bin/dev.js'), 'registry', 'start', '--port', '0', '--data',
      data], {cwd: root, stdio: ['ignore', 'pipe', 'pipe']});
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no READY in 30 s: ${out}`));
    }, 30_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const query = /tars\.tarsregistry\.QueryObj\s+(tcp -h \S+ -p \d+[^\n]*)/.exec(out);
      if (/\bREADY\b/.test(out) && query) {
        clearTimeout(timer);
        resolve({child, query: query[1]!.trim()});
      }
    });
    child.stderr!.resume();
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`registry exited ${code} before READY: ${out}`));
    });
  });
}

describe('tars patch through the registry', function () {
  this.timeout(60_000);
  let dir: string;
  let registry: ChildProcess | undefined;
  let patch: RunningDaemon | undefined;

  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-patch-loc-'));
  });

  after(async () => {
    await patch?.stop();
    if (registry && registry.exitCode === null && registry.signalCode === null) {
      const gone = new Promise((resolve) => registry!.once('exit', resolve));
      registry.kill('SIGTERM');
      await gone;
    }
    rmSync(dir, {recursive: true, force: true});
  });

  it('upload and list with --locator find PatchObj and PatchCtlObj by name', async () => {
    const r = await startRegistry(path.join(dir, 'registry'));
    registry = r.child;
    const locator = `tars.tarsregistry.QueryObj@${r.query}`;
    patch = await startDaemon(patchDaemon, {port: 0, data: path.join(dir, 'patch'), locator,
      logger: new Logger('NONE', () => undefined)});
    const pkg = path.join(dir, 'pkg.tgz');
    writeFileSync(pkg, tgz([{path: 'index.js', content: 'console.log(1)\n'}]));
    let up = {stdout: '', stderr: '', exit: -1};
    // The listing is made right after the start; a first attempt may come before it (bounded: 20 tries).
    for (let i = 0; i < 20 && up.exit !== 0; i++) {
      up = await tars(['patch', 'upload', 'TestApp.Named', pkg, '--locator', locator, '--json']);
      if (up.exit !== 0) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(up.exit, up.stderr).to.equal(0);
    expect(JSON.parse(up.stdout)).to.include({version: '1'});
    const list = await tars(['patch', 'list', 'TestApp.Named', '--locator', locator, '--json']);
    expect((JSON.parse(list.stdout) as {versions: unknown[]}).versions).to.have.length(1);
  });
});
