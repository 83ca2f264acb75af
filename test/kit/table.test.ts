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

describe('kit: the nodes view shared by tars registry nodes and tars node list', () => {
  it('turns RegistryCtl nodes into the JSON and the plain table', async () => {
    const {RegistryCtl} = await import('@tars-ts/core/framework');
    const {nodesJson, nodesText} = await import('@tars-ts/kit');
    const at = Date.parse('2026-12-02T10:00:00.000Z');
    const json = nodesJson([RegistryCtl.RegistryNode.create({name: 'n1', nodeObj: 'tars.tarsnode.NodeObj@tcp -h h -p 1',
      alive: true, lastHeartbeat: BigInt(at), load1: 0.5, load5: 0.25, load15: 0, servers: 2, version: ''})]);
    expect(json).to.deep.equal({nodes: [{name: 'n1', nodeObj: 'tars.tarsnode.NodeObj@tcp -h h -p 1', alive: true,
      lastHeartbeat: '2026-12-02T10:00:00.000Z', load: [0.5, 0.25, 0], servers: 2, version: ''}]});
    const text = await nodesText(json, at + 3000, false);
    expect(text.split('\n')[1]).to.match(/^n1\s+alive\s+3 s ago\s+0\.50 0\.25 0\.00\s+2\s+-\s+tars\.tarsnode\.NodeObj@/);
    expect(await nodesText({nodes: []})).to.equal('no node has registered');
  });
});
