import {runCommand} from '@oclif/test';
import {expect} from 'chai';
import {readFileSync} from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {version: string};
const root = new URL('../..', import.meta.url).pathname;

describe('tars (root)', () => {
  it('--version answers with the package version', async () => {
    const {stdout, error} = await runCommand('--version', {root});
    expect(error).to.equal(undefined);
    expect(stdout).to.contain(`tars-ts/${pkg.version}`);
  });

  it('--help answers with the usage', async () => {
    const {stdout, error} = await runCommand('--help', {root});
    expect(error).to.equal(undefined);
    expect(stdout).to.contain('USAGE');
    expect(stdout).to.contain('$ tars');
  });

  it('an unknown command fails with a clear error', async () => {
    const {error} = await runCommand('no-such-command', {root});
    expect(error?.message).to.match(/not found/i);
  });
});
