// The text `tars doctor` prints: a code's guide as a short page, an object's findings as one line each with its next
// step under it.
import type {CodeGuide} from './codes.js';
import type {ObjectDiagnosis, Verdict} from './object-checks.js';

const MARK: Record<Verdict, string> = {ok: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: 'skip'};

/** The guide of each code, separated by a blank line. */
export function codeLines(codes: readonly CodeGuide[]): string[] {
  return codes.flatMap((c, i) => [
    ...i > 0 ? [''] : [],
    `${c.code} ${c.name}${c.kind === 'admin' ? ' (an answer of the registry or a node)' : ''}`,
    `  ${c.meaning}.`,
    `  raised by: ${c.raisedBy}.`,
    `  retrying the same call ${c.retryable ? 'may succeed' : 'will fail the same way'}.`,
    ...c.causes.length > 0 ? ['  usual causes, most likely first:'] : [],
    ...c.causes.flatMap((cause, n) => [`    ${n + 1}. ${cause.cause}`, `       check: ${cause.check}`]),
  ]);
}

/** The findings, grouped by check in order, and a verdict line. */
export function diagnosisLines(d: ObjectDiagnosis): string[] {
  const lines = [`doctor ${d.obj}`];
  for (const f of d.findings) {
    lines.push(`  ${MARK[f.verdict]}  ${f.check.padEnd(10)} ${f.detail}`);
    if (f.next) lines.push(`        ${''.padEnd(10)} next: ${f.next}`);
  }
  lines.push(d.problems === 0 && d.warnings === 0 ? 'no problem found'
    : `${d.problems} problem(s), ${d.warnings} warning(s)`);
  return lines;
}
