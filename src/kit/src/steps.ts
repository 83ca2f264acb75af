// Steps of a long command (a deploy, a restart) shown as listr2 tasks: the live renderer on a terminal, one plain
// line per step in a pipe or on CI, nothing with --json. Progress goes to stderr, so stdout keeps the result.

/** One step: a title, and the work (which may retitle the step to say what it found). */
export interface Step<C> {
  readonly title: string;
  /** Skips the step when it returns true (evaluated when the step's turn comes). */
  readonly skip?: (ctx: C) => boolean;
  readonly run: (ctx: C, step: {title: string}) => Promise<void> | void;
}

/**
 * Runs `steps` in order on `ctx` and resolves with it; the first step that throws stops the run and its error is
 * thrown again (as it was: a UserError stays one). `quiet` (--json) shows nothing. `signals: false`: listr2 leaves
 * SIGINT and SIGTERM to the command.
 */
export async function runSteps<C extends object>(steps: readonly Step<C>[], ctx: C, quiet: boolean,
  options: {signals?: boolean} = {}): Promise<C> {
  const {Listr, ListrLogger, ProcessOutput} = await import('listr2');
  const fancy = Boolean(process.stdout.isTTY && process.stderr.isTTY) && !process.env.CI;
  const logger = new ListrLogger({processOutput: new ProcessOutput(process.stderr, process.stderr)});
  const tasks = new Listr<C>(steps.map((s) => ({
    title: s.title,
    ...(s.skip ? {skip: (c: C) => s.skip!(c)} : {}),
    task: async (c: C, task: {title: string}) => {
      await s.run(c, task);
    },
  })), {
    ctx, renderer: 'default', fallbackRenderer: 'simple', fallbackRendererCondition: !fancy, silentRendererCondition: quiet,
    rendererOptions: {logger}, fallbackRendererOptions: {logger}, exitOnError: true,
    // listr2 ends the process on SIGINT by itself unless told not to: a command with its own Ctrl-C (a cluster
    // started in the foreground stops what it started) says so.
    registerSignalListeners: options.signals ?? true,
  });
  return tasks.run();
}
