// A node killed in the middle of switching a server to a new package comes back on one whole version: every crash
// point of the switch is laid out on disk here and recovered as the node does at its start.
import {expect} from 'chai';
import {existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {serverLayout} from '../src/layout.js';
import {recoverSwitch} from '../src/node-servers.js';

describe('node: a switch interrupted by a kill is recovered whole', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-switch-'));
  });
  afterEach(() => rmSync(dir, {recursive: true, force: true}));

  /** The server directory before the switch: v1 running, v2 staged, the journal written. */
  function before() {
    const layout = serverLayout(dir, 'App', 'Server');
    const record = path.join(layout.root, 'deploy.json');
    mkdirSync(layout.bin, {recursive: true});
    writeFileSync(path.join(layout.bin, 'version'), 'v1');
    writeFileSync(record, '{"entry": "v1.js"}');
    mkdirSync(`${layout.bin}.staged`);
    writeFileSync(path.join(`${layout.bin}.staged`, 'version'), 'v2');
    writeFileSync(`${layout.bin}.staged.json`, '{"entry": "v2.js"}');
    writeFileSync(path.join(layout.root, 'switch.json'), '{"hadPackage": true}');
    const steps = [
      () => renameSync(layout.bin, `${layout.bin}.prev`),
      () => renameSync(`${layout.bin}.staged`, layout.bin),
      () => renameSync(record, `${record}.prev`),
      () => renameSync(`${layout.bin}.staged.json`, record),
    ];
    const state = () => ({bin: readFileSync(path.join(layout.bin, 'version'), 'utf8'),
      record: readFileSync(record, 'utf8'), journal: existsSync(path.join(layout.root, 'switch.json'))});
    return {layout, steps, state};
  }

  for (let killedAfter = 0; killedAfter <= 4; killedAfter++) {
    it(`killed after step ${killedAfter} of 4: the previous version, package and record together`, async () => {
      const {layout, steps, state} = before();
      for (const step of steps.slice(0, killedAfter)) step();
      expect(await recoverSwitch(layout)).to.equal('restored-previous');
      expect(state()).to.deep.equal({bin: 'v1', record: '{"entry": "v1.js"}', journal: false});
      // The new version is staged again, whole, for the next attempt.
      expect(readFileSync(path.join(`${layout.bin}.staged`, 'version'), 'utf8')).to.equal('v2');
      expect(readFileSync(`${layout.bin}.staged.json`, 'utf8')).to.equal('{"entry": "v2.js"}');
    });
  }

  it('a first deploy killed half way is completed (there is no previous version to go back to)', async () => {
    const layout = serverLayout(dir, 'App', 'Server');
    mkdirSync(layout.bin, {recursive: true});
    writeFileSync(path.join(layout.bin, 'version'), 'v1');
    writeFileSync(`${layout.bin}.staged.json`, '{"entry": "v1.js"}');
    writeFileSync(path.join(layout.root, 'switch.json'), '{"hadPackage": false}');
    expect(await recoverSwitch(layout)).to.equal('completed-new');
    expect(readFileSync(path.join(layout.root, 'deploy.json'), 'utf8')).to.equal('{"entry": "v1.js"}');
    expect(await recoverSwitch(layout)).to.equal('none');
  });
});
