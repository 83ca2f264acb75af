// Gathering from several instances of the log daemon, without sockets: instances grouped by the store they read,
// a group answered by any of its members, instances that do not answer told from a query that is wrong, and the
// merge by time that keeps each instance's own order. And the log directory's id, which makes the groups.
import {expect} from 'chai';
import {existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type {LogQuery} from '@tars-ts/core/framework';
import {type LogInstance, UserError, gather, groupByStore, mergeByTime, pollSources} from '@tars-ts/kit';

import {listLogFiles} from '../src/reader.js';
import {LOG_DIR_ID_FILE, logDirId} from '../src/store-id.js';
import {LogWriter} from '../src/writer.js';

const instance = (endpoint: string, logStore = '', notifyStore = ''): LogInstance => ({endpoint, logStore,
  notifyStore, query: {} as LogQuery.LogQueryProxy});

describe('gathering from several log daemons', () => {
  it('polls every source each round, in time order, until its stop settles (the console\'s tail ends so)', async () => {
    let round = 0;
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const printed: string[] = [];
    const notes: string[] = [];
    const source = (name: string, fail: boolean) => ({members: [instance(name)], poll: async () => {
      if (fail) throw new Error('down');
      return [`${round} ${name}`];
    }});
    await pollSources({sources: [source('b', false), source('a', false), source('c', true)], intervalMs: 10,
      timeOf: (s) => Number(s.split(' ')[0]), note: (t) => notes.push(t),
      print: (s) => {
        printed.push(s);
        if (s.endsWith(' a') && ++round === 3) stop();
      }, stop: stopped});
    // Each round's items merged (equal times keep the sources' order); the polling ended on the stop, no signal.
    expect(printed).to.deep.equal(['0 b', '0 a', '1 b', '1 a', '2 b', '2 a']);
    expect(notes).to.deep.equal(['the log daemon at c does not answer (down); still trying, the others go on']);
  });

  it('merges by time, keeping each instance\'s order; a line without a time goes with the one before it', () => {
    const t = (s: string): number | undefined => (/^\d+$/.test(s.split(' ')[0]!) ? Number(s.split(' ')[0]) : undefined);
    const a = ['1 a', 'cont a1', '4 a', '9 a'];
    const b = ['2 b', '3 b', 'cont b3', '4 b', '10 b'];
    expect(mergeByTime([a, b], t)).to.deep.equal(['1 a', 'cont a1', '2 b', '3 b', 'cont b3', '4 a', '4 b', '9 a',
      '10 b']);
    // An instance's own order is never changed, even where its times go back.
    expect(mergeByTime([['5 a', '1 a'], ['3 b']], t)).to.deep.equal(['3 b', '5 a', '1 a']);
    // Untimed lines at the start of an instance come first; equal times keep the instances' order.
    expect(mergeByTime([['1 a'], ['x', '1 b']], t)).to.deep.equal(['x', '1 a', '1 b']);
    expect(mergeByTime([[], ['1 b']], t)).to.deep.equal(['1 b']);
  });

  it('groups instances by the store they read; an instance that gives no id is a store of its own', () => {
    const [a, b, c, d, e] = [instance('a', 'L1', 'N'), instance('b', 'L2', 'N'), instance('c', 'L1', 'N'),
      instance('d'), instance('e')];
    expect(groupByStore([a, b, c, d, e], 'logStore').map((g) => g.map((i) => i.endpoint)))
      .to.deep.equal([['a', 'c'], ['b'], ['d'], ['e']]);
    expect(groupByStore([a, b, c, d, e], 'notifyStore').map((g) => g.map((i) => i.endpoint)))
      .to.deep.equal([['a', 'b', 'c'], ['d'], ['e']]);
  });

  it('asks one instance per store; a store whose first instance is down is answered by the next, unreported', async () => {
    const asked: string[] = [];
    const got = await gather([[instance('a1', 'A'), instance('a2', 'A')], [instance('b', 'B')]], async (i) => {
      asked.push(i.endpoint);
      if (i.endpoint === 'a1') throw new Error('connection refused');
      return i.endpoint;
    });
    expect(asked.sort()).to.deep.equal(['a1', 'a2', 'b']);
    expect(got.answers.map((a) => a.value)).to.deep.equal(['a2', 'b']);
    expect(got.unanswered).to.deep.equal([]);
  });

  it('a store none of whose instances answers is reported and left out; none answering at all is the error',
    async () => {
      const got = await gather([[instance('a')], [instance('b')]], async (i) => {
        if (i.endpoint === 'b') throw new Error('connection refused');
        return i.endpoint;
      });
      expect(got.answers.map((a) => a.value)).to.deep.equal(['a']);
      expect(got.unanswered).to.deep.equal([{instance: 'b', error: 'connection refused'}]);
      let thrown: unknown;
      await gather([[instance('a')], [instance('b')]], async (i) => {
        throw new Error(`${i.endpoint} is down`);
      }).catch((error: unknown) => {
        thrown = error;
      });
      expect((thrown as Error).message).to.equal('a is down');
    });

  it('a query that is wrong (a bad pattern) ends the command: it is not an instance that is down', async () => {
    let thrown: unknown;
    await gather([[instance('a'), instance('a2')], [instance('b')]], async (i) => {
      if (i.endpoint === 'a') throw new UserError('the log daemon refused the pattern', {code: 'BAD_ARGUMENT'});
      return i.endpoint;
    }).catch((error: unknown) => {
      thrown = error;
    });
    expect(thrown).to.be.instanceOf(UserError);
  });
});

describe('the log directory\'s id', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tars-log-id-'));
  });

  afterEach(() => {
    rmSync(dir, {recursive: true, force: true});
  });

  it('daemons starting at once on one directory all get the same id, and keep it', async () => {
    const ids = await Promise.all(Array.from({length: 8}, () => logDirId(dir)));
    expect(new Set(ids).size).to.equal(1);
    expect(readFileSync(path.join(dir, LOG_DIR_ID_FILE), 'utf8').trim()).to.equal(ids[0]);
    expect(await logDirId(dir)).to.equal(ids[0]);
    const other = mkdtempSync(path.join(os.tmpdir(), 'tars-log-id-'));
    try {
      expect(await logDirId(other)).to.not.equal(ids[0]);
    } finally {
      rmSync(other, {recursive: true, force: true});
    }
  });

  it('is no log: no query lists it and retention never deletes it', async () => {
    await logDirId(dir);
    const idFile = path.join(dir, LOG_DIR_ID_FILE);
    const old = Date.now() / 1000 - 90 * 86_400;
    utimesSync(idFile, old, old);
    writeFileSync(path.join(dir, 'stray.log'), 'x\n');
    const writer = new LogWriter({logPath: dir, retentionDays: 30, maxTotalBytes: 1, sweepIntervalMs: 3_600_000});
    try {
      await writer.sweep();
    } finally {
      await writer.close();
    }
    expect(existsSync(path.join(dir, 'stray.log')), 'the sweep ran: the other old file went').to.equal(false);
    expect(readFileSync(idFile, 'utf8')).to.match(/^[0-9a-f-]{36}\n$/);
    expect(await listLogFiles(dir, {})).to.deep.equal([]);
  });
});
