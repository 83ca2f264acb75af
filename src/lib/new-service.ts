import path from 'node:path';

import {
  type NewResult, type ScaffoldPlan, type ServiceNames, buildProject, checkName, coreIsBuilt, generateCode,
  installProject, planScaffold, writeScaffold,
} from './scaffold.js';
import {UserError} from '@tars-ts/kit';

import {chooseProjectPorts, parsePortFlag} from './port-choice.js';

/** What `tars new` was given. */
export interface NewServiceOptions {
  app?: string;
  server?: string;
  servant?: string;
  dir?: string;
  /** --port as given: the servant's port; the others take the next free ones. Absent: the defaults when free. */
  port?: string;
  http: boolean;
  force: boolean;
  /** Run `npm install` and `npm run build` in the project. */
  install: boolean;
  json: boolean;
  yes: boolean;
}

/** Where progress and warnings go (stderr); the summary is the command's to print. */
export interface NewServiceIo {
  warn(line: string): void;
}

/** Prompts only on a terminal, never with --json, --yes or CI set (design.md). */
export function canPrompt(o: Pick<NewServiceOptions, 'json' | 'yes'>): boolean {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY) && !o.json && !o.yes && !process.env.CI;
}

const ARGS = [
  {key: 'app', kind: 'App', message: 'Application (App)', example: 'TestApp'},
  {key: 'server', kind: 'Server', message: 'Server', example: 'HelloGo'},
  {key: 'servant', kind: 'Servant', message: 'Servant (interface)', example: 'SayHello'},
] as const;

/** The three names: as given, else asked for on a terminal, else a usage error naming what is missing. */
export async function resolveNames(o: NewServiceOptions): Promise<ServiceNames> {
  const missing = ARGS.filter((a) => !o[a.key]);
  if (missing.length === 0) return {app: o.app!, server: o.server!, servant: o.servant!};
  if (!canPrompt(o)) {
    const list = missing.map((a) => a.kind);
    const what = list.length === 1 ? `argument ${list[0]}` : `arguments ${list.slice(0, -1).join(', ')} and ${list.at(-1)}`;
    throw new UserError(`missing ${what}`, {hint: 'tars new <App> <Server> <Servant>, e.g. tars new TestApp HelloGo ' +
      'SayHello (on a terminal, tars new asks for what is missing)', code: 'MISSING_ARGUMENT'});
  }
  const {input} = await import('@inquirer/prompts');
  const names: Record<string, string> = {app: o.app ?? '', server: o.server ?? '', servant: o.servant ?? ''};
  try {
    for (const a of missing) {
      const value = await input({message: a.message, default: a.example, validate(v: string) {
        try {
          checkName(a.kind, v.trim());
          return true;
        } catch (error) {
          return (error as Error).message;
        }
      }});
      names[a.key] = value.trim();
    }
  } catch (error) {
    // Ctrl-C or a closed terminal at a prompt: nothing was written.
    if ((error as Error).name === 'ExitPromptError') {
      throw new UserError('cancelled: nothing was written', {code: 'CANCELLED'});
    }
    throw error;
  }
  return {app: names.app, server: names.server, servant: names.servant};
}

interface Ctx {
  files: string[];
  installed: boolean;
  built: boolean;
}

/**
 * `tars new`: checks and plans (usage errors before anything is written), then writes the files, generates the
 * code and, unless told not to, installs and builds, as listr2 tasks on a terminal, plain lines otherwise and
 * silently with --json.
 */
export async function createService(o: NewServiceOptions, io: NewServiceIo): Promise<{result: NewResult;
  plan: ScaffoldPlan}> {
  const port = o.port === undefined ? undefined : parsePortFlag(o.port);
  const names = await resolveNames(o);
  const {ports, notes} = await chooseProjectPorts({...(port === undefined ? {} : {port}), http: o.http});
  const plan = planScaffold({...names, ...(o.dir ? {dir: o.dir} : {}), http: o.http, force: o.force, ports});
  for (const note of notes) io.warn(`note: ${note}`);
  if (!coreIsBuilt(plan.toolkit)) {
    io.warn(`warning: @tars-ts/core in ${plan.toolkit.core} is not built yet; run npm run build in ` +
      `${plan.toolkit.root} before building the project`);
  }

  const {Listr, ListrLogger, ProcessOutput} = await import('listr2');
  const fancy = Boolean(process.stdout.isTTY && process.stderr.isTTY) && !process.env.CI;
  const output = new ProcessOutput(process.stderr, process.stderr);
  const tasks = new Listr<Ctx>([
    {title: `Write the project to ${shownDir(plan.dir)}`, task: (ctx) => {
      ctx.files.push(...writeScaffold(plan));
    }},
    {title: `Generate src/gen from ${plan.tarsFile}`, task: (ctx) => {
      ctx.files.push(...generateCode(plan));
    }},
    {title: 'Install dependencies (npm install)', enabled: o.install, task: async (ctx, task) => {
      await installProject(plan, fancy ? (line) => {
        task.output = line;
      } : undefined);
      ctx.installed = true;
    }},
    {title: 'Build (npm run build)', enabled: o.install, task: async (ctx, task) => {
      await buildProject(plan, fancy ? (line) => {
        task.output = line;
      } : undefined);
      ctx.built = true;
    }},
  ], {
    ctx: {files: [], installed: false, built: false},
    renderer: 'default',
    fallbackRenderer: 'simple',
    fallbackRendererCondition: !fancy,
    silentRendererCondition: o.json,
    // Progress goes to stderr: stdout holds the summary (or the JSON).
    rendererOptions: {logger: new ListrLogger({processOutput: output})},
    fallbackRendererOptions: {logger: new ListrLogger({processOutput: output})},
    exitOnError: true,
  });
  const ctx = await tasks.run();
  const result: NewResult = {
    dir: plan.dir, files: [...new Set(ctx.files)].sort(), installed: ctx.installed, built: ctx.built,
    obj: plan.obj, endpoint: plan.endpoint, admin: plan.adminEndpoint, ports: plan.ports,
    ...(plan.httpUrl ? {http: plan.httpUrl} : {}),
  };
  return {result, plan};
}

function shownDir(dir: string): string {
  const rel = path.relative(process.cwd(), dir);
  return rel === '' ? '.' : rel.startsWith('..') || path.isAbsolute(rel) ? dir : rel;
}

/** The human summary: what was made and what to type next. */
export function summaryLines(result: NewResult, plan: ScaffoldPlan): string[] {
  const shown = shownDir(result.dir);
  const lines = [
    `Created ${plan.app}.${plan.server} in ${shown} (${result.files.length} files)`,
    `  servant   ${result.obj}`,
    `  endpoint  ${result.endpoint}`,
    ...(result.http ? [`  http      ${result.http}`] : []),
    `  admin     ${result.admin}`,
    '',
    'Next:',
    `  cd ${shown.includes(' ') ? JSON.stringify(shown) : shown}`,
    ...(result.built ? [] : ['  npm install && npm run build']),
    '  npm start                 # then, in another terminal:',
    '  node dist/client.js       # calls EchoHello and Greet',
    ...(result.http ? [`  curl -d '{"req": "tars"}' ${result.http}/EchoHello`] : []),
    '  npm test',
  ];
  return lines;
}
