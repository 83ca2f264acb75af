import {TarsError} from '../errors/tars-error.js';
import type {Diagnostic, Pos} from './ast.js';
import type {SourceText} from './source-text.js';

/**
 * Builds an error diagnostic at `pos`, quoting the line from `source` when given. Every diagnostic the front end
 * produces carries a hint, so the user always learns what to change, not only what is wrong.
 */
export function diagnosticAt(
  source: SourceText | undefined, pos: Pos, message: string, hint: string,
  severity: Diagnostic['severity'] = 'error',
): Diagnostic {
  const sourceLine = source?.line(pos.line);
  return sourceLine === undefined
    ? {severity, message, hint, file: pos.file, line: pos.line, col: pos.col}
    : {severity, message, hint, file: pos.file, line: pos.line, col: pos.col, sourceLine};
}

/** True when any diagnostic in the list is an error (warnings do not count). */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/**
 * Formats one diagnostic the way compilers do, so editors and terminals can jump to it:
 *
 * ```text
 * file:line:col: error: message
 * <the source line>
 *     ^
 * hint: how to fix it
 * ```
 *
 * The source line and caret are left out when the diagnostic has no position (line 0, e.g. a missing entry file)
 * or no source line. Tabs before the column are kept in the caret line so the caret stays under the right character.
 */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.col}` : d.file;
  const lines = [`${where}: ${d.severity}: ${d.message}`];
  if (d.line > 0 && d.sourceLine !== undefined) {
    lines.push(d.sourceLine);
    const prefix = d.sourceLine.slice(0, Math.max(0, d.col - 1)).replace(/[^\t]/g, ' ');
    lines.push(`${prefix}${' '.repeat(Math.max(0, d.col - 1 - prefix.length))}^`);
  }
  if (d.hint !== undefined) lines.push(`hint: ${d.hint}`);
  return lines.join('\n');
}

/** Formats a list of diagnostics, one block per diagnostic, with a closing count line; '' for an empty list. */
export function formatDiagnostics(list: readonly Diagnostic[]): string {
  if (list.length === 0) return '';
  const errors = list.filter((d) => d.severity === 'error').length;
  const warnings = list.length - errors;
  const counts = [
    errors > 0 ? `${errors} error${errors === 1 ? '' : 's'}` : '',
    warnings > 0 ? `${warnings} warning${warnings === 1 ? '' : 's'}` : '',
  ].filter((s) => s !== '').join(', ');
  return `${list.map(formatDiagnostic).join('\n')}\n${counts}`;
}

/**
 * Throws when the list holds any error; warnings alone pass. The thrown {@link TarsError} has code
 * IDL_FILE_NOT_FOUND when every error is a missing file or `#include`, and IDL_INVALID otherwise; its message is
 * every diagnostic formatted ({@link formatDiagnostics}) and `details.diagnostics` is the list itself.
 */
export function assertNoErrors(diagnostics: readonly Diagnostic[]): void {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length === 0) return;
  const code = errors.every((d) => d.code === 'IDL_FILE_NOT_FOUND') ? 'IDL_FILE_NOT_FOUND' : 'IDL_INVALID';
  throw new TarsError(code, formatDiagnostics(diagnostics), {diagnostics: [...diagnostics]});
}
