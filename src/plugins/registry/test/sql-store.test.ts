// The registry's SQL store on real files (issue 11): state survives close and reopen with the same QueryF answers,
// a SIGKILLed registry loses no acknowledged write, and a store written by a newer schema is refused untouched.
// Every test has its own temp directory, removed afterwards; every child is killed by its pid.
import {expect} from 'chai';
import {type ChildProcess, spawn} from 'node:child_process';
import {mkdtempSync, readFileSync, readdirSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {openStore} from '@tars-ts/kit/store';

import {
  MemoryRegistryRepository, QueryServant, type RegistryRepository, type RegistryRows, RegistryService,
} from '../src/index.js';
import {REGISTRY_MIGRATIONS, openRegistryStore} from '../src/sql-repository.js';
import {GROUPS, ctxFrom, instance, rowsOf} from './fixtures.js';

const child = new URL('./store-child.ts', import.meta.url).pathname;
const repoRoot = new URL('../../../../', import.meta.url).pathname;

/** Polls `cond` until it holds; the bound only ends a test that would otherwise hang. */
async function until(cond: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) expect.fail(`${what}: not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The directory's files with their bytes: a refused open must leave them as they were. */
function filesOf(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort()
    .map((n) => [n, readFileSync(path.join(dir, n)).toString('base64')]));
}

/** Writes `rows` through the repository interface, each node registered (heart-beaten) at `at(node)`. */
async function seed(repo: RegistryRepository, rows: RegistryRows, at: (nodeName: string) => number): Promise<void> {
  for (const n of rows.nodes) {
    await repo.registerNode({nodeName: n.nodeName, nodeObj: n.nodeObj, endpointIp: n.endpointIp,
      endpointPort: n.endpointPort, dataDir: n.dataDir, version: n.version, load: {avg1: 0.5, avg5: 0.25, avg15: 0.1}},
    at(n.nodeName));
  }
  for (const s of rows.servers) expect(await repo.saveServer(s, false)).to.equal(true);
  for (const a of rows.adapters) expect(await repo.saveAdapter(a, false)).to.equal(true);
  for (const e of rows.staticEndpoints) await repo.addStaticEndpoint(e);
  for (const r of rows.groupRules) await repo.saveGroupRule(r);
  for (const p of rows.groupPriorities) await repo.saveGroupPriority(p);
}

const A = 'App.Grouped.Obj';
const C = 'App.Sets.Obj';
const Q = 'tars.tarsregistry.QueryObj';

/** Objects deployed across IDC groups and sets, two silent nodes, and the registry's own static endpoints. */
const ROWS: RegistryRows = rowsOf([
  instance(A, '10.1.1.5', 1, {enableGroup: true}),
  instance(A, '10.2.2.1', 2, {enableGroup: true}),
  instance(A, '10.3.3.3', 3),
  instance(A, '10.1.1.6', 4, {enableGroup: true, presentState: 'inactive'}),
  instance(C, '10.5.0.1', 11, {enableSet: true, setName: 'mtt', setArea: 'sz', setGroup: '1'}),
  instance(C, '10.5.0.3', 13, {enableSet: true, setName: 'mtt', setArea: 'sz', setGroup: '*'}),
  instance(C, '10.5.0.4', 14, {enableSet: true, setName: 'mtt', setArea: 'sh', setGroup: '1'}),
], {...GROUPS, staticEndpoints: [
  {servant: Q, endpoint: 'tcp -h 10.0.0.9 -p 17890', presentState: 'active', enableGroup: false, ipGroupName: '', setId: '', owner: 'r1'},
  {servant: Q, endpoint: 'tcp -h 10.0.0.8 -p 17890', presentState: 'inactive', enableGroup: false, ipGroupName: '', setId: '', owner: 'r2'},
]});

/** What QueryF answers from a service's snapshot, for a spread of objects, callers, stations and sets. */
function answers(service: RegistryService): unknown {
  const query = new QueryServant(() => service.snapshot());
  const out: Record<string, unknown> = {};
  for (const id of [A, C, Q, 'App.Unknown.Obj']) {
    out[`byId ${id}`] = query.findObjectById(id).ret;
    out[`any ${id}`] = query.findObjectById4Any(id);
    for (const caller of ['10.1.1.100', '10.2.2.2', '10.3.3.9', '10.9.9.9']) {
      out[`group ${id} ${caller}`] = query.findObjectByIdInSameGroup(id, ctxFrom(caller));
    }
    for (const station of ['south', 'north', 'mars']) {
      out[`station ${id} ${station}`] = query.findObjectByIdInSameStation(id, station);
    }
    for (const set of ['mtt.sz.1', 'mtt.sz.2', 'mtt.sh.1']) {
      out[`set ${id} ${set}`] = query.findObjectByIdInSameSet(id, set, ctxFrom('10.9.9.9'));
    }
  }
  return out;
}

describe('registry: the SQL store on disk', function () {
  this.timeout(60_000);
  let dir: string;
  const children: ChildProcess[] = [];

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-registry-store-'));
  });

  afterEach(() => {
    for (const c of children) {
      if (c.exitCode === null && c.signalCode === null && c.pid) process.kill(c.pid, 'SIGKILL');
    }
    children.length = 0;
    rmSync(dir, {recursive: true, force: true});
  });

  it('keeps every row through close and reopen: a service rebuilt from it answers QueryF as before', async () => {
    const file = path.join(dir, 'registry.db');
    let now = 1_700_000_000_000;
    const clock = () => now;
    const first = await openRegistryStore(file);
    // Node 10.3.3.3 has been silent for longer than the timeout and is reaped before the restart: its expiry (node
    // and servers inactive) must persist too.
    await seed(first.repository, ROWS, (node) => (node === '10.3.3.3' ? now - 300_000 : now));
    const service = new RegistryService(first.repository, {clock});
    expect(await service.expireNodes()).to.deep.equal(['10.3.3.3']);
    await service.refresh();
    const before = answers(service);
    const rows = await first.repository.loadRows();
    await first.close();

    // The same rows in the memory repository give the same answers: the store changes nothing QueryF sees.
    const memory = new RegistryService(new MemoryRegistryRepository(rows), {clock});
    await memory.refresh();
    expect(answers(memory)).to.deep.equal(before);

    now += 1000;
    const reopened = await openRegistryStore(file);
    try {
      expect(await reopened.repository.loadRows()).to.deep.equal(rows);
      const rebuilt = new RegistryService(reopened.repository, {clock});
      await rebuilt.refresh();
      expect(answers(rebuilt)).to.deep.equal(before);
      // Sanity: the answers are not trivially empty.
      expect(new QueryServant(() => rebuilt.snapshot()).findObjectById(A).ret).to.have.length(2);
    } finally {
      await reopened.close();
    }
  });

  it('a registry killed with SIGKILL mid-way loses no acknowledged registration or static endpoint', async () => {
    const file = path.join(dir, 'killed.db');
    const proc = spawn(process.execPath, ['--import', 'tsx', '--conditions=tars-dev', child, file, '100000'],
      {cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe']});
    children.push(proc);
    let out = '';
    let err = '';
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<void>((resolve) => proc.on('close', () => resolve()));
    const acked = (what: string) =>
      [...out.matchAll(new RegExp(`^ack ${what} (\\d+)$`, 'gm'))].map((m) => Number(m[1]));

    await until(() => acked('static').length >= 200 || proc.exitCode !== null, 'the child acknowledged 200 rounds',
      40_000);
    expect(proc.exitCode, err).to.equal(null);
    process.kill(proc.pid!, 'SIGKILL');
    await exited;
    expect(proc.signalCode).to.equal('SIGKILL');
    // Lines read after the kill were written before it: they were acknowledged too.
    const nodes = acked('node');
    const statics = acked('static');
    expect(statics.length).to.be.at.least(200).and.below(100_000);

    const store = await openRegistryStore(file);
    try {
      const rows = await store.repository.loadRows();
      const nodeNames = new Set(rows.nodes.map((n) => n.nodeName));
      const ports = new Set(rows.staticEndpoints.map((e) => Number(/-p (\d+)/.exec(e.endpoint)![1])));
      expect(nodes.filter((i) => !nodeNames.has(`node-${i}`)), 'acknowledged nodes missing').to.deep.equal([]);
      expect(statics.filter((i) => !ports.has(i)), 'acknowledged static endpoints missing').to.deep.equal([]);
      // At most the one write in flight at the kill is there without its ack.
      expect(rows.nodes.length + rows.staticEndpoints.length).to.be.within(nodes.length + statics.length,
        nodes.length + statics.length + 1);
      expect(rows.nodes.every((n) => n.presentState === 'active')).to.equal(true);
      // The reopened store takes writes again.
      await store.repository.addStaticEndpoint({servant: 'App.Static.Obj', endpoint: 'tcp -h 10.9.9.9 -p 65535',
        presentState: 'active', enableGroup: false, ipGroupName: '', setId: '', owner: 'after'});
    } finally {
      await store.close();
    }
  });

  it('a store written by a newer schema is refused with STORE_NEWER_SCHEMA and left byte for byte', async () => {
    const file = path.join(dir, 'newer.db');
    const newer = await openStore({kind: 'sqlite', file}, {...REGISTRY_MIGRATIONS,
      '9999_from_a_newer_build': {up: async (db) => {
        await db.schema.createTable('future').addColumn('x', 'text').execute();
      }}});
    await newer.close();
    const before = filesOf(dir);

    let error: {code?: string; message?: string} | undefined;
    try {
      const store = await openRegistryStore(file);
      await store.close();
    } catch (e) {
      error = e as {code?: string; message?: string};
    }
    expect(error?.code, String(error?.message)).to.equal('STORE_NEWER_SCHEMA');
    expect(error?.message).to.include(file).and.include('9999_from_a_newer_build');
    expect(filesOf(dir)).to.deep.equal(before);
  });
});
