// The repository contract (repository-contract.ts) against both implementations: the memory repository, and the
// SQL store on a real SQLite file in a temp directory (removed after each test).
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {MemoryRegistryRepository} from '../src/index.js';
import {openRegistryStore} from '../src/sql-repository.js';
import {describeRepository} from './repository-contract.js';

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
