import {expect} from 'chai';

import {inside, serverLayout} from '../src/index.js';

describe('node: server layout', () => {
  it('puts each server under <data>/<App>.<Server> with bin, conf, data and log', () => {
    const l = serverLayout('/var/tars/node', 'TestApp', 'HelloGo');
    expect(l).to.deep.equal({root: '/var/tars/node/TestApp.HelloGo', bin: '/var/tars/node/TestApp.HelloGo/bin',
      conf: '/var/tars/node/TestApp.HelloGo/conf', data: '/var/tars/node/TestApp.HelloGo/data',
      log: '/var/tars/node/TestApp.HelloGo/log', configFile: '/var/tars/node/TestApp.HelloGo/conf/TestApp.HelloGo.config.conf'});
  });

  it('refuses names that would be paths', () => {
    for (const [app, server] of [['..', 'X'], ['A/B', 'X'], ['A', ''], ['A', '../../etc'], ['A', '.hidden']]) {
      expect(() => serverLayout('/d', app!, server!), `${app}.${server}`).to.throw(/is not a TARS name/);
    }
  });

  it('keeps package paths inside the package: no absolute path, no climbing out', () => {
    expect(inside('/d/A.B/bin', 'dist/HelloGo.js')).to.equal('/d/A.B/bin/dist/HelloGo.js');
    expect(inside('/d/A.B/bin', 'x/../y.js')).to.equal('/d/A.B/bin/y.js');
    for (const bad of ['/etc/passwd', '../conf/x', 'a/../../x', '..', '.', '', 'a\0b']) {
      expect(() => inside('/d/A.B/bin', bad), bad).to.throw(/not a path inside the package|leaves the package/);
    }
  });
});
