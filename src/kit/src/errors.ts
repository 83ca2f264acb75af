import {type ErrorCode, TarsError} from '@tars-ts/core/errors';

/** Exit codes of every command (spec/cli.md). */
export const ExitCode = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  REMOTE_ERROR: 3,
  NO_ANSWER: 4,
} as const;

/**
 * An error the user can fix: printed as one `error:` line plus a `hint:` line, never with a stack. Its `code` is
 * an entry of the one error catalogue (core/src/errors/catalogue.ts, docs/errors.md), which also gives its exit
 * code; the hint is this occurrence's own (with the names and commands that fit), else the catalogue's.
 */
export class UserError extends TarsError {
  readonly hint: string;

  constructor(message: string, options: {hint?: string; code?: ErrorCode; cause?: unknown} = {}) {
    super(options.code ?? 'USAGE', message, {}, options.cause === undefined ? undefined : {cause: options.cause});
    this.name = 'UserError';
    this.hint = options.hint ?? this.spec.hint;
  }

  /** The exit code the catalogue gives this error's code. */
  get exit(): number {
    return this.spec.exit ?? ExitCode.FAILURE;
  }
}

/**
 * A failure that comes with its own `--json` document and exit code (e.g. `tars ping` when no endpoint answered:
 * the JSON lists every endpoint); printed as `error: <message>` and its hint otherwise.
 */
export class ReportedFailure extends Error {
  constructor(message: string, readonly exit: number, readonly json: object, readonly hint?: string) {
    super(message);
    this.name = 'ReportedFailure';
  }
}
