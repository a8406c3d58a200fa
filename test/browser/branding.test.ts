/**
 * The sign-in pages as a company presents them, in a real browser: WeCom's QR panel on the first
 * screen (one connection, several), the panel that degrades to the plain button, the phone page,
 * the language switch, and a branded configuration (name, logo, favicon, colour, footer, extra
 * stylesheet) on the login, consent and error pages. Every page is screenshotted, checked for its
 * branding, run through axe-core (no serious or critical violations), and nothing it loads may leave
 * 127.0.0.1.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axe from 'axe-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumSkipReason, screenshot } from '../support/chromium.js';
import { AGENT_ID, APP_SECRET, CORP_ID, type TestServer } from '../support/server.js';
import { browserSuite, documentResponse, isCallback, isOurPage, openQrPage, scanButton, startProvider } from './harness.js';
import { PARTNER_NAME } from './rp.js';

// Functions given to evaluate() run in the page; the project compiles without the DOM lib.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the page's globals, untyped for that reason
declare const document: any, window: any;

const IPHONE_SAFARI =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';
const WECOM_PANEL = 'https://login.work.weixin.qq.com/wwlogin/sso/login';

/** axe-core on the page (our own document; WeCom's panel is WeCom's): serious and critical violations. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(axe.source);
  type Violation = { id: string; impact: string; help: string; nodes: { target: string[] }[] };
  const violations: Violation[] = await page.evaluate(async () => {
    const result = await window.axe.run(document, { iframes: false, resultTypes: ['violations'] });
    return result.violations.map((v: Violation) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** The layout every page shares: lang, the company bar, the favicon, the switch. */
async function layoutOf(page: Page) {
  await page.waitForFunction(() => document.querySelector('.brand-logo')?.complete !== false);
  return page.evaluate(() => ({
    lang: document.documentElement.lang,
    brandName: document.querySelector('.brand-name')?.textContent?.trim(),
    logo: document.querySelector('.brand-logo')?.getAttribute('src'),
    logoLoaded: (document.querySelector('.brand-logo')?.naturalWidth ?? 0) > 0,
    favicon: document.querySelector('link[rel="icon"]')?.getAttribute('href'),
    langSwitch: document.querySelector('.lang-switch a')?.textContent?.trim(),
    footer: document.querySelector('.site-footer')?.innerText?.replace(/\s+/g, ' ').trim(),
    icpHref: document.querySelector('.site-footer a.icp')?.getAttribute('href'),
  }));
}

// Each test drives several pages through a real browser and server; the machine may be busy.
describe.skipIf(chromiumSkipReason)(
  `branded sign-in pages in Chromium${chromiumSkipReason ? ` (${chromiumSkipReason})` : ''}`,
  { timeout: 90_000 },
  () => {
    const suite = browserSuite({ viewport: { width: 1280, height: 900 } });
    const { newPage } = suite;

    async function openLogin(page: Page, t: TestServer, params: Record<string, string> = {}) {
      const response = documentResponse(page, isOurPage(t));
      await page.goto(suite.rp.loginUrl(params));
      return response;
    }

    describe('unbranded (the default configuration)', () => {
      let t: TestServer;
      beforeAll(async () => {
        t = await startProvider(suite.rp);
      });
      afterAll(() => t?.stop());

      it('PC: the QR panel is the first screen, with the plain button below it', async () => {
        const page = await newPage();
        await openLogin(page, t);
        await page.locator('[data-wecom-panel][data-state="ready"] iframe').waitFor();
        await scanButton(page.frameLocator('[data-wecom-panel] iframe'), 'ZhangSan').waitFor();
        // The panel is above the fold, its top within the first screen of a 900px-high window.
        const box = await page.locator('[data-wecom-panel] iframe').boundingBox();
        expect(box!.y + box!.height).toBeLessThan(900);
        expect(box!.width).toBe(480);
        expect(await page.getByRole('button', { name: '使用企业微信登录' }).isVisible()).toBe(true);
        expect(await layoutOf(page)).toMatchObject({
          lang: 'zh-CN',
          brandName: '企业微信登录',
          logoLoaded: true,
          favicon: expect.stringMatching(/^\/favicon\.ico\?v=/),
          langSwitch: 'English',
        });
        const favicon = await page.request.get(`${t.issuer}/favicon.ico`);
        expect(favicon.status()).toBe(200);
        expect(favicon.headers()['content-type']).toBe('image/x-icon');
        expect(await seriousViolations(page)).toEqual([]);
        await screenshot(page, 'login-pc-panel', 'unbranded');
      });

      it('phone browser outside WeCom: how to continue, with the app address to copy; no QR page', async () => {
        const page = await newPage({ userAgent: IPHONE_SAFARI, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
        await openLogin(page, t);
        expect(await page.locator('h1').textContent()).toBe('请在企业微信中或电脑上继续登录');
        expect(await page.locator('#app-link').inputValue()).toBe(`${suite.rp.origin}/`);
        expect(await page.locator('[data-wecom-panel]').count()).toBe(0);
        const copy = page.getByRole('button', { name: '复制链接' });
        await copy.waitFor();
        await suite.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.issuer });
        await copy.click();
        await page.locator('#copy-status', { hasText: '已复制' }).waitFor();
        expect(await page.evaluate(() => window.navigator.clipboard.readText())).toBe(`${suite.rp.origin}/`);
        expect(await seriousViolations(page)).toEqual([]);
        await screenshot(page, 'login-mobile', 'phone-page');

        // "Show the QR code anyway" leads to the usual page and WeCom's QR login.
        await page.getByRole('button', { name: '仍然显示二维码' }).click();
        await page.getByRole('button', { name: '使用企业微信登录' }).click();
        await page.waitForURL((url) => url.pathname.endsWith('/wwlogin/sso/login'));
      });

      it('language switch: English overrides Accept-Language and is remembered for the attempt', async () => {
        const page = await newPage({ locale: 'zh-CN' });
        await openLogin(page, t);
        await page.getByRole('link', { name: 'English' }).click();
        await page.locator('html[lang="en"]').waitFor();
        expect(await page.locator('h1').textContent()).toBe('Sign in to browser-app');
        // (this connection's displayName is one string for both languages)
        expect(await page.getByRole('button', { name: 'Sign in with 企业微信' }).count()).toBe(1);
        expect((await layoutOf(page)).langSwitch).toBe('中文');
        await page.locator('[data-wecom-panel][data-state="ready"]').waitFor();
        expect(await seriousViolations(page)).toEqual([]);
        await screenshot(page, 'login-english', 'after-switch');

        // The next page of the same attempt (an error after the scan) is English too.
        await page.getByRole('button', { name: 'Sign in with 企业微信' }).click();
        await page.waitForURL((url) => url.pathname.endsWith('/wwlogin/sso/login'));
        const callback = documentResponse(page, isCallback);
        await scanButton(page, 'wangwu').click();
        expect((await callback).status()).toBe(403);
        expect(await page.getAttribute('html', 'lang')).toBe('en');
        expect(await page.locator('h1').textContent()).toBe('Sign-in did not complete');
        // Its switch goes back to this attempt's page (a WeCom code works once), in Chinese.
        await page.getByRole('link', { name: '中文' }).click();
        await page.locator('html[lang="zh-CN"]').waitFor();
        expect(await page.locator('h1').textContent()).toBe('登录到 browser-app');
      });

      it("the app's explicit ui_locales wins over the person's remembered choice (and no switch is offered)", async () => {
        const page = await newPage({ locale: 'zh-CN' });
        await openLogin(page, t);
        await page.getByRole('link', { name: 'English' }).click();
        await page.locator('html[lang="en"]').waitFor();
        await openLogin(page, t, { ui_locales: 'zh-CN' });
        await page.locator('h1').waitFor();
        expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
        expect(await page.locator('.lang-switch').count()).toBe(0);
      });

      it('consent and error pages carry the layout and pass axe', async () => {
        const page = await newPage();
        await openQrPage(page, suite.rp, { client: 'partner' });
        await scanButton(page, 'ZhangSan').click();
        await page.getByRole('heading', { name: PARTNER_NAME }).waitFor();
        expect(await layoutOf(page)).toMatchObject({ lang: 'zh-CN', brandName: '企业微信登录', langSwitch: 'English' });
        expect(await seriousViolations(page)).toEqual([]);
        await screenshot(page, 'consent', 'unbranded');
      });
    });

    describe('several connections', () => {
      let t: TestServer;
      beforeAll(async () => {
        t = await startProvider(suite.rp, (raw) => {
          raw.connections = [
            { identifier: 'wecom', displayName: { 'zh-CN': '企业微信', en: 'WeCom' }, corpId: CORP_ID, agentId: AGENT_ID, secret: APP_SECRET },
            {
              identifier: 'subsidiary',
              displayName: { 'zh-CN': '子公司企业微信', en: 'Subsidiary WeCom' },
              corpId: 'wwsubsidiary0001',
              agentId: '1000005',
              secret: 'subsidiary-secret',
            },
          ];
          raw.simulator = {
            enabled: true,
            apps: [
              { corpId: CORP_ID, agentId: AGENT_ID, secret: APP_SECRET },
              { corpId: 'wwsubsidiary0001', agentId: '1000005', secret: 'subsidiary-secret' },
            ],
          };
        });
      });
      afterAll(() => t?.stop());

      it('shows the panel of the first and the others as buttons, labelled per language', async () => {
        const page = await newPage();
        await openLogin(page, t);
        await page.locator('[data-wecom-panel][data-state="ready"]').waitFor();
        const panelParams = JSON.parse((await page.getAttribute('[data-wecom-panel]', 'data-wecom-panel'))!);
        expect(panelParams.appid).toBe(CORP_ID);
        expect(await page.locator('form.connection button').allTextContents()).toEqual(['使用企业微信登录', '使用子公司企业微信登录']);
        expect(await seriousViolations(page)).toEqual([]);
        await screenshot(page, 'login-pc-several-connections', 'zh');

        await page.getByRole('link', { name: 'English' }).click();
        await page.locator('html[lang="en"]').waitFor();
        expect(await page.locator('form.connection button').allTextContents()).toEqual(['Sign in with WeCom', 'Sign in with Subsidiary WeCom']);
      });
    });

    describe('a panel that degrades', () => {
      it('WeCom unreachable (real SDK, nothing answers): the panel goes, the button stays, no iframe', async () => {
        const t = await startProvider(suite.rp, (raw) => {
          raw.simulator = { enabled: false };
        });
        try {
          const page = await newPage();
          // The guard aborts the panel's request, as a network without WeCom would: that is the only outside request.
          suite.allowBlocked((url) => url.startsWith(`${WECOM_PANEL}?`));
          await openLogin(page, t);
          await page.locator('[data-wecom-panel]').waitFor({ state: 'attached' });
          await page.locator('[data-wecom-panel]').waitFor({ state: 'detached', timeout: 12_000 });
          expect(await page.getAttribute('body', 'data-wecom-panel-removed')).toBe('timeout');
          expect(await page.locator('iframe').count()).toBe(0);
          expect(await page.getByRole('button', { name: '使用企业微信登录' }).isVisible()).toBe(true);
          expect(suite.blocked.length).toBeGreaterThan(0);
          await screenshot(page, 'login-panel-unreachable', 'button-only');
        } finally {
          await t.stop();
        }
      });

      it('the panel reports a failure (onLoginFail): removed at once, before the timeout', async () => {
        const t = await startProvider(suite.rp, (raw) => {
          // The simulator does not host this connection's corp: WeCom's panel refuses it (40013).
          raw.simulator = { enabled: true, apps: [{ corpId: 'wwsomeothercorp01', agentId: AGENT_ID, secret: APP_SECRET }] };
        });
        try {
          const page = await newPage();
          const response = await openLogin(page, t);
          expect(await response.text()).toContain('data-wecom-panel=');
          await page.locator('[data-wecom-panel]').waitFor({ state: 'detached', timeout: 12_000 });
          expect(await page.getAttribute('body', 'data-wecom-panel-removed')).toBe('failed');
          expect(await page.locator('iframe').count()).toBe(0);
          expect(await page.getByRole('button', { name: '使用企业微信登录' }).isVisible()).toBe(true);
        } finally {
          await t.stop();
        }
      });
    });

    describe('branded', () => {
      let t: TestServer;
      let dir: string;
      let faviconBytes: Buffer;

      beforeAll(async () => {
        dir = mkdtempSync(join(tmpdir(), 'wecom-oidc-branding-'));
        // Real image files, drawn by the browser: a wordmark logo and a 32×32 favicon.
        const draw = await suite.browser.newPage();
        await draw.setContent(
          '<div id="logo" style="display:inline-flex;align-items:center;gap:8px;padding:4px 8px;font:bold 28px sans-serif;color:#0b5fff">' +
            '<span style="display:inline-block;width:36px;height:36px;border-radius:8px;background:#0b5fff"></span>EXAMPLE</div>' +
            '<div id="fav" style="width:32px;height:32px;background:#e4572e"></div>',
        );
        writeFileSync(join(dir, 'logo.png'), await draw.locator('#logo').screenshot({ omitBackground: true }));
        faviconBytes = await draw.locator('#fav').screenshot();
        writeFileSync(join(dir, 'favicon.png'), faviconBytes);
        await draw.close();
        writeFileSync(join(dir, 'extra.css'), '.site-footer { letter-spacing: 0.5px; }\n');
        t = await startProvider(suite.rp, (raw) => {
          raw.branding = {
            name: { 'zh-CN': '示例科技', en: 'Example Tech' },
            logo: join(dir, 'logo.png'),
            favicon: join(dir, 'favicon.png'),
            // Too light for white text: the service darkens it (and logs so).
            primaryColor: '#7fb2ff',
            footer: {
              helpdesk: { 'zh-CN': 'IT 服务台 分机 8000', en: 'IT helpdesk ext. 8000' },
              privacyUrl: 'https://example.com/privacy',
              icp: '京ICP备12345678号',
            },
            css: join(dir, 'extra.css'),
          };
          raw.clients = (raw.clients as Record<string, unknown>[]).map((client) =>
            client.client_name === PARTNER_NAME ? { ...client, client_name: { 'zh-CN': '合作伙伴看板', en: PARTNER_NAME } } : client,
          );
        });
      });
      afterAll(async () => {
        await t?.stop();
        rmSync(dir, { recursive: true, force: true });
      });

      async function expectBranded(page: Page, lang: 'zh-CN' | 'en') {
        const layout = await layoutOf(page);
        expect(layout).toMatchObject({
          lang,
          brandName: lang === 'en' ? 'Example Tech' : '示例科技',
          logo: expect.stringMatching(/^\/assets\/brand\/logo\.png\?v=/),
          logoLoaded: true,
          icpHref: 'https://beian.miit.gov.cn/',
        });
        expect(layout.footer).toContain('京ICP备12345678号');
        expect(layout.footer).toContain(lang === 'en' ? 'IT helpdesk ext. 8000' : 'IT 服务台 分机 8000');
        expect(await page.getByRole('link', { name: lang === 'en' ? 'Privacy policy' : '隐私政策' }).getAttribute('href')).toBe(
          'https://example.com/privacy',
        );
        expect(await page.title()).toContain(lang === 'en' ? 'Example Tech' : '示例科技');
        // The extra stylesheet applies; the colour theme applies and keeps white text readable.
        expect(await page.locator('.site-footer').evaluate((el) => window.getComputedStyle(el).letterSpacing)).toBe('0.5px');
        expect(await seriousViolations(page)).toEqual([]);
      }

      it('login page: name, logo, favicon, footer, darkened colour; CSP unchanged', async () => {
        const page = await newPage();
        const response = await openLogin(page, t);
        const csp = response.headers()['content-security-policy'];
        expect(csp).toContain("style-src 'self';");
        expect(csp).toContain("img-src 'self' data:");
        await page.locator('[data-wecom-panel][data-state="ready"]').waitFor();
        await expectBranded(page, 'zh-CN');
        const favicon = await page.request.get(`${t.issuer}/favicon.ico`);
        expect(Buffer.from(await favicon.body()).equals(faviconBytes)).toBe(true);
        expect(t.logLines.some((line) => line.includes('branding.primaryColor is too light'))).toBe(true);
        await screenshot(page, 'login-pc-panel', 'branded');

        // Without the panel (WeCom's SDK blocked) the primary button carries the (darkened) brand colour.
        await suite.context.route('**/assets/wecom-jssdk.js', (route) => route.abort('blockedbyclient'));
        await openLogin(page, t);
        await page.locator('[data-wecom-panel]').waitFor({ state: 'detached' });
        const colours = await page.getByRole('button', { name: '使用企业微信登录' }).evaluate((el) => {
          const style = window.getComputedStyle(el);
          return { background: style.backgroundColor, color: style.color };
        });
        expect(colours.color).toBe('rgb(255, 255, 255)');
        expect(colours.background).not.toBe('rgb(127, 178, 255)');
        expect(await seriousViolations(page)).toEqual([]);
        await screenshot(page, 'login-pc-button', 'branded');
      });

      it('English login page and the consent page of a per-language client name', async () => {
        const page = await newPage({ locale: 'en-US' });
        await openQrPage(page, suite.rp, { client: 'partner' }, 'Sign in with 企业微信');
        await scanButton(page, 'ZhangSan').click();
        await page.getByRole('heading', { name: PARTNER_NAME }).waitFor();
        await expectBranded(page, 'en');
        await screenshot(page, 'consent', 'branded-english');

        await page.getByRole('link', { name: '中文' }).click();
        await page.getByRole('heading', { name: '合作伙伴看板' }).waitFor();
        await expectBranded(page, 'zh-CN');
        await screenshot(page, 'consent', 'branded');
      });

      it('English login page (browser prefers English)', async () => {
        const page = await newPage({ locale: 'en-US' });
        await openLogin(page, t);
        await page.locator('[data-wecom-panel][data-state="ready"]').waitFor();
        await expectBranded(page, 'en');
        await screenshot(page, 'login-english', 'branded');
      });

      it('error page', async () => {
        const page = await newPage();
        await openQrPage(page, suite.rp);
        const callback = documentResponse(page, isCallback);
        await scanButton(page, 'sunqi').click();
        expect((await callback).status()).toBe(403);
        await expectBranded(page, 'zh-CN');
        await screenshot(page, 'error-page', 'branded');
      });

      it('the 404 page shares the layout', async () => {
        const page = await newPage();
        const response = await page.goto(`${t.issuer}/no-such-page`);
        expect(response!.status()).toBe(404);
        await expectBranded(page, 'zh-CN');
        await screenshot(page, 'not-found', 'branded');
      });
    });
  },
);
