/**
 * Sign-in inside the WeCom client (user agent with `wxwork/`): in-client OAuth instead of a QR code,
 * silent or with WeCom's consent for contact details, always with a QR fallback.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { Browser, formsOf, textOf, type Page } from './support/browser.js';
import { APP_SECRET, CONFIDENTIAL, CORP_ID, startTestServer, type TestServer } from './support/server.js';
import { authorizationRequest, discover, scanAs, stopAtApp } from './support/flow.js';

const WECOM_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 wxwork/4.1.22 MicroMessenger/7.0.1 Language/zh';
const WECHAT_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.40 NetType/WIFI Language/zh_CN';
const redirectUri = CONFIDENTIAL.redirect_uris[0]!;

let t: TestServer;
let rp: oidc.Configuration;
afterEach(() => t?.stop());

async function useServer(inClient: string, extraConnections: Record<string, unknown>[] = []) {
  t = await startTestServer((raw) => {
    raw.connections = [
      { identifier: 'wecom', displayName: '企业微信', corpId: CORP_ID, agentId: '1000002', secret: APP_SECRET, inClient },
      ...extraConnections,
    ];
  });
  rp = await discover(t.issuer, CONFIDENTIAL);
}

/** Opens the app's authorization request inside the (simulated) WeCom client. */
async function openInClient(browser: Browser, params: Record<string, string> = {}) {
  const request = await authorizationRequest(rp, redirectUri, params);
  return { request, page: await browser.follow(request.url.href, {}, stopAtApp(redirectUri)) };
}

/** The simulator asks which member is signed in to this WeCom client (once per browser). */
async function signInToClient(browser: Browser, picker: Page, userid: string) {
  const form = formsOf(picker).find((candidate) => candidate.fields.userid === userid)!;
  return browser.submit(picker, form, stopAtApp(redirectUri));
}

async function redeem(landing: Page, request: Awaited<ReturnType<typeof authorizationRequest>>) {
  expect(landing.url.startsWith(redirectUri), `${landing.status} ${textOf(landing).slice(0, 300)}`).toBe(true);
  return oidc.authorizationCodeGrant(rp, new URL(landing.url), {
    pkceCodeVerifier: request.codeVerifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
  });
}

describe('silent in-client login', () => {
  it('signs a member in without a QR code, and silently the next time', async () => {
    await useServer('silent');
    const browser = new Browser(WECOM_UA);
    const first = await openInClient(browser);
    // our pages were skipped: the first stop is WeCom's in-client OAuth with a hex state
    const oauth = new URL(first.page.chain.find((url) => url.includes('/connect/oauth2/authorize'))!);
    expect(oauth.searchParams.get('scope')).toBe('snsapi_base');
    expect(oauth.searchParams.get('state')).toMatch(/^[0-9a-f]{64}$/);
    expect(oauth.searchParams.get('agentid')).toBe('1000002');
    expect(first.page.chain.some((url) => url.includes('/wwlogin/sso/login'))).toBe(false);

    const tokens = await redeem(await signInToClient(browser, first.page, 'ZhangSan'), first.request);
    expect(tokens.claims()!.amr).toEqual(['wecom_client']);

    // a new sign-in (the app forgot us): WeCom knows who is in the client, nothing to click
    const again = await openInClient(browser, { prompt: 'login' });
    expect((await redeem(again.page, again.request)).claims()!.sub).toBe(tokens.claims()!.sub);
  });

  it('refuses a member outside the visible scope, and offers the QR code instead', async () => {
    await useServer('silent');
    const browser = new Browser(WECOM_UA);
    const { page } = await openInClient(browser);
    const refused = await signInToClient(browser, page, 'zhouba');
    expect(refused.status).toBe(403);
    expect(textOf(refused)).toMatch(/可见范围/);
    const qr = formsOf(refused).find((form) => form.action.endsWith('?via=qr'))!;
    const qrPage = await browser.submit(refused, qr);
    expect(qrPage.url).toContain('/wwlogin/sso/login');
    expect((await scanAs(browser, qrPage, 'ZhangSan', redirectUri)).url.startsWith(redirectUri)).toBe(true);
  });

  it('never signs personal WeChat in silently (a phone gets the how-to-continue page, then the QR code), nor connections with inClient off', async () => {
    await useServer('silent');
    const wechatBrowser = new Browser(WECHAT_UA);
    const wechat = await openInClient(wechatBrowser);
    // Personal WeChat on a phone is a phone browser outside WeCom: it cannot scan its own screen.
    expect(textOf(wechat.page)).toContain('请在企业微信中或电脑上继续登录');
    const showQr = formsOf(wechat.page).find((form) => form.fields.via === 'qr')!;
    const choice = await wechatBrowser.follow(`${new URL(showQr.action, wechat.page.url).href}?via=qr`, {}, stopAtApp(redirectUri));
    expect(formsOf(choice).some((form) => form.action.endsWith('/wecom/wecom'))).toBe(true);
    await t.stop();

    await useServer('off');
    const browser = new Browser(WECOM_UA);
    const { page } = await openInClient(browser);
    const start = formsOf(page).find((form) => form.action.endsWith('/wecom/wecom'))!;
    expect((await browser.submit(page, start)).url).toContain('/wwlogin/sso/login');
  });

  it('with several connections, shows the choice with a QR link under each in-client button', async () => {
    await useServer('silent', [{ identifier: 'ops', displayName: '运维', corpId: CORP_ID, agentId: '1000003', secret: 'ops-secret' }]);
    const browser = new Browser(WECOM_UA);
    const { page } = await openInClient(browser);
    const actions = formsOf(page).map((form) => form.action.replace(/^.*\/interaction\/[^/]+/, ''));
    expect(actions).toEqual(expect.arrayContaining(['/wecom/wecom', '/wecom/wecom?via=qr', '/wecom/ops', '/wecom/ops?via=qr']));
    const inClient = formsOf(page).find((form) => form.action.endsWith('/wecom/ops'))!;
    expect((await browser.submit(page, inClient)).url).toContain('/connect/oauth2/authorize');
  });
});

describe('in-client login with consent for contact details (privateinfo)', () => {
  it("keeps the member's consented email and mobile, also for later QR sign-ins", async () => {
    await useServer('privateinfo');
    const browser = new Browser(WECOM_UA);
    const scopes = { scope: 'openid profile email phone' };
    const { request, page } = await openInClient(browser, scopes);
    const consent = await signInToClient(browser, page, 'LiSi');
    const accept = formsOf(consent).find((form) => form.fields.decision === 'accept')!;
    const tokens = await redeem(await browser.submit(consent, accept, stopAtApp(redirectUri)), request);
    const userinfo = await oidc.fetchUserInfo(rp, tokens.access_token, tokens.claims()!.sub);
    expect(userinfo).toMatchObject({ email: 'lisi@corp.example.com', email_verified: true, phone_number: '13800000002' });
    expect(t.sim.calls.getuserdetail).toBe(1);

    // later, a QR sign-in (user/get gives a new app no contact fields) still yields them
    const desktop = new Browser();
    const qrRequest = await authorizationRequest(rp, redirectUri, scopes);
    const loginPage = await desktop.follow(qrRequest.url.href, {}, stopAtApp(redirectUri));
    const qrPage = await desktop.submit(
      loginPage,
      formsOf(loginPage).find((form) => form.action.endsWith('/wecom/wecom'))!,
    );
    const qrTokens = await redeem(await scanAs(desktop, qrPage, 'LiSi', redirectUri), qrRequest);
    expect(qrTokens.claims()!.amr).toEqual(['wecom_qr']);
    const later = await oidc.fetchUserInfo(rp, qrTokens.access_token, qrTokens.claims()!.sub);
    expect(later).toMatchObject({ email: 'lisi@corp.example.com', phone_number: '13800000002' });
  });

  it('a declined consent is a cancelled sign-in, with the QR code offered', async () => {
    await useServer('privateinfo');
    const browser = new Browser(WECOM_UA);
    const { page } = await openInClient(browser);
    const consent = await signInToClient(browser, page, 'LiSi');
    const decline = formsOf(consent).find((form) => form.fields.decision === 'decline')!;
    const landing = await browser.submit(consent, decline, stopAtApp(redirectUri));
    expect(textOf(landing)).toMatch(/取消/);
    expect(formsOf(landing).some((form) => form.action.endsWith('?via=qr'))).toBe(true);
  });
});
