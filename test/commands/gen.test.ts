import {runCommand} from '@oclif/test';
import {expect} from 'chai';
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {watchGeneration} from '../../src/lib/gen-watch.js';

const root = new URL('../..', import.meta.url).pathname;

const HELLO = `#include "types.tars"
module TestApp {
  interface SayHello {
    int EchoHello(string req, out string resp);
    Shared::Reply Greet(Shared::Request r);
  };
};
`;
const TYPES = `module Shared {
  struct Request { 0 require string name; };
  struct Reply { 0 require string text; 1 optional int count = 1; };
};
`;

interface Json {
  files: {source: string; path: string; status: string}[];
  ms: number;
}

describe('tars gen', () => {
  let dir: string;
  const file = (name: string): string => path.join(dir, name);

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-gen-'));
    writeFileSync(file('Hello.tars'), HELLO);
    writeFileSync(file('types.tars'), TYPES);
  });

  afterEach(() => rmSync(dir, {recursive: true, force: true}));

  it('writes one module per .tars file, includes too, and reports them with --json', async () => {
    const {stdout, error} = await runCommand(['gen', file('Hello.tars'), '-o', file('out'), '--json'], {root});
    expect(error).to.equal(undefined);
    const result = JSON.parse(stdout) as Json;
    expect(result.files.map((f) => [path.basename(f.path), f.status])).to.deep.equal([
      ['HelloTars.ts', 'written'], ['typesTars.ts', 'written'],
    ]);
    const hello = readFileSync(file('out/HelloTars.ts'), 'utf8');
    expect(hello).to.contain('export class SayHelloProxy extends $tars.ServantProxy');
    expect(hello).to.contain("import * as $typesTars from './typesTars.js';");
  });

  it('leaves up-to-date files alone and says so', async () => {
    await runCommand(['gen', file('Hello.tars'), '-o', file('out')], {root});
    const {stdout} = await runCommand(['gen', file('Hello.tars'), '-o', file('out')], {root});
    expect(stdout).to.match(/unchanged .*HelloTars\.ts/);
    expect(stdout).to.match(/0 written, 2 unchanged/);
  });

  it('--check passes when up to date and fails with exit 1 when stale, writing nothing', async () => {
    const missing = await runCommand(['gen', file('Hello.tars'), '-o', file('out'), '--check'], {root});
    expect(missing.error?.oclif?.exit).to.equal(1);
    expect(missing.stderr).to.contain('generated files are out of date');
    expect(existsSync(file('out'))).to.equal(false);

    await runCommand(['gen', file('Hello.tars'), '-o', file('out')], {root});
    const clean = await runCommand(['gen', file('Hello.tars'), '-o', file('out'), '--check'], {root});
    expect(clean.error).to.equal(undefined);

    writeFileSync(file('types.tars'), TYPES.replace('int count = 1', 'int count = 2'));
    const stale = await runCommand(['gen', file('Hello.tars'), '-o', file('out'), '--check', '--json'], {root});
    expect(stale.error?.oclif?.exit).to.equal(1);
    const json = JSON.parse(stale.stdout) as Json;
    expect(json.files.find((f) => f.path.endsWith('typesTars.ts'))?.status).to.equal('stale');
    expect(json.files.find((f) => f.path.endsWith('HelloTars.ts'))?.status).to.equal('unchanged');
  });

  it('finds includes through -I', async () => {
    const lib = file('lib');
    await runCommand(['gen', file('types.tars'), '-o', lib], {root});
    rmSync(file('lib'), {recursive: true});
    const {mkdirSync, renameSync} = await import('node:fs');
    mkdirSync(lib);
    renameSync(file('types.tars'), path.join(lib, 'types.tars'));
    const without = await runCommand(['gen', file('Hello.tars'), '-o', file('out')], {root});
    expect(without.error?.oclif?.exit).to.equal(2);
    expect(without.stderr).to.match(/types\.tars/);
    const withI = await runCommand(['gen', file('Hello.tars'), '-o', file('out'), '-I', lib], {root});
    expect(withI.error).to.equal(undefined);
    expect(existsSync(file('out/typesTars.ts'))).to.equal(true);
  });

  it('a missing file is a usage error (exit 2) with a hint, and no stack', async () => {
    const {error, stderr} = await runCommand(['gen', file('Nope.tars')], {root});
    expect(error?.oclif?.exit).to.equal(2);
    expect(stderr).to.match(/^error: .*Nope\.tars: no such file\nhint: check the path/m);
    expect(stderr).to.not.match(/at .*\.ts:\d+/);
  });

  it('a missing include directory and an --out that is a file are usage errors', async () => {
    const noDir = await runCommand(['gen', file('Hello.tars'), '-I', file('nodir')], {root});
    expect(noDir.error?.oclif?.exit).to.equal(2);
    expect(noDir.stderr).to.contain('include directory');
    writeFileSync(file('afile'), '');
    const outFile = await runCommand(['gen', file('Hello.tars'), '-o', file('afile')], {root});
    expect(outFile.error?.oclif?.exit).to.equal(2);
    expect(outFile.stderr).to.contain('is a file, not a directory');
  });

  it('IDL errors fail with exit 1, every error with file:line:col and a caret', async () => {
    writeFileSync(file('Bad.tars'), 'module M {\n  struct S { 0 require strin a; 1 require int a; };\n};\n');
    const cwd = process.cwd();
    process.chdir(dir);
    const {error, stderr} = await runCommand(['gen', 'Bad.tars', '-o', 'out'], {root}).finally(() => process.chdir(cwd));
    expect(error?.oclif?.exit).to.equal(1);
    expect(stderr).to.match(/^Bad\.tars:2:24: error: unknown type 'strin'$/m);
      expect(stderr).to.match(/^hint: did you mean 'string'\?$/m);
    expect(stderr).to.match(/Bad\.tars:2:\d+: error: .*duplicate/i);
    expect(stderr).to.contain('^');
    expect(existsSync(file('out'))).to.equal(false);
  });

  it('--json reports errors as JSON', async () => {
    const {stdout, error} = await runCommand(['gen', file('Nope.tars'), '--json'], {root});
    expect(error?.oclif?.exit).to.equal(2);
    const json = JSON.parse(stdout) as {error: {code: string; message: string}};
    expect(json.error.code).to.equal('IDL_FILE_NOT_FOUND');
    expect(json.error.message).to.contain('Nope.tars');
  });

  it('--watch regenerates when an included file changes and keeps going after an error', async function () {
    this.timeout(20_000);
    const lines: string[] = [];
    const controller = new AbortController();
    const waitFor = async (pattern: RegExp, from: number): Promise<void> => {
      for (let i = 0; i < 200; i++) {
        if (lines.slice(from).some((l) => pattern.test(l))) return;
        await new Promise((r) => setTimeout(r, 25));
      }
      expect.fail(`no line matching ${pattern} in:\n${lines.join('\n')}`);
    };
    const watching = watchGeneration({files: [file('Hello.tars')], out: file('out'), include: []},
      (l) => lines.push(l), controller.signal);
    await waitFor(/2 written/, 0);
    let mark = lines.length;
    writeFileSync(file('types.tars'), TYPES.replace('struct Reply {', 'struct Reply { 5 optional long extra;'));
    await waitFor(/1 written \(.*typesTars\.ts\)/, mark);
    expect(readFileSync(file('out/typesTars.ts'), 'utf8')).to.contain('extra: bigint');
    mark = lines.length;
    writeFileSync(file('types.tars'), 'module Shared { struct Reply { 0 require nope x; }; };');
    await waitFor(/error: /, mark);
    mark = lines.length;
    writeFileSync(file('types.tars'), TYPES);
    await waitFor(/1 written/, mark);
    controller.abort();
    await watching;
  });
});
