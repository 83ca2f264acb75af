// `tars call` reads the .tars files of the working directory when no --tars is given: only files.
import {expect} from 'chai';
import {mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {loadCallKit} from '@tars-ts/kit';

const {localIdlFiles} = await loadCallKit();

describe('localIdlFiles', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-idl-files-'));
  });
  afterEach(() => rmSync(dir, {recursive: true, force: true}));

  it('a .tars data directory where tars cluster start ran is not taken for an interface file', () => {
    mkdirSync(path.join(dir, '.tars'));
    mkdirSync(path.join(dir, 'old.tars'));
    writeFileSync(path.join(dir, 'SayHello.tars'), 'module TestApp {};');
    expect(localIdlFiles(dir)).to.deep.equal(['SayHello.tars']);
  });

  it('follows a link to a file, not a dangling one', () => {
    writeFileSync(path.join(dir, 'real.idl'), 'module A {};');
    symlinkSync(path.join(dir, 'real.idl'), path.join(dir, 'Linked.tars'));
    symlinkSync(path.join(dir, 'missing'), path.join(dir, 'Dangling.tars'));
    expect(localIdlFiles(dir)).to.deep.equal(['Linked.tars']);
  });
});
