// The server's local log: the file sink keeps its file open (it once opened it for every line) and follows
// removal and rotation.
import {expect} from 'chai';
import {fstatSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, unlinkSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import {DEFAULT_LOG_LEVEL, LOG_LEVELS, Logger, fileSink, parseLogLevel} from '@tars-ts/core';

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
});
