/**
 * Our own pages in a real browser: consent for a third-party app (name and logo, allow and deny),
 * the page language (Chinese by default, English by ui_locales or the browser's preference), and
 * accessibility basics of the login, consent and error pages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumSkipReason, screenshot } from '../support/chromium.js';
import type { TestServer } from '../support/server.js';
import {
  appResult,
  browserSuite,
  documentResponse,
  expectAccessibleBasics,
  isCallback,
  isOurPage,
  openQrPage,
  scanButton,
  startProvider,
} from './harness.js';
import { PARTNER_NAME } from './rp.js';

// Functions given to evaluate() run in the page; the project compiles without the DOM lib.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the page's globals, untyped for that reason
declare const document: any;

describe.skipIf(chromiumSkipReason)(`our pages in Chromium${chromiumSkipReason ? ` (${chromiumSkipReason})` : ''}`, () => {
  const suite = browserSuite();
  const { newPage } = suite;
  let t: TestServer;

  beforeAll(async () => {
    t = await startProvider(suite.rp);
  });
  afterAll(() => t?.stop());

  /** The third-party app's sign-in, up to our consent page (after the scan as ZhangSan). */
  async function openConsent(page: Page): Promise<void> {
    await openQrPage(page, suite.rp, { client: 'partner' });
    await scanButton(page, 'ZhangSan').click();
    await page.waitForURL((url) => isOurPage(t)(url) && !isCallback(url));
    await page.getByRole('heading', { name: PARTNER_NAME }).waitFor();
  }

  describe('consent for a third-party app', () => {
    it('shows the app name and logo; Allow signs in', async () => {
      const name = 'consent-allow';
      const page = await newPage();
      await openConsent(page);
      expect(await page.locator('h1').textContent()).toBe(`${PARTNER_NAME} 请求访问你的以下信息`);
      const logo = page.locator('img.logo');
      expect(await logo.getAttribute('src')).toBe(suite.rp.logoUri);
      // loaded (allowed by the page's img-src), not a broken image
      await page.waitForFunction(() => document.querySelector('img.logo')?.complete === true);
      expect(await logo.evaluate((img) => (img as { naturalWidth: number }).naturalWidth)).toBe(64);
      expect(await page.locator('.scopes li').allTextContents()).toEqual(
        expect.arrayContaining(['你的账号标识', '姓名、账号、头像', '企业微信账号、部门与职务']),
      );
      expect(await page.locator('body').textContent()).toContain('当前登录：张三');
      await screenshot(page, name, 'consent-page');

      await page.getByRole('button', { name: '允许' }).click();
      const result = await appResult(page, suite.rp);
      expect(result.user).toBe('张三');
      await screenshot(page, name, 'app-signed-in');
    });

    it('Deny sends the app error=access_denied', async () => {
      const name = 'consent-deny';
      const page = await newPage();
      await openConsent(page);
      await screenshot(page, name, 'consent-page');
      await page.getByRole('button', { name: '拒绝' }).click();
      const result = await appResult(page, suite.rp);
      expect(result).toEqual({ error: 'access_denied' });
      await screenshot(page, name, 'app-access-denied');
    });
  });

  describe('language', () => {
    async function loginPage(page: Page, params: Record<string, string> = {}) {
      await page.goto(suite.rp.loginUrl(params));
      await page.waitForURL(isOurPage(t));
      return {
        lang: await page.getAttribute('html', 'lang'),
        button: (await page.locator('button.primary').textContent())?.trim(),
        heading: await page.locator('h1').textContent(),
      };
    }

    it('is Chinese by default (a browser preferring neither Chinese nor English)', async () => {
      const page = await newPage({ locale: 'de-DE' });
      expect(await loginPage(page)).toEqual({ lang: 'zh-CN', button: '使用企业微信登录', heading: '登录到 browser-app' });
      await screenshot(page, 'language-default-zh', 'login-page');
    });

    it('is English when the app sends ui_locales=en', async () => {
      const page = await newPage({ locale: 'zh-CN' });
      expect(await loginPage(page, { ui_locales: 'en' })).toEqual({
        lang: 'en',
        button: 'Sign in with 企业微信',
        heading: 'Sign in to browser-app',
      });
      await screenshot(page, 'language-ui-locales-en', 'login-page');
    });

    it('is English when the browser prefers English (Accept-Language en-US)', async () => {
      const page = await newPage({ locale: 'en-US' });
      expect(await loginPage(page)).toEqual({ lang: 'en', button: 'Sign in with 企业微信', heading: 'Sign in to browser-app' });
      await screenshot(page, 'language-accept-language-en', 'login-page');
    });
  });

  describe('accessibility basics', () => {
    it('login page: lang, one h1, named buttons, Tab reaches "使用企业微信登录"', async () => {
      const page = await newPage();
      await page.goto(suite.rp.loginUrl());
      await page.waitForURL(isOurPage(t));
      await expectAccessibleBasics(page, '使用企业微信登录');
      await screenshot(page, 'a11y-login', 'primary-button-focused');
    });

    it('consent page: lang, one h1, named buttons, Tab reaches "允许"', async () => {
      const page = await newPage();
      await openConsent(page);
      await expectAccessibleBasics(page, '允许');
      await screenshot(page, 'a11y-consent', 'primary-button-focused');
    });

    it('error page: lang, one h1, named buttons, Tab reaches "重新登录"', async () => {
      const page = await newPage();
      await openQrPage(page, suite.rp);
      const callback = documentResponse(page, isCallback);
      await scanButton(page, 'wangwu').click();
      expect((await callback).status()).toBe(403);
      await expectAccessibleBasics(page, '重新登录');
      await screenshot(page, 'a11y-error', 'primary-button-focused');
    });
  });
});
