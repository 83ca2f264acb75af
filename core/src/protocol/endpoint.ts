import {TarsError} from '../errors/tars-error.js';

/** One endpoint of a servant (protocol.md section 3). */
export interface Endpoint {
  readonly protocol: 'tcp' | 'udp' | 'ssl';
  readonly host: string;
  readonly port: number;
  /** -t: idle timeout for servers, informational for clients; 3000 by default as in TarsGo and TarsCpp. */
  readonly timeout: number;
  /** -w: weight, -1 when not set. */
  readonly weight: number;
  /** -v: weight type (0 round robin, 1 static weight). */
  readonly weightType: number;
  /** -g: grid (grey) flag. */
  readonly grid: number;
  /** -q: qos. */
  readonly qos: number;
  /** -e: auth type (0 none, 1 local). */
  readonly authType: number;
  /** -b: local address to bind when connecting (TarsGo). */
  readonly bind?: string;
  /** Set id "name.area.group", when the registry reports one. */
  readonly setId?: string;
  /** Node name, when the registry reports one. */
  readonly nodeName?: string;
}

/** A parsed proxy string: `Obj[#hash][@endpoints]`. */
export interface ProxyTarget {
  /** Servant name as on the wire (no `@...`, no `#...`). */
  readonly objName: string;
  /** `#hashtag` (TarsCpp): a separate connection group. */
  readonly hashTag?: string;
  /** The endpoints after `@`; undefined when the name is to be resolved through the locator. */
  readonly endpoints?: Endpoint[];
}

const DEFAULT_TIMEOUT = 3000;
const PROTOCOLS = new Set(['tcp', 'udp', 'ssl']);

function bad(text: string, why: string): TarsError {
  return new TarsError('ENDPOINT_INVALID', `bad endpoint "${text}": ${why}`, {endpoint: text});
}

function integer(text: string, flag: string, value: string | undefined, min: number, max: number): number {
  if (value === undefined || !/^-?\d+$/.test(value)) throw bad(text, `${flag} needs an integer, got ${value ?? 'nothing'}`);
  const n = Number(value);
  if (n < min || n > max) throw bad(text, `${flag} ${n} is outside ${min}..${max}`);
  return n;
}

/**
 * Parses one endpoint, e.g. `tcp -h 127.0.0.1 -p 10015 -t 60000`. Options: -h host (`*` means 0.0.0.0; IPv6 hosts
 * as they are, brackets optional), -p port, -t timeout, -w weight, -v weight type, -g grid, -q qos, -e auth type,
 * -b bind address. Unknown options are ignored, as TarsCpp does; a missing host or a bad number is an error.
 */
export function parseEndpoint(text: string): Endpoint {
  const words = text.trim().split(/\s+/);
  const protocol = words[0]?.toLowerCase();
  if (!protocol || !PROTOCOLS.has(protocol)) throw bad(text, 'it must start with tcp, udp or ssl');
  let host: string | undefined;
  let port = 0;
  let timeout = DEFAULT_TIMEOUT;
  let weight = -1;
  let weightType = 0;
  let grid = 0;
  let qos = 0;
  let authType = 0;
  let bind: string | undefined;
  for (let i = 1; i < words.length; i++) {
    const word = words[i];
    if (!/^-[A-Za-z]$/.test(word)) throw bad(text, `expected an option like -h, got "${word}"`);
    const next = words[i + 1];
    const value = next !== undefined && !/^-[A-Za-z]$/.test(next) ? next : undefined;
    if (value !== undefined) i++;
    switch (word) {
      case '-h':
        if (!value) throw bad(text, '-h needs a host');
        host = value === '*' ? '0.0.0.0' : value.replace(/^\[(.*)\]$/, '$1');
        break;
      case '-p': port = integer(text, '-p', value, 0, 65535); break;
      case '-t': timeout = integer(text, '-t', value, 0, 2 ** 31 - 1); break;
      case '-w': weight = integer(text, '-w', value, -1, 2 ** 31 - 1); break;
      case '-v': weightType = integer(text, '-v', value, 0, 2); break;
      case '-g': grid = integer(text, '-g', value, -(2 ** 31), 2 ** 31 - 1); break;
      case '-q': qos = integer(text, '-q', value, -(2 ** 31), 2 ** 31 - 1); break;
      case '-e': authType = integer(text, '-e', value, 0, 1); break;
      case '-b': bind = value; break;
      default: break; // as TarsCpp: options it does not know are skipped
    }
  }
  if (!host) throw bad(text, 'no host (-h)');
  // TarsGo and TarsCpp: with a weight type set, an unset or oversized weight becomes 100.
  if (weightType !== 0 && (weight === -1 || weight > 100)) weight = 100;
  return {protocol: protocol as Endpoint['protocol'], host, port, timeout, weight, weightType, grid, qos, authType,
    ...(bind ? {bind} : {})};
}

/**
 * Parses an endpoint list: endpoints joined by `:` (IPv6 hosts keep their colons: the list is split where a protocol
 * word starts, as TarsCpp does, not at every colon as TarsGo does).
 */
export function parseEndpoints(text: string): Endpoint[] {
  const parts = text.split(/:?\s*(?=\b(?:tcp|udp|ssl)\s)/i).map((p) => p.trim().replace(/^:|:$/g, '').trim())
    .filter((p) => p !== '');
  if (parts.length === 0) throw bad(text, 'no endpoint');
  return parts.map(parseEndpoint);
}

/** Parses `App.Server.Obj[#hash][@endpoints]`. */
export function parseProxyString(text: string): ProxyTarget {
  const trimmed = text.trim();
  const at = trimmed.indexOf('@');
  let name = at > 0 ? trimmed.slice(0, at).trim() : trimmed;
  if (at === 0) throw new TarsError('ENDPOINT_INVALID', `"${text}" has endpoints but no object name before "@"`);
  // TarsGo strips a leading scheme ("tars://").
  name = name.replace(/^[a-z]+:\/\//i, '');
  let hashTag: string | undefined;
  const hash = name.indexOf('#');
  if (hash >= 0) {
    hashTag = name.slice(hash + 1);
    name = name.slice(0, hash);
  }
  if (!/^[^\s@#:]+$/.test(name)) {
    throw new TarsError('ENDPOINT_INVALID', `"${name}" is not an object name like App.Server.Obj`, {endpoint: text});
  }
  const endpoints = at > 0 ? parseEndpoints(trimmed.slice(at + 1)) : undefined;
  return {objName: name, ...(hashTag ? {hashTag} : {}), ...(endpoints ? {endpoints} : {})};
}

/** The canonical text of an endpoint, `tcp -h 127.0.0.1 -p 10015 -t 60000` plus the options that are set. */
export function formatEndpoint(e: Endpoint): string {
  let s = `${e.protocol} -h ${e.host} -p ${e.port} -t ${e.timeout}`;
  if (e.weight !== -1) s += ` -w ${e.weight}`;
  if (e.weightType !== 0) s += ` -v ${e.weightType}`;
  if (e.grid !== 0) s += ` -g ${e.grid}`;
  if (e.qos !== 0) s += ` -q ${e.qos}`;
  if (e.authType !== 0) s += ` -e ${e.authType}`;
  if (e.bind) s += ` -b ${e.bind}`;
  return s;
}

/** A short identity of an endpoint for maps and messages: `tcp -h H -p P`. */
export function endpointKey(e: Endpoint): string {
  return `${e.protocol} -h ${e.host} -p ${e.port}`;
}

/** An endpoint with defaults for everything not given. */
export function endpoint(p: Partial<Endpoint> & Pick<Endpoint, 'host' | 'port'>): Endpoint {
  return {protocol: 'tcp', timeout: DEFAULT_TIMEOUT, weight: -1, weightType: 0, grid: 0, qos: 0, authType: 0, ...p};
}

/** Whether `host` means every address of this machine (`0.0.0.0`, `::`, or `*`, TARS's spelling of it). */
export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '*';
}

/** Whether `host` is reachable only from this machine: a loopback address or `localhost`. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
