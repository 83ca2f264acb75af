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

/** The QueryObj locator a `tars registry start` printed. */
export function registryLocatorOf(out: string): string {
  const m = /tars\.tarsregistry\.QueryObj\s+(tcp -h \S+ -p \d+[^\n]*)/.exec(out);
  if (!m) throw new Error(`no QueryObj endpoint in: ${out}`);
  return `tars.tarsregistry.QueryObj@${m[1]!.trim()}`;
}
