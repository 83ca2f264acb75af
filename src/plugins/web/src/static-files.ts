// The page's files: everything under the plugin's public/ directory, and the browser builds of the libraries the
// page uses (served from node_modules under /vendor/, so nothing is fetched from outside).
import {readFileSync, readdirSync} from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

/** A file the console serves. */
export interface StaticFile {
  readonly type: string;
  readonly body: Buffer;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** `/vendor/<name>` -> a file of an installed package (resolved as the plugin's dependency). */
const VENDOR: Readonly<Record<string, string>> = {
  // uPlot (MIT): the Stats tab's charts, shipped built (an ES module and its stylesheet)
  'uPlot.esm.js': 'uplot/dist/uPlot.esm.js',
  'uPlot.min.css': 'uplot/dist/uPlot.min.css',
};

/** The directory of the page's files, next to src/ and dist/. */
const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));

function walk(dir: string, route: string, out: Map<string, StaticFile>): void {
  for (const entry of readdirSync(dir, {withFileTypes: true})) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, `${route}${entry.name}/`, out);
    else if (TYPES[path.extname(entry.name)]) {
      out.set(`${route}${entry.name}`, {type: TYPES[path.extname(entry.name)]!, body: readFileSync(full)});
    }
  }
}

/** Every file the console serves, by path (`/` is index.html), read once at start. */
export function loadStaticFiles(): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  walk(PUBLIC_DIR, '/', files);
  files.set('/', files.get('/index.html')!);
  const require = createRequire(import.meta.url);
  for (const [name, specifier] of Object.entries(VENDOR)) {
    files.set(`/vendor/${name}`, {type: TYPES[path.extname(name)] ?? 'application/octet-stream',
      body: readFileSync(require.resolve(specifier))});
  }
  return files;
}
