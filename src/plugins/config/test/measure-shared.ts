// A measurement, not a test: what the change-stamp read costs a ConfigObj call. loadConfig round trips over loopback,
// one at a time and 16 at once, against an in-process config center on SQLite (its snapshot always current, no read)
// and on PostgreSQL shared by a second one (each call reads the stamp first); and how long after a push through one
// the other serves it. Needs PostgreSQL's binaries (test/support/postgres.ts starts a throwaway server).
// Run from the repository root:
//   node --import tsx --conditions=tars-dev src/plugins/config/test/measure-shared.ts
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {performance} from 'node:perf_hooks';

import {Communicator, Logger, stderrSink} from '@tars-ts/core';
import {ConfigCtl, ConfigF} from '@tars-ts/core/framework';
import {type RunningDaemon, startDaemon} from '@tars-ts/kit';

import {freshDatabase} from '../../../../test/support/postgres.js';
import {CONFIG_CTL_OBJ, CONFIG_OBJ, configDaemon} from '../src/index.js';

const CALLS = 2000;
const dir = mkdtempSync(path.join(os.tmpdir(), 'tars-config-measure-'));
const comm = new Communicator();
const daemons: RunningDaemon[] = [];
const quiet = new Logger('NONE', stderrSink);

async function start(name: string, db?: string) {
  const d = await startDaemon(configDaemon, {port: 0, data: path.join(dir, name), db, logger: quiet,
    settings: {'rate-limit': 0}});
  daemons.push(d);
  const at = (obj: string) => `${obj}@${d.info.endpoints.find((e) => e.obj === obj)!.endpoint}`;
  return {ctl: comm.stringToProxy(ConfigCtl.ConfigCtlProxy, at(CONFIG_CTL_OBJ), {timeout: 10_000}),
    obj: comm.stringToProxy(ConfigF.ConfigProxy, at(CONFIG_OBJ), {timeout: 10_000})};
}

const pct = (xs: number[], p: number) => xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const key = ConfigCtl.ConfigFileKey.create({app: 'M', server: 'S', name: 'm.conf'});

async function latency(label: string, obj: ConfigF.ConfigProxy): Promise<void> {
  for (let i = 0; i < 200; i++) await obj.loadConfig('M', 'S', 'm.conf'); // warm up
  const one: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const t = performance.now();
    await obj.loadConfig('M', 'S', 'm.conf');
    one.push(performance.now() - t);
  }
  const t = performance.now();
  await Promise.all(Array.from({length: 16}, async () => {
    for (let i = 0; i < CALLS / 16; i++) await obj.loadConfig('M', 'S', 'm.conf');
  }));
  const rate = CALLS / ((performance.now() - t) / 1000);
  console.log(`${label}: loadConfig one at a time p50 ${pct(one, 0.5).toFixed(2)} ms, p99 ${pct(one, 0.99).toFixed(2)} ms;` +
    ` 16 at once ${rate.toFixed(0)} calls/s`);
}

try {
  const local = await start('sqlite');
  await local.ctl.push(key, `x=1\n${'y=2\n'.repeat(500)}`, 'm', '');
  await latency('SQLite, one instance (no stamp read)', local.obj);

  const url = await freshDatabase('cfgmeasure');
  const a = await start('a', url);
  const b = await start('b', url);
  await a.ctl.push(key, `x=1\n${'y=2\n'.repeat(500)}`, 'm', '');
  await latency('PostgreSQL, shared by two (stamp read per call)', b.obj);

  let stale = 0;
  const after: number[] = [];
  for (let i = 0; i < 200; i++) {
    await a.ctl.push(key, `round=${i}\n`, 'm', '');
    const t = performance.now();
    const {config} = await b.obj.loadConfig('M', 'S', 'm.conf');
    after.push(performance.now() - t);
    if (config !== `round=${i}\n`) stale++;
  }
  console.log(`push through A, then loadConfig through B: stale ${stale} of 200; that call (with its reload) ` +
    `p50 ${pct(after, 0.5).toFixed(2)} ms, max ${pct(after, 1).toFixed(2)} ms`);
} finally {
  comm.close();
  for (const d of daemons) await d.stop();
  rmSync(dir, {recursive: true, force: true});
  process.exit(0);
}
