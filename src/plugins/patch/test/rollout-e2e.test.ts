// Issue 16's show, from the CLI only: a registry, the patch server and two nodes (own data directories and ports) as
// real processes; a service uploaded, deployed from the store to both nodes and called by name; a second version
// uploaded and rolled out one node at a time while a client keeps calling by name (no call fails); then rolled back.
// Every process started here is killed by pid in `after`.
import {expect} from 'chai';
import type {ChildProcess} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {Communicator} from '@tars-ts/core';

import {exited, registryLocatorOf, startCliDaemon, tars, tarsJson} from '../../../../test/support/cli-daemon.js';
import {consecutiveFreePorts, freePorts} from '../../../../test/support/ports.js';
import {EchoProxy, echoServiceSource, writeServicePackage} from '../../../../test/support/echo-service.js';
import {until} from '../../../../test/support/wait.js';



describe('tars patch and tars server patch, end to end: upload, deploy on two nodes, patch --batch 1, rollback',
  function () {
    this.timeout(300_000);
    let work: string;
    let locator: string;
    const daemons: ChildProcess[] = [];
    const comm = new Communicator();
    const L = () => ['--locator', locator];

    /** A package directory of version `v`, linked to the core as `tars new` links it. */
    function pkg(v: string): string {
      const dir = path.join(work, `pkg${v}`);
      writeServicePackage(dir, 'rollout-echo', echoServiceSource('Rollout.Echo.EchoObj', v));
      return dir;
    }

    before(async () => {
      work = mkdtempSync(path.join(os.tmpdir(), 'tars-rollout-e2e-'));
      const registry = await startCliDaemon(['registry', 'start', '--port', '0', '--data', path.join(work, 'registry')]);
      daemons.push(registry.child);
      locator = registryLocatorOf(registry.out);
      comm.setProperty('locator', locator);
      const patchPort = await consecutiveFreePorts(2);
      daemons.push((await startCliDaemon(['patch', 'start', '--port', String(patchPort), '--data',
        path.join(work, 'patch'), ...L()])).child);
      for (const name of ['node-a', 'node-b']) {
        const port = await consecutiveFreePorts(2);
        daemons.push((await startCliDaemon(['node', 'start', '--port', String(port), '--data', path.join(work, name),
          '--name', name, ...L()])).child);
      }
      await until(async () => (await tarsJson<{nodes: {alive: boolean}[]}>(['node', 'list', ...L()])).nodes
        .filter((n) => n.alive).length === 2, 'both nodes registered', 20_000);
    });

    after(async () => {
      await tars(['server', 'undeploy', 'Rollout.Echo', ...L()]).catch(() => undefined);
      comm.close();
      for (const d of daemons.reverse()) {
        if (d.exitCode === null && d.signalCode === null) d.kill('SIGTERM');
        await exited(d);
      }
      rmSync(work, {recursive: true, force: true});
    });

    it('upload, deploy from the store on two nodes, patch one node at a time while calls go on, rollback', async () => {
      const v1 = await tarsJson<{version: string}>(['patch', 'upload', 'Rollout.Echo', pkg('1'), '-m', 'first',
        ...L()]);
      expect(v1.version).to.equal('1');
      const ports = await freePorts(2);
      for (const [i, node] of ['node-a', 'node-b'].entries()) {
        await tarsJson(['server', 'deploy', 'Rollout.Echo', '--version', '1', '--node', node, '--adapter',
          `EchoObj=tcp -h 127.0.0.1 -p ${ports[i]} -t 3000`, ...L()]);
      }
      const echo = comm.stringToProxy(EchoProxy, 'Rollout.Echo.EchoObj');
      expect((await echo.EchoHello('x')).resp).to.equal('v1:x');

      const v2 = await tarsJson<{version: string}>(['patch', 'upload', 'Rollout.Echo', pkg('2'), ...L()]);
      expect(v2.version).to.equal('2');
      const client = new Communicator({locator, refreshEndpointInterval: 100});
      const caller = client.stringToProxy(EchoProxy, 'Rollout.Echo.EchoObj', {timeout: 3000});
      const failures: string[] = [];
      let calls = 0;
      let stop = false;
      const loop = (async () => {
        while (!stop && calls < 100_000) {
          await caller.EchoHello('y').then(() => undefined, (e: unknown) => failures.push((e as Error).message));
          calls++;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      })();
      try {
        const out = await tarsJson<{batches: string[][]}>(['server', 'patch', 'Rollout.Echo', '--version', '2',
          '--batch', '1', '--drain', '600', '--wait-healthy', ...L()]);
        expect(out.batches).to.have.length(2);
      } finally {
        stop = true;
        await loop;
        client.close();
      }
      expect(failures, failures.join('\n')).to.deep.equal([]);
      expect(calls).to.be.above(20);
      expect((await echo.EchoHello('z')).resp).to.equal('v2:z');

      const back = await tarsJson<{version: string}>(['server', 'rollback', 'Rollout.Echo', ...L()]);
      expect(back.version).to.equal('1');
      await until(async () => (await echo.EchoHello('r')).resp === 'v1:r', 'version 1 answering', 10_000);
      const listed = await tarsJson<{servers: {node: string; release: string}[]}>(['server', 'list', ...L()]);
      expect(listed.servers.map((s) => [s.node, s.release])).to.deep.equal([['node-a', '1'], ['node-b', '1']]);
    });
  });
