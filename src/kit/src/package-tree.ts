// A package directory copied as it will run elsewhere (a node stages it, the patch server packs it): a symbolic link
// that stays inside the package is kept (as a relative link); one that leaves it (a `tars new` project's `file:` link
// to @tars-ts/core in node_modules) is replaced by what it points to, as npm would install it (its package.json
// `files`, or all of it but .git and node_modules, plus its own installed runtime dependencies); `.git` is left out;
// dangling links are dropped. One rule for the node and the patch server.
import {cp, lstat, mkdir, readdir, readFile, realpath, stat, symlink} from 'node:fs/promises';
import path from 'node:path';

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

/** The runtime dependencies a package.json names (`dependencies`, not dev ones). */
async function runtimeDependencies(dir: string): Promise<string[]> {
  try {
    const manifest = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as {dependencies?: unknown};
    return manifest.dependencies && typeof manifest.dependencies === 'object' ? Object.keys(manifest.dependencies) : [];
  } catch {
    return [];
  }
}

/** Copies `from` (below the package root `root`) to `to`; `seen` holds the links being followed (a loop guard). */
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

/** A package outside the one being copied, linked into it: what npm would install of it. */
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

/** Copies the package directory `source` to `dest` by the rule of this module (`dest` is created). */
export async function copyPackageTree(source: string, dest: string): Promise<void> {
  const root = await realpath(source);
  await copyTree(root, root, dest, new Set());
}
