/**
 * What the browser suites share: the provider (with the simulator) registered for the test app,
 * the steps of a sign-in as a person takes them, and the checks every page of ours must pass.
 */
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { Browser, BrowserContext, BrowserContextOptions, Frame, FrameLocator, Locator, Page, Response } from 'playwright-core';
import { guardedContext, launchChromium } from '../support/chromium.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { RelyingParty } from './rp.js';

// Functions given to evaluate() run in the page; the project compiles without the DOM lib.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the page's globals, untyped for that reason
declare const document: any;

export const WECOM_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 wxwork/4.1.22 MicroMessenger/7.0.1 Language/zh';

export interface BrowserSuite {
  /** The file's Chromium (set in beforeAll). */
  readonly browser: Browser;
  /** The test app (set in beforeAll). */
  readonly rp: RelyingParty;
  /** The current test's context: the one its last newPage() made. */
  readonly context: BrowserContext;
  /** URLs the current test's context refused (see guardedContext). */
  readonly blocked: readonly string[];
  /** A page in a fresh guarded context (the suite's context options, then these). */
  readonly newPage: (options?: BrowserContextOptions) => Promise<Page>;
  /** For the current test only: refused URLs that match are expected, not a failure. */
  readonly allowBlocked: (match: (url: string) => boolean) => void;
}

/**
 * The lifecycle every browser suite shares: Chromium and the test app for the whole file, a guarded
 * context per test, closed after it, and the check that no request tried to leave the machine
 * (except what the test allowed). Call it at the top of the suite's describe.
 */
export function browserSuite(contextOptions: BrowserContextOptions = {}): BrowserSuite {
  let browser: Browser | undefined;
  let rp: RelyingParty | undefined;
  let context: BrowserContext | undefined;
  let blocked: string[] = [];
  let allowed: (url: string) => boolean = () => false;

  beforeAll(async () => {
    [browser, rp] = await Promise.all([launchChromium(), RelyingParty.start()]);
  });
  afterAll(async () => {
    await browser?.close();
    await rp?.close();
  });
  afterEach(async () => {
    await context?.close();
    context = undefined;
    const unexpected = blocked.filter((url) => !allowed(url));
    blocked = [];
    allowed = () => false;
    expect(unexpected, 'requests that left the machine').toEqual([]);
  });

  const running = (): Browser => {
    if (!browser) throw new Error('browserSuite: Chromium is not running (used outside a test?)');
    return browser;
  };

  return {
    get browser() {
      return running();
    },
    get rp() {
      if (!rp) throw new Error('browserSuite: the test app is not running (used outside a test?)');
      return rp;
    },
    get context() {
      if (!context) throw new Error('browserSuite: no context yet (call newPage first)');
      return context;
    },
    get blocked() {
      return blocked;
    },
    newPage: async (options = {}) => {
      const guarded = await guardedContext(running(), { ...contextOptions, ...options });
      context = guarded.context;
      blocked = guarded.blocked;
      return context.newPage();
    },
    allowBlocked: (match) => {
      allowed = match;
    },
  };
}

/** A provider whose only clients are the test app's, started after the app so its URLs are known. */
export async function startProvider(rp: RelyingParty, overrides: (raw: Record<string, unknown>) => void = () => {}): Promise<TestServer> {
  const t = await startTestServer((raw) => {
    raw.clients = rp.clients();
    overrides(raw);
  });
  rp.useIssuer(t.issuer);
  return t;
}

export const isOurPage = (t: TestServer) => (url: URL) => url.origin === t.issuer && url.pathname.startsWith('/interaction/');
export const isQrPage = (url: URL) => url.pathname.endsWith('/wwlogin/sso/login');
export const isCallback = (url: URL) => /^\/interaction\/[^/]+\/wecom\/[^/]+\/callback$/.test(url.pathname);

/** The simulator's "scan as …" button for a userid, or for the personal WeChat user ('non-member'). */
export function scanButton(scope: Page | Frame | FrameLocator, who: string): Locator {
  const input = who === 'non-member' ? 'input[name="openid"]' : `input[name="userid"][value="${who}"]`;
  return scope.locator(`form:has(${input}) button`);
}

export function cancelButton(scope: Page | FrameLocator): Locator {
  return scope.locator('form[action$="/wwlogin/sso/cancel"] button');
}

/** Resolves with the main-frame document response whose URL satisfies `match` (set up before acting). */
export function documentResponse(page: Page, match: (url: URL) => boolean): Promise<Response> {
  return page.waitForResponse(
    (response) => response.request().isNavigationRequest() && response.frame() === page.mainFrame() && match(new URL(response.url())),
  );
}

/** From the app's sign-in link to WeCom's (the simulator's) QR page, through our login page. */
export async function openQrPage(page: Page, rp: RelyingParty, params: Record<string, string> = {}, buttonName = '使用企业微信登录') {
  await page.goto(rp.loginUrl(params));
  await page.getByRole('button', { name: buttonName }).click();
  await page.waitForURL(isQrPage);
}

/** The app's page after the redirect_uri: who signed in (name and claims), or the error it received. */
export async function appResult(page: Page, rp: RelyingParty): Promise<{ user?: string; claims?: Record<string, unknown>; error?: string }> {
  await page.waitForURL((url) => url.href.startsWith(rp.redirectUri));
  const heading = (await page.locator('h1').textContent()) ?? '';
  if (heading.startsWith('Sign-in failed')) return { error: (await page.locator('#error').textContent()) ?? '' };
  return {
    user: (await page.locator('#user').textContent()) ?? '',
    claims: JSON.parse((await page.locator('#claims').textContent()) ?? '{}') as Record<string, unknown>,
  };
}

/** Nothing that looks like a stack trace, an exception or a source location reaches the page. */
export async function expectNoStackTrace(page: Page): Promise<void> {
  const html = await page.content();
  expect(html).not.toMatch(/\bat [\w.<>]+ \(|\.(ts|js|mjs):\d+:\d+|node_modules|Error: /);
}

/**
 * Accessibility basics: html has a lang, exactly one h1, every button has an accessible name (as
 * Chromium's accessibility tree computes it), and Tab brings keyboard focus to the primary button.
 */
export async function expectAccessibleBasics(page: Page, primaryName: string | RegExp): Promise<void> {
  expect(await page.getAttribute('html', 'lang')).toMatch(/^(zh-CN|en)$/);
  expect(await page.locator('h1').count()).toBe(1);
  const tree = await page.locator('body').ariaSnapshot();
  const buttons = tree.split('\n').filter((line) => /^\s*- button\b/.test(line));
  expect(buttons.length).toBeGreaterThan(0);
  for (const line of buttons) expect(line, `a button without an accessible name:\n${tree}`).toMatch(/^\s*- button "[^"]+"/);

  const primary = page.getByRole('button', { name: primaryName });
  expect(await primary.getAttribute('class')).toContain('primary');
  // Start where a person would after reading the heading (a click there moves the sequential
  // focus starting point, and takes focus from an autofocused button), then Tab forward.
  await page.locator('h1').click();
  let reached = false;
  // (WeCom's QR panel, when shown, comes first: its own buttons are in the order too.)
  for (let presses = 0; presses < 16 && !reached; presses += 1) {
    await page.keyboard.press('Tab');
    reached = await primary.evaluate((element) => element === document.activeElement);
  }
  expect(reached, `Tab never reached the "${String(primaryName)}" button`).toBe(true);
}
