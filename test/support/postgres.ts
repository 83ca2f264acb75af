// A throwaway PostgreSQL server for the tests: started once per mocha run (on first use), in a temp directory, on
// its own free port on 127.0.0.1 (its unix socket in the temp directory too), fsync off (test-only: nothing here
// must survive an OS crash), stopped and removed at the end of the run (by its pid file's pid, through pg_ctl).
// initdb and pg_ctl refuse to run as root: as root they run as the `postgres` user (runuser); else as this user.
// Each test file takes a fresh database ({@link freshDatabase}).
import {execFileSync, spawnSync} from 'node:child_process';
import {chownSync, existsSync, mkdtempSync, readdirSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import pg from 'pg';

import {freePort} from './ports.js';

/** The running test server. */
export interface PostgresServer {
  /** `postgres://tars@127.0.0.1:PORT` (no database): append `/NAME`. */
  readonly base: string;
  readonly port: number;
  readonly dir: string;
}

/** Where Debian puts PostgreSQL's server binaries: /usr/lib/postgresql/<major>/bin, the newest major. */
export function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root).filter((v) => /^\d+$/.test(v) && existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors.length > 0 ? path.join(root, majors[0]!, 'bin') : undefined;
}

const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL binary, as `postgres` when we are root; throws with its output when it fails. */
function pgRun(bin: string, args: string[], timeout = 60_000): string {
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  const r = spawnSync(cmd, argv, {encoding: 'utf8', timeout});
  if (r.status !== 0) {
    throw new Error(`${path.basename(bin)} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`}):\n` +
      `${r.stdout}${r.stderr}`);
  }
  return r.stdout;
}

let started: Promise<PostgresServer> | undefined;
let running: {bin: string; dir: string} | undefined;

/**
 * The run's PostgreSQL server, started on the first call. Fails with a clear message when PostgreSQL's binaries
 * are not installed (`.ci/run` installs Debian's `postgresql` when they are missing).
 */
export function postgresServer(): Promise<PostgresServer> {
  started ??= start();
  return started;
}

async function start(): Promise<PostgresServer> {
  const bin = postgresBin();
  if (!bin) {
    throw new Error('PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb), so the PostgreSQL half of ' +
      'the store tests cannot run: apt-get install -y --no-install-recommends postgresql (.ci/run does it)');
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tars-pg-'));
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], {encoding: 'utf8'}).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], {encoding: 'utf8'}).trim());
    chownSync(dir, uid, gid);
  }
  const data = path.join(dir, 'data');
  pgRun(path.join(bin, 'initdb'), ['-D', data, '--auth=trust', '-U', 'tars', '-E', 'UTF8', '--no-locale',
    '--no-sync']);
  const port = await freePort();
  running = {bin, dir};
  pgRun(path.join(bin, 'pg_ctl'), ['-D', data, '-l', path.join(dir, 'log'), '-w', '-t', '30', 'start', '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off ` +
    '-c full_page_writes=off -c max_connections=200']);
  return {base: `postgres://tars@127.0.0.1:${port}`, port, dir};
}

/** Stops the server (fast shutdown, by the pid in its pid file) and removes its directory. */
function stop(): void {
  if (!running) return;
  const {bin, dir} = running;
  running = undefined;
  try {
    pgRun(path.join(bin, 'pg_ctl'), ['-D', path.join(dir, 'data'), '-m', 'fast', '-w', '-t', '20', 'stop'], 30_000);
  } catch {
    // Not running any more; still remove its files.
  }
  rmSync(dir, {recursive: true, force: true});
}

// The end of the run: mocha's root `after` (this module is loaded while test files load), and process exit as a
// fallback (an interrupted run).
if (typeof after === 'function') after(stop);
process.once('exit', stop);

let databases = 0;

/**
 * A new, empty database on the run's server; returns its URL (`postgres://tars@127.0.0.1:PORT/NAME`). `label`
 * goes into the name (lower-case letters, digits, `_`), for finding it in the server's log.
 */
export async function freshDatabase(label = 'test'): Promise<string> {
  const server = await postgresServer();
  const name = `tars_${label.replace(/[^a-z0-9_]/g, '_')}_${process.pid}_${++databases}`;
  const client = new pg.Client({connectionString: `${server.base}/postgres`});
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  return `${server.base}/${name}`;
}

let schemas = 0;

/** A schema name no other store of this run uses: give each test its own store in one database. */
export function freshSchema(label = 's'): string {
  return `${label.replace(/[^a-z0-9_]/g, '_')}_${++schemas}`;
}
