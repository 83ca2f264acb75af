// Hosts for multi-host tests: each a Linux network namespace with one address of 198.18.0.0/24 (the benchmark
// range) on a veth whose other end hangs on a bridge in a hub namespace of its own. The machine's namespace gets no
// link, only a blackhole route for the range while the hosts exist (so nothing run by mistake outside a namespace
// reaches a real network). Cutting a host takes its bridge port down: its processes keep running, unreachable, as
// when a cable is pulled. Every process started in a host is killed by pid (`ip netns pids`) when the hosts go down.
// Needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN): `hostsUnavailable()` says why not, for a test to skip with that reason.
import {execFileSync, spawn} from 'node:child_process';

import {killPids} from './cli-daemon.js';

const RANGE = '198.18.0.0/24';

/** Why namespaces cannot be made here, or undefined when they can. */
export function hostsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces are Linux only';
  if (process.getuid?.() !== 0) return 'network namespaces need root (CI runs as root)';
  try {
    execFileSync('ip', ['-V'], {stdio: 'ignore'});
  } catch {
    return 'the `ip` command (iproute2) is missing';
  }
  return undefined;
}

function ip(...args: string[]): string {
  return execFileSync('ip', args, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});
}

/** What a command run in a host printed, and how it ended. */
export interface HostRun {
  code: number | null;
  out: string;
}

export class Hosts {
  private readonly made: string[] = [];
  private guarded = false;
  private hubMade = false;

  /** `count` hosts h1..hN (1 <= count <= 20) with addresses 198.18.0.1..N, all reachable from each other. */
  private constructor(private readonly prefix: string, readonly count: number) {}

  static up(count: number, prefix = `t${process.pid % 100000}-`): Hosts {
    if (!(count >= 1 && count <= 20)) throw new RangeError(`host count ${count} is not within 1..20`);
    const hosts = new Hosts(prefix, count);
    try {
      hosts.build();
    } catch (error) {
      hosts.down();
      throw error;
    }
    return hosts;
  }

  private get hub(): string {
    return `${this.prefix}hub`;
  }

  /** The namespace of host `i` (1-based). */
  ns(i: number): string {
    return `${this.prefix}h${i}`;
  }

  /** The address of host `i`. */
  addr(i: number): string {
    return `198.18.0.${i}`;
  }

  private build(): void {
    ip('route', 'add', 'blackhole', RANGE);
    this.guarded = true;
    ip('netns', 'add', this.hub);
    this.hubMade = true;
    ip('-n', this.hub, 'link', 'set', 'lo', 'up');
    ip('-n', this.hub, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', this.hub, 'link', 'set', 'br0', 'up');
    for (let i = 1; i <= this.count; i++) {
      const ns = this.ns(i);
      ip('netns', 'add', ns);
      this.made.push(ns);
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('link', 'add', 'eth0', 'netns', ns, 'type', 'veth', 'peer', 'name', `p${i}`, 'netns', this.hub);
      ip('-n', this.hub, 'link', 'set', `p${i}`, 'master', 'br0');
      ip('-n', this.hub, 'link', 'set', `p${i}`, 'up');
      ip('-n', ns, 'addr', 'add', `${this.addr(i)}/24`, 'dev', 'eth0');
      ip('-n', ns, 'link', 'set', 'eth0', 'up');
      // A cut link shows as a timeout within seconds, not the kernel's minutes (these sysctls are per namespace).
      ip('netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv4.tcp_syn_retries=2', 'net.ipv4.tcp_retries2=4');
    }
  }

  /** Host `i` loses its link (its processes keep running). */
  cut(i: number): void {
    ip('-n', this.hub, 'link', 'set', `p${i}`, 'down');
  }

  /** Host `i` gets its link back. */
  heal(i: number): void {
    ip('-n', this.hub, 'link', 'set', `p${i}`, 'up');
  }

  /** Runs `argv` in host `i` to its end (at most `ms`, then SIGKILL); never throws for a non-zero exit. */
  run(i: number, argv: readonly string[], env: NodeJS.ProcessEnv, ms = 120_000): Promise<HostRun> {
    return new Promise((resolve) => {
      const child = spawn('ip', ['netns', 'exec', this.ns(i), ...argv], {env, stdio: ['ignore', 'pipe', 'pipe']});
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        out += d.toString();
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), ms);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({code, out});
      });
    });
  }

  /** Starts `argv` in host `i` and leaves it running (killed with the hosts); its stdout lines go to `onLine`. */
  start(i: number, argv: readonly string[], env: NodeJS.ProcessEnv, onLine: (line: string) => void): {
    stderr: () => string;
  } {
    const child = spawn('ip', ['netns', 'exec', this.ns(i), ...argv], {env, stdio: ['ignore', 'pipe', 'pipe']});
    let rest = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      rest += d.toString();
      const lines = rest.split('\n');
      rest = lines.pop()!;
      for (const line of lines) onLine(line);
    });
    child.stderr.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-20_000);
    });
    return {stderr: () => err};
  }

  /** Kills every process of every host (by pid), removes the namespaces and the guard route. Idempotent. */
  down(): void {
    for (const ns of [...this.made, ...(this.hubMade ? [this.hub] : [])]) {
      for (let round = 0; round < 10; round++) {
        let pids: number[] = [];
        try {
          pids = ip('netns', 'pids', ns).split(/\s+/).filter(Boolean).map(Number);
        } catch {
          break;
        }
        if (pids.length === 0) break;
        killPids(pids);
        execFileSync('sleep', ['0.2']);
      }
      try {
        ip('netns', 'del', ns);
      } catch {
        // already gone
      }
    }
    this.made.length = 0;
    this.hubMade = false;
    if (this.guarded) {
      try {
        ip('route', 'del', 'blackhole', RANGE);
      } catch {
        // already gone
      }
      this.guarded = false;
    }
  }
}
