// Log daemon load benchmark (issue 15): one client sends 10,000 lines/s for 30 s (3 s with --quick) to LogObj, as
// a busy service's remote logger would (loggerbyInfo, one call every 100 ms carrying 1,000 lines of ~120 bytes),
// then the same client sends as fast as it can for a few seconds. Checked: every line sent and acknowledged is in the
// files (counted by reading them back: nothing lost), the daemon's resident memory stays bounded (sampled from
// /proc/PID/status every 250 ms), and the paced rate is held. There is no official log server here to compare
// with: "theirs" is null.
//
//   daemon   `tars log start` (bin/run.js, the compiled CLI) as its own process on 127.0.0.1 free ports
//   client   in this process, core's LogF.LogProxy (two-way calls: a line counted was acknowledged)
//
// Run: npx tsc -b tsconfig.build.json && node bench/run.js --filter log [--quick] [--json]

import {spawn} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {summarize} from './harness.js';
import {killOnExit} from './rpc.js';

export const name = 'log';
export const description = 'log daemon: 10,000 lines/s for 30 s from one client (loggerbyInfo), then unpaced; ' +
  'lines lost (counted in the files), daemon RSS';

export const PROFILES = {
  full: {pacedMs: 30_000, burstMs: 5_000},
  quick: {pacedMs: 3_000, burstMs: 1_000},
};

const RATE = 10_000;
const TICK_MS = 100;
const PER_CALL = (RATE * TICK_MS) / 1000;
const RSS_LIMIT_MIB = 256;
const root = new URL('..', import.meta.url).pathname;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** VmRSS of a process in MiB (Linux); NaN elsewhere. */
function rssMiB(pid) {
  const file = `/proc/${pid}/status`;
  if (!existsSync(file)) return NaN;
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(file, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function startDaemon(data) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'bin/run.js'), 'log', 'start', '--port', '0', '--data',
      data], {cwd: root, stdio: ['ignore', 'pipe', 'pipe']});
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`log bench: the daemon did not start in 30 s: ${out} ${err}`));
    }, 30_000);
    child.stderr.on('data', (c) => {
      err += c;
    });
    child.stdout.on('data', (c) => {
      out += c;
      const log = /tars\.tarslog\.LogObj\s+(tcp -h \S+ -p \d+)/.exec(out);
      if (/\bREADY\b/.test(out) && log) {
        clearTimeout(timer);
        resolve({child, log: `tars.tarslog.LogObj@${log[1]}`});
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`log bench: the daemon exited (${code}) before READY: ${err}`));
    });
  });
}

/** Lines in every file under `dir`. */
function countLines(dir) {
  let n = 0;
  for (const d of readdirSync(dir, {withFileTypes: true})) {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) n += countLines(p);
    else if (d.isFile() && statSync(p).size > 0) {
      const buf = readFileSync(p);
      for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) n++;
    }
  }
  return n;
}

const line = (i) => `2026-01-21 10:00:00|12345|INFO|bench.js:42|request ${i} served in 3 ms, user=u${i % 977} ` +
  `path=/api/v1/items/${i % 5003}\n`;

export async function run(opts = {}) {
  const profile = opts.quick ? PROFILES.quick : PROFILES.full;
  const progress = opts.progress ?? (() => {});
  const {Communicator} = await import('@tars-ts/core');
  const {LogF} = await import('@tars-ts/core/framework');
  const data = mkdtempSync(path.join(os.tmpdir(), 'tars-bench-log-'));
  let daemon;
  const release = killOnExit(() => daemon?.child.kill('SIGKILL'));
  const comm = new Communicator();
  const info = LogF.LogInfo.create({appname: 'Bench', servername: 'LogServer', sFilename: 'access',
    sFormat: '%Y%m%d', sLogType: '1day'});
  const rss = [];
  let sent = 0;
  let acked = 0;
  let failed = 0;
  let paced;
  let burst;
  let inFile;
  try {
    progress('log: starting the daemon');
    daemon = await startDaemon(data);
    const proxy = comm.stringToProxy(LogF.LogProxy, daemon.log, {timeout: 10_000});
    const sampler = setInterval(() => rss.push(rssMiB(daemon.child.pid)), 250);
    const send = async (count) => {
      const lines = Array.from({length: count}, (_, j) => line(sent + j));
      sent += count;
      try {
        await proxy.loggerbyInfo(info, lines);
        acked += count;
      } catch {
        failed += count;
      }
    };
    // Paced: one call every 100 ms, not waiting for the previous answer (as a timer-driven remote logger does).
    progress(`log: ${RATE} lines/s for ${profile.pacedMs / 1000} s`);
    const t0 = performance.now();
    const calls = [];
    for (let tick = 0; tick < profile.pacedMs / TICK_MS; tick++) {
      const due = t0 + tick * TICK_MS;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      calls.push(send(PER_CALL));
    }
    await Promise.all(calls);
    const pacedSeconds = Math.max((performance.now() - t0) / 1000, profile.pacedMs / 1000);
    paced = {rate: acked / pacedSeconds, seconds: pacedSeconds, lines: acked};
    // Unpaced: 4 calls of 1,000 lines in flight for burstMs.
    progress(`log: unpaced for ${profile.burstMs / 1000} s`);
    const before = acked;
    const t1 = performance.now();
    let stop = false;
    const loops = Array.from({length: 4}, async () => {
      while (!stop) await send(PER_CALL);
    });
    await sleep(profile.burstMs);
    stop = true;
    await Promise.all(loops);
    burst = {rate: (acked - before) / ((performance.now() - t1) / 1000)};
    clearInterval(sampler);
    rss.push(rssMiB(daemon.child.pid));
    // Counted while the daemon still runs: what an acknowledged call promised is already in the files.
    inFile = countLines(path.join(data, 'remote_app_log'));
  } finally {
    comm.close();
    if (daemon) {
      daemon.child.kill('SIGTERM');
      await Promise.race([new Promise((r) => daemon.child.once('exit', r)), sleep(10_000)]);
      daemon.child.kill('SIGKILL');
    }
    release();
    rmSync(data, {recursive: true, force: true});
  }
  const peak = Math.max(...rss.filter((x) => !Number.isNaN(x)));
  const lost = acked - inFile;
  if (lost > 0) throw new Error(`log bench: ${acked} lines acknowledged, ${inFile} in the files`);
  const row = (label, unit, value, targetLabel, ok, kind) => ({case: label, unit, ours: summarize([value]),
    theirs: null, ratio: NaN, pairedRatio: NaN, target: null, targetLabel, ok, kind});
  return {rows: [
    row(`lines/s held, paced ${RATE}/s for ${paced.seconds.toFixed(1)} s`, 'lines/s', paced.rate, `>= ${RATE * 0.98}`,
      paced.rate >= RATE * 0.98, 'throughput'),
    row('lines/s unpaced (4 calls of 1,000 lines in flight)', 'lines/s', burst.rate, 'report', true, 'throughput'),
    row('lines lost (acknowledged minus counted in the files)', 'lines', lost, '0', lost === 0, 'latency'),
    row('daemon peak RSS', 'MiB', peak, `<= ${RSS_LIMIT_MIB}`, peak <= RSS_LIMIT_MIB, 'latency'),
  ], notes: [
    `sent ${sent} lines, ${acked} acknowledged, ${failed} in failed calls, ${inFile} in the files`,
    `RSS samples every 250 ms: first ${rss[0]?.toFixed(1)} MiB, peak ${peak.toFixed(1)} MiB, last ` +
      `${rss.at(-1)?.toFixed(1)} MiB`,
    'the client runs in the bench process, on the same cores as the daemon',
  ], info: {sent, acked, failed, inFile, pacedRate: paced.rate, burstRate: burst.rate, peakRssMiB: peak}};
}
