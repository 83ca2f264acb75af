// The official Node remote logger, @tars/winston-tars 2.1.3 (TarsRemote transport over @tars/rpc), and our day logger
// log the same lines to the same LogF servant: the LogInfo they send is the same field by field (so the log daemon
// files both under the same name) and so is the layout of a line (`time|pid|LEVEL|message` and its newline, time to
// the second there, to the millisecond here).
/* eslint-disable @typescript-eslint/no-explicit-any */
import {expect} from 'chai';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import os from 'node:os';
import path from 'node:path';

import {Application} from '@tars-ts/core';

import {type LogDaemon, startLogDaemon} from '../support/log-daemon.js';
import {destroyOfficialClient} from '../support/rpc-oracle.js';
import {Probe} from '../support/probe.js';
import {testConfig} from '../support/test-server.js';
import {until} from '../support/wait.js';

const require = createRequire(import.meta.url);

describe('interop: @tars/winston-tars TarsRemote and our day logger', function () {
  this.timeout(30_000);
  let daemon: LogDaemon;
  let dir: string;

  before(async () => {
    daemon = await startLogDaemon();
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-winston-'));
  });

  after(async () => {
    await daemon?.close();
    rmSync(dir, {recursive: true, force: true});
  });

  it('send the same LogInfo and the same line layout for the same log', async () => {
    const configText = testConfig('Interop', 'Logger', ['Interop.Logger.ProbeObj'], {server:
      `log = ${daemon.logObj}\n      loglevel = INFO\n      logpath = ${dir}`});
    const configFile = path.join(dir, 'Interop.Logger.config.conf');
    writeFileSync(configFile, configText);

    // Theirs: winston 2 with the TarsRemote transport reading the same config file.
    const winston = require('winston');
    require('@tars/winston-tars');
    const {Config} = require('@tars/utils');
    const tarsConfig = new Config();
    tarsConfig.parseFile(configFile);
    const transport = new winston.transports.TarsRemote({tarsConfig, filename: 'access', tarsLogServant: daemon.logObj,
      interval: 20});
    const theirs = new winston.Logger({transports: [transport]});
    theirs.info('hello from winston');

    // Ours: the application of the same config.
    const app = Application.fromText(configText, {graceMs: 200});
    app.addServant(new Probe(), 'Interop.Logger.ProbeObj');
    await app.start();
    app.dayLogger('access').info('hello from tars-ts');
    await app.close();

    await until(() => daemon.log.calls.length === 2, 'one LogF call from each');
    // Its close() calls a disconnect() that @tars/rpc's proxies no longer have (a quirk of theirs): the timer is
    // gone once it flushed, and the connection goes with @tars/rpc's default communicator below.
    expect(() => transport.close()).to.throw(/disconnect is not a function/);
    destroyOfficialClient(require('@tars/rpc').client);
    const [a, b] = [daemon.log.calls.find((c) => c.lines[0]!.includes('winston'))!,
      daemon.log.calls.find((c) => c.lines[0]!.includes('tars-ts'))!];
    expect(a.func).to.equal('loggerbyInfo');
    expect(b.func).to.equal('loggerbyInfo');
    expect(b.info).to.deep.equal(a.info);
    expect(a.info).to.include({appname: 'Interop', servername: 'Logger', sFilename: 'access', sFormat: '%Y%m%d',
      sLogType: '1day'});
    const layout = (l: string): string => l.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{3})?\|\d+\|/, 'T|PID|');
    expect([layout(a.lines[0]!), layout(b.lines[0]!)]).to.deep.equal(['T|PID|INFO|hello from winston\n',
      'T|PID|INFO|hello from tars-ts\n']);
  });
});
