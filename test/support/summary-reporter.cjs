'use strict';
// Mocha's spec reporter plus the plain summary line CI reads: "N passed, N failed".
const Mocha = require('mocha');

const {Spec} = Mocha.reporters;
const {EVENT_RUN_END} = Mocha.Runner.constants;

class SummaryReporter extends Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const {passes, failures} = runner.stats ?? {passes: 0, failures: 0};
      process.stdout.write(`${passes} passed, ${failures} failed\n`);
    });
  }
}

module.exports = SummaryReporter;
