// The pack step of `tars patch upload DIR` on its own: what lands in the .tgz for links inside, links out (to a
// directory without a `files` list, to a single file), dangling links and .git, and that the result passes the
// patch server's own check.
import {expect} from 'chai';
import {mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {list} from 'tar';

import {checkArchive, packDirectory} from '../src/index.js';

describe('patch: packing a directory', () => {
  let work: string;

  beforeEach(() => {
    work = mkdtempSync(path.join(os.tmpdir(), 'tars-patch-pack-'));
  });

  afterEach(() => rmSync(work, {recursive: true, force: true}));

  it('copies what links out point to, keeps links inside, drops dangling links and .git', async () => {
    const lib = path.join(work, 'lib');
    mkdirSync(path.join(lib, 'node_modules', 'dep'), {recursive: true});
    writeFileSync(path.join(lib, 'index.js'), 'export {};\n');
    writeFileSync(path.join(lib, 'node_modules', 'dep', 'x.js'), 'dev only\n');
    writeFileSync(path.join(work, 'shared.conf'), 'a=1\n');
    const proj = path.join(work, 'proj');
    mkdirSync(path.join(proj, 'node_modules'), {recursive: true});
    mkdirSync(path.join(proj, '.git'));
    writeFileSync(path.join(proj, '.git', 'config'), '[core]\n');
    writeFileSync(path.join(proj, 'index.js'), 'console.log(1)\n');
    symlinkSync(lib, path.join(proj, 'node_modules', 'lib'));
    symlinkSync(path.join(work, 'shared.conf'), path.join(proj, 'shared.conf'));
    symlinkSync(path.join(work, 'gone'), path.join(proj, 'dangling'));
    symlinkSync('index.js', path.join(proj, 'main.js'));
    const out = path.join(work, 'out.tgz');
    await packDirectory(proj, out);
    const entries = new Map<string, string>();
    await list({file: out, onReadEntry: (e) => {
      entries.set(e.path.replace(/\/$/, ''), e.type === 'SymbolicLink' ? `-> ${e.linkpath}` : e.type);
    }});
    expect(Object.fromEntries(entries)).to.deep.equal({
      'index.js': 'File', 'main.js': '-> index.js', node_modules: 'Directory', 'node_modules/lib': 'Directory',
      'node_modules/lib/index.js': 'File', 'shared.conf': 'File'});
    const summary = await checkArchive(out, {maxFiles: 100, maxBytes: 1_000_000});
    expect(summary.files).to.equal(3);
  });
});
