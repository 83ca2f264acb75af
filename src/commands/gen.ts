import {Args, Flags} from '@oclif/core';

import {ExitCode, TarsCommand} from '@tars-ts/kit';
import type {GenResult} from '../lib/gen.js';

export default class Gen extends TarsCommand {
  static override summary = 'Generate TypeScript from .tars IDL files.';

  static override description = `Parses the .tars files and every file they #include, checks them (unknown types, duplicate tags,
wrong defaults, ... each reported with file:line:col and a hint) and writes one TypeScript module per .tars
file, named after it (Hello.tars -> HelloTars.ts): structs with encode/decode and JSON conversion, enums,
consts, and for each interface a client proxy (XxxProxy) and a servant base (XxxServant). Generated code
imports only @tars-ts/core. Files whose content is already up to date are not rewritten.`;

  static override examples = [
    {description: 'Generate into the current directory', command: '<%= config.bin %> <%= command.id %> Hello.tars'},
    {description: 'Generate into src/gen, with includes from ./idl', command: '<%= config.bin %> <%= command.id %> Hello.tars -o src/gen -I idl'},
    {description: 'Fail in CI when the committed output is stale', command: '<%= config.bin %> <%= command.id %> *.tars -o src/gen --check'},
    {description: 'Fail in CI on a wire-incompatible change since main', command: '<%= config.bin %> <%= command.id %> idl/*.tars -o src/gen --against main'},
    {description: 'Regenerate on every change', command: '<%= config.bin %> <%= command.id %> Hello.tars -o src/gen --watch'},
  ];

  static override strict = false;

  static override args = {
    files: Args.string({description: '.tars files to generate from', required: true}),
  };

  static override flags = {
    out: Flags.string({char: 'o', summary: 'Output directory (created when missing).', default: '.'}),
    include: Flags.string({char: 'I', summary: 'Directory searched for #include files (repeatable).', multiple: true,
      default: []}),
    watch: Flags.boolean({summary: 'Regenerate whenever one of the input files changes; stop with Ctrl-C.',
      exclusive: ['check']}),
    check: Flags.boolean({summary: 'Write nothing; exit 1 when a generated file is missing or out of date.'}),
    against: Flags.string({summary: 'First compare with the old version (git ref, or .tars file or directory); exit 1 ' +
      'without generating on a breaking change.', exclusive: ['watch']}),
    'import-from': Flags.string({summary: 'Module the generated code imports the runtime from.',
      default: '@tars-ts/core', helpGroup: 'ADVANCED'}),
  };

  async run(): Promise<GenResult | void> {
    const {argv, flags} = await this.parse(Gen);
    const {runGeneration} = await import('../lib/gen.js');
    const request = {files: argv as string[], out: flags.out, include: flags.include, check: flags.check,
      importFrom: flags['import-from'], against: flags.against};
    if (flags.watch) {
      const {watchGeneration} = await import('../lib/gen-watch.js');
      await watchGeneration(request, (line) => this.logToStderr(line));
      return;
    }
    const result = runGeneration(request);
    for (const w of result.warnings) this.logToStderr(w);
    const against = result.against;
    if (against !== undefined && !this.jsonEnabled()) {
      const {formatReport} = await import('../lib/idl-diff.js');
      for (const f of against.newFiles) this.log(`new file  ${f} (not in ${against.against}: everything in it is added)`);
      for (const line of formatReport(against)) this.log(line);
    }
    if (against !== undefined && against.breaking > 0) {
      if (this.jsonEnabled()) this.logJson(result);
      else this.logToStderr(`error: ${against.breaking} breaking change(s) against ${against.against}; nothing ` +
        'generated\nhint: keep old tags, parameters and enumerator values (add optional fields and new functions ' +
        'instead), or, when the break is intended, run without --against');
      this.exit(ExitCode.FAILURE);
    }
    if (!this.jsonEnabled()) {
      for (const f of result.files) this.log(`${f.status.padEnd(9)} ${f.path}  (from ${f.source})`);
      const written = result.files.filter((f) => f.status === 'written').length;
      this.log(flags.check
        ? `${result.files.length} file(s) checked in ${result.ms} ms`
        : `${written} written, ${result.files.length - written} unchanged, in ${result.ms} ms`);
    }
    if (flags.check && result.files.some((f) => f.status !== 'unchanged')) {
      if (this.jsonEnabled()) this.logJson(result);
      else this.logToStderr('error: generated files are out of date\nhint: run the same command without --check');
      this.exit(ExitCode.FAILURE);
    }
    return result;
  }
}
