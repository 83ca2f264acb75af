// The kit's live terminal view: its pure helpers, and the view itself in a real pseudo-terminal (tmux): it draws,
// refreshes, takes keys, quits on q and gives the terminal back.
import {execFileSync} from 'node:child_process';
import path from 'node:path';

import {expect} from 'chai';

import {fitWidth, paint, sparkline, stripAnsi} from '../../src/kit/src/live-view.js';
import {until} from '../support/wait.js';

const root = new URL('../..', import.meta.url).pathname;

describe('kit: the live view', () => {
  it('fitWidth cuts to the visible width, keeps colour codes, and resets the colour it cut', () => {
    const red = paint('abcdef', 'red');
    expect(stripAnsi(fitWidth(red, 3))).to.equal('abc');
    expect(fitWidth(red, 3)).to.equal('\x1b[31mabc\x1b[0m');
    expect(fitWidth(red, 10)).to.equal(red);
    expect(fitWidth('plain text', 5)).to.equal('plain\x1b[0m');
    expect(fitWidth('', 5)).to.equal('');
  });

  it('sparkline scales to the largest value; zeros are the lowest bar, missing values a space', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).to.equal('▁▂▃▄▅▆▇█');
    expect(sparkline([0, 0, 0])).to.equal('▁▁▁');
    expect(sparkline([5, NaN, 10])).to.equal('▅ █');
    expect(sparkline([1, 2, 3, 4], 2)).to.equal('▆█');
    expect(sparkline([])).to.equal('');
  });

  describe('in a pseudo-terminal (tmux)', function () {
    this.timeout(30_000);
    const socket = `tars-test-${process.pid}`;
    const tmux = (...args: string[]): string => execFileSync('tmux', ['-u', '-L', socket, ...args], {encoding: 'utf8', env: {...process.env, LANG: 'C.UTF-8'}});
    const screen = (): string => tmux('capture-pane', '-p', '-t', 'view');

    after(() => {
      try {
        tmux('kill-server');
      } catch {
        // already gone
      }
    });

    it('draws, refreshes in place, redraws on a key, quits on q and restores the screen', async () => {
      const fixture = path.join(root, 'test/fixtures/tty/live-view.ts');
      const command = `cd ${root} && echo before-the-view && node --import tsx --conditions=tars-dev ${fixture}; ` +
        'echo "exit=$?"; sleep 30';
      tmux('new-session', '-d', '-s', 'view', '-x', '60', '-y', '10', command);
      await until(() => /frame \d+/.test(screen()), 'the first frame', 15_000);
      const first = Number(/frame (\d+)/.exec(screen())![1]);
      await until(() => Number(/frame (\d+)/.exec(screen())?.[1] ?? 0) > first + 1, 'the frame to refresh', 5000);
      const shown = screen();
      expect(shown).to.contain('live view test 60x10');
      expect(shown).to.contain('▁▂▃▄▅▆▇█');
      // The alternate screen: what the shell printed before is not on it; a long line is cut to the width.
      expect(shown).to.not.contain('before-the-view');
      expect(shown.split('\n').every((l) => l.length <= 60)).to.equal(true);
      tmux('send-keys', '-t', 'view', '+');
      await until(() => screen().includes('plus 1'), 'the redraw asked for by a key', 5000);
      tmux('send-keys', '-t', 'view', 'q');
      await until(() => screen().includes('exit=0'), 'the view to end on q', 5000);
      const after = screen();
      // Back on the normal screen, as it was, with the cursor shown again.
      expect(after).to.contain('before-the-view');
      expect(after).to.contain('left the view after several frames');
      expect(after).to.not.contain('live view test');
    });
  });
});
