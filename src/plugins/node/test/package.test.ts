import {expect} from 'chai';
import {
  existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync,
  symlinkSync, writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar';

import {UserError} from '@tars-ts/kit';

import {adaptersOfConfig, inspectPackage, stagePackage} from '../src/package.js';

/** A config file as `tars new` writes it: one adapter block under <server>. */
const CONFIG = `<tars>
  <application>
    <server>
      app = X
      server = Y
      <X.Y.SayHelloObjAdapter>
        endpoint = tcp -h 127.0.0.1 -p 10015 -t 60000
        servant = X.Y.SayHelloObj
        protocol = tars
        threads = 3
      </X.Y.SayHelloObjAdapter>
    </server>
  </application>
</tars>
`;

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), {recursive: true});
  writeFileSync(file, text);
}

/** Every symlink under `dir` whose target is outside `dir` (or dangling). */
function escapingLinks(dir: string): string[] {
  const root = realpathSync(dir);
  const bad: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, {withFileTypes: true})) {
      const p = path.join(d, e.name);
      if (e.isSymbolicLink()) {
        let target: string;
        try {
          target = realpathSync(p);
        } catch {
          bad.push(`${p} (dangling)`);
          continue;
        }
        const rel = path.relative(root, target);
        if (rel.startsWith('..') || path.isAbsolute(rel)) bad.push(`${p} -> ${target}`);
      } else if (e.isDirectory()) {
        walk(p);
      }
    }
  };
  walk(root);
  return bad;
}

async function rejection(p: Promise<unknown>): Promise<UserError> {
  try {
    await p;
  } catch (error) {
    expect(error).to.be.instanceOf(UserError);
    return error as UserError;
  }
  throw new Error('expected a UserError');
}

describe('node: staging a package', () => {
  let tmp: string;

  beforeEach(() => {
    tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'tars-package-')));
  });

  afterEach(() => {
    rmSync(tmp, {recursive: true, force: true});
  });

  /** A built `tars new` project in `<tmp>/proj` whose node_modules/@tars-ts/core links to `<tmp>/core`. */
  function project(coreManifest: object = {name: '@tars-ts/core', files: ['dist']}): {proj: string; core: string} {
    const proj = path.join(tmp, 'proj');
    const core = path.join(tmp, 'core');
    write(path.join(proj, 'package.json'), JSON.stringify({name: 'hello',
      scripts: {start: 'node dist/Hello.js --config=config.conf'}}));
    write(path.join(proj, 'dist/Hello.js'), 'console.log("hello")\n');
    write(path.join(proj, 'config.conf'), CONFIG);
    symlinkSync('Hello.js', path.join(proj, 'dist/alias.js'));
    write(path.join(core, 'package.json'), JSON.stringify(coreManifest));
    write(path.join(core, 'README.md'), '# core\n');
    write(path.join(core, 'dist/index.js'), 'export {};\n');
    write(path.join(core, 'src/index.ts'), 'export {};\n');
    write(path.join(core, 'node_modules/dep/index.js'), 'module.exports = 1;\n');
    mkdirSync(path.join(proj, 'node_modules/@tars-ts'), {recursive: true});
    symlinkSync(core, path.join(proj, 'node_modules/@tars-ts/core'));
    return {proj, core};
  }

  describe('a directory', () => {
    it('copies the files and keeps an inner symlink as a relative link', async () => {
      const {proj} = project();
      const staged = path.join(tmp, 'A.B/bin.staged');
      const info = await stagePackage(proj, staged, '');
      expect(readFileSync(path.join(staged, 'dist/Hello.js'), 'utf8')).to.equal('console.log("hello")\n');
      const alias = path.join(staged, 'dist/alias.js');
      expect(lstatSync(alias).isSymbolicLink()).to.equal(true);
      expect(path.isAbsolute(readlinkSync(alias))).to.equal(false);
      expect(realpathSync(alias)).to.equal(path.join(staged, 'dist/Hello.js'));
      expect(info.entry).to.equal(path.normalize('dist/Hello.js'));
      expect(info.files).to.be.greaterThan(0);
    });

    it('replaces a file: link leaving the package by a copy of the published files only', async () => {
      const {proj} = project();
      const staged = path.join(tmp, 'A.B/bin.staged');
      await stagePackage(proj, staged, '');
      const core = path.join(staged, 'node_modules/@tars-ts/core');
      expect(lstatSync(core).isSymbolicLink()).to.equal(false);
      expect(lstatSync(core).isDirectory()).to.equal(true);
      expect(readdirSync(core).sort()).to.deep.equal(['README.md', 'dist', 'package.json']);
      expect(readFileSync(path.join(core, 'dist/index.js'), 'utf8')).to.equal('export {};\n');
      expect(escapingLinks(staged)).to.deep.equal([]);
    });

    it('copies a linked package without a files list without its node_modules', async () => {
      const {proj} = project({name: '@tars-ts/core'});
      const staged = path.join(tmp, 'A.B/bin.staged');
      await stagePackage(proj, staged, '');
      const core = path.join(staged, 'node_modules/@tars-ts/core');
      expect(lstatSync(core).isSymbolicLink()).to.equal(false);
      expect(existsSync(path.join(core, 'src/index.ts'))).to.equal(true);
      expect(existsSync(path.join(core, 'node_modules')), 'the linked package\'s own node_modules').to.equal(false);
      expect(escapingLinks(staged)).to.deep.equal([]);
    });

    it('leaves no symlink pointing outside, even a file link or one inside the linked package', async () => {
      const {proj, core} = project({name: '@tars-ts/core'});
      write(path.join(tmp, 'outside.txt'), 'outside\n');
      symlinkSync(path.join(tmp, 'outside.txt'), path.join(proj, 'linked.txt'));
      symlinkSync(path.join(tmp, 'outside.txt'), path.join(core, 'dist/escape.txt'));
      const staged = path.join(tmp, 'A.B/bin.staged');
      await stagePackage(proj, staged, '');
      expect(lstatSync(path.join(staged, 'linked.txt')).isSymbolicLink()).to.equal(false);
      expect(readFileSync(path.join(staged, 'linked.txt'), 'utf8')).to.equal('outside\n');
      expect(escapingLinks(staged)).to.deep.equal([]);
    });

    it('copies an outside package linked from two places to both', async () => {
      const {proj, core} = project();
      mkdirSync(path.join(proj, 'node_modules/other/node_modules/@tars-ts'), {recursive: true});
      symlinkSync(core, path.join(proj, 'node_modules/other/node_modules/@tars-ts/core'));
      const staged = path.join(tmp, 'A.B/bin.staged');
      await stagePackage(proj, staged, '');
      for (const at of ['node_modules/@tars-ts/core', 'node_modules/other/node_modules/@tars-ts/core']) {
        expect(existsSync(path.join(staged, at, 'dist/index.js')), at).to.equal(true);
      }
      expect(escapingLinks(staged)).to.deep.equal([]);
    });

    it('replaces what was staged before', async () => {
      const {proj} = project();
      const staged = path.join(tmp, 'A.B/bin.staged');
      write(path.join(staged, 'stale.js'), 'old\n');
      await stagePackage(proj, staged, '');
      expect(existsSync(path.join(staged, 'stale.js'))).to.equal(false);
    });
  });

  describe('the entry and the adapters', () => {
    it('takes the entry and the config of a "node FILE --config=X" start script', async () => {
      const {proj} = project();
      const info = await inspectPackage(proj, '');
      expect(info.entry).to.equal(path.normalize('dist/Hello.js'));
      expect(info.configFile).to.equal('config.conf');
      expect(info.adapters).to.deep.equal([{name: 'X.Y.SayHelloObjAdapter', servant: 'X.Y.SayHelloObj',
        endpoint: 'tcp -h 127.0.0.1 -p 10015 -t 60000', protocol: 'tars', threads: 3}]);
    });

    it('reads the config the start script names rather than config.conf', async () => {
      const dir = path.join(tmp, 'p');
      write(path.join(dir, 'package.json'), JSON.stringify({scripts: {start: 'node app.js --config=conf/my.conf'}}));
      write(path.join(dir, 'app.js'), '');
      write(path.join(dir, 'config.conf'), '<tars>\n</tars>\n');
      write(path.join(dir, 'conf/my.conf'), CONFIG);
      const info = await inspectPackage(dir, '');
      expect(info.configFile).to.equal(path.normalize('conf/my.conf'));
      expect(info.adapters.map((a) => a.servant)).to.deep.equal(['X.Y.SayHelloObj']);
    });

    it('uses "main" when there is no start script', async () => {
      const dir = path.join(tmp, 'p');
      write(path.join(dir, 'package.json'), JSON.stringify({main: 'lib/server.js'}));
      write(path.join(dir, 'lib/server.js'), '');
      write(path.join(dir, 'index.js'), '');
      const info = await inspectPackage(dir, '');
      expect(info.entry).to.equal(path.normalize('lib/server.js'));
      expect(info.configFile).to.equal('');
      expect(info.adapters).to.deep.equal([]);
    });

    it('falls back to index.js, even without a package.json', async () => {
      const dir = path.join(tmp, 'p');
      write(path.join(dir, 'index.js'), '');
      expect((await inspectPackage(dir, '')).entry).to.equal('index.js');
      write(path.join(dir, 'package.json'), JSON.stringify({scripts: {start: 'tsx src/x.ts'}}));
      expect((await inspectPackage(dir, '')).entry).to.equal('index.js');
    });

    it('an unbuilt project (no dist/) is refused with a hint to build it, and nothing stays staged', async () => {
      const {proj} = project();
      rmSync(path.join(proj, 'dist'), {recursive: true});
      const staged = path.join(tmp, 'A.B/bin.staged');
      const error = await rejection(stagePackage(proj, staged, ''));
      expect(error.code).to.equal('BAD_ARGUMENT');
      expect(error.message).to.match(/dist\/Hello\.js does not exist/);
      expect(error.hint).to.match(/npm run build/);
      expect(existsSync(staged)).to.equal(false);
    });

    it('a missing entry outside dist/ says how to name one', async () => {
      const dir = path.join(tmp, 'p');
      write(path.join(dir, 'package.json'), JSON.stringify({main: 'server.js'}));
      const error = await rejection(inspectPackage(dir, ''));
      expect(error.code).to.equal('BAD_ARGUMENT');
      expect(error.hint).to.match(/--cmd/);
    });

    it('needs no entry when a command line is given', async () => {
      const dir = path.join(tmp, 'p');
      write(path.join(dir, 'run.sh'), '#!/bin/sh\n');
      const info = await inspectPackage(dir, '/bin/sh run.sh');
      expect(info.entry).to.equal('');
      expect(info.files).to.equal(1);
    });

    it('a config that does not parse is a BAD_ARGUMENT naming the file', async () => {
      const dir = path.join(tmp, 'p');
      write(path.join(dir, 'index.js'), '');
      write(path.join(dir, 'config.conf'), '<tars>\n<application>\n</tars>\n');
      const error = await rejection(inspectPackage(dir, ''));
      expect(error.code).to.equal('BAD_ARGUMENT');
      expect(error.message).to.match(/config\.conf does not parse/);
    });
  });

  describe('a .tgz', () => {
    function tree(dir: string): void {
      write(path.join(dir, 'package.json'), JSON.stringify({main: 'dist/main.js'}));
      write(path.join(dir, 'dist/main.js'), 'console.log(1)\n');
      write(path.join(dir, 'config.conf'), CONFIG);
    }

    it('unpacks an archive of the package root', async () => {
      const src = path.join(tmp, 'src');
      tree(src);
      const file = path.join(tmp, 'pkg.tgz');
      await tar.c({gzip: true, file, cwd: src}, ['.']);
      const staged = path.join(tmp, 'A.B/bin.staged');
      const info = await stagePackage(file, staged, '');
      expect(readFileSync(path.join(staged, 'dist/main.js'), 'utf8')).to.equal('console.log(1)\n');
      expect(info.entry).to.equal(path.normalize('dist/main.js'));
      expect(info.adapters).to.have.length(1);
    });

    it('unwraps the one top package/ directory of npm pack', async () => {
      const src = path.join(tmp, 'src');
      tree(path.join(src, 'package'));
      const file = path.join(tmp, 'hello-1.0.0.tgz');
      await tar.c({gzip: true, file, cwd: src}, ['package']);
      const staged = path.join(tmp, 'A.B/bin.staged');
      const info = await stagePackage(file, staged, '');
      expect(readdirSync(staged).sort()).to.deep.equal(['config.conf', 'dist', 'package.json']);
      expect(info.entry).to.equal(path.normalize('dist/main.js'));
      expect(existsSync(`${staged}.unwrap`)).to.equal(false);
    });

    async function refused(file: string, what: RegExp): Promise<void> {
      const staged = path.join(tmp, 'A.B/bin.staged');
      const error = await rejection(stagePackage(file, staged, ''));
      expect(error.code).to.equal('BAD_ARGUMENT');
      expect(error.message).to.match(what);
      expect(existsSync(staged), 'the staging directory').to.equal(false);
      expect(existsSync(path.join(tmp, 'A.B/escaped.txt')), 'a file written outside').to.equal(false);
    }

    it('refuses an entry with ..', async () => {
      const src = path.join(tmp, 'src');
      tree(src);
      // ../escaped.txt relative to src: create the file there, archive it under that path, then remove it
      write(path.join(tmp, 'escaped.txt'), 'x\n');
      const file = path.join(tmp, 'dotdot.tgz');
      await tar.c({gzip: true, file, cwd: src, preservePaths: true}, ['package.json', '../escaped.txt']);
      rmSync(path.join(tmp, 'escaped.txt'));
      await refused(file, /entry \.\.\/escaped\.txt leaves the package directory/);
      expect(existsSync(path.join(tmp, 'A.B/escaped.txt'))).to.equal(false);
      expect(existsSync(path.join(tmp, 'escaped.txt'))).to.equal(false);
    });

    it('refuses an entry with an absolute path', async () => {
      const src = path.join(tmp, 'src');
      tree(src);
      const abs = path.join(tmp, 'absolute.txt');
      write(abs, 'x\n');
      const file = path.join(tmp, 'abs.tgz');
      await tar.c({gzip: true, file, cwd: src, preservePaths: true}, ['package.json', abs]);
      rmSync(abs);
      await refused(file, /entry \/.*absolute\.txt leaves the package directory/);
      expect(existsSync(abs), 'the absolute path itself').to.equal(false);
    });

    it('refuses a symlink pointing outside, absolute or relative', async () => {
      for (const [name, target] of [['abs', '/etc'], ['rel', '../../outside']] as const) {
        const src = path.join(tmp, `src-${name}`);
        tree(src);
        symlinkSync(target, path.join(src, 'dist/evil'));
        const file = path.join(tmp, `${name}.tgz`);
        await tar.c({gzip: true, file, cwd: src}, ['.']);
        await refused(file, /symbolic link .*evil points out of the package/);
      }
    });

    it('keeps a symlink pointing inside the archive', async () => {
      const src = path.join(tmp, 'src');
      tree(src);
      symlinkSync('main.js', path.join(src, 'dist/alias.js'));
      const file = path.join(tmp, 'pkg.tgz');
      await tar.c({gzip: true, file, cwd: src}, ['.']);
      const staged = path.join(tmp, 'A.B/bin.staged');
      await stagePackage(file, staged, '');
      expect(lstatSync(path.join(staged, 'dist/alias.js')).isSymbolicLink()).to.equal(true);
      expect(escapingLinks(staged)).to.deep.equal([]);
    });
  });

  describe('what is not a package', () => {
    it('a file that is neither a directory nor gzip', async () => {
      const file = path.join(tmp, 'pkg.zip');
      write(file, 'PK\x03\x04 not a tarball');
      const staged = path.join(tmp, 'A.B/bin.staged');
      const error = await rejection(stagePackage(file, staged, ''));
      expect(error.code).to.equal('BAD_ARGUMENT');
      expect(error.message).to.match(/neither a directory nor a \.tgz/);
      expect(existsSync(staged)).to.equal(false);
    });

    it('an empty file', async () => {
      const file = path.join(tmp, 'empty.tgz');
      write(file, '');
      const error = await rejection(stagePackage(file, path.join(tmp, 'A.B/bin.staged'), ''));
      expect(error.message).to.match(/neither a directory nor a \.tgz/);
    });

    it('a path that does not exist', async () => {
      const error = await rejection(stagePackage(path.join(tmp, 'nope'), path.join(tmp, 'A.B/bin.staged'), ''));
      expect(error.code).to.equal('BAD_ARGUMENT');
      expect(error.message).to.match(/does not exist/);
    });

    it('a relative path', async () => {
      const error = await rejection(stagePackage('proj', path.join(tmp, 'A.B/bin.staged'), ''));
      expect(error.code).to.equal('BAD_ARGUMENT');
      expect(error.message).to.match(/not absolute/);
    });
  });
});

describe('node: the adapters of a package config', () => {
  const golden = readFileSync(new URL('golden/TestApp.HelloGo.config.conf', import.meta.url), 'utf8');

  it('reads servant, endpoint, protocol, threads, maxconns, queuecap and queuetimeout', () => {
    expect(adaptersOfConfig(golden, 'golden')).to.deep.equal([
      {name: 'TestApp.HelloGo.AdminHttpObjAdapter', servant: 'TestApp.HelloGo.AdminHttpObj',
        endpoint: 'tcp -h 10.0.0.5 -p 10016 -t 60000', protocol: 'not_tars', threads: 1, maxConnections: 128,
        queuecap: 1024, queuetimeout: 10000},
      {name: 'TestApp.HelloGo.SayHelloObjAdapter', servant: 'TestApp.HelloGo.SayHelloObj',
        endpoint: 'tcp -h 10.0.0.5 -p 10015 -t 60000', protocol: 'tars', threads: 5, maxConnections: 10240,
        queuecap: 100000, queuetimeout: 60000},
    ]);
  });

  it('ignores domains without a servant or an endpoint, and defaults the protocol to tars', () => {
    const text = `<tars>
  <application>
    <server>
      <NoServant>
        endpoint = tcp -h 127.0.0.1 -p 1
      </NoServant>
      <NoEndpoint>
        servant = A.B.NoEndpoint
      </NoEndpoint>
      <A.B.ObjAdapter>
        endpoint = tcp -h 127.0.0.1 -p 2
        servant = A.B.Obj
        threads = zero
        maxconns = 0
      </A.B.ObjAdapter>
    </server>
  </application>
</tars>
`;
    expect(adaptersOfConfig(text, 'x')).to.deep.equal([
      {name: 'A.B.ObjAdapter', servant: 'A.B.Obj', endpoint: 'tcp -h 127.0.0.1 -p 2', protocol: 'tars'}]);
  });

  it('a config without <server> has no adapters', () => {
    expect(adaptersOfConfig('<tars>\n</tars>\n', 'x')).to.deep.equal([]);
  });
});
