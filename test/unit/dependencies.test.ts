// Keeps the dependency directions of design.md true: core is a library (no CLI packages), the codec depends on
// nothing above it, the IDL front end on nothing but errors, and the core folders import each other without cycles.
import {expect} from 'chai';
import {readFileSync, readdirSync, statSync} from 'node:fs';
import path from 'node:path';

const coreSrc = new URL('../../core/src/', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sources(full);
    return full.endsWith('.ts') ? [full] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/gm), ...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)]
    .map((m) => m[1]);
}

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
