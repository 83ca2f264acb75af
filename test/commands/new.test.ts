import {runCommand} from '@oclif/test';
import {parseTarsConfig, serverConfigOf} from '@tars-ts/core';
import {expect} from 'chai';
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import {chooseProjectPorts} from '../../src/lib/port-choice.js';
import {renderTemplate} from '../../src/lib/template.js';
import {freePort} from '../support/ports.js';

const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

interface NewJson {
  dir: string;
  files: string[];
  installed: boolean;
  built: boolean;
  obj: string;
  endpoint: string;
  admin: string;
  ports: {servant: number; admin: number; http?: number};
  http?: string;
}

/** Listens on 127.0.0.1:port, standing for another project's server; undefined when something already holds it. */
async function hold(port: number): Promise<net.Server | undefined> {
  const s = net.createServer();
  return new Promise((resolve) => {
    s.once('error', () => resolve(undefined));
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
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
    // 10015 unless something holds it here (see the tests of the ports); the client and the summary agree.
    const {port} = conf.adapters[0].endpoint;
    expect(conf.adapters[0].endpoint).to.include({protocol: 'tcp', host: '127.0.0.1', timeout: 60000});
    expect(client).to.contain(`@tcp -h 127.0.0.1 -p ${port} -t 60000`);
    expect(stdout).to.contain(`  endpoint  tcp -h 127.0.0.1 -p ${port} -t 60000`);
    expect(stdout).to.contain(`  admin     tcp -h 127.0.0.1 -p ${conf.local!.port} -t 10000`);

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

  it('--json reports the directory, the files, the object, its endpoint, the admin endpoint and the ports', async () => {
    const {stdout, error} = await runCommand(['new', 'MyApp', 'Shop', 'Cart', '--dir', at('shop'), '--no-install',
      '--json'], {root});
    expect(error).to.equal(undefined);
    const json = JSON.parse(stdout) as NewJson;
    const {servant, admin} = json.ports;
    expect(json).to.deep.equal({
      dir: at('shop'), installed: false, built: false, obj: 'MyApp.Shop.CartObj',
      endpoint: `tcp -h 127.0.0.1 -p ${servant} -t 60000`, admin: `tcp -h 127.0.0.1 -p ${admin} -t 10000`,
      ports: {servant, admin},
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
    const {servant, http} = json.ports;
    expect(json.http).to.equal(`http://127.0.0.1:${http}`);
    expect(json.obj).to.equal('TestApp.HelloGo.SayHelloObj');
    expect(json.files).to.deep.equal([...BASE_FILES, 'src/http-client.ts', 'src/http-gateway.ts'].sort());

    const conf = serverConfigOf(parseTarsConfig(read('h', 'config.conf'), 'config.conf'), 'config.conf');
    expect(conf.local).to.not.equal(undefined);
    expect(conf.adapters.map((a) => [a.name, a.servant, a.protocol, a.endpoint.port])).to.deep.equal([
      ['TestApp.HelloGo.SayHelloObjAdapter', 'TestApp.HelloGo.SayHelloObj', 'tars', servant],
      ['TestApp.HelloGo.SayHelloHttpObjAdapter', 'TestApp.HelloGo.SayHelloHttpObj', 'not_tars', http],
    ]);
    const server = read('h', 'src/HelloGo.ts');
    expect(server).to.contain('const app = await Application.fromArgs(process.argv);');
    expect(server).to.contain("app.addServant(imp, 'TestApp.HelloGo.SayHelloObj');");
    expect(server).to.contain('startHttpGateway(imp,');
    expect(server).to.contain("a.servant === 'TestApp.HelloGo.SayHelloHttpObj'");
    expect(read('h', 'src/http-gateway.ts')).to.contain("from 'node:http'");
    expect(read('h', 'src/http-client.ts')).to.contain('await fetch(');
    expect(read('h', 'test/echo.test.mjs')).to.contain('/EchoHello`');
    expect(read('h', 'README.md')).to.contain(`curl -d '{"req": "tars"}' http://127.0.0.1:${http}/EchoHello`);
    const pkg = JSON.parse(read('h', 'package.json')) as {scripts: Record<string, string>};
    expect(pkg.scripts['http-client']).to.equal('node dist/http-client.js');
    for (const f of json.files) expect(read('h', f), f).to.not.match(/\{\{[#^/]?\w+\}\}|__Serv(er|ant)__/);
  });
});

describe('tars new: ports', () => {
  let tmp: string;
  const held: net.Server[] = [];
  const at = (...p: string[]): string => path.join(tmp, ...p);
  const confOf = (dir: string) => serverConfigOf(parseTarsConfig(readFileSync(path.join(dir, 'config.conf'), 'utf8'),
    'config.conf'), 'config.conf');

  beforeEach(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'tars-new-ports-'));
  });

  afterEach(async () => {
    await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
    held.length = 0;
    rmSync(tmp, {recursive: true, force: true});
  });

  it('--port P: the servant gets P, the HTTP adapter and AdminObj the next free ports above it', async () => {
    const port = await freePort();
    const {stdout, error} = await runCommand(['new', 'TestApp', 'HelloGo', 'SayHello', '--dir', at('p'), '--port',
      String(port), '--http', '--no-install', '--json'], {root});
    expect(error).to.equal(undefined);
    const json = JSON.parse(stdout) as NewJson;
    expect(json.ports.servant).to.equal(port);
    expect(json.ports.http).to.be.greaterThan(port);
    expect(json.ports.admin).to.be.greaterThan(json.ports.http!);
    expect(json.endpoint).to.equal(`tcp -h 127.0.0.1 -p ${port} -t 60000`);
    const conf = confOf(at('p'));
    expect(conf.adapters.map((a) => a.endpoint.port)).to.deep.equal([port, json.ports.http]);
    expect(conf.local!.port).to.equal(json.ports.admin);
    expect(readFileSync(at('p', 'src/client.ts'), 'utf8')).to.contain(`@tcp -h 127.0.0.1 -p ${port} -t 60000`);
    expect(readFileSync(at('p', 'README.md'), 'utf8')).to.contain(`node dist/client.js ${port} "hi there"`);
  });

  it('a second project beside a running first one: its ports are taken, so others are chosen and reported',
    async () => {
      // Held here unless something else already holds them: taken either way.
      for (const p of [10015, 15001]) {
        const s = await hold(p);
        if (s) held.push(s);
      }
      const {stdout, stderr, error} = await runCommand(['new', 'TestApp', 'HelloGo', 'SayHello', '--dir', at('p'),
        '--no-install'], {root});
      expect(error).to.equal(undefined);
      const conf = confOf(at('p'));
      const servant = conf.adapters[0].endpoint.port;
      const admin = conf.local!.port;
      expect(servant).to.not.equal(10015);
      expect(admin).to.not.equal(15001);
      expect(servant).to.not.equal(admin);
      expect(stderr).to.contain(`note: port 10015 is in use, so the servant gets port ${servant}`);
      expect(stderr).to.contain(`note: port 15001 is in use, so AdminObj gets port ${admin}`);
      expect(stdout).to.contain(`  endpoint  tcp -h 127.0.0.1 -p ${servant} -t 60000`);
      expect(stdout).to.contain(`  admin     tcp -h 127.0.0.1 -p ${admin} -t 10000`);
    });

  for (const bad of ['0', '70000', 'abc', '12.5', '-1']) {
    it(`--port ${bad} is a usage error (exit 2) in one line, and nothing is written`, async () => {
      const {stderr, error} = await runCommand(['new', 'TestApp', 'HelloGo', 'SayHello', '--dir', at('x'),
        `--port=${bad}`, '--no-install'], {root});
      expect(error?.oclif?.exit).to.equal(2);
      expect(stderr).to.match(new RegExp(`^error: --port must be a port number from 1 to 65535 \\(got "${bad}"\\)\n` +
        'hint: [^\n]+\n$'));
      expect(existsSync(at('x'))).to.equal(false);
    });
  }

  it('--port with --json: the error object has the code BAD_PORT', async () => {
    const {stdout, error} = await runCommand(['new', 'TestApp', 'HelloGo', 'SayHello', '--dir', at('x'), '--port',
      'abc', '--json'], {root});
    expect(error?.oclif?.exit).to.equal(2);
    expect((JSON.parse(stdout) as {error: {code: string}}).error.code).to.equal('BAD_PORT');
  });
});

describe('chooseProjectPorts', () => {
  const busy = (...ports: number[]) => async (p: number) => !ports.includes(p);
  let next = 40000;
  const system = async () => next++;

  beforeEach(() => {
    next = 40000;
  });

  it('takes the defaults when they are free', async () => {
    expect(await chooseProjectPorts({http: true}, busy(), system)).to.deep.equal({
      ports: {servant: 10015, http: 10016, admin: 15001}, notes: []});
    expect((await chooseProjectPorts({http: false}, busy(), system)).ports).to.deep.equal({servant: 10015,
      admin: 15001});
  });

  it('a default in use gets a port from the system instead, noted', async () => {
    const choice = await chooseProjectPorts({http: true}, busy(10015, 15001), system);
    expect(choice.ports).to.deep.equal({servant: 40000, http: 10016, admin: 40001});
    expect(choice.notes).to.deep.equal(['port 10015 is in use, so the servant gets port 40000',
      'port 15001 is in use, so AdminObj gets port 40001']);
  });

  it('--port: the next free ports above it, skipping those in use; a busy --port is kept but noted', async () => {
    const choice = await chooseProjectPorts({port: 20000, http: true}, busy(20000, 20001, 20003), system);
    expect(choice.ports).to.deep.equal({servant: 20000, http: 20002, admin: 20004});
    expect(choice.notes).to.deep.equal(['port 20000 is in use now: the server cannot start until it is free']);
  });

  it('--port 65535 (nothing above it) or a crowded range: a port from the system, never one already chosen',
    async () => {
      expect((await chooseProjectPorts({port: 65535, http: false}, busy(), system)).ports).to.deep.equal({
        servant: 65535, admin: 40000});
      const crowded = async (p: number) => p === 30000 || p > 30200;
      const dup = [30000, 30000, 41000];
      const choice = await chooseProjectPorts({port: 30000, http: false}, crowded, async () => dup.shift()!);
      expect(choice.ports).to.deep.equal({servant: 30000, admin: 41000});
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
