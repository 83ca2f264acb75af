// A whole cluster for a test file: `tars cluster start --detach` on stable ports in a temporary directory, with the
// CLI's settings there too (the saved locator points at it), and its end: `cluster stop`, then SIGKILL by pid for
// whatever a failed stop left, the settings directory given back, the directory removed.
import {execFile} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {stablePortRange} from './ports.js';

const ROOT = new URL('../..', import.meta.url).pathname;

/** `node bin/dev.js ...args` to its end: the CLI as a user runs it (the cluster starts daemons from its entry). */
export function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{code: number; out: string}> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(ROOT, 'bin/dev.js'), ...args], {env, timeout: 120_000},
      (error, stdout, stderr) => resolve({code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
        out: `${stdout}${stderr}`}));
  });
}

/** A running test cluster. */
export interface TestCluster {
  /** The temporary directory holding everything of the test (the cluster in `data`, the CLI settings). */
  readonly work: string;
  readonly data: string;
  /** The environment the CLI runs with (`CI`, the settings directory). */
  readonly env: NodeJS.ProcessEnv;
  /** The registry's QueryObj, as `cluster start` saved it. */
  readonly locator: string;
  /** What `cluster start` printed. */
  readonly out: string;
  /** TARS_CONFIG_DIR before the cluster set it. */
  readonly savedConfigDir: string | undefined;
}

/**
 * Starts a cluster in a new directory named after `prefix` on 17 stable consecutive ports; sets TARS_CONFIG_DIR to
 * its own settings (so in-process `tars` runs use its locator). Rejects with the start's output when it fails.
 */
export async function startTestCluster(prefix: string): Promise<TestCluster> {
  const work = mkdtempSync(path.join(os.tmpdir(), prefix));
  const data = path.join(work, 'cluster');
  const savedConfigDir = process.env.TARS_CONFIG_DIR;
  process.env.TARS_CONFIG_DIR = path.join(work, 'config');
  const env = {...process.env, CI: 'true'};
  const started = await cli(['cluster', 'start', '--detach', '--base-port', String(await stablePortRange(17)),
    '--data', data], env);
  const locator = /saved locator (tars\.tarsregistry\.QueryObj@tcp -h \S+ -p \d+[^)]*)\)/.exec(started.out)?.[1];
  if (started.code !== 0 || !locator) {
    await stopTestCluster({work, data, env, locator: '', out: started.out, savedConfigDir});
    throw new Error(`tars cluster start failed (exit ${started.code}):\n${started.out}`);
  }
  return {work, data, env, locator, out: started.out, savedConfigDir};
}

/** Stops `cluster` (kills by pid what a failed stop left), gives TARS_CONFIG_DIR back and removes the directory. */
export async function stopTestCluster(cluster: TestCluster | undefined): Promise<void> {
  if (!cluster) return;
  const {data, env} = cluster;
  const stopped = await cli(['cluster', 'stop', '--data', data], env);
  if (stopped.code !== 0) {
    const status = await cli(['cluster', 'status', '--data', data, '--json'], env);
    try {
      for (const s of (JSON.parse(status.out) as {services: {pid?: number}[]}).services) {
        if (s.pid) process.kill(s.pid, 'SIGKILL');
      }
    } catch {
      // nothing parseable: nothing of ours answered
    }
  }
  if (cluster.savedConfigDir === undefined) delete process.env.TARS_CONFIG_DIR;
  else process.env.TARS_CONFIG_DIR = cluster.savedConfigDir;
  rmSync(cluster.work, {recursive: true, force: true});
}
