// Hostile packages (issue 16): each is refused with its own message before anything is written, and the staging
// directory does not exist afterwards. The archives are written here header by header (ustar), so that entries no
// tar tool would make from a directory (devices, hard links out, a cut-off archive) can be tested.
import {expect} from 'chai';
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {gzipSync} from 'node:zlib';

import {UserError} from '@tars-ts/kit';

import {checkArchive, stagePackage} from '../src/package.js';

interface RawEntry {
  name: string;
  /** ustar typeflag: 0 file, 1 hard link, 2 symlink, 3 char device, 4 block device, 5 directory, 6 FIFO. */
  type: '0' | '1' | '2' | '3' | '4' | '5' | '6';
  linkname?: string;
  content?: string;
  /** The size the header claims (default: the content's). */
  size?: number;
}

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, '0')}\0`;
}

/** A ustar archive of `entries`, gzipped; `cut` drops that many bytes from the end of the tar before gzip. */
function rawTgz(entries: readonly RawEntry[], cut = 0): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const content = Buffer.from(e.content ?? '');
    const header = Buffer.alloc(512);
    header.write(e.name, 0, 100, 'utf8');
    header.write(octal(e.type === '5' ? 0o755 : 0o644, 8), 100, 'ascii');
    header.write(octal(0, 8), 108, 'ascii');
    header.write(octal(0, 8), 116, 'ascii');
    header.write(octal(e.size ?? (e.type === '0' ? content.length : 0), 12), 124, 'ascii');
    header.write(octal(1_700_000_000, 12), 136, 'ascii');
    header.write('        ', 148, 'ascii');
    header.write(e.type, 156, 'ascii');
    if (e.linkname) header.write(e.linkname, 157, 100, 'utf8');
    header.write('ustar\0', 257, 'ascii');
    header.write('00', 263, 'ascii');
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
    blocks.push(header);
    if (e.type === '0' && content.length > 0) {
      blocks.push(content, Buffer.alloc((512 - (content.length % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  const tarBytes = Buffer.concat(blocks);
  return gzipSync(tarBytes.subarray(0, tarBytes.length - cut));
}

const PACKAGE_JSON: RawEntry = {name: 'package.json', type: '0', content: '{"main": "index.js"}'};
const INDEX: RawEntry = {name: 'index.js', type: '0', content: 'console.log(1)\n'};

describe('node: hostile packages are refused before anything is written', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-hostile-'));
  });
  afterEach(() => rmSync(dir, {recursive: true, force: true}));

  async function refused(entries: readonly RawEntry[], what: RegExp, cut = 0): Promise<void> {
    const file = path.join(dir, 'pkg.tgz');
    writeFileSync(file, rawTgz(entries, cut));
    const staged = path.join(dir, 'App.Server/bin.staged');
    const error = await stagePackage(file, staged, '').then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(UserError);
    expect((error as UserError).message).to.match(what);
    expect(existsSync(staged), 'the staging directory').to.equal(false);
    expect(existsSync(path.join(dir, 'outside.txt')), 'a file written outside').to.equal(false);
  }

  it('a plain package of the same shape is taken (the archives below are hostile, not broken)', async () => {
    const file = path.join(dir, 'ok.tgz');
    writeFileSync(file, rawTgz([PACKAGE_JSON, INDEX, {name: 'lib', type: '5'}, {name: 'lib/alias.js', type: '2',
      linkname: '../index.js'}, {name: 'copy.js', type: '1', linkname: 'index.js'}]));
    const info = await stagePackage(file, path.join(dir, 'App.Server/bin.staged'), '');
    expect(info.entry).to.equal('index.js');
  });

  it('path traversal (../)', async () => {
    await refused([PACKAGE_JSON, INDEX, {name: '../outside.txt', type: '0', content: 'x'}],
      /entry \.\.\/outside\.txt leaves the package directory/);
  });

  it('an absolute path', async () => {
    await refused([PACKAGE_JSON, INDEX, {name: `${dir}/outside.txt`, type: '0', content: 'x'}],
      /outside\.txt leaves the package directory/);
  });

  it('a symbolic link pointing out', async () => {
    await refused([PACKAGE_JSON, INDEX, {name: 'lib', type: '5'}, {name: 'lib/passwd', type: '2',
      linkname: '../../etc/passwd'}], /symbolic link lib\/passwd points out of the package/);
  });

  it('a hard link pointing out', async () => {
    await refused([PACKAGE_JSON, INDEX, {name: 'shadow', type: '1', linkname: '../../etc/shadow'}],
      /hard link shadow points out of the package/);
  });

  it('a device file, and a FIFO', async () => {
    await refused([PACKAGE_JSON, INDEX, {name: 'null', type: '3'}], /entry null is a device file/);
    await refused([PACKAGE_JSON, INDEX, {name: 'disk', type: '4'}], /entry disk is a device file/);
    await refused([PACKAGE_JSON, INDEX, {name: 'pipe', type: '6'}], /entry pipe is a FIFO/);
  });

  it('more files or bytes than the limits (a zip bomb is refused from its headers, nothing unpacked)', async () => {
    const file = path.join(dir, 'many.tgz');
    writeFileSync(file, rawTgz([PACKAGE_JSON, INDEX, ...Array.from({length: 20}, (_, i) =>
      ({name: `f${i}.txt`, type: '0' as const, content: 'xxxxxxxxxx'}))]));
    const tooMany = await checkArchive(file, {maxFiles: 10, maxBytes: 1e9}).then(() => undefined, (e: unknown) => e);
    expect((tooMany as Error).message).to.match(/22 files, more than the limit of 10/);
    const tooBig = await checkArchive(file, {maxFiles: 100, maxBytes: 100}).then(() => undefined, (e: unknown) => e);
    expect((tooBig as Error).message).to.match(/unpacks to 235 bytes, more than the limit of 100/);
    await checkArchive(file, {maxFiles: 100, maxBytes: 1000});
  });

  it('a truncated archive', async () => {
    await refused([PACKAGE_JSON, {name: 'index.js', type: '0', content: 'x'.repeat(3000)}],
      /the archive is truncated or damaged/, 1024 + 2048);
  });
});
