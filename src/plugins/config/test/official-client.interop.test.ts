// Interop: the official Node client (@tars/rpc 2.0.15 over @tars/stream 2.0.3) calling our ConfigObj through a
// hand-written proxy in the shape tars2node generates for ConfigF.tars (tars2node is not on npm). The merged files
// it reads are byte for byte what the resolution rules say, "\r\n\r\n" separators and UTF-8 included.
/* eslint-disable @typescript-eslint/no-explicit-any */
import {expect} from 'chai';

import {Application, formatEndpoint} from '@tars-ts/core';

import {CONFIG_OBJ, ConfigObjServant, type ConfigService, RateLimiter} from '../src/index.js';
import {TarsStream, destroyOfficialClient, officialClient} from '../../../../test/support/rpc-oracle.js';
import {k, openService} from './fixtures.js';

// ---- what tars2node would generate for ConfigF.tars (module tars): struct ConfigInfo and ConfigProxy ----------------

/** struct tars::ConfigInfo, as tars2node writes it. */
class ConfigInfo {
  static readonly _classname = 'tars.ConfigInfo';
  _classname = 'tars.ConfigInfo';
  appname = '';
  servername = '';
  filename = '';
  bAppOnly = false;
  host = '';
  setdivision = '';

  static _write(os: any, tag: number, value: ConfigInfo): void {
    os.writeStruct(tag, value);
  }

  static _read(is: any, tag: number, def: any): ConfigInfo {
    return is.readStruct(tag, true, def);
  }

  static _readFrom(is: any): ConfigInfo {
    const tmp = new ConfigInfo();
    tmp.appname = is.readString(0, true, '');
    tmp.servername = is.readString(1, true, '');
    tmp.filename = is.readString(2, true, '');
    tmp.bAppOnly = is.readBoolean(3, true, false);
    tmp.host = is.readString(4, false, '');
    tmp.setdivision = is.readString(5, false, '');
    return tmp;
  }

  _writeTo(os: any): void {
    os.writeString(0, this.appname);
    os.writeString(1, this.servername);
    os.writeString(2, this.filename);
    os.writeBoolean(3, this.bAppOnly);
    os.writeString(4, this.host);
    os.writeString(5, this.setdivision);
  }

  static new(): ConfigInfo {
    return new ConfigInfo();
  }

  static create(is: any): ConfigInfo {
    return ConfigInfo._readFrom(is);
  }
}

function configInfo(init: Partial<Omit<ConfigInfo, '_classname' | '_writeTo'>>): ConfigInfo {
  return Object.assign(new ConfigInfo(), init);
}

/** The proxy tars2node generates for Config (TARS v1 only: what a service's RemoteConfig uses). */
class ConfigProxy {
  _name: any = undefined;
  _worker: any = undefined;

  setTimeout(iTimeout: number): void {
    this._worker.timeout = iTimeout;
  }

  private $invoke(func: string, write: (os: any) => void, read: (is: any) => any, property?: any): Promise<any> {
    const os = new TarsStream.TarsOutputStream();
    write(os);
    return this._worker.tars_invoke(func, os.getBinBuffer(), property).then((data: any) => {
      const is = new TarsStream.TarsInputStream(data.response.sBuffer);
      return {request: data.request, response: {costtime: data.request.costtime, return: is.readInt32(0, true, 0),
        arguments: read(is)}};
    }, (data: any) => {
      const error = new Error(`Call Config::${func} failed`) as any;
      error.response = {error: data.error};
      throw error;
    });
  }

  ListConfig(app: string, server: string, property?: any): Promise<any> {
    return this.$invoke('ListConfig', (os) => {
      os.writeString(1, app);
      os.writeString(2, server);
    }, (is) => ({vf: is.readList(3, true, TarsStream.List(TarsStream.String))}), property);
  }

  loadConfig(app: string, server: string, filename: string, property?: any): Promise<any> {
    return this.$invoke('loadConfig', (os) => {
      os.writeString(1, app);
      os.writeString(2, server);
      os.writeString(3, filename);
    }, (is) => ({config: is.readString(4, true, '')}), property);
  }

  loadConfigByInfo(info: ConfigInfo, property?: any): Promise<any> {
    return this.$invoke('loadConfigByInfo', (os) => os.writeStruct(1, info),
      (is) => ({config: is.readString(2, true, '')}), property);
  }
}

describe('config interop: the official @tars/rpc client reads merged files from our ConfigObj', function () {
  this.timeout(20_000);
  const S = '\r\n\r\n';
  let service: ConfigService;
  let closeStore: () => Promise<void>;
  let app: Application;
  let comm: any;
  let proxy: ConfigProxy;

  before(async () => {
    ({service, close: closeStore} = await openService());
    await service.push(k('A', 'common.conf'), '<common>\n名前=値\n</common>\n', 'x', '');
    await service.push(k('A', 'common.conf', {setId: 'sz.a.1'}), 'set=sz', 'x', '');
    await service.push(k('A.S', 'app.conf'), '<app>\nlevel=server\n</app>', 'x', '');
    await service.push(k('A.S', 'app.conf', {setId: 'sz.a.1'}), 'level=server-set', 'x', '');
    await service.push(k('A.S', 'app.conf', {node: '127.0.0.1'}), '<app>\nlevel=node\n</app>\r\n', 'x', '');
    await service.push(k('A.S', 'node.conf', {node: '127.0.0.1'}), 'n=1', 'x', '');
    await service.addReference(k('A.S', 'app.conf'), k('A', 'common.conf'));
    await service.addReference(k('A.S', 'app.conf', {setId: 'sz.a.1'}), k('A', 'common.conf'));
    app = Application.fromOptions({app: 'tars', server: 'tarsconfig', loglevel: 'NONE', graceMs: 500,
      local: 'tcp -h 127.0.0.1 -p 0', adapters: [{servant: CONFIG_OBJ, endpoint: 'tcp -h 127.0.0.1 -p 0 -t 60000'}]});
    app.addServant(new ConfigObjServant(service, new RateLimiter(0)), CONFIG_OBJ);
    await app.start();
    comm = officialClient(3000);
    proxy = comm.stringToProxy(ConfigProxy, `${CONFIG_OBJ}@${formatEndpoint(app.servantAdapters[0]!.endpoint)}`);
  });

  after(async () => {
    if (comm) destroyOfficialClient(comm);
    await app?.close();
    await closeStore?.();
  });

  it('loadConfig: server references, server file, node file (the caller is 127.0.0.1)', async () => {
    const r = await proxy.loadConfig('A', 'S', 'app.conf');
    expect(r.response.return).to.equal(0);
    expect(r.response.arguments.config).to.equal(
      `<common>\n名前=値\n</common>\n${S}<app>\nlevel=server\n</app>${S}<app>\nlevel=node\n</app>\r\n`);
    expect((await proxy.loadConfig('A', '', 'common.conf')).response.arguments.config)
      .to.equal('<common>\n名前=値\n</common>\n');
  });

  it('loadConfigByInfo: app-only with a SET, and a server in a SET', async () => {
    const appOnly = await proxy.loadConfigByInfo(configInfo({appname: 'A', filename: 'common.conf', bAppOnly: true,
      setdivision: 'sz.a.1'}));
    expect(appOnly.response.return).to.equal(0);
    expect(appOnly.response.arguments.config).to.equal(`<common>\n名前=値\n</common>\n${S}set=sz`);
    const inSet = await proxy.loadConfigByInfo(configInfo({appname: 'A', servername: 'S', filename: 'app.conf',
      setdivision: 'sz.a.1'}));
    expect(inSet.response.arguments.config).to.equal(`<common>\n名前=値\n</common>\n${S}set=sz${S}level=server-set`);
    const bad = await proxy.loadConfigByInfo(configInfo({appname: 'A', servername: 'S', filename: 'app.conf',
      setdivision: 'sz'}));
    expect(bad.response.return).to.equal(-1);
  });

  it('ListConfig: the node-level files of the caller', async () => {
    const r = await proxy.ListConfig('A', 'S');
    expect(r.response.return).to.equal(0);
    expect(r.response.arguments.vf.toObject()).to.deep.equal(['app.conf', 'node.conf']);
  });

  it('a node fetching for its servers names itself in the context (node_name)', async () => {
    const r = await proxy.loadConfig('A', 'S', 'app.conf', {context: {node_name: 'elsewhere'}});
    expect(r.response.arguments.config).to.equal(`<common>\n名前=値\n</common>\n${S}<app>\nlevel=server\n</app>`);
  });
});
