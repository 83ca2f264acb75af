#!/usr/bin/env node
// Benchmark runner: node bench/run.js [--filter <name>] [--json] [--quick]
//
// Runs on the compiled core (core/dist): build first (`npm run bench` does). Each benchmark is an ES module in bench/
// exporting `name`, `description` and `async run({quick, log, progress})`, which returns
//   {rows: [{case, ours: {median, min, max, madPct, rounds}, theirs: {...} | null, ratio, pairedRatio, target}],
//    notes?: string[], info?: object}
// with rates in operations per second; "theirs" is the official implementation the row is compared with (null when
// there is none). A row whose goal is not a ratio gives `targetLabel` (shown as its target) and `ok` (its status)
// instead of `target`. To add a
// benchmark (an RPC echo, say), write bench/<name>.js with that interface and list it in BENCHMARKS.

import os from 'node:os';
import {parseArgs} from 'node:util';
import {sinkValue} from './harness.js';

const BENCHMARKS = [
  {name: 'codec', load: () => import('./codec.js')},
  {name: 'rpc', load: () => import('./rpc.js')},
  {name: 'registry', load: () => import('./registry.js')},
  {name: 'node', load: () => import('./node.js')},
  {name: 'stat', load: () => import('./stat.js')},
  {name: 'log', load: () => import('./log.js')},
  {name: 'cluster', load: () => import('./cluster.js')},
  {name: 'trace', load: () => import('./trace.js')},
];

const USAGE = `usage: node bench/run.js [--filter <name>] [--json] [--quick]
  --filter <name>  run only the benchmarks whose name contains <name> (repeatable, or comma-separated)
  --json           print one JSON document on stdout instead of a table (progress goes to stderr)
  --quick          short runs: a smoke test of a few seconds
benchmarks: ${BENCHMARKS.map((b) => b.name).join(', ')}`;

function parse() {
  try {
    const {values} = parseArgs({
      options: {
        filter: {type: 'string', multiple: true},
        json: {type: 'boolean', default: false},
        quick: {type: 'boolean', default: false},
        help: {type: 'boolean', short: 'h', default: false},
      },
      strict: true,
      allowPositionals: false,
    });
    return values;
  } catch (error) {
    process.stderr.write(`${error.message}\n${USAGE}\n`);
    process.exit(2);
  }
}

function fmtRate(x) {
  if (!Number.isFinite(x)) return '-';
  return Math.round(x).toLocaleString('en-US');
}

function fmtRatio(x) {
  return Number.isFinite(x) ? `${x.toFixed(2)}x` : '-';
}

function table(results) {
  const head = ['benchmark', 'case', 'ours ops/s', '±', 'theirs ops/s', '±', 'ours/theirs', 'target', ''];
  const lines = [head];
  for (const b of results) {
    for (const row of b.rows) {
      const status = typeof row.ok === 'boolean' ? (row.ok ? 'ok' : 'BELOW')
        : row.target == null || !Number.isFinite(row.ratio) ? '' : row.ratio >= row.target ? 'ok' : 'BELOW';
      lines.push([
        b.name,
        row.case,
        fmtRate(row.ours.median),
        `${row.ours.madPct.toFixed(1)}%`,
        row.theirs ? fmtRate(row.theirs.median) : '-',
        row.theirs ? `${row.theirs.madPct.toFixed(1)}%` : '',
        fmtRatio(row.ratio),
        row.targetLabel ?? (row.target == null ? '-' : fmtRatio(row.target)),
        status,
      ]);
    }
  }
  const widths = head.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  const numeric = new Set([2, 3, 4, 5, 6, 7]);
  const fmt = (l) => l.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ')
    .trimEnd();
  return [fmt(lines[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.slice(1).map(fmt)].join('\n');
}

async function main() {
  const args = parse();
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const filters = (args.filter ?? []).flatMap((f) => f.split(',')).map((f) => f.trim()).filter(Boolean);
  const selected = filters.length ? BENCHMARKS.filter((b) => filters.some((f) => b.name.includes(f))) : BENCHMARKS;
  if (selected.length === 0) {
    process.stderr.write(`no benchmark matches ${filters.join(', ')}\n${USAGE}\n`);
    process.exit(2);
  }
  const log = (line) => process.stderr.write(`${line}\n`);
  const progress = args.json || !process.stderr.isTTY ? () => {} : log;

  const results = [];
  const started = process.hrtime.bigint();
  for (const b of selected) {
    const mod = await b.load();
    log(`running ${mod.name}${args.quick ? ' (quick)' : ''}: ${mod.description}`);
    const t0 = process.hrtime.bigint();
    const {rows, info, notes} = await mod.run({quick: args.quick, log, progress});
    results.push({name: mod.name, description: mod.description, seconds: Number(process.hrtime.bigint() - t0) / 1e9,
      rows, notes, info});
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;

  if (args.json) {
    const doc = {
      date: new Date().toISOString(),
      node: process.version,
      v8: process.versions.v8,
      platform: `${os.platform()} ${os.arch()}`,
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cpus: os.cpus().length,
      quick: args.quick,
      seconds,
      benchmarks: results,
      sink: sinkValue(),
    };
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${table(results)}\n`);
  const notes = results.flatMap((b) => (b.notes ?? []).map((n) => `${b.name}: ${n}`));
  notes.push(`${process.version}, ${os.cpus()[0]?.model ?? 'unknown cpu'} x${os.cpus().length}, ` +
    `${seconds.toFixed(1)} s; ± is the median absolute deviation of the rounds`);
  process.stdout.write(`${notes.join('\n')}\n`);
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error?.stack ?? error}\n`);
  process.exit(1);
});
