/**
 * Every error page of a WeCom sign-in as the person sees it in a real browser, produced with the
 * simulator's demo people and features: status code, a readable message, no stack trace, and
 * "返回应用", which returns the app error=access_denied.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page, Response } from 'playwright-core';
import { chromiumSkipReason, screenshot } from '../support/chromium.js';
import { CORP_ID, AGENT_ID, type TestServer } from '../support/server.js';
import {
  appResult,
  browserSuite,
  cancelButton,
  documentResponse,
  expectNoStackTrace,
  isCallback,
  openQrPage,
  scanButton,
  startProvider,
} from './harness.js';

describe.skipIf(chromiumSkipReason)(`error pages in Chromium${chromiumSkipReason ? ` (${chromiumSkipReason})` : ''}`, () => {
  const suite = browserSuite();
  const { newPage } = suite;
  let t: TestServer;

  /** Status, heading, message and the app's answer to "返回应用", with screenshots of both pages. */
  async function expectErrorPage(page: Page, response: Response, name: string, expected: { status: number; heading: string; text: RegExp }) {
    expect(response.status()).toBe(expected.status);
    expect(response.headers()['content-type']).toMatch(/^text\/html/);
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await page.locator('h1').textContent()).toBe(expected.heading);
    expect(await page.locator('main').innerText()).toMatch(expected.text);
    await expectNoStackTrace(page);
    await screenshot(page, name, 'error-page');

    await page.getByRole('button', { name: '返回应用' }).click();
    expect(await appResult(page, suite.rp)).toEqual({ error: 'access_denied' });
    await screenshot(page, name, 'app-access-denied');
  }

  describe('refused or abandoned scans', () => {
    beforeAll(async () => {
      t = await startProvider(suite.rp);
    });
    afterAll(() => t?.stop());

    it.each([
      ['disabled member (wangwu)', 'wangwu', 403, /已被管理员禁用/],
      ['not activated (zhaoliu)', 'zhaoliu', 403, /尚未激活/],
      ['left the company (sunqi)', 'sunqi', 403, /已离开本企业/],
      ['outside the visible scope (zhouba)', 'zhouba', 403, /不在此应用的可见范围内[\s\S]*60011/],
      ['deleted member (wujiu)', 'wujiu', 403, /找不到你的成员信息[\s\S]*60111/],
      ['personal WeChat (non-member)', 'non-member', 403, /个人微信/],
    ])('%s: refused with a readable page', async (label, who, status, text) => {
      const page = await newPage();
      await openQrPage(page, suite.rp);
      const callback = documentResponse(page, isCallback);
      await scanButton(page, who).click();
      await expectErrorPage(page, await callback, `error-${label}`, { status, heading: '登录未完成', text });
    });

    it('cancelled scan: "已取消登录" with a way to scan again', async () => {
      const page = await newPage();
      await openQrPage(page, suite.rp);
      const callback = documentResponse(page, isCallback);
      await cancelButton(page).click();
      expect(await page.getByRole('button', { name: '重新登录' }).count()).toBe(1);
      await expectErrorPage(page, await callback, 'error-cancelled', { status: 200, heading: '已取消登录', text: /取消了登录/ });
    });

    it('replayed callback (reloading it): "已经使用过或已过期"', async () => {
      const page = await newPage();
      await openQrPage(page, suite.rp);
      const first = documentResponse(page, isCallback);
      await scanButton(page, 'wangwu').click();
      expect((await first).status()).toBe(403);
      await page.getByRole('button', { name: '返回应用' }).waitFor();
      await page.waitForLoadState('load');
      const replay = await page.reload();
      await expectErrorPage(page, replay!, 'error-replayed-callback', { status: 400, heading: '登录未完成', text: /已经使用过或已过期/ });
    });

    it('replayed callback after a successful sign-in: no second sign-in, the person is sent on to the app', async () => {
      const name = 'error-replayed-after-success';
      const page = await newPage();
      await openQrPage(page, suite.rp);
      const callbackRequest = page.waitForRequest((request) => isCallback(new URL(request.url())));
      await scanButton(page, 'ZhangSan').click();
      const callbackUrl = (await callbackRequest).url();
      expect((await appResult(page, suite.rp)).user).toBe('张三');

      const replay = documentResponse(page, isCallback);
      await page.goto(callbackUrl);
      // no code: straight to the app's home, where the person is already signed in
      expect((await replay).status()).toBe(303);
      await page.waitForURL(`${suite.rp.origin}/`);
      expect(await page.locator('h1').textContent()).toBe('Browser test app');
      await screenshot(page, name, 'app-home');
    });

    it('expired WeCom code (the callback arrives after 5 minutes): "已失效", error code 40029', async () => {
      const page = await newPage();
      // Stop at WeCom's callback: the scan's answer (a redirect to the callback) is held while
      // WeCom's clock moves past the code's 5 minutes, then the browser follows it.
      await suite.context.route(
        (url) => url.pathname.endsWith('/wwlogin/sso/confirm'),
        async (route) => {
          const response = await route.fetch({ maxRedirects: 0 });
          expect(isCallback(new URL(response.headers().location!))).toBe(true);
          t.sim.advanceClock(5 * 60 * 1000 + 1000);
          await route.fulfill({ response });
        },
      );
      await openQrPage(page, suite.rp);
      const callback = documentResponse(page, isCallback);
      await scanButton(page, 'ZhangSan').click();
      await expectErrorPage(page, await callback, 'error-expired-code', { status: 400, heading: '登录未完成', text: /已失效[\s\S]*40029/ });
    });
  });

  describe('configuration problems', () => {
    beforeAll(async () => {
      // WeCom's app has another secret than the one configured.
      t = await startProvider(suite.rp, (raw) => {
        raw.simulator = { enabled: true, apps: [{ corpId: CORP_ID, agentId: AGENT_ID, secret: 'the-secret-wecom-really-has' }] };
      });
    });
    afterAll(() => t?.stop());

    it('wrong secret (40001): the page says sign-in is misconfigured, to ask the administrator quoting the request id, and shows the errcode', async () => {
      const page = await newPage();
      await openQrPage(page, suite.rp);
      const callback = documentResponse(page, isCallback);
      await scanButton(page, 'ZhangSan').click();
      const response = await callback;
      expect(await page.locator('.admin').innerText()).toMatch(/管理员/);
      const requestId = await response.headerValue('x-request-id');
      expect(requestId).toBeTruthy();
      expect(await page.locator('.request-id').innerText()).toContain(requestId!);
      expect(await page.content()).not.toMatch(/Secret|the-secret-wecom-really-has/);
      await expectErrorPage(page, await callback, 'error-wrong-secret', { status: 502, heading: '登录未完成', text: /配置有误[\s\S]*40001/ });
    });
  });
});
