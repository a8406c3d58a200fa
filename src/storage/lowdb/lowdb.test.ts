import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLowdbStorage, type LowdbStorage } from './index.js';
import type { Account } from '../../model/index.js';

let clock = 1_000_000_000_000;
const now = () => clock;
const opened: LowdbStorage[] = [];

async function open(path = join(mkdtempSync(join(tmpdir(), 'wecom-oidc-lowdb-')), 'db.json')) {
  const storage = await openLowdbStorage({ path, now });
  opened.push(storage);
  return { storage, path };
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((storage) => storage.close()));
});

/** Abandons an instance as a crash would: never closed, so it never writes again either. */
function crash(storage: LowdbStorage): void {
  opened.splice(opened.indexOf(storage), 1);
}

function account(id: string, userid: string): Account {
  return {
    id,
    createdAt: 1,
    updatedAt: 1,
    disabled: false,
    profile: { username: userid },
    identities: [{ corpId: 'wwcorp', userid: userid.toLowerCase(), connection: 'wecom', linkedAt: 1 }],
  };
}

/**
 * What is particular to the lowdb file. The storage interface itself is pinned by the contract
 * suite shared with PostgreSQL (test/storage/contract.ts).
 */
describe('lowdb storage: the file', () => {
  it('honours TTLs and prunes expired records from the file', async () => {
    const { storage, path } = await open();
    await storage.models.upsert('AccessToken', 'short', { grantId: 'g' }, 10);
    await storage.models.upsert('Client', 'forever', {});
    await storage.loginStates.put('state-1', { interactionUid: 'i', connection: 'c', method: 'qr' }, 10);
    clock += 11_000;
    expect(await storage.models.find('AccessToken', 'short')).toBeUndefined();
    expect(await storage.prune()).toBe(2);
    await storage.close(); // compacts: the snapshot is rewritten without what was pruned
    const file = readFileSync(path, 'utf8');
    expect(file).not.toContain('short');
    expect(file).not.toContain('state-1');
    expect(file).toContain('forever');
  });
});

describe('lowdb storage: durability', () => {
  it('loses nothing when 50 writes finish at once, and keeps it all across a reopen', async () => {
    const { storage, path } = await open();
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        Promise.all([
          storage.models.upsert('Session', `s${i}`, { uid: `u${i}` }, 3600),
          storage.accounts.createWithIdentity(account(`acct${i}`, `user${i}`)),
        ]),
      ),
    );
    await storage.close();
    const reopened = await openLowdbStorage({ path, now });
    opened.push(reopened);
    for (let i = 0; i < 50; i += 1) {
      expect(await reopened.models.findByUid('Session', `u${i}`)).toEqual({ uid: `u${i}` });
      expect((await reopened.accounts.findByIdentity('wwcorp', `USER${i}`))?.id).toBe(`acct${i}`);
    }
    // steno writes through a temporary file renamed into place: none is left behind (only the
    // journal sits beside the snapshot), and the file (it holds private keys) stays owner-only
    expect(readdirSync(join(path, '..')).sort()).toEqual(['db.json', 'db.json.journal']);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});

describe('lowdb storage: the journal', () => {
  it('appends changes instead of rewriting the file, and a reopen replays them', async () => {
    const { storage, path } = await open();
    const snapshotBefore = readFileSync(path, 'utf8');
    await storage.models.upsert('Session', 'j1', { uid: 'ju1' }, 3600);
    await storage.accounts.createWithIdentity(account('journaled', 'wangwu'));
    await storage.models.destroy('Session', 'j1');
    // the snapshot is untouched; the journal carries the three changes
    expect(readFileSync(path, 'utf8')).toBe(snapshotBefore);
    expect(readFileSync(`${path}.journal`, 'utf8').trim().split('\n').length).toBeGreaterThanOrEqual(3);

    // a crash (no close): a new instance replays the journal
    crash(storage);
    const reopened = await openLowdbStorage({ path, now });
    opened.push(reopened);
    expect((await reopened.accounts.findByIdentity('wwcorp', 'WANGWU'))?.id).toBe('journaled');
    expect(await reopened.models.find('Session', 'j1')).toBeUndefined();
    expect(statSync(`${path}.journal`).mode & 0o777).toBe(0o600);
  });

  it('ignores a last journal line cut short by a crash', async () => {
    const { storage, path } = await open();
    await storage.models.upsert('Session', 'kept', { uid: 'k' }, 3600);
    appendFileSync(`${path}.journal`, '{"s":["models","Session","torn"],"v":{"payl');
    crash(storage);
    const reopened = await openLowdbStorage({ path, now });
    opened.push(reopened);
    expect(await reopened.models.find('Session', 'kept')).toEqual({ uid: 'k' });
    expect(await reopened.models.find('Session', 'torn')).toBeUndefined();
  });
});
