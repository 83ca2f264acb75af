import {Command, Errors, Flags} from '@oclif/core';

import {errorLines, errorReport} from './report.js';
import {Settings} from './settings.js';

/**
 * Base of every `tars` command, in the root package and in every plugin: `--json` on every command, and every
 * error reported through {@link errorReport} (spec/cli.md): `error: ...` and `hint: ...` on stderr with a
 * documented exit code and no stack unless `DEBUG` is set, or one JSON document on stdout with `--json`.
 */
export abstract class TarsCommand extends Command {
  static override enableJsonFlag = true;

  /** The local CLI settings (`tars settings ...`) of this installation. */
  protected get settings(): Settings {
    return new Settings(this.config.configDir);
  }

  protected override async catch(err: Error & {exitCode?: number}): Promise<unknown> {
    if (err instanceof Errors.ExitError) throw err;
    const report = errorReport(err, this.id);
    if (this.jsonEnabled()) this.logJson(report.json);
    else process.stderr.write(errorLines(report, err).join('\n') + '\n');
    return this.exit(report.exit);
  }
}

/**
 * The flags of commands that reach a servant (`tars call`, `ping`, `describe`, and the plugins' topic commands):
 * where it listens and how long to wait. Spread them into a command's `flags`.
 */
export const targetFlags = {
  endpoint: Flags.string({char: 'e', summary: 'Endpoint to talk to ("tcp -h HOST -p PORT"), instead of the registry.'}),
  locator: Flags.string({summary: 'Registry that resolves a bare object name (tars.tarsregistry.QueryObj@...).'}),
  timeout: Flags.integer({summary: 'Timeout of each call, ms (default 3000, or: tars settings set timeout N).', min: 1}),
};
