import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLowdbStorage, type LowdbStorage } from '../storage/lowdb/index.js';
import type { Account } from '../model/index.js';
import { importAccounts, type ImportRow } from './import.js';

let clock = 1_700_000_000_000;
const now = () => clock;
const opened: LowdbStorage[] = [];

async function open() {
  const storage = await openLowdbStorage({ path: join(mkdtempSync(join(tmpdir(), 'wecom-oidc-import-')), 'db.json') });
  opened.push(storage);
  return storage.accounts;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((storage) => storage.close()));
});

const rows: ImportRow[] = [
  { line: 2, username: 'ZhangSan', email: 'zhangsan@example.com', phone_number: '+86 138 0013 8000', name: '张三' },
  { line: 3, username: 'lisi', name: '李四' },
];

function linkedAccount(id: string, userid: string, profile: Partial<Account['profile']> = {}): Account {
  return {
    id,
    createdAt: 1,
    updatedAt: 1,
    disabled: false,
    profile: { username: userid, ...profile },
    identities: [{ corpId: 'wwcorp', userid: userid.toLowerCase(), connection: 'wecom', linkedAt: 1 }],
  };
}

describe('importing accounts', () => {
  it('creates provisioned accounts without identities, email unverified', async () => {
    const store = await open();
    const report = await importAccounts(store, rows, now);
    expect(report).toMatchObject({ created: 2, updated: 0, unchanged: 0, refused: [] });
    const [zhangsan] = await store.findByMatchField('username', 'zhangsan');
    expect(zhangsan).toMatchObject({
      provisioned: true,
      disabled: false,
      identities: [],
      createdAt: Math.floor(clock / 1000),
      profile: {
        username: 'ZhangSan',
        email: 'zhangsan@example.com',
        emailVerified: false,
        phoneNumber: '+86 138 0013 8000',
        name: '张三',
      },
    });
    expect(report.imported.map((row) => [row.line, row.outcome, row.accountId])).toEqual([
      [2, 'created', zhangsan!.id],
      [3, 'created', expect.any(String)],
    ]);
  });

  it('is idempotent: the same file again reports everything unchanged and writes nothing', async () => {
    const store = await open();
    await importAccounts(store, rows, now);
    const before = structuredClone(await store.list());
    clock += 60_000;
    const again = await importAccounts(store, rows, now);
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 2, refused: [] });
    expect(await store.list()).toEqual(before);
  });

  it('updates an existing account whose email, phone or name differ, matching the username case-insensitively', async () => {
    const store = await open();
    await importAccounts(store, rows, now);
    clock += 60_000;
    const report = await importAccounts(
      store,
      [
        { line: 2, username: 'zhangsan', email: 'zs@example.com' },
        { line: 3, username: 'LISI', name: '李四' },
      ],
      now,
    );
    expect(report).toMatchObject({ created: 0, updated: 1, unchanged: 1 });
    const [zhangsan] = await store.findByMatchField('username', 'ZhangSan');
    // empty columns keep what the account had; the username keeps its original case
    expect(zhangsan!.profile).toEqual({
      username: 'ZhangSan',
      email: 'zs@example.com',
      emailVerified: false,
      phoneNumber: '+86 138 0013 8000',
      name: '张三',
    });
    expect(zhangsan!.updatedAt).toBe(Math.floor(clock / 1000));
  });

  it('updates an account a member already signed in to, without touching its identities', async () => {
    const store = await open();
    await store.createWithIdentity(linkedAccount('linked', 'wangwu', { name: '王五', corpId: 'wwcorp' }));
    const report = await importAccounts(store, [{ line: 2, username: 'WangWu', phone_number: '13800138001' }], now);
    expect(report.imported).toEqual([{ line: 2, username: 'WangWu', outcome: 'updated', accountId: 'linked' }]);
    const account = await store.findById('linked');
    expect(account?.profile).toMatchObject({ username: 'wangwu', name: '王五', phoneNumber: '13800138001' });
    expect(account?.identities).toHaveLength(1);
    expect(account?.provisioned).toBeUndefined();
  });
});

describe('refused rows, each with its reason, never stopping the others', () => {
  it('refuses a missing username, an invalid userid, email, phone number or name', async () => {
    const store = await open();
    const report = await importAccounts(
      store,
      [
        { line: 2, email: 'nobody@example.com' },
        { line: 3, username: '   ' },
        { line: 4, username: 'zhang san' },
        { line: 5, username: 'x'.repeat(65) },
        { line: 6, username: 'good', email: 'not-an-email' },
        { line: 7, username: 'good2', phone_number: '138-abc' },
        { line: 8, username: 'good3', phone_number: '+86+138' },
        { line: 9, username: 'good4', phone_number: '1234' },
        { line: 10, username: 'good5', name: 'bad\u001b[31mname' },
        { line: 11, username: 'ok.user@corp-1_a' },
      ],
      now,
    );
    expect(report.refused).toEqual([
      { line: 2, reasons: [{ code: 'missing_username' }] },
      { line: 3, reasons: [{ code: 'missing_username' }] },
      { line: 4, username: 'zhang san', reasons: [{ code: 'invalid_username' }] },
      { line: 5, username: 'x'.repeat(65), reasons: [{ code: 'invalid_username' }] },
      { line: 6, username: 'good', reasons: [{ code: 'invalid_email' }] },
      { line: 7, username: 'good2', reasons: [{ code: 'invalid_phone_number' }] },
      { line: 8, username: 'good3', reasons: [{ code: 'invalid_phone_number' }] },
      { line: 9, username: 'good4', reasons: [{ code: 'invalid_phone_number' }] },
      { line: 10, username: 'good5', reasons: [{ code: 'invalid_name' }] },
    ]);
    expect(report.created).toBe(1);
    expect((await store.list()).map((account) => account.profile.username)).toEqual(['ok.user@corp-1_a']);
  });

  it('lists every reason a row has', async () => {
    const store = await open();
    const report = await importAccounts(store, [{ line: 4, username: 'bad name', email: 'x@', phone_number: 'call me' }], now);
    expect(report.refused[0]!.reasons.map((reason) => reason.code)).toEqual(['invalid_username', 'invalid_email', 'invalid_phone_number']);
  });

  it('refuses the later row when a username appears twice in one file (case-insensitively)', async () => {
    const store = await open();
    const report = await importAccounts(
      store,
      [
        { line: 2, username: 'ZhangSan', name: '张三' },
        { line: 5, username: 'zhangsan', name: '另一个张三' },
      ],
      now,
    );
    expect(report.created).toBe(1);
    expect(report.refused).toEqual([{ line: 5, username: 'zhangsan', reasons: [{ code: 'duplicate_username', firstLine: 2 }] }]);
    const [account] = await store.findByMatchField('username', 'zhangsan');
    expect(account!.profile.name).toBe('张三');
  });

  it('refuses an email or phone number that already belongs to another account', async () => {
    const store = await open();
    await store.createWithIdentity(linkedAccount('owner', 'wangwu', { email: 'Shared@Example.com', phoneNumber: '13800138000' }));
    const report = await importAccounts(
      store,
      [
        { line: 2, username: 'zhaoliu', email: 'shared@example.com' },
        { line: 3, username: 'sunqi', phone_number: '+86 138-0013-8000' },
        { line: 4, username: 'wangwu', email: 'shared@example.com', phone_number: '13800138000' },
      ],
      now,
    );
    expect(report.refused).toEqual([
      { line: 2, username: 'zhaoliu', reasons: [{ code: 'email_taken', accountId: 'owner', username: 'wangwu' }] },
      { line: 3, username: 'sunqi', reasons: [{ code: 'phone_number_taken', accountId: 'owner', username: 'wangwu' }] },
    ]);
    // the owner's own row is no conflict
    expect(report.imported).toEqual([{ line: 4, username: 'wangwu', outcome: 'updated', accountId: 'owner' }]);
    expect((await store.list()).map((account) => account.id)).toEqual(['owner']);
  });

  it('refuses an email that an earlier row of the same file gave to another account', async () => {
    const store = await open();
    const report = await importAccounts(
      store,
      [
        { line: 2, username: 'a', email: 'same@example.com' },
        { line: 3, username: 'b', email: 'SAME@example.com' },
      ],
      now,
    );
    expect(report.created).toBe(1);
    expect(report.refused).toEqual([
      { line: 3, username: 'b', reasons: [{ code: 'email_taken', accountId: report.imported[0]!.accountId, username: 'a' }] },
    ]);
  });

  it('refuses to guess when several accounts already have the username', async () => {
    const store = await open();
    await store.createWithIdentity(linkedAccount('one', 'zhangsan'));
    await store.createWithIdentity({ ...linkedAccount('two', 'ZhangSan'), identities: [] });
    const report = await importAccounts(store, [{ line: 2, username: 'zhangsan', name: '张三' }], now);
    expect(report.refused).toEqual([{ line: 2, username: 'zhangsan', reasons: [{ code: 'ambiguous_username', accountIds: ['one', 'two'] }] }]);
  });
});
