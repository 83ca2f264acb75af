// The read-eval loop of `tars shell` on node's readline: on a terminal, a prompt, Tab completion, history kept
// across runs, Ctrl-C stopping the running command (or clearing the line), Ctrl-D or `exit` ending it; with stdin
// not a terminal (a pipe, a file), plain line mode: no prompt, each line run in order, no history written.
import readline from 'node:readline';

import {loadHistory, HISTORY_MAX, saveHistory} from './history.js';
import type {ShellSession} from './session.js';

/** Where the loop reads and writes. */
export interface ReplOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Interactive (both ends are a terminal): prompt, completion, history. */
  terminal: boolean;
  /** The history file (read and written only when `terminal`). */
  historyFile?: string | undefined;
  /** Printed once at the start of an interactive session. */
  banner?: string | undefined;
}

/**
 * Runs `session` over the lines of `input` until its end, `exit`/`quit` or Ctrl-D. Resolves with 0 on a terminal; in
 * line mode with the exit code of the last command that failed (0 when none did). A SIGINT (Ctrl-C) while a command runs stops it (a `bench`
 * prints what it has); at the prompt it clears the line; in line mode with nothing running it ends the loop (130).
 */
export async function runRepl(session: ShellSession, options: ReplOptions): Promise<number> {
  const {terminal, output} = options;
  let history: string[] = [];
  if (terminal && options.historyFile) {
    try {
      history = loadHistory(options.historyFile);
    } catch (error) {
      output.write(`note: the history in ${options.historyFile} could not be read: ${(error as Error).message}\n`);
    }
  }
  const rl = readline.createInterface({
    input: options.input, output, terminal, prompt: session.prompt,
    ...(terminal ? {
      history, historySize: HISTORY_MAX, removeHistoryDuplicates: true,
      completer: (line: string, done: (err: null, result: [string[], string]) => void) => {
        session.complete(line).then((c) => done(null, [c.candidates, c.word]), () => done(null, [[], line]));
      },
    } : {}),
  });
  if (terminal && options.historyFile) {
    const file = options.historyFile;
    rl.on('history', (lines: string[]) => {
      try {
        saveHistory(file, lines);
      } catch (error) {
        output.write(`note: the history could not be written to ${file}: ${(error as Error).message}\n`);
      }
    });
  }
  let running: AbortController | undefined;
  let interrupted = false;
  const onInterrupt = (): void => {
    if (running) {
      running.abort();
      return;
    }
    if (terminal) {
      // as node's REPL does: the line shown with ^C after it is left, and a new empty one starts
      rl.write(null, {ctrl: true, name: 'e'});
      output.write('^C');
      const clearLine = (rl as unknown as {clearLine?: () => void}).clearLine;
      if (clearLine) clearLine.call(rl);
      else rl.write(null, {ctrl: true, name: 'u'});
      rl.prompt();
      return;
    }
    interrupted = true;
    rl.close();
  };
  rl.on('SIGINT', onInterrupt);
  process.on('SIGINT', onInterrupt);
  let failed = 0;
  try {
    if (terminal) {
      if (options.banner) output.write(`${options.banner}\n`);
      rl.prompt();
    }
    for await (const line of rl) {
      running = new AbortController();
      const result = await session.run(line, running.signal);
      running = undefined;
      if (result.code !== 0) failed = result.code;
      if (result.quit) break;
      if (terminal) {
        rl.setPrompt(session.prompt);
        rl.prompt();
      }
    }
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    rl.close();
  }
  if (terminal) output.write('\n');
  // a person ends a session on purpose: 0; a script learns whether one of its lines failed
  return terminal ? 0 : interrupted ? 130 : failed;
}
