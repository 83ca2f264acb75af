import {runCommand} from '@oclif/test';
import {parseTarsConfig, serverConfigOf} from '@tars-ts/core';
import {expect} from 'chai';
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {renderTemplate} from '../../src/lib/template.js';

const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

interface NewJson {
  dir: string;
  files: string[];
  installed: boolean;
  built: boolean;
  obj: string;
  endpoint: string;
  http?: string;
}

const BASE_FILES = [
  '.gitignore', 'README.md', 'SayHello.tars', 'config.conf', 'package.json', 'src/HelloGo.ts', 'src/SayHelloImp.ts',
  'src/client.ts', 'src/gen/SayHelloTars.ts', 'test/echo.test.mjs', 'tsconfig.json',
];

/** Runs with stdin and stdout claiming not to be terminals, whatever runs the tests, so nothing ever prompts. */
async function withoutTty<T>(fn: () => Promise<T>): Promise<T> {
  const saved = [process.stdin.isTTY, process.stdout.isTTY];
  process.stdin.isTTY = false;
  process.stdout.isTTY = false;
  try {
    return await fn();
  } finally {
    [process.stdin.isTTY, process.stdout.isTTY] = saved;
  }
}

describe('tars new', () => {
  let tmp: string;
  const at = (...p: string[]): string => path.join(tmp, ...p);
  const read = (...p: string[]): string => readFileSync(at(...p), 'utf8');

  beforeEach(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'tars-new-'));
  });

  afterEach(() => rmSync(tmp, {recursive: true, force: true}));

  it('writes the project: interface, implementation, server, client, config, package, test, README', async () => {
    const {stdout, stderr, error} = await runCommand(['new', 'TestApp', 'HelloGo', 'SayHello', '--dir', at('p'),
      '--no-install'], {root});
    expect(error).to.equal(undefined);
    expect(stdout).to.contain('Created TestApp.HelloGo in');
    expect(stdout).to.contain('TestApp.HelloGo.SayHelloObj');
    expect(stdout).to.contain('npm install && npm run build');
    // Progress is plain lines on stderr when not on a terminal.
    expect(stderr).to.match(/Write the project/);
    for (const f of BASE_FILES) expect(existsSync(at('p', f)), f).to.equal(true);
    expect(existsSync(at('p', 'src/http-gateway.ts'))).to.equal(false);

    const tars = read('p', 'SayHello.tars');
    expect(tars).to.match(/module TestApp\s*\{/);
    expect(tars).to.match(/interface SayHello\s*\{/);
    expect(tars).to.contain('int EchoHello(string req, out string resp);');
    expect(tars).to.contain('int Greet(GreetRequest req, out GreetReply reply);');
    expect(tars).to.contain('vector<string>');
    expect(tars).to.contain('map<string, string>');

    expect(read('p', 'src/SayHelloImp.ts')).to.contain('export class SayHelloImp extends SayHelloServant');
    const server = read('p', 'src/HelloGo.ts');
    expect(server).to.contain('const app = await Application.fromArgs(process.argv);');
    expect(server).to.contain("app.addServant(new SayHelloImp(), 'TestApp.HelloGo.SayHelloObj');");
    expect(server).to.contain('await app.start();');
    const client = read('p', 'src/client.ts');
    expect(client).to.contain('comm.stringToProxy(SayHelloProxy, target)');
    expect(client).to.contain("const OBJ = 'TestApp.HelloGo.SayHelloObj';");
    expect(client).to.contain('@tcp -h 127.0.0.1 -p 10015 -t 60000');
    expect(client).to.contain('process.argv[2]');

    // Generated in-process, so the project builds before `npm run gen`.
    const gen = read('p', 'src/gen/SayHelloTars.ts');
    expect(gen).to.contain('export abstract class SayHelloServant');
    expect(gen).to.contain('export class SayHelloProxy');

    const conf = serverConfigOf(parseTarsConfig(read('p', 'config.conf'), 'config.conf'), 'config.conf');
    expect([conf.app, conf.server, conf.loglevel]).to.deep.equal(['TestApp', 'HelloGo', 'INFO']);
    expect(conf.local).to.not.equal(undefined);
    expect(conf.adapters).to.have.length(1);
    expect(conf.adapters[0]).to.include({name: 'TestApp.HelloGo.SayHelloObjAdapter',
      servant: 'TestApp.HelloGo.SayHelloObj', protocol: 'tars'});
    expect(conf.adapters[0].endpoint).to.include({protocol: 'tcp', host: '127.0.0.1', port: 10015, timeout: 60000});

    const pkg = JSON.parse(read('p', 'package.json')) as {type: string; scripts: Record<string, string>;
      dependencies: Record<string, string>; devDependencies: Record<string, string>};
    expect(pkg.type).to.equal('module');
    expect(pkg.scripts.gen).to.contain('tars gen SayHello.tars -o src/gen');
    expect(pkg.scripts.gen).to.contain(`node ${root}/bin/run.js gen SayHello.tars -o src/gen`);
    expect(pkg.scripts.build).to.equal('npm run gen && tsc');
    expect(pkg.scripts.start).to.equal('node dist/HelloGo.js --config=config.conf');
    expect(pkg.scripts.test).to.contain('node --test test/');
    const core = pkg.dependencies['@tars-ts/core'];
    expect(core).to.match(/^file:\//);
    const coreDir = core.slice('file:'.length);
    expect(JSON.parse(readFileSync(path.join(coreDir, 'package.json'), 'utf8')).name).to.equal('@tars-ts/core');
    expect(pkg.devDependencies).to.deep.equal({'@types/node': '20.19.43', typescript: '5.9.3'});

    const tsconfig = JSON.parse(read('p', 'tsconfig.json')) as {compilerOptions: Record<string, unknown>};
    expect(tsconfig.compilerOptions).to.include({module: 'nodenext', strict: true, outDir: 'dist', rootDir: 'src'});
    expect(read('p', '.gitignore')).to.contain('node_modules/');
    const readme = read('p', 'README.md');
    expect(readme).to.contain('tars call TestApp.HelloGo.SayHelloObj EchoHello tars');
    expect(readme).to.contain('npm run build');
    expect(readme).to.contain('npm start');
    expect(readme).to.contain('node dist/client.js');
    expect(readme).to.contain('npm test');
    const test = read('p', 'test/echo.test.mjs');
    expect(test).to.contain("from 'node:test'");
    expect(test).to.contain('Application.fromText');
    expect(test).to.contain('-p 0');
    // No template placeholder survives.
    for (const f of BASE_FILES) expect(read('p', f), f).to.not.match(/\{\{[#^/]?\w+\}\}|__Serv(er|ant)__/);
  });

  it('--json reports the directory, the files, the object and its endpoint', async () => {
    const {stdout, error} = await runCommand(['new', 'MyApp', 'Shop', 'Cart', '--dir', at('shop'), '--no-install',
      '--json'], {root});
    expect(error).to.equal(undefined);
    const json = JSON.parse(stdout) as NewJson;
    expect(json).to.deep.equal({
      dir: at('shop'), installed: false, built: false, obj: 'MyApp.Shop.CartObj',
      endpoint: 'tcp -h 127.0.0.1 -p 10015 -t 60000',
      files: ['.gitignore', 'Cart.tars', 'README.md', 'config.conf', 'package.json', 'src/CartImp.ts', 'src/Shop.ts',
        'src/client.ts', 'src/gen/CartTars.ts', 'test/echo.test.mjs', 'tsconfig.json'],
    });
    expect(read('shop', 'src/Shop.ts')).to.contain("app.addServant(new CartImp(), 'MyApp.Shop.CartObj');");
  });

  it('writes to ./<Server> by default', async () => {
    const cwd = process.cwd();
    process.chdir(tmp);
    try {
      const {error} = await runCommand(['new', 'TestApp', 'HelloGo', 'SayHello', '--no-install'], {root});
      expect(error).to.equal(undefined);
    } finally {
      process.chdir(cwd);
    }
    expect(existsSync(at('HelloGo', 'src/HelloGo.ts'))).to.equal(true);
  });

  it('refuses a non-empty directory (exit 2, with a hint) unless --force; an empty one is fine', async () => {
    mkdirSync(at('busy'));
    writeFileSync(at('busy', 'notes.txt'), 'mine');
    const refused = await runCommand(['new', 'TestApp', 'HelloGo', 'SayHello', '--dir', at('busy'), '--no-install'],
      {root});
    expect(refused.error?.oclif?.exit).to.equal(2);
    expect(refused.stderr).to.match(/^error: .*busy already exists and is not empty$/m);
    expect(refused.stderr).to.match(/^hint: use --force/m);
    expect(existsSync(at('busy', 'package.json'))).to.equal(false);

    const forced = await runCommand(['new', 'TestApp', 'HelloGo', 'SayHello', '--dir', at('busy'), '--no-install',
      '--force'], {root});
    expect(forced.error).to.equal(undefined);
    expect(existsSync(at('busy', 'package.json'))).to.equal(true);
    expect(read('busy', 'notes.txt')).to.equal('mine');

    mkdirSync(at('empty'));
    const empty = await runCommand(['new', 'TestApp', 'HelloGo', 'SayHello', '--dir', at('empty'), '--no-install'],
      {root});
    expect(empty.error).to.equal(undefined);
  });

  it('a target that is a file is refused', async () => {
    writeFileSync(at('afile'), '');
    const {error, stderr} = await runCommand(['new', 'A', 'B', 'C', '--dir', at('afile'), '--no-install'], {root});
    expect(error?.oclif?.exit).to.equal(2);
    expect(stderr).to.contain('is not a directory');
  });

  for (const [args, named] of [
    [['1App', 'HelloGo', 'SayHello'], /App "1App" is not a valid name/],
    [['TestApp', 'Hello-Go', 'SayHello'], /Server "Hello-Go" is not a valid name/],
    [['TestApp', 'HelloGo', 'Say.Hello'], /Servant "Say\.Hello" is not a valid name/],
    [['TestApp', 'HelloGo', '_Say'], /Servant "_Say" is not a valid name/],
    [['module', 'HelloGo', 'SayHello'], /App "module" is a keyword of the TARS IDL/],
    [['TestApp', 'client', 'SayHello'], /Server "client" would be written to src\/client\.ts/],
    [['TestApp', 'HelloGo', 'GreetRequest'], /Servant "GreetRequest" clashes/],
  ] as const) {
    it(`rejects ${args.join(' ')} (exit 2, naming the argument) and writes nothing`, async () => {
      const {error, stderr} = await runCommand(['new', ...args, '--dir', at('x'), '--no-install'], {root});
      expect(error?.oclif?.exit).to.equal(2);
      expect(stderr).to.match(named);
      expect(stderr).to.match(/^hint: /m);
      expect(existsSync(at('x'))).to.equal(false);
    });
  }

  it('a bad name with --json is an error object', async () => {
    const {stdout, error} = await runCommand(['new', 'TestApp', '9', 'SayHello', '--dir', at('x'), '--json'], {root});
    expect(error?.oclif?.exit).to.equal(2);
    const json = JSON.parse(stdout) as {error: {code: string; message: string; hint: string}};
    expect(json.error.code).to.equal('BAD_NAME');
    expect(json.error.message).to.contain('Server "9"');
  });

  it('missing arguments without a terminal are a usage error (exit 2) that names them', async () => {
    const some = await withoutTty(() => runCommand(['new', 'TestApp', '--dir', at('x'), '--no-install'], {root}));
    expect(some.error?.oclif?.exit).to.equal(2);
    expect(some.stderr).to.match(/^error: missing arguments Server and Servant$/m);
    expect(some.stderr).to.match(/^hint: tars new <App> <Server> <Servant>/m);
    const none = await withoutTty(() => runCommand(['new', '--yes', '--dir', at('x')], {root}));
    expect(none.error?.oclif?.exit).to.equal(2);
    expect(none.stderr).to.contain('missing arguments App, Server and Servant');
    // --yes never prompts, even where a terminal would allow it.
    const yes = await runCommand(['new', 'TestApp', 'HelloGo', '--yes', '--dir', at('x')], {root});
    expect(yes.error?.oclif?.exit).to.equal(2);
    expect(yes.stderr).to.contain('missing argument Servant');
    expect(existsSync(at('x'))).to.equal(false);
  });

  it('--http adds the HTTP gateway on a not_tars adapter, an HTTP client, and its tests', async () => {
    const {stdout, error} = await runCommand(['new', 'TestApp', 'HelloGo', 'SayHello', '--http', '--dir', at('h'),
      '--no-install', '--json'], {root});
    expect(error).to.equal(undefined);
    const json = JSON.parse(stdout) as NewJson;
    expect(json.http).to.equal('http://127.0.0.1:10016');
    expect(json.obj).to.equal('TestApp.HelloGo.SayHelloObj');
    expect(json.files).to.deep.equal([...BASE_FILES, 'src/http-client.ts', 'src/http-gateway.ts'].sort());

    const conf = serverConfigOf(parseTarsConfig(read('h', 'config.conf'), 'config.conf'), 'config.conf');
    expect(conf.local).to.not.equal(undefined);
    expect(conf.adapters.map((a) => [a.name, a.servant, a.protocol, a.endpoint.port])).to.deep.equal([
      ['TestApp.HelloGo.SayHelloObjAdapter', 'TestApp.HelloGo.SayHelloObj', 'tars', 10015],
      ['TestApp.HelloGo.SayHelloHttpObjAdapter', 'TestApp.HelloGo.SayHelloHttpObj', 'not_tars', 10016],
    ]);
    const server = read('h', 'src/HelloGo.ts');
    expect(server).to.contain('const app = await Application.fromArgs(process.argv);');
    expect(server).to.contain("app.addServant(imp, 'TestApp.HelloGo.SayHelloObj');");
    expect(server).to.contain('startHttpGateway(imp,');
    expect(server).to.contain("a.servant === 'TestApp.HelloGo.SayHelloHttpObj'");
    expect(read('h', 'src/http-gateway.ts')).to.contain("from 'node:http'");
    expect(read('h', 'src/http-client.ts')).to.contain('await fetch(');
    expect(read('h', 'test/echo.test.mjs')).to.contain('/EchoHello`');
    expect(read('h', 'README.md')).to.contain('curl -d \'{"req": "tars"}\' http://127.0.0.1:10016/EchoHello');
    const pkg = JSON.parse(read('h', 'package.json')) as {scripts: Record<string, string>};
    expect(pkg.scripts['http-client']).to.equal('node dist/http-client.js');
    for (const f of json.files) expect(read('h', f), f).to.not.match(/\{\{[#^/]?\w+\}\}|__Serv(er|ant)__/);
  });
});

describe('tars new, when npm install fails', () => {
  let tmp: string;
  const saved = {offline: process.env.npm_config_offline, cache: process.env.npm_config_cache};

  before(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'tars-new-npm-'));
    // Offline with an empty cache: npm install fails at once (ENOTCACHED), without the network.
    process.env.npm_config_offline = 'true';
    process.env.npm_config_cache = path.join(tmp, 'empty-cache');
  });

  after(() => {
    for (const [key, value] of [['npm_config_offline', saved.offline], ['npm_config_cache', saved.cache]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    rmSync(tmp, {recursive: true, force: true});
  });

  it('reports npm\'s error (exit 1) with a hint to rerun it there; the files stay', async () => {
    const dir = path.join(tmp, 'p');
    const {error, stderr} = await runCommand(['new', 'TestApp', 'HelloGo', 'SayHello', '--dir', dir], {root});
    expect(error?.oclif?.exit).to.equal(1);
    expect(stderr).to.match(/^error: npm install --no-audit --no-fund failed in .*p \(exit 1\): code ENOTCACHED: /m);
    expect(stderr).to.match(/^hint: run it there to see its whole output: cd .*p && npm install/m);
    expect(existsSync(path.join(dir, 'src/gen/SayHelloTars.ts'))).to.equal(true);
  });
});

describe('project templates', () => {
  it('replace variables, keep or drop sections, and reject unknown names', () => {
    const text = 'a {{x}}\n{{#on}}\nkept\n{{/on}}\n{{^on}}\ndropped\n{{/on}}\ninline{{#off}} no{{/off}}{{^off}} yes{{/off}}\n';
    expect(renderTemplate(text, {x: 'X'}, {on: true, off: false})).to.equal('a X\nkept\ninline yes\n');
    expect(renderTemplate('{{{x}}}', {x: 'X'}, {})).to.equal('{X}');
    expect(() => renderTemplate('{{y}}', {x: 'X'}, {}, 't')).to.throw('t: unknown variable {{y}}');
    expect(() => renderTemplate('{{#z}}a{{/z}}', {}, {}, 't')).to.throw('t: unknown section {{#z}}');
  });
});
