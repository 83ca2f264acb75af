// The README's main job, run literally: the quick start's first command minus `npm run setup` (which `npm test`'s
// build stands for), in a fresh directory, with `tars` on the PATH. It uses the official TARS ports and the port
// `tars new` gives (10015), so it runs inside a network namespace of its own: its 127.0.0.1 is not the machine's,
// nothing it binds can meet another test or program, and nothing in it can reach off the box. Every process in the
// namespace is killed by pid (`ip netns pids`) and the namespace removed afterwards, even on failure.
import {expect} from 'chai';
import {execFileSync, spawn} from 'node:child_process';
import {chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {killPids} from '../support/cli-daemon.js';

const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
const SETUP = 'npm run setup && ';

/** The first command of the README's quick start (set-up and main job). */
function quickStartLine(): string {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Quick start'));
  const block = /```sh\n([^\n]+)\n```/.exec(section);
  if (!block) throw new Error('README.md: no ```sh block in the Quick start section');
  return block[1]!;
}

/** Runs `argv` to its end (at most `ms`), with its output; never throws for a non-zero exit. */
function run(argv: string[], env: NodeJS.ProcessEnv, ms: number): Promise<{code: number | null; out: string}> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), {env, stdio: ['ignore', 'pipe', 'pipe']});
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({code, out});
    });
  });
}

describe('README quick start, literally (in a network namespace of its own)', function () {
  this.timeout(300_000);
  const ns = `tarsqs${process.pid}`;
  let work: string;
  let env: NodeJS.ProcessEnv;
  let nsMade = false;
  const inNs = (command: string, ms = 120_000) => run(['ip', 'netns', 'exec', ns, 'sh', '-c', command], env, ms);

  before(function () {
    if (process.getuid?.() !== 0) this.skip(); // `ip netns` needs root (CI runs as root)
    work = mkdtempSync(path.join(os.tmpdir(), 'tars-quickstart-'));
    // `tars` on the PATH, as `npm link` puts it there: the built CLI of this checkout.
    const bin = path.join(work, 'bin');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'tars'), `#!/bin/sh\nexec "${process.execPath}" "${root}/bin/run.js" "$@"\n`);
    chmodSync(path.join(bin, 'tars'), 0o755);
    mkdirSync(path.join(work, 'tmp'));
    // The project's packages come from the npm cache (the namespace has no network); settings in a directory of
    // our own; TMPDIR makes the README's `mktemp -d` land inside `work`.
    env = {...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k))),
      PATH: `${bin}:${process.env.PATH}`, TMPDIR: path.join(work, 'tmp'), TARS_CONFIG_DIR: path.join(work, 'config'),
      npm_config_prefer_offline: 'true', CI: 'true'};
    execFileSync('ip', ['netns', 'add', ns]);
    nsMade = true;
    execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  });

  after(async () => {
    if (nsMade) {
      for (let round = 0; round < 5; round++) {
        const pids = execFileSync('ip', ['netns', 'pids', ns]).toString().split(/\s+/).filter(Boolean).map(Number);
        if (pids.length === 0) break;
        killPids(pids);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      execFileSync('ip', ['netns', 'del', ns]);
    }
    if (work) rmSync(work, {recursive: true, force: true});
  });

  it('the main job starts a cluster, deploys a new service into it, calls it by name and shows its statistics', async () => {
    const line = quickStartLine();
    expect(line.startsWith(SETUP), `the quick start begins with "${SETUP}": ${line}`).to.equal(true);
    const mainJob = line.slice(SETUP.length);
    for (const step of ['tars cluster start --detach', 'tars new TestApp HelloGo SayHello',
      'tars server deploy TestApp.HelloGo --package HelloGo', 'tars call TestApp.HelloGo.SayHelloObj EchoHello tars',
      'tars stat watch']) {
      expect(mainJob, 'the issue\'s quick start').to.contain(step);
    }

    const {code, out} = await inNs(mainJob, 240_000);
    expect(code, out).to.equal(0);
    // The cluster's table: every service running on its official ports.
    for (const [service, port] of [['registry', 17890], ['node', 19386], ['log', 18993], ['config', 18193],
      ['stat', 18293], ['patch', 18793]] as const) {
      expect(out, out).to.match(new RegExp(`^${service}\\s+\\S+\\s+tcp -h 127\\.0\\.0\\.1 -p ${port} -t 60000\\s+running\\s+\\d+`, 'm'));
    }
    expect(out).to.contain('TestApp.HelloGo is active');
    expect(out).to.match(/^resp: "tars"$/m);
    // tars stat watch (one snapshot in a pipe): the call just made, as the caller reported it.
    expect(out).to.match(/^NAME\s+SIDE\s+CALLS\/MIN/m);
    expect(out).to.match(/^TestApp\.HelloGo\s+client\s+[1-9]\d*\s+100\.0/m);

    // It ran in a fresh directory of its own, which now holds the cluster and the project.
    const [fresh] = readdirSync(path.join(work, 'tmp'));
    expect(readdirSync(path.join(work, 'tmp', fresh!)).sort()).to.deep.equal(['.tars', 'HelloGo']);

    // The cluster keeps running after the quick start, and stops as a whole, in order, the service first.
    const status = await inNs(`cd "${path.join(work, 'tmp', fresh!)}" && tars cluster status --json`);
    expect(status.code, status.out).to.equal(0);
    const json = JSON.parse(status.out) as {services: {name: string; state: string}[]};
    expect(json.services.map((s) => `${s.name} ${s.state}`)).to.deep.equal(['registry running', 'node running',
      'log running', 'config running', 'stat running', 'patch running']);
    const stop = await inNs('tars cluster stop');
    expect(stop.code, stop.out).to.equal(0);
    expect(stop.out.split('\n').filter(Boolean).map((l) => l.split(':')[0])).to.deep.equal(['TestApp.HelloGo',
      'patch', 'stat', 'config', 'log', 'node', 'registry']);
  });
});
