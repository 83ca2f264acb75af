// What the console's e2e suites share: one cluster with a small service deployed (started by the first suite that
// asks, stopped after the whole run), a console on it, HTTP requests with a session, and a headless Chromium
// (Debian's chromium driven by playwright-core) whose screenshots go to one directory per run.
import {expect} from 'chai';
import {existsSync, mkdirSync, mkdtempSync} from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

import {type Browser, type Page, chromium} from 'playwright-core';

import {type TarsOutput, tars} from '../../../../test/support/cli-daemon.js';
import {echoServiceSource, writeServicePackage} from '../../../../test/support/echo-service.js';
import {freePorts} from '../../../../test/support/ports.js';
import {type TestCluster, startTestCluster, stopTestCluster} from '../../../../test/support/test-cluster.js';
import {type RunningConsole, startConsole} from '../src/index.js';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium';
/** No traffic of Chromium's own to outside hosts (updates, sync, safe browsing). */
const QUIET_ARGS = ['--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run', '--disable-quic', '--disable-gpu'];

/** An HTTP answer: status, headers and the parsed JSON body (or the raw text). */
export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** One request to the console. */
export function request(url: string, options: {method?: string; headers?: Record<string, string>;
  body?: string | Buffer} = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // A body always goes with its length: Node sends a DELETE's body unframed otherwise (no chunked encoding by
    // default for DELETE), and the server takes it for the next request.
    const headers = options.body === undefined || Object.keys(options.headers ?? {}).some((k) => k.toLowerCase() ===
      'content-length') ? options.headers : {...options.headers, 'content-length': String(Buffer.byteLength(options.body))};
    const req = http.request(url, {method: options.method ?? 'GET', headers}, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
      });
      res.on('end', () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: the raw text
        }
        resolve({status: res.statusCode ?? 0, headers: res.headers, body});
      });
    });
    req.on('error', reject);
    req.setTimeout(90_000, () => req.destroy(new Error(`no answer to ${url} in 90 s`)));
    req.end(options.body);
  });
}

/** A session of a loopback console without login: its cookie and CSRF token. */
export async function session(base: string): Promise<{cookie: string; csrf: string}> {
  const res = await request(`${base}api/session`);
  expect(res.status).to.equal(200);
  const cookie = String(res.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
  return {cookie, csrf: (res.body as {csrf: string}).csrf};
}

/** A POST with JSON, the session's cookie and (unless left out) its CSRF token. */
export function post(base: string, route: string, s: {cookie: string; csrf?: string}, body = '{}',
  type = 'application/json'): Promise<Answer> {
  return request(`${base}${route}`, {method: 'POST', body, headers: {'content-type': type, cookie: s.cookie,
    ...(s.csrf === undefined ? {} : {'x-csrf-token': s.csrf})}});
}

/** One server-sent event. */
export interface Sse {
  event: string;
  data: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * Sends a request and reads its answer as server-sent events until the stream ends (at most `timeoutMs`); the
 * status too, so an answer that is not a stream shows as such.
 */
export function events(url: string, options: {method?: string; headers?: Record<string, string>; body?: Buffer} = {},
  timeoutMs = 120_000): Promise<{status: number; events: Sse[]; text: string}> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {method: options.method ?? 'GET', headers: {accept: 'text/event-stream',
      ...options.headers}}, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
      });
      res.on('end', () => {
        const list: Sse[] = [];
        for (const frame of text.split('\n\n')) {
          const event = /^event: (.*)$/m.exec(frame)?.[1];
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (event && data !== undefined) list.push({event, data: JSON.parse(data)});
        }
        resolve({status: res.statusCode ?? 0, events: list, text});
      });
    });
    req.on('error', reject);
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${url} did not end in ${timeoutMs} ms`)));
    req.end(options.body);
  });
}

/** The cluster the console suites share, with Demo.Svc (an echo service, EchoObj) deployed. */
export interface WebCluster {
  readonly cluster: TestCluster;
  readonly work: string;
  readonly locator: string;
}

let shared: Promise<WebCluster> | undefined;

/**
 * `tars ...args` in this process with the shared cluster's settings (its saved locator): the cluster lives until the
 * end of the whole run, so its settings are not left in the environment for the suites that run meanwhile.
 */
export async function webTars(args: string[]): Promise<TarsOutput> {
  return tarsIn((await webCluster()).cluster, args);
}

/** `tars ...args` with `cluster`'s settings. */
async function tarsIn(cluster: TestCluster, args: string[]): Promise<TarsOutput> {
  const saved = process.env.TARS_CONFIG_DIR;
  process.env.TARS_CONFIG_DIR = cluster.env.TARS_CONFIG_DIR;
  try {
    return await tars(args);
  } finally {
    if (saved === undefined) delete process.env.TARS_CONFIG_DIR;
    else process.env.TARS_CONFIG_DIR = saved;
  }
}

/** {@link webTars} with `--json`, which must exit 0; its JSON. */
export async function webTarsJson<T>(args: string[]): Promise<T> {
  const out = await webTars([...args, '--json']);
  expect(out.exit, `tars ${args.join(' ')}: ${out.stderr}${out.stdout}`).to.equal(0);
  return JSON.parse(out.stdout) as T;
}

/**
 * The shared cluster, started on first use (Demo.Svc deployed and active); it is stopped after the whole run. Suites
 * deploy their own servers under their own application names and leave Demo.Svc as they found it.
 */
export function webCluster(): Promise<WebCluster> {
  shared ??= (async () => {
    const cluster = await startTestCluster('tars-web-');
    // startTestCluster points this process's settings at the cluster; webTars does that only around its own calls
    if (cluster.savedConfigDir === undefined) delete process.env.TARS_CONFIG_DIR;
    else process.env.TARS_CONFIG_DIR = cluster.savedConfigDir;
    try {
      const pkg = path.join(cluster.work, 'pkg');
      writeServicePackage(pkg, 'demo', echoServiceSource('Demo.Svc.EchoObj', '1'));
      const [port] = await freePorts(1);
      const deployed = await tarsIn(cluster, ['server', 'deploy', 'Demo.Svc', '--package', pkg, '--adapter',
        `EchoObj=tcp -h 127.0.0.1 -p ${port} -t 60000`]);
      expect(deployed.exit, deployed.stderr + deployed.stdout).to.equal(0);
    } catch (error) {
      await stopTestCluster(cluster);
      throw error;
    }
    return {cluster, work: cluster.work, locator: cluster.locator};
  })();
  return shared;
}

// The root suite's last hook: the shared cluster ends with the run.
after(async function () {
  this.timeout(120_000);
  if (!shared) return;
  const started = await shared.catch(() => undefined);
  shared = undefined;
  if (started) await stopTestCluster(started.cluster);
});

/** A console on the shared cluster for one suite (closed by the returned function). */
export async function webConsole(options: {token?: string; pollMs?: number} = {}): Promise<RunningConsole> {
  const {locator} = await webCluster();
  return startConsole({locator, port: 0, pollMs: options.pollMs ?? 300, ...(options.token ? {token: options.token} : {})});
}

/** The directory this run's screenshots go to (test/.tmp-screenshots/web, printed once). */
let shotsDir: string | undefined;
export function screenshotDir(): string {
  if (!shotsDir) {
    shotsDir = path.join(new URL('../../../..', import.meta.url).pathname, 'test', '.tmp-screenshots', 'web');
    mkdirSync(shotsDir, {recursive: true});
    console.log(`      screenshots: ${shotsDir}`);
  }
  return shotsDir;
}

/** A headless Chromium for one suite; `open` gives a fresh page (its own cookies) at a size and colour scheme. */
export interface TestBrowser {
  readonly browser: Browser;
  open(width?: number, height?: number, colorScheme?: 'light' | 'dark'): Promise<Page>;
  /** Saves a full-page screenshot of `page` as `<name>.png` in the run's screenshot directory. */
  shot(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * A browser for the calling `describe`: launched in its `before` hook, closed in its `after` hook. Use its methods
 * inside the suite's tests and hooks only.
 */
export function suiteBrowser(): TestBrowser {
  let launched: TestBrowser | undefined;
  before(async () => {
    launched = await launchBrowser();
  });
  after(async () => {
    await launched?.close();
    launched = undefined;
  });
  const ready = (): TestBrowser => {
    if (!launched) throw new Error('the suite\'s browser is launched by its before hook: use it inside tests');
    return launched;
  };
  return {
    get browser() {
      return ready().browser;
    },
    open: (width, height, colorScheme) => ready().open(width, height, colorScheme),
    shot: (page, name) => ready().shot(page, name),
    close: async () => undefined,
  };
}

/** Launches Debian's Chromium (fails naming the package when it is missing). */
export async function launchBrowser(): Promise<TestBrowser> {
  if (!existsSync(executablePath)) {
    throw new Error(`no Chromium at ${executablePath}: install Debian's chromium (apt-get install chromium; .ci/run ` +
      'does it), or set CHROMIUM_PATH');
  }
  const home = mkdtempSync(path.join(os.tmpdir(), 'tars-web-browser-'));
  const browser = await chromium.launch({executablePath, args: QUIET_ARGS, env: {...process.env, HOME: home}});
  return {
    browser,
    open: async (width = 1280, height = 800, colorScheme = 'light') => {
      const context = await browser.newContext({viewport: {width, height}, colorScheme});
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      return page;
    },
    shot: async (page, name) => {
      await page.screenshot({path: path.join(screenshotDir(), `${name}.png`), fullPage: true});
    },
    close: () => browser.close(),
  };
}
