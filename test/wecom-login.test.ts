/**
 * Every way a WeCom sign-in can go wrong, through the real HTTP flow with the simulator, and the
 * access_token economy (one gettoken per token lifetime, shared on a cold cache).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type * as oidc from 'openid-client';
import { parse } from 'node-html-parser';
import { Browser, formsOf, textOf, type Page } from './support/browser.js';
import { APP_SECRET, CONFIDENTIAL, startTestServer, type TestServer } from './support/server.js';
import {
  authorizationRequest,
  cancelForm,
  discover,
  openWeComLogin,
  scanAndCaptureCallback,
  scanAs,
  signInAndRedeem,
  stopAtApp,
} from './support/flow.js';

const redirectUri = CONFIDENTIAL.redirect_uris[0]!;
let t: TestServer;
let rp: oidc.Configuration;

async function useServer(overrides?: (raw: Record<string, unknown>) => void) {
  t = await startTestServer(overrides);
  rp = await discover(t.issuer, CONFIDENTIAL);
}
afterEach(() => t?.stop());

async function qrPage(browser = new Browser()) {
  const request = await authorizationRequest(rp, redirectUri);
  return { browser, request, page: await openWeComLogin(browser, request) };
}

async function scanAndLand(who: string) {
  const { browser, page } = await qrPage();
  return scanAs(browser, page, who, redirectUri);
}

function parseLinks(page: Page): string[] {
  return parse(page.body)
    .querySelectorAll('main a')
    .map((link) => link.getAttribute('href') ?? '');
}

function expectErrorPage(page: Page, status: number, text: RegExp) {
  expect(page.status, page.body.slice(0, 400)).toBe(status);
  expect(textOf(page)).toMatch(text);
  expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
  expect(page.body).not.toMatch(/at .*\.(ts|js):\d+/); // no stack trace
}

describe('refused members, each with its own message', () => {
  beforeEach(() => useServer());

  it.each([
    ['wangwu', 403, /禁用/],
    ['zhaoliu', 403, /尚未激活/],
    ['sunqi', 403, /离开/],
    ['zhouba', 403, /可见范围/],
    ['wujiu', 403, /找不到你的成员信息/],
    ['non-member', 403, /个人微信/],
  ])('%s is refused with status %i', async (who, status, text) => {
    expectErrorPage(await scanAndLand(who), status, text);
  });

  it('speaks English when the app asks for it with ui_locales', async () => {
    const browser = new Browser();
    const request = await authorizationRequest(rp, redirectUri, { ui_locales: 'en' });
    const page = await scanAs(browser, await openWeComLogin(browser, request), 'wangwu', redirectUri);
    expectErrorPage(page, 403, /disabled by an administrator/);
  });

  it('creates no account for a refused member', async () => {
    await scanAndLand('wangwu');
    expect(await t.server.storage.accounts.findByIdentity(t.config.connections[0]!.corpId, 'wangwu')).toBeUndefined();
  });
});

describe('the state and the callback', () => {
  beforeEach(() => useServer());

  it('a cancelled scan shows "sign-in cancelled" with a way to try again', async () => {
    const { browser, page } = await qrPage();
    const landing = await browser.submit(page, cancelForm(page), stopAtApp(redirectUri));
    expectErrorPage(landing, 200, /取消/);
    const retry = formsOf(landing).find((form) => form.action.endsWith('/wecom/wecom'));
    expect(retry).toBeDefined();
    // the retry really starts a new WeCom login that can succeed
    const again = await browser.submit(landing, retry!);
    const done = await scanAs(browser, again, 'ZhangSan', redirectUri);
    expect(done.url.startsWith(redirectUri)).toBe(true);
  });

  it('a callback without state is refused', async () => {
    const { browser, page } = await qrPage();
    const callback = new URL(await scanAndCaptureCallback(browser, page, 'ZhangSan'));
    callback.searchParams.delete('state');
    expectErrorPage(await browser.follow(callback.href), 400, /state/);
  });

  it('an unknown state is refused', async () => {
    const { browser, page } = await qrPage();
    const callback = new URL(await scanAndCaptureCallback(browser, page, 'ZhangSan'));
    callback.searchParams.set('state', 'f'.repeat(64));
    expectErrorPage(await browser.follow(callback.href), 400, /已经使用过或已过期/);
  });

  it('a replayed callback is refused: the state is single use', async () => {
    const { browser, page } = await qrPage();
    // a refused sign-in leaves the interaction alive, so only the state can stop the replay
    const callback = await scanAndCaptureCallback(browser, page, 'wangwu');
    expectErrorPage(await browser.follow(callback), 403, /禁用/);
    expectErrorPage(await browser.follow(callback), 400, /已经使用过或已过期/);
  });

  it('a callback replayed after a successful sign-in issues nothing: the person is sent on to the app', async () => {
    const { browser, page } = await qrPage();
    const callback = await scanAndCaptureCallback(browser, page, 'ZhangSan');
    const first = await browser.follow(callback, {}, stopAtApp(redirectUri));
    expect(first.url.startsWith(redirectUri)).toBe(true);
    const appHome = `${new URL(redirectUri).origin}/`;
    for (const replaying of [browser, new Browser()]) {
      const replay = await replaying.follow(callback, {}, (next) => next.startsWith(appHome));
      // no code, no state: only the app's address (its home, as the redirect_uri's origin)
      expect(replay.url).toBe(appHome);
      expect(replay.chain).toHaveLength(2);
    }
  });

  it('after the attempt is forgotten, a replayed callback shows the expired page with a way on', async () => {
    const { browser, page } = await qrPage();
    const callback = await scanAndCaptureCallback(browser, page, 'ZhangSan');
    await browser.follow(callback, {}, stopAtApp(redirectUri));
    const uid = new URL(callback).pathname.split('/')[2]!;
    await t.server.storage.models.destroy('FinishedInteraction', uid);
    const replay = await browser.follow(callback, {}, stopAtApp(redirectUri));
    expectErrorPage(replay, 400, /过期/);
    expect(parseLinks(replay)).toEqual(['/']);
  });

  it('a state from another sign-in attempt is refused, even in the same browser', async () => {
    const browser = new Browser();
    const a = await qrPage(browser);
    const b = await qrPage(browser);
    const callbackA = new URL(await scanAndCaptureCallback(browser, a.page, 'ZhangSan'));
    const stateB = new URL(b.page.url).searchParams.get('state')!;
    callbackA.searchParams.set('state', stateB);
    expectErrorPage(await browser.follow(callbackA.href), 400, /不属于当前的登录请求/);
  });

  it('a callback in another browser (without the interaction cookie) is refused, with a link to the app', async () => {
    const { browser, page } = await qrPage();
    const callback = await scanAndCaptureCallback(browser, page, 'ZhangSan');
    const refused = await new Browser().follow(callback);
    expectErrorPage(refused, 400, /过期或无法识别/);
    expect(formsOf(refused)).toEqual([]);
    expect(parseLinks(refused)).toEqual([`${new URL(redirectUri).origin}/`]);
  });

  it('a WeCom code that was already used shows "expired, start again"', async () => {
    const browser = new Browser();
    const { page } = await qrPage(browser);
    const callback = new URL(await scanAndCaptureCallback(browser, page, 'ZhangSan'));
    const usedCode = callback.searchParams.get('code')!;
    await browser.follow(callback.href, {}, stopAtApp(redirectUri));
    // a second sign-in (another browser) whose callback carries the old code
    const second = await qrPage(new Browser());
    const secondCallback = new URL(await scanAndCaptureCallback(second.browser, second.page, 'ZhangSan'));
    secondCallback.searchParams.set('code', usedCode);
    const landing = await second.browser.follow(secondCallback.href);
    expectErrorPage(landing, 400, /已失效/);
    expect(formsOf(landing).some((form) => form.action.endsWith('/wecom/wecom'))).toBe(true);
  });

  it('a WeCom code older than 5 minutes shows "expired, start again"', async () => {
    const { browser, page } = await qrPage();
    const callback = await scanAndCaptureCallback(browser, page, 'ZhangSan');
    t.sim.advanceClock(5 * 60 * 1000 + 1000);
    expectErrorPage(await browser.follow(callback), 400, /已失效/);
  });

  it('an interaction we do not know shows a readable page', async () => {
    const page = await new Browser().follow(`${t.issuer}/interaction/nonexistent`);
    expectErrorPage(page, 400, /过期或无法识别/);
  });
});

describe('the WeCom access_token', () => {
  beforeEach(() => useServer());

  it('20 consecutive sign-ins cost exactly one gettoken', async () => {
    for (let i = 0; i < 20; i += 1) await signInAndRedeem(new Browser(), rp, redirectUri, i % 2 ? 'ZhangSan' : 'LiSi');
    expect(t.sim.calls.gettoken).toBe(1);
    expect(t.sim.calls.getuserinfo).toBe(20);
  });

  it('20 concurrent sign-ins on a cold cache cost exactly one gettoken', async () => {
    // Bring all twenty to the WeCom callback first, then let the callbacks race.
    const pending = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const { browser, page } = await qrPage();
        return { browser, callback: await scanAndCaptureCallback(browser, page, 'LiSi') };
      }),
    );
    expect(t.sim.calls.gettoken).toBe(0);
    const landings = await Promise.all(pending.map(({ browser, callback }) => browser.follow(callback, {}, stopAtApp(redirectUri))));
    for (const landing of landings) expect(landing.url.startsWith(redirectUri)).toBe(true);
    expect(t.sim.calls.gettoken).toBe(1);
  });

  it('an access_token WeCom invalidated early (40014) is replaced once and the sign-in succeeds', async () => {
    await signInAndRedeem(new Browser(), rp, redirectUri, 'ZhangSan');
    t.sim.invalidateAccessTokens();
    await signInAndRedeem(new Browser(), rp, redirectUri, 'ZhangSan');
    expect(t.sim.calls.gettoken).toBe(2);
  });

  it('an expired access_token (42001) is refreshed', async () => {
    await signInAndRedeem(new Browser(), rp, redirectUri, 'ZhangSan');
    const { browser, page } = await qrPage();
    const callback = await scanAndCaptureCallback(browser, page, 'ZhangSan');
    t.sim.advanceClock(7200 * 1000 + 1000); // WeCom's clock: the token is past its 7200 s
    const landing = await browser.follow(callback, {}, stopAtApp(redirectUri));
    // the code is older than 5 minutes on WeCom's clock too, so this one fails with 40029 …
    expectErrorPage(landing, 400, /已失效/);
    // … but the token was replaced exactly once, and a fresh sign-in works
    expect(t.sim.calls.gettoken).toBe(2);
    await signInAndRedeem(new Browser(), rp, redirectUri, 'ZhangSan');
    expect(t.sim.calls.gettoken).toBe(2);
  });

  it('"system busy" (-1) is retried and the sign-in succeeds', async () => {
    t.sim.failNext('getuserinfo', -1, 2);
    await signInAndRedeem(new Browser(), rp, redirectUri, 'ZhangSan');
    expect(t.sim.calls.getuserinfo).toBe(3);
  });

  it('"system busy" three times gives up with "try again later"', async () => {
    t.sim.failNext('getuserinfo', -1, 3);
    expectErrorPage(await scanAndLand('ZhangSan'), 503, /稍后重试/);
  });
});

describe('configuration problems reach the administrator, never the secret', () => {
  it('a wrong secret (40001) is not retried, and the page says what to fix', async () => {
    await useServer((raw) => {
      raw.simulator = { enabled: true, apps: [{ corpId: 'ww5a1b2c3d4e5f6a7b', agentId: '1000002', secret: 'the-right-secret' }] };
    });
    const page = await scanAndLand('ZhangSan');
    expectErrorPage(page, 502, /配置有误/);
    expect(textOf(page)).toContain('40001');
    expect(t.sim.calls.gettoken).toBe(1);
    // a second person trying does not hammer WeCom either: the breaker answers, no call at all
    expectErrorPage(await scanAndLand('LiSi'), 502, /配置有误/);
    expect(t.sim.calls.gettoken).toBe(1);
    for (const text of [page.body, ...t.logLines]) expect(text).not.toContain(APP_SECRET);
    expect(t.logLines.some((line) => line.includes('40001'))).toBe(true);
  });

  it("an IP outside the app's trusted IPs (60020): the page says ask the administrator with the request id; the IP to add is in the log under that id", async () => {
    await useServer((raw) => {
      raw.simulator = {
        enabled: true,
        apps: [{ corpId: 'ww5a1b2c3d4e5f6a7b', agentId: '1000002', secret: APP_SECRET, trustedIps: ['203.0.113.7'] }],
      };
    });
    const page = await scanAndLand('ZhangSan');
    expectErrorPage(page, 502, /管理员/);
    expect(textOf(page)).toContain('60020');
    // the employee is not told the server's egress IP
    expect(page.body).not.toContain('127.0.0.1');
    const requestId = page.headers.get('x-request-id')!;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(textOf(page)).toContain(requestId);
    const explained = t.logLines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.requestId === requestId && typeof line.hint === 'string');
    expect(explained.map((line) => line.hint)).toContainEqual(expect.stringContaining('Add IP 127.0.0.1'));
  });

  it('no log line or page carries the app secret, a client secret or an access_token', async () => {
    await useServer();
    await signInAndRedeem(new Browser(), rp, redirectUri, 'ZhangSan');
    await scanAndLand('wangwu');
    const everything = t.logLines.join('\n');
    expect(everything).not.toContain(APP_SECRET);
    expect(everything).not.toContain(CONFIDENTIAL.client_secret);
    expect(everything).not.toMatch(/access_token=/);
    expect(everything).not.toMatch(/corpsecret/);
  });
});
