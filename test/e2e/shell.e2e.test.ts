// `tars shell` (issue 21) on a real cluster with an echo service deployed: in a real pseudo-terminal made by
// script(1), Tab completes an object name and a function name, a call answers, `use` shortens names, the history is
// recalled with the up arrow after the shell is started again, and quit / Ctrl-D end it; through a pipe, line mode
// runs each line in order, prints a bad line's error and goes on, and exits with the failing line's code.
import {expect} from 'chai';
import {type ChildProcess, spawn} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {tars} from '../support/cli-daemon.js';
import {echoServiceSource, writeServicePackage} from '../support/echo-service.js';
import {freePorts} from '../support/ports.js';
import {type TestCluster, startTestCluster, stopTestCluster} from '../support/test-cluster.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const BIN = path.join(ROOT, 'bin/dev.js');
const OBJ = 'Sh.Echo.EchoObj';

/** Terminal output without its escape sequences (cursor moves, line clears) and carriage returns. */
const plain = (text: string): string =>
  text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\x1b[()][A-Z0-9]/g, '').replace(/\r/g, '');

/** `tars shell` in a pseudo-terminal (script(1)): keys in, the screen's text out, waits bounded. */
class Terminal {
  private raw = '';
  private mark = 0;
  readonly exited: Promise<number>;
  private readonly child: ChildProcess;

  constructor(env: NodeJS.ProcessEnv) {
    this.child = spawn('script', ['-qec', `${process.execPath} ${BIN} shell`, '/dev/null'],
      {cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe']});
    this.child.stdout!.on('data', (chunk: Buffer) => {
      this.raw += chunk.toString();
    });
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.raw += chunk.toString();
    });
    this.exited = new Promise((resolve) => this.child.on('close', (code) => resolve(code ?? -1)));
  }

  type(keys: string): void {
    this.child.stdin!.write(keys);
  }

  /**
   * Waits (at most `ms`) until the screen shows `pattern` after the previous match; moves past it, unless `stay` (for
   * a line being typed: the next wait sees it whole).
   */
  async waitFor(pattern: RegExp, ms = 20_000, stay = false): Promise<string> {
    const until = Date.now() + ms;
    for (;;) {
      const text = plain(this.raw.slice(this.mark));
      if (pattern.test(text)) {
        const seen = text;
        if (!stay) this.mark = this.raw.length;
        return seen;
      }
      if (Date.now() > until) throw new Error(`no ${pattern} on the terminal in ${ms} ms; it shows:\n${text}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Resolves with the exit code, or kills the session (by pid) after `ms`. */
  async end(ms = 15_000): Promise<number> {
    const timer = setTimeout(() => this.child.kill('SIGKILL'), ms);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** `tars shell` with `input` piped to it: its output and exit code (killed by pid after 60 s). */
function piped(input: string, env: NodeJS.ProcessEnv): Promise<{stdout: string; stderr: string; code: number}> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'shell'], {cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe']});
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tars shell did not end in 60 s: ${stdout}${stderr}`));
    }, 60_000);
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({stdout, stderr, code: code ?? -1});
    });
    child.stdin.end(input);
  });
}

describe('tars shell on a cluster', function () {
  this.timeout(240_000);
  let cluster: TestCluster | undefined;
  let dirs: string;
  let env: NodeJS.ProcessEnv;
  const terminals: Terminal[] = [];

  before(async () => {
    cluster = await startTestCluster('tars-shell-');
    const [port] = await freePorts(1);
    const pkg = path.join(cluster.work, 'pkg-echo');
    writeServicePackage(pkg, 'echo', echoServiceSource(OBJ, '1'));
    const deployed = await tars(['server', 'deploy', 'Sh.Echo', '--package', pkg, '--adapter',
      `EchoObj=tcp -h 127.0.0.1 -p ${port} -t 60000`]);
    expect(deployed.exit, deployed.stderr + deployed.stdout).to.equal(0);
  });

  beforeEach(() => {
    dirs = mkdtempSync(path.join(os.tmpdir(), 'tars-shell-dirs-'));
    env = {...cluster!.env, TARS_DATA_DIR: path.join(dirs, 'data'), TARS_CACHE_DIR: path.join(dirs, 'cache'),
      TERM: 'xterm'};
  });

  afterEach(() => {
    for (const t of terminals.splice(0)) t.kill();
    rmSync(dirs, {recursive: true, force: true});
  });

  after(async () => {
    await stopTestCluster(cluster);
  });

  it('on a terminal: completes an object and a function, calls, shortens with use, recalls history after a restart',
    async () => {
      const first = new Terminal(env);
      terminals.push(first);
      await first.waitFor(/tars> $/);
      // an object name completed from the registry, then pinged
      first.type('ping Sh.Echo.Ech');
      await first.waitFor(/ping Sh\.Echo\.Ech$/, 20_000, true);
      first.type('\t');
      await first.waitFor(/ping Sh\.Echo\.EchoObj$/);
      first.type('\r');
      await first.waitFor(/tcp -h 127\.0\.0\.1 -p \d+ .*\d+(\.\d+)? ms\n[^]*tars> $/);
      // a function name completed from the interface (reflection), then called
      first.type(`call ${OBJ}.Ech`);
      await first.waitFor(/EchoObj\.Ech$/, 20_000, true);
      first.type('\t');
      await first.waitFor(/call Sh\.Echo\.EchoObj\.EchoHello$/);
      first.type(' tars\r');
      const answer = await first.waitFor(/tars> $/);
      expect(answer).to.contain('resp: "v1:tars"');
      expect(answer).to.match(/-- [\d.]+ ms, tcp -h 127\.0\.0\.1 -p \d+/);
      // use shortens names: the prompt shows it, and Obj.Func resolves under it
      first.type('use Sh.Echo\r');
      await first.waitFor(/tars Sh\.Echo> $/);
      first.type('call EchoObj.EchoHello short\r');
      expect(await first.waitFor(/tars Sh\.Echo> $/)).to.contain('resp: "v1:short"');
      // a failing command prints its error and the session goes on
      first.type('call EchoObj.Nope x\r');
      const failed = await first.waitFor(/tars Sh\.Echo> $/);
      expect(failed).to.match(/error: .*has no function "Nope"/);
      expect(failed).to.match(/hint: functions: int EchoHello\(string req, out string resp\)/);
      expect(failed).to.not.match(/\n\s+at /);
      first.type('use -\r');
      await first.waitFor(/tars> $/);
      // Ctrl-C stops a bench, which prints what it made; at the prompt it drops the line being typed
      first.type(`bench ${OBJ}.EchoHello x -n 1000000 -c 2\r`);
      await first.waitFor(/1000000 calls of Sh\.Echo\.EchoObj\.EchoHello, 2 in flight \(Ctrl-C stops\)\n/);
      first.type('\x03');
      const stopped = await first.waitFor(/tars> $/);
      expect(stopped).to.match(/calls: \d+ {2}ok: \d+ {2}failed: 0\n/);
      expect(stopped).to.match(/latency ms: p50 [\d.]+ {2}p90 [\d.]+ {2}p99 [\d.]+ {2}max [\d.]+/);
      expect(stopped).to.contain('(stopped before all calls were made)');
      first.type('call dropped');
      await first.waitFor(/call dropped$/, 20_000, true);
      first.type('\x03');
      await first.waitFor(/\^C\ntars> $/);
      first.type('use\r');
      expect(await first.waitFor(/tars> $/)).to.contain('use: none');
      first.type(`call ${OBJ} EchoHello again\r`);
      expect(await first.waitFor(/tars> $/)).to.contain('resp: "v1:again"');
      first.type('quit\r');
      expect(await first.end()).to.equal(0);

      const historyFile = path.join(env.TARS_DATA_DIR!, 'shell_history');
      expect(statSync(historyFile).mode & 0o777).to.equal(0o600);
      const kept = readFileSync(historyFile, 'utf8').trim().split('\n');
      expect(kept.at(-1)).to.equal(`call ${OBJ} EchoHello again`);
      expect(kept).to.not.include('quit');

      // started again: the up arrow brings the last command back, and it runs
      const second = new Terminal(env);
      terminals.push(second);
      await second.waitFor(/tars> $/);
      second.type('\x1b[A');
      await second.waitFor(/EchoHello again$/);
      second.type('\r');
      expect(await second.waitFor(/tars> $/)).to.contain('resp: "v1:again"');
      second.type('\x04'); // Ctrl-D
      expect(await second.end()).to.equal(0);
    });

  it('through a pipe: no prompt, each line in order, a bad line\'s error and the next line still runs', async () => {
    const lines = [
      `call ${OBJ} EchoHello one`,
      `call ${OBJ} NoSuchFunc x`,
      'use Sh.Echo',
      'call EchoObj.EchoHello two',
      'bench EchoObj.EchoHello load -n 40 -c 4',
      'help',
      'find EchoObj',
      'describe EchoObj',
      'servers',
      'stat Sh.Echo',
      '.json on',
      `call ${OBJ}.EchoHello three`,
    ];
    const out = await piped(`${lines.join('\n')}\n`, env);
    expect(out.code, out.stderr).to.equal(2);
    expect(out.stdout).to.not.match(/tars[^\n]*> /);
    expect(out.stdout).to.contain('resp: "v1:one"');
    expect(out.stderr).to.match(/error: .*has no function "NoSuchFunc"/);
    expect(out.stderr).to.match(/hint: functions: /);
    expect(out.stdout).to.contain('resp: "v1:two"');
    expect(out.stdout.indexOf('v1:one')).to.be.below(out.stdout.indexOf('v1:two'));
    expect(out.stdout).to.match(/calls: 40 {2}ok: 40 {2}failed: 0/);
    expect(out.stdout).to.match(/latency ms: p50 [\d.]+ {2}p90 [\d.]+ {2}p99 [\d.]+ {2}max [\d.]+/);
    expect(out.stdout).to.match(/tcp -h 127\.0\.0\.1 -p \d+.*active/);
    expect(out.stdout).to.match(/Sh\.Echo\s+\S+\s+active\s+active/);
    expect(out.stdout).to.match(/interface Test\.Echo\n {2}int EchoHello\(string req, out string resp\);/);
    expect(out.stdout).to.contain('-- interface from reflection');
    // the shell's calls are reported to the stat daemon as tars call's are (caller side)
    expect(out.stdout).to.match(/last 15 min, interfaces of Sh\.Echo\n.*INTERFACE.*\n.*EchoHello\s+client\s+\d+/);
    expect(out.stdout).to.match(/"resp": "v1:three"/);
    expect(out.stdout).to.match(/\n {2}bench Obj\.Func \[args\.\.\.\] \[-n N\] \[-c C\] +N calls, C in flight/);
    expect(existsSync(path.join(env.TARS_DATA_DIR!, 'shell_history')), 'no history from a pipe').to.equal(false);

    const ok = await piped(`call ${OBJ} EchoHello tars\n`, env);
    expect(ok.code, ok.stderr).to.equal(0);
    expect(ok.stdout).to.contain('resp: "v1:tars"');
  });
});
