// The kit's unified diff (tars config diff, the console's review before a push): hunks with 3 lines of context, far changes in separate hunks, equal texts
// give nothing, and a change of line ends alone still shows.
import {expect} from 'chai';

import {unifiedDiff} from '@tars-ts/kit';

const lines = (n: number, change: Record<number, string> = {}) =>
  `${Array.from({length: n}, (_, i) => change[i + 1] ?? `k${i + 1}=v`).join('\n')}\n`;

describe('config diff', () => {
  it('equal texts: no output', () => {
    expect(unifiedDiff('a=1\n', 'a=1\n', 'x', 'y')).to.equal('');
  });

  it('two far changes: two hunks, each with 3 lines of context and line numbers of both sides', () => {
    const out = unifiedDiff(lines(20), lines(20, {2: 'k2=changed', 18: 'k18=changed'}), 'v1', 'v2');
    expect(out).to.equal([
      '--- v1', '+++ v2',
      '@@ -1,5 +1,5 @@', ' k1=v', '-k2=v', '+k2=changed', ' k3=v', ' k4=v', ' k5=v',
      '@@ -15,6 +15,6 @@', ' k15=v', ' k16=v', ' k17=v', '-k18=v', '+k18=changed', ' k19=v', ' k20=v', '',
    ].join('\n'));
  });

  it('added and removed lines at the ends', () => {
    expect(unifiedDiff('', 'a=1\n', 'v1', 'v2')).to.equal('--- v1\n+++ v2\n@@ -0,0 +1,1 @@\n+a=1\n');
    expect(unifiedDiff('a=1\nb=2\n', 'a=1\n', 'v1', 'v2')).to.equal('--- v1\n+++ v2\n@@ -1,2 +1,1 @@\n a=1\n-b=2\n');
  });

  it('only the line ends differ: said so, not silent', () => {
    expect(unifiedDiff('a=1\n', 'a=1\r\n', 'v1', 'v2')).to.match(/line endings differ/);
  });
});
