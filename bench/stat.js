// Stat daemon ingest benchmark (issue 13): how many StatF.reportMicMsg calls, and how many entries in them, the stat
// daemon takes per second.
//
//   daemon   `tars stat start` (bin/run.js, the compiled CLI) as its own process on 127.0.0.1 free ports, a fresh
//            data directory, default flags (100,000 keys per minute)
//   clients  in this process: 4 communicators (4 connections), each keeping 4 reportMicMsg calls in flight, through
//            core's StatF.StatFProxy (two-way calls, so every report counted was acknowledged)
//
// Cases: 100 entries per call over a pool of 20,000 distinct keys (callee x function x caller IP: what a busy
// cluster's reporters send every 10 s), and 1 entry per call (the per-call cost). Per window: reports/s and
// entries/s acknowledged, the daemon's CPU per entry (/proc/PID/stat). After the runs the daemon's own count of
// entries is checked against what was sent (nothing lost or dropped). There is no official stat server here to
// compare with: "theirs" is null.
//
// Run: npx tsc -b tsconfig.build.json && node bench/run.js --filter stat [--quick] [--json]

import {spawn} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {summarize} from './harness.js';
import {killOnExit} from './rpc.js';

export const name = 'stat';
export const description = 'stat daemon ingest: reportMicMsg calls and entries per second from 4 connections ' +
  '(100-entry and 1-entry reports), daemon CPU per entry';

export const PROFILES = {
  full: {warmupMs: 1500, roundMs: 2000, rounds: 3},
  quick: {warmupMs: 300, roundMs: 400, rounds: 1},
};

const CONNECTIONS = 4;
const IN_FLIGHT = 4;
const KEY_POOL = 20_000;
const root = new URL('..', import.meta.url).pathname;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** utime + stime of a process, µs (Linux); null elsewhere. */
function cpuUs(pid) {
  const file = `/proc/${pid}/stat`;
  if (!existsSync(file)) return null;
  const fields = readFileSync(file, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
}

/** Starts the daemon; resolves with its process and endpoints once it prints READY. */
function startDaemon(data) {
  return new Promise((resolve, reject) => {
    const env = {...process.env};
    delete env.TARS_CONFIG;
    delete env.TARS_MONITOR;
    const child = spawn(process.execPath, [path.join(root, 'bin/run.js'), 'stat', 'start', '--port', '0',
      '--metrics-port', '0', '--data', data], {cwd: root, env, stdio: ['ignore', 'pipe', 'pipe']});
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`stat bench: the daemon did not start in 30 s: ${out} ${err}`));
    }, 30000);
    child.stderr.on('data', (c) => {
      err += c;
    });
    child.stdout.on('data', (c) => {
      out += c;
      const stat = /tars\.tarsstat\.StatObj\s+(tcp -h \S+ -p \d+)/.exec(out);
      const query = /tars\.tarsstat\.StatQueryObj\s+(tcp -h \S+ -p \d+)/.exec(out);
      if (/\bREADY\b/.test(out) && stat && query) {
        clearTimeout(timer);
        resolve({child, stat: `tars.tarsstat.StatObj@${stat[1]}`, query: `tars.tarsstat.StatQueryObj@${query[1]}`});
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`stat bench: the daemon exited (${code}) before READY: ${err}`));
    });
  });
}

/** Prebuilt report maps: `count` maps of `entries` entries each, walking through the key pool. */
function reports(StatF, entries, count) {
  const out = [];
  let k = 0;
  for (let m = 0; m < count; m++) {
    const map = new Map();
    for (let e = 0; e < entries; e++, k = (k + 1) % KEY_POOL) {
      map.set(StatF.StatMicMsgHead.create({masterName: `Bench.Caller${k % 50}`, slaveName: `Bench.Server${k % 40}`,
        interfaceName: `func${Math.floor(k / 2000)}`, masterIp: '', slaveIp: `10.1.${k % 200}.${k % 7}`,
        slavePort: 10000 + (k % 10)}),
      StatF.StatMicMsgBody.create({count: 10, timeoutCount: k % 3 === 0 ? 1 : 0, execCount: 0,
        intervalCount: new Map([[5, 6], [10, 3], [50, 1], [100, 0], [200, 0], [500, 0], [1000, 0], [2000, 0],
          [3000, 0]]), totalRspTime: 55n, maxRspTime: 30, minRspTime: 1}));
    }
    out.push(map);
  }
  return out;
}

/** Runs the closed loop for `ms`; returns acknowledged calls and entries, and the daemon's CPU, in that window. */
async function window(proxies, maps, pid, ms) {
  let stop = false;
  let calls = 0;
  let entries = 0;
  let errors = 0;
  const per = maps[0].size;
  const t0 = process.hrtime.bigint();
  const c0 = cpuUs(pid);
  const loops = proxies.flatMap((proxy, p) => Array.from({length: IN_FLIGHT}, async (_, i) => {
    let n = p * IN_FLIGHT + i;
    while (!stop) {
      try {
        await proxy.reportMicMsg(maps[n++ % maps.length], true);
        calls++;
        entries += per;
      } catch {
        errors++;
      }
    }
  }));
  await sleep(ms);
  stop = true;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const c1 = cpuUs(pid);
  await Promise.all(loops);
  return {rate: calls / seconds, entryRate: entries / seconds, sentCalls: calls, sentEntries: entries, errors,
    cpuUsPerEntry: c0 === null ? NaN : (c1 - c0) / entries};
}

export async function run(opts = {}) {
  const profile = opts.quick ? PROFILES.quick : PROFILES.full;
  const progress = opts.progress ?? (() => {});
  const {Communicator} = await import('@tars-ts/core');
  const {StatF, StatQuery} = await import('@tars-ts/core/framework');
  const data = mkdtempSync(path.join(os.tmpdir(), 'tars-bench-stat-'));
  let daemon;
  const release = killOnExit(() => daemon?.child.kill('SIGKILL'));
  const comms = Array.from({length: CONNECTIONS}, () => new Communicator());
  const cases = [
    {label: '100 entries per call', maps: reports(StatF, 100, 200)},
    {label: '1 entry per call', maps: reports(StatF, 1, 2000)},
  ];
  const results = {};
  let check;
  try {
    progress('stat: starting the daemon');
    daemon = await startDaemon(data);
    const proxies = comms.map((c) => c.stringToProxy(StatF.StatFProxy, daemon.stat, {timeout: 10000}));
    let sent = 0;
    for (const c of cases) {
      progress(`stat: warm-up, ${c.label}`);
      sent += (await window(proxies, c.maps, daemon.child.pid, profile.warmupMs)).sentEntries;
      results[c.label] = [];
    }
    for (let round = 0; round < profile.rounds; round++) {
      for (const c of round % 2 ? [...cases].reverse() : cases) {
        const w = await window(proxies, c.maps, daemon.child.pid, profile.roundMs);
        sent += w.sentEntries;
        results[c.label].push(w);
      }
      progress(`stat: round ${round + 1}/${profile.rounds}`);
    }
    const query = comms[0].stringToProxy(StatQuery.StatQueryProxy, daemon.query);
    const {stats} = await query.daemonStats();
    check = {sent, taken: Number(stats.entries), dropped: Number(stats.droppedKeys), rejected: Number(stats.rejected)};
  } finally {
    for (const c of comms) c.close();
    if (daemon) {
      daemon.child.kill('SIGTERM');
      await Promise.race([new Promise((r) => daemon.child.once('exit', r)), sleep(10000)]);
      daemon.child.kill('SIGKILL');
    }
    release();
    rmSync(data, {recursive: true, force: true});
  }
  if (check.taken !== check.sent) throw new Error(`stat bench: sent ${check.sent} entries, the daemon took ${check.taken}`);

  const row = (label, unit, values, kind) => ({case: label, unit, ours: summarize(values), theirs: null, ratio: NaN,
    pairedRatio: NaN, target: null, kind});
  const rows = [];
  for (const c of cases) {
    const ws = results[c.label];
    rows.push(row(`reports/s, ${c.label}`, 'reports/s', ws.map((w) => w.rate), 'throughput'));
    rows.push(row(`entries/s, ${c.label}`, 'entries/s', ws.map((w) => w.entryRate), 'throughput'));
    rows.push(row(`daemon CPU µs per entry, ${c.label}`, 'µs', ws.map((w) => w.cpuUsPerEntry), 'latency'));
  }
  const errors = Object.values(results).flat().reduce((n, w) => n + w.errors, 0);
  return {rows, notes: [
    `${CONNECTIONS} connections x ${IN_FLIGHT} calls in flight, two-way reportMicMsg; key pool ${KEY_POOL}; the ` +
      'clients run in the bench process, on the same cores as the daemon',
    `the daemon took ${check.taken} of ${check.sent} entries sent (dropped at the key cap ${check.dropped}, ` +
      `refused ${check.rejected}); ${errors} calls failed`,
  ]};
}
