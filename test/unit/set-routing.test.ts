import {expect} from 'chai';

import {endpoint} from '@tars-ts/core';

import {acceptsSetCall, parseSetId, selectBySet} from '../../core/src/rpc/set-routing.js';

const ep = (port: number, setId?: string) => endpoint({host: '127.0.0.1', port, ...(setId ? {setId} : {})});
const ports = (list: {port: number}[]) => list.map((e) => e.port);

describe('SET routing', () => {
  const all = [ep(1, 'sz.a.1'), ep(2, 'sz.a.2'), ep(3, 'sz.a.*'), ep(4, 'sz.b.1'), ep(5, 'bj.a.1'), ep(6)];

  it('parses set ids of exactly three parts', () => {
    expect(parseSetId('sz.a.1')).to.deep.equal({name: 'sz', area: 'a', group: '1'});
    expect(parseSetId('sz.a')).to.equal(undefined);
    expect(parseSetId('sz..1')).to.equal(undefined);
    expect(parseSetId(undefined)).to.equal(undefined);
  });

  it('calls the exact set, then the wildcard group of its area', () => {
    expect(ports(selectBySet(all, parseSetId('sz.a.1')!))).to.deep.equal([1]);
    expect(ports(selectBySet(all, parseSetId('sz.a.9')!))).to.deep.equal([3]);
    expect(ports(selectBySet(all, parseSetId('sz.b.7')!))).to.deep.equal([]);
  });

  it('a client group * calls every group of its name.area', () => {
    expect(ports(selectBySet(all, parseSetId('sz.a.*')!))).to.deep.equal([1, 2, 3]);
  });

  it('falls back to every endpoint when the callee has no instance in the client set name', () => {
    expect(ports(selectBySet(all, parseSetId('gz.a.1')!))).to.deep.equal([1, 2, 3, 4, 5, 6]);
  });

  it('the server accepts its own set, its name.area, other set names, and refuses another area of its name', () => {
    const own = parseSetId('sz.a.1')!;
    expect(acceptsSetCall(own, parseSetId('sz.a.1')!)).to.equal(true);
    expect(acceptsSetCall(own, parseSetId('sz.a.2')!)).to.equal(true);
    expect(acceptsSetCall(own, parseSetId('bj.x.1')!)).to.equal(true);
    expect(acceptsSetCall(own, parseSetId('sz.b.1')!)).to.equal(false);
  });
});
