import {expect} from 'chai';

import {renderTable} from '@tars-ts/kit';

describe('kit: tables', () => {
  const head = ['OBJECT', 'ACTIVE'];
  const rows = [['A.B.CObj', '1'], ['tars.tarsregistry.QueryObj', '12']];

  it('on a terminal: one boxed table, a rule under the header only', async () => {
    const lines = (await renderTable(head, rows, true)).split('\n');
    expect(lines).to.have.length(6);
    expect(lines[0]).to.match(/^┌─+┬─+┐$/);
    expect(lines[1]).to.match(/^│ OBJECT\s+│ ACTIVE │$/);
    expect(lines[2]).to.match(/^├─+┼─+┤$/);
    expect(lines[3]).to.match(/^│ A\.B\.CObj\s+│ 1\s+│$/);
    expect(lines[5]).to.match(/^└─+┴─+┘$/);
  });

  it('in a pipe: plain aligned columns, no box characters, no trailing spaces', async () => {
    expect(await renderTable(head, rows, false)).to.equal(
      'OBJECT                      ACTIVE\nA.B.CObj                    1\ntars.tarsregistry.QueryObj  12');
  });
});
