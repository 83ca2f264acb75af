// A server's package on its node: staged from the node's own file system (a directory is copied, a .tgz unpacked)
// into `<server>/bin.staged`, then inspected: what it runs (its entry script, unless the deploy gives a command line)
// and the adapters its own config.conf declares (what `tars new` writes). A .tgz comes from the node's disk or, downloaded
// first, from the patch server. Nothing in a package can land or point outside the staging directory.
import {createReadStream} from 'node:fs';
import {lstat, mkdir, readdir, readFile, rename, rm, stat} from 'node:fs/promises';
import path from 'node:path';

import {parseTarsConfig} from '@tars-ts/core';
import {UserError, copyPackageTree} from '@tars-ts/kit';

import {inside} from './layout.js';

/** An adapter a package's config file declares. */
export interface PackageAdapter {
  readonly name: string;
  readonly servant: string;
  readonly endpoint: string;
  readonly protocol: string;
  readonly threads?: number;
  readonly maxConnections?: number;
  readonly queuecap?: number;
  readonly queuetimeout?: number;
}

/** What a staged package holds. */
export interface PackageInfo {
  /** The script `node` runs, relative to the package root; '' when a command line was given. */
  readonly entry: string;
  readonly adapters: readonly PackageAdapter[];
  /** The package's config file that was read (relative), '' when it has none. */
  readonly configFile: string;
  readonly files: number;
  readonly bytes: number;
}

function packageError(message: string, hint: string): UserError {
  return new UserError(message, {code: 'BAD_ARGUMENT', hint});
}

/** Whether `p` is `root` or below it. */
function within(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

/** How much a package may unpack to (a zip bomb is refused before anything is written). */
export interface ArchiveLimits {
  readonly maxFiles: number;
  readonly maxBytes: number;
}

/** 100,000 files and 2 GiB unpacked. */
export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {maxFiles: 100_000, maxBytes: 2 * 1024 ** 3};

/** Whether the archive path `p` is absolute or climbs out of the archive's root. */
function leaves(p: string): boolean {
  if (p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p)) return true;
  const rel = path.posix.normalize(p.replaceAll('\\', '/'));
  return rel === '..' || rel.startsWith('../');
}

/**
 * Reads the whole archive once, before anything is written, and refuses it (a BAD_ARGUMENT UserError naming the
 * entry) when an entry is absolute or climbs out, a symbolic or hard link points out, an entry is a device or a
 * FIFO, there are more files or bytes than `limits`, or the archive is truncated or damaged.
 */
export async function checkArchive(file: string, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): Promise<void> {
  const tar = await import('tar');
  const fix = 'rebuild the archive from a plain directory: tar czf pkg.tgz -C DIR .';
  let problem: string | undefined;
  let files = 0;
  let bytes = 0;
  const refuse = (why: string): void => {
    problem ??= why;
  };
  try {
    await tar.t({file, strict: true, onReadEntry: (entry) => {
      const p = entry.path;
      if (leaves(p)) refuse(`entry ${p} leaves the package directory`);
      switch (entry.type) {
        case 'CharacterDevice': case 'BlockDevice': case 'FIFO':
          refuse(`entry ${p} is a ${entry.type === 'FIFO' ? 'FIFO' : 'device file'}`);
          break;
        case 'SymbolicLink': {
          const target = entry.linkpath ?? '';
          if (target.startsWith('/') || leaves(path.posix.join(path.posix.dirname(p), target))) {
            refuse(`symbolic link ${p} points out of the package (${target})`);
          }
          break;
        }
        case 'Link': {
          const target = entry.linkpath ?? '';
          if (leaves(target)) refuse(`hard link ${p} points out of the package (${target})`);
          break;
        }
        case 'File': case 'OldFile': case 'ContiguousFile':
          files++;
          bytes += entry.size ?? 0;
          break;
        default:
          break;
      }
      entry.resume();
    }});
  } catch (error) {
    throw packageError(`the archive is truncated or damaged: ${(error as Error).message}`, fix);
  }
  if (problem) throw packageError(`the package is refused: ${problem}`, fix);
  if (files > limits.maxFiles) {
    throw packageError(`the package is refused: ${files} files, more than the limit of ${limits.maxFiles}`, fix);
  }
  if (bytes > limits.maxBytes) {
    throw packageError(`the package is refused: it unpacks to ${bytes} bytes, more than the limit of ` +
      `${limits.maxBytes}`, fix);
  }
}

/** Unpacks a .tgz into `to` once {@link checkArchive} passed, refusing again whatever would land or point outside. */
async function unpack(file: string, to: string): Promise<void> {
  await checkArchive(file);
  const tar = await import('tar');
  await mkdir(to, {recursive: true});
  const refused: string[] = [];
  await tar.x({file, cwd: to, strict: true, preservePaths: false, preserveOwner: false,
    filter: (p, entry) => {
      const where = path.resolve(to, p);
      const linkpath = 'linkpath' in entry ? (entry as {linkpath?: string}).linkpath : undefined;
      const escapes = !within(to, where) || (linkpath !== undefined && linkpath !== '' &&
        (path.isAbsolute(linkpath) || !within(to, path.resolve(path.dirname(where), linkpath))));
      if (escapes) refused.push(p);
      return !escapes;
    }});
  if (refused.length > 0) {
    throw packageError(`the package has entries that leave its directory: ${refused.slice(0, 3).join(', ')}`,
      'rebuild the archive with paths relative to its root (tar czf pkg.tgz -C DIR .)');
  }
  // An archive of one top directory (npm pack's `package/`): that directory is the package.
  const top = await readdir(to, {withFileTypes: true});
  if (top.length === 1 && top[0]!.isDirectory()) {
    const only = path.join(to, top[0]!.name);
    const tmp = `${to}.unwrap`;
    await rm(tmp, {recursive: true, force: true});
    await rename(only, tmp);
    await rm(to, {recursive: true, force: true});
    await rename(tmp, to);
  }
}

async function isGzip(file: string): Promise<boolean> {
  const stream = createReadStream(file, {start: 0, end: 1});
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const head = Buffer.concat(chunks);
  return head.length === 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/**
 * Stages `source` (absolute: a directory, or a gzip tarball) as `staged` (replaced when it exists), then inspects
 * it (see {@link inspectPackage}). On any failure the staging directory is removed and a UserError says what and how
 * to fix it.
 */
export async function stagePackage(source: string, staged: string, command: string): Promise<PackageInfo> {
  if (!path.isAbsolute(source)) {
    throw packageError(`package path "${source}" is not absolute`, 'give the package as an absolute path');
  }
  let info;
  try {
    info = await stat(source);
  } catch {
    throw packageError(`package ${source} does not exist on this node`, 'give a directory or a .tgz that exists');
  }
  await rm(staged, {recursive: true, force: true});
  try {
    if (info.isDirectory()) {
      await copyPackageTree(source, staged);
    } else if (info.isFile() && await isGzip(source)) {
      await unpack(source, staged);
    } else {
      throw packageError(`package ${source} is neither a directory nor a .tgz`,
        'give the project directory, or an archive made with tar czf');
    }
    return await inspectPackage(staged, command);
  } catch (error) {
    await rm(staged, {recursive: true, force: true});
    if (error instanceof UserError) throw error;
    throw packageError(`staging ${source}: ${(error as Error).message}`, 'check the package and the node\'s disk');
  }
}

/** `node FILE ...` in an npm script: FILE, and the `--config=X` it passes, if any. */
function nodeScript(script: string): {entry?: string; config?: string} {
  const words = script.trim().split(/\s+/);
  if (words[0] !== 'node') return {};
  const entry = words.slice(1).find((w) => !w.startsWith('-'));
  const config = words.find((w) => w.startsWith('--config='))?.slice('--config='.length);
  return {...(entry ? {entry} : {}), ...(config ? {config} : {})};
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

/** The adapters of a TARS config text: each domain under `<tars><application><server>` with a servant and an endpoint. */
export function adaptersOfConfig(text: string, what: string): PackageAdapter[] {
  const config = parseTarsConfig(text, what);
  const server = config.child('tars').child('application').child('server');
  const adapters: PackageAdapter[] = [];
  for (const [name, domain] of server.children) {
    const servant = domain.params.get('servant');
    const endpoint = domain.params.get('endpoint');
    if (!servant || !endpoint) continue;
    const int = (key: string): number | undefined => {
      const v = Number(domain.params.get(key));
      return domain.params.has(key) && Number.isInteger(v) && v > 0 ? v : undefined;
    };
    const threads = int('threads');
    const maxConnections = int('maxconns');
    const queuecap = int('queuecap');
    const queuetimeout = int('queuetimeout');
    adapters.push({name, servant, endpoint, protocol: domain.params.get('protocol') || 'tars',
      ...(threads ? {threads} : {}), ...(maxConnections ? {maxConnections} : {}), ...(queuecap ? {queuecap} : {}),
      ...(queuetimeout ? {queuetimeout} : {})});
  }
  return adapters;
}

async function countFiles(dir: string): Promise<{files: number; bytes: number}> {
  let files = 0;
  let bytes = 0;
  for (const entry of await readdir(dir, {withFileTypes: true, recursive: true})) {
    if (!entry.isFile()) continue;
    files++;
    bytes += (await lstat(path.join(entry.parentPath, entry.name))).size;
  }
  return {files, bytes};
}

/**
 * What the package at `root` runs and declares. With no `command`, its entry: the file of a `node FILE` start script
 * in package.json, else its `main`, else `index.js`; it must exist (a `tars new` project that was not built has no
 * `dist/`: the error says to build it). The adapters come from the config file its start script passes
 * (`--config=FILE`), else `config.conf`, if there is one.
 */
export async function inspectPackage(root: string, command: string): Promise<PackageInfo> {
  let manifest: {main?: unknown; scripts?: {start?: unknown}} = {};
  try {
    manifest = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as typeof manifest;
  } catch {
    // no package.json: only a command line or index.js can run it
  }
  const script = typeof manifest.scripts?.start === 'string' ? nodeScript(manifest.scripts.start) : {};
  let entry = '';
  if (command.trim() === '') {
    const candidates = [script.entry, typeof manifest.main === 'string' ? manifest.main : undefined, 'index.js']
      .filter((c): c is string => c !== undefined && c !== '');
    const named = candidates[0]!;
    for (const c of candidates) {
      if (await isFile(inside(root, c))) {
        entry = path.normalize(c);
        break;
      }
    }
    if (entry === '') {
      const built = named.startsWith('dist/') || named.startsWith('./dist/');
      throw packageError(`the package has no runnable entry: ${named} does not exist`,
        built ? 'build the project first (npm run build), then deploy it again'
          : 'give "main" or a "node FILE" start script in package.json, or deploy with --cmd "COMMAND LINE"');
    }
  }
  let configFile = '';
  for (const c of [script.config, 'config.conf']) {
    if (c && await isFile(inside(root, c))) {
      configFile = path.normalize(c);
      break;
    }
  }
  let adapters: PackageAdapter[] = [];
  if (configFile !== '') {
    try {
      adapters = adaptersOfConfig(await readFile(inside(root, configFile), 'utf8'), configFile);
    } catch (error) {
      throw packageError(`the package's ${configFile} does not parse: ${(error as Error).message}`,
        'fix the file, or give the adapters with --adapter Name=ENDPOINT');
    }
  }
  return {entry, adapters, configFile, ...await countFiles(root)};
}

