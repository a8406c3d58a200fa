import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccountService } from '../accounts/service.js';
import { AccessRevocation } from '../oidc/access-revocation.js';
import { parseConfig } from '../config/load.js';
import { createMemoryLogger } from '../observability/log.js';
import { openLowdbStorage, type LowdbStorage } from '../storage/lowdb/index.js';
import type { Account } from '../model/index.js';
import type { AdminContext } from './context.js';
import { extractGlobalOptions, parseAdminCommand, runAdminCommand, runParsedCommand } from './dispatch.js';

const opened: LowdbStorage[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((storage) => storage.close()));
});

const config = parseConfig(
  {
    issuer: 'http://127.0.0.1:3000',
    connections: [{ identifier: 'wecom', displayName: 'WeCom', corpId: 'wwcorp0001', agentId: '1000002', secret: 'app-secret-xyz' }],
  },
  {},
);

async function context(files: Record<string, string> = {}): Promise<AdminContext> {
  const storage = await openLowdbStorage({ path: join(mkdtempSync(join(tmpdir(), 'wecom-oidc-admin-')), 'db.json') });
  opened.push(storage);
  const log = createMemoryLogger();
  return {
    config,
    storage,
    accounts: new AccountService(storage.accounts, new AccessRevocation(storage.models, undefined, log), log),
    log,
    lang: 'en',
    readInput: async (path) => {
      if (path in files) return files[path]!;
      throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
    },
  };
}

function account(id: string, username: string, extra: Partial<Account> = {}): Account {
  return {
    id,
    createdAt: 1_700_000_000,
    updatedAt: 1_700_000_000,
    disabled: false,
    profile: { username },
    identities: [{ corpId: 'wwcorp0001', userid: username.toLowerCase(), connection: 'wecom', linkedAt: 1_700_000_100 }],
    ...extra,
  };
}

describe('routing', () => {
  it('prints help for help words, and usage errors with exit code 2 otherwise', () => {
    const result = (argv: string[]) => {
      const parsed = parseAdminCommand(argv, 'en');
      return parsed.kind === 'output' ? parsed.result : undefined;
    };
    expect(result(['--help'])).toMatchObject({ exitCode: 0, stdout: expect.stringContaining('Usage:') });
    expect(result([])).toMatchObject({ exitCode: 2, stderr: expect.stringContaining('Usage:') });
    expect(result(['accounts'])).toMatchObject({ exitCode: 2, stderr: expect.stringContaining('accounts list') });
    expect(result(['clients', 'help'])).toMatchObject({ exitCode: 0, stdout: expect.stringContaining('clients list') });
    expect(result(['accounts', 'toString'])).toMatchObject({ exitCode: 2, stderr: expect.stringContaining('Unknown command') });
    expect(result(['accounts', 'show', 'a', 'b'])).toMatchObject({ exitCode: 2, stderr: expect.stringContaining('Unexpected argument "b"') });
  });

  it('knows which commands need the storage', () => {
    expect(parseAdminCommand(['accounts', 'list'], 'en').kind).toBe('storage');
    expect(parseAdminCommand(['connections', 'list'], 'en').kind).toBe('local');
    expect(parseAdminCommand(['clients', 'list'], 'en').kind).toBe('local');
    const importing = parseAdminCommand(['accounts', 'import', 'people.csv'], 'en');
    expect(importing).toMatchObject({ kind: 'storage', inputFiles: ['people.csv'] });
  });

  it('takes --config and --lang out of argv wherever they are', () => {
    expect(extractGlobalOptions(['accounts', '--config', 'x.json', 'list', '--lang=zh-CN'], 'en')).toEqual({
      lang: 'zh-CN',
      rest: ['accounts', 'list'],
    });
    expect(extractGlobalOptions(['--config=x.json', '--lang', 'zh', 'help'], 'en')).toEqual({ lang: 'zh-CN', rest: ['help'] });
    expect(extractGlobalOptions(['--lang', 'de'], 'en').problem).toContain('Unknown language "de"');
  });

  it('reports, not throws, a storage command given no storage', async () => {
    const { storage: _storage, accounts: _accounts, ...local } = await context();
    const result = await runParsedCommand(parseAdminCommand(['accounts', 'list'], 'en'), local);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('needs the storage');
  });
});

describe('account commands', () => {
  it('disables an account, revoking its sessions, grants and tokens, and enables it again', async () => {
    const ctx = await context();
    await ctx.storage.accounts.createWithIdentity(account('acc-1', 'ZhangSan'));
    await ctx.storage.models.upsert('Session', 's1', { accountId: 'acc-1' }, 60);
    await ctx.storage.models.upsert('RefreshToken', 'r1', { accountId: 'acc-1', grantId: 'g1' }, 60);

    const disabled = await runAdminCommand(['accounts', 'disable', 'zhangsan'], ctx);
    expect(disabled).toMatchObject({ exitCode: 0, stderr: '' });
    expect(disabled.stdout).toContain('Disabled account acc-1 (ZhangSan). Revoked 2 session(s)');
    expect(await ctx.storage.models.find('RefreshToken', 'r1')).toBeUndefined();
    expect((await ctx.storage.accounts.findById('acc-1'))?.disabled).toBe(true);

    const enabled = await runAdminCommand(['accounts', 'enable', 'acc-1'], ctx);
    expect(enabled.stdout).toContain('Enabled account acc-1 (ZhangSan)');
    expect((await ctx.storage.accounts.findById('acc-1'))?.disabled).toBe(false);
  });

  it('asks for the id when a username names several accounts', async () => {
    const ctx = await context();
    await ctx.storage.accounts.createWithIdentity(account('acc-1', 'zhangsan'));
    await ctx.storage.accounts.createWithIdentity({ ...account('acc-2', 'ZhangSan'), identities: [] });
    const result = await runAdminCommand(['accounts', 'disable', 'ZHANGSAN'], ctx);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('Several accounts have the username "ZHANGSAN": acc-1, acc-2');
    expect((await ctx.storage.accounts.findById('acc-1'))?.disabled).toBe(false);
  });

  it('shows identities with ISO dates, and escapes control characters from stored values', async () => {
    const ctx = await context();
    await ctx.storage.accounts.createWithIdentity(
      account('acc-1', 'ZhangSan', { profile: { username: 'ZhangSan', name: 'evil\u001b[2Jname', department: [1, 2], mainDepartment: 2 } }),
    );
    const result = await runAdminCommand(['accounts', 'show', 'acc-1'], ctx);
    expect(result.stdout).toMatch(/^name:\s+evil\\u001b\[2Jname$/m);
    expect(result.stdout).toMatch(/^departments:\s+1, 2 \(main 2\)$/m);
    expect(result.stdout).toMatch(/^ {2}wwcorp0001\s+zhangsan\s+wecom\s+2023-11-14T22:15:00\.000Z\s+never \(only at linking\)$/m);
    expect(result.stdout).not.toContain('\u001b');
  });

  it('shows when and how each member was last checked against WeCom', async () => {
    const ctx = await context();
    await ctx.storage.accounts.createWithIdentity(account('acc-1', 'ZhangSan'));
    await ctx.storage.accounts.markChecked('wwcorp0001', 'ZhangSan', 1_700_000_100, 'refresh');
    const result = await runAdminCommand(['accounts', 'show', 'acc-1'], ctx);
    expect(result.stdout).toMatch(/LAST CHECKED WITH WECOM/);
    expect(result.stdout).toMatch(/^ {2}wwcorp0001\s+zhangsan\s+wecom\s+\S+\s+2023-11-14T22:15:00\.000Z \(refresh\)$/m);
    const json = JSON.parse((await runAdminCommand(['accounts', 'show', 'acc-1', '--json'], ctx)).stdout);
    expect(json.identities[0]).toMatchObject({ checkedAt: '2023-11-14T22:15:00.000Z', checkedVia: 'refresh' });
  });

  it('unlinks an identity given as corpId/userid, in any case', async () => {
    const ctx = await context();
    await ctx.storage.accounts.createWithIdentity(account('acc-1', 'ZhangSan'));
    const result = await runAdminCommand(['accounts', 'unlink', 'ZhangSan', 'wwcorp0001/ZHANGSAN'], ctx);
    expect(result).toMatchObject({ exitCode: 0 });
    expect(await ctx.storage.accounts.findByIdentity('wwcorp0001', 'zhangsan')).toBeUndefined();
    expect((await ctx.storage.accounts.findById('acc-1'))?.identities).toEqual([]);
  });

  it('imports only what readInput hands over, and speaks the requested language', async () => {
    const ctx = await context({ 'people.json': JSON.stringify([{ username: 'lisi', name: '李四' }, { name: 'x' }]) });
    const result = await runAdminCommand(['--lang', 'zh-CN', 'accounts', 'import', 'people.json'], ctx);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('已导入 people.json：新建 1 个');
    expect(result.stdout).toContain('第 2 项: 缺少 username');

    const missing = await runAdminCommand(['accounts', 'import', '/etc/passwd.csv'], ctx);
    expect(missing).toMatchObject({ exitCode: 1, stderr: 'Cannot read /etc/passwd.csv (ENOENT).\n' });
  });

  it('rejects a JSON file that is not an array of objects with text values', async () => {
    const ctx = await context({
      'a.json': '{"username": "x"}',
      'b.json': '[{"username": "x", "phone_number": 13800138000}]',
      'c.json': '[1]',
      'd.json': '[{',
    });
    const stderr = async (file: string) => (await runAdminCommand(['accounts', 'import', file], ctx)).stderr;
    expect(await stderr('a.json')).toContain('must be an array of objects');
    expect(await stderr('b.json')).toContain('entry 1: "phone_number" must be a string');
    expect(await stderr('c.json')).toContain('entry 1 is not an object');
    expect(await stderr('d.json')).toContain('not valid JSON');
    expect(await ctx.storage.accounts.list()).toEqual([]);
  });
});
