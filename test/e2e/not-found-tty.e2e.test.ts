// A mistyped command on a real terminal (a pseudo-terminal made by script(1)): the nearest command is offered,
// and answering yes runs it with the rest of the words as its arguments.
import {expect} from 'chai';
import {spawn} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = new URL('../..', import.meta.url).pathname;

/** Runs `tars <words>` in a pseudo-terminal, answering `answer` once the prompt shows; resolves with what it printed. */
function inTerminal(words: string, answer: string, env: NodeJS.ProcessEnv): Promise<{output: string; code: number}> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', `${path.join(root, 'bin/dev.js')} ${words}`, '/dev/null'],
      {cwd: root, env, stdio: ['pipe', 'pipe', 'pipe']});
    let output = '';
    let answered = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no end in 30 s; printed: ${output}`));
    }, 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (!answered && output.includes('Run "tars')) {
        answered = true;
        child.stdin.write(answer);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({output, code: code ?? -1});
    });
  });
}

describe('an unknown command on a terminal', function () {
  this.timeout(40_000);
  let config: string;
  let env: NodeJS.ProcessEnv;

  beforeEach(() => {
    config = mkdtempSync(path.join(os.tmpdir(), 'tars-tty-'));
    env = {...process.env, TARS_CONFIG_DIR: config};
    delete env.CI;
  });

  afterEach(() => rmSync(config, {recursive: true, force: true}));

  it('offers the nearest command and runs it on yes', async () => {
    const {output, code} = await inTerminal('settings lst', 'y\r', env);
    expect(output).to.contain('error: "settings lst" is not a tars command; did you mean "settings list"?');
    expect(output).to.contain('Run "tars settings list"?');
    expect(output).to.match(/locator = \(not set\)/);
    expect(code).to.equal(0);
  });

  it('runs nothing on no, and exits 2', async () => {
    const {output, code} = await inTerminal('settings lst', 'n\r', env);
    expect(output).to.contain('Run "tars settings list"?');
    expect(output).to.not.match(/locator = /);
    expect(code).to.equal(2);
  });
});
