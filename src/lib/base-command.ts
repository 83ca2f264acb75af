import {Command, Errors} from '@oclif/core';
import {TarsError} from '@tars-ts/core';

import {ExitCode, ReportedFailure, UserError} from './user-error.js';

interface ErrorReport {
  code: string;
  message: string;
  hint?: string;
  exit: number;
}

/** How an error is reported: user errors and TarsErrors as one line plus a hint, anything else as a failure. */
export function reportOf(err: unknown): ErrorReport {
  if (err instanceof UserError) return {code: err.code, message: err.message, hint: err.options.hint, exit: err.exit};
  if (err instanceof TarsError) {
    const exit = err.code === 'IDL_FILE_NOT_FOUND' ? ExitCode.USAGE : ExitCode.FAILURE;
    return {code: err.code, message: err.message, hint: err.spec.hint, exit};
  }
  const e = err as {message?: string; oclif?: {exit?: number}; code?: string};
  if (e?.oclif?.exit !== undefined) {
    // oclif's own parse errors: bad flags and arguments.
    return {code: 'USAGE', message: e.message ?? String(err), hint: 'see --help', exit: e.oclif.exit};
  }
  return {code: e?.code ?? 'FAILURE', message: e?.message ?? String(err), exit: ExitCode.FAILURE};
}

/**
 * Base of every `tars` command: `--json` on every command, and errors reported the same way everywhere
 * (spec/cli.md): `error: ...` and `hint: ...` on stderr with a documented exit code and no stack unless
 * `DEBUG` is set, or `{"error": {...}}` on stdout with `--json`.
 */
export abstract class TarsCommand extends Command {
  static override enableJsonFlag = true;

  protected override async catch(err: Error & {exitCode?: number}): Promise<unknown> {
    if (err instanceof Errors.ExitError) throw err;
    if (err instanceof ReportedFailure) {
      if (this.jsonEnabled()) this.logJson(err.json);
      else process.stderr.write(`error: ${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ''}`);
      return this.exit(err.exit);
    }
    const report = reportOf(err);
    if (this.jsonEnabled()) {
      this.logJson({error: {code: report.code, message: report.message, ...(report.hint ? {hint: report.hint} : {})}});
    } else {
      // IDL diagnostics arrive formatted, each with its own `file:line:col: error:` label.
      const preformatted = err instanceof TarsError && err.code.startsWith('IDL_') && /^\S+:\d+:\d+: /.test(err.message);
      const lines = [preformatted ? report.message : `error: ${report.message}`];
      if (report.hint) lines.push(`hint: ${report.hint}`);
      if (process.env.DEBUG && err.stack) lines.push(err.stack);
      process.stderr.write(lines.join('\n') + '\n');
    }
    return this.exit(report.exit);
  }
}
