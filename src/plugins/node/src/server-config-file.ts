// The TARS config file a node writes for each server it manages (framework.md 2.2 "Config file generation" and 4),
// built as the official tarsnode builds it (TarsFramework NodeServer/CommandLoad::updateConfigFile):
//   1. a skeleton of what only the node knows: `node` (its ServerObj) and one domain per adapter of the descriptor;
//   2. the profile: the template text with the server's own profile merged over it (the official registry does this
//      merge in getServers; ours hands out the server's own text, so the node does it), with the `${...}` macros
//      replaced;
//   3. the profile merged over the skeleton: the profile wins, domain by domain, key by key.
// One deliberate difference: our skeleton also carries every other fact the node knows (app, server, localip, local,
// paths, locator, set...), so a template that forgets one of them still gives a server that starts, reports and can
// be stopped. The template and the profile still override all of it, as they would officially.
import {randomBytes} from 'node:crypto';
import {copyFile, mkdir, readFile, rename, rm, writeFile} from 'node:fs/promises';
import path from 'node:path';

import {ConfigDomain, type Endpoint, formatEndpoint, parseEndpoint, parseTarsConfig, writeTarsConfig} from '@tars-ts/core';
import {TarsError} from '@tars-ts/core/errors';
import type {RegistryDescriptor} from '@tars-ts/core/framework';

import type {ServerLayout} from './layout.js';

/** The fields of the registry's ServerDescriptor (framework.md 1.3) that go into the config file. */
export type ServerConfigDescriptor = Pick<RegistryDescriptor.ServerDescriptor,
  'application' | 'serverName' | 'profile' | 'adapters' | 'setId' | 'asyncThreadNum' | 'exePath' | 'serverType' |
  'configCenterPort' | 'baseImage' | 'sha'>;

/** What the node knows about itself, for the servers it runs. */
export interface NodeFacts {
  /**
   * The endpoint of the node's own `tars.tarsnode.ServerObj` (where servers send heartbeats), e.g.
   * `tcp -h 10.0.0.5 -p 19386 -t 60000`.
   */
  readonly serverObjEndpoint: string | Endpoint;
  /**
   * The locator servers resolve names through: `tars.tarsregistry.QueryObj@tcp -h H -p 17890[:tcp -h H2 -p 17890]`
   * (officially the registry's live QueryObj endpoints, else the node's own locator).
   */
  readonly locator: string;
  /** This host's IP (`localip`); default the host of {@link serverObjEndpoint}, as the official node takes it. */
  readonly localIp?: string;
  /**
   * The node's name: written as `<server> node_name` (not by the official node; TarsGo and our runtime read it) so
   * that a server tells the config center and the registry which node it runs on even when the name is not its IP.
   */
  readonly nodeName?: string;
}

/** Everything {@link serverConfigText} needs: no I/O happens there. */
export interface ServerConfigInput {
  /** The server as the registry's getServers describes it. */
  readonly descriptor: ServerConfigDescriptor;
  readonly node: NodeFacts;
  /** Where the server lives on this node (its bin, data and log directories). */
  readonly layout: ServerLayout;
  /**
   * The admin endpoint hosting the server's AdminObj (`<server> local`), e.g. `tcp -h 127.0.0.1 -p 31234 -t 10000`.
   * The node picks it: the port of the previous file ({@link localEndpointOf}), else a free one.
   */
  readonly local: string | Endpoint;
  /**
   * The merged text of the server's profile template (its template chain). Default
   * {@link DEFAULT_SERVER_TEMPLATE}; pass `''` when `descriptor.profile` already contains the template, as an official
   * registry's getServers hands it out.
   */
  readonly template?: string;
  /** `logLevel` when neither the template nor the profile sets one; default `DEBUG` (the official template's). */
  readonly logLevel?: string;
  /** More macros, or replacements of the computed ones (see {@link serverMacros}). */
  readonly macros?: Readonly<Record<string, string>>;
}

/**
 * The framework's `tars.default` profile template, in substance: what a server gets when nothing else is said
 * (`logsize` 10M and no `lognum`, as there; the legacy `sample-rate`/`max-sample-count` left out: nothing reads
 * them). `activating-timeout` is added: tarsnode reads it (framework.md 2.2) and falls back to 30 s without it.
 */
export const DEFAULT_SERVER_TEMPLATE = `<tars>
  <application>
    enableset = \${enableset}
    setdivision = \${setdivision}
    <client>
      locator = \${locator}
      sync-invoke-timeout = 3000
      async-invoke-timeout = 5000
      refresh-endpoint-interval = 60000
      stat = tars.tarsstat.StatObj
      property = tars.tarsproperty.PropertyObj
      report-interval = 60000
      asyncthread = \${asyncthread}
      modulename = \${modulename}
    </client>
    <server>
      app = \${app}
      server = \${server}
      localip = \${localip}
      local = \${local}
      basepath = \${basepath}
      datapath = \${datapath}
      logpath = \${logpath}
      logsize = 10M
      config = tars.tarsconfig.ConfigObj
      notify = tars.tarsnotify.NotifyObj
      log = tars.tarslog.LogObj
      deactivating-timeout = 3000
      activating-timeout = 60000
    </server>
  </application>
</tars>
`;

/** The node's ServerObj, as the official node names it (its own `App.Server.ServerObj`). */
const NODE_SERVANT = 'tars.tarsnode.ServerObj';

function invalid(message: string): TarsError {
  return new TarsError('CONFIG_INVALID', message);
}

function endpointText(value: string | Endpoint, what: string): string {
  if (typeof value !== 'string') return formatEndpoint(value);
  const text = value.trim();
  try {
    parseEndpoint(text);
  } catch (error) {
    throw invalid(`${what}: ${(error as Error).message}`);
  }
  return text;
}

/** `dir` with one trailing `/`: the official node writes basepath and datapath so, and servers append file names. */
function dirWithSlash(dir: string): string {
  return dir.endsWith(path.sep) ? dir : dir + path.sep;
}

const INTERPRETERS = new Map([['tars_java', 'java'], ['tars_nodejs', 'node'], ['tars_php', 'php']]);

/**
 * The executable as the official node computes `${exe}`: `exePath` absolute as given, relative under `bin/`, empty
 * `bin/<Server>` (java, node and php servers run their interpreter).
 */
function exeOf(d: ServerConfigDescriptor, layout: ServerLayout): string {
  const exe = d.exePath.trim();
  if (exe !== '') return path.isAbsolute(exe) ? path.normalize(exe) : path.join(layout.bin, exe);
  return INTERPRETERS.get(d.serverType.trim().toLowerCase()) ?? path.join(layout.bin, d.serverName);
}

/**
 * The macros the official node expands in the profile (CommandLoad), with their values for this server: locator,
 * modulename (`App.Server`), app, server, serverid, localip, exe, basepath (`bin/`), datapath (`data/`), logpath,
 * local, mainclass (java: `com.qq.<app>.<server>.<Server>`), config-center-port, setdivision (the set id, or
 * `NULL`), enableset (`y` in a set, else `n`), asyncthread, baseimage, sha; then `input.macros` over them.
 * framework.md also lists `nodename` and `priKey`: the official node has neither (they stay literal unless given in
 * `input.macros`).
 */
export function serverMacros(input: ServerConfigInput): Map<string, string> {
  const d = input.descriptor;
  const localip = input.node.localIp ?? parseEndpoint(endpointText(input.node.serverObjEndpoint, 'node ServerObj')).host;
  const setId = d.setId.trim();
  const macros = new Map<string, string>([
    ['locator', input.node.locator],
    ['modulename', `${d.application}.${d.serverName}`],
    ['app', d.application],
    ['server', d.serverName],
    ['serverid', `${d.application}.${d.serverName}`],
    ['localip', localip],
    ['exe', exeOf(d, input.layout)],
    ['basepath', dirWithSlash(input.layout.bin)],
    ['datapath', dirWithSlash(input.layout.data)],
    ['logpath', input.layout.log],
    ['local', endpointText(input.local, 'local')],
    ['mainclass', `com.qq.${d.application.toLowerCase()}.${d.serverName.toLowerCase()}.${d.serverName}`],
    ['config-center-port', String(d.configCenterPort)],
    ['setdivision', setId === '' ? 'NULL' : setId],
    ['enableset', setId === '' ? 'n' : 'y'],
    ['asyncthread', String(d.asyncThreadNum)],
    ['baseimage', d.baseImage],
    ['sha', d.sha],
  ]);
  for (const [k, v] of Object.entries(input.macros ?? {})) macros.set(k, v);
  return macros;
}

/** A value as the config syntax writes it (TC_Config's escapes), so a macro can never add a line or split a key. */
function escapeValue(text: string): string {
  return text.replace(/[\\\r\n\t=]/g, (c) => ({'\\': '\\\\', '\r': '\\r', '\n': '\\n', '\t': '\\t', '=': '\\='})[c]!);
}

/**
 * `text` with every `${name}` of `macros` replaced by its value, escaped for the config syntax (as the official node
 * does before parsing the profile). Unknown `${...}` stay as they are, as there.
 */
export function expandMacros(text: string, macros: ReadonlyMap<string, string>): string {
  return text.replace(/\$\{([^{}]*)\}/g, (all, name: string) => {
    const v = macros.get(name);
    return v === undefined ? all : escapeValue(v);
  });
}

/**
 * Merges `source` into `target` as TC_Config's joinConfig(replace) does: every key of `source` overrides the one of
 * `target`, sub-domains merge recursively, whatever only `target` has stays. Returns `target`.
 */
export function mergeConfig(target: ConfigDomain, source: ConfigDomain): ConfigDomain {
  for (const [k, v] of source.params) target.params.set(k, v);
  for (const [name, child] of source.children) mergeConfig(target.child(name), child);
  return target;
}

/** The skeleton: what the node knows, before the profile is merged over it. */
function skeleton(input: ServerConfigInput, macros: ReadonlyMap<string, string>): ConfigDomain {
  const d = input.descriptor;
  const root = new ConfigDomain('');
  const application = root.child('tars').child('application');
  const m = (name: string): string => macros.get(name)!;
  application.params.set('enableset', m('enableset'));
  application.params.set('setdivision', m('setdivision'));
  const client = application.child('client');
  client.params.set('locator', m('locator'));
  client.params.set('asyncthread', m('asyncthread'));
  client.params.set('modulename', m('modulename'));
  const server = application.child('server');
  for (const key of ['app', 'server', 'localip', 'local', 'basepath', 'datapath', 'logpath']) {
    server.params.set(key, m(key));
  }
  // `logLevel`, spelled as the template spells it: TarsGo reads only this spelling (TarsCpp and ours read both).
  server.params.set('logLevel', input.logLevel ?? 'DEBUG');
  server.params.set('node', `${NODE_SERVANT}@${endpointText(input.node.serverObjEndpoint, 'node ServerObj')}`);
  if (input.node.nodeName) server.params.set('node_name', input.node.nodeName);
  // Adapters by name (the registry's map is keyed by it; the official node skips a nameless one, a left-join row).
  for (const name of [...d.adapters.keys()].filter((n) => n !== '').sort()) {
    const a = d.adapters.get(name)!;
    const domain = server.child(name);
    domain.params.set('endpoint', endpointText(a.endpoint, `adapter ${name}`));
    domain.params.set('allow', a.allowIp);
    domain.params.set('queuecap', String(a.queuecap));
    domain.params.set('queuetimeout', String(a.queuetimeout));
    domain.params.set('maxconns', String(a.maxConnections));
    domain.params.set('threads', a.threadNum);
    domain.params.set('servant', a.servant);
    domain.params.set('protocol', a.protocol === '' ? 'tars' : a.protocol);
  }
  return root;
}

function parsePart(text: string, what: string, macros: ReadonlyMap<string, string>): ConfigDomain {
  return parseTarsConfig(expandMacros(text, macros), what);
}

/**
 * The config file text of one server: the node's skeleton, with the template and then the server's profile merged
 * over it (macros expanded in both), written as TarsCpp, TarsGo and our core all read it
 * (`<tars><application>` with `enableset`/`setdivision`, `<client>`, `<server>` and one domain per adapter).
 * Pure. Throws a CONFIG_INVALID TarsError when the template or the profile does not parse, an endpoint is not one,
 * or a value holds `<`, `>` or `&` (TarsGo's XML reader would stop there).
 *
 * Unlike the official node, a literal `\s` is not turned into a space afterwards: TC_Config refuses `\s` when
 * parsing, so the official replacement can only ever damage an escaped `\\s`.
 */
export function serverConfigText(input: ServerConfigInput): string {
  const d = input.descriptor;
  for (const [what, name] of [['application', d.application], ['server', d.serverName]] as const) {
    if (!/^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(name)) throw invalid(`${what} name "${name}" is not a TARS name`);
  }
  const macros = serverMacros(input);
  const profile = parsePart(input.template ?? DEFAULT_SERVER_TEMPLATE, `${d.application}.${d.serverName} template`,
    macros);
  mergeConfig(profile, parsePart(d.profile, `${d.application}.${d.serverName} profile`, macros));
  return writeTarsConfig(mergeConfig(skeleton(input, macros), profile));
}

/**
 * The admin endpoint (`<server> local`) of a config file the node wrote before, or undefined (no text, not a
 * config, no valid `local`): the official node keeps a server's admin port across reloads this way.
 */
export function localEndpointOf(previous: string | undefined): string | undefined {
  if (previous === undefined) return undefined;
  try {
    const local = parseTarsConfig(previous).get('/tars/application/server<local>');
    return local === undefined || local === '' ? undefined : formatEndpoint(parseEndpoint(local));
  } catch {
    return undefined;
  }
}

/**
 * Writes `text` to `file` unless the file already holds exactly that; returns whether it wrote. The previous content
 * is kept as `<file>.bak` (as the official node does, so a bad template can be diffed and undone), and the new one
 * appears at once: it is written to a temporary file next to `file`, then renamed over it, so a server starting
 * meanwhile reads the old file or the new one, never half of one. Creates the directory when missing.
 */
export async function writeServerConfig(file: string, text: string): Promise<boolean> {
  let previous: string | undefined;
  try {
    previous = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (previous === text) return false;
  await mkdir(path.dirname(file), {recursive: true});
  if (previous !== undefined) await copyFile(file, `${file}.bak`);
  const temp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(temp, text);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, {force: true});
    throw error;
  }
  return true;
}
