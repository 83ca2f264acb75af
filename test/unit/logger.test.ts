// The server's local log: the file sink keeps its file open (it once opened it for every line) and follows
// removal and rotation.
import {expect} from 'chai';
import {
  existsSync, fstatSync, mkdtempSync, openSync, readFileSync, readdirSync, renameSync, rmSync, unlinkSync, writeFileSync,
} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import {
  DEFAULT_LOG_LEVEL, LOG_LEVELS, Logger, dateFileSink, fileSink, logDateSuffix, parseLogLevel, parseLogSize,
} from '@tars-ts/core';

describe('logger', () => {
  let dir: string;
  let opened: number[];
  const open = (file: string): number => {
    const fd = openSync(file, 'a');
    opened.push(fd);
    return fd;
  };
  const lines = (file: string): string[] => readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tars-log-'));
    opened = [];
  });
  afterEach(() => rmSync(dir, {recursive: true, force: true}));

  it('file sink: many lines are written through one open of the file, not one open per line', () => {
    const sink = fileSink(path.join(dir, 'App/Server'), 'App.Server', {open});
    for (let i = 0; i < 500; i++) sink(`line ${i}`);
    sink.close();
    expect(opened).to.have.length(1);
    const written = lines(path.join(dir, 'App/Server/App.Server.log'));
    expect(written).to.have.length(500);
    expect(written.at(-1)).to.equal('line 499');
  });

  it('file sink: a removed file (and directory) is created again', () => {
    const sink = fileSink(dir, 'a', {open});
    const file = path.join(dir, 'a.log');
    sink('before');
    unlinkSync(file);
    sink('after');
    expect(lines(file)).to.deep.equal(['after']);
    rmSync(dir, {recursive: true});
    sink('again');
    sink.close();
    expect(lines(file)).to.deep.equal(['again']);
    expect(opened).to.have.length(3);
  });

  it('file sink: a file rotated away keeps its lines, new ones go to a new file', () => {
    const sink = fileSink(dir, 'a', {open});
    const file = path.join(dir, 'a.log');
    sink('old 1');
    sink('old 2');
    renameSync(file, `${file}.1`);
    sink('new 1');
    sink.close();
    expect(lines(`${file}.1`)).to.deep.equal(['old 1', 'old 2']);
    expect(lines(file)).to.deep.equal(['new 1']);
  });

  it('file sink: close releases the descriptor; later lines are still written', () => {
    const sink = fileSink(dir, 'a', {open});
    sink('one');
    sink.close();
    sink.close();
    expect(() => fstatSync(opened[0]!)).to.throw(/EBADF/);
    sink('two');
    expect(opened).to.have.length(1);
    expect(lines(path.join(dir, 'a.log'))).to.deep.equal(['one', 'two']);
  });

  it('Logger.close closes its file sink', () => {
    const logger = new Logger('DEBUG', fileSink(dir, 'a', {open}));
    logger.info('hello');
    logger.close();
    expect(() => fstatSync(opened[0]!)).to.throw(/EBADF/);
    expect(lines(path.join(dir, 'a.log'))[0]).to.match(/\|INFO\|hello$/);
  });

  it('filters by level, labelling each line with its level name', () => {
    const got: string[] = [];
    const logger = new Logger('WARN', (line) => got.push(line));
    logger.error('e');
    logger.warn('w');
    logger.info('i');
    logger.debug('d');
    expect(got.map((l) => l.split('|').slice(1).join('|'))).to.deep.equal(['ERROR|e', 'WARN|w']);
    expect(logger.setLevel('debug')).to.equal(true);
    logger.debug('d');
    expect(got.at(-1)).to.match(/\|DEBUG\|d$/);
    expect(logger.setLevel('verbose')).to.equal(false);
    expect(LOG_LEVELS).to.deep.equal(['NONE', 'ERROR', 'WARN', 'INFO', 'DEBUG']);
  });

  it('parseLogLevel takes a level name in any case and nothing else', () => {
    expect(LOG_LEVELS.map((l) => parseLogLevel(` ${l.toLowerCase()} `))).to.deep.equal([...LOG_LEVELS]);
    expect(parseLogLevel('TRACE')).to.equal(undefined);
    expect(parseLogLevel('')).to.equal(undefined);
    expect(LOG_LEVELS).to.include(DEFAULT_LOG_LEVEL);
  });

  describe('rolling by size (TARS names: a.log, a1.log, a2.log ...)', () => {
    it('keeps maxFiles files in all, newest lines in a.log, oldest in the highest number', () => {
      const sink = fileSink(dir, 'a', {maxSize: 100, maxFiles: 3});
      // 20-byte lines: a roll every 5 lines; 23 lines = 4 rolls.
      for (let i = 0; i < 23; i++) sink(`line ${String(i).padStart(14, '0')}`);
      sink.close();
      expect(readdirSync(dir).sort()).to.deep.equal(['a.log', 'a1.log', 'a2.log']);
      const n = (f: string): number[] => lines(path.join(dir, f)).map((l) => Number(l.slice(5)));
      expect(n('a2.log')).to.deep.equal([10, 11, 12, 13, 14]);
      expect(n('a1.log')).to.deep.equal([15, 16, 17, 18, 19]);
      expect(n('a.log')).to.deep.equal([20, 21, 22]);
    });

    it('counts what the file already holds when it starts (a restarted server rolls on time)', () => {
      writeFileSync(path.join(dir, 'a.log'), 'x'.repeat(90) + '\n');
      const sink = fileSink(dir, 'a', {maxSize: 100, maxFiles: 2});
      sink('0123456789');
      sink.close();
      expect(lines(path.join(dir, 'a1.log'))).to.have.length(2);
      expect(existsSync(path.join(dir, 'a.log'))).to.equal(false);
    });

    it('one file only: the file starts again empty', () => {
      const sink = fileSink(dir, 'a', {maxSize: 30, maxFiles: 1});
      for (let i = 0; i < 7; i++) sink(`line ${i} of seven`);
      sink.close();
      expect(readdirSync(dir)).to.deep.equal(['a.log']);
      expect(lines(path.join(dir, 'a.log'))).to.deep.equal(['line 6 of seven']);
    });

    it('parseLogSize reads logsize as TarsCpp does: bytes with K, M or G', () => {
      expect(['10M', '10m', '512K', '1G', '2048', '10MB', '1.5K'].map(parseLogSize))
        .to.deep.equal([10485760, 10485760, 524288, 1073741824, 2048, 10485760, 1536]);
      expect(['', 'ten', '-1', '0', '10X'].map(parseLogSize)).to.deep.equal(Array(5).fill(undefined));
    });
  });

  describe('files by date (TarsGo DateWriter names: name_YYYYMMDD.log, name_YYYYMMDDHH.log)', () => {
    it('names the file after the local day and opens the next one when the day changes', () => {
      let now = new Date(2024, 0, 21, 23, 59, 59);
      const sink = dateFileSink(dir, 'App.Server_access', {now: () => now});
      sink('late');
      now = new Date(2024, 0, 22, 0, 0, 1);
      sink('early');
      sink.close();
      expect(lines(path.join(dir, 'App.Server_access_20240121.log'))).to.deep.equal(['late']);
      expect(lines(path.join(dir, 'App.Server_access_20240122.log'))).to.deep.equal(['early']);
    });

    it('by hour, and keeps only the newest `keep` earlier files', () => {
      let hour = 8;
      const sink = dateFileSink(dir, 'x', {unit: 'hour', keep: 1, now: () => new Date(2024, 0, 21, hour, 30)});
      for (; hour <= 11; hour++) sink(`at ${hour}`);
      sink.close();
      expect(readdirSync(dir).sort()).to.deep.equal(['x_2024012110.log', 'x_2024012111.log']);
      expect(logDateSuffix(new Date(2024, 11, 3, 7), 'hour')).to.equal('2024120307');
      expect(logDateSuffix(new Date(2024, 11, 3, 7))).to.equal('20241203');
    });
  });
});
