import {expect} from 'chai';
import {readFileSync} from 'node:fs';

import {
  ERROR_CATALOGUE, ReturnCode, TarsReturnCodeError, errorCatalogueMarkdown, returnCodeName,
} from '@tars-ts/core';

describe('error catalogue', () => {
  it('docs/errors.md carries the same table as the catalogue', () => {
    const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    const table = /<!-- errors:begin -->\n([\s\S]*?)\n<!-- errors:end -->/.exec(doc)?.[1];
    expect(table, 'run scripts/update-error-docs.ts').to.equal(errorCatalogueMarkdown());
  });

  it('has unique codes and unique wire codes', () => {
    const codes = ERROR_CATALOGUE.map((e) => e.code);
    expect(new Set(codes).size).to.equal(codes.length);
    const wire = ERROR_CATALOGUE.flatMap((e) => (e.wireCode === undefined ? [] : [e.wireCode]));
    expect(new Set(wire).size).to.equal(wire.length);
  });

  it('carries every BaseF return code with its exact value', () => {
    for (const [name, value] of Object.entries(ReturnCode)) {
      if (value === 0) continue;
      const entry = ERROR_CATALOGUE.find((e) => e.wireCode === value);
      expect(entry, name).to.not.equal(undefined);
      // TARSASYNCCALLTIMEOUT shares -7 with TARSINVOKETIMEOUT.
      if (name !== 'TARSASYNCCALLTIMEOUT') expect(entry!.code).to.equal(name);
    }
    expect(ReturnCode).to.include({
      TARSSERVERDECODEERR: -1, TARSSERVERNOFUNCERR: -3, TARSSERVERNOSERVANTERR: -4, TARSSERVERQUEUETIMEOUT: -6,
      TARSINVOKETIMEOUT: -7, TARSSERVEROVERLOAD: -9, TARSADAPTERNULL: -10, TARSSENDREQUESTERR: -13,
      TARSSERVERUNKNOWNERR: -99,
    });
  });

  it('names return codes, keeping unknown ones as received', () => {
    expect(returnCodeName(-7)).to.equal('TARSINVOKETIMEOUT');
    expect(returnCodeName(0)).to.equal('TARSSERVERSUCCESS');
    expect(returnCodeName(1)).to.equal('UNKNOWN(1)');
    const goError = new TarsReturnCodeError(1, 'func mismatch');
    expect(goError.returnCode).to.equal(1);
    expect(goError.code).to.equal('TARSSERVERUNKNOWNERR');
    const overload = new TarsReturnCodeError(-9, 'queue full');
    expect(overload.code).to.equal('TARSSERVEROVERLOAD');
    expect(overload.retryable).to.equal(true);
  });
});
