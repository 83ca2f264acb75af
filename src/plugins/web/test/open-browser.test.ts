// `tars web --open` never fails for lack of a browser: no display, or no opener on the PATH, is just "not opened".
import {expect} from 'chai';

import {openInBrowser} from '../src/open-browser.js';

describe('tars web --open', () => {
  it('opens nothing and says so when there is no display', async function () {
    if (process.platform !== 'linux') this.skip();
    expect(await openInBrowser('http://127.0.0.1:1/', {PATH: process.env.PATH})).to.equal(false);
  });

  it('says "not opened" when the opener is missing, instead of failing', async () => {
    expect(await openInBrowser('http://127.0.0.1:1/', {DISPLAY: ':99', PATH: '/nonexistent'})).to.equal(false);
  });
});
