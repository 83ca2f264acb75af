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

  it('an unknown command is a usage error (exit 2) naming the nearest command, also without a terminal', async () => {
    const typo = await runCommand('cal X f', {root});
    expect(typo.error?.oclif?.exit).to.equal(2);
    expect(typo.stderr).to.equal('error: "cal" is not a tars command; did you mean "call"?\n' +
      'hint: tars --help lists the commands\n');
    const topic = await runCommand('settings lst', {root});
    expect(topic.stderr).to.match(/did you mean "settings list"\?\nhint: tars settings --help/);
    const none = await runCommand('frobnicate', {root});
    expect(none.error?.oclif?.exit).to.equal(2);
    expect(none.stderr).to.equal('error: "frobnicate" is not a tars command\nhint: tars --help lists the commands\n');
  });

  it('call --help shows its usage plainly: OBJ FUNC [ARGS...], no empty defaults', async () => {
    const {stdout} = await runCommand('call --help', {root});
    expect(stdout).to.contain('$ tars call OBJ FUNC [ARGS...]');
    expect(stdout).to.not.contain('[default: ]');
    expect(stdout).to.not.match(/OBJ\.\.\.|FUNC\.\.\./);
  });

  it('missing arguments are named once, with one hint and no paragraph on multi-value flags', async () => {
    const {stderr, error} = await runCommand('call', {root});
    expect(error?.oclif?.exit).to.equal(2);
    expect(stderr).to.equal('error: missing arguments: OBJ (servant object, App.Server.Obj[@endpoints]), ' +
      'FUNC (function name)\nhint: see: tars call --help\n');
  });
});
