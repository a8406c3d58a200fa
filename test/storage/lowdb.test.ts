/** The storage contract, run against the lowdb driver (one JSON file, one process). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { openLowdbStorage } from '../../src/storage/lowdb/index.js';
import { clock, storageContract } from './contract.js';

describe('lowdb storage contract', () => {
  storageContract({
    open: () => openLowdbStorage({ path: join(mkdtempSync(join(tmpdir(), 'wecom-oidc-contract-')), 'db.json'), now: clock.now }),
    // One process owns a lowdb file: the "other replica" is the same handle.
    peer: async (storage) => storage,
  });
});
