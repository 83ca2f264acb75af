// A test per hostile package: each is uploaded through the official Patch.upload and refused by commitUpload with
// ret -1 and a `result` naming the problem; the upload is deleted, no version is recorded, nothing is left on disk.
import {expect} from 'chai';
import {randomBytes} from 'node:crypto';
import zlib from 'node:zlib';

import {type RawEntry, type TestPatchServer, md5, rawTar, startPatchServer, tgz, uploadBytes} from './fixtures.js';

for (const on of ['disk', 'postgres'] as const) describe(`patch: hostile packages are refused and leave nothing (${on})`, function () {
  this.timeout(30_000);
  let s: TestPatchServer;

  before(async () => {
    s = await startPatchServer({'max-files': 5, 'max-bytes': 1024 * 1024}, on);
  });

  after(async () => {
    await s?.close();
  });

  /** Uploads `bytes`, commits, expects a refusal matching `message`, and checks that nothing is left. */
  async function refused(bytes: Buffer, message: RegExp, declared?: string): Promise<void> {
    const rets = await uploadBytes(s.patch, 'TestApp', 'Hostile', 'pkg.tgz', bytes, declared ? {declared} : {});
    expect(rets.slice(0, -1).every((r) => r === 0), `upload rets ${rets}`).to.equal(true);
    const r = await s.ctl.commitUpload('TestApp', 'Hostile', 'pkg.tgz', 'bad', 'tester');
    expect(r.ret, r.result).to.equal(-1);
    expect(r.result).to.match(message);
    expect(await s.files(), 'files left').to.deep.equal([]);
    expect((await s.ctl.listVersions('TestApp', 'Hostile')).versions).to.deep.equal([]);
  }

  const ok: RawEntry = {path: 'index.js', content: 'console.log(1)\n'};

  it('a path with ../ that leaves the package', async () => {
    await refused(tgz([ok, {path: 'lib/../../evil.js', content: 'x'}]), /path that leaves it: lib\/\.\.\/\.\.\/evil\.js/);
  });

  it('an absolute path', async () => {
    await refused(tgz([ok, {path: '/etc/cron.d/evil', content: 'x'}]), /absolute path: \/etc\/cron\.d\/evil/);
  });

  it('a symbolic link pointing out of the package', async () => {
    await refused(tgz([ok, {path: 'conf', type: 'SymbolicLink', linkpath: '../../etc'}]),
      /symbolic link out of it: conf -> \.\.\/\.\.\/etc/);
  });

  it('a symbolic link to an absolute path', async () => {
    await refused(tgz([ok, {path: 'passwd', type: 'SymbolicLink', linkpath: '/etc/passwd'}]),
      /symbolic link out of it: passwd -> \/etc\/passwd/);
  });

  it('an entry written through a link (a link inside, then a path below it)', async () => {
    await refused(tgz([ok, {path: 'here', type: 'SymbolicLink', linkpath: '.'}, {path: 'here/up', type: 'SymbolicLink',
      linkpath: '..'}]), /below the link here: here\/up/);
  });

  it('a hard link pointing out of the package', async () => {
    await refused(tgz([ok, {path: 'shadow', type: 'Link', linkpath: '../../etc/shadow'}]),
      /hard link out of it: shadow -> \.\.\/\.\.\/etc\/shadow/);
  });

  it('a hard link to an absolute path', async () => {
    await refused(tgz([ok, {path: 'shadow', type: 'Link', linkpath: '/etc/shadow'}]), /hard link out of it/);
  });

  it('a character device', async () => {
    await refused(tgz([ok, {path: 'null', type: 'CharacterDevice'}]), /a character device: null/);
  });

  it('a block device', async () => {
    await refused(tgz([ok, {path: 'sda', type: 'BlockDevice'}]), /a block device: sda/);
  });

  it('a FIFO', async () => {
    await refused(tgz([ok, {path: 'pipe', type: 'FIFO'}]), /a FIFO: pipe/);
  });

  it('more files than --max-files', async () => {
    const many = Array.from({length: 6}, (_, i): RawEntry => ({path: `f${i}.js`, content: `${i}`}));
    await refused(tgz(many), /more than 5 files and directories \(the daemon's --max-files\)/);
  });

  it('more directories than --max-files (empty entries cost no bytes but count)', async () => {
    const many = Array.from({length: 6}, (_, i): RawEntry => ({path: `d${i}`, type: 'Directory'}));
    await refused(tgz([ok, ...many]), /more than 5 files and directories/);
  });

  it('a link that leads out through another link, whatever the order of the entries', async () => {
    await refused(tgz([ok, {path: 'c', type: 'Directory'}, {path: 'c/b', type: 'SymbolicLink', linkpath: '../a/..'},
      {path: 'a', type: 'SymbolicLink', linkpath: '.'}]), /symbolic link through another link: c\/b -> \.\.\/a\/\.\. \(a is a link\)/);
  });

  it('an entry below a link that comes later in the archive', async () => {
    await refused(tgz([ok, {path: 'here/up', content: 'x'}, {path: 'here', type: 'SymbolicLink', linkpath: '.'}]),
      /below the link here: here\/up/);
  });

  it('a hard link through a symbolic link', async () => {
    await refused(tgz([ok, {path: 'etc', type: 'SymbolicLink', linkpath: '.'}, {path: 'h', type: 'Link',
      linkpath: 'etc/index.js'}]), /hard link through a symbolic link: h -> etc\/index\.js/);
  });

  it('a zip bomb: more unpacked bytes than --max-bytes from a small archive', async () => {
    const bomb = tgz([{path: 'zeros.bin', content: Buffer.alloc(8 * 1024 * 1024)}]);
    expect(bomb.length).to.be.below(64 * 1024);
    await refused(bomb, /unpacks to more than 1048576 bytes \(the daemon's --max-bytes\)/);
  });

  it('a truncated archive (gzip cut short)', async () => {
    const whole = tgz([ok, {path: 'big.bin', content: Buffer.from(Array.from({length: 100_000}, (_, i) => i % 251))}]);
    await refused(whole.subarray(0, Math.floor(whole.length / 2)), /truncated/);
  });

  it('a truncated archive (complete gzip of half a tar)', async () => {
    const tar = rawTar([ok, {path: 'big.bin', content: Buffer.alloc(100_000, 1)}]);
    await refused(zlib.gzipSync(tar.subarray(0, 2048)), /truncated/);
  });

  it('a file that is not gzip', async () => {
    await refused(rawTar([ok]), /not a gzip archive/);
  });

  it('an md5 other than the upload declared', async () => {
    const bytes = tgz([ok]);
    const declared = md5(Buffer.from('something else'));
    const rets = await uploadBytes(s.patch, 'TestApp', 'Hostile', 'pkg.tgz', bytes, {declared});
    expect(rets.at(-1), 'the last chunk says the md5 differs').to.equal(-3);
    const r = await s.ctl.commitUpload('TestApp', 'Hostile', 'pkg.tgz', '', 'tester');
    expect(r.ret).to.equal(-1);
    expect(r.result).to.contain(`not the ${declared} its upload declared`);
    expect(await s.files()).to.deep.equal([]);
  });

  it('an upload that never reached its last chunk', async () => {
    const bytes = tgz([ok, {path: 'big.bin', content: randomBytes(50_000)}]);
    expect(bytes.length).to.be.above(4096);
    await uploadBytes(s.patch, 'TestApp', 'Hostile', 'pkg.tgz', bytes, {chunk: 1024, stopAfter: 2});
    const r = await s.ctl.commitUpload('TestApp', 'Hostile', 'pkg.tgz', '', 'tester');
    expect(r.ret).to.equal(-1);
    expect(r.result).to.contain('did not reach its last chunk');
    expect((await s.ctl.listVersions('TestApp', 'Hostile')).versions).to.deep.equal([]);
    expect((await s.patch.deletePatchFile('TestApp', 'Hostile', 'pkg.tgz')).ret).to.equal(0);
    expect(await s.files()).to.deep.equal([]);
  });

  it('names that would leave the upload directory', async () => {
    expect((await s.patch.upload('TestApp', 'Hostile', {md5: '', name: '../x.tgz', firstChunk: true, lastChunk: true,
      content: Buffer.from('x')})).ret).to.equal(-1);
    expect((await s.patch.upload('..', 'Hostile', {md5: '', name: 'x.tgz', firstChunk: true, lastChunk: true,
      content: Buffer.from('x')})).ret).to.equal(-1);
    const r = await s.ctl.commitUpload('TestApp', '../Hostile', 'x.tgz', '', 'tester');
    expect([r.ret, r.result]).to.deep.equal([-1, 'server "../Hostile" is not a TARS name (letters, digits, _ and -)']);
    expect(await s.files()).to.deep.equal([]);
  });

  it('links and hard links that stay inside are accepted, counted, and the .tars files kept', async () => {
    const bytes = tgz([{path: 'app', type: 'Directory'}, {path: 'app/index.js', content: 'console.log(1)\n'},
      {path: 'app/Hello.tars', content: 'module M { interface I { int f(); }; };\n'},
      {path: 'app/main.js', type: 'SymbolicLink', linkpath: 'index.js'},
      {path: 'app/copy.js', type: 'Link', linkpath: 'app/index.js'}]);
    await uploadBytes(s.patch, 'TestApp', 'Good', 'good.tgz', bytes);
    const r = await s.ctl.commitUpload('TestApp', 'Good', 'good.tgz', 'ok', 'tester');
    expect(r.ret, r.result).to.equal(0);
    expect(r.version).to.include({application: 'TestApp', serverName: 'Good', version: '1', md5: md5(bytes),
      file: '/TestApp/Good/TestApp.Good_1.tgz', uploader: 'tester', comment: 'ok', files: 3});
    expect(r.version.size).to.equal(BigInt(bytes.length));
    expect(r.version.unpackedBytes).to.equal(BigInt(15 + 40));
    expect(r.version.tarsFiles).to.deep.equal(['app/Hello.tars']);
    const i = await s.ctl.getInterface('TestApp', 'Good', '1');
    expect([...i.files]).to.deep.equal([['app/Hello.tars', 'module M { interface I { int f(); }; };\n']]);
    expect(await s.files()).to.deep.equal(['packages/TestApp/Good/TestApp.Good_1.tgz']);
    expect((await s.ctl.removeVersion('TestApp', 'Good', '1')).ret).to.equal(0);
  });
});
