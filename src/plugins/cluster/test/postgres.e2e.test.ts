// Issue 19: `tars cluster start --db postgres://...` against the run's throwaway PostgreSQL server
// (test/support/postgres.ts): every stateful service (the registry, and log, config, stat, patch as servers of the
// node) keeps its store in its own schema of that database and no SQLite file; the URL is saved in cluster.json
// (owner-only) and a later start without --db reuses it; reset drops the schemas; a bad URL is a usage error that
// writes nothing. Every process the cluster started is stopped by `cluster stop`, and killed by pid in `after` if it
// outlived it.
import {expect} from 'chai';
import {existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {execa} from 'execa';
import pg from 'pg';

import {tars, tarsJson} from '../../../../test/support/cli-daemon.js';
import {stablePortRange} from '../../../../test/support/ports.js';
import {freshDatabase} from '../../../../test/support/postgres.js';
import type {ClusterStatusJson} from '../src/cluster.js';

const root = new URL('../../../..', import.meta.url).pathname.replace(/\/$/, '');
const bin = path.join(root, 'bin/dev.js');
const STATEFUL = ['registry', 'log', 'config', 'stat', 'patch'];

/** Every file under `dir` whose name ends with `.db` (a SQLite store). */
function sqliteFiles(dir: string): string[] {
  return readdirSync(dir, {recursive: true, encoding: 'utf8'}).filter((f) => f.endsWith('.db'));
}

describe('tars cluster start --db postgres://... (real processes)', function () {
  this.timeout(300_000);
  let work: string;
  let dir: string;
  let url: string;
  let savedConfigDir: string | undefined;
  const pids = new Set<number>();

  async function start(args: string[], data = dir): Promise<ClusterStatusJson> {
    const argv = [bin, 'cluster', 'start', '--detach', '--data', data, '--json', ...args];
    const r = await execa(process.execPath, argv, {
      cwd: root, reject: false, timeout: 240_000, stdin: 'ignore',
      env: {TARS_CONFIG_DIR: process.env.TARS_CONFIG_DIR}});
    expect(r.exitCode, `cluster start: ${String(r.stderr)}${String(r.stdout)}`).to.equal(0);
    const json = JSON.parse(String(r.stdout)) as ClusterStatusJson;
    for (const s of json.services) if (s.pid !== undefined) pids.add(s.pid);
    return json;
  }

  /** The schemas of the test database that hold Kysely's migration bookkeeping, with the migrations applied. */
  async function migratedSchemas(): Promise<Record<string, number>> {
    const client = new pg.Client({connectionString: url});
    await client.connect();
    try {
      const {rows} = await client.query<{schema: string}>("select table_schema as schema from " +
        "information_schema.tables where table_name = 'kysely_migration' order by 1");
      const out: Record<string, number> = {};
      for (const {schema} of rows) {
        out[schema] = Number((await client.query(`select count(*) as n from ${schema}.kysely_migration`)).rows[0].n);
      }
      return out;
    } finally {
      await client.end();
    }
  }

  before(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'tars-cluster-pg-'));
    dir = path.join(work, 'cluster');
    savedConfigDir = process.env.TARS_CONFIG_DIR;
    process.env.TARS_CONFIG_DIR = path.join(work, 'cli-config');
    url = await freshDatabase('cluster');
  });

  after(async () => {
    for (const d of [dir, path.join(work, 'two')]) {
      if (existsSync(path.join(d, 'cluster.json'))) {
        await tars(['cluster', 'stop', '--data', d, '--timeout', '3000']).catch(() => undefined);
      }
    }
    for (const pid of pids) {
      let cmdline = '';
      try {
        cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        continue; // gone
      }
      // Only a process whose command line names this cluster (the pid may be another's by now).
      if (!cmdline.includes(work)) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    if (savedConfigDir === undefined) delete process.env.TARS_CONFIG_DIR;
    else process.env.TARS_CONFIG_DIR = savedConfigDir;
    rmSync(work, {recursive: true, force: true});
  });

  it('a --db that is not a PostgreSQL URL is a usage error, and nothing is written', async () => {
    const bad = path.join(work, 'bad');
    const out = await tars(['cluster', 'start', '--detach', '--data', bad, '--db', 'mysql://u:sekret@h/db']);
    expect(out.exit).to.equal(2);
    expect(out.stderr).to.include('scheme mysql').and.not.include('sekret');
    expect(existsSync(path.join(bad, 'cluster.json'))).to.equal(false);
  });

  it('every stateful service keeps its store in its schema of the database; a later start reuses the URL',
    async () => {
      const base = await stablePortRange(17);
      const first = await start(['--base-port', String(base), '--db', url]);
      expect(first.services.every((s) => s.state === 'running')).to.equal(true);

      const file = path.join(dir, 'cluster.json');
      expect(JSON.parse(readFileSync(file, 'utf8')).db).to.equal(url);
      expect(statSync(file).mode & 0o777).to.equal(0o600);
      const schemas = await migratedSchemas();
      expect(Object.keys(schemas)).to.deep.equal(STATEFUL.map((n) => `tars_${n}`).sort());
      for (const [schema, n] of Object.entries(schemas)) expect(n, schema).to.be.greaterThan(0);
      expect(sqliteFiles(dir)).to.deep.equal([]);

      // Each daemon's status names its store: the database without credentials, and its schema.
      const registry = await tarsJson<{store?: string}>(['registry', 'status', '--data', path.join(dir, 'registry')]);
      expect(registry.store).to.equal(`${url.replace('//tars@', '//')} (schema tars_registry)`);
      const config = await tarsJson<{store?: string}>(['config', 'status', '--data',
        path.join(dir, 'node', 'tars.tarsconfig', 'data')]);
      expect(config.store).to.equal(`${url.replace('//tars@', '//')} (schema tars_config)`);

      // A config file of the application tars (its servers are deployed) pushed through the cluster, kept across a
      // stop and a start without --db (cluster.json has it).
      const cfg = path.join(work, 'app.conf');
      writeFileSync(cfg, 'k=v\n');
      const pushed = await tars(['config', 'push', 'tars', cfg]);
      expect(pushed.exit, pushed.stderr).to.equal(0);
      const stopped = await tars(['cluster', 'stop', '--data', dir]);
      expect(stopped.exit, stopped.stderr).to.equal(0);
      await start([]);
      const got = await tars(['config', 'get', 'tars', 'app.conf']);
      expect(got.exit, got.stderr).to.equal(0);
      expect(got.stdout).to.include('k=v');
      expect(sqliteFiles(dir)).to.deep.equal([]);

      // reset: the directory goes, and so do the cluster's schemas in the database.
      const reset = await tars(['cluster', 'reset', '--yes', '--data', dir, '--json']);
      expect(reset.exit, reset.stderr).to.equal(0);
      const json = JSON.parse(reset.stdout) as {removed: boolean; databaseStores: {schema: string; result: string}[]};
      expect(json.removed).to.equal(true);
      expect(json.databaseStores.map((d) => [d.schema, d.result])).to.deep.equal(
        STATEFUL.map((n) => [`tars_${n}`, 'dropped']));
      expect(await migratedSchemas()).to.deep.equal({});
      expect(existsSync(dir)).to.equal(false);
    });

  it('--registries 2: both on the database and in the saved locator; with the first killed -9 the CLI goes on ' +
    'through the second, which soon lists only itself, and a start brings the first back', async () => {
    const two = path.join(work, 'two');
    const base = await stablePortRange(21);
    const first = await start(['--base-port', String(base), '--db', url, '--registries', '2'], two);
    const byName = new Map(first.services.map((s) => [s.name, s]));
    expect([...byName.keys()].slice(0, 3)).to.deep.equal(['registry', 'registry2', 'node']);
    expect(first.services.every((s) => s.state === 'running')).to.equal(true);
    const queryPorts = [base, base + 17];
    expect(first.locator).to.equal(`tars.tarsregistry.QueryObj@${queryPorts.map((p) =>
      `tcp -h 127.0.0.1 -p ${p} -t 60000`).join(':')}`);
    expect(JSON.parse(readFileSync(path.join(two, 'cluster.json'), 'utf8')).registries).to.equal(2);

    type Found = {endpoints: {endpoint: string; active: boolean}[]};
    const activeQueryPorts = async (): Promise<number[]> => {
      const found = await tarsJson<Found>(['registry', 'find', 'tars.tarsregistry.QueryObj', '--all']);
      return found.endpoints.filter((e) => e.active).map((e) => Number(/-p (\d+)/.exec(e.endpoint)![1])).sort();
    };
    /** The active QueryObj ports once they are `want`, polled every 250 ms for up to `ms`; else the last seen. */
    const settled = async (want: number[], ms: number): Promise<number[]> => {
      let ports = await activeQueryPorts();
      for (const end = Date.now() + ms; Date.now() < end && JSON.stringify(ports) !== JSON.stringify(want);) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        ports = await activeQueryPorts();
      }
      return ports;
    };
    // Each registry lists its own servants once it runs; the other reads them at its next sync (1 s).
    expect(await settled(queryPorts, 3000)).to.deep.equal(queryPorts);

    // The first registry dies hard: every command still works through the second, at once.
    process.kill(byName.get('registry')!.pid!, 'SIGKILL');
    const killedAt = Date.now();
    const listed = await tars(['server', 'list', '--json']);
    expect(listed.exit, listed.stderr + listed.stdout).to.equal(0);
    expect(listed.stdout).to.include('tarsconfig');
    // Within its registry timeout (10 s) and a sync interval, the second stops listing the first.
    expect(await settled([base + 17], 20_000), 'only the live registry').to.deep.equal([base + 17]);
    console.log(`      cluster: registry 1 killed; the second listed only itself ${Date.now() - killedAt} ms later`);

    const again = await start([], two);
    expect(new Map(again.services.map((s) => [s.name, s.state])).get('registry')).to.equal('running');
    expect(await settled(queryPorts, 3000)).to.deep.equal(queryPorts);
    // Changing the count while it runs would leave the node with the old list: refused.
    const moved = await tars(['cluster', 'start', '--detach', '--data', two, '--registries', '3']);
    expect(moved.exit).to.equal(1);
    expect(moved.stderr).to.include('with 2 registries').and.include('while it runs');

    const reset = await tars(['cluster', 'stop', '--data', two]);
    expect(reset.exit, reset.stderr).to.equal(0);
    expect((await tars(['cluster', 'start', '--detach', '--data', path.join(work, 'sqlite'), '--registries', '2']))
      .stderr).to.include('needs a database the registries share');
  });
});
