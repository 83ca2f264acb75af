// TLS for `ssl` endpoints (docs/tls.md): the server side of an adapter and the client side of a channel. The frames
// on a TLS session are the same as on plain TCP; only the socket differs, so FrameConnection, the dispatcher and
// the channel's request matching are shared with the plain path, which pays nothing for TLS.
import {readFileSync} from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';

import type {ServerTlsFiles} from '../../config/server-config.js';
import {TarsError} from '../../errors/tars-error.js';
import type {Endpoint} from '../../protocol/endpoint.js';

/** A server's TLS files and switches (declared with the server's config, which writes them as keys). */
export type {ServerTlsFiles} from '../../config/server-config.js';

/**
 * A client's TLS files, under the names of `<client>` (or of an object's domain inside it): `ca` (PEM; the CAs the
 * server's certificate must chain to; without it, the system's CAs), `cert` and `key` (PEM; a client certificate,
 * for servers that verify clients; both or neither), `ciphers` (an OpenSSL cipher list).
 */
export interface ClientTlsFiles {
  ca?: string;
  cert?: string;
  key?: string;
  ciphers?: string;
}

/** Client TLS for every object, and per object (`<client><App.Server.Obj>` domains), as files. */
export interface ClientTlsSettings extends ClientTlsFiles {
  /** Settings for one object's endpoints, replacing the common ones (as TarsCpp and TarsGo take them). */
  objects?: Readonly<Record<string, ClientTlsFiles>>;
}

/** Where a setting comes from, for messages: the key's name as the user wrote it. */
export type TlsKeyName = (key: 'cert' | 'key' | 'ca' | 'ciphers' | 'verifyclient') => string;

/** A server's TLS, loaded: what `tls.createServer` takes. */
export interface ServerTls {
  readonly options: tls.TlsOptions;
  /** Whether a client certificate is required. */
  readonly verifyClient: boolean;
}

/** A client's TLS, loaded: one secure context for every connection made with it. */
export interface ClientTls {
  readonly context: tls.SecureContext;
}

/** What each file must hold (a PEM block of this kind); OpenSSL silently skips a CA file without one. */
const PEM_LABEL = {ca: /-----BEGIN CERTIFICATE-----/, cert: /-----BEGIN CERTIFICATE-----/, key: /-----BEGIN [A-Z ]*PRIVATE KEY-----/};

function readPem(file: string, key: 'cert' | 'key' | 'ca', name: TlsKeyName): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied'
      : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    throw new TarsError('CONFIG_INVALID', `cannot read the TLS ${WHAT[key]} ${file} (${name(key)}): ${why}`,
      {file, key: name(key)});
  }
  if (!PEM_LABEL[key].test(pem.toString('latin1'))) {
    throw new TarsError('CONFIG_INVALID', `the TLS ${WHAT[key]} ${file} (${name(key)}) is not PEM: it holds no ` +
      `"-----BEGIN ${key === 'key' ? 'PRIVATE KEY' : 'CERTIFICATE'}-----" block`, {file, key: name(key)});
  }
  return pem;
}

const WHAT = {ca: 'CA certificates', cert: 'certificate', key: 'private key'} as const;

/** OpenSSL's words for what is wrong with loaded PEM, as a user can act on them. */
function unusable(error: unknown, what: string): TarsError {
  const message = (error as Error).message ?? String(error);
  const why = /key values mismatch/i.test(message) ? 'the private key does not belong to the certificate'
    : /no start line|bad base64|PEM/i.test(message) ? `not PEM (${message})`
      : /no cipher match/i.test(message) ? 'no cipher of the list is known (give an OpenSSL cipher list)' : message;
  return new TarsError('CONFIG_INVALID', `${what}: ${why}`);
}

/**
 * Reads a server's certificate, key and CA files and checks they make a usable TLS context. Throws a one-line
 * CONFIG_INVALID TarsError naming the file and the key (`name`) when one is missing, unreadable, not PEM, or when
 * the key does not match the certificate; `verifyClient` without `ca` is an error too (nothing to verify against).
 */
export function loadServerTls(files: ServerTlsFiles, name: TlsKeyName): ServerTls {
  if (!files.cert || !files.key) {
    throw new TarsError('CONFIG_INVALID', `TLS needs both a certificate and a private key: set ${name('cert')} and ` +
      `${name('key')}`);
  }
  const verifyClient = files.verifyClient === true;
  if (verifyClient && !files.ca) {
    throw new TarsError('CONFIG_INVALID', `${name('verifyclient')} is on but no CA is given to verify clients ` +
      `against: set ${name('ca')}`);
  }
  const options: tls.TlsOptions = {
    cert: readPem(files.cert, 'cert', name), key: readPem(files.key, 'key', name),
    ...(files.ca ? {ca: readPem(files.ca, 'ca', name)} : {}),
    ...(files.ciphers ? {ciphers: files.ciphers} : {}),
    requestCert: verifyClient, rejectUnauthorized: verifyClient,
  };
  try {
    tls.createSecureContext(options);
  } catch (error) {
    throw unusable(error, `TLS files ${files.cert} and ${files.key} (${name('cert')}, ${name('key')}) are unusable`);
  }
  return {options, verifyClient};
}

/**
 * Reads a client's TLS files into one secure context. Throws a one-line CONFIG_INVALID TarsError naming the file
 * and the key when one cannot be read or used, or when only one of cert and key is given.
 */
export function loadClientTls(files: ClientTlsFiles, name: TlsKeyName): ClientTls {
  if (Boolean(files.cert) !== Boolean(files.key)) {
    throw new TarsError('CONFIG_INVALID', `a client certificate needs both ${name('cert')} and ${name('key')} ` +
      `(only ${files.cert ? name('cert') : name('key')} is set)`);
  }
  const options: tls.SecureContextOptions = {
    ...(files.ca ? {ca: readPem(files.ca, 'ca', name)} : {}),
    ...(files.cert ? {cert: readPem(files.cert, 'cert', name)} : {}),
    ...(files.key ? {key: readPem(files.key, 'key', name)} : {}),
    ...(files.ciphers ? {ciphers: files.ciphers} : {}),
  };
  try {
    return {context: tls.createSecureContext(options)};
  } catch (error) {
    throw unusable(error, `client TLS files (${[files.ca, files.cert, files.key].filter(Boolean).join(', ')}) are ` +
      'unusable');
  }
}

/** Client TLS loaded for every object and per object; {@link ClientTlsSet.for} picks the one of an object. */
export class ClientTlsSet {
  private constructor(private readonly common: ClientTls | undefined,
    private readonly objects: ReadonlyMap<string, ClientTls>) {}

  /**
   * Loads the files of `settings` (every file read now: a bad one fails here, not at the first call). `where`
   * names the settings in messages, e.g. `<client> in config.conf` or `--ca/--cert/--key`.
   */
  static load(settings: ClientTlsSettings, name: (object: string | undefined) => TlsKeyName): ClientTlsSet {
    const {objects, ...common} = settings;
    const any = Boolean(common.ca || common.cert || common.key || common.ciphers);
    const loaded = new Map<string, ClientTls>();
    for (const [obj, files] of Object.entries(objects ?? {})) loaded.set(obj, loadClientTls(files, name(obj)));
    return new ClientTlsSet(any ? loadClientTls(common, name(undefined)) : undefined, loaded);
  }

  /** The TLS of `obj`'s connections: its own, else the common one; undefined means the system's CAs, no cert. */
  for(obj: string | undefined): ClientTls | undefined {
    return (obj !== undefined ? this.objects.get(obj) : undefined) ?? this.common;
  }
}

/**
 * The reason of a TLS error in a few words: OpenSSL's messages carry an error queue entry with source paths
 * (`...:SSL routines:ssl3_get_record:wrong version number:../deps/...`); the reason is the part that says what.
 */
export function tlsReason(error: Error): string {
  const m = /SSL routines:[^:]*:([^:\n]+)/.exec(error.message);
  return (m ? m[1]! : error.message).trim();
}

/** A short hint for a TLS failure seen by a client, by OpenSSL's or Node's code. */
function clientHint(code: string | undefined, handshaking: boolean): string {
  switch (code) {
    case 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED':
      return ' (the server requires a client certificate: give cert and key)';
    case 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA':
    case 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE':
      return ' (the server does not trust the client certificate: it must be signed by the server\'s ca)';
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
    case 'ERR_SSL_PACKET_LENGTH_TOO_LONG':
      return ' (the server does not speak TLS there: is its endpoint ssl?)';
    case 'ECONNRESET':
      return handshaking ? ' (the server closed the connection during the handshake: is its endpoint ssl?)' : '';
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return ' (the server\'s certificate is not signed by a trusted CA: give its CA as ca)';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return ' (the server\'s certificate is not for this host: it needs the endpoint\'s host in its names)';
    case 'CERT_HAS_EXPIRED':
    case 'CERT_NOT_YET_VALID':
      return ' (check the certificate\'s dates and the clocks)';
    default:
      return '';
  }
}

/**
 * Opens a TLS connection to an `ssl` endpoint (`-b` binds the local address). The server's certificate must chain
 * to `client.context`'s CAs (the system's without one) and name the endpoint's host (an IP in its IP addresses,
 * a name in its DNS names); the client certificate of the context is sent when the server asks. The socket emits
 * `secureConnect` once the handshake is done; a failure after the TCP connect is an `error` whose message says the
 * TLS handshake failed and why.
 */
export function connectTls(endpoint: Endpoint, client: ClientTls | undefined): tls.TLSSocket {
  const {host, port, bind} = endpoint;
  const socket = tls.connect({
    host, port, ...(bind ? {localAddress: bind} : {}),
    ...(client ? {secureContext: client.context} : {}),
    // SNI carries host names only (RFC 6066); the identity check still runs against the IP.
    ...(net.isIP(host) ? {} : {servername: host}),
    checkServerIdentity: (_name, cert) => tls.checkServerIdentity(host, cert),
  });
  let tcpUp = false;
  let secure = false;
  socket.once('connect', () => {
    tcpUp = true;
  });
  socket.once('secureConnect', () => {
    secure = true;
  });
  // Runs before the channel's own error listener: the message it keeps says what went wrong, in one line.
  socket.on('error', (error: NodeJS.ErrnoException) => {
    if (!tcpUp) return; // connect errors (refused, unreachable) are the plain TCP ones
    const what = `${tlsReason(error)}${clientHint(error.code, !secure)}`;
    error.message = secure ? `TLS: ${what}` : `TLS handshake with ${host}:${port} failed: ${what}`;
  });
  return socket;
}

/**
 * A TLS server for an adapter: `onSecure` gets each connection once its handshake is done (a client certificate
 * verified when `verifyclient` is on); a client that fails the handshake (plaintext, wrong CA, no certificate) is
 * reported to `onRefused` and closed, and never reaches `onSecure`. A handshake must finish within
 * `handshakeTimeoutMs`.
 */
export function createTlsServer(serverTls: ServerTls, handshakeTimeoutMs: number,
  onSecure: (socket: tls.TLSSocket) => void, onRefused: (error: Error, remote: string) => void): tls.Server {
  const server = tls.createServer({...serverTls.options, handshakeTimeout: handshakeTimeoutMs}, onSecure);
  server.on('tlsClientError', (error: NodeJS.ErrnoException, socket) => {
    // A client that hangs up during the handshake is gone with its address; it most likely refused our certificate.
    const remote = socket.remoteAddress === undefined ? 'a client'
      : `${socket.remoteAddress.replace(/^::ffff:/, '')}:${socket.remotePort ?? 0}`;
    onRefused(new Error(error.code === 'ECONNRESET' ? 'the client closed the connection during the handshake (does ' +
      'it trust this server\'s certificate?)' : tlsReason(error)), remote);
    socket.destroy();
  });
  return server;
}
