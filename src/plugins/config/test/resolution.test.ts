// The resolution matrix: app, server and node levels x no SET / a SET x references, through ConfigObj as a service
// calls it (spec/framework.md 2.4; the official tarsconfig's rules: "\r\n\r\n" between non-empty pieces, later
// pieces win).
import {expect} from 'chai';

import {parseTarsConfig} from '@tars-ts/core';
import {ConfigF} from '@tars-ts/core/framework';

import {ConfigObjServant, type ConfigService, PIECE_SEPARATOR, RateLimiter} from '../src/index.js';
import {ctxFrom, k, openService} from './fixtures.js';

const S = PIECE_SEPARATOR;
const SET = 'sz.a.1';

for (const on of ['sqlite', 'postgres'] as const) describe(`config resolution (ConfigObj, real ${on} store)`, () => {
  let service: ConfigService;
  let close: () => Promise<void>;
  let obj: ConfigObjServant;
  const fromN1 = ctxFrom('10.0.0.1');
  const fromN2 = ctxFrom('10.0.0.2');

  before(async () => {
    ({service, close} = await openService({}, on));
    obj = new ConfigObjServant(service, new RateLimiter(0));
    const push = (key: ReturnType<typeof k>, content: string) => service.push(key, content, 'test', '');
    await push(k('A', 'common.conf'), 'app=1');
    await push(k('A', 'common.conf', {setId: SET}), 'app=set');
    await push(k('A', 'extra.conf'), 'extra=1');
    await push(k('A.S', 'app.conf'), 'srv=1');
    await push(k('A.S', 'app.conf', {setId: SET}), 'srv=set');
    await push(k('A.S', 'app.conf', {node: '10.0.0.1'}), 'node=1');
    await push(k('A.S', 'app.conf', {node: '10.0.0.1', setId: SET}), 'node=set');
    await push(k('A.S', 'node-only.conf', {node: '10.0.0.1'}), 'only=1');
    await push(k('A.S', 'empty.conf'), '');
    await push(k('A.S', 'empty.conf', {node: '10.0.0.1'}), 'e=1');
    await service.addReference(k('A.S', 'app.conf'), k('A', 'common.conf'));
    await service.addReference(k('A.S', 'app.conf', {setId: SET}), k('A', 'common.conf'));
    await service.addReference(k('A.S', 'app.conf', {node: '10.0.0.1'}), k('A', 'extra.conf'));
    await service.addReference(k('A.S', 'app.conf', {node: '10.0.0.1', setId: SET}), k('A', 'extra.conf'));
  });

  after(() => close());

  const info = (init: Partial<ConfigF.ConfigInfo>) => ConfigF.ConfigInfo.create(init);

  it('app level, no SET: the app file alone (loadConfig with no server)', async () => {
    expect((await obj.loadConfig('A', '', 'common.conf', fromN1))).to.deep.equal({ret: 0, config: 'app=1'});
  });

  it('server level from a host with no node file: references, then the server file', async () => {
    expect((await obj.loadConfig('A', 'S', 'app.conf', fromN2)).config).to.equal(`app=1${S}srv=1`);
  });

  it('node level: server references, server file, node references, node file, in that order', async () => {
    expect((await obj.loadConfig('A', 'S', 'app.conf', fromN1)).config).to.equal(`app=1${S}srv=1${S}extra=1${S}node=1`);
  });

  it('the node is the request context node_name when present, else the caller IP', async () => {
    expect((await obj.loadConfig('A', 'S', 'app.conf', ctxFrom('10.9.9.9', {node_name: '10.0.0.1'}))).config)
      .to.equal(`app=1${S}srv=1${S}extra=1${S}node=1`);
  });

  it('an empty piece adds no separator', async () => {
    expect((await obj.loadConfig('A', 'S', 'empty.conf', fromN1)).config).to.equal('e=1');
  });

  it('loadConfigByInfo app-only: the app file, then its SET version', async () => {
    expect((await obj.loadConfigByInfo(info({appname: 'A', filename: 'common.conf', bAppOnly: true}), fromN1)))
      .to.deep.equal({ret: 0, config: 'app=1'});
    expect((await obj.loadConfigByInfo(info({appname: 'A', filename: 'common.conf', bAppOnly: true, setdivision: SET}),
      fromN1))).to.deep.equal({ret: 0, config: `app=1${S}app=set`});
    expect((await obj.loadConfigByInfo(info({appname: 'A', servername: '', filename: 'common.conf', setdivision: SET}),
      fromN1))).to.deep.equal({ret: 0, config: `app=1${S}app=set`});
  });

  it('loadConfigByInfo without SET: as loadConfig, host from the info or the caller', async () => {
    expect((await obj.loadConfigByInfo(info({appname: 'A', servername: 'S', filename: 'app.conf'}), fromN1)).config)
      .to.equal(`app=1${S}srv=1${S}extra=1${S}node=1`);
    expect((await obj.loadConfigByInfo(info({appname: 'A', servername: 'S', filename: 'app.conf', host: '10.0.0.1'}),
      fromN2)).config).to.equal(`app=1${S}srv=1${S}extra=1${S}node=1`);
    expect((await obj.loadConfigByInfo(info({appname: 'A', servername: 'S', filename: 'app.conf'}), fromN2)).config)
      .to.equal(`app=1${S}srv=1`);
  });

  it('loadConfigByInfo in a SET: the SET rows, each app-level reference followed by its SET version', async () => {
    expect((await obj.loadConfigByInfo(info({appname: 'A', servername: 'S', filename: 'app.conf', setdivision: SET}),
      fromN1)).config).to.equal(`app=1${S}app=set${S}srv=set${S}extra=1${S}node=set`);
    expect((await obj.loadConfigByInfo(info({appname: 'A', servername: 'S', filename: 'app.conf', setdivision: SET}),
      fromN2)).config).to.equal(`app=1${S}app=set${S}srv=set`);
  });

  it('a SET with no rows of its own gives nothing at server level (no fallback to the no-SET rows)', async () => {
    expect((await obj.loadConfigByInfo(info({appname: 'A', servername: 'S', filename: 'app.conf', setdivision: 'bj.b.2'}),
      fromN1))).to.deep.equal({ret: 0, config: ''});
  });

  it('a malformed setdivision is -1', async () => {
    expect((await obj.loadConfigByInfo(info({appname: 'A', servername: 'S', filename: 'app.conf', setdivision: 'sz.a'}),
      fromN1)).ret).to.equal(-1);
    expect((await obj.ListConfigByInfo(info({appname: 'A', servername: 'S', setdivision: 'x'}), fromN1)).ret).to.equal(-1);
  });

  it('ListConfig names the node-level files of the caller; ListConfigByInfo those of the info host and SET', async () => {
    expect((await obj.ListConfig('A', 'S', fromN1))).to.deep.equal({ret: 0, vf: ['app.conf', 'node-only.conf', 'empty.conf']});
    expect((await obj.ListConfig('A', 'S', fromN2))).to.deep.equal({ret: 0, vf: []});
    expect((await obj.ListConfigByInfo(info({appname: 'A', servername: 'S', host: '10.0.0.1', setdivision: SET}), fromN2)))
      .to.deep.equal({ret: 0, vf: ['app.conf']});
  });

  it('ListAllConfigByInfo: app-level names, or the server names (node-level on a host when given)', async () => {
    const all = (init: Partial<ConfigF.GetConfigListInfo>) => obj.ListAllConfigByInfo(ConfigF.GetConfigListInfo
      .create(init), fromN1);
    expect((await all({appname: 'A', bAppOnly: true})).vf).to.deep.equal(['common.conf', 'extra.conf']);
    expect((await all({appname: 'A', servername: 'S'})).vf).to.deep.equal(['app.conf', 'node-only.conf', 'empty.conf']);
    expect((await all({appname: 'A', servername: 'S', host: '10.0.0.2'})).vf).to.deep.equal([]);
    expect((await all({appname: 'A', servername: 'S', setdivision: SET})).vf).to.deep.equal(['app.conf']);
  });

  it('checkConfig: the merged file when it parses, -1 with the parser error when not', async () => {
    expect((await obj.checkConfig('A.S', 'app.conf', '10.0.0.1'))).to.deep.equal({ret: 0,
      result: `app=1${S}srv=1${S}extra=1${S}node=1`});
    await service.push(k('A.S', 'broken.conf'), '<a>\nx=1\n', 'test', '');
    const r = (await obj.checkConfig('A.S', 'broken.conf', '10.0.0.1'));
    expect(r.ret).to.equal(-1);
    expect(r.result).to.match(/not closed|unclosed|<a>/i);
  });

  it('a referenced file that changes changes every file that references it', async () => {
    await service.push(k('A', 'common.conf'), 'app=2', 'test', '');
    expect((await obj.loadConfig('A', 'S', 'app.conf', fromN2)).config).to.equal(`app=2${S}srv=1`);
  });

  it('later pieces win when the merged file is parsed', async () => {
    await service.push(k('A', 'win.conf'), '<x>\nv=app\nkeep=app\n</x>', 'test', '');
    await service.push(k('A.S', 'win.conf'), '<x>\nv=server\n</x>', 'test', '');
    await service.push(k('A.S', 'win.conf', {node: '10.0.0.3'}), '<x>\nv=node\n</x>', 'test', '');
    await service.addReference(k('A.S', 'win.conf'), k('A', 'win.conf'));
    const merged = parseTarsConfig((await obj.loadConfig('A', 'S', 'win.conf', ctxFrom('10.0.0.3'))).config);
    expect([merged.get('/x<v>'), merged.get('/x<keep>')]).to.deep.equal(['node', 'app']);
  });
});
