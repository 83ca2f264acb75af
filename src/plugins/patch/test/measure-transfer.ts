// A measurement, not a test: a 64 MiB package (incompressible) uploaded in 1 MiB Patch.upload chunks and committed,
// then downloaded in 1 MiB Patch.download chunks, over loopback against an in-process daemon (packages on disk), and
// against two on one PostgreSQL database (packages in it: upload and commit through A, download through B); and how
// long the
// package check takes on a 1 GiB zip bomb under --max-bytes (refused from the headers) and on 50,000 small files.
// Run from the repository root:
//   node --import tsx --conditions=tars-dev src/plugins/patch/test/measure-transfer.ts
import {randomBytes} from 'node:crypto';
import {mkdtempSync, rmSync, statSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import zlib from 'node:zlib';

import {checkArchive} from '../src/index.js';
import {freshDatabase} from '../../../../test/support/postgres.js';
import {type TestPatchServer, md5, rawTar, startPatchServer, tgz, uploadBytes} from './fixtures.js';

const MiB = 1024 * 1024;
const bytes = tgz([{path: 'index.js', content: 'x'}, {path: 'blob.bin', content: randomBytes(64 * MiB)}]);

async function transfer(label: string, up: TestPatchServer, down: TestPatchServer): Promise<void> {
  let t = performance.now();
  await uploadBytes(up.patch, 'TestApp', 'Big', 'big.tgz', bytes, {chunk: MiB});
  const upMs = performance.now() - t;
  t = performance.now();
  const r = await up.ctl.commitUpload('TestApp', 'Big', 'big.tgz', '', 'm');
  const commit = performance.now() - t;
  t = performance.now();
  const parts: Buffer[] = [];
  for (let pos = 0, i = 0; i < 1000; i++) {
    const {ret, vb} = await down.patch.download(r.version.file, pos);
    if (ret !== 0) break;
    parts.push(Buffer.from(vb));
    pos += vb.length;
  }
  const downMs = performance.now() - t;
  if (md5(Buffer.concat(parts)) !== md5(bytes)) throw new Error('download differs');
  const mib = bytes.length / MiB;
  console.log(`${label}: upload ${mib.toFixed(0)} MiB ${upMs.toFixed(0)} ms (${(mib / upMs * 1000).toFixed(0)} MiB/s), ` +
    `commit (md5 + check) ${commit.toFixed(0)} ms, download ${downMs.toFixed(0)} ms ` +
    `(${(mib / downMs * 1000).toFixed(0)} MiB/s)`);
}

const s = await startPatchServer();
const db = await freshDatabase('patchmeasure');
const a = await startPatchServer({}, 'postgres', db);
const b = await startPatchServer({}, 'postgres', db);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tars-patch-measure-'));
try {
  await transfer('disk, one instance', s, s);
  await transfer('PostgreSQL, through A then B', a, b);

  const bombFile = path.join(tmp, 'bomb.tgz');
  const tar = rawTar([{path: 'zeros.bin', content: Buffer.alloc(1024 * MiB)}]);
  writeFileSync(bombFile, zlib.gzipSync(tar, {level: 9}));
  let t = performance.now();
  const refused = await checkArchive(bombFile, {maxFiles: 100_000, maxBytes: 512 * MiB}).then(() => 'accepted',
    (e: Error) => e.message);
  console.log(`zip bomb: 1 GiB of zeros in ${statSync(bombFile).size} bytes, --max-bytes 512 MiB: ` +
    `${(performance.now() - t).toFixed(0)} ms, ${refused}`);

  const many = Array.from({length: 50_000}, (_, i) => ({path: `d${i % 100}/f${i}.js`, content: `${i}`}));
  const manyFile = path.join(tmp, 'many.tgz');
  writeFileSync(manyFile, tgz(many));
  t = performance.now();
  const sum = await checkArchive(manyFile, {maxFiles: 100_000, maxBytes: 1024 * MiB});
  console.log(`check of 50,000 small files: ${(performance.now() - t).toFixed(0)} ms (${sum.files} files)`);
} finally {
  await Promise.all([s.close(), a.close(), b.close()]);
  rmSync(tmp, {recursive: true, force: true});
}
