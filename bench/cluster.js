// Cluster benchmark (issue 17): how long `tars cluster start --detach` takes until every servant of the registry,
// the node and the four base services answers tars_ping (the command returns then), on a fresh data directory and
// again after `tars cluster stop`; how long the stop takes; and the cluster's total resident memory once it runs.
//
// Each round: a fresh data directory and 17 consecutive free ports (--base-port), settings in a directory of its
// own; `bin/run.js cluster start --detach` timed from spawn to exit; RSS summed over the six processes (their pids
// from `tars cluster status --json`, VmRSS from /proc) 3 s after the start; `cluster stop` timed; the start timed
// again (the node starts its servers from the registry's rows); then stopped and removed. There is no official
// one-command cluster to compare with: "theirs" is null.
//
// Run: npx tsc -b tsconfig.build.json && node bench/run.js --filter cluster [--quick] [--json].

import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {freePortRange, summarize} from './harness.js';
import {killOnExit} from './rpc.js';

export const name = 'cluster';
export const description = 'cluster: tars cluster start until every servant answers, stop, and the total RSS';

const root = new URL('..', import.meta.url).pathname;
const bin = path.join(root, 'bin/run.js');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const PORTS = 17;

function rssKiB(pid) {
  try {
    return Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

export async function run({quick = false, log = () => {}} = {}) {
  const rounds = quick ? 1 : 5;
  const starts = [];
  const restarts = [];
  const stops = [];
  const rss = [];
  let pids = [];
  const killAll = () => {
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  };
  const release = killOnExit(killAll);
  try {
    for (let r = 0; r < rounds; r++) {
      const work = mkdtempSync(path.join(os.tmpdir(), 'tars-bench-cluster-'));
      const env = {...process.env, CI: 'true', TARS_CONFIG_DIR: path.join(work, 'config')};
      const data = path.join(work, 'cluster');
      const tars = (...args) => execFileSync(process.execPath, [bin, ...args, '--data', data], {env, encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000});
      try {
        const base = await freePortRange(PORTS, 20_000, 32_000);
        let t0 = performance.now();
        tars('cluster', 'start', '--detach', '--base-port', String(base));
        const start = performance.now() - t0;
        const status = JSON.parse(tars('cluster', 'status', '--json'));
        pids = status.services.map((s) => s.pid).filter(Boolean);
        await sleep(3000);
        const kib = pids.reduce((sum, pid) => sum + rssKiB(pid), 0);
        const each = status.services.map((s) => `${s.name} ${(rssKiB(s.pid) / 1024).toFixed(0)}`).join(', ');
        t0 = performance.now();
        tars('cluster', 'stop');
        const stop = performance.now() - t0;
        t0 = performance.now();
        tars('cluster', 'start', '--detach');
        const restart = performance.now() - t0;
        pids = JSON.parse(tars('cluster', 'status', '--json')).services.map((s) => s.pid).filter(Boolean);
        tars('cluster', 'stop');
        pids = [];
        log(`round ${r + 1}: start ${start.toFixed(0)} ms, stop ${stop.toFixed(0)} ms, start after stop ` +
          `${restart.toFixed(0)} ms, RSS ${(kib / 1024).toFixed(0)} MiB (${each})`);
        starts.push(start);
        stops.push(stop);
        restarts.push(restart);
        rss.push(kib / 1024);
      } finally {
        killAll();
        rmSync(work, {recursive: true, force: true});
      }
    }
  } finally {
    release();
  }
  const row = (label, values, unit) => ({case: label, unit, ours: summarize(values), theirs: null, ratio: NaN,
    pairedRatio: NaN, target: null, targetLabel: 'reported', ok: true});
  return {rows: [
    row('cluster start, fresh dir -> all answer (ms)', starts, 'ms'),
    row('cluster start after stop -> all answer (ms)', restarts, 'ms'),
    row('cluster stop, graceful (ms)', stops, 'ms'),
    row('cluster RSS, 6 processes (MiB)', rss, 'MiB'),
  ], notes: [`${rounds} rounds on the built CLI (bin/run.js); registry, node, log, config, stat, patch`],
  info: {rounds, starts, restarts, stops, rss}};
}
