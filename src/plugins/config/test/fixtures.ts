// Shared by the config center's tests: a service over a real SQLite store in a temporary directory, a call context
// from a given caller, and file keys written briefly.
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {CallContext} from '@tars-ts/core';

import {ConfigService, type ConfigServiceOptions, type FileKey} from '../src/index.js';
import {freshDatabase, freshSchema} from '../../../../test/support/postgres.js';
import {type ConfigStore, openConfigStore} from '../src/sql-repository.js';

let database: Promise<string> | undefined;

/**
 * A service on a fresh store, SQLite (a file in a new directory) or PostgreSQL (a new schema in this run's test
 * database); `close()` closes it and removes the directory.
 */
export async function openService(options: ConfigServiceOptions = {}, on: 'sqlite' | 'postgres' = 'sqlite'):
  Promise<{service: ConfigService; store: ConfigStore; file: string; close: () => Promise<void>}> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tars-config-'));
  const file = path.join(dir, 'config.db');
  const store = await openConfigStore(on === 'sqlite' ? file : {kind: 'postgres',
    url: await (database ??= freshDatabase('config')), schema: freshSchema('config')});
  const service = await ConfigService.open(store.repository, options);
  return {service, store, file, close: async () => {
    await store.close();
    rmSync(dir, {recursive: true, force: true});
  }};
}

/** A key: `k('App', 'name')`, `k('App.Server', 'name', {node, setId})`. */
export function k(owner: string, name: string, extra: {node?: string; setId?: string} = {}): FileKey {
  const [app, server = ''] = owner.split('.') as [string, string?];
  return {app, server, node: extra.node ?? '', setId: extra.setId ?? '', name};
}

/** A call context from `remote` (an IP) and request context entries. */
export function ctxFrom(remote: string, context: Record<string, string> = {}): CallContext {
  return new CallContext({servant: 'tars.tarsconfig.ConfigObj', func: 'loadConfig', requestId: 1, version: 1,
    oneway: false, messageType: 0, context: new Map(Object.entries(context)), status: new Map(),
    remote: {host: remote, port: 40000}});
}
