// `tars shell`'s pure parts, from data (no cluster): how a line splits into words, what names mean under `use`,
// the words of `call` and `bench`, Tab completion's candidates, the statistics of a load run, the stat rows and the
// history file.
import {expect} from 'chai';
import {mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {StatQuery} from '@tars-ts/core/framework';

import {loadSummary, percentileOf, runLoad} from '../../src/lib/call-load.js';
import {type CompletionSource, type FunctionNames, completeLine, dataKeys} from '../../src/lib/shell/complete.js';
import {HISTORY_MAX, loadHistory, saveHistory} from '../../src/lib/shell/history.js';
import {parseCallWords, qualifyObject, splitLine, targetOfCall} from '../../src/lib/shell/line.js';
import {statRows} from '../../src/lib/shell/stat.js';

describe('tars shell: a line and its words', () => {
  it('splits on blanks and keeps quoted text whole, as a POSIX shell does', () => {
    expect(splitLine(`call A.B.C Echo 'hello world' "a \\"b\\"" c\\ d`).words)
      .to.deep.equal(['call', 'A.B.C', 'Echo', 'hello world', 'a "b"', 'c d']);
    expect(splitLine(`call X --data '{"req": "x y"}'`).words).to.deep.equal(['call', 'X', '--data', '{"req": "x y"}']);
  });

  it('says where the word being typed starts, and when a quote is still open', () => {
    const typing = splitLine(`call X --data '{"a": 1, "b`);
    expect(typing.open).to.equal(true);
    expect(`call X --data '{"a": 1, "b`.slice(typing.partialStart)).to.equal(`'{"a": 1, "b`);
    const after = splitLine('ping ');
    expect(after.partial).to.equal(-1);
    expect(after.partialStart).to.equal(5);
  });

  it('a bare Obj means <use>.Obj; full names and names with endpoints stay as written', () => {
    expect(qualifyObject('EchoObj', 'Demo.Svc')).to.equal('Demo.Svc.EchoObj');
    expect(qualifyObject('A.B.C', 'Demo.Svc')).to.equal('A.B.C');
    expect(qualifyObject('A.B.C@tcp -h 127.0.0.1 -p 1', undefined)).to.equal('A.B.C@tcp -h 127.0.0.1 -p 1');
    expect(() => qualifyObject('EchoObj', undefined)).to.throw(/not an object name/);
    expect(() => qualifyObject('A.B', undefined)).to.throw(/not an object name/);
  });

  it('call takes Obj.Func or Obj Func, short under use, and the arguments after', () => {
    expect(targetOfCall(['A.B.C.Echo', 'x'], undefined)).to.deep.equal({obj: 'A.B.C', func: 'Echo', rest: ['x']});
    expect(targetOfCall(['A.B.C', 'Echo', 'x', 'y'], undefined)).to.deep.equal({obj: 'A.B.C', func: 'Echo',
      rest: ['x', 'y']});
    expect(targetOfCall(['C.Echo'], 'A.B')).to.deep.equal({obj: 'A.B.C', func: 'Echo', rest: []});
    expect(targetOfCall(['C', 'Echo'], 'A.B')).to.deep.equal({obj: 'A.B.C', func: 'Echo', rest: []});
    expect(targetOfCall(['A.B.C@tcp -h 10.0.0.1 -p 5', 'Echo'], undefined).obj).to.equal('A.B.C@tcp -h 10.0.0.1 -p 5');
    expect(() => targetOfCall(['A.B.C'], undefined)).to.throw(/call what\?/);
    expect(() => targetOfCall([], undefined)).to.throw(/call what\?/);
  });

  it('call words: --data and --arg-types as tars call has them; bench adds -n and -c within their bounds', () => {
    expect(parseCallWords(['x', '-5', '--data', '{}'], false)).to.deep.equal({args: ['x', '-5'], data: '{}'});
    expect(parseCallWords(['--arg-types=int', '1', '--', '-n', '2'], true))
      .to.deep.equal({args: ['1', '-n', '2'], argTypes: 'int'});
    expect(parseCallWords(['x', '-n', '500', '-c', '8'], true)).to.deep.equal({args: ['x'], n: 500, c: 8});
    expect(parseCallWords(['-n', '3'], false)).to.deep.equal({args: ['-n', '3']});
    expect(() => parseCallWords(['-n', '1000001'], true)).to.throw(/-n takes a whole number from 1 to 1000000/);
    expect(() => parseCallWords(['-c', '0'], true)).to.throw(/-c takes a whole number from 1 to 1000/);
    expect(() => parseCallWords(['-c', 'many'], true)).to.throw(/not "many"/);
    expect(() => parseCallWords(['--data'], false)).to.throw(/--data needs a value/);
  });
});

describe('tars shell: Tab completion', () => {
  const echo: FunctionNames[] = [{name: 'EchoHello', params: ['req']}, {name: 'Greet', params: ['name', 'times']}];
  const source = (use?: string): CompletionSource & {asked: string[]} => {
    const asked: string[] = [];
    return {
      use, asked,
      objects: async () => ['Demo.Svc.EchoObj', 'Demo.Svc.AdminObj', 'Other.Srv.XObj'],
      functions: async (obj) => {
        asked.push(obj);
        return obj === 'Demo.Svc.EchoObj' ? echo : undefined;
      },
    };
  };
  const complete = async (line: string, use?: string) => (await completeLine(line, source(use))).candidates;

  it('completes command names, and help\'s argument', async () => {
    expect(await complete('be')).to.deep.equal(['bench']);
    expect(await complete('')).to.include.members(['call', 'ping', 'stat', 'use', '.json', 'exit']);
    expect(await complete('help st')).to.deep.equal(['stat']);
    expect(await complete('.json o')).to.deep.equal(['off', 'on']);
  });

  it('completes object names from the registry, short ones under use', async () => {
    expect(await complete('ping Demo.Svc.E')).to.deep.equal(['Demo.Svc.EchoObj']);
    expect(await complete('call Demo')).to.deep.equal(['Demo.Svc.AdminObj', 'Demo.Svc.EchoObj']);
    expect(await complete('describe E', 'Demo.Svc')).to.deep.equal(['EchoObj']);
    expect(await complete('use Ot')).to.deep.equal(['Other.Srv']);
    expect(await complete('stat D')).to.deep.equal(['Demo.Svc']);
  });

  it('completes function names after Obj. and as the word after Obj, asking the full object\'s interface', async () => {
    const s = source('Demo.Svc');
    expect((await completeLine('call Demo.Svc.EchoObj.E', s)).candidates).to.deep.equal(['Demo.Svc.EchoObj.EchoHello']);
    expect((await completeLine('bench EchoObj.', s)).candidates).to.deep.equal(['EchoObj.EchoHello', 'EchoObj.Greet']);
    expect((await completeLine('call Demo.Svc.EchoObj G', s)).candidates).to.deep.equal(['Greet']);
    expect(s.asked).to.deep.equal(['Demo.Svc.EchoObj', 'Demo.Svc.EchoObj', 'Demo.Svc.EchoObj']);
    expect(await complete('call Other.Srv.XObj.')).to.deep.equal([]);
  });

  it('completes the in-parameters not given yet inside --data \'{...\', as JSON keys', async () => {
    const line = 'call Demo.Svc.EchoObj.Greet --data ';
    expect(await complete(line)).to.deep.equal([`'{"name":`, `'{"times":`]);
    expect(await complete(`${line}'{"t`)).to.deep.equal([`'{"times":`]);
    expect(await complete(`${line}'{"name": "x y", "`)).to.deep.equal([`'{"name": "x y", "times":`]);
    expect(await complete('call Demo.Svc.EchoObj.Greet x -')).to.deep.equal(['--arg-types', '--data']);
    expect(dataKeys(`'{"a": 1 `, ['b'])).to.deep.equal([]);
    expect(dataKeys('--data={"', ['b'])).to.deep.equal([`--data='{"b":`]);
  });
});

describe('tars shell: the statistics of a load run', () => {
  it('percentiles by nearest rank over the sorted latencies', () => {
    const sorted = Array.from({length: 100}, (_, i) => i + 1);
    expect(percentileOf(sorted, 0.5)).to.equal(50);
    expect(percentileOf(sorted, 0.9)).to.equal(90);
    expect(percentileOf(sorted, 0.99)).to.equal(99);
    expect(percentileOf([7], 0.99)).to.equal(7);
    expect(percentileOf([], 0.5)).to.equal(0);
  });

  it('a summary counts calls by code, rates them over the wall time, and says when it was stopped', () => {
    const latencies = [5, 1, 3, 2, 4, 10, 6, 8, 7, 9];
    const s = loadSummary(latencies, {'0': 8, '-7': 2}, 500, true);
    expect(s).to.deep.equal({calls: 10, ok: 8, failed: 2, byCode: {'0': 8, '-7': 2}, callsPerSec: 20, p50Ms: 5,
      p90Ms: 9, p99Ms: 10, maxMs: 10, stopped: true});
    expect(latencies[0], 'the latencies given are not sorted in place').to.equal(5);
    expect(loadSummary([], {}, 0)).to.deep.equal({calls: 0, ok: 0, failed: 0, byCode: {}, callsPerSec: 0, p50Ms: 0,
      p90Ms: 0, p99Ms: 0, maxMs: 0});
  });

  it('a run stops issuing calls once its signal aborts and summarizes the calls made', async () => {
    const stop = new AbortController();
    let made = 0;
    const summary = await runLoad(async () => {
      made++;
      if (made === 25) stop.abort();
      await new Promise((resolve) => setImmediate(resolve));
    }, 1_000_000, 4, stop.signal);
    expect(summary.stopped).to.equal(true);
    expect(summary.calls).to.equal(made);
    expect(made).to.be.within(25, 28);
  });
});

describe('tars shell: stat rows and history', () => {
  const point = (count: number, exec: number, timeout: number, total: number) => StatQuery.StatPoint.create({
    time: 0n, count: BigInt(count), timeoutCount: BigInt(timeout), execCount: BigInt(exec),
    totalRspTime: BigInt(total), maxRspTime: 9, minRspTime: 1, intervalCount: new Map([[5, BigInt(count)]])});
  const series = (callee: string, side: string, p: StatQuery.StatPoint) =>
    StatQuery.StatSeries.create({callee, side, total: p});

  it('adds the same group of every instance, busiest first, cut to the limit', () => {
    const {rows, more} = statRows([[series('A.B', 'server', point(10, 1, 0, 20)), series('C.D', 'client', point(1, 0, 0, 1))],
      [series('A.B', 'server', point(10, 0, 2, 20)), series('E.F', 'server', point(0, 0, 3, 0))]], 'callee', 2);
    expect(rows).to.deep.equal([
      {name: 'A.B', side: 'server', calls: 23, errors: 1, timeouts: 2, avgMs: 2, p99Ms: 5},
      {name: 'E.F', side: 'server', calls: 3, errors: 0, timeouts: 3, avgMs: null, p99Ms: null}]);
    expect(more).to.equal(1);
  });

  it('history: kept oldest first in a 0600 file, at most 1000 lines, without exit and quit', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tars-shell-history-'));
    try {
      const file = path.join(dir, 'sub', 'shell_history');
      expect(loadHistory(file)).to.deep.equal([]);
      const newestFirst = ['exit', ...Array.from({length: HISTORY_MAX + 5}, (_, i) => `ping X${HISTORY_MAX + 4 - i}`)];
      saveHistory(file, newestFirst);
      expect(statSync(file).mode & 0o777).to.equal(0o600);
      const lines = readFileSync(file, 'utf8').trim().split('\n');
      expect(lines).to.have.length(HISTORY_MAX);
      expect(lines.at(-1)).to.equal(`ping X${HISTORY_MAX + 4}`);
      expect(loadHistory(file)[0]).to.equal(`ping X${HISTORY_MAX + 4}`);
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });
});
