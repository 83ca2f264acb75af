import {Args} from '@oclif/core';
import {RegistryClientCommand} from '@tars-ts/kit';

import type {CodeGuide} from '../lib/doctor/codes.js';
import type {ObjectDiagnosis} from '../lib/doctor/object-checks.js';

/** `tars doctor CODE --json`. */
export interface CodeDoctorJson {
  query: string;
  codes: CodeGuide[];
}

export default class Doctor extends RegistryClientCommand {
  static override summary = 'Explain a TARS return code, or check an object end to end and say what to do next.';

  static override description = `For a return code (-1..-13, -99, -106, TarsGo's 1, the admin codes 1001..1012) or its name
(TARSINVOKETIMEOUT, invoke_timeout): what it means, which side raises it and when, and the usual causes in order,
each with the command that checks it. A bare 7 is read as -7.

For an object (App.Server.Obj): asks the registry for its endpoints, the deployment and node of each instance,
pings every endpoint, reads the last 15 minutes of call statistics and the newest notifications, and prints each
finding with a next step. Exit 1 when a check failed, 0 otherwise (warnings included).`;

  static override examples = ['<%= config.bin %> <%= command.id %> -7', '<%= config.bin %> <%= command.id %> TARSADAPTERNULL',
    '<%= config.bin %> <%= command.id %> TestApp.HelloGo.SayHelloObj'];

  static override args = {
    target: Args.string({description: 'a return code or its name, or an object App.Server.Obj', required: true}),
  };

  async run(): Promise<CodeDoctorJson | ObjectDiagnosis> {
    const {args, flags} = await this.parse(Doctor);
    const {UserError, ReportedFailure, ExitCode} = await import('@tars-ts/kit');
    const target = args.target.trim();
    if (/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(target) && !/^[+-]?\d+$/.test(target)) {
      const {diagnoseObject} = await import('../lib/doctor/object-checks.js');
      const {diagnosisLines} = await import('../lib/doctor/render.js');
      // the registry's communicator (with the admin token's keys), made by the first registry proxy
      await this.registry((await import('@tars-ts/core/framework')).QueryF.QueryFProxy, flags);
      const diagnosis = await diagnoseObject({communicator: this.registryCommunicator!,
        locator: await this.registryLocator(flags), timeoutMs: this.settings.timeout(flags.timeout)}, target);
      if (!this.jsonEnabled()) for (const line of diagnosisLines(diagnosis)) this.log(line);
      if (diagnosis.problems > 0) {
        throw new ReportedFailure(`${diagnosis.problems} check(s) of ${target} failed`, ExitCode.FAILURE, diagnosis);
      }
      return diagnosis;
    }
    const {findCodeGuides} = await import('../lib/doctor/codes.js');
    const codes = findCodeGuides(target);
    if (codes.length === 0) {
      throw new UserError(`"${target}" is neither a TARS return code nor an object App.Server.Obj`, {code: 'BAD_ARGUMENT',
        hint: 'give a code (-7, 1001) or a name (TARSINVOKETIMEOUT), or an object (TestApp.HelloGo.SayHelloObj)'});
    }
    const {codeLines} = await import('../lib/doctor/render.js');
    if (!this.jsonEnabled()) for (const line of codeLines(codes)) this.log(line);
    return {query: target, codes};
  }
}
