// The writing side on a real directory: batching and the answer-after-append contract, lines over the limit, one
// client's flood against another's trickle, a full queue, an unwritable directory, size rotation and retention.
import {expect} from 'chai';
import {mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {LogRefused, LogWriter, limitLine} from '../src/writer.js';

const target = (file = 'T.S_20240121.log', dir = 'T/S') => ({dir, file, separ: '|'});

describe('log writer', () => {
  let dir: string;
  const writers: LogWriter[] = [];
  const open = (options: Partial<ConstructorParameters<typeof LogWriter>[0]> = {}): LogWriter => {
    const w = new LogWriter({logPath: dir, ...options});
    writers.push(w);
    return w;
  };
  const read = (rel = 'T/S/T.S_20240121.log'): string => readFileSync(path.join(dir, rel), 'utf8');

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-log-writer-'));
  });
  afterEach(async () => {
    for (const w of writers.splice(0)) await w.close();
    rmSync(dir, {recursive: true, force: true});
  });

  it('appends each call\'s lines as given, with the ipfix prefix, and answers once they are in the file', async () => {
    const w = open();
    await w.append(target(), ['a\n', 'b\n'], 'c1', '10.0.0.1|');
    expect(read(), 'written when the call is answered').to.equal('10.0.0.1|a\n10.0.0.1|b\n');
    await Promise.all([w.append(target(), ['c\n'], 'c1', ''), w.append(target(), ['d\n'], 'c2', '')]);
    expect(read()).to.equal('10.0.0.1|a\n10.0.0.1|b\nc\nd\n');
    const s = w.stats();
    expect(s.linesWritten).to.equal(4);
    expect(s.batches, 'the two concurrent calls went out in one append').to.equal(2);
  });

  it('cuts a line over the limit at a character boundary, marks it and keeps its newline', async () => {
    expect(limitLine('short\n', 10)).to.deep.equal({line: 'short\n', truncated: false});
    const cut = limitLine(`${'é'.repeat(10)}\n`, 5);
    expect(cut.line).to.equal('éé ...[truncated 16 bytes]\n');
    const w = open({maxLineBytes: 300});
    await w.append(target(), [`${'x'.repeat(1000)}\n`, 'ok\n'], 'c1', '');
    expect(read()).to.equal(`${'x'.repeat(300)} ...[truncated 700 bytes]\nok\n`);
    expect(w.stats().truncatedLines).to.equal(1);
  });

  it('a flood from one client does not starve another: queues drain round-robin, a full queue is refused', async () => {
    const w = open({maxQueueBytes: 64 * 1024, quantumBytes: 4096});
    const line = `${'f'.repeat(1000)}\n`;
    const flood: Promise<void>[] = [];
    let refused = 0;
    // 200 calls of 4 KB from one client at once: past its 64 KB queue, the rest are refused.
    for (let i = 0; i < 200; i += 1) {
      flood.push(w.append(target('flood.log'), [line, line, line, line], 'flooder', '').catch((e: unknown) => {
        expect(e).to.be.instanceOf(LogRefused);
        refused += 1;
      }));
    }
    const order: string[] = [];
    const trickle = w.append(target('quiet.log'), ['q\n'], 'quiet', '').then(() => order.push('quiet'));
    const floodDone = Promise.all(flood).then(() => order.push('flood'));
    await Promise.all([trickle, floodDone]);
    expect(order[0], 'the quiet client was answered before the flood drained').to.equal('quiet');
    expect(refused).to.be.greaterThan(0);
    expect(w.stats().rejectedCalls).to.equal(refused);
    const written = read('T/S/flood.log').split('\n').length - 1;
    expect(written, 'every accepted line is in the file').to.equal((200 - refused) * 4);
  });

  it('an unwritable directory fails its calls, counts them, and the writer goes on with other files', async () => {
    mkdirSync(path.join(dir, 'Bad'));
    writeFileSync(path.join(dir, 'Bad', 'S'), 'a file where a directory should be');
    const w = open();
    let failure: Error | undefined;
    await w.append(target('x.log', 'Bad/S'), ['lost\n'], 'c1', '').catch((e: Error) => {
      failure = e;
    });
    expect(failure?.message).to.match(/could not write/);
    await w.append(target(), ['fine\n'], 'c1', '');
    expect(read()).to.equal('fine\n');
    const s = w.stats();
    expect(s.writeErrors).to.equal(1);
    expect(s.droppedLines).to.equal(1);
    expect(s.lastError).to.match(/Bad\/S\/x\.log/);
  });

  it('rotates by size into file.1, file.2, and a new writer continues the last part', async () => {
    const w = open({maxFileBytes: 100});
    for (let i = 0; i < 5; i += 1) await w.append(target(), [`${String(i).repeat(59)}\n`], 'c1', '');
    const files = readdirSync(path.join(dir, 'T/S')).sort();
    expect(files).to.deep.equal(['T.S_20240121.log', 'T.S_20240121.log.1', 'T.S_20240121.log.2',
      'T.S_20240121.log.3', 'T.S_20240121.log.4']);
    await w.close();
    const again = open({maxFileBytes: 200});
    await again.append(target(), ['next\n'], 'c1', '');
    expect(read('T/S/T.S_20240121.log.4')).to.equal(`${'4'.repeat(59)}\nnext\n`);
  });

  it('retention deletes files older than the days, then the oldest past the total size', async () => {
    mkdirSync(path.join(dir, 'T/S'), {recursive: true});
    const file = (name: string, bytes: number, daysOld: number): void => {
      const p = path.join(dir, 'T/S', name);
      writeFileSync(p, 'x'.repeat(bytes));
      const t = (Date.now() - daysOld * 86_400_000) / 1000;
      utimesSync(p, t, t);
    };
    file('old.log', 10, 40);
    file('a.log', 400, 3);
    file('b.log', 400, 2);
    file('c.log', 400, 1);
    const w = open({retentionDays: 30, maxTotalBytes: 900});
    await w.sweep();
    expect(readdirSync(path.join(dir, 'T/S')).sort()).to.deep.equal(['b.log', 'c.log']);
    expect(w.stats().filesDeleted).to.equal(2);
    expect(w.stats().diskBytes).to.equal(800);
    // Writing past a tenth of the budget sweeps on its own.
    await w.append(target('d.log'), [`${'y'.repeat(199)}\n`], 'c1', '');
    for (let i = 0; i < 20 && readdirSync(path.join(dir, 'T/S')).includes('b.log'); i += 1) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(readdirSync(path.join(dir, 'T/S')).sort()).to.deep.equal(['c.log', 'd.log']);
    expect(statSync(path.join(dir, 'T/S/d.log')).size).to.equal(200);
  });
});
