// The reading commands' helpers: the time a line carries, the dye key as a whole field, the service of a dye line,
// and command-line times; and the notify command derivation (framework.md 2.8).
import {expect} from 'chai';

import {lineTime} from '@tars-ts/kit';

import {dyeService, hasDyeKey, parseTime} from '../src/lines.js';
import {NOTIFY, REPORT, notifyCommand, splitSet} from '../src/notify-store.js';

describe('log reading helpers', () => {
  it('takes a line\'s first "YYYY-MM-DD HH:MM:SS[.mmm]" as its local time', () => {
    expect(lineTime('10.0.0.1|2024-01-21 14:37:09|123|INFO|x')).to.equal(new Date(2024, 0, 21, 14, 37, 9).getTime());
    expect(lineTime('2024-01-21T14:37:09.25 x')).to.equal(new Date(2024, 0, 21, 14, 37, 9, 250).getTime());
    expect(lineTime('no time here 20240121')).to.equal(undefined);
  });

  it('finds a dye key only as a whole field', () => {
    expect(hasDyeKey('h|Test.A|2024-01-21 10:00:00|k-42|x', 'k-42')).to.equal(true);
    expect(hasDyeKey('h|Test.A|dyeKey=k-42 x', 'k-42')).to.equal(true);
    expect(hasDyeKey('[k-42] started', 'k-42')).to.equal(true);
    expect(hasDyeKey('h|Test.A|k-420|x', 'k-42')).to.equal(false);
    expect(hasDyeKey('h|Test.A|xk-42|x', 'k-42')).to.equal(false);
    expect(hasDyeKey('h|Test.A|xk-42|k-42', 'k-42'), 'a later whole occurrence').to.equal(true);
  });

  it('names the service of a dye line, skipping the ipfix host', () => {
    expect(dyeService('10.0.0.1|Test.Front|2024-01-21 10:00:00|k')).to.equal('Test.Front');
    expect(dyeService('node-a|Test.Back|x')).to.equal('Test.Back');
    expect(dyeService('plain text')).to.equal(undefined);
  });

  it('reads --since as a duration back from now or an ISO time, and refuses anything else in one line', () => {
    expect(parseTime('10m', '--since', 1_000_000)).to.equal(1_000_000 - 600_000);
    expect(parseTime('2024-01-21T10:00:00Z', '--since')).to.equal(Date.UTC(2024, 0, 21, 10));
    expect(() => parseTime('yesterday', '--since')).to.throw('--since "yesterday" is neither a duration nor a date');
  });

  it('derives the notify command from the text (REPORT) or the level (NOTIFY)', () => {
    expect(notifyCommand(REPORT, 2, 'restart')).to.equal('[normal]');
    expect(notifyCommand(REPORT, 0, '[warn] then [alarm]')).to.equal('[alarm]');
    expect(notifyCommand(REPORT, 0, 'x [error] [warn]')).to.equal('[error]');
    expect(notifyCommand(REPORT, 0, 'patch [fail]')).to.equal('[error]');
    expect(notifyCommand(NOTIFY, 1, '[alarm] ignored text')).to.equal('[warn]');
    expect(notifyCommand(NOTIFY, 7, 'x')).to.equal('[normal]');
    expect(splitSet('sz.a.*')).to.deep.equal({name: 'sz', area: 'a', group: '*'});
    expect(splitSet('sz.a')).to.deep.equal({name: '', area: '', group: ''});
  });
});
