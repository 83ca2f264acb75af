import {Args, Flags} from '@oclif/core';

import {ExitCode, TarsCommand} from '@tars-ts/kit';
import type {IdlDiffReport} from '../../lib/idl-diff.js';

/** `tars idl diff OLD NEW`: the wire-compatibility check of two versions of an interface, for CI. */
export default class IdlDiff extends TarsCommand {
  static override summary = 'Report wire-incompatible changes between two versions of a .tars file.';

  static override description = `Loads both files (with their #includes) and lists what changed in TARS wire terms: breaking changes
(a required field added, a tag reused with another type, a parameter added, removed or reordered, a function or
interface removed, an enumerator renumbered or removed, ...), risky ones that still decode but change meaning
(an integer widened, a default or const changed, a parameter renamed for TUP/JSON callers) and compatible ones
(an optional field or a function added, a field renamed). Exit 1 when anything is breaking, 0 otherwise.`;

  static override examples = [
    {description: 'Compare two versions', command: '<%= config.bin %> <%= command.id %> old/Hello.tars Hello.tars'},
    {description: 'In CI, as JSON', command: '<%= config.bin %> <%= command.id %> v1/Hello.tars Hello.tars -I idl --json'},
    {description: 'Against a git ref instead', command: '<%= config.bin %> gen Hello.tars --against main'},
  ];

  static override args = {
    old: Args.string({description: 'the old version of the .tars file', required: true}),
    new: Args.string({description: 'the new version of the .tars file', required: true}),
  };

  static override flags = {
    include: Flags.string({char: 'I', summary: 'Directory searched for #include files (repeatable).', multiple: true,
      default: []}),
  };

  async run(): Promise<IdlDiffReport & {old: string; new: string}> {
    const {args, flags} = await this.parse(IdlDiff);
    const {formatReport, runIdlDiff} = await import('../../lib/idl-diff.js');
    const report = {old: args.old, new: args.new, ...runIdlDiff({old: args.old, new: args.new,
      include: flags.include})};
    if (!this.jsonEnabled()) for (const line of formatReport(report)) this.log(line);
    if (report.breaking > 0) {
      if (this.jsonEnabled()) this.logJson(report);
      else this.logToStderr(`error: ${report.breaking} breaking change(s) between ${args.old} and ${args.new}\n` +
        'hint: keep old tags, parameters and enumerator values; add optional fields and new functions instead');
      this.exit(ExitCode.FAILURE);
    }
    return report;
  }
}
