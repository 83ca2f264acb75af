// The check an uploaded package passes before it becomes a version: a gzip tar whose every entry stays inside the
// package once unpacked (no `..`, no absolute path, no link out, no path through a link), with no device or FIFO, and
// under the limits of files and unpacked bytes. The archive is streamed through the `tar` package's parser (never a
// shell, never unpacked to disk) and the check stops at the first problem, so a zip bomb costs what the limits allow.
import {createReadStream} from 'node:fs';
import {open} from 'node:fs/promises';
import path from 'node:path';

/** The limits of one package. */
export interface ArchiveLimits {
  /** Most entries (files, directories, links) one package may hold. */
  readonly maxFiles: number;
  /** Most bytes its regular files may add up to once unpacked. */
  readonly maxBytes: number;
}

/** Defaults of `tars patch start --max-files / --max-bytes`. */
export const DEFAULT_MAX_FILES = 100_000;
export const DEFAULT_MAX_BYTES = 2 * 1024 * 1024 * 1024;
/** The largest .tars file whose content is kept for getInterface, bytes. */
export const MAX_TARS_FILE_BYTES = 1024 * 1024;

/** What a package holds, once checked. */
export interface ArchiveSummary {
  /** Regular files (hard links inside the package included). */
  readonly files: number;
  /** Their total size. */
  readonly unpackedBytes: number;
  /** The package's .tars files: path inside the package -> content. */
  readonly tarsFiles: ReadonlyMap<string, string>;
}

/** A package that fails the check; the message says which entry and why, in one line. */
export class ArchiveRefused extends Error {
  override readonly name = 'ArchiveRefused';
}

const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);
const DEVICE_TYPES = new Map([['CharacterDevice', 'a character device'], ['BlockDevice', 'a block device'],
  ['FIFO', 'a FIFO']]);

/** An entry path as it lands: '' for the package root; undefined when it is absolute or has a `..` segment. */
export function packagePath(raw: string): string | undefined {
  if (raw.startsWith('/') || raw.startsWith('\\') || /^[A-Za-z]:/.test(raw)) return undefined;
  const parts = raw.split(/[/\\]+/).filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return undefined;
  return parts.join('/');
}

/** Whether the link target `link`, seen from the entry at `at` (package-relative), stays inside the package. */
function linkStaysInside(at: string, link: string, fromRoot: boolean): boolean {
  if (link === '' || link.startsWith('/') || link.startsWith('\\') || /^[A-Za-z]:/.test(link)) return false;
  const base = fromRoot ? '.' : path.posix.dirname(at);
  // No clamping at the root (path.resolve would turn /../etc into /etc): a leading .. is a way out.
  const resolved = path.posix.normalize(path.posix.join(base, link.replace(/\\/g, '/')));
  return resolved !== '..' && !resolved.startsWith('../');
}

/** The first of `path`'s own parent directories that is a link of the package. */
function linkAbove(links: ReadonlySet<string>, where: string): string | undefined {
  const parts = where.split('/');
  for (let i = 1; i < parts.length; i++) {
    const parent = parts.slice(0, i).join('/');
    if (links.has(parent)) return parent;
  }
  return undefined;
}

/**
 * Links are judged by their text alone (./linkStaysInside), which holds only while no path goes through another
 * link of the package: `a -> .` then `c/b -> ../a/..` looks inside but leads out once unpacked. So, whatever the
 * order of the entries: no entry below a symbolic link, and no link whose target goes through one (a target that is
 * a link itself is fine: it is checked on its own).
 */
function throughLinks(links: ReadonlySet<string>, paths: readonly string[], symlinks: readonly [string, string][],
  hardLinks: readonly [string, string][]): string | undefined {
  if (links.size === 0) return undefined;
  for (const p of paths) {
    const above = linkAbove(links, p);
    if (above !== undefined) return `the package has an entry below the link ${above}: ${p} (a path may not go through a link)`;
  }
  for (const [where, target] of symlinks) {
    const parts = path.posix.dirname(where) === '.' ? [] : path.posix.dirname(where).split('/');
    const steps = target.replace(/\\/g, '/').split('/').filter((x) => x !== '' && x !== '.');
    for (let i = 0; i < steps.length - 1; i++) {
      if (steps[i] === '..') parts.pop();
      else parts.push(steps[i]!);
      if (links.has(parts.join('/'))) {
        return `the package has a symbolic link through another link: ${where} -> ${target} (${parts.join('/')} is a link)`;
      }
    }
  }
  for (const [where, target] of hardLinks) {
    const above = linkAbove(links, target);
    if (above !== undefined) return `the package has a hard link through a symbolic link: ${where} -> ${target}`;
  }
  return undefined;
}

/** Whether the file starts with the gzip magic bytes. */
export async function isGzipFile(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(2);
    const {bytesRead} = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/**
 * Checks the package `file` against `limits`; its summary, or an {@link ArchiveRefused} naming the first problem.
 * Reads the file once; nothing is written anywhere.
 */
export async function checkArchive(file: string, limits: ArchiveLimits): Promise<ArchiveSummary> {
  if (!await isGzipFile(file)) {
    throw new ArchiveRefused('the package is not a gzip archive (make it with tar czf, or give the directory)');
  }
  const tar = await import('tar');
  let files = 0;
  let bytes = 0;
  let entries = 0;
  /** Every symbolic link of the package, and every entry path, symbolic and hard link: checked at the end. */
  const links = new Set<string>();
  const paths: string[] = [];
  const symlinks: [string, string][] = [];
  const hardLinks: [string, string][] = [];
  const tarsFiles = new Map<string, string>();
  return new Promise<ArchiveSummary>((resolve, reject) => {
    const input = createReadStream(file);
    let done = false;
    const finish = (error: Error | undefined): void => {
      if (done) return;
      done = true;
      input.destroy();
      parser.removeAllListeners('data');
      if (error) reject(error);
      else if (files === 0) reject(new ArchiveRefused('the package holds no file'));
      else resolve({files, unpackedBytes: bytes, tarsFiles});
    };
    const refuse = (message: string): void => finish(new ArchiveRefused(message));
    const parser = new tar.Parser({
      strict: true,
      onReadEntry(entry) {
        if (done) {
          entry.resume();
          return;
        }
        entries++;
        const raw = entry.path;
        const where = packagePath(raw);
        if (where === undefined) {
          refuse(raw.startsWith('/') || /^[A-Za-z]:/.test(raw)
            ? `the package has an absolute path: ${raw} (paths must be relative to the package root)`
            : `the package has a path that leaves it: ${raw} (no ".." in paths)`);
          entry.resume();
          return;
        }
        paths.push(where);
        const device = DEVICE_TYPES.get(entry.type);
        if (device) {
          refuse(`the package has ${device}: ${raw} (only files, directories and links inside it)`);
        } else if (entry.type === 'SymbolicLink') {
          const target = entry.linkpath ?? '';
          if (!linkStaysInside(where, target, false)) {
            refuse(`the package has a symbolic link out of it: ${raw} -> ${target}`);
          } else {
            links.add(where);
            symlinks.push([where, target]);
          }
        } else if (entry.type === 'Link') {
          const target = entry.linkpath ?? '';
          const inside = packagePath(target);
          if (inside === undefined || inside === '' || !linkStaysInside(where, target, true)) {
            refuse(`the package has a hard link out of it: ${raw} -> ${target}`);
          } else {
            files++;
            hardLinks.push([where, inside]);
          }
        } else if (FILE_TYPES.has(entry.type)) {
          files++;
          bytes += entry.size ?? 0;
          if (where.endsWith('.tars') && (entry.size ?? 0) <= MAX_TARS_FILE_BYTES) {
            const chunks: Buffer[] = [];
            entry.on('data', (c: Buffer) => chunks.push(c));
            entry.on('end', () => tarsFiles.set(where, Buffer.concat(chunks).toString('utf8')));
          }
        } else if (entry.type !== 'Directory') {
          refuse(`the package has an entry of type ${entry.type}: ${raw} (only files, directories and links)`);
        }
        if (!done && entries > limits.maxFiles) {
          refuse(`the package has more than ${limits.maxFiles} files and directories (the daemon's --max-files)`);
        } else if (!done && bytes > limits.maxBytes) {
          refuse(`the package unpacks to more than ${limits.maxBytes} bytes (the daemon's --max-bytes)`);
        }
        entry.resume();
      },
    });
    parser.on('error', (error: Error & {code?: string}) => {
      const truncated = error.code === 'Z_BUF_ERROR' || /truncated|unexpected end/i.test(error.message);
      finish(new ArchiveRefused(truncated ? 'the package is truncated (the archive ends in the middle; upload it again)'
        : `the package is not a valid gzip tar archive: ${error.message}`));
    });
    parser.on('end', () => {
      if (entries === 0) return finish(new ArchiveRefused('the package is an empty archive'));
      const problem = throughLinks(links, paths, symlinks, hardLinks);
      finish(problem === undefined ? undefined : new ArchiveRefused(problem));
    });
    input.on('error', (error) => finish(error));
    input.pipe(parser);
  });
}
