/**
 * Honest outcomes and no dead ends, over HTTP: what the app hears when a person leaves a sign-in
 * (refused is not cancelled), what Back or reload on a finished sign-in does, the landing page at
 * the issuer root, the generic 404, and the languages discovery advertises.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as oidc from 'openid-client';
import { parse } from 'node-html-parser';
import { Browser, formsOf, textOf, type Page } from './support/browser.js';
import { CONFIDENTIAL, THIRD_PARTY, startTestServer, type TestServer } from './support/server.js';
import { authorizationRequest, cancelForm, discover, openWeComLogin, scanAs, stopAtApp } from './support/flow.js';

const redirectUri = CONFIDENTIAL.redirect_uris[0]!;
const PARTNER_HOME = 'https://partner.example.com/home';
let t: TestServer;
let rp: oidc.Configuration;

beforeAll(async () => {
  t = await startTestServer((raw) => {
    (raw.clients as Record<string, unknown>[])[1]!.client_uri = PARTNER_HOME;
  });
  rp = await discover(t.issuer, CONFIDENTIAL);
});
afterAll(() => t.stop());

const linksOf = (page: Page) =>
  parse(page.body)
    .querySelectorAll('main a')
    .map((link) => link.getAttribute('href'));

/** Presses the form whose button reads `label` and returns what the app's redirect_uri receives. */
async function press(browser: Browser, page: Page, label: string, appRedirect = redirectUri) {
  const form = formsOf(page).find((candidate) => candidate.text === label);
  if (!form) throw new Error(`no "${label}" on ${page.url}: ${textOf(page).slice(0, 200)}`);
  const landing = await browser.submit(page, form, stopAtApp(appRedirect));
  expect(landing.url.startsWith(appRedirect), landing.url).toBe(true);
  return new URL(landing.url).searchParams;
}

describe('what the app hears', () => {
  it('a refused member who goes back to the app: access_denied, "the sign-in was refused"', async () => {
    const browser = new Browser();
    const request = await authorizationRequest(rp, redirectUri);
    const refused = await scanAs(browser, await openWeComLogin(browser, request), 'wangwu', redirectUri);
    expect(refused.status).toBe(403);
    expect(textOf(refused)).toMatch(/已被管理员禁用/); // the page keeps its wording
    const answer = await press(browser, refused, '返回应用');
    expect(answer.get('error')).toBe('access_denied');
    expect(answer.get('error_description')).toMatch(/^The sign-in was refused/);
    expect(answer.get('error_description')).toMatch(/^[\x20-\x7e]+$/);
    expect(answer.get('error_description')).not.toMatch(/wangwu|王五/i);
    expect(answer.get('state')).toBe(request.state);
  });

  it('a cancel, in WeCom or on our login page, still reads as a cancel', async () => {
    const browser = new Browser();
    const request = await authorizationRequest(rp, redirectUri);
    const qr = await openWeComLogin(browser, request);
    const cancelled = await browser.submit(qr, cancelForm(qr), stopAtApp(redirectUri));
    expect(textOf(cancelled)).toMatch(/已取消登录/);
    const answer = await press(browser, cancelled, '返回应用');
    expect([answer.get('error'), answer.get('error_description')]).toEqual(['access_denied', 'End-User aborted interaction']);

    const again = new Browser();
    const login = await again.follow((await authorizationRequest(rp, redirectUri)).url.href);
    const fromLogin = await press(again, login, '取消并返回应用');
    expect([fromLogin.get('error'), fromLogin.get('error_description')]).toEqual(['access_denied', 'End-User aborted interaction']);
  });

  it('an outcome that is not ours reads as a cancel', async () => {
    const browser = new Browser();
    const login = await browser.follow((await authorizationRequest(rp, redirectUri)).url.href);
    const abort = formsOf(login).find((form) => form.text === '取消并返回应用')!;
    const landing = await browser.submit(login, { ...abort, action: `${abort.action}?outcome=<script>` }, stopAtApp(redirectUri));
    expect(new URL(landing.url).searchParams.get('error_description')).toBe('End-User aborted interaction');
  });
});

describe('no dead ends', () => {
  it('Back or reload on the login page of a finished sign-in sends the person on to the app', async () => {
    const browser = new Browser();
    const request = await authorizationRequest(rp, redirectUri);
    const login = await browser.follow(request.url.href, {}, stopAtApp(redirectUri));
    const loginPage = login.url;
    expect(loginPage).toMatch(/\/interaction\/[\w-]+$/);
    const qr = await browser.submit(
      login,
      formsOf(login).find((form) => form.action.endsWith('/wecom/wecom'))!,
    );
    expect((await scanAs(browser, qr, 'ZhangSan', redirectUri)).url.startsWith(redirectUri)).toBe(true);

    const appHome = `${new URL(redirectUri).origin}/`;
    const back = await browser.follow(loginPage, {}, (next) => next.startsWith(appHome));
    expect(back.status).toBe(303);
    expect(back.url).toBe(appHome);
  });

  it("uses the client's client_uri as the app's address when it has one", async () => {
    const partner = await discover(t.issuer, THIRD_PARTY);
    const tpRedirect = THIRD_PARTY.redirect_uris[0]!;
    const browser = new Browser();
    const request = await authorizationRequest(partner, tpRedirect);
    const qr = await openWeComLogin(browser, request);
    const callback = await browser.submit(
      qr,
      formsOf(qr).find((form) => form.fields.userid === 'LiSi')!,
      (next) => next.includes('/callback?'),
    );
    const consent = await browser.follow(callback.url, {}, stopAtApp(tpRedirect));
    expect(textOf(consent)).toContain('Partner App');
    await press(browser, consent, '允许', tpRedirect);
    // the login step's callback and the consent page, both finished now
    for (const finished of [callback.url, consent.url]) {
      const again = await browser.follow(finished, {}, (next) => next.startsWith(PARTNER_HOME));
      expect(again.url).toBe(PARTNER_HOME);
    }
  });

  it('an attempt we know nothing of gets the expired page with a link to our landing page', async () => {
    const page = await new Browser().follow(`${t.issuer}/interaction/never-was-an-attempt`);
    expect(page.status).toBe(400);
    expect(textOf(page)).toMatch(/已过期或无法识别/);
    expect(linksOf(page)).toEqual(['/']);
  });
});

describe('pages outside a sign-in', () => {
  it("the issuer root is a small landing page, in the browser's language", async () => {
    const zh = await new Browser().follow(`${t.issuer}/`);
    expect(zh.status).toBe(200);
    expect(zh.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(parse(zh.body).querySelector('h1')?.text).toBe('企业微信登录服务');
    expect(textOf(zh)).toContain(new URL(t.issuer).host);
    const en = await fetch(`${t.issuer}/`, { headers: { 'accept-language': 'en-US,en;q=0.9' } });
    expect(parse(await en.text()).querySelector('h1')?.text).toBe('WeCom sign-in service');
  });

  it('a missing page has its own heading and a link to the landing page; machines get a plain 404', async () => {
    const page = await new Browser().follow(`${t.issuer}/no/such/page`);
    expect(page.status).toBe(404);
    expect(parse(page.body).querySelector('h1')?.text).toBe('找不到页面');
    expect(textOf(page)).not.toContain('登录未完成');
    expect(linksOf(page)).toEqual(['/']);
    const api = await fetch(`${t.issuer}/no/such/page`, { headers: { accept: 'application/json' } });
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type') ?? '').not.toMatch(/html/);
  });

  it('discovery advertises the page languages ui_locales can choose', async () => {
    const metadata = rp.serverMetadata();
    expect(metadata.ui_locales_supported).toEqual(['zh-CN', 'en']);
    expect(metadata.claim_types_supported).toEqual(['normal']);
  });
});
