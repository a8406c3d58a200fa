/**
 * Sign-in in a real browser (Debian's Chromium via playwright-core), the four ways a person meets
 * it: WeCom's full-page QR login, inside the WeCom client, WeCom's QR panel embedded in our login
 * page (with its fallback), and a popup opened by the app.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { chromiumSkipReason, screenshot } from '../support/chromium.js';
import type { TestServer } from '../support/server.js';
import { appResult, browserSuite, documentResponse, isOurPage, isQrPage, scanButton, startProvider, WECOM_UA } from './harness.js';

// Functions given to evaluate() run in the page; the project compiles without the DOM lib.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the page's globals, untyped for that reason
declare const document: any;

describe.skipIf(chromiumSkipReason)(`sign-in in Chromium${chromiumSkipReason ? ` (${chromiumSkipReason})` : ''}`, () => {
  const suite = browserSuite();
  const { newPage } = suite;
  let t: TestServer | undefined;

  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });

  it('QR login: app → our login page → WeCom QR page → scan as ZhangSan → app signed in as 张三', async () => {
    const name = 'qr-login';
    t = await startProvider(suite.rp);
    const page = await newPage();

    await page.goto(`${suite.rp.origin}/`);
    await page.getByRole('link', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(isOurPage(t));
    expect(await page.locator('h1').textContent()).toContain('登录到');
    await screenshot(page, name, 'login-page');

    await page.getByRole('button', { name: '使用企业微信登录' }).click();
    await page.waitForURL(isQrPage);
    expect(page.url()).toContain(`${t.issuer}/wecom-simulator/wwlogin/sso/login?`);
    await screenshot(page, name, 'wecom-qr-page');

    await scanButton(page, 'ZhangSan').click();
    const result = await appResult(page, suite.rp);
    expect(result.user).toBe('张三');
    expect(result.claims).toMatchObject({ amr: ['wecom_qr'], preferred_username: 'ZhangSan' });
    await screenshot(page, name, 'app-signed-in');
  });

  it('in-client login (wxwork user agent): no QR page, WeCom member picker → app signed in, amr wecom_client', async () => {
    const name = 'in-client-login';
    t = await startProvider(suite.rp);
    const page = await newPage({ userAgent: WECOM_UA, viewport: { width: 390, height: 844 } });
    const visited: string[] = [];
    page.on('request', (request) => {
      if (request.isNavigationRequest()) visited.push(request.url());
    });

    await page.goto(`${suite.rp.origin}/`);
    await page.getByRole('link', { name: 'Sign in', exact: true }).click();
    // Straight to WeCom's in-client OAuth: the simulator asks which member is signed in to the client.
    await page.waitForURL((url) => url.pathname.endsWith('/connect/oauth2/authorize'));
    const oauth = new URL(page.url());
    expect(oauth.searchParams.get('scope')).toBe('snsapi_base');
    await screenshot(page, name, 'wecom-member-picker');

    await scanButton(page, 'ZhangSan').click();
    const result = await appResult(page, suite.rp);
    expect(result.user).toBe('张三');
    expect(result.claims).toMatchObject({ amr: ['wecom_client'] });
    await screenshot(page, name, 'app-signed-in');

    // our login page was never rendered: the interaction URL only redirected onward
    expect(visited.filter((url) => isQrPage(new URL(url)))).toEqual([]);
  });

  describe('embedded WeCom QR panel', () => {
    it("is the login page's main content; the scan inside it navigates the top page to the app, signed in", async () => {
      const name = 'embedded-panel';
      t = await startProvider(suite.rp);
      const page = await newPage();
      const simulatorRequests: string[] = [];
      page.on('request', (request) => {
        const url = new URL(request.url());
        if (url.pathname.startsWith('/wecom-simulator/')) simulatorRequests.push(`${request.method()} ${url.pathname}`);
      });

      const loginResponse = documentResponse(page, isOurPage(t));
      await page.goto(suite.rp.loginUrl());
      const response = await loginResponse;
      expect(response.status()).toBe(200);

      // The page itself: no inline script or handler; scripts only by nonce; with the simulator the
      // panel is framed from our own origin (its stand-in for WeCom's).
      const csp = (await response.headerValue('content-security-policy')) ?? '';
      expect(csp).toMatch(/script-src 'nonce-[A-Za-z0-9+/=]+'/);
      expect(csp).toContain(`frame-src ${t.issuer};`);
      const inline = await page.evaluate(() => ({
        scripts: [...document.scripts].filter((script) => !script.src).length,
        handlers: [...document.querySelectorAll('*')].flatMap((el) => el.getAttributeNames().filter((attr: string) => attr.startsWith('on'))),
        nonces: [...document.scripts].map((script) => script.nonce).filter(Boolean).length,
      }));
      expect(inline).toEqual({ scripts: 0, handlers: [], nonces: 2 });

      // WeCom's own SDK made the iframe (its URL re-pointed at the simulator), and the panel answered it.
      const iframe = page.locator('[data-wecom-panel] iframe');
      await iframe.waitFor();
      const src = new URL((await iframe.getAttribute('src'))!);
      expect(src.origin + src.pathname).toBe(`${t.issuer}/wecom-simulator/wwlogin/sso/login`);
      expect(src.searchParams.get('redirect_type')).toBe('top');
      expect(src.searchParams.get('version')).toBeTruthy();
      await page.locator('[data-wecom-panel][data-state="ready"]').waitFor();
      const frame = page.frameLocator('[data-wecom-panel] iframe');
      await scanButton(frame, 'ZhangSan').waitFor();
      await screenshot(page, name, 'login-page-with-panel');

      await scanButton(frame, 'ZhangSan').click();
      const result = await appResult(page, suite.rp);
      expect(result.user).toBe('张三');
      expect(result.claims).toMatchObject({ amr: ['wecom_qr'] });
      await screenshot(page, name, 'app-signed-in');
      expect(simulatorRequests).toEqual([
        'GET /wecom-simulator/wwlogin/sso/login',
        'GET /wecom-simulator/wwlogin/sso/panel.js',
        'POST /wecom-simulator/wwlogin/sso/confirm',
      ]);
    });

    it('without the SDK (script blocked) the full-page "使用企业微信登录" button still works', async () => {
      const name = 'embedded-panel-fallback';
      t = await startProvider(suite.rp);
      const page = await newPage();
      await suite.context.route('**/assets/wecom-jssdk.js', (route) => route.abort('blockedbyclient'));

      await page.goto(suite.rp.loginUrl());
      await page.waitForLoadState('load');
      await page.locator('[data-wecom-panel]').waitFor({ state: 'detached' });
      expect(await page.locator('iframe').count()).toBe(0);
      await screenshot(page, name, 'login-page-without-panel');

      await page.getByRole('button', { name: '使用企业微信登录' }).click();
      await page.waitForURL(isQrPage);
      await scanButton(page, 'ZhangSan').click();
      const result = await appResult(page, suite.rp);
      expect(result.user).toBe('张三');
      await screenshot(page, name, 'app-signed-in');
    });
  });

  it('popup: the app opens the sign-in with display=popup; the popup posts the result to the opener and closes', async () => {
    const name = 'popup';
    t = await startProvider(suite.rp);
    const page = await newPage();
    await page.goto(`${suite.rp.origin}/`);

    const popupOpened = page.waitForEvent('popup');
    await page.getByRole('button', { name: 'Sign in with WeCom' }).click();
    const popup = await popupOpened;
    await popup.waitForURL(isOurPage(t));
    expect(await popup.locator('body').getAttribute('class')).toMatch(/^popup\b/);
    await screenshot(popup, name, 'login-page-in-popup');

    await popup.getByRole('button', { name: '使用企业微信登录' }).click();
    await popup.waitForURL(isQrPage);
    const closed = popup.waitForEvent('close');
    await scanButton(popup, 'ZhangSan').click();
    await closed;

    await page.locator('#result', { hasText: 'Signed in as' }).waitFor();
    expect(await page.locator('#result').textContent()).toBe('Signed in as 张三');
    expect(await page.locator('#result').getAttribute('data-amr')).toBe('["wecom_qr"]');
    await screenshot(page, name, 'app-signed-in');
  });
});
