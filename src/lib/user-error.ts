/** Exit codes of every command (spec/cli.md). */
export const ExitCode = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  REMOTE_ERROR: 3,
  NO_ANSWER: 4,
} as const;

/**
 * An error the user can fix: printed as one `error:` line plus an optional `hint:` line, never with a stack.
 * `code` is a stable string for `--json` output.
 */
export class UserError extends Error {
  constructor(message: string, readonly options: {hint?: string; exit?: number; code?: string} = {}) {
    super(message);
    this.name = 'UserError';
  }

  get exit(): number {
    return this.options.exit ?? ExitCode.USAGE;
  }

  get code(): string {
    return this.options.code ?? 'USAGE';
  }
}

/**
 * A failure with its own JSON document for `--json` (e.g. a call's TARS error, spec/cli.md) and exit code; printed
 * as `error: <message>` otherwise.
 */
export class ReportedFailure extends Error {
  constructor(message: string, readonly exit: number, readonly json: object, readonly hint?: string) {
    super(message);
    this.name = 'ReportedFailure';
  }
}
