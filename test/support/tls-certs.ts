// Certificates for the TLS tests, made with the openssl command line in a temp dir: two CAs, server certificates
// for 127.0.0.1 (and one for another address), client certificates. Small EC keys keep it quick.
import {execFileSync} from 'node:child_process';
import {mkdtempSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Whether the openssl command is on this machine. */
export function haveOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], {stdio: 'ignore'});
    return true;
  } catch {
    return false;
  }
}

/** Paths of a made set of certificates (PEM), all in `dir`. */
export interface TestCerts {
  dir: string;
  /** The CA everything below is signed by, and its key. */
  ca: string;
  /** Another CA, trusted by nobody's configuration: its certificates must be refused. */
  otherCa: string;
  /** Server certificate and key for IP 127.0.0.1 (signed by ca). */
  serverCert: string;
  serverKey: string;
  /** Server certificate for IP 10.9.9.9 only (signed by ca): the wrong host for 127.0.0.1. */
  wrongHostCert: string;
  wrongHostKey: string;
  /** Server certificate for 127.0.0.1 signed by otherCa. */
  otherServerCert: string;
  otherServerKey: string;
  /** Client certificate and key (signed by ca). */
  clientCert: string;
  clientKey: string;
  /** Client certificate and key signed by otherCa. */
  otherClientCert: string;
  otherClientKey: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, {cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000});
}

function makeCa(dir: string, name: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
}

function makeLeaf(dir: string, name: string, ca: string, ext: string): void {
  writeFileSync(path.join(dir, `${name}.ext`), `basicConstraints=CA:FALSE\n${ext}\n`);
  openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout',
    `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial',
    '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`]);
}

/** Makes the certificates of {@link TestCerts} in a new temp dir (the caller removes `dir`). */
export function makeTestCerts(): TestCerts {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tars-tls-'));
  makeCa(dir, 'ca');
  makeCa(dir, 'other-ca');
  const server = 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth';
  const client = 'extendedKeyUsage=clientAuth';
  makeLeaf(dir, 'server', 'ca', server);
  makeLeaf(dir, 'wrong-host', 'ca', 'subjectAltName=IP:10.9.9.9\nextendedKeyUsage=serverAuth');
  makeLeaf(dir, 'other-server', 'other-ca', server);
  makeLeaf(dir, 'client', 'ca', client);
  makeLeaf(dir, 'other-client', 'other-ca', client);
  const p = (f: string): string => path.join(dir, f);
  return {dir, ca: p('ca.crt'), otherCa: p('other-ca.crt'), serverCert: p('server.crt'), serverKey: p('server.key'),
    wrongHostCert: p('wrong-host.crt'), wrongHostKey: p('wrong-host.key'), otherServerCert: p('other-server.crt'),
    otherServerKey: p('other-server.key'), clientCert: p('client.crt'), clientKey: p('client.key'),
    otherClientCert: p('other-client.crt'), otherClientKey: p('other-client.key')};
}
