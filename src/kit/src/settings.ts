import {existsSync, mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {UserError} from './errors.js';

/** A setting the CLI knows: what it means and how a value is checked. */
interface SettingSpec {
  readonly description: string;
  check(value: string): Promise<void>;
}

/** The default call timeout, ms, when neither a flag nor a saved setting gives one. */
export const DEFAULT_TIMEOUT_MS = 3000;

/** The local CLI settings (`tars settings ...`), stored as JSON in the oclif config directory. */
export const SETTINGS: ReadonlyMap<string, SettingSpec> = new Map<string, SettingSpec>([
  ['locator', {
    description: 'default registry for bare object names (tars.tarsregistry.QueryObj@tcp -h HOST -p 17890)',
    async check(value) {
      const {parseProxyString} = await import('@tars-ts/core');
      const text = value.includes('@') ? value : `tars.tarsregistry.QueryObj@${value}`;
      try {
        const t = parseProxyString(text);
        if (!t.endpoints) throw new Error('no endpoints');
      } catch (error) {
        throw new UserError(`locator "${value}" is not a proxy string with endpoints: ${(error as Error).message}`,
          {hint: 'tars settings set locator "tars.tarsregistry.QueryObj@tcp -h 127.0.0.1 -p 17890"'});
      }
    },
  }],
  ['cluster', {
    description: 'data directory of the cluster tars cluster status|stop|reset act on (tars cluster start sets it)',
    async check(value) {
      const path = await import('node:path');
      if (!path.isAbsolute(value)) {
        throw new UserError(`cluster "${value}" is not an absolute directory path`,
          {hint: 'tars settings set cluster /home/me/work/.tars'});
      }
    },
  }],
  ['token', {
    description: 'the cluster\'s admin token (tars login): what the base services\' admin objects require beyond ' +
      'loopback; shown masked',
    async check(value) {
      const {tokenProblem} = await import('./admin-token.js');
      const problem = tokenProblem(value);
      if (problem) throw new UserError(`token: ${problem}`, {hint: 'tars login (it asks), or tars login --token-stdin'});
    },
  }],
  ['timeout', {
    description: 'default call timeout of commands that call servants (tars call, ping, describe), ms',
    async check(value) {
      if (!/^\d+$/.test(value) || Number(value) <= 0) {
        throw new UserError(`timeout "${value}" is not a positive number of milliseconds`, {hint: 'e.g. 3000'});
      }
    },
  }],
]);

/** Settings of one configuration directory. Writes are atomic (temp file + rename): a crash never corrupts them. */
export class Settings {
  readonly file: string;

  constructor(configDir: string) {
    this.file = path.join(configDir, 'settings.json');
  }

  /** Every stored setting. A corrupt file is reported, not silently replaced. */
  all(): Record<string, string> {
    if (!existsSync(this.file)) return {};
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as unknown;
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      return Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v === 'string')) as
        Record<string, string>;
    } catch (error) {
      throw new UserError(`settings file ${this.file} is not valid JSON: ${(error as Error).message}`,
        {hint: `fix or remove ${this.file}`, code: 'SETTINGS_CORRUPT'});
    }
  }

  get(key: string): string | undefined {
    const all = this.all();
    return Object.hasOwn(all, key) ? all[key] : undefined;
  }

  /** The call timeout: the flag's, else the saved setting, else {@link DEFAULT_TIMEOUT_MS}. */
  timeout(flag: number | undefined): number {
    return flag ?? Number(this.get('timeout') ?? DEFAULT_TIMEOUT_MS);
  }

  private known(key: string): SettingSpec {
    const spec = SETTINGS.get(key);
    if (!spec) {
      throw new UserError(`unknown setting "${key}"`, {hint: `known settings: ${[...SETTINGS.keys()].join(', ')}`});
    }
    return spec;
  }

  async set(key: string, value: string): Promise<void> {
    await this.known(key).check(value);
    this.write({...this.all(), [key]: value});
  }

  unset(key: string): boolean {
    this.known(key);
    const all = this.all();
    if (!Object.hasOwn(all, key)) return false;
    delete all[key];
    this.write(all);
    return true;
  }

  private write(values: Record<string, string>): void {
    mkdirSync(path.dirname(this.file), {recursive: true});
    const tmp = `${this.file}.${process.pid}.tmp`;
    // Owner only: the file may hold the admin token.
    writeFileSync(tmp, JSON.stringify(values, null, 2) + '\n', {mode: 0o600});
    renameSync(tmp, this.file);
  }
}

/** Settings never printed as they are (`tars settings list|get`). */
export const SECRET_SETTINGS: ReadonlySet<string> = new Set(['token']);

/** How a setting's value is shown: a secret one masked. */
export function shownSetting(key: string, value: string | undefined): string | undefined {
  if (value === undefined || !SECRET_SETTINGS.has(key)) return value;
  return `(set, ${value.length} characters)`;
}
