// The official file layout and naming of tarslog (framework.md 2.5) as a matrix: logger vs loggerbyInfo, set parts,
// prefixes, concat strings, date formats and rotation slots.
import {expect} from 'chai';

import {
  LogNameError, describePath, infoTarget, loggerTarget, parseLogType, setPart, slotStart, strftime, traceTarget,
} from '../src/naming.js';

const at = new Date(2024, 0, 21, 14, 37, 9); // local time, as tarslog names files
const info = (over: Record<string, unknown> = {}) => ({appname: 'Test', servername: 'HelloServer', sFilename: '',
  sFormat: '%Y%m%d', ...over});
const full = (t: {dir: string; file: string}): string => `${t.dir}/${t.file}`;

describe('log file naming (framework.md 2.5)', () => {
  it('logger(): App/Server/App.Server[_file]_date.log, "_" and ".log" whatever the client', () => {
    expect(full(loggerTarget('Test', 'HelloServer', 'access', '%Y%m%d', at)))
      .to.equal('Test/HelloServer/Test.HelloServer_access_20240121.log');
    expect(full(loggerTarget('Test', 'HelloServer', '', '%Y%m%d', at)))
      .to.equal('Test/HelloServer/Test.HelloServer_20240121.log');
    expect(loggerTarget('Test', 'HelloServer', '', '%Y%m%d%H', at).file).to.equal('Test.HelloServer_2024012114.log');
    expect(loggerTarget('Test', 'HelloServer', '', '', at).file, 'no format: daily').to.equal(
      'Test.HelloServer_20240121.log');
  });

  it('the dye log is the logger() file of tars_dyeing/dyeing', () => {
    expect(full(loggerTarget('tars_dyeing', 'dyeing', 'day', '%Y%m%d', at)))
      .to.equal('tars_dyeing/dyeing/tars_dyeing.dyeing_day_20240121.log');
  });

  it('the call-chain log `_t_trace_` of any server is the file TarsFramework\'s TraceServer reads', () => {
    const official = '_tars_/_trace_/_tars_._trace___t_trace__20240121.log';
    expect(full(traceTarget('Test', 'HelloServer', '%Y%m%d', at))).to.equal(official);
    expect(full(traceTarget('Other', 'S', '', at)), 'no format: daily').to.equal(official);
    // What LogSpanSink sends, were it not redirected, names the same file for _tars_/_trace_.
    expect(full(infoTarget({appname: '_tars_', servername: '_trace_', sFilename: '_t_trace_', sFormat: '%Y%m%d',
      sLogType: '1day'}, at))).to.equal(official);
    expect(describePath(official)).to.deep.equal({app: '_tars_', server: '_trace_', setPart: '', name: '_t_trace_'});
    for (const [app, server] of [['A|B', 'S'], ['A', 'S\nX'], ['', 'S'], ['A', '../x']]) {
      expect(() => traceTarget(app!, server!, '%Y%m%d', at), `${app} ${server}`).to.throw(LogNameError);
    }
  });

  it('loggerbyInfo(): the defaults give the same names as logger()', () => {
    expect(full(infoTarget(info({sFilename: 'access'}), at)))
      .to.equal('Test/HelloServer/Test.HelloServer_access_20240121.log');
    expect(full(infoTarget(info(), at))).to.equal('Test/HelloServer/Test.HelloServer_20240121.log');
  });

  it('loggerbyInfo(): set part, prefix, suffix and concat string', () => {
    expect(full(infoTarget(info({setdivision: 'sz.a.1'}), at))).to.equal('Test/sza1/HelloServer/Test.HelloServer_20240121.log');
    expect(infoTarget(info({setdivision: 'sz.a.*'}), at).dir, 'group * left out').to.equal('Test/sza/HelloServer');
    expect(infoTarget(info({setdivision: 'sz.a'}), at).dir, 'not name.area.group: no set part').to.equal('Test/HelloServer');
    expect(infoTarget(info({setdivision: ''}), at).dir).to.equal('Test/HelloServer');
    expect(infoTarget(info({sFilename: 'access', bHasAppNamePrefix: false}), at).file).to.equal('access_20240121.log');
    expect(infoTarget(info({sFilename: 'access', bHasSufix: false}), at).file).to.equal('Test.HelloServer_access_20240121');
    expect(infoTarget(info({sFilename: 'access', sConcatStr: '-'}), at).file).to.equal('Test.HelloServer-access-20240121.log');
    expect(infoTarget(info({sSepar: '#'}), at).separ).to.equal('#');
  });

  it('loggerbyInfo(): rotation by sLogType floors the time to its slot; the format defaults per unit', () => {
    expect(infoTarget(info({sLogType: 'day', sFormat: ''}), at).file).to.equal('Test.HelloServer_20240121.log');
    expect(infoTarget(info({sLogType: 'hour', sFormat: ''}), at).file).to.equal('Test.HelloServer_2024012114.log');
    expect(infoTarget(info({sLogType: '2hour', sFormat: ''}), at).file).to.equal('Test.HelloServer_2024012114.log');
    expect(infoTarget(info({sLogType: '3hour', sFormat: ''}), at).file).to.equal('Test.HelloServer_2024012112.log');
    expect(infoTarget(info({sLogType: 'minute', sFormat: ''}), at).file, 'bare minute = 10')
      .to.equal('Test.HelloServer_202401211430.log');
    expect(infoTarget(info({sLogType: '5minute', sFormat: '%Y%m%d%H%M'}), at).file).to.equal('Test.HelloServer_202401211435.log');
    expect(infoTarget(info({sLogType: '1day', sFormat: '%Y%m%d'}), at).file, 'winston-tars sends "1day"')
      .to.equal('Test.HelloServer_20240121.log');
    expect(infoTarget(info({sLogType: '2day', sFormat: '%Y%m%d'}), at).file).to.equal('Test.HelloServer_20240121.log');
    expect(infoTarget(info({sLogType: '2day', sFormat: '%Y%m%d'}), new Date(2024, 0, 22)).file)
      .to.equal('Test.HelloServer_20240121.log');
    expect(infoTarget(info({sLogType: 'fortnight', sFormat: '%Y%m%d%H'}), at).file, 'unknown type: the format alone')
      .to.equal('Test.HelloServer_2024012114.log');
  });

  it('servers listed as hourly get hourly files whatever the client sends', () => {
    const hourly = new Set(['Test.HelloServer']);
    expect(loggerTarget('Test', 'HelloServer', '', '%Y%m%d', at, {hourly}).file).to.equal('Test.HelloServer_2024012114.log');
    expect(infoTarget(info({sLogType: 'day'}), at, {hourly}).file).to.equal('Test.HelloServer_2024012114.log');
    expect(loggerTarget('Test', 'Other', '', '%Y%m%d', at, {hourly}).file).to.equal('Test.Other_20240121.log');
  });

  it('parses the rotation kinds and formats the strftime subset', () => {
    expect(parseLogType('10minute')).to.deep.equal({unit: 'minute', every: 10});
    expect(parseLogType('HOUR')).to.deep.equal({unit: 'hour', every: 1});
    expect(parseLogType('0day')).to.deep.equal({unit: 'day', every: 1});
    expect(parseLogType('')).to.equal(undefined);
    expect(strftime('%Y-%m-%d %H:%M:%S %j %% %q', at)).to.equal('2024-01-21 14:37:09 021 % %q');
    expect(slotStart({unit: 'minute', every: 15}, at).getMinutes()).to.equal(30);
    expect(setPart('a.b.c')).to.equal('abc');
  });

  it('refuses names that would leave the directory: "/", "..", "\\", NUL, a leading dot, empty app', () => {
    for (const bad of ['../x', 'a/b', '..', 'a\\b', 'a\0b', '.hidden']) {
      expect(() => loggerTarget(bad, 'S', '', '', at), bad).to.throw(LogNameError);
      expect(() => loggerTarget('A', bad, '', '', at), bad).to.throw(LogNameError);
      expect(() => loggerTarget('A', 'S', bad, '', at), bad).to.throw(LogNameError);
      expect(() => infoTarget(info({sFilename: bad}), at), bad).to.throw(LogNameError);
    }
    expect(() => loggerTarget('', 'S', '', '', at)).to.throw(LogNameError, 'app "" is empty');
    expect(() => loggerTarget('A', 'S', '', '%Y/%m', at)).to.throw(LogNameError, 'gives a path');
    expect(() => infoTarget(info({sConcatStr: '/'}), at)).to.throw(LogNameError);
    expect(() => infoTarget(info({bHasAppNamePrefix: false}), at), 'no prefix and no name: no file name')
      .to.throw(LogNameError);
  });

  it('reads a path back into app, set part, server and log name', () => {
    expect(describePath('Test/HelloServer/Test.HelloServer_access_20240121.log'))
      .to.deep.equal({app: 'Test', server: 'HelloServer', setPart: '', name: 'access'});
    expect(describePath('Test/sza1/HelloServer/Test.HelloServer_2024012114.log.3'))
      .to.deep.equal({app: 'Test', server: 'HelloServer', setPart: 'sza1', name: ''});
    expect(describePath('tars_dyeing/dyeing/tars_dyeing.dyeing_roll_20240121.log')!.name).to.equal('roll');
    expect(describePath('daemon.log')).to.equal(undefined);
  });
});
