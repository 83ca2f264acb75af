import {TarsError} from '../errors/tars-error.js';

/**
 * A domain of a TARS config file (`<name> ... </name>`): ordered parameters and child domains (framework.md 4.1).
 * Keys and domain names are kept in `Map`s: they come from files and are never used as object keys.
 */
export class ConfigDomain {
  readonly params = new Map<string, string>();
  readonly children = new Map<string, ConfigDomain>();

  constructor(readonly name: string) {}

  /** The child domain `name`, created when missing. */
  child(name: string): ConfigDomain {
    let c = this.children.get(name);
    if (!c) {
      c = new ConfigDomain(name);
      this.children.set(name, c);
    }
    return c;
  }

  /**
   * The domain at a slash path relative to this one (`/tars/application/server` or `tars/application`), or
   * undefined.
   */
  domain(path: string): ConfigDomain | undefined {
    let d: ConfigDomain | undefined = this;
    for (const part of path.split('/').filter((p) => p !== '')) {
      d = d.children.get(part);
      if (!d) return undefined;
    }
    return d;
  }

  /** A value by TARS path syntax, `/tars/application/server<app>`, or undefined. */
  get(path: string): string | undefined {
    const m = /^(.*)<([^<>]*)>$/.exec(path);
    if (!m) return undefined;
    return this.domain(m[1])?.params.get(m[2]);
  }

  /** Sets a value by TARS path syntax, creating domains as needed. */
  set(path: string, value: string): void {
    const m = /^(.*)<([^<>]*)>$/.exec(path);
    if (!m) throw new TarsError('CONFIG_INVALID', `"${path}" is not a config path like /tars/application/server<app>`);
    let d: ConfigDomain = this;
    for (const part of m[1].split('/').filter((p) => p !== '')) d = d.child(part);
    d.params.set(m[2], value);
  }
}

const ESCAPES: Record<string, string> = {'\\': '\\', r: '\r', n: '\n', t: '\t', '=': '='};

function unescape(text: string, file: string, line: number): string {
  if (!text.includes('\\')) return text;
  return text.replace(/\\(.?)/g, (_all, c: string) => {
    const v = ESCAPES[c];
    if (v === undefined) {
      throw new TarsError('CONFIG_INVALID', `${file}:${line}: unknown escape "\\${c}" (use \\\\, \\r, \\n, \\t or \\=)`,
        {file, line});
    }
    return v;
  });
}

/** Index of the first `=` not preceded by a backslash, or -1. */
function splitIndex(line: string): number {
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\\') i++;
    else if (line[i] === '=') return i;
  }
  return -1;
}

/**
 * Parses a TARS config file as TarsCpp's TC_Config reads it: line oriented, `#` comment lines, `<name>` opens a
 * domain and `</name>` closes it (names must match), `key = value` split at the first unescaped `=`, a key alone
 * has an empty value, a repeated key overrides, a re-opened domain merges. Errors carry the file and line.
 */
export function parseTarsConfig(text: string, file = 'config'): ConfigDomain {
  const root = new ConfigDomain('');
  const stack: {domain: ConfigDomain; line: number}[] = [{domain: root, line: 0}];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('</')) {
      const end = line.indexOf('>');
      const name = (end < 0 ? line.slice(2) : line.slice(2, end)).trim();
      const open = stack[stack.length - 1];
      if (stack.length === 1) {
        throw new TarsError('CONFIG_INVALID', `${file}:${lineNo}: </${name}> closes a domain that is not open`,
          {file, line: lineNo});
      }
      if (open.domain.name !== name) {
        throw new TarsError('CONFIG_INVALID', `${file}:${lineNo}: </${name}> does not match <${open.domain.name}> ` +
          `opened at line ${open.line}`, {file, line: lineNo});
      }
      stack.pop();
      continue;
    }
    if (line.startsWith('<')) {
      const end = line.indexOf('>');
      if (end < 0) {
        throw new TarsError('CONFIG_INVALID', `${file}:${lineNo}: "${line}" opens a domain but has no ">"`,
          {file, line: lineNo});
      }
      const name = line.slice(1, end).trim();
      if (name === '' || /[\s<>/]/.test(name)) {
        throw new TarsError('CONFIG_INVALID', `${file}:${lineNo}: "${name}" is not a domain name`, {file, line: lineNo});
      }
      stack.push({domain: stack[stack.length - 1].domain.child(name), line: lineNo});
      continue;
    }
    const at = splitIndex(line);
    const key = unescape((at < 0 ? line : line.slice(0, at)).trim(), file, lineNo);
    const value = at < 0 ? '' : unescape(line.slice(at + 1).trim(), file, lineNo);
    stack[stack.length - 1].domain.params.set(key, value);
  }
  if (stack.length > 1) {
    const open = stack[stack.length - 1];
    throw new TarsError('CONFIG_INVALID', `${file}: <${open.domain.name}> opened at line ${open.line} is never ` +
      `closed (expected </${open.domain.name}>)`, {file, line: open.line});
  }
  return root;
}

function escapeValue(text: string): string {
  return text.replace(/[\\\r\n\t=]/g, (c) => ({'\\': '\\\\', '\r': '\\r', '\n': '\\n', '\t': '\\t', '=': '\\='})[c]!);
}

/**
 * Writes a domain tree as a TARS config file that TarsCpp, TarsGo and @tars/utils all read the same way: two-space
 * indentation, parameters before child domains. Values with `<`, `>` or `&` are refused (TarsGo's XML reader would
 * stop at them).
 */
export function writeTarsConfig(root: ConfigDomain): string {
  const out: string[] = [];
  const write = (d: ConfigDomain, depth: number): void => {
    const pad = '  '.repeat(depth);
    for (const [k, v] of d.params) {
      if (/[<>&]/.test(k + v)) {
        throw new TarsError('CONFIG_INVALID', `config value of "${k}" contains <, > or &, which TarsGo cannot read`);
      }
      out.push(v === '' ? `${pad}${escapeValue(k)}` : `${pad}${escapeValue(k)} = ${escapeValue(v)}`);
    }
    for (const c of d.children.values()) {
      out.push(`${pad}<${c.name}>`);
      write(c, depth + 1);
      out.push(`${pad}</${c.name}>`);
    }
  };
  write(root, 0);
  return out.join('\n') + '\n';
}
