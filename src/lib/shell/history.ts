// The shell's history across runs: one line per entry, oldest first, in a file only its owner can read (calls may
// carry tokens or personal data in their arguments).
import {chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';

/** The most lines kept. */
export const HISTORY_MAX = 1000;

/** Lines not worth recalling: the ones that end the session. */
const NOT_KEPT = new Set(['exit', 'quit']);

/** The history in `file`, newest first (as readline takes it), at most {@link HISTORY_MAX}; [] when there is none. */
export function loadHistory(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').reverse().slice(0, HISTORY_MAX);
}

/**
 * Writes `history` (newest first, as readline's 'history' event gives it) to `file`, oldest first, at most
 * {@link HISTORY_MAX} lines, without `exit`/`quit`; the file mode 0600 and its directory made (0700) when missing.
 */
export function saveHistory(file: string, history: readonly string[]): void {
  const lines = history.filter((l) => l.trim() !== '' && !NOT_KEPT.has(l.trim())).slice(0, HISTORY_MAX).reverse();
  mkdirSync(path.dirname(file), {recursive: true, mode: 0o700});
  writeFileSync(file, lines.length > 0 ? `${lines.join('\n')}\n` : '', {mode: 0o600});
  chmodSync(file, 0o600);
}
