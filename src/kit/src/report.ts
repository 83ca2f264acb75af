import {TarsCallError, TarsError, returnCodeName} from '@tars-ts/core/errors';

import {ADMIN_OBJECTS, ADMIN_TOKEN_ENV} from './admin-token.js';
import {ExitCode, ReportedFailure, UserError} from './errors.js';

/** How a command reports an error: the lines for a terminal, the `--json` document, the exit code. */
export interface ErrorReport {
  /** A code of the error catalogue (docs/errors.md). */
  code: string;
  /** One line: what is wrong. */
  message: string;
  /** One line: what to do, with commands that can be pasted as they are. */
  hint?: string;
  exit: number;
  /** What `--json` prints: one document on stdout. */
  json: object;
  /** The message is already laid out as `file:line:col: error: ...` lines (IDL diagnostics): no `error:` prefix. */
  preformatted: boolean;
}

/**
 * Turns any error a command meets into its report (spec/cli.md), the one place that decides messages, hints,
 * JSON shapes and exit codes:
 * - a call that failed ({@link TarsCallError}): `-7 TARSINVOKETIMEOUT: ... (Obj.func at endpoint)` with its hint;
 *   exit 4 when nothing answered (timeout, connect failure, no endpoint), 3 when the server answered with a code,
 *   1 when the answer could not be read; JSON `{obj, func, endpoint, error: {code, name, message, hint}}`;
 * - a failure with its own document ({@link ReportedFailure}): as it says;
 * - a catalogue error ({@link UserError}, any {@link TarsError}): its message, its hint, the catalogue's exit code;
 *   JSON `{error: {code, message, hint}}`;
 * - oclif's parse errors (bad flags and arguments): USAGE, exit 2, with the command's help pointed to;
 * - anything else: FAILURE, exit 1 (a bug or the environment: `DEBUG=tars*` shows the stack).
 */
export function errorReport(err: unknown, commandId?: string): ErrorReport {
  if (err instanceof ReportedFailure) {
    return {code: 'FAILURE', message: err.message, ...(err.hint ? {hint: err.hint} : {}), exit: err.exit,
      json: err.json, preformatted: false};
  }
  if (err instanceof TarsCallError) {
    const message = `${err.returnCode} ${returnCodeName(err.returnCode)}: ${err.what} (${err.where})`;
    const exit = err.nothingAnswered ? ExitCode.NO_ANSWER : err.local ? ExitCode.FAILURE : ExitCode.REMOTE_ERROR;
    // A base service's admin object refusing us: what the CLI user does about it is the cluster's admin token.
    const hint = err.code === 'AUTH_ERROR' && ADMIN_OBJECTS.includes(err.obj)
      ? `${err.obj} is an admin object of the cluster: save its admin token on this machine (tars login), or set ` +
        `${ADMIN_TOKEN_ENV}; a refused one is not the cluster's` : err.hint;
    return {code: err.code, message, hint, exit, preformatted: false, json: {obj: err.obj, func: err.func,
      endpoint: err.endpoint ?? '', error: {code: err.returnCode, name: returnCodeName(err.returnCode), message,
        hint}}};
  }
  if (err instanceof TarsError) {
    const hint = err instanceof UserError ? err.hint : err.spec.hint;
    return {code: err.code, message: err.message, hint, exit: err.spec.exit ?? ExitCode.FAILURE,
      json: {error: {code: err.code, message: err.message, hint}},
      // IDL diagnostics arrive formatted, each with its own `file:line:col: error:` label.
      preformatted: err.code.startsWith('IDL_') && /^\S+:\d+:\d+: /.test(err.message)};
  }
  const e = err as {message?: string; oclif?: {exit?: number}; code?: string; args?: unknown} | undefined;
  if (e?.oclif?.exit !== undefined && e.oclif.exit !== 0) {
    const message = missingArgs(e.args) ?? usageMessage(e.message ?? String(err));
    const hint = `see: tars ${commandId ? `${commandId.replaceAll(':', ' ')} ` : ''}--help`;
    return {code: 'USAGE', message, hint, exit: ExitCode.USAGE, json: {error: {code: 'USAGE', message, hint}},
      preformatted: false};
  }
  const message = e?.message ?? String(err);
  return {code: 'FAILURE', message, exit: ExitCode.FAILURE, json: {error: {code: 'FAILURE', message}},
    preformatted: false};
}

/** oclif's RequiredArgsError in one line: `missing arguments: OBJ (servant object ...), FUNC (function name)`. */
function missingArgs(args: unknown): string | undefined {
  if (!Array.isArray(args) || args.length === 0 || typeof args[0] !== 'object') return undefined;
  const named = (args as {name?: string; description?: string}[]).filter((a) => a.name);
  if (named.length === 0) return undefined;
  return `missing argument${named.length === 1 ? '' : 's'}: ${named.map((a) =>
    `${a.name!.toUpperCase()}${a.description ? ` (${a.description})` : ''}`).join(', ')}`;
}

/**
 * oclif's parse errors in one line: its "See more help with --help" goes (the hint says it once), and so does the
 * paragraph on multi-value flags it appends to every missing-argument error.
 */
function usageMessage(text: string): string {
  return text.split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^See more help with/.test(line) && !/^Note:/.test(line) &&
      !/multiple values|the -- option|flag parsing/i.test(line))
    .join('; ');
}

/** The lines a terminal shows for a report: `error: ...`, `hint: ...`, and the stack when DEBUG is set. */
export function errorLines(report: ErrorReport, err: unknown): string[] {
  const lines = [report.preformatted ? report.message : `error: ${report.message}`];
  if (report.hint) lines.push(`hint: ${report.hint}`);
  if (process.env.DEBUG && err instanceof Error && err.stack) lines.push(err.stack);
  return lines;
}
