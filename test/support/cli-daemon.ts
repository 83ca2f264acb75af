// Daemons as the user starts them (`tars <daemon> start ...` in a child process, through bin/dev.js), for the
// end-to-end tests of the daemon plugins.
import {type ChildProcess, spawn} from 'node:child_process';
import path from 'node:path';

const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
const bin = path.join(root, 'bin/dev.js');

/** `tars ...args` in a child process; resolves with it and its output once it prints READY (at most 60 s). */
export function startCliDaemon(args: string[]): Promise<{child: ChildProcess; out: string}> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {cwd: root, stdio: ['ignore', 'pipe', 'pipe']});
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no READY from tars ${args.join(' ')} in 60 s: ${out}`));
    }, 60_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (/\bREADY\b/.test(out)) {
        clearTimeout(timer);
        resolve({child, out});
      }
    });
    child.stderr!.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tars ${args.join(' ')} exited ${code} before READY: ${out}`));
    });
  });
}

/** Resolves once `child` has exited. */
export function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Empties `children`, killing (SIGKILL) each that still runs and waiting until each has exited. */
export async function killChildren(children: ChildProcess[]): Promise<void> {
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await exited(c);
  }
}

/** The QueryObj locator a `tars registry start` printed. */
export function registryLocatorOf(out: string): string {
  return objectOf(out, 'tars.tarsregistry.QueryObj');
}

/** What a `tars` command printed, and its exit code. */
export interface TarsOutput {
  stdout: string;
  stderr: string;
  exit: number;
}

/** Runs `tars ...args` in this process, as a user would type it (oclif's run, output captured). */
export async function tars(args: string[]): Promise<TarsOutput> {
  const [{run}, {captureOutput}] = await Promise.all([import('@oclif/core'), import('@oclif/test')]);
  const {stdout, stderr, error} = await captureOutput(() => run(args, root));
  return {stdout, stderr, exit: error ? (error as {oclif?: {exit?: number}}).oclif?.exit ?? 1 : 0};
}

/** `tars ...args --json`, which must exit 0 (else an assertion names the command and its output); its JSON. */
export async function tarsJson<T>(args: string[]): Promise<T> {
  const {expect} = await import('chai');
  const out = await tars([...args, '--json']);
  expect(out.exit, `tars ${args.join(' ')}: ${out.stderr}${out.stdout}`).to.equal(0);
  return JSON.parse(out.stdout) as T;
}

/** The endpoint of a servant a daemon's start printed (`  tars.tarsstat.StatObj  tcp -h ... -p ...`). */
export function endpointOf(out: string, obj: string): string {
  const m = new RegExp(`${obj.replaceAll('.', '\\.')}\\s+(tcp -h \\S+ -p \\d+[^\\n]*)`).exec(out);
  if (!m) throw new Error(`no ${obj} endpoint in: ${out}`);
  return m[1]!.trim();
}

/** `obj@endpoint` of a servant a daemon's start printed. */
export function objectOf(out: string, obj: string): string {
  return `${obj}@${endpointOf(out, obj)}`;
}

/** SIGKILL to each of `pids` that still runs: a test's last cleanup, by pid (never by name). */
export function killPids(pids: Iterable<number>): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
