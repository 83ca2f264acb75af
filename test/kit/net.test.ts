// How a bound endpoint is dialled: from this machine (loopback) and from other hosts (this host's address).
import {expect} from 'chai';

import {hostAddress, isWildcardHost, loopbackEndpoint, reachableEndpoint} from '@tars-ts/kit';

describe('kit: endpoints as others dial them', () => {
  it('a wildcard host (0.0.0.0, ::, *) is dialled on loopback from here, at the host\'s address from elsewhere', () => {
    const here = hostAddress() ?? '127.0.0.1';
    for (const wild of ['0.0.0.0', '::', '*']) {
      expect(isWildcardHost(wild)).to.equal(true);
      expect(loopbackEndpoint(`tcp -h ${wild} -p 17890 -t 60000`)).to.equal('tcp -h 127.0.0.1 -p 17890 -t 60000');
      expect(reachableEndpoint(`tcp -h ${wild} -p 17890 -e 1`)).to.equal(`tcp -h ${here} -p 17890 -e 1`);
    }
  });

  it('any other host is left as it is, also one that merely starts like a wildcard', () => {
    for (const e of ['tcp -h 10.0.0.5 -p 1', 'tcp -h 0.0.0.01 -p 1', 'ssl -h ::1 -p 2 -t 3000']) {
      expect(loopbackEndpoint(e)).to.equal(e);
      expect(reachableEndpoint(e)).to.equal(e);
    }
    expect(isWildcardHost('127.0.0.1')).to.equal(false);
  });
});
