// The TLS keys of a server config file, read as TarsCpp and TarsGo read them (docs/tls.md): `ca`, `cert`, `key`,
// `verifyclient`, `ciphers` in `<server>` for every ssl adapter, or in one adapter's domain for that adapter alone;
// the same names but `verifyclient` in `<client>` for every object called, or in `<client><App.Server.Obj>`.
import {OPTIONS_SOURCE, type ServerConfig} from '../../config/server-config.js';
import type {ConfigDomain} from '../../config/tars-config.js';
import {TarsError} from '../../errors/tars-error.js';
import {
  type ClientTlsFiles, type ClientTlsSettings, type ServerTls, type TlsKeyName, loadServerTls,
} from './tls.js';

function value(d: ConfigDomain | undefined, key: string): string | undefined {
  const v = d?.params.get(key)?.trim();
  return v === undefined || v === '' ? undefined : v;
}

/** `verifyclient`: 1/y/yes/true/on or 0/n/no/false/off (TarsCpp and TarsGo: "0" is off, anything else on). */
function flag(d: ConfigDomain, where: string, name: TlsKeyName): boolean {
  const v = value(d, 'verifyclient');
  if (v === undefined || /^(0|n|no|false|off)$/i.test(v)) return false;
  if (/^(1|y|yes|true|on)$/i.test(v)) return true;
  throw new TarsError('CONFIG_INVALID', `${name('verifyclient')} = ${v} is not a switch (give 1 or 0)`, {where});
}

/** How a key of a domain is named in messages: `<server> cert in config.conf`, or the option for code. */
function keyNames(config: ServerConfig, domain: string): TlsKeyName {
  const file = config.file === OPTIONS_SOURCE ? 'the server options' : config.file;
  return (key) => `<${domain}> ${key} in ${file}`;
}

/**
 * The TLS of an adapter whose endpoint is ssl, loaded from the config: the adapter's own `cert` (with its `key`,
 * `ca`, `verifyclient`, `ciphers`) when it has one, else the `<server>` ones. Throws a one-line CONFIG_INVALID
 * TarsError naming the adapter and the keys to set when neither has a certificate, and naming the file and the key
 * when a file cannot be read or used.
 */
export function serverTlsOf(config: ServerConfig, adapter: string): ServerTls {
  const server = config.raw.domain('/tars/application/server');
  const own = server?.children.get(adapter);
  const domain = value(own, 'cert') !== undefined ? own! : server;
  const domainName = domain === own ? adapter : 'server';
  const name = keyNames(config, domainName);
  if (!domain || value(domain, 'cert') === undefined) {
    const file = config.file === OPTIONS_SOURCE ? 'the server options' : config.file;
    throw new TarsError('CONFIG_INVALID', `adapter ${adapter} listens on ssl but ${file} gives it no certificate: ` +
      `set cert and key in <server> (every ssl adapter) or in <${adapter}>`, {adapter});
  }
  return loadServerTls({
    cert: value(domain, 'cert')!, key: value(domain, 'key') ?? '',
    ...(value(domain, 'ca') ? {ca: value(domain, 'ca')} : {}),
    ...(value(domain, 'ciphers') ? {ciphers: value(domain, 'ciphers')} : {}),
    verifyClient: flag(domain, domainName, name),
  }, name);
}

function clientFiles(d: ConfigDomain): ClientTlsFiles {
  const out: ClientTlsFiles = {};
  for (const key of ['ca', 'cert', 'key', 'ciphers'] as const) {
    const v = value(d, key);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/**
 * The client TLS settings of a config's `<client>` (common) and of its object domains (`<client><App.S.Obj>`);
 * undefined when none is set. Files are not read here: {@link ClientTlsSet.load} does.
 */
export function clientTlsOf(config: ServerConfig): ClientTlsSettings | undefined {
  const client = config.raw.domain('/tars/application/client');
  if (!client) return undefined;
  const objects: Record<string, ClientTlsFiles> = {};
  for (const [name, d] of client.children) {
    const files = clientFiles(d);
    if (Object.keys(files).length > 0) objects[name] = files;
  }
  const common = clientFiles(client);
  if (Object.keys(common).length === 0 && Object.keys(objects).length === 0) return undefined;
  return {...common, ...(Object.keys(objects).length > 0 ? {objects} : {})};
}

/** How the keys of `<client>` (object undefined) or of `<client><obj>` are named in messages about `file`. */
export function clientKeyNames(file: string): (obj: string | undefined) => TlsKeyName {
  const where = file === OPTIONS_SOURCE ? 'the server options' : file;
  return (obj) => (key) => `<client${obj ? `><${obj}` : ''}> ${key} in ${where}`;
}
