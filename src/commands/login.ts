import {randomBytes} from 'node:crypto';

import {Flags} from '@oclif/core';

import {ADMIN_TOKEN_ENV, MIN_TOKEN_LENGTH, TarsCommand, UserError, tokenProblem} from '@tars-ts/kit';

/** `tars login --json`. */
export interface LoginJson {
  /** Where the token is kept. */
  file: string;
  length: number;
  /** The token, when this login made it (--generate): give it to the other machines of the cluster. */
  generated?: string;
}

export default class Login extends TarsCommand {
  static override summary = 'Save the cluster\'s admin token on this machine.';
  static override description = `Base services bound beyond loopback (tars cluster start --host 10.0.0.5, a daemon's
--host) ask every caller of their admin objects (deploy, start/stop, config push, patch upload, registry writes) for
this token, with TARS endpoint authentication (-e 1). Daemons started here and every command use it; so does
${ADMIN_TOKEN_ENV}, which wins over the saved one. The token is kept in the settings file, readable by you only.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %>                        # asks for it',
    '<%= config.bin %> <%= command.id %> --generate             # makes one and prints it, for the other machines',
    'echo "$TOKEN" | <%= config.bin %> <%= command.id %> --token-stdin',
  ];

  static override flags = {
    'token-stdin': Flags.boolean({summary: 'Read the token from standard input (a pipe, a file).',
      exclusive: ['generate']}),
    generate: Flags.boolean({summary: 'Make a random token, save it and print it.'}),
  };

  async run(): Promise<LoginJson> {
    const {flags} = await this.parse(Login);
    let token: string;
    if (flags.generate) {
      token = randomBytes(24).toString('base64url');
    } else if (flags['token-stdin']) {
      token = (await readStdin()).trim();
    } else if (process.stdin.isTTY) {
      const {password} = await import('@inquirer/prompts');
      token = (await password({message: 'Admin token', mask: true})).trim();
    } else {
      throw new UserError('no token: standard input is not a terminal to ask on', {code: 'USAGE',
        hint: 'pipe it in with --token-stdin, or make one with --generate'});
    }
    const problem = tokenProblem(token);
    if (problem) {
      throw new UserError(`not saved: ${problem}`, {code: 'USAGE',
        hint: `a token of at least ${MIN_TOKEN_LENGTH} characters without spaces, or --generate`});
    }
    await this.settings.set('token', token);
    if (flags.generate) this.log(token);
    this.log(`the admin token (${token.length} characters) is saved in ${this.settings.file}` +
      (process.env[ADMIN_TOKEN_ENV] ? ` (${ADMIN_TOKEN_ENV}, set here, still wins over it)` : ''));
    return {file: this.settings.file, length: token.length, ...(flags.generate ? {generated: token} : {})};
  }
}

/** All of standard input, as text (at most 64 KiB: a token is short). */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 65_536) throw new UserError('standard input holds more than 64 KiB: not a token', {code: 'USAGE'});
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
