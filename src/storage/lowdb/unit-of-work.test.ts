/** lowdb's unit of work: one journal append per request, on disk before the unit (and its response) ends. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openLowdbStorage, type LowdbStorage } from './index.js';

const opened: LowdbStorage[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((storage) => storage.close()));
});

const journal = (path: string) => readFileSync(`${path}.journal`, 'utf8');

it("a request's model writes are appended together, before the unit resolves, and survive a crash", async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'wecom-oidc-unit-')), 'db.json');
  const storage = await openLowdbStorage({ path });
  await storage.unitOfWork!(async () => {
    await storage.models.upsert('Grant', 'g1', { accountId: 'a' }, 60);
    await storage.models.upsert('AuthorizationCode', 'c1', { grantId: 'g1' }, 60);
    await storage.models.upsert('Session', 's1', { uid: 'u1', accountId: 'a' }, 60);
    // visible at once to the request (and to every other: one process owns the file)…
    expect(await storage.models.findByUid('Session', 'u1')).toEqual({ uid: 'u1', accountId: 'a' });
    // …but not yet appended
    expect(journal(path)).toBe('');
  });
  const lines = journal(path).trim().split('\n');
  expect(lines).toHaveLength(3);
  // Abandoned as by kill -9 (never closed): a new instance finds everything.
  const again = await openLowdbStorage({ path });
  opened.push(again);
  expect(await again.models.find('AuthorizationCode', 'c1')).toEqual({ grantId: 'g1' });
  expect(await again.models.find('Session', 's1')).toEqual({ uid: 'u1', accountId: 'a' });
});

it('a unit whose work fails still appends what it changed, then fails', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'wecom-oidc-unit-')), 'db.json');
  const storage = await openLowdbStorage({ path });
  opened.push(storage);
  await expect(
    storage.unitOfWork!(async () => {
      await storage.models.upsert('Session', 'kept', { uid: 'kept' }, 60);
      throw new Error('the request failed');
    }),
  ).rejects.toThrow('the request failed');
  expect(journal(path)).toContain('"kept"');
});
