/**
 * The admin CLI (`npm run admin -- …`) as an administrator runs it: the built CLI in its own
 * process, against a configuration file, with and without a running server.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { Browser, textOf } from './support/browser.js';
import { buildProject, runAdminCli, writeConfigFile } from './support/cli.js';
import { authorizationRequest, discover, openWeComLogin, scanAs, signInAndRedeem } from './support/flow.js';
import { AGENT_ID, APP_SECRET, CONFIDENTIAL, CORP_ID, THIRD_PARTY, freePort, startTestServer, type TestServer } from './support/server.js';

beforeAll(() => buildProject(), 180_000);

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wecom-oidc-admin-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const SECRETS = [APP_SECRET, CONFIDENTIAL.client_secret, THIRD_PARTY.client_secret];

/** A configuration for a server that is not running: storage in a new temporary directory. */
async function offlineConfig() {
  const port = await freePort();
  const dir = tempDir();
  const storagePath = join(dir, 'data', 'db.json');
  const configPath = writeConfigFile(
    {
      issuer: `http://127.0.0.1:${port}`,
      listen: { host: '127.0.0.1', port },
      storage: { driver: 'lowdb', path: storagePath },
      clients: [structuredClone(CONFIDENTIAL), structuredClone(THIRD_PARTY)],
      connections: [
        { identifier: 'wecom', displayName: '企业微信', corpId: CORP_ID, agentId: AGENT_ID, secret: APP_SECRET },
        {
          identifier: 'partner',
          displayName: 'Partner corp',
          corpId: 'ww0000000000000001',
          agentId: 1000005,
          secret: '${PARTNER_SECRET}',
          loginOnly: true,
          association: { mode: 'match', fields: ['email', 'username'] },
        },
      ],
      simulator: { enabled: true },
    },
    dir,
  );
  /** The CLI with this configuration (and the partner connection's secret in the environment). */
  const admin = (args: string[], options: { cwd?: string } = {}) => runAdminCli(['--config', configPath, ...args], { ...options, env: partnerEnv });
  return { configPath, dir, storagePath, admin };
}

const partnerEnv = { PARTNER_SECRET: 'partner-secret-5e4d3c2b1a' };

const PEOPLE_CSV = [
  'username,email,phone_number,name',
  'ZhangSan,zhangsan@example.com,+86 138 0013 8000,张三',
  'lisi,,,李四',
  ',nobody@example.com,,',
  'bad user,,,',
  'wangwu,not-an-email,,王五',
  'zhangsan,,,另一个张三',
  'zhaoliu,ZHANGSAN@example.com,,赵六',
  'sunqi,,12ab,孙七',
  '',
].join('\n');

describe('help and usage', () => {
  it('prints the usage with --help, -h and help, exit code 0', async () => {
    for (const flag of ['--help', '-h', 'help']) {
      const run = await runAdminCli([flag]);
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toContain('accounts import FILE [--format csv|json]');
      expect(run.stdout).toContain('connections test <identifier>');
      expect(run.stdout).toContain('clients list');
      expect(run.stdout).toContain('--config FILE');
    }
  });

  it("prints one group's help, including the import file format", async () => {
    const run = await runAdminCli(['accounts', '--help']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('username       (required)');
    expect(run.stdout).not.toContain('clients list');
    expect((await runAdminCli(['help', 'connections'])).stdout).toContain('connections test <identifier>');
    expect((await runAdminCli(['accounts', 'import', '--help'])).stdout).toContain('accounts import FILE');
  });

  it('answers an unknown command with a pointer to --help and exit code 2', async () => {
    const unknown = await runAdminCli(['acounts', 'list']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "acounts"');
    expect(unknown.stderr).toContain('npm run admin -- --help');

    const unknownSub = await runAdminCli(['accounts', 'delete', 'x']);
    expect(unknownSub.exitCode).toBe(2);
    expect(unknownSub.stderr).toContain('npm run admin -- accounts --help');

    const missing = await runAdminCli(['accounts', 'show']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('Missing <id-or-username>');

    const badOption = await runAdminCli(['accounts', 'list', '--jsno']);
    expect(badOption.exitCode).toBe(2);
    expect(badOption.stderr).toContain("'--jsno'");
  });

  it('speaks Chinese with --lang zh-CN or a Chinese LANG', async () => {
    expect((await runAdminCli(['--lang', 'zh-CN', '--help'])).stdout).toContain('用法');
    expect((await runAdminCli(['--help'], { env: { LANG: 'zh_CN.UTF-8' } })).stdout).toContain('用法');
    const bad = await runAdminCli(['--lang', 'fr', '--help']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--lang en or --lang zh-CN');
  });

  it('reports a configuration problem as the server would, with exit code 2', async () => {
    const dir = tempDir();
    const configPath = writeConfigFile({ issuer: 'http://127.0.0.1:1', connections: [], extra: true }, dir);
    const run = await runAdminCli(['--config', configPath, 'accounts', 'list']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`Invalid configuration in ${configPath}`);
    expect(run.stderr).toContain('connections: configure at least one WeCom connection');

    const missing = await runAdminCli(['clients', 'list'], { env: { WECOM_OIDC_CONFIG: join(dir, 'nope.json') } });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('cannot read the file (ENOENT)');
  });
});

describe('offline: no server running, the CLI opens the storage itself', () => {
  it('imports a CSV, lists refused rows with their line and reason, and a second import changes nothing', async () => {
    const { dir, storagePath, admin } = await offlineConfig();
    writeFileSync(join(dir, 'people.csv'), PEOPLE_CSV);

    // a relative FILE is relative to where the CLI runs
    const first = await admin(['accounts', 'import', 'people.csv'], { cwd: dir });
    expect(first.exitCode).toBe(1);
    expect(first.stdout).toContain('Imported people.csv: 2 created, 0 updated, 0 unchanged, 6 refused.');
    expect(first.stdout).toMatch(/line 4: no username/);
    expect(first.stdout).toMatch(/line 5: the username is not a valid WeCom userid/);
    expect(first.stdout).toMatch(/line 6: the email address is not valid/);
    expect(first.stdout).toMatch(/line 7: the username already appears on an earlier row \(2\)/);
    expect(first.stdout).toMatch(/line 8: the email address already belongs to another account \(.+, username ZhangSan\)/);
    expect(first.stdout).toMatch(/line 9: the phone number is not valid/);
    expect(first.stdout).not.toMatch(/line [23]:/);

    const fileAfterFirst = readFileSync(storagePath, 'utf8');
    const second = await admin(['accounts', 'import', join(dir, 'people.csv')]);
    expect(second.exitCode).toBe(1);
    expect(second.stdout).toContain('0 created, 0 updated, 2 unchanged, 6 refused.');
    expect(JSON.parse(readFileSync(storagePath, 'utf8')).accounts).toEqual(JSON.parse(fileAfterFirst).accounts);

    // a clean file exits 0; a changed name is an update
    writeFileSync(
      join(dir, 'fix.json'),
      JSON.stringify([
        { username: 'LISI', name: '李四四' },
        { username: 'wangwu', name: '王五' },
      ]),
    );
    const fix = await admin(['accounts', 'import', 'fix.json'], { cwd: dir });
    expect(fix).toMatchObject({ exitCode: 0, stderr: '' });
    expect(fix.stdout).toContain('1 created, 1 updated, 0 unchanged, 0 refused.');
  });

  it('rejects a whole file with an unknown column, naming it', async () => {
    const { dir, admin } = await offlineConfig();
    writeFileSync(join(dir, 'people.csv'), 'username,mobile,name\nzhangsan,13800138000,张三\n');
    const csv = await admin(['accounts', 'import', 'people.csv'], { cwd: dir });
    expect(csv.exitCode).toBe(1);
    expect(csv.stderr).toContain('people.csv was not imported: unknown column "mobile"');

    writeFileSync(join(dir, 'people.txt'), JSON.stringify([{ username: 'zhangsan', department: 'R&D' }]));
    const json = await admin(['accounts', 'import', '--format', 'json', 'people.txt'], { cwd: dir });
    expect(json.exitCode).toBe(1);
    expect(json.stderr).toContain('unknown column "department"');

    const guess = await admin(['accounts', 'import', 'people.txt'], { cwd: dir });
    expect(guess.exitCode).toBe(2);
    expect(guess.stderr).toContain('--format csv or --format json');

    const absent = await admin(['accounts', 'import', 'absent.csv'], { cwd: dir });
    expect(absent.exitCode).toBe(1);
    expect(absent.stderr).toContain('Cannot read absent.csv (ENOENT)');

    const list = await admin(['accounts', 'list']);
    expect(list.stdout).toContain('No accounts yet.');
  });

  it('lists and shows accounts, as a table and as JSON', async () => {
    const { dir, admin } = await offlineConfig();
    writeFileSync(join(dir, 'people.csv'), PEOPLE_CSV);
    await admin(['accounts', 'import', 'people.csv'], { cwd: dir });

    const list = await admin(['accounts', 'list']);
    expect(list.exitCode).toBe(0);
    const [header, ...rows] = list.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID\s+USERNAME\s+NAME\s+EMAIL\s+PHONE\s+STATUS\s+IDENTITIES$/);
    // accounts imported in the same second are listed in id order
    expect(rows).toHaveLength(2);
    expect(rows).toContainEqual(expect.stringMatching(/ZhangSan\s+张三\s+zhangsan@example\.com\s+\+86 138 0013 8000\s+enabled\s+provisioned$/));
    expect(rows).toContainEqual(expect.stringMatching(/lisi\s+李四\s+-\s+-\s+enabled\s+provisioned$/));

    const json = await admin(['accounts', 'list', '--json']);
    const accounts = JSON.parse(json.stdout) as { id: string; provisioned: boolean; profile: { username: string }; createdAt: string }[];
    expect(accounts.map((account) => [account.profile.username, account.provisioned]).sort()).toEqual([
      ['ZhangSan', true],
      ['lisi', true],
    ]);
    const zhangsan = accounts.find((account) => account.profile.username === 'ZhangSan')!;
    expect(zhangsan.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);

    for (const ref of ['zhangsan', zhangsan.id]) {
      const show = await admin(['accounts', 'show', ref]);
      expect(show.exitCode).toBe(0);
      expect(show.stdout).toMatch(new RegExp(`^id:\\s+${zhangsan.id}$`, 'm'));
      expect(show.stdout).toMatch(/^email:\s+zhangsan@example\.com \(unverified\)$/m);
      expect(show.stdout).toMatch(/^provisioned:\s+yes, not yet claimed/m);
      expect(show.stdout).toMatch(/^created:\s+\d{4}-\d\d-\d\dT/m);
      expect(show.stdout).toMatch(/^identities: -$/m);
    }
    const nobody = await admin(['accounts', 'show', 'nobody']);
    expect(nobody.exitCode).toBe(1);
    expect(nobody.stderr).toContain('No account has the id or username "nobody".');
  });

  it('lists clients and connections without ever printing a secret', async () => {
    const { admin } = await offlineConfig();
    const clients = await admin(['clients', 'list']);
    expect(clients.exitCode).toBe(0);
    expect(clients.stdout).toMatch(/^CLIENT ID\s+NAME\s+FIRST PARTY\s+REDIRECT URIS\s+CONNECTIONS$/m);
    expect(clients.stdout).toMatch(/^rp\s+-\s+yes\s+http:\/\/127\.0\.0\.1:59999\/cb\s+all$/m);
    expect(clients.stdout).toMatch(/^third-party\s+Partner App\s+no\s+/m);

    const connections = await admin(['connections', 'list']);
    expect(connections.exitCode).toBe(0);
    expect(connections.stdout).toMatch(/^IDENTIFIER\s+DISPLAY NAME\s+CORP ID\s+AGENT ID\s+LOGIN ONLY\s+ASSOCIATION$/m);
    expect(connections.stdout).toMatch(new RegExp(`^wecom\\s+企业微信\\s+${CORP_ID}\\s+${AGENT_ID}\\s+no\\s+off$`, 'm'));
    expect(connections.stdout).toMatch(/^partner\s+Partner corp\s+ww0000000000000001\s+1000005\s+yes\s+match \(email, username\)$/m);

    const asJson = await Promise.all(
      [
        ['clients', 'list', '--json'],
        ['connections', 'list', '--json'],
      ].map((args) => admin([...args])),
    );
    const [clientsJson] = asJson;
    expect(JSON.parse(clientsJson!.stdout)).toEqual(
      expect.arrayContaining([expect.objectContaining({ client_id: 'rp', first_party: true, id_token_claims: 'minimal' })]),
    );
    for (const run of [clients, connections, ...asJson]) {
      for (const secret of [...SECRETS, partnerEnv.PARTNER_SECRET]) expect(run.stdout + run.stderr).not.toContain(secret);
      expect(run.stdout).not.toMatch(/secret/i);
    }
  });

  it('tells when WeCom cannot be reached, naming the address, with exit code 1', async () => {
    const { admin } = await offlineConfig();
    const run = await admin(['connections', 'test', 'wecom']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/^Could not reach WeCom at http:\/\/127\.0\.0\.1:\d+\/wecom-simulator: network error \(ECONNREFUSED\)/);
    expect(run.stderr).not.toContain(APP_SECRET);

    const unknown = await admin(['connections', 'test', 'nope']);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain('No connection is named "nope". The configured connections are: wecom, partner.');
  });
});

describe('connections test against WeCom (the simulator of a running server)', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });

  async function testConnection(overrides?: (raw: Record<string, unknown>) => void, lang = 'en') {
    t = await startTestServer(overrides);
    const configPath = writeConfigFile(t.raw, t.dataDir);
    return runAdminCli(['--config', configPath, '--lang', lang, 'connections', 'test', 'wecom']);
  }

  it('reports success with the token lifetime, and never the token or the secret', async () => {
    const run = await testConnection();
    expect(run).toMatchObject({ exitCode: 0, stderr: '' });
    expect(run.stdout).toBe('WeCom accepted the Corp ID and Secret of wecom (token valid for 7200 s).\n');
    expect(t!.sim.calls.gettoken).toBe(1);
  });

  it('explains 40001: the secret is wrong', async () => {
    const run = await testConnection((raw) => {
      raw.simulator = { enabled: true, apps: [{ corpId: CORP_ID, agentId: AGENT_ID, secret: 'the-real-secret-abcdef' }] };
    });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('WeCom refused the settings of wecom: WeCom rejected the app secret.');
    expect(run.stderr).toContain('(errcode 40001)');
    expect(run.stderr).not.toContain(APP_SECRET);
    expect(run.stderr).not.toContain('the-real-secret-abcdef');
    // never retried: WeCom blocks IPs that repeat wrong secrets
    expect(t!.sim.calls.gettoken).toBe(1);
  });

  it('explains 40013: the corp id is unknown', async () => {
    const run = await testConnection((raw) => {
      raw.simulator = { enabled: true, apps: [{ corpId: 'ww9999999999999999', agentId: AGENT_ID, secret: APP_SECRET }] };
    });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('WeCom does not know this Corp ID');
    expect(run.stderr).toContain('(errcode 40013)');
  });

  it('explains 60020 with the IP to add to the trusted IPs, in Chinese too', async () => {
    const untrusted = (raw: Record<string, unknown>) => {
      raw.simulator = { enabled: true, apps: [{ corpId: CORP_ID, agentId: AGENT_ID, secret: APP_SECRET, trustedIps: ['203.0.113.7'] }] };
    };
    const run = await testConnection(untrusted);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("Add IP 127.0.0.1 to the app's trusted IPs");
    expect(run.stderr).toContain('(errcode 60020)');
    await t!.stop();

    const zh = await testConnection(untrusted, 'zh-CN');
    expect(zh.exitCode).toBe(1);
    expect(zh.stderr).toContain('企业微信拒绝了 wecom 的配置');
    expect(zh.stderr).toContain('将 IP 127.0.0.1 加入应用的可信 IP');
    expect(zh.stderr).toContain('错误码 60020');
  });
});

describe('while the server runs, account commands go through its admin socket', () => {
  let t: TestServer;
  let configPath: string;
  let rp: oidc.Configuration;
  const redirectUri = CONFIDENTIAL.redirect_uris[0]!;

  beforeAll(async () => {
    t = await startTestServer();
    configPath = writeConfigFile(t.raw, t.dataDir);
    rp = await discover(t.issuer, CONFIDENTIAL);
  });
  afterAll(() => t.stop());

  const admin = (...args: string[]) => runAdminCli(['--config', configPath, '--lang', 'en', ...args]);

  it('disabling revokes refresh tokens and refuses sign-in at once; enabling lets the member back in', async () => {
    const { tokens } = await signInAndRedeem(new Browser(), rp, redirectUri, 'ZhangSan', {
      scope: 'openid profile offline_access',
      prompt: 'consent',
    });
    expect(tokens.refresh_token).toBeTruthy();
    const sub = tokens.claims()!.sub;

    const show = await admin('accounts', 'show', 'zhangsan');
    expect(show.exitCode).toBe(0);
    expect(show.stdout).toMatch(new RegExp(`^  ${CORP_ID}\\s+zhangsan\\s+wecom\\s+\\d{4}-\\d\\d-\\d\\dT`, 'm'));

    const disable = await admin('accounts', 'disable', 'ZhangSan');
    expect(disable.exitCode).toBe(0);
    const revoked = Number(/Revoked (\d+) session/.exec(disable.stdout)?.[1]);
    expect(revoked).toBeGreaterThanOrEqual(3); // at least the session, the grant and the refresh token
    // the server itself did it (it logged the command), and its own storage shows it
    expect(t.logLines.some((line) => line.includes('"msg":"admin command"') && line.includes('accounts disable'))).toBe(true);
    expect((await t.server.storage.accounts.findById(sub))?.disabled).toBe(true);

    await expect(oidc.refreshTokenGrant(rp, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });

    const browser = new Browser();
    const request = await authorizationRequest(rp, redirectUri);
    const refused = await scanAs(browser, await openWeComLogin(browser, request), 'ZhangSan', redirectUri);
    expect(refused.status).toBe(403);
    expect(textOf(refused)).toContain('账号已被停用');

    const list = await admin('accounts', 'list');
    expect(list.stdout).toMatch(new RegExp(`^${sub}\\s+ZhangSan\\s+张三\\s+-\\s+-\\s+disabled\\s+1$`, 'm'));

    const enable = await admin('accounts', 'enable', sub);
    expect(enable).toMatchObject({ exitCode: 0, stderr: '' });
    const again = await signInAndRedeem(new Browser(), rp, redirectUri, 'ZhangSan');
    expect(again.tokens.claims()!.sub).toBe(sub);
  });

  it('imports a file the CLI read and sent: the server never opens the path', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'people.csv'), 'username,name\nLiSi,李四\nwangwu,王五\n');
    const run = await runAdminCli(['--config', configPath, 'accounts', 'import', 'people.csv'], { cwd: dir });
    expect(run.stdout).toContain('2 created');
    expect(run.exitCode).toBe(0);
    // the running server sees the accounts at once: it made them
    const [lisi] = await t.server.storage.accounts.findByMatchField('username', 'lisi');
    expect(lisi).toMatchObject({ provisioned: true, identities: [] });

    // LiSi's first sign-in claims the imported account
    const { tokens } = await signInAndRedeem(new Browser(), rp, redirectUri, 'LiSi');
    expect(tokens.claims()!.sub).toBe(lisi!.id);
  });

  it("unlinks a WeCom identity: the member's next sign-in is a new member's", async () => {
    await signInAndRedeem(new Browser(), rp, redirectUri, 'ZhangSan');
    const account = await t.server.storage.accounts.findByIdentity(CORP_ID, 'zhangsan');
    const unlink = await admin('accounts', 'unlink', account!.id, `${CORP_ID}/ZhangSan`);
    expect(unlink.exitCode).toBe(0);
    expect(unlink.stdout).toContain(`Unlinked WeCom identity ${CORP_ID}/zhangsan from account ${account!.id}`);
    expect((await admin('accounts', 'unlink', account!.id, `${CORP_ID}/ZhangSan`)).exitCode).toBe(1);
    expect((await admin('accounts', 'unlink', account!.id, 'no-slash')).exitCode).toBe(2);

    const next = await signInAndRedeem(new Browser(), rp, redirectUri, 'ZhangSan');
    expect(next.tokens.claims()!.sub).not.toBe(account!.id);
  });

  it('keys rotate publishes, then promotes, and the running server follows each step at once', async () => {
    const jwksKids = async () => ((await (await fetch(`${t.issuer}/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((key) => key.kid);
    const before = await jwksKids();
    const signingKid = async () =>
      JSON.parse(Buffer.from((await signInAndRedeem(new Browser(), rp, redirectUri)).tokens.id_token!.split('.')[0]!, 'base64url').toString())
        .kid as string;
    const firstKid = await signingKid();

    const publish = await admin('keys', 'rotate');
    expect(publish.exitCode).toBe(0);
    expect(publish.stdout).toContain('Published the next signing keys');
    const published = await jwksKids();
    expect(published.length).toBe(before.length + 2);
    expect(await signingKid()).toBe(firstKid);

    const promote = await admin('keys', 'rotate');
    expect(promote.stdout).toContain('Now signing with the new keys');
    expect(await jwksKids()).toEqual(expect.arrayContaining(published));
    const newKid = await signingKid();
    expect(newKid).not.toBe(firstKid);
    expect(published).toContain(newKid);

    const list = await admin('keys', 'list', '--json');
    const states = (JSON.parse(list.stdout) as { keys: { kid: string; state: string }[] }).keys;
    expect(states.find((key) => key.kid === firstKid)?.state).toBe('retiring');
    expect(states.find((key) => key.kid === newKid)?.state).toBe('current');
  });

  it('removes its socket when it stops', async () => {
    const socket = join(t.dataDir, 'admin.sock');
    expect(existsSync(socket)).toBe(true);
    await t.server.close();
    expect(existsSync(socket)).toBe(false);
    // offline now: the CLI opens the storage itself and sees what the server wrote
    const list = await admin('accounts', 'list');
    expect(list.exitCode).toBe(0);
    expect(list.stdout).toContain('wangwu');
    await t.restart();
    expect(existsSync(socket)).toBe(true);
  });
});
