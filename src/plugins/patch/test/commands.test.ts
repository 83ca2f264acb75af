// `tars patch upload|list|rm` through the real CLI (oclif's run, the root package with this plugin) against a patch
// daemon in this process: a project directory packed as the node stages it (a link out of it replaced by its
// files), a .tgz as it is, the versions' table and JSON, and the errors of bad input.
import {run} from '@oclif/core';
import {captureOutput} from '@oclif/test';
import {expect} from 'chai';
import {mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {Readable} from 'node:stream';

import {Parser} from 'tar';

import {type TestPatchServer, startPatchServer, tgz} from './fixtures.js';

const root = new URL('../../../..', import.meta.url).pathname;

async function tars(args: string[]): Promise<{stdout: string; stderr: string; exit: number}> {
  const {stdout, stderr, error} = await captureOutput(() => run(args, root));
  return {stdout, stderr, exit: error?.oclif?.exit ?? (error ? 1 : 0)};
}

/** The entries of a downloaded package: path -> type (and link target). */
async function entriesOf(patch: TestPatchServer['patch'], file: string): Promise<Map<string, string>> {
  const parts: Buffer[] = [];
  for (let pos = 0, calls = 0; calls < 1000; calls++) {
    const {ret, vb} = await patch.download(file, pos);
    if (ret !== 0) break;
    parts.push(Buffer.from(vb));
    pos += vb.length;
  }
  const entries = new Map<string, string>();
  await new Promise<void>((resolve, reject) => {
    const parser = new Parser({onReadEntry(e) {
      entries.set(e.path.replace(/\/$/, ''), e.type === 'SymbolicLink' ? `-> ${e.linkpath}` : e.type);
      e.resume();
    }});
    parser.on('end', () => resolve());
    parser.on('error', reject);
    Readable.from([Buffer.concat(parts)]).pipe(parser);
  });
  return entries;
}

for (const on of ['disk', 'postgres'] as const) describe(`tars patch upload|list|rm (${on})`, function () {
  this.timeout(60_000);
  let s: TestPatchServer;
  let work: string;

  beforeEach(async () => {
    s = await startPatchServer({}, on);
    work = mkdtempSync(path.join(os.tmpdir(), 'tars-patch-cmd-'));
  });

  afterEach(async () => {
    await s?.close();
    rmSync(work, {recursive: true, force: true});
  });

  it('packs a project directory as the node stages it: a link out of it is replaced by the files it points to', async () => {
    // A `tars new` project: node_modules/@tars-ts/core is a file: link to a package outside the project.
    const core = path.join(work, 'core');
    mkdirSync(path.join(core, 'dist'), {recursive: true});
    writeFileSync(path.join(core, 'package.json'), JSON.stringify({name: '@tars-ts/core', files: ['dist']}));
    writeFileSync(path.join(core, 'dist', 'index.js'), 'export {};\n');
    writeFileSync(path.join(core, 'secret.txt'), 'not published\n');
    const proj = path.join(work, 'proj');
    mkdirSync(path.join(proj, 'node_modules', '@tars-ts'), {recursive: true});
    mkdirSync(path.join(proj, '.git'));
    writeFileSync(path.join(proj, '.git', 'HEAD'), 'ref\n');
    writeFileSync(path.join(proj, 'index.js'), 'console.log(1)\n');
    writeFileSync(path.join(proj, 'Hello.tars'), 'module M { interface I { int f(); }; };\n');
    symlinkSync(core, path.join(proj, 'node_modules', '@tars-ts', 'core'));
    symlinkSync('index.js', path.join(proj, 'main.js'));

    const up = await tars(['patch', 'upload', 'TestApp.HelloServer', proj, '-m', 'first', '--user', 'alice', ...s.e]);
    expect(up.exit, up.stderr).to.equal(0);
    expect(up.stdout).to.match(/^uploaded TestApp\.HelloServer version 1 \(.* B, md5 [0-9a-f]{32}, 4 files, .*, Hello\.tars\)\n$/);
    const v = (await s.ctl.getVersion('TestApp', 'HelloServer', '1')).v;
    const entries = await entriesOf(s.patch, v.file);
    expect(entries.get('node_modules/@tars-ts/core'), 'the link is now a directory').to.equal('Directory');
    expect(entries.get('node_modules/@tars-ts/core/dist/index.js')).to.equal('File');
    expect(entries.has('node_modules/@tars-ts/core/secret.txt'), 'only what npm would install').to.equal(false);
    expect(entries.get('main.js'), 'a link inside stays a link').to.equal('-> index.js');
    expect(entries.has('.git/HEAD')).to.equal(false);
    expect([v.uploader, v.comment, v.tarsFiles]).to.deep.equal(['alice', 'first', ['Hello.tars']]);
  });

  it('uploads a .tgz, lists versions as a table and as JSON, removes one and never reuses its number', async () => {
    const pkg = path.join(work, 'pkg.tgz');
    writeFileSync(pkg, tgz([{path: 'index.js', content: 'console.log(2)\n'}]));
    for (const m of ['one', 'two']) {
      const r = await tars(['patch', 'upload', 'TestApp.HelloServer', pkg, '-m', m, '--data', s.dir]);
      expect(r.exit, r.stderr).to.equal(0);
    }
    const table = await tars(['patch', 'list', 'TestApp.HelloServer', '--data', s.dir]);
    expect(table.exit, table.stderr).to.equal(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).to.match(/^SERVER\s+VERSION\s+SIZE\s+MD5\s+FILES\s+UNPACKED\s+UPLOADER\s+TIME\s+COMMENT$/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/)[1])).to.deep.equal(['1', '2']);
    const rm = await tars(['patch', 'rm', 'TestApp.HelloServer', '2', ...s.e, '--json']);
    expect(rm.exit, rm.stderr).to.equal(0);
    expect(JSON.parse(rm.stdout)).to.deep.equal({app: 'TestApp', server: 'HelloServer', version: '2', removed: true});
    const again = await tars(['patch', 'upload', 'TestApp.HelloServer', pkg, ...s.e, '--json']);
    expect(JSON.parse(again.stdout)).to.include({version: '3', file: '/TestApp/HelloServer/TestApp.HelloServer_3.tgz',
      files: 1, unpackedBytes: 15});
    const json = await tars(['patch', 'list', 'TestApp', ...s.e, '--json']);
    const listed = JSON.parse(json.stdout) as {versions: {version: string; comment: string}[]};
    expect(listed.versions.map((x) => [x.version, x.comment])).to.deep.equal([['1', 'one'], ['3', '']]);
    expect(await s.files()).to.deep.equal(['packages/TestApp/HelloServer/TestApp.HelloServer_1.tgz',
      'packages/TestApp/HelloServer/TestApp.HelloServer_3.tgz']);
  });

  it('a refused package: exit 1, the server\'s reason, nothing stored', async () => {
    const pkg = path.join(work, 'evil.tgz');
    writeFileSync(pkg, tgz([{path: 'index.js', content: 'x'}, {path: 'up', type: 'SymbolicLink', linkpath: '../..'}]));
    const r = await tars(['patch', 'upload', 'TestApp.HelloServer', pkg, ...s.e]);
    expect(r.exit).to.equal(1);
    expect(r.stderr).to.contain('error: the patch server refused the package: the package has a symbolic link out ' +
      'of it: up -> ../..');
    expect(r.stderr).not.to.match(/\n\s+at /);
    expect(await s.files()).to.deep.equal([]);
  });

  it('bad input: one error line and exit 2', async () => {
    const bad = await tars(['patch', 'upload', 'HelloServer', work, ...s.e]);
    expect(bad.exit).to.equal(2);
    expect(bad.stderr).to.contain('error: "HelloServer" is not App.Server');
    const missing = await tars(['patch', 'upload', 'TestApp.HelloServer', path.join(work, 'none'), ...s.e]);
    expect(missing.exit).to.equal(2);
    expect(missing.stderr).to.contain('does not exist');
    writeFileSync(path.join(work, 'plain.txt'), 'hello');
    const plain = await tars(['patch', 'upload', 'TestApp.HelloServer', path.join(work, 'plain.txt'), ...s.e]);
    expect(plain.exit).to.equal(2);
    expect(plain.stderr).to.contain('is neither a directory nor a .tgz');
    mkdirSync(path.join(work, 'empty'));
    const empty = await tars(['patch', 'upload', 'TestApp.HelloServer', path.join(work, 'empty'), ...s.e]);
    expect(empty.exit).to.equal(2);
    expect(empty.stderr).to.contain('has nothing to pack');
    const rm = await tars(['patch', 'rm', 'TestApp.HelloServer', 'x', ...s.e]);
    expect(rm.exit).to.equal(2);
    const none = await tars(['patch', 'rm', 'TestApp.HelloServer', '7', ...s.e]);
    expect(none.exit).to.equal(1);
    expect(none.stderr).to.contain('TestApp.HelloServer has no version 7');
  });
});
