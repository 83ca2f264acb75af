// `--ca/--cert/--key` of the commands that call servants (`tars call`, `tars ping`): the TLS of ssl endpoints.
import {accessSync, constants, statSync} from 'node:fs';

import {Flags} from '@oclif/core';
import type {ClientTlsSettings} from '@tars-ts/core';
import {UserError} from '@tars-ts/kit';

/** The flags; used only for ssl endpoints (tcp and udp ones ignore them). */
export const tlsFlags = {
  ca: Flags.string({summary: 'For ssl endpoints: CA certificates (PEM) the server\'s certificate must chain to ' +
    '(default: the system\'s CAs).'}),
  cert: Flags.string({summary: 'For ssl endpoints: client certificate (PEM), for servers that verify clients; ' +
    'with --key.'}),
  key: Flags.string({summary: 'For ssl endpoints: private key (PEM) of --cert.'}),
};

/** The values of {@link tlsFlags}. */
export interface TlsFlagValues {
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
}

function checkFile(flag: string, file: string): void {
  try {
    if (!statSync(file).isFile()) throw Object.assign(new Error('not a file'), {code: 'EISDIR'});
    accessSync(file, constants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied'
      : code === 'EISDIR' ? 'not a file' : (error as Error).message;
    throw new UserError(`--${flag} ${file}: ${why}`, {hint: `give a readable PEM file to --${flag}`});
  }
}

/**
 * The client TLS settings of the flags, undefined when none is given. Each file must be readable PEM and --cert
 * and --key go together; any mistake is a usage error (exit 2) naming the flag and the file, before anything is
 * sent.
 */
export async function tlsOfFlags(flags: TlsFlagValues): Promise<ClientTlsSettings | undefined> {
  const files = {...(flags.ca ? {ca: flags.ca} : {}), ...(flags.cert ? {cert: flags.cert} : {}),
    ...(flags.key ? {key: flags.key} : {})};
  if (Object.keys(files).length === 0) return undefined;
  for (const [flag, file] of Object.entries(files)) checkFile(flag, file);
  // The runtime is loaded only when the flags are used: the command stays quick to load.
  const {TarsError, loadClientTls} = await import('@tars-ts/core');
  try {
    loadClientTls(files, (key) => `--${key}`);
  } catch (error) {
    if (error instanceof TarsError) {
      throw new UserError(error.message, {hint: '--ca, --cert and --key take PEM files; --cert and --key go together'});
    }
    throw error;
  }
  return files;
}
