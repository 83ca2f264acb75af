// The dependency directions of design.md as a function over a source tree, so that the test can run it on the
// repository and on made-up trees (a plugin importing another must be caught).
import {existsSync, readFileSync, readdirSync, statSync} from 'node:fs';
import path from 'node:path';

/** Every .ts file under `dir` (none when it does not exist). */
export function sources(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    if (name === 'node_modules' || name === 'dist') return [];
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sources(full);
    return full.endsWith('.ts') && !full.endsWith('.d.ts') ? [full] : [];
  });
}

/** The module specifiers a file imports or re-exports, static and dynamic. */
export function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/gm),
    ...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!);
}

/** Which part of the project a file belongs to. */
type Zone = {kind: 'core'} | {kind: 'kit'} | {kind: 'plugin'; name: string} | {kind: 'root'} | {kind: 'template'};

function zoneOf(root: string, file: string): Zone | undefined {
  const rel = path.relative(root, file).split(path.sep);
  if (rel[0] === 'core' && rel[1] === 'src') return {kind: 'core'};
  if (rel[0] === 'templates') return {kind: 'template'};
  if (rel[0] !== 'src') return undefined;
  if (rel[1] === 'kit') return {kind: 'kit'};
  if (rel[1] === 'plugins' && rel[2]) return {kind: 'plugin', name: rel[2]};
  return {kind: 'root'};
}

const CLI_PACKAGES = /^(@oclif\/|oclif|inquirer|@inquirer\/|listr2|ora|cli-table3|execa)/;
/** The store's database packages: only the kit's store (and, through it, the daemons) may use them. */
const STORAGE_PACKAGES = /^(kysely|better-sqlite3|pg)(\/|$)/;

/** Why `spec`, imported by `file` of `zone`, breaks a rule; undefined when it is allowed. */
function violation(root: string, file: string, zone: Zone, spec: string): string | undefined {
  if (spec.startsWith('.')) {
    const resolved = path.resolve(path.dirname(file), spec);
    // A plugin's tests may share the root's test helpers (ports, waiting): tests are not shipped with the plugin.
    const inPluginTests = /^src\/plugins\/[^/]+\/test\//.test(path.relative(root, file).split(path.sep).join('/'));
    if (inPluginTests && path.relative(root, resolved).split(path.sep).join('/').startsWith('test/support/')) {
      return undefined;
    }
    const target = zoneOf(root, resolved);
    if (!target) return `reaches outside the sources (${spec})`;
    if (target.kind !== zone.kind || (zone.kind === 'plugin' && target.kind === 'plugin' && target.name !== zone.name)) {
      return `reaches into ${target.kind === 'plugin' ? `plugin ${target.name}` : target.kind} by a relative path ` +
        '(import its package instead)';
    }
    return undefined;
  }
  const plugin = /^@tars-ts\/plugin-([^/]+)/.exec(spec);
  switch (zone.kind) {
    case 'core':
      if (CLI_PACKAGES.test(spec) || spec.startsWith('@tars-ts/')) return 'core is a library: no CLI package, no kit';
      if (STORAGE_PACKAGES.test(spec)) return 'core is a library: no storage package (the store is the kit\'s)';
      return undefined;
    case 'template':
      if (spec.startsWith('@tars-ts/') && !spec.startsWith('@tars-ts/core')) {
        return 'a service made by tars new depends on @tars-ts/core only';
      }
      if (STORAGE_PACKAGES.test(spec)) return 'a service made by tars new keeps no SQLite';
      return undefined;
    case 'kit':
      if (plugin || spec === 'tars-ts' || spec.startsWith('tars-ts/')) return 'the kit imports no plugin and no root code';
      return undefined;
    case 'plugin':
      if (plugin && plugin[1] !== zone.name) return `a plugin imports no other plugin (${spec})`;
      if (spec === 'tars-ts' || spec.startsWith('tars-ts/')) return 'a plugin cannot import the root package';
      return undefined;
    case 'root':
      if (plugin) return `root commands import no plugin (${spec})`;
      return undefined;
  }
}

/**
 * Every import under `root` (core/src, src/kit, src/plugins/*, the root's src, templates) that breaks the
 * dependency directions of design.md, as `file: spec: why`.
 */
export function dependencyViolations(root: string): string[] {
  const files = [...sources(path.join(root, 'core/src')), ...sources(path.join(root, 'src')),
    ...sources(path.join(root, 'templates'))];
  const found: string[] = [];
  for (const file of files) {
    const zone = zoneOf(root, file)!;
    for (const spec of importsOf(file)) {
      const why = violation(root, file, zone, spec);
      if (why) found.push(`${path.relative(root, file)}: ${spec}: ${why}`);
    }
  }
  return found;
}
