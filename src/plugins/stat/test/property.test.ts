// tarsproperty's aggregation (framework.md 2.7, 3.3): the policies' value strings and how they merge.
import {expect} from 'chai';
import fc from 'fast-check';

import {PropertyF} from '@tars-ts/core/framework';

import {displayValue, mergeValue, mergeValues, normaliseProperty, numericValue} from '../src/property.js';

const head = (init: Partial<PropertyF.StatPropMsgHead> = {}): PropertyF.StatPropMsgHead =>
  PropertyF.StatPropMsgHead.create({moduleName: 'TestApp.HelloGo', ip: '10.9.9.9', propertyName: 'queue',
    iPropertyVer: 2, ...init});
const body = (pairs: [string, string][]): PropertyF.StatPropMsgBody => PropertyF.StatPropMsgBody.create({
  vInfo: pairs.map(([policy, value]) => PropertyF.StatPropInfo.create({policy, value}))});

describe('property aggregation', () => {
  it('keys by the socket IP, whatever ip the head carries (cpp sends "", go its local IP)', () => {
    const n = normaliseProperty(head({sContainer: 'c1'}), body([['Sum', '3']]), '127.0.0.1');
    expect(n.kind).to.equal('entry');
    if (n.kind === 'entry') expect(n.key).to.deep.equal({moduleName: 'TestApp.HelloGo', ip: '127.0.0.1',
      propertyName: 'queue', setName: '', setArea: '', setID: ''});
  });

  it('Sum and Count add, Max and Min keep the extreme, as integers', () => {
    expect(mergeValue('Sum', '10', '5')).to.equal('15');
    expect(mergeValue('Count', '3', '4')).to.equal('7');
    expect(mergeValue('Max', '10', '-5')).to.equal('10');
    expect(mergeValue('Min', '10', '-5')).to.equal('-5');
    // strto<long long>: the integer part of what node sends for a float sum.
    expect(mergeValue('Sum', '1.9', '2.9')).to.equal('3');
  });

  it('Avg is kept as sum=count (a plain value is one sample) and shown as sum/count', () => {
    const kept = mergeValue('Avg', '10', '20');
    expect(kept).to.equal('30=2');
    expect(mergeValue('Avg', kept, '60=3')).to.equal('90=5');
    expect(displayValue('Avg', '90=5')).to.equal('18');
    expect(displayValue('Avg', '10=3')).to.equal('3.33333');
    expect(displayValue('Avg', '7.5')).to.equal('7.5');
  });

  it('Distr adds counts field by field by position; cpp\'s trailing max| field merges like the others', () => {
    expect(mergeValue('Distr', '10|1,100|2,max|0', '10|3,100|0,max|4')).to.equal('10|4,100|2,max|4');
    // The kept value's fields decide, as officially; a missing incoming field adds 0.
    expect(mergeValue('Distr', '10|1,100|2', '10|5')).to.equal('10|6,100|2');
    expect(numericValue('Distr', '10|4,100|2')).to.equal(6);
  });

  it('refuses unknown policies, values that are not numbers, and malformed Distr values', () => {
    expect(normaliseProperty(head(), body([['Median', '3']]), 'ip').kind).to.equal('rejected');
    expect(normaliseProperty(head(), body([['Sum', 'lots']]), 'ip').kind).to.equal('rejected');
    expect(normaliseProperty(head(), body([['Distr', '10|1,oops']]), 'ip').kind).to.equal('rejected');
    expect(normaliseProperty(head(), body([]), 'ip').kind).to.equal('rejected');
    expect(normaliseProperty(head({propertyName: 'p'.repeat(600)}), body([['Sum', '1']]), 'ip').kind)
      .to.equal('rejected');
    expect(normaliseProperty(head(), body([['Distr', '10|1,100|0'], ['Avg', '2.5'], ['Max', '-3']]), 'ip').kind)
      .to.equal('entry');
    expect(normaliseProperty(head(), body([['Distr', '10|1,100|0,max|2']]), 'ip').kind, 'cpp Distr').to.equal('entry');
  });

  it('merging values in any order gives the same result for every policy (property)', () => {
    const ints = fc.array(fc.integer({min: -1_000_000, max: 1_000_000}), {minLength: 1, maxLength: 15});
    fc.assert(fc.property(ints, fc.constantFrom('Sum', 'Count', 'Max', 'Min', 'Avg'), (values, policy) => {
      const texts = values.map(String);
      const fold = (list: string[]) => list.slice(1).reduce((acc, v) => mergeValue(policy, acc, v), list[0]!);
      const forward = fold(texts);
      const backward = fold([...texts].reverse());
      expect(displayValue(policy, backward)).to.equal(displayValue(policy, forward));
    }), {numRuns: 300});
    const distrs = fc.array(fc.array(fc.nat(1000), {minLength: 3, maxLength: 3}), {minLength: 1, maxLength: 10});
    fc.assert(fc.property(distrs, (list) => {
      const texts = list.map((counts) => `10|${counts[0]},100|${counts[1]},1000|${counts[2]}`);
      const fold = (l: string[]) => l.slice(1).reduce((acc, v) => mergeValue('Distr', acc, v), l[0]!);
      expect(fold([...texts].reverse())).to.equal(fold(texts));
    }), {numRuns: 200});
  });

  it('merges whole value sets: a policy only one side has is taken as it is', () => {
    const into = new Map([['Sum', '1'], ['Max', '4']]);
    expect([...mergeValues(into, new Map([['Sum', '2'], ['Count', '1']]))]).to.deep.equal([['Sum', '3'], ['Max', '4'],
      ['Count', '1']]);
  });
});
