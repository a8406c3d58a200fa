import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../observability/log.js';
import { openStorage } from '../storage/index.js';
import type { Storage } from '../model/index.js';
import type { CheckVerdict, LifecycleConnection } from './lifecycle.js';
import { ReconcileSweep } from './reconcile.js';

const connection: LifecycleConnection = {
  identifier: 'wecom',
  corpId: 'wwcorp',
  loginOnly: false,
  revalidateAfterSeconds: 900,
  revalidateGraceSeconds: 86_400,
  app: { corpId: 'wwcorp', agentId: '1000002', secret: 's' },
};
const USERIDS = Array.from({ length: 60 }, (_, i) => `member${String(i).padStart(2, '0')}`);

let storage: Storage;
let dir: string;
afterEach(async () => {
  await storage?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function storageWithMembers(): Promise<Storage> {
  dir = mkdtempSync(join(tmpdir(), 'reconcile-'));
  storage = await openStorage({ driver: 'lowdb', path: join(dir, 'db.json') });
  for (const [i, userid] of USERIDS.entries()) {
    await storage.accounts.createWithIdentity({
      id: `acct${i}`,
      createdAt: i,
      updatedAt: i,
      disabled: false,
      profile: { username: userid },
      identities: [{ corpId: 'wwcorp', userid, connection: 'wecom', linkedAt: 1 }],
    });
  }
  return storage;
}

/** Answers as WeCom would for this directory: every tenth member has left. */
function fakeDirectory(checked: string[], stopAfter?: { count: number; controller: AbortController }) {
  return {
    async recheck(_connection: LifecycleConnection, userid: string): Promise<CheckVerdict> {
      checked.push(userid);
      if (stopAfter && checked.length === stopAfter.count) stopAfter.controller.abort();
      return Number(userid.slice(-2)) % 10 === 0 ? 'retired' : 'active';
    },
  };
}

describe('the reconcile sweep', () => {
  it('checks every linked member once, paced, and sums up what it found', async () => {
    const store = await storageWithMembers();
    const checked: string[] = [];
    const pauses: number[] = [];
    const sweep = new ReconcileSweep({
      accounts: store.accounts,
      keys: store.keys,
      lifecycle: fakeDirectory(checked),
      log: createMemoryLogger(),
      callsPerMinute: 6_000,
      sleep: async (ms) => void pauses.push(ms),
    });
    const progress: number[] = [];
    const result = await sweep.run(connection, { onProgress: (done) => progress.push(done) });
    expect(result).toMatchObject({ status: 'done', checked: 60, active: 54, retired: 6, disabled: 0, errors: 0, resumed: false });
    expect(checked).toEqual(USERIDS);
    expect(new Set(pauses)).toEqual(new Set([10]));
    expect(progress.at(-1)).toBe(60);
  });

  it('stopped halfway, the next sweep resumes after the last saved position instead of starting over', async () => {
    const store = await storageWithMembers();
    const controller = new AbortController();
    const first: string[] = [];
    const options = { accounts: store.accounts, keys: store.keys, log: createMemoryLogger(), sleep: async () => undefined };
    const stopped = await new ReconcileSweep({ ...options, lifecycle: fakeDirectory(first, { count: 30, controller }) }).run(connection, {
      signal: controller.signal,
    });
    expect(stopped.status).toBe('stopped');
    const second: string[] = [];
    const resumed = await new ReconcileSweep({ ...options, lifecycle: fakeDirectory(second) }).run(connection);
    expect(resumed).toMatchObject({ status: 'done', resumed: true, checked: 60 });
    expect(second).toEqual(USERIDS.slice(30));
  });

  it('one sweeper at a time: another replica is told the connection is busy until the lease ends', async () => {
    const store = await storageWithMembers();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const options = { accounts: store.accounts, keys: store.keys, log: createMemoryLogger(), sleep: () => gate };
    const holder = new ReconcileSweep({ ...options, lifecycle: fakeDirectory([]) });
    const running = holder.run(connection);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await new ReconcileSweep({ ...options, lifecycle: fakeDirectory([]) }).run(connection)).toEqual({ status: 'busy', connection: 'wecom' });
    expect(await holder.run(connection)).toEqual({ status: 'busy', connection: 'wecom' });
    release();
    expect((await running).status).toBe('done');
    expect((await new ReconcileSweep({ ...options, lifecycle: fakeDirectory([]) }).run(connection)).status).toBe('done');
  });
});
