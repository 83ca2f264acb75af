// What the log plugin's tests share: the CLI in a child process, and the daemon started as `tars log start`.
import {type ChildProcess, spawn} from 'node:child_process';
import path from 'node:path';

export const root = new URL('../../../..', import.meta.url).pathname;
export const bin = path.join(root, 'bin/dev.js');

/** Waits at least `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export interface StartedLog {
  child: ChildProcess;
  /** Each servant's endpoint by object name. */
  endpoints: Record<string, string>;
}

/** `tars log start --port 0` in a child process; resolves once it prints READY. */
export function startLogProcess(data: string, extra: string[] = []): Promise<StartedLog> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'log', 'start', '--port', '0', '--data', data, ...extra],
      {cwd: root, stdio: ['ignore', 'pipe', 'pipe']});
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no READY in 30 s: ${out} ${err}`));
    }, 30_000);
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (!/\bREADY\b/.test(out)) return;
      clearTimeout(timer);
      const endpoints: Record<string, string> = {};
      for (const m of out.matchAll(/(tars\.\S+Obj)\s+(tcp -h \S+ -p \d+[^\n]*)/g)) endpoints[m[1]!] = m[2]!.trim();
      resolve({child, endpoints});
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`log exited ${code} before READY: ${out} ${err}`));
    });
  });
}

/** Ends a child by its pid (SIGKILL after 10 s) and waits for its exit. */
export async function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}
