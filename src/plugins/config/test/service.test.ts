// The config center's writes and their rules over a real store: every version kept, rollback as a new version,
// and bad input (names, size, unknown app/server/node, a missing version, a reference cycle) refused with one
// clear message and nothing stored. Plus the per-caller rate limit.
import {expect} from 'chai';

import {ConfigF} from '@tars-ts/core/framework';

import {
  ConfigObjServant, ConfigRefused, type ConfigService, type KnownInstance, RATE_LIMITED, RateLimiter,
} from '../src/index.js';
import {ctxFrom, k, openService} from './fixtures.js';

/** Runs `work`, expecting a refusal whose message matches `pattern`. */
async function refused(work: () => Promise<unknown>, pattern: RegExp): Promise<void> {
  let error: unknown;
  try {
    await work();
  } catch (e) {
    error = e;
  }
  expect(error, 'expected a refusal').to.be.instanceOf(ConfigRefused);
  expect((error as Error).message).to.match(pattern);
  expect((error as Error).message).not.to.include('\n');
}

// The service's versions and refusals on both stores: SQLite and PostgreSQL write the same history.
for (const on of ['sqlite', 'postgres'] as const) describe(`config service: versions and bad input (${on})`, () => {
  let service: ConfigService;
  let close: () => Promise<void>;
  let now = 1_700_000_000_000;
  const instances: KnownInstance[] = [
    {app: 'A', server: 'S', node: 'n1', setId: ''},
    {app: 'A', server: 'T', node: 'n2', setId: 'sz.a.1'},
  ];

  beforeEach(async () => {
    ({service, close} = await openService({maxFileBytes: 1000, instances: async () => instances, now: () => now++},
      on));
  });

  afterEach(() => close());

  /** Everything stored, for "nothing stored" checks. */
  const everything = async () => JSON.stringify(await service.repository.loadRows());

  it('keeps every version with author, time and comment; rollback stores the old content as a new version', async () => {
    expect(await service.push(k('A.S', 'a.conf'), 'v=1', 'ann', 'first')).to.equal(1);
    expect(await service.push(k('A.S', 'a.conf'), 'v=2', 'bob', 'second')).to.equal(2);
    expect(await service.rollback(k('A.S', 'a.conf'), 1, 'cid', '')).to.equal(3);
    const history = await service.history(k('A.S', 'a.conf'));
    expect(history.map((v) => [v.version, v.content, v.author, v.comment])).to.deep.equal([
      [1, 'v=1', 'ann', 'first'], [2, 'v=2', 'bob', 'second'], [3, 'v=1', 'cid', 'rollback to version 1']]);
    expect(history[0]!.time).to.be.below(history[1]!.time);
    expect(service.snapshot().file(k('A.S', 'a.conf'))!.content).to.equal('v=1');
    expect((await service.version(k('A.S', 'a.conf'), 2)).content).to.equal('v=2');
  });

  it('the same name at each level, and per SET, are separate files', async () => {
    await service.push(k('A', 'a.conf'), 'app', 'x', '');
    await service.push(k('A.S', 'a.conf'), 'server', 'x', '');
    await service.push(k('A.S', 'a.conf', {node: 'n1'}), 'node', 'x', '');
    await service.push(k('A.T', 'a.conf', {setId: 'sz.a.1'}), 'set', 'x', '');
    expect(service.snapshot().files.map((f) => [f.level, f.content])).to.deep.equal(
      [[1, 'app'], [2, 'server'], [3, 'node'], [2, 'set']]);
  });

  it('refuses bad file names: /, \\, .., empty', async () => {
    const before = await everything();
    for (const name of ['a/b.conf', 'a\\b.conf', '..', 'x..y', '']) {
      await refused(() => service.push(k('A.S', name), 'x=1', 'x', ''), /file name|empty/);
    }
    expect(await everything()).to.equal(before);
  });

  it('refuses a file over the size limit, naming both sizes', async () => {
    await refused(() => service.push(k('A.S', 'big.conf'), 'x'.repeat(1001), 'x', ''), /1001 bytes, over the limit of 1000/);
    // Bytes, not characters: 334 three-byte characters are 1002 bytes.
    await refused(() => service.push(k('A.S', 'big.conf'), '€'.repeat(334), 'x', ''), /1002 bytes/);
    expect(await service.push(k('A.S', 'big.conf'), 'x'.repeat(1000), 'x', '')).to.equal(1);
  });

  it('refuses an unknown application, server or node (the registry\'s instances)', async () => {
    const before = await everything();
    await refused(() => service.push(k('Nope', 'a.conf'), 'x', 'x', ''), /unknown application "Nope"/);
    await refused(() => service.push(k('A.Nope', 'a.conf'), 'x', 'x', ''), /unknown server "A.Nope".*S, T/);
    await refused(() => service.push(k('A.S', 'a.conf', {node: 'n9'}), 'x', 'x', ''), /no instance on node "n9".*n1/);
    expect(await everything()).to.equal(before);
  });

  it('refuses a bad SET, a node without a server, a bad app name', async () => {
    await refused(() => service.push(k('A.S', 'a.conf', {setId: 'sz.a'}), 'x', 'x', ''), /not name.area.group/);
    await refused(() => service.push(k('A', 'a.conf', {node: 'n1'}), 'x', 'x', ''), /needs a server/);
    await refused(() => service.push(k('A b', 'a.conf'), 'x', 'x', ''), /not an application name/);
  });

  it('a rollback to a version that does not exist: refused, nothing stored', async () => {
    await service.push(k('A.S', 'a.conf'), 'v=1', 'x', '');
    const before = await everything();
    await refused(() => service.rollback(k('A.S', 'a.conf'), 5, 'x', ''), /has no version 5 \(versions 1\.\.1\)/);
    await refused(() => service.rollback(k('A.S', 'b.conf'), 1, 'x', ''), /no file A\.S\/b\.conf/);
    expect(await everything()).to.equal(before);
  });

  it('a reference cycle (or to itself, or to a missing file): refused, nothing stored', async () => {
    await service.push(k('A', 'a.conf'), 'a', 'x', '');
    await service.push(k('A', 'b.conf'), 'b', 'x', '');
    await service.push(k('A.S', 'c.conf'), 'c', 'x', '');
    await service.addReference(k('A.S', 'c.conf'), k('A', 'a.conf'));
    await service.addReference(k('A', 'a.conf'), k('A', 'b.conf'));
    const before = await everything();
    await refused(() => service.addReference(k('A', 'b.conf'), k('A.S', 'c.conf')), /would make a cycle/);
    await refused(() => service.addReference(k('A', 'b.conf'), k('A', 'b.conf')), /cannot reference itself/);
    await refused(() => service.addReference(k('A.S', 'c.conf'), k('A', 'zzz.conf')), /no file A\/zzz\.conf/);
    expect(await everything()).to.equal(before);
    expect(await service.removeReference(k('A', 'a.conf'), k('A', 'b.conf'))).to.equal(true);
    expect(await service.removeReference(k('A', 'a.conf'), k('A', 'b.conf'))).to.equal(false);
  });

  it('with the registry away, a push is refused with that reason and nothing stored', async () => {
    await close();
    ({service, close} = await openService({instances: async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:17892');
    }}, on));
    await refused(() => service.push(k('A.S', 'a.conf'), 'x', 'x', ''), /cannot check .* registry: connect ECONNREFUSED/);
    expect(service.snapshot().files).to.have.length(0);
  });
});

describe('config rate limit', () => {
  it('allows `limit` calls per key in a window, then refuses until the window ends', () => {
    let now = 0;
    const limiter = new RateLimiter(3, 60_000, () => now);
    expect([1, 2, 3, 4].map(() => limiter.allow('a'))).to.deep.equal([true, true, true, false]);
    expect(limiter.allow('b')).to.equal(true);
    now = 59_999;
    expect(limiter.allow('a')).to.equal(false);
    now = 60_000;
    expect(limiter.allow('a')).to.equal(true);
  });

  it('limit 0 turns it off', () => {
    const limiter = new RateLimiter(0);
    expect(Array.from({length: 100}, () => limiter.allow('a')).every(Boolean)).to.equal(true);
  });

  it('ConfigObj answers 429 per (app, server, caller, file) beyond the limit; other callers and files go on', async () => {
    const {service, close} = await openService();
    try {
      await service.push(k('A.S', 'a.conf'), 'v=1', 'x', '');
      const obj = new ConfigObjServant(service, new RateLimiter(10, 60_000, () => 0));
      const me = ctxFrom('10.0.0.1');
      const rets: number[] = [];
      for (let i = 0; i < 11; i++) rets.push((await obj.loadConfig('A', 'S', 'a.conf', me)).ret);
      expect(rets.slice(0, 10).every((r) => r === 0)).to.equal(true);
      expect(rets[10]).to.equal(RATE_LIMITED);
      expect((await obj.loadConfigByInfo(ConfigF.ConfigInfo.create({appname: 'A', servername: 'S', filename: 'a.conf'}),
        me)).ret).to.equal(RATE_LIMITED);
      expect(await obj.loadConfig('A', 'S', 'a.conf', ctxFrom('10.0.0.2'))).to.deep.equal({ret: 0, config: 'v=1'});
      expect((await obj.loadConfig('A', 'S', 'b.conf', me)).ret).to.equal(0);
      // Not counted, as officially: listing and checking.
      expect((await obj.ListConfig('A', 'S', me)).ret).to.equal(0);
      expect((await obj.checkConfig('A.S', 'a.conf', '10.0.0.1')).ret).to.equal(0);
    } finally {
      await close();
    }
  });
});
