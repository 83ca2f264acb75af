// What `tars server deploy` writes to the registry, computed from the package and the flags: adapters renamed to the
// target App.Server, --adapter overrides, the env in the server's profile. The pure parts live in the kit
// (src/kit/src/deploy.ts), which the web console's deploy runs too; the --profile file is read here.
import {parseTarsConfig} from '@tars-ts/core';
import {UserError} from '@tars-ts/kit';

export {nodeFailure, onNodeHost, profileWithEnv, renameAdapters, withAdapterFlags} from '@tars-ts/kit';

/** A `--profile` file: its text, checked to parse as a TARS config (USAGE naming the file and the line when not). */
export async function readProfile(file: string): Promise<string> {
  const {readFile} = await import('node:fs/promises');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UserError(`--profile ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file'
      : (error as Error).message}`, {code: 'USAGE', hint: 'give a TARS config file, e.g. <tars><application>...'});
  }
  try {
    parseTarsConfig(text, file);
  } catch (error) {
    throw new UserError(`--profile ${file} is not a TARS config: ${(error as Error).message}`, {code: 'USAGE',
      hint: 'domains as <name> ... </name>, keys as key = value'});
  }
  return text;
}

