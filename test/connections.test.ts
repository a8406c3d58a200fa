/**
 * Several connections, per-client restriction, the connection= parameter, login-only mode, account
 * association (match and bind), account lifecycle and groups — through the real HTTP flow with the
 * simulator playing two corps.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { AccountService } from '../src/accounts/service.js';
import { AccessRevocation } from '../src/oidc/access-revocation.js';
import { createMemoryLogger } from '../src/observability/log.js';
import type { Account } from '../src/model/index.js';
import { Browser, formsOf, textOf, type Page } from './support/browser.js';
import { APP_SECRET, CONFIDENTIAL, CORP_ID, startTestServer, type TestServer } from './support/server.js';
import { authorizationRequest, discover, openWeComLogin, scanAndCaptureCallback, scanAs, scanForm, stopAtApp } from './support/flow.js';

const CORP_B = 'wwb0b0b0b0b0b0b0b0';
const redirectUri = CONFIDENTIAL.redirect_uris[0]!;

let t: TestServer;
let rp: oidc.Configuration;
afterEach(() => t?.stop());

type Connection = Record<string, unknown>;
const wecom = (extra: Connection = {}): Connection => ({
  identifier: 'wecom',
  displayName: '企业微信',
  corpId: CORP_ID,
  agentId: '1000002',
  secret: APP_SECRET,
  ...extra,
});
const ops = (extra: Connection = {}): Connection => ({
  identifier: 'ops',
  displayName: '运维应用',
  corpId: CORP_ID,
  agentId: '1000003',
  secret: 'ops-secret',
  ...extra,
});
const partner = (extra: Connection = {}): Connection => ({
  identifier: 'partner',
  displayName: '合作企业',
  corpId: CORP_B,
  agentId: '1000002',
  secret: 'partner-secret',
  ...extra,
});

async function useServer(connections: Connection[], patch: (raw: Record<string, unknown>) => void = () => {}) {
  t = await startTestServer((raw) => {
    raw.connections = connections;
    raw.simulator = {
      enabled: true,
      apps: connections.map((c) => ({ corpId: c.corpId, agentId: c.agentId, secret: c.secret, legacyContactFields: true })),
    };
    patch(raw);
  });
  rp = await discover(t.issuer, CONFIDENTIAL);
}

function accountService() {
  return new AccountService(
    t.server.storage.accounts,
    new AccessRevocation(t.server.storage.models, () => t.server.provider, createMemoryLogger()),
    createMemoryLogger(),
  );
}

async function provision(profile: Account['profile']): Promise<Account> {
  const { account } = await t.server.storage.accounts.createWithIdentity({
    id: `provisioned-${profile.username}`,
    createdAt: 1,
    updatedAt: 1,
    disabled: false,
    provisioned: true,
    profile,
    identities: [],
  });
  return account;
}

/** Signs in through `connection` as `who`; returns the landing page (the app's redirect, or our page). */
async function signInVia(connection: string, who: string, browser = new Browser(), params: Record<string, string> = {}) {
  const request = await authorizationRequest(rp, redirectUri, params);
  const qr = await openWeComLogin(browser, request, connection);
  return { browser, request, landing: await scanAs(browser, qr, who, redirectUri) };
}

async function redeem(landing: Page, request: Awaited<ReturnType<typeof authorizationRequest>>) {
  expect(landing.url.startsWith(redirectUri), `${landing.status} ${textOf(landing).slice(0, 300)}`).toBe(true);
  return oidc.authorizationCodeGrant(rp, new URL(landing.url), {
    pkceCodeVerifier: request.codeVerifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
  });
}

async function subVia(connection: string, who: string) {
  const { request, landing } = await signInVia(connection, who);
  return (await redeem(landing, request)).claims()!.sub;
}

function expectPage(page: Page, status: number, text: RegExp) {
  expect(page.status, textOf(page).slice(0, 300)).toBe(status);
  expect(textOf(page)).toMatch(text);
}

describe('several connections', () => {
  it('lists every connection as a button, and each signs in through its own app', async () => {
    await useServer([wecom(), ops(), partner()]);
    const request = await authorizationRequest(rp, redirectUri);
    const page = await new Browser().follow(request.url.href, {}, stopAtApp(redirectUri));
    const buttons = formsOf(page).map((form) => form.text);
    expect(buttons).toEqual(expect.arrayContaining(['使用企业微信登录', '使用运维应用登录', '使用合作企业登录']));

    const { browser } = await signInVia('ops', 'ZhangSan');
    expect(browser).toBeDefined();
    // two apps of one corp are one identity (corp + userid); another corp's ZhangSan is another person
    expect(await subVia('ops', 'ZhangSan')).toBe(await subVia('wecom', 'zhangsan'));
    expect(await subVia('partner', 'ZhangSan')).not.toBe(await subVia('wecom', 'ZhangSan'));
  });

  it('offers a client only its own connections, and refuses a start through another one', async () => {
    await useServer([wecom(), ops()], (raw) => {
      (raw.clients as Record<string, unknown>[])[0]!.connections = ['ops'];
    });
    const request = await authorizationRequest(rp, redirectUri);
    const browser = new Browser();
    const page = await browser.follow(request.url.href, {}, stopAtApp(redirectUri));
    expect(formsOf(page).map((form) => form.text)).toEqual(['使用运维应用登录', '取消并返回应用']);
    const forged = await browser.follow(page.url.replace(/$/, '/wecom/wecom'), { method: 'POST' });
    expectPage(forged, 404, /不提供这种登录方式/);
  });

  it('skips the choice page when the app names a connection, and refuses an unknown one', async () => {
    await useServer([wecom(), ops()]);
    const request = await authorizationRequest(rp, redirectUri, { connection: 'ops' });
    const browser = new Browser();
    const qr = await browser.follow(request.url.href, {}, stopAtApp(redirectUri));
    expect(qr.url).toContain('/wecom-simulator/wwlogin/sso/login');
    expect(new URL(qr.url).searchParams.get('agentid')).toBe('1000003');
    expect((await scanAs(browser, qr, 'ZhangSan', redirectUri)).url.startsWith(redirectUri)).toBe(true);

    const bad = await authorizationRequest(rp, redirectUri, { connection: 'nope' });
    const answer = await new Browser().follow(bad.url.href, {}, stopAtApp(redirectUri));
    expect(new URL(answer.url).searchParams.get('error')).toBe('invalid_request');
  });

  it('never finishes a login started through one connection with a code from another', async () => {
    await useServer([wecom(), ops(), partner()]);
    // the callback of a login started through "wecom", presented on "ops"'s callback path
    const { browser, request } = { browser: new Browser(), request: await authorizationRequest(rp, redirectUri) };
    const qr = await openWeComLogin(browser, request, 'wecom');
    const callback = await scanAndCaptureCallback(browser, qr, 'ZhangSan');
    expectPage(await browser.follow(callback.replace('/wecom/wecom/callback', '/wecom/ops/callback')), 400, /不属于当前的登录请求/);

    // a code issued through another app (same corp, then another corp) with a state of "wecom"
    for (const [corpId, agentId] of [
      [CORP_ID, '1000003'],
      [CORP_B, '1000002'],
    ] as const) {
      const b = new Browser();
      const qrPage = await openWeComLogin(b, await authorizationRequest(rp, redirectUri), 'wecom');
      const genuine = new URL(await scanAndCaptureCallback(b, qrPage, 'ZhangSan'));
      genuine.searchParams.set('code', t.sim.issueLoginCode({ corpId, agentId, userid: 'ZhangSan' }));
      const landing = await b.follow(genuine.href, {}, stopAtApp(redirectUri));
      expect(landing.url.startsWith(redirectUri)).toBe(false);
      expect(landing.status).toBeGreaterThanOrEqual(400);
    }
  });
});

describe('login-only connections', () => {
  it('tells a member without an account to ask the administrator, and creates nothing', async () => {
    await useServer([wecom({ loginOnly: true })]);
    const { landing } = await signInVia('wecom', 'ZhangSan');
    expectPage(landing, 403, /尚未开通/);
    expect(await t.server.storage.accounts.list()).toEqual([]);
  });

  it('signs in a provisioned member, and a member linked before', async () => {
    await useServer([wecom({ loginOnly: true })]);
    const provisioned = await provision({ username: 'zhangsan', name: '张三(导入)' });
    expect(await subVia('wecom', 'ZhangSan')).toBe(provisioned.id);
    // linked now: the next sign-in finds it by identity
    expect(await subVia('wecom', 'ZhangSan')).toBe(provisioned.id);
    expect((await t.server.storage.accounts.list()).length).toBe(1);
  });
});

describe('association by field matching', () => {
  it('links to the one account with the same email (only fields WeCom returned take part)', async () => {
    await useServer([wecom({ association: { mode: 'match', fields: ['email'] } })]);
    const existing = await provisionNotClaimable({ username: 'li.si', email: 'LISI@corp.example.com' });
    expect(await subVia('wecom', 'LiSi')).toBe(existing.id);
    // ZhangSan has no email at all: nothing to match on, so a new account
    const zhangsan = await subVia('wecom', 'ZhangSan');
    expect(zhangsan).not.toBe(existing.id);
  });

  it('links on username and on phone number', async () => {
    await useServer([wecom({ association: { mode: 'match', fields: ['username', 'phone_number'] } })]);
    const byUsername = await provisionNotClaimable({ username: 'ZHANGSAN' });
    const byPhone = await provisionNotClaimable({ username: 'someone', phoneNumber: '+86 138-0000-0002' });
    expect(await subVia('wecom', 'ZhangSan')).toBe(byUsername.id);
    expect(await subVia('wecom', 'LiSi')).toBe(byPhone.id);
  });

  it('refuses, logs, and links nothing when two accounts match', async () => {
    await useServer([wecom({ association: { mode: 'match', fields: ['phone_number'] } })]);
    await provisionNotClaimable({ username: 'a', phoneNumber: '13800000002' });
    await provisionNotClaimable({ username: 'b', phoneNumber: '13800000002' });
    const { landing } = await signInVia('wecom', 'LiSi');
    expectPage(landing, 409, /多个账号/);
    expect(t.logLines.some((line) => line.includes('several accounts') && line.includes('phone_number'))).toBe(true);
    for (const account of await t.server.storage.accounts.list()) expect(account.identities).toEqual([]);
  });

  it('never links on name', async () => {
    await useServer([wecom({ association: { mode: 'match', fields: ['email'] } })]);
    const namesake = await provisionNotClaimable({ username: 'other', name: '张三' });
    expect(await subVia('wecom', 'ZhangSan')).not.toBe(namesake.id);
  });

  /** An existing account that is not "provisioned", so only association (not provisioning) can link it. */
  async function provisionNotClaimable(profile: Account['profile']): Promise<Account> {
    const { account } = await t.server.storage.accounts.createWithIdentity({
      id: `existing-${profile.username}`,
      createdAt: 1,
      updatedAt: 1,
      disabled: false,
      profile,
      identities: [],
    });
    return account;
  }
});

describe('association by asking the person (bind)', () => {
  async function bindPage(who = 'ZhangSan') {
    const browser = new Browser();
    const request = await authorizationRequest(rp, redirectUri);
    const qr = await openWeComLogin(browser, request, 'partner');
    const page = await scanAs(browser, qr, who, redirectUri);
    return { browser, request, page };
  }

  it('links to an existing account proved through another connection', async () => {
    await useServer([wecom(), partner({ association: { mode: 'bind' } })]);
    const existing = await subVia('wecom', 'ZhangSan');
    const { browser, request, page } = await bindPage();
    expectPage(page, 200, /还没有关联/);
    const prove = formsOf(page).find((form) => form.action.endsWith('/bind/wecom'))!;
    const qr = await browser.submit(page, prove);
    expect(new URL(qr.url).searchParams.get('appid')).toBe(CORP_ID);
    const landing = await browser.submit(qr, scanForm(qr, 'ZhangSan'), stopAtApp(redirectUri));
    expect((await redeem(landing, request)).claims()!.sub).toBe(existing);
    // both identities now lead to the same account, without asking again
    expect(await subVia('partner', 'ZhangSan')).toBe(existing);
    const account = await t.server.storage.accounts.findById(existing);
    expect(account!.identities.map((identity) => identity.corpId).sort()).toEqual([CORP_ID, CORP_B].sort());
  });

  it('creates a new account when the person chooses to', async () => {
    await useServer([wecom(), partner({ association: { mode: 'bind' } })]);
    const { browser, request, page } = await bindPage();
    const create = formsOf(page).find((form) => form.action.endsWith('/bind-new'))!;
    const landing = await browser.submit(page, create, stopAtApp(redirectUri));
    await redeem(landing, request);
    expect((await t.server.storage.accounts.list()).length).toBe(1);
  });

  it('refuses a proof that leads to no account, and lets the person choose again', async () => {
    await useServer([wecom(), partner({ association: { mode: 'bind' } })]);
    const { browser, page } = await bindPage();
    const prove = formsOf(page).find((form) => form.action.endsWith('/bind/wecom'))!;
    const qr = await browser.submit(page, prove);
    const refused = await browser.submit(qr, scanForm(qr, 'LiSi'), stopAtApp(redirectUri));
    expectPage(refused, 404, /没有关联任何已有账号/);
    expect(await t.server.storage.accounts.list()).toEqual([]);
    const again = await browser.submit(
      refused,
      formsOf(refused).find((form) => form.text === '重新登录')!,
    );
    expectPage(again, 200, /还没有关联/);
  });

  it('offers no "create" on a login-only connection, and abandoning leaves nothing behind', async () => {
    await useServer([wecom(), partner({ association: { mode: 'bind' }, loginOnly: true })]);
    const { browser, page } = await bindPage();
    expect(formsOf(page).some((form) => form.action.endsWith('/bind-new'))).toBe(false);
    expect(formsOf(page).some((form) => form.action.endsWith('/bind/wecom'))).toBe(true);
    // a forged "create" is refused too
    const forged = await browser.follow(`${new URL(page.url).href}/bind-new`, { method: 'POST' });
    expectPage(forged, 403, /尚未开通/);
    expect(await t.server.storage.accounts.list()).toEqual([]);
  });
});

describe('account lifecycle', () => {
  it('a disabled account cannot sign in and its refresh tokens stop working; enabling restores sign-in', async () => {
    await useServer([wecom()]);
    const { request, landing } = await signInVia('wecom', 'ZhangSan', new Browser(), {
      scope: 'openid offline_access',
      prompt: 'consent',
    });
    const tokens = await redeem(landing, request);
    const service = accountService();
    const { revoked } = await service.setDisabled(tokens.claims()!.sub, true);
    expect(revoked).toBeGreaterThan(0);
    await expect(oidc.refreshTokenGrant(rp, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expectPage((await signInVia('wecom', 'ZhangSan')).landing, 403, /账号已被停用/);
    await service.setDisabled(tokens.claims()!.sub, false);
    expect(await subVia('wecom', 'ZhangSan')).toBe(tokens.claims()!.sub);
  });
});

describe('groups', () => {
  it('puts department names in the groups claim under the wecom scope', async () => {
    await useServer([wecom()]);
    const { request, landing } = await signInVia('wecom', 'ZhangSan', new Browser(), { scope: 'openid wecom' });
    const tokens = await redeem(landing, request);
    const userinfo = await oidc.fetchUserInfo(rp, tokens.access_token, tokens.claims()!.sub);
    expect(userinfo.groups).toEqual(['总部', '研发部']);
    expect(userinfo.department).toEqual([1, 2]);
  });

  it('uses the configured claim name, and caches names across sign-ins', async () => {
    await useServer([wecom()], (raw) => {
      raw.groupsClaim = 'roles';
    });
    for (const who of ['ZhangSan', 'LiSi', 'ZhangSan']) {
      const { request, landing } = await signInVia('wecom', who, new Browser(), { scope: 'openid wecom' });
      const tokens = await redeem(landing, request);
      const userinfo = await oidc.fetchUserInfo(rp, tokens.access_token, tokens.claims()!.sub);
      expect(userinfo.roles).toEqual(expect.arrayContaining(['研发部']));
      expect(userinfo).not.toHaveProperty('groups');
    }
    expect(t.sim.calls['department/get']).toBe(2); // departments 1 and 2, each read once
  });
});
