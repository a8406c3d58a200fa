/**
 * Real-browser tests: Debian's Chromium driven by playwright-core (never a downloaded browser).
 * Each context only reaches loopback hosts; anything else is aborted (and recorded) unless a test
 * routes it itself, e.g. WeCom's panel origin to the simulator. Screenshots of every page a test
 * asserts on go to test-artifacts/screenshots/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

// Functions given to evaluate() run in the page; the project compiles without the DOM lib.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the page's globals, untyped for that reason
declare const document: any, window: any;

export const CHROMIUM_PATH = process.env.WECOM_OIDC_TEST_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Why the browser suites are skipped on this machine, or undefined when they can run. Never skipped
 * under CI (.ci/run installs Chromium): there a missing browser must fail, not pass quietly.
 */
export const chromiumSkipReason: string | undefined =
  existsSync(CHROMIUM_PATH) || process.env.CI
    ? undefined
    : `browser tests skipped: ${CHROMIUM_PATH} not found (install Debian's "chromium" package; CI does)`;
if (chromiumSkipReason) console.warn(chromiumSkipReason);

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * One browser per test file. `launch` gives it a fresh temporary user-data-dir of its own (removed
 * on close); every test then takes its own context.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ARGS, timeout: 20_000 });
}

export const SCREENSHOT_DIR = join(process.cwd(), 'test-artifacts', 'screenshots');

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export interface GuardedContext {
  context: BrowserContext;
  /** URLs the guard refused (anything not on a loopback host and not routed by the test). */
  blocked: string[];
}

/**
 * A context whose pages reach only loopback hosts. Zh-CN by default (Chromium would otherwise send
 * Accept-Language en-US). Routes the test adds later take precedence over the guard.
 */
export async function guardedContext(browser: Browser, options: BrowserContextOptions = {}): Promise<GuardedContext> {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 900, height: 800 }, ...options });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  const blocked: string[] = [];
  await context.route(
    (url) => !LOOPBACK.has(url.hostname) && url.protocol !== 'data:' && url.protocol !== 'blob:',
    (route) => {
      blocked.push(route.request().url());
      return route.abort('blockedbyclient');
    },
  );
  return { context, blocked };
}

/**
 * A full-page PNG at test-artifacts/screenshots/<test>-<step>.png. When the page fits the viewport
 * the viewport is captured as it is: Chromium's full-page capture re-lays out iframes (WeCom's
 * panel) at their default 300px width, which would misrepresent the page.
 */
export async function screenshot(page: Page, test: string, step: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${slug(test)}-${slug(step)}.png`);
  const overflows = await page.evaluate(() => document.documentElement.scrollHeight > window.innerHeight);
  await page.screenshot({ path, fullPage: overflows });
  return path;
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}
