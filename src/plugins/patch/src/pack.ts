// The pack step of `tars patch upload <App.Server> DIR`: the directory becomes a .tgz with the `tar` package (never
// a shell), by the same rule the node follows when it stages a `tars new` project (src/plugins/node/src/package.ts,
// copied here since plugins do not import each other): a symbolic link that stays inside the project is kept (as a
// relative link), one that leaves it (the `file:` link to @tars-ts/core in node_modules) is replaced by what it
// points to, as npm would install it (its package.json `files`, or all of it but .git and node_modules, plus its
// own installed runtime dependencies). `.git` is left out. The copy is made in a temporary directory, then packed.
import {cp, lstat, mkdir, mkdtemp, readdir, readFile, realpath, rm, stat, symlink} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import {UserError} from '@tars-ts/kit';

/** Whether `p` is `root` or below it. */
function within(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

/** The files of a package.json `files` list (and package.json, README, LICENSE, CHANGELOG) that may exist in `dir`. */
async function publishedEntries(dir: string): Promise<string[] | undefined> {
  let manifest: {files?: unknown};
  try {
    manifest = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as {files?: unknown};
  } catch {
    return undefined;
  }
  if (!Array.isArray(manifest.files)) return undefined;
  const names = new Set(['package.json']);
  for (const f of manifest.files) if (typeof f === 'string' && !f.includes('*')) names.add(f.replace(/^\.\//, ''));
  for (const f of await readdir(dir)) if (/^(readme|license|licence|changelog)/i.test(f)) names.add(f);
  return [...names];
}

async function runtimeDependencies(dir: string): Promise<string[]> {
  try {
    const manifest = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as {dependencies?: unknown};
    return manifest.dependencies && typeof manifest.dependencies === 'object' ? Object.keys(manifest.dependencies) : [];
  } catch {
    return [];
  }
}

async function copyTree(root: string, from: string, to: string, seen: Set<string>, skipNodeModules = false):
  Promise<void> {
  await mkdir(to, {recursive: true});
  for (const entry of await readdir(from, {withFileTypes: true})) {
    if (entry.name === '.git' || (skipNodeModules && entry.name === 'node_modules')) continue;
    const src = path.join(from, entry.name);
    const dest = path.join(to, entry.name);
    if (entry.isSymbolicLink()) {
      let target: string;
      try {
        target = await realpath(src);
      } catch {
        continue; // dangling: nothing to ship
      }
      if (within(root, target)) {
        await symlink(path.relative(path.dirname(src), target), dest);
      } else if ((await stat(target)).isDirectory()) {
        if (seen.has(target)) continue; // a loop of links
        seen.add(target);
        try {
          await copyLinkedPackage(target, dest, seen);
        } finally {
          seen.delete(target);
        }
      } else {
        await cp(target, dest);
      }
    } else if (entry.isDirectory()) {
      await copyTree(root, src, dest, seen);
    } else if (entry.isFile()) {
      await cp(src, dest, {preserveTimestamps: true});
    }
  }
}

async function copyLinkedPackage(target: string, dest: string, seen: Set<string>): Promise<void> {
  const published = await publishedEntries(target);
  if (!published) {
    await copyTree(target, target, dest, seen, true);
  } else {
    await mkdir(dest, {recursive: true});
    for (const name of published) {
      const src = path.join(target, name);
      if (!within(target, src) || name === 'node_modules') continue;
      try {
        await lstat(src);
      } catch {
        continue;
      }
      await cp(src, path.join(dest, name), {recursive: true, dereference: true});
    }
  }
  for (const dep of await runtimeDependencies(target)) {
    let real: string;
    try {
      real = await realpath(path.join(target, 'node_modules', dep));
    } catch {
      continue;
    }
    if (seen.has(real)) continue;
    seen.add(real);
    try {
      await copyLinkedPackage(real, path.join(dest, 'node_modules', dep), seen);
    } finally {
      seen.delete(real);
    }
  }
}

/**
 * Packs the directory `dir` into the gzip tarball `out` (paths relative to the directory's root, portable headers:
 * no owner names, no mtimes of the packing machine's users). Temporary files are removed, also on failure.
 */
export async function packDirectory(dir: string, out: string): Promise<void> {
  const root = await realpath(dir);
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'tars-patch-pack-'));
  try {
    const staged = path.join(tmp, 'package');
    await copyTree(root, root, staged, new Set());
    const tar = await import('tar');
    const top = (await readdir(staged)).sort();
    if (top.length === 0) {
      throw new UserError(`${dir} has nothing to pack`, {code: 'BAD_ARGUMENT',
        hint: 'give the directory of a built project (tars new makes one)'});
    }
    await tar.c({file: out, gzip: true, portable: true, cwd: staged}, top);
  } finally {
    await rm(tmp, {recursive: true, force: true});
  }
}
