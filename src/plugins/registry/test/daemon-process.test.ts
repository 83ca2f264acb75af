// The registry as a real process (`tars registry start` through bin/dev.js): a kill -9 loses no acknowledged
// registration, and a store that cannot be opened is one line and nothing overwritten.
import {expect} from 'chai';
import {type ChildProcess, spawn} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {exited, killChildren, tars} from '../../../../test/support/cli-daemon.js';

const root = new URL('../../../..', import.meta.url).pathname;
const bin = path.join(root, 'bin/dev.js');

/** `tars registry start` in a child process; resolves with it and its QueryObj locator once it prints READY. */
function startRegistry(data: string): Promise<{child: ChildProcess; locator: string}> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'registry', 'start', '--port', '0', '--data', data],
      {cwd: root, stdio: ['ignore', 'pipe', 'pipe']});
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no READY in 30 s: ${out} ${err}`));
    }, 30_000);
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const query = /tars\.tarsregistry\.QueryObj\s+(tcp -h \S+ -p \d+[^\n]*)/.exec(out);
      if (/\bREADY\b/.test(out) && query) {
        clearTimeout(timer);
        resolve({child, locator: `tars.tarsregistry.QueryObj@${query[1]!.trim()}`});
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`registry exited ${code} before READY: ${out} ${err}`));
    });
  });
}

describe('tars registry as a process', function () {
  this.timeout(90_000);
  let dir: string;
  const children: ChildProcess[] = [];

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-registry-proc-'));
  });

  afterEach(async () => {
    await killChildren(children);
    rmSync(dir, {recursive: true, force: true});
  });

  it('kill -9 loses no acknowledged registration', async () => {
    const data = path.join(dir, 'registry');
    const first = await startRegistry(data);
    children.push(first.child);
    const acked: string[] = [];
    for (let i = 0; i < 15; i++) {
      const obj = `Kill.Test${i}.Obj`;
      const r = await tars(['registry', 'add', obj, '-e', `tcp -h 10.0.1.${i} -p 1000`, '--locator', first.locator]);
      if (r.exit === 0) acked.push(obj);
    }
    expect(acked).to.have.length(15);
    first.child.kill('SIGKILL');
    await exited(first.child);
    const second = await startRegistry(data);
    children.push(second.child);
    const list = await tars(['registry', 'list', 'Kill.', '--locator', second.locator, '--json']);
    expect((JSON.parse(list.stdout) as {objects: {name: string}[]}).objects.map((o) => o.name).sort())
      .to.deep.equal([...acked].sort());
  });

  it('a store that cannot be opened: one line, exit 1, the file untouched', async () => {
    const data = path.join(dir, 'corrupt');
    mkdirSync(data, {recursive: true});
    const file = path.join(data, 'registry.db');
    writeFileSync(file, 'this is not a database, and must stay as it is\n'.repeat(100));
    const before = readFileSync(file);
    const child = spawn(process.execPath, [bin, 'registry', 'start', '--port', '0', '--data', data],
      {cwd: root, stdio: ['ignore', 'pipe', 'pipe']});
    children.push(child);
    let err = '';
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).to.equal(1);
    const lines = err.trim().split('\n');
    expect(lines[0]).to.match(/^error: cannot open the store .*registry\.db: /);
    expect(lines.length).to.be.at.most(2);
    expect(readFileSync(file).equals(before)).to.equal(true);
  });
});
