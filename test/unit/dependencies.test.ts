// Keeps the dependency directions of design.md true: core is a library (no CLI packages), the codec depends on
// nothing above it, the IDL front end on nothing but errors, and the core folders import each other without cycles.
import {expect} from 'chai';
import {existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {dependencyViolations, importsOf, sources} from '../support/dependency-rules.js';

const repo = new URL('../../', import.meta.url).pathname;
const coreSrc = path.join(repo, 'core/src/');

/** Top folder of core/src a file belongs to ("codec", "idl", ... or "." for index.ts). */
const folderOf = (file: string): string => path.relative(coreSrc, file).split(path.sep).slice(0, -1)[0] ?? '.';

const ALLOWED: Record<string, string[]> = {
  errors: [],
  codec: ['errors'],
  protocol: ['codec', 'errors'],
  idl: ['errors'],
  codegen: ['idl', 'codec', 'protocol'],
  config: ['protocol', 'errors'],
  rpc: ['config', 'protocol', 'codec', 'errors', 'framework'],
  // Generated stubs import the runtime through core's public entry, like any user's generated code.
  framework: ['.'],
};

/**
 * Core's top folder: index.ts (the public entry) may import any folder; runtime.ts (what generated code and the
 * framework stubs need) only the folders below rpc, and of rpc only files that do not reach the framework stubs
 * (else stubs -> runtime -> stubs is a cycle). No other file lives there.
 */
const RUNTIME_ALLOWED = ['errors', 'codec', 'protocol'];
const RUNTIME_RPC_FILES = ['rpc/call-options.ts', 'rpc/servant-proxy.ts', 'rpc/servant.ts'];

describe('dependency directions', () => {
  const files = sources(coreSrc);

  it('core imports no CLI package (oclif, inquirer, listr2, ora, cli-table3, execa) and no templates', () => {
    for (const file of files) {
      for (const spec of importsOf(file)) {
        expect(spec, `${path.relative(coreSrc, file)} imports ${spec}`).to.not.match(
          /^(@oclif\/|oclif|inquirer|@inquirer\/|listr2|ora|cli-table3|execa)|templates\//);
      }
    }
  });

  it('core\'s top folder holds only index.ts and runtime.ts, and runtime.ts imports only what stubs need', () => {
    expect(readdirSync(coreSrc).filter((f) => f.endsWith('.ts')).sort()).to.deep.equal(['index.ts', 'runtime.ts']);
    for (const spec of importsOf(path.join(coreSrc, 'runtime.ts'))) {
      const target = path.relative(coreSrc, path.resolve(coreSrc, spec)).replace(/\.js$/, '.ts');
      const folder = target.split(path.sep)[0]!;
      expect(RUNTIME_ALLOWED.includes(folder) || RUNTIME_RPC_FILES.includes(target), `runtime.ts imports ${spec}`)
        .to.equal(true);
    }
  });

  it('kit, plugins, root commands and templates keep their directions (design.md)', () => {
    expect(dependencyViolations(repo)).to.deep.equal([]);
  });

  it('a plugin importing another plugin, reaching into the root, or core using a storage package is caught', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tars-deps-'));
    try {
      const write = (file: string, text: string): void => {
        mkdirSync(path.dirname(path.join(dir, file)), {recursive: true});
        writeFileSync(path.join(dir, file), text);
      };
      write('src/plugins/a/src/commands/a/x.ts', "import {B} from '@tars-ts/plugin-b';\nimport {K} from '@tars-ts/kit';\n");
      write('src/plugins/b/src/index.ts', "export const B = await import('../../a/src/commands/a/x.js');\n");
      write('src/plugins/b/src/own.ts', "import {B} from './index.js';\nimport {C} from '@tars-ts/core';\n");
      write('src/kit/src/index.ts', "import {X} from '../../commands/call.js';\n");
      write('src/commands/call.ts', "import {B} from '@tars-ts/plugin-b';\n");
      write('templates/project/src/Server.ts', "import {K} from '@tars-ts/kit';\nimport {C} from '@tars-ts/core';\n");
      write('core/src/x/y.ts', "import {K} from '@tars-ts/kit';\n");
      write('core/src/x/z.ts', "import {Kysely} from 'kysely';\nconst D = await import('better-sqlite3');\n");
      write('templates/project/src/Db.ts', "import pg from 'pg';\nimport {K} from 'kysely-extra';\n");
      // A plugin's tests may use the root's test helpers; its sources may not.
      write('src/plugins/a/test/x.test.ts', "import {until} from '../../../../test/support/wait.js';\n");
      write('src/plugins/a/src/y.ts', "import {until} from '../../../../test/support/wait.js';\n");
      expect(dependencyViolations(dir).map((v) => v.split(': ').slice(0, 2).join(': ')).sort()).to.deep.equal([
        'core/src/x/y.ts: @tars-ts/kit',
        'core/src/x/z.ts: better-sqlite3',
        'core/src/x/z.ts: kysely',
        'src/commands/call.ts: @tars-ts/plugin-b',
        'src/kit/src/index.ts: ../../commands/call.js',
        'src/plugins/a/src/commands/a/x.ts: @tars-ts/plugin-b',
        'src/plugins/a/src/y.ts: ../../../../test/support/wait.js',
        'src/plugins/b/src/index.ts: ../../a/src/commands/a/x.js',
        'templates/project/src/Db.ts: pg',
        'templates/project/src/Server.ts: @tars-ts/kit',
      ]);
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });

  it('every workspace package is built by tsc -b, every plugin is a root dependency and has its tests run', () => {
    const json = (file: string): Record<string, unknown> => JSON.parse(readFileSync(path.join(repo, file), 'utf8'));
    const pkg = json('package.json') as {workspaces: string[]; dependencies: Record<string, string>};
    const build = json('tsconfig.build.json') as {references: {path: string}[]};
    const referenced = new Set(build.references.map((r) => path.normalize(r.path)));
    const plugins = existsSync(path.join(repo, 'src/plugins')) ? readdirSync(path.join(repo, 'src/plugins')) : [];
    const packages = ['core', 'src/kit', ...plugins.map((p) => `src/plugins/${p}`)];
    expect(pkg.workspaces).to.include.members(['core', 'src/kit', 'src/plugins/*']);
    for (const dir of packages) {
      expect(referenced.has(path.normalize(dir)), `${dir} in tsconfig.build.json`).to.equal(true);
      const name = (json(`${dir}/package.json`) as {name: string}).name;
      if (dir.startsWith('src/plugins/')) expect(pkg.dependencies, `${name} in the root dependencies`).to.have.property(name);
    }
    // The root project is built after the libraries it imports.
    expect(build.references.map((r) => path.normalize(r.path)).slice(0, 2)).to.deep.equal(['core', 'src/kit']);
    const mocha = json('.mocharc.json') as {spec: string[]};
    expect(mocha.spec).to.include('{test,src/plugins/*/test}/**/*.test.ts');
  });

  it('each core folder imports only the folders below it', () => {
    for (const file of files) {
      const from = folderOf(file);
      const allowed = ALLOWED[from];
      if (allowed === undefined) continue;
      for (const spec of importsOf(file)) {
        if (!spec.startsWith('.')) continue;
        const target = folderOf(path.resolve(path.dirname(file), spec));
        if (target === from) continue;
        expect(allowed, `${path.relative(coreSrc, file)} imports ${spec} (${from} -> ${target})`).to.include(target);
      }
    }
  });
});
