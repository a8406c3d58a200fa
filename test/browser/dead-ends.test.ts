/**
 * The former dead ends, in a real browser: Back, reload, and a re-scan of WeCom's QR page after a
 * finished sign-in send the person on to the app (they are signed in there) instead of an "expired"
 * page with no button; a refused member who goes back to the app is reported to it as refused, not
 * as having cancelled, and Back from there leads to the app again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumSkipReason, screenshot } from '../support/chromium.js';
import type { TestServer } from '../support/server.js';
import {
  appResult,
  browserSuite,
  documentResponse,
  expectNoStackTrace,
  isCallback,
  isOurPage,
  isQrPage,
  openQrPage,
  scanButton,
  startProvider,
} from './harness.js';

describe.skipIf(chromiumSkipReason)(`no dead ends in Chromium${chromiumSkipReason ? ` (${chromiumSkipReason})` : ''}`, () => {
  const suite = browserSuite();
  const { newPage } = suite;
  let t: TestServer;

  beforeAll(async () => {
    t = await startProvider(suite.rp);
  });
  afterAll(() => t?.stop());

  const appHome = () => `${suite.rp.origin}/`;

  async function expectAppHome(page: Page, name: string, step: string) {
    await page.waitForURL(appHome());
    expect(await page.locator('h1').textContent()).toBe('Browser test app');
    await screenshot(page, name, step);
  }

  async function signInAsZhangSan(page: Page) {
    await openQrPage(page, suite.rp);
    await scanButton(page, 'ZhangSan').click();
    expect((await appResult(page, suite.rp)).user).toBe('张三');
  }

  it("Back after signing in: WeCom's QR page, then our login page, which sends the person on to the app", async () => {
    const name = 'dead-end-back';
    const page = await newPage();
    await signInAsZhangSan(page);
    await page.goBack();
    expect(isQrPage(new URL(page.url()))).toBe(true);
    await page.goBack();
    await expectAppHome(page, name, 'back-to-app');
  });

  it('reloading our login page in another tab after signing in sends the person on to the app', async () => {
    const name = 'dead-end-reload';
    const page = await newPage();
    await page.goto(suite.rp.loginUrl());
    await page.waitForURL(isOurPage(t));
    // the same sign-in attempt open in a second tab (a duplicated or restored tab)
    const other = await suite.context.newPage();
    await other.goto(page.url());
    expect(await other.getByRole('button', { name: '使用企业微信登录' }).count()).toBe(1);

    await page.getByRole('button', { name: '使用企业微信登录' }).click();
    await page.waitForURL(isQrPage);
    await scanButton(page, 'ZhangSan').click();
    expect((await appResult(page, suite.rp)).user).toBe('张三');

    const reload = await other.reload();
    expect(reload?.status()).toBe(200);
    await expectAppHome(other, name, 'reload-to-app');
  });

  it('re-scanning the stale QR page after signing in sends the person on to the app, signing nobody in again', async () => {
    const name = 'dead-end-rescan';
    const page = await newPage();
    await signInAsZhangSan(page);
    await page.goBack();
    await page.waitForURL(isQrPage);
    const callback = documentResponse(page, isCallback);
    await scanButton(page, 'ZhangSan').click();
    expect((await callback).status()).toBe(303);
    await expectAppHome(page, name, 'rescan-to-app');
  });

  it('refused, then "返回应用": the app hears the sign-in was refused; Back leads to the app again', async () => {
    const name = 'dead-end-refused';
    const page = await newPage();
    await openQrPage(page, suite.rp);
    const callback = documentResponse(page, isCallback);
    await scanButton(page, 'wangwu').click();
    expect((await callback).status()).toBe(403);
    expect(await page.locator('main').innerText()).toMatch(/已被管理员禁用/);
    await expectNoStackTrace(page);
    await screenshot(page, name, 'refused');

    await page.getByRole('button', { name: '返回应用' }).click();
    expect(await appResult(page, suite.rp)).toEqual({ error: 'access_denied' });
    expect(await page.locator('#error-description').textContent()).toMatch(/^The sign-in was refused/);
    await screenshot(page, name, 'app-refused');

    await page.goBack();
    await expectAppHome(page, name, 'back-to-app');
  });

  it('a cancel is reported to the app as a cancel', async () => {
    const page = await newPage();
    await page.goto(suite.rp.loginUrl());
    await page.getByRole('button', { name: '取消并返回应用' }).click();
    expect(await appResult(page, suite.rp)).toEqual({ error: 'access_denied' });
    expect(await page.locator('#error-description').textContent()).toBe('End-User aborted interaction');
  });

  it('the issuer root and a missing page each have a way on', async () => {
    const name = 'dead-end-pages';
    const page = await newPage();
    const missing = await page.goto(`${t.issuer}/no/such/page`);
    expect(missing?.status()).toBe(404);
    expect(await page.locator('h1').textContent()).toBe('找不到页面');
    await screenshot(page, name, 'not-found');
    await page.getByRole('link', { name: '登录服务首页' }).click();
    await page.waitForURL(`${t.issuer}/`);
    expect(await page.locator('h1').textContent()).toBe('企业微信登录服务');
    await screenshot(page, name, 'landing');
  });
});
