// The kit's call kit, what `tars call`, `tars describe` and the console's debugger share, without sockets: interfaces
// from in-memory .tars text (includes among the texts resolve), and JSON arguments keyed by parameter name.
import {expect} from 'chai';

import {loadCallKit} from '@tars-ts/kit';

const kit = await loadCallKit();

const SHAPES = 'module Geo { struct Point { 0 require int x; 1 require int y; }; };';
const DRAW = `#include "Shapes.tars"
module Geo { interface Draw { int area(vector<Point> poly, out string unit); }; interface Other { void nop(); }; };`;

describe('the call kit', () => {
  const interfaces = kit.interfacesFromText(new Map([['Shapes.tars', SHAPES], ['Draw.tars', DRAW]]), 'Geo.Srv/1');

  it('reads interfaces from .tars texts in memory, an include resolving to another text', () => {
    expect(interfaces.map((i) => i.name).sort()).to.deep.equal(['Geo.Draw', 'Geo.Other']);
    const draw = kit.chooseInterface(interfaces, 'Geo.Srv.DrawObj', undefined, 'test');
    expect(kit.signature(draw.operations[0]!)).to.equal('int area(vector<Geo.Point> poly, out string unit)');
  });

  it('names the file and the unknown type of .tars text that does not check', () => {
    expect(() => kit.interfacesFromText(new Map([['Bad.tars', 'module M { interface I { int f(Nope n); }; };']]), 'M.S/1'))
      .to.throw(/Bad\.tars.*Nope/s);
  });

  it('converts arguments keyed by parameter name, and names the path and the expected type of a wrong one', () => {
    const op = kit.findOperation(kit.chooseInterface(interfaces, 'Geo.Srv.DrawObj', undefined, 'test'), 'area');
    expect(kit.argsFromObject(op, {poly: [{x: 1, y: 2}]}, 'args')).to.deep.equal([[{x: 1, y: 2}]]);
    expect(() => kit.argsFromObject(op, {poly: [{x: 1, y: 'two'}]}, 'args'))
      .to.throw('poly[0].y: expected int (an integer), got the string "two"');
    expect(() => kit.argsFromObject(op, {}, 'args')).to.throw('args lacks "poly"');
    expect(() => kit.argsFromObject(op, {poly: [], unit: 'm'}, 'args'))
      .to.throw('args has "unit", which is not an in-parameter of area');
  });

  it('an unknown function is NO_FUNCTION with the nearest name', () => {
    const draw = kit.chooseInterface(interfaces, 'Geo.Srv.DrawObj', undefined, 'test');
    expect(() => kit.findOperation(draw, 'aera')).to.throw('Geo.Draw has no function "aera" (did you mean area?)');
  });
});
