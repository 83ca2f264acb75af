// The repository contract (repository-contract.ts) against both implementations: the memory repository, and the
// SQL store on a real SQLite file in a temp directory (removed after each test) and on PostgreSQL (the run's
// throwaway server: one database for this file, a schema per test).
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {MemoryRegistryRepository} from '../src/index.js';
import {openRegistryStore} from '../src/sql-repository.js';
import {freshDatabase, freshSchema} from '../../../../test/support/postgres.js';
import {describeRepository} from './repository-contract.js';

let database: Promise<string> | undefined;
const pgDatabase = (): Promise<string> => (database ??= freshDatabase('registry'));

describeRepository('memory', async () => ({repo: new MemoryRegistryRepository(), close: async () => {}}));

describeRepository('SQL store (SQLite file)', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tars-registry-contract-'));
  try {
    const store = await openRegistryStore(path.join(dir, 'registry.db'));
    return {repo: store.repository, close: async () => {
      try {
        await store.close();
      } finally {
        rmSync(dir, {recursive: true, force: true});
      }
    }};
  } catch (e) {
    rmSync(dir, {recursive: true, force: true});
    throw e;
  }
});

describeRepository('SQL store (PostgreSQL)', async () => {
  const store = await openRegistryStore({kind: 'postgres', url: await pgDatabase(), schema: freshSchema('registry')});
  return {repo: store.repository, close: () => store.close()};
});
