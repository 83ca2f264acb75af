import {runCommand} from '@oclif/test';
import {expect} from 'chai';
import {execFileSync} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type {IdlDiffReport} from '../../src/lib/idl-diff.js';

const root = new URL('../..', import.meta.url).pathname;

const V1 = `#include "types.tars"
module Demo {
  struct Req { 0 require string name; 1 optional int count; };
  interface Hello {
    int hi(Req r, out string greeting);
    void bye();
  };
};
`;
const TYPES = 'module Shared { enum Level { LOW, HIGH }; };\n';

/** V1 with an optional field and a function added: compatible. */
const V2_COMPATIBLE = V1.replace('1 optional int count;', '1 optional int count; 2 optional string note;')
  .replace('void bye();', 'void bye();\n    int more();');
/** V1 with a required field added and a function removed: breaking. */
const V2_BREAKING = V1.replace('1 optional int count;', '1 optional int count; 2 require int age;')
  .replace('    void bye();\n', '');

describe('tars idl diff and tars gen --against', () => {
  let dir: string;
  const file = (name: string): string => path.join(dir, name);
  const write = (name: string, text: string): void => {
    mkdirSync(path.dirname(file(name)), {recursive: true});
    writeFileSync(file(name), text);
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-idl-diff-'));
  });

  afterEach(() => rmSync(dir, {recursive: true, force: true}));

  describe('tars idl diff', () => {
    beforeEach(() => {
      write('old/Hello.tars', V1);
      write('old/types.tars', TYPES);
      write('new/types.tars', TYPES);
    });

    it('exits 1 on a breaking change, listing breaking changes first with positions and a summary', async () => {
      write('new/Hello.tars', V2_BREAKING.replace('int count;', 'long count;'));
      const {stdout, stderr, error} = await runCommand(['idl', 'diff', file('old/Hello.tars'), file('new/Hello.tars')],
        {root});
      expect(error?.oclif?.exit).to.equal(1);
      const lines = stdout.trim().split('\n');
      expect(lines.map((l) => l.split(/\s+/).slice(0, 2).join(' '))).to.deep.equal([
        'breaking required-field-added', 'breaking function-removed', 'risky field-type-widened',
        '2 breaking,',
      ]);
      expect(lines[0]).to.contain('Demo::Req.age').and.to.match(/new \S*Hello\.tars:3\)/);
      expect(lines[1]).to.contain('Demo::Hello.bye').and.to.match(/old \S*Hello\.tars:6\)/);
      expect(lines.at(-1)).to.equal('2 breaking, 1 risky, 0 compatible');
      expect(stderr).to.match(/^error: 2 breaking change\(s\)/m).and.to.match(/^hint: /m);
    });

    it('exits 0 when every change is compatible, and --json prints the report', async () => {
      write('new/Hello.tars', V2_COMPATIBLE);
      const {stdout, error} = await runCommand(['idl', 'diff', file('old/Hello.tars'), file('new/Hello.tars'),
        '--json'], {root});
      expect(error).to.equal(undefined);
      const report = JSON.parse(stdout) as IdlDiffReport;
      expect(report).to.include({breaking: 0, risky: 0, compatible: 2});
      expect(report.changes.map((c) => [c.kind, c.severity, c.definition, c.member])).to.deep.equal([
        ['optional-field-added', 'compatible', 'Req', 'note'], ['function-added', 'compatible', 'Hello', 'more'],
      ]);
      expect(report.changes[0].new).to.match(/Hello\.tars:3$/);
    });

    it('--json on a breaking change prints the report and exits 1', async () => {
      write('new/Hello.tars', V2_BREAKING);
      const {stdout, error} = await runCommand(['idl', 'diff', file('old/Hello.tars'), file('new/Hello.tars'),
        '--json'], {root});
      expect(error?.oclif?.exit).to.equal(1);
      const report = JSON.parse(stdout) as IdlDiffReport;
      expect(report.breaking).to.equal(2);
      expect(report.changes.find((c) => c.kind === 'function-removed')?.old).to.match(/Hello\.tars:6$/);
    });

    it('prints "no changes" and exits 0 for identical interfaces', async () => {
      write('new/Hello.tars', `// reformatted\n${V1.replace(/\n {4}/g, '\n\t')}`);
      const {stdout, error} = await runCommand(['idl', 'diff', file('old/Hello.tars'), file('new/Hello.tars')], {root});
      expect(error).to.equal(undefined);
      expect(stdout.trim()).to.equal('no changes');
    });

    it('reports bad IDL as tars gen does (exit 1, file:line:col), and a missing file as a usage error', async () => {
      write('new/Hello.tars', V1.replace('optional int count', 'optional nit count'));
      const bad = await runCommand(['idl', 'diff', file('old/Hello.tars'), file('new/Hello.tars')], {root});
      expect(bad.error?.oclif?.exit).to.equal(1);
      expect(bad.stderr).to.match(/Hello\.tars:3:\d+: error: unknown type 'nit'/).and.to.contain('^');
      const missing = await runCommand(['idl', 'diff', file('old/Hello.tars'), file('new/Nope.tars')], {root});
      expect(missing.error?.oclif?.exit).to.equal(2);
      expect(missing.stderr).to.match(/^error: .*Nope\.tars: no such file$/m);
    });
  });

  describe('tars gen --against', () => {
    const git = (...args: string[]): string => execFileSync('git', ['-c', 'user.email=t@example.com',
      '-c', 'user.name=t', ...args], {cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});

    beforeEach(() => {
      write('idl/Hello.tars', V1);
      write('idl/types.tars', TYPES);
      git('init', '-q');
      git('add', '.');
      git('commit', '-q', '-m', 'v1');
    });

    it('stops on a breaking change against a git ref before writing anything', async () => {
      write('idl/Hello.tars', V2_BREAKING);
      const {stdout, stderr, error} = await runCommand(['gen', file('idl/Hello.tars'), '-o', file('out'),
        '--against', 'HEAD'], {root});
      expect(error?.oclif?.exit).to.equal(1);
      expect(stdout).to.match(/^breaking\s+required-field-added\s+Demo::Req\.age/m);
      expect(stdout).to.match(/old HEAD:idl\/Hello\.tars:6\)/);
      expect(stderr).to.contain('breaking change(s) against HEAD; nothing generated');
      expect(existsSync(file('out'))).to.equal(false);
    });

    it('prints compatible changes and generates, reading includes at the ref too', async () => {
      write('idl/Hello.tars', V2_COMPATIBLE);
      write('idl/types.tars', TYPES.replace('HIGH', 'HIGH, HIGHEST'));
      const {stdout, error} = await runCommand(['gen', file('idl/Hello.tars'), '-o', file('out'), '--against', 'HEAD'],
        {root});
      expect(error).to.equal(undefined);
      expect(stdout).to.match(/^compatible\s+enumerator-added\s+Shared::Level\.HIGHEST/m);
      expect(stdout).to.match(/^compatible\s+optional-field-added\s+Demo::Req\.note/m);
      expect(stdout).to.contain('0 breaking, 0 risky, 3 compatible');
      expect(existsSync(file('out/HelloTars.ts'))).to.equal(true);
    });

    it('a breaking change in an included file fails too, and --json holds the report with no files', async () => {
      write('idl/types.tars', TYPES.replace('LOW, HIGH', 'HIGH, LOW'));
      const {stdout, error} = await runCommand(['gen', file('idl/Hello.tars'), '-o', file('out'), '--against', 'HEAD',
        '--json'], {root});
      expect(error?.oclif?.exit).to.equal(1);
      const result = JSON.parse(stdout) as {files: unknown[]; against: IdlDiffReport & {against: string}};
      expect(result.files).to.deep.equal([]);
      expect(result.against.against).to.equal('HEAD');
      expect(result.against.changes.map((c) => c.kind)).to.deep.equal(['enum-value-renumbered', 'enum-value-renumbered']);
      expect(result.against.changes[0].old).to.equal('HEAD:idl/types.tars:1');
      expect(existsSync(file('out'))).to.equal(false);
    });

    it('compares with an old .tars file or a directory of old versions', async () => {
      write('old/Hello.tars', V1);
      write('old/types.tars', TYPES);
      write('idl/Hello.tars', V2_BREAKING);
      const byFile = await runCommand(['gen', file('idl/Hello.tars'), '-o', file('out'), '--against',
        file('old/Hello.tars')], {root});
      expect(byFile.error?.oclif?.exit).to.equal(1);
      expect(byFile.stdout).to.contain('required-field-added');
      write('idl/Hello.tars', V2_COMPATIBLE);
      const byDir = await runCommand(['gen', file('idl/Hello.tars'), '-o', file('out'), '--against', file('old'),
        '--json'], {root});
      expect(byDir.error).to.equal(undefined);
      const result = JSON.parse(byDir.stdout) as {files: {status: string}[]; against: IdlDiffReport};
      expect(result.against.compatible).to.equal(2);
      expect(result.files.map((f) => f.status)).to.deep.equal(['written', 'written']);
    });

    it('an unknown ref is a usage error naming the repository', async () => {
      const {stderr, error} = await runCommand(['gen', file('idl/Hello.tars'), '-o', file('out'), '--against',
        'no-such-branch'], {root});
      expect(error?.oclif?.exit).to.equal(2);
      expect(stderr).to.match(/^error: --against no-such-branch is neither an existing \.tars file or directory nor a commit/m);
      expect(stderr).to.match(/^hint: give a branch, tag or commit/m);
      expect(existsSync(file('out'))).to.equal(false);
    });
  });
});
