import {existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, statSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {KEYWORDS} from '@tars-ts/core';

import {runGeneration} from './gen.js';
import {DEFAULT_PORTS, type ProjectPorts} from './port-choice.js';
import {renderTemplate} from './template.js';
import {UserError} from '@tars-ts/kit';

/** The three names of `tars new <App> <Server> <Servant>`. */
export interface ServiceNames {
  app: string;
  server: string;
  servant: string;
}

/** What `tars new` is asked to make. */
export interface ScaffoldRequest extends ServiceNames {
  /** Target directory, relative to `cwd` or absolute; default `./<Server>`. */
  dir?: string;
  /** An HTTP gateway for the servant besides TARS. */
  http?: boolean;
  /** Write into an existing non-empty directory. */
  force?: boolean;
  cwd?: string;
  /** The ports to write into config.conf (see chooseProjectPorts); default 10015, 15001 and 10016 (HTTP). */
  ports?: ProjectPorts;
}

/** One file of the project, ready to write. */
export interface PlannedFile {
  /** Relative to the project directory, with `/`. */
  path: string;
  content: string;
}

/** Everything decided before a file is written. */
export interface ScaffoldPlan extends ServiceNames {
  /** Absolute project directory. */
  dir: string;
  http: boolean;
  /** `<App>.<Server>.<Servant>Obj`. */
  obj: string;
  /** The servant's TARS endpoint in config.conf. */
  endpoint: string;
  /** AdminObj's endpoint (`local`) in config.conf. */
  adminEndpoint: string;
  /** The ports in config.conf (http only with --http). */
  ports: ProjectPorts;
  /** The HTTP gateway's URL, with --http. */
  httpUrl?: string;
  /** The .tars file, relative to the project. */
  tarsFile: string;
  files: PlannedFile[];
  toolkit: ToolkitPaths;
}

/** Where the toolkit that runs this code lives: what the generated project links to and calls. */
export interface ToolkitPaths {
  /** The CLI's package root. */
  root: string;
  /** `bin/run.js` of the CLI, for `npm run gen` when `tars` is not on the PATH. */
  cli: string;
  /** The `@tars-ts/core` package directory the project depends on (`file:`). */
  core: string;
  templates: string;
}

/** The outcome of `tars new` (its `--json` output). */
export interface NewResult {
  /** Absolute project directory. */
  dir: string;
  /** Files written, relative to `dir`, sorted. */
  files: string[];
  installed: boolean;
  built: boolean;
  obj: string;
  /** The servant's endpoint in config.conf. */
  endpoint: string;
  /** AdminObj's endpoint in config.conf (`local`). */
  admin: string;
  /** The ports written to config.conf: `servant`, `admin`, and `http` with --http. */
  ports: ProjectPorts;
  /** With --http: the gateway's URL. */
  http?: string;
}

/** Versions the generated project pins (the toolkit's own). */
export const PROJECT_DEV_DEPENDENCIES = {'@types/node': '20.19.43', typescript: '5.9.3'} as const;

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
/** Names the .tars template declares itself: a servant so named would clash with them. */
const TEMPLATE_TYPES = new Set(['GreetRequest', 'GreetReply']);

/**
 * Checks one of the three names: an identifier (letters, digits and `_`, starting with a letter) that the IDL and
 * the file layout can take. Throws a usage error naming the argument.
 */
export function checkName(kind: 'App' | 'Server' | 'Servant', value: string): void {
  const example = 'e.g. tars new TestApp HelloGo SayHello';
  if (!NAME.test(value)) {
    throw new UserError(`${kind} "${value}" is not a valid name: use letters, digits and _, starting with a letter`,
      {hint: example, code: 'BAD_NAME'});
  }
  if (KEYWORDS.has(value)) {
    throw new UserError(`${kind} "${value}" is a keyword of the TARS IDL`, {hint: `choose another name, ${example}`,
      code: 'BAD_NAME'});
  }
  if (kind === 'Servant' && TEMPLATE_TYPES.has(value)) {
    throw new UserError(`Servant "${value}" clashes with the struct ${value} of the example interface`, {
      hint: `choose another name, ${example}`, code: 'BAD_NAME'});
  }
}

/** Checks the three names together: src/<Server>.ts must not collide with the other files of src/. */
export function checkNames(names: ServiceNames): void {
  checkName('App', names.app);
  checkName('Server', names.server);
  checkName('Servant', names.servant);
  const taken = new Map([['client', 'src/client.ts'], [`${names.servant}imp`.toLowerCase(), `src/${names.servant}Imp.ts`]]);
  const clash = taken.get(names.server.toLowerCase());
  if (clash) {
    throw new UserError(`Server "${names.server}" would be written to ${clash}, which the project already uses`, {
      hint: 'choose another server name', code: 'BAD_NAME'});
  }
}

/** Locates the toolkit from this module's own place (src/lib in development, dist/lib once built). */
export function toolkitPaths(): ToolkitPaths {
  const root = fileURLToPath(new URL('../..', import.meta.url)).replace(/[\\/]$/, '');
  return {root, cli: path.join(root, 'bin', 'run.js'), core: coreDirectory(root), templates: path.join(root, 'templates')};
}

/**
 * The directory of the `@tars-ts/core` this CLI runs with, as Node resolves it (a workspace link in a checkout,
 * node_modules once installed), real path; `<root>/core` when resolution fails.
 */
function coreDirectory(root: string): string {
  try {
    let dir = path.dirname(createRequire(import.meta.url).resolve('@tars-ts/core'));
    while (dir !== path.dirname(dir)) {
      const manifest = path.join(dir, 'package.json');
      if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as {name?: string}).name === '@tars-ts/core') {
        return realpathSync(dir);
      }
      dir = path.dirname(dir);
    }
  } catch {
    // Fall through to the checkout layout.
  }
  return path.join(root, 'core');
}

/** True when the core package has its compiled entry (what the generated project imports at run time). */
export function coreIsBuilt(toolkit: ToolkitPaths): boolean {
  return existsSync(path.join(toolkit.core, 'dist', 'index.js'));
}

/** Quotes a word for sh. */
function sh(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", String.raw`'\''`)}'`;
}

function projectPackageJson(plan: Omit<ScaffoldPlan, 'files'>): string {
  const gen = `gen ${plan.tarsFile} -o src/gen`;
  const pkg = {
    name: `${plan.app}-${plan.server}`.toLowerCase(),
    version: '0.1.0',
    description: `${plan.app}.${plan.server}: a TARS service (${plan.obj})`,
    private: true,
    type: 'module',
    engines: {node: '>=20.19.0'},
    scripts: {
      // `tars` from the PATH when there is one, else the CLI of the toolkit that made the project.
      gen: `if command -v tars >/dev/null 2>&1; then tars ${gen}; else node ${sh(plan.toolkit.cli)} ${gen}; fi`,
      build: 'npm run gen && tsc',
      start: `node dist/${plan.server}.js --config=config.conf`,
      client: 'node dist/client.js',
      ...(plan.http ? {'http-client': 'node dist/http-client.js'} : {}),
      test: 'npm run build && node --test test/',
    },
    dependencies: {'@tars-ts/core': `file:${plan.toolkit.core}`},
    devDependencies: {...PROJECT_DEV_DEPENDENCIES},
  };
  return JSON.stringify(pkg, null, 2) + '\n';
}

/** Every file under `dir`, relative, with `/`. */
function listTemplates(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory()
    ? listTemplates(path.join(dir, e.name), `${prefix}${e.name}/`)
    : [`${prefix}${e.name}`]));
}

/** A template's name in the project: `__Servant__` and `__Server__` replaced, `_gitignore` as `.gitignore`. */
function targetName(template: string, names: ServiceNames): string {
  return template.replaceAll('__Servant__', names.servant).replaceAll('__Server__', names.server)
    .replace(/(^|\/)_(gitignore)$/, '$1.$2');
}

/** Refuses an existing non-empty directory without `force`, and anything that is not a directory. */
function checkTarget(dir: string, shown: string, force: boolean): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) {
    throw new UserError(`${shown} exists and is not a directory`, {hint: 'choose another directory with --dir',
      code: 'TARGET_EXISTS'});
  }
  if (!force && readdirSync(dir).length > 0) {
    throw new UserError(`${shown} already exists and is not empty`, {
      hint: 'use --force to write the project into it (files of the same name are replaced), or --dir for another ' +
        'directory', code: 'TARGET_EXISTS'});
  }
}

/**
 * Decides everything `tars new` writes, without writing: checks the names and the target directory (usage errors)
 * and renders every template.
 */
export function planScaffold(req: ScaffoldRequest, toolkit: ToolkitPaths = toolkitPaths()): ScaffoldPlan {
  const names: ServiceNames = {app: req.app, server: req.server, servant: req.servant};
  checkNames(names);
  const cwd = req.cwd ?? process.cwd();
  const shown = req.dir ?? req.server;
  const dir = path.resolve(cwd, shown);
  checkTarget(dir, shown, req.force ?? false);

  const http = req.http ?? false;
  const host = '127.0.0.1';
  const ports: ProjectPorts = req.ports ?? {servant: DEFAULT_PORTS.servant, admin: DEFAULT_PORTS.admin,
    ...(http ? {http: DEFAULT_PORTS.http} : {})};
  const httpPort = ports.http ?? DEFAULT_PORTS.http;
  const endpoint = `tcp -h ${host} -p ${ports.servant} -t 60000`;
  const adminEndpoint = `tcp -h ${host} -p ${ports.admin} -t 10000`;
  const obj = `${names.app}.${names.server}.${names.servant}Obj`;
  const httpObj = `${names.app}.${names.server}.${names.servant}HttpObj`;
  const base = {
    ...names, dir, http, obj, endpoint, adminEndpoint, ports, tarsFile: `${names.servant}.tars`, toolkit,
    ...(http ? {httpUrl: `http://${host}:${httpPort}`} : {}),
  };
  const vars: Record<string, string> = {
    App: names.app, Server: names.server, Servant: names.servant, Obj: obj, Adapter: `${obj}Adapter`,
    HttpObj: httpObj, HttpAdapter: `${httpObj}Adapter`, endpoint,
    adminEndpoint, servantPort: String(ports.servant),
    httpEndpoint: `tcp -h ${host} -p ${httpPort} -t 60000`, httpPort: String(httpPort),
    coreSpec: `file:${toolkit.core}`, cliPath: toolkit.cli,
  };
  const sections = {http};
  const files = new Map<string, string>();
  for (const set of http ? ['project', 'project-http'] : ['project']) {
    const root = path.join(toolkit.templates, set);
    const templates = listTemplates(root);
    if (templates.length === 0) {
      throw new UserError(`the project templates are missing (${root})`, {
        code: 'TEMPLATES_MISSING', hint: 'reinstall the tars CLI'});
    }
    for (const t of templates) {
      files.set(targetName(t, names), renderTemplate(readFileSync(path.join(root, t), 'utf8'), vars, sections, t));
    }
  }
  files.set('package.json', projectPackageJson(base));
  return {...base, files: [...files].map(([p, content]) => ({path: p, content}))
    .sort((a, b) => a.path.localeCompare(b.path))};
}

/** Writes the planned files (directories created as needed); returns their relative paths. */
export function writeScaffold(plan: ScaffoldPlan): string[] {
  for (const f of plan.files) {
    const target = path.join(plan.dir, ...f.path.split('/'));
    mkdirSync(path.dirname(target), {recursive: true});
    writeFileSync(target, f.content);
  }
  return plan.files.map((f) => f.path);
}

/**
 * Generates `src/gen/` from the project's .tars in-process (the generator of this very toolkit), so the project
 * builds before `npm run gen` ever runs. Returns the generated files, relative to the project.
 */
export function generateCode(plan: ScaffoldPlan): string[] {
  const result = runGeneration({files: [plan.tarsFile], out: 'src/gen', include: [], cwd: plan.dir});
  return result.files.map((f) => f.path.split(path.sep).join('/'));
}

/** The environment for npm in the project: the caller's, minus what a parent `npm run` set for its own package. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_(package_|lifecycle_|command$|config_local_prefix$)/i.test(k)) continue;
    env[k] = v;
  }
  return env;
}

/** Runs npm in the project; `onLine` sees its output line by line. Fails with the last line npm printed. */
export async function runNpm(dir: string, args: readonly string[], onLine?: (line: string) => void): Promise<void> {
  const {execa} = await import('execa');
  const child = execa('npm', args, {cwd: dir, env: npmEnv(), extendEnv: false, all: true, reject: false,
    stdin: 'ignore', lines: false});
  let pending = '';
  child.all?.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split(/\r?\n/);
    pending = lines.pop() ?? '';
    for (const l of lines) if (l.trim() !== '') onLine?.(l);
  });
  const result = await child;
  if (result.failed) {
    const output = String(result.all ?? '').split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
    const why = result.exitCode === undefined ? result.shortMessage : `exit ${result.exitCode}`;
    // npm's own error lines say what went wrong (its code, then the cause); the log file line does not.
    const errors = output.filter((l) => /^npm (error|ERR!)/.test(l) && !/complete log of this run/.test(l))
      .map((l) => l.replace(/^npm (error|ERR!)\s*/, ''));
    const last = errors.length > 0 ? errors.slice(0, 2).join(': ') : output.at(-1) ?? '';
    throw new UserError(`npm ${args.join(' ')} failed in ${dir} (${why})${last ? `: ${last}` : ''}`, {
      code: 'NPM_FAILED',
      hint: `run it there to see its whole output: cd ${sh(dir)} && npm ${args.join(' ')}`});
  }
}

/** `npm install` in the new project. */
export function installProject(plan: ScaffoldPlan, onLine?: (line: string) => void): Promise<void> {
  return runNpm(plan.dir, ['install', '--no-audit', '--no-fund'], onLine);
}

/** `npm run build` in the new project (gen + tsc); first checks that the linked core is compiled. */
export async function buildProject(plan: ScaffoldPlan, onLine?: (line: string) => void): Promise<void> {
  if (!coreIsBuilt(plan.toolkit)) {
    throw new UserError(`@tars-ts/core in ${plan.toolkit.core} is not built (no dist/index.js), so the project cannot ` +
      'compile against it', {code: 'CORE_NOT_BUILT',
      hint: `run npm run build in ${plan.toolkit.root}, then npm run build in ${plan.dir}`});
  }
  await runNpm(plan.dir, ['run', 'build'], onLine);
}
