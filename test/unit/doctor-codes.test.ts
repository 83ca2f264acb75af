// `tars doctor CODE`: every code a TARS call or admin command can return is known, with its name, who raises it and
// causes that each name a command to check; codes are found by number (a bare 7 is -7) or by name.
import {expect} from 'chai';

import {ReturnCode} from '@tars-ts/core';

import {CODE_GUIDES, findCodeGuides} from '../../src/lib/doctor/codes.js';
import {codeLines} from '../../src/lib/doctor/render.js';

describe('tars doctor: return codes', () => {
  it('knows every BaseF return code, with the official name for its value', () => {
    for (const [name, value] of Object.entries(ReturnCode)) {
      const guides = findCodeGuides(String(value));
      expect(guides.length, name).to.be.greaterThan(0);
      if (name !== 'TARSASYNCCALLTIMEOUT') expect(guides.map((g) => g.name), name).to.include(name);
    }
  });

  it('every guide but success has causes, and every cause names a tars command to check it', () => {
    for (const g of CODE_GUIDES.filter((c) => c.code !== 0)) {
      expect(g.causes.length, g.name).to.be.greaterThan(0);
      for (const c of g.causes) expect(c.check, `${g.name}: ${c.cause}`).to.match(/tars |date|the message|--help/);
    }
  });

  const lookups: [string, string[]][] = [
    ['-7', ['TARSINVOKETIMEOUT']],
    ['7', ['TARSINVOKETIMEOUT']],
    ['TARSASYNCCALLTIMEOUT', ['TARSINVOKETIMEOUT']],
    ['tarsadapternull', ['TARSADAPTERNULL']],
    ['invoke_timeout', ['TARSINVOKETIMEOUT']],
    ['1001', ['EM_TARS_NODE_NOT_REGISTRY_ERR']],
    ['-1', ['TARSSERVERDECODEERR', 'EM_TARS_UNKNOWN_ERR']],
    ['1', ['TARSGO_ERROR']],
    ['+7', []],
    ['12345', []],
    ['xyz', []],
  ];
  for (const [query, names] of lookups) {
    it(`"${query}" finds ${names.join(' and ') || 'nothing'}`, () => {
      expect(findCodeGuides(query).map((g) => g.name)).to.deep.equal(names);
    });
  }

  it('prints the meaning, who raises it, whether a retry helps, and the numbered causes with their checks', () => {
    const lines = codeLines(findCodeGuides('-8'));
    expect(lines[0]).to.equal('-8 TARSPROXYCONNECTERR');
    expect(lines).to.include('  retrying the same call may succeed.');
    expect(lines.join('\n')).to.match(/ {4}1\. the server is not running\n {7}check: tars server status SERVER/);
  });
});
