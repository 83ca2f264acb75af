// A base service started with --locator lists its servants in the registry (the kit's daemon host does it for every
// daemon), so that they resolve by name; a graceful stop takes them out again.
import {expect} from 'chai';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {Communicator, Logger, T} from '@tars-ts/core';
import {QueryF} from '@tars-ts/core/framework';
import {type DaemonSpec, type RunningDaemon, startDaemon} from '@tars-ts/kit';

import {registryDaemon} from '../src/daemon.js';

const quiet = new Logger('NONE', () => undefined);

/** A daemon with one servant and nothing else, as a base service would be. */
async function echoDaemon(): Promise<DaemonSpec> {
  const {Servant} = await import('@tars-ts/core');
  class Echo extends Servant {
    static override readonly $interface = {name: 'Echo', operations: [{name: 'echo', ret: T.int, params: []}]};
    echo(): {ret: number} {
      return {ret: 0};
    }
  }
  return {name: 'echo', servants: [{obj: 'tars.tarsecho.EchoObj', port: 0}], create: () => ({
    servants: {'tars.tarsecho.EchoObj': new Echo()}})};
}

describe('kit: daemons list their servants in the registry of --locator', function () {
  this.timeout(30_000);
  let dir: string;
  let registry: RunningDaemon | undefined;
  let echo: RunningDaemon | undefined;
  const comm = new Communicator();

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-announce-'));
  });

  afterEach(async () => {
    await echo?.stop();
    await registry?.stop();
    echo = registry = undefined;
    rmSync(dir, {recursive: true, force: true});
  });

  after(() => comm.close());

  it('a daemon started with --locator resolves by name while it runs, and not after a graceful stop', async () => {
    registry = await startDaemon(registryDaemon, {port: 0, data: path.join(dir, 'registry'), logger: quiet});
    const queryEndpoint = registry.info.endpoints.find((e) => e.obj === 'tars.tarsregistry.QueryObj')!.endpoint;
    const locator = `tars.tarsregistry.QueryObj@${queryEndpoint}`;
    echo = await startDaemon(await echoDaemon(), {port: 0, data: path.join(dir, 'echo'), locator, logger: quiet});
    const query = comm.stringToProxy(QueryF.QueryFProxy, locator);
    const listed = (await query.findObjectById('tars.tarsecho.EchoObj')).ret.map((e) => e.port);
    const bound = Number(/-p (\d+)/.exec(echo.info.endpoints[0]!.endpoint)![1]);
    expect(listed).to.deep.equal([bound]);
    await echo.stop();
    echo = undefined;
    expect((await query.findObjectById('tars.tarsecho.EchoObj')).ret).to.deep.equal([]);
  });

  it('a registry that is away does not stop the daemon from starting (it is retried)', async () => {
    const down = 'tars.tarsregistry.QueryObj@tcp -h 127.0.0.1 -p 1 -t 500';
    echo = await startDaemon(await echoDaemon(), {port: 0, data: path.join(dir, 'echo'), locator: down, logger: quiet});
    expect(echo.info.state).to.equal('running');
  });
});
