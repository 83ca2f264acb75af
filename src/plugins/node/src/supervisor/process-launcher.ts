// Starting, probing and signalling OS processes: the one place the supervisor touches them, so the supervisor's
// logic is tested with a fake launcher and this file with real processes.
import fs from 'node:fs';

import {ADMIN_TOKEN_ENV} from '@tars-ts/kit';

/** What to run: argv, working directory, environment additions and where its output goes. */
export interface LaunchSpec {
  /** argv[0]: the program (looked up in PATH when it has no slash). */
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** Added to the node's own environment (of which the admin token, TARS_ADMIN_TOKEN, is never passed on). */
  readonly env: Readonly<Record<string, string>>;
  /** A descriptor (O_APPEND file) for stdout and stderr; the launcher does not close it. */
  readonly outputFd?: number;
}

/** A process the launcher started: its pid and its start time, which together name it for its whole life. */
export interface LaunchedProcess {
  readonly pid: number;
  /** See {@link ProcessLauncher.startTimeOf}; undefined where the OS does not say. */
  readonly startTime?: number;
}

/** Starts processes and tells whether a pid is still the same process. */
export interface ProcessLauncher {
  /**
   * Starts `spec` detached from the node (its own process group, not killed when the node exits, not keeping the
   * node's event loop alive). Resolves once the OS gave it a pid; rejects when it could not be spawned at all.
   */
  launch(spec: LaunchSpec): Promise<LaunchedProcess>;
  /**
   * Whether `pid` runs and, when `startTime` is given, is the process that had that start time (a pid reused by
   * another process after a reboot or a wrap-around is not alive for us). A zombie is not alive.
   */
  isAlive(pid: number, startTime?: number): boolean;
  /** The start time of `pid` (clock ticks since boot, /proc/<pid>/stat field 22), or undefined. */
  startTimeOf(pid: number): number | undefined;
  /** Sends `signal`; a pid already gone is not an error. */
  kill(pid: number, signal: NodeJS.Signals): void;
}

/** Fields of /proc/<pid>/stat after the command name, which may itself hold spaces and parentheses. */
function procStat(pid: number): string[] | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  const close = text.lastIndexOf(')');
  return close < 0 ? undefined : text.slice(close + 2).trim().split(' ');
}

/** The start time of `pid` from /proc (Linux), or undefined. Field 22 of stat is the 20th after the name. */
export function procStartTime(pid: number): number | undefined {
  const v = procStat(pid)?.[19];
  return v === undefined ? undefined : Number(v);
}

let bootTimeMs: number | undefined;

/**
 * When a process with start time `ticks` (/proc/<pid>/stat field 22) started, in ms since the epoch: the boot time
 * (/proc/stat `btime`) plus the ticks at USER_HZ, which is 100 on every Linux the kernel ABI allows. Undefined
 * where /proc does not say.
 */
export function procStartedAtMs(ticks: number): number | undefined {
  if (bootTimeMs === undefined) {
    try {
      const btime = /^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'latin1'))?.[1];
      if (btime === undefined) return undefined;
      bootTimeMs = Number(btime) * 1000;
    } catch {
      return undefined;
    }
  }
  return bootTimeMs + ticks * 10;
}

/** The state letter of `pid` from /proc (R, S, D, Z...), or undefined. */
export function procState(pid: number): string | undefined {
  return procStat(pid)?.[0];
}

function signalable(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else; still alive (and certainly not ours to restart over).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The real launcher: execa (detached, no cleanup) and /proc. */
export class ExecaLauncher implements ProcessLauncher {
  async launch(spec: LaunchSpec): Promise<LaunchedProcess> {
    const {execa} = await import('execa');
    // No cleanup and detached: a node that stops leaves its servers running (the next one adopts them).
    // The node's environment without the admin token: a server gets it only when its spec says (framework servers).
    const {[ADMIN_TOKEN_ENV]: _token, ...inherited} = process.env;
    const base = {cwd: spec.cwd, env: {...inherited, ...spec.env}, extendEnv: false, stdin: 'ignore', detached: true,
      cleanup: false, buffer: false, reject: false} as const;
    // A descriptor goes to the child as is (execa passes numbers through to spawn); its types only list 3..9, so the
    // cast. Not `{file}`: execa would then copy the output through the node, which a server must not depend on.
    const out = (spec.outputFd ?? 'ignore') as 3;
    const child = execa(spec.command, [...spec.args], {...base, stdout: out, stderr: out});
    // The result promise settles when the child ends; the supervisor learns that from the pid, not from here.
    child.catch(() => undefined);
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('spawn', () => resolve(child.pid!));
      child.once('error', reject);
    });
    child.unref();
    const startTime = procStartTime(pid);
    return startTime === undefined ? {pid} : {pid, startTime};
  }

  isAlive(pid: number, startTime?: number): boolean {
    if (!(pid > 0) || !signalable(pid)) return false;
    if (procState(pid) === 'Z') return false;
    if (startTime === undefined) return true;
    const now = procStartTime(pid);
    return now === undefined || now === startTime;
  }

  startTimeOf(pid: number): number | undefined {
    return procStartTime(pid);
  }

  kill(pid: number, signal: NodeJS.Signals): void {
    if (!(pid > 0)) return;
    try {
      process.kill(pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
}
