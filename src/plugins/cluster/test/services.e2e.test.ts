// A service deployed into a cluster uses every base service with no setup of its own (issue 17, item 2): the config
// file the node writes names them all, so the service's remote log lines reach the log daemon, its notification the
// notify daemon, its config file comes from the config center, and its call statistics and property from the
// runtime's defaults reach the stat daemon (flushed by its graceful stop, as they would be every minute).
// Real processes: the cluster is started as a user starts it (bin/dev.js in a child process).
import {expect} from 'chai';
import {type ChildProcess, execFile} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {tars, tarsJson} from '../../../../test/support/cli-daemon.js';
import {consecutiveFreePorts, freePorts} from '../../../../test/support/ports.js';
import {until} from '../../../../test/support/wait.js';

const root = new URL('../../../..', import.meta.url).pathname.replace(/\/$/, '');

/** The service: one servant whose Show returns its config file, a property, a remote log line and a notification. */
const SERVICE_JS = `import {Application, Servant, Sum, T, createProperty} from '@tars-ts/core';
const SHOW = {name: 'Show', ret: T.string, params: []};
const app = await Application.fromArgs(process.argv);
const served = createProperty('Demo.Served', Sum());
class Demo extends Servant {
  static $interface = {name: 'Demo.Demo', operations: [SHOW]};
  async Show() {
    served.report(1);
    return {ret: await app.addConfig('hello.conf')};
  }
}
app.addServant(new Demo(), 'Demo.Svc.DemoObj');
await app.start();
app.dayLogger().info('hello from Demo.Svc');
app.notify('warn', 'Demo.Svc started with no setup');
`;

/** `node bin/dev.js ...args` to its end: the CLI as a user runs it (the cluster starts daemons from its entry). */
function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{code: number; out: string}> {
  return new Promise((resolve) => {
    const child: ChildProcess = execFile(process.execPath, [path.join(root, 'bin/dev.js'), ...args],
      {env, timeout: 120_000}, (error, stdout, stderr) => {
        resolve({code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out: `${stdout}${stderr}`});
      });
    void child;
  });
}

describe('a service deployed into a cluster, with no setup', function () {
  this.timeout(180_000);
  let work: string;
  let data: string;
  let env: NodeJS.ProcessEnv;
  const savedConfigDir = process.env.TARS_CONFIG_DIR;

  before(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'tars-cluster-svc-'));
    data = path.join(work, 'cluster');
    process.env.TARS_CONFIG_DIR = path.join(work, 'config');
    env = {...process.env, CI: 'true'};
    const base = await consecutiveFreePorts(17);
    const started = await cli(['cluster', 'start', '--detach', '--base-port', String(base), '--data', data], env);
    expect(started.code, started.out).to.equal(0);

    const pkg = path.join(work, 'pkg');
    mkdirSync(path.join(pkg, 'node_modules/@tars-ts'), {recursive: true});
    symlinkSync(path.join(root, 'core'), path.join(pkg, 'node_modules/@tars-ts/core'));
    writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({name: 'demo', type: 'module', main: 'index.js'}));
    writeFileSync(path.join(pkg, 'index.js'), SERVICE_JS);
    const [port] = await freePorts(1);
    const deployed = await tars(['server', 'deploy', 'Demo.Svc', '--package', pkg, '--adapter',
      `DemoObj=tcp -h 127.0.0.1 -p ${port} -t 60000`]);
    expect(deployed.exit, deployed.stderr + deployed.stdout).to.equal(0);
  });

  after(async () => {
    // The cluster stops its servers first; whatever is left (a failed stop) is killed by pid through its lock.
    if (data) {
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
    }
    if (savedConfigDir === undefined) delete process.env.TARS_CONFIG_DIR;
    else process.env.TARS_CONFIG_DIR = savedConfigDir;
    if (work) rmSync(work, {recursive: true, force: true});
  });

  it('its remote log line reaches the log daemon', async () => {
    await until(async () => (await tars(['log', 'query', 'Demo.Svc'])).stdout.includes('hello from Demo.Svc'),
      'the line in tars log query Demo.Svc', 20_000);
  });

  it('its notification reaches the notify daemon', async () => {
    await until(async () => (await tars(['notify', 'list', '--app', 'Demo', '--server', 'Svc'])).stdout
      .includes('Demo.Svc started with no setup'), 'the notification in tars notify list', 20_000);
  });

  it('it reads its config file from the config center, by name, and sees a new version', async () => {
    const file = path.join(work, 'hello.conf');
    writeFileSync(file, 'greeting = hello\n');
    expect((await tars(['config', 'push', 'Demo.Svc', file])).exit).to.equal(0);
    const first = await tarsJson<{out: {ret?: string}; ret?: string}>(['call', 'Demo.Svc.DemoObj', 'Show']);
    expect(first.ret).to.equal('greeting = hello\n');
    writeFileSync(file, 'greeting = bonjour\n');
    expect((await tars(['config', 'push', 'Demo.Svc', file])).exit).to.equal(0);
    const second = await tarsJson<{ret?: string}>(['call', 'Demo.Svc.DemoObj', 'Show']);
    expect(second.ret).to.equal('greeting = bonjour\n');
  });

  it('its call statistics and its property reach the stat daemon (flushed by its graceful stop)', async () => {
    const stopped = await tars(['server', 'stop', 'Demo.Svc']);
    expect(stopped.exit, stopped.stderr).to.equal(0);
    await until(async () => {
      const stats = await tarsJson<{rows: {name?: string; callee?: string; side?: string}[]}>(['stat', 'query',
        '--app', 'Demo', '--side', 'server']);
      return JSON.stringify(stats).includes('Demo.Svc');
    }, 'Demo.Svc\'s callee-side statistics in tars stat query', 20_000);
    await until(async () => JSON.stringify(await tarsJson(['property', 'query', '--name', 'Demo.Served']))
      .includes('Demo.Svc'), 'the property Demo.Served in tars property query', 20_000);
  });
});
