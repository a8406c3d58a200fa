/**
 * Callback binding (issue 12, item 6): a WeCom state is consumed only by the sign-in attempt (and
 * so the browser) it was issued to. A victim's callback presented on the attacker's own attempt is
 * refused without spending the victim's state or WeCom code; the victim then finishes normally.
 * Both kinds of state: the one stored when the full-page login starts, and the embedded panel's,
 * derived from the attempt and stored only once it is used.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'node-html-parser';
import { Browser, formsOf, textOf, type Page } from '../support/browser.js';
import { authorizationRequest, openWeComLogin, scanAndCaptureCallback, stopAtApp } from '../support/flow.js';
import { CONFIDENTIAL } from '../support/server.js';
import { serverOnStorage, storageVariants } from '../support/storages.js';

const redirectUri = CONFIDENTIAL.redirect_uris[0]!;

/**
 * WeCom's QR page for the embedded panel's state: the panel's configuration is read from the login
 * page, and WeCom's full-page QR login is opened with its redirect_uri and state, which is what the
 * panel's iframe asks WeCom for.
 */
async function openPanelLogin(browser: Browser, loginPage: Page): Promise<Page> {
  const start = formsOf(loginPage).find((form) => form.action.endsWith('/wecom/wecom'))!;
  const fullPageQr = await browser.submit(loginPage, start);
  const attribute = parse(loginPage.body).querySelector('[data-wecom-panel]')?.getAttribute('data-wecom-panel');
  if (!attribute) throw new Error(`no panel on ${loginPage.url}`);
  const panel = JSON.parse(attribute) as { redirect_uri: string; state: string };
  const url = new URL(fullPageQr.url);
  expect(url.searchParams.get('redirect_uri')).toBe(panel.redirect_uri);
  url.searchParams.set('state', panel.state);
  return browser.follow(url.href);
}

describe.each(await storageVariants('binding'))('callback binding on $name', (variant) => {
  const suite = serverOnStorage(variant);

  it.skipIf(Boolean(variant.skip))("a victim's callback on the attacker's attempt is refused, and the victim still signs in", async () => {
    const victim = new Browser();
    const victimQr = await openWeComLogin(victim, await authorizationRequest(suite.rp, redirectUri));
    const victimCallback = new URL(await scanAndCaptureCallback(victim, victimQr, 'ZhangSan'));

    const attacker = new Browser();
    const attackerQr = await openWeComLogin(attacker, await authorizationRequest(suite.rp, redirectUri));
    const attackerCallbackPath = new URL(new URL(attackerQr.url).searchParams.get('redirect_uri')!).pathname;
    expect(attackerCallbackPath).not.toBe(victimCallback.pathname);
    const forged = new URL(`${attackerCallbackPath}${victimCallback.search}`, suite.t.issuer);
    const refused = await attacker.follow(forged.href, {}, stopAtApp(redirectUri));
    expect(refused.status).toBe(400);
    expect(refused.url.startsWith(redirectUri)).toBe(false);
    expect(textOf(refused)).not.toBe('');
    expect(suite.t.sim.calls.getuserinfo).toBe(0); // the victim's code was never sent to WeCom

    const landing = await victim.follow(victimCallback.href, {}, stopAtApp(redirectUri));
    expect(landing.url.startsWith(redirectUri), `${landing.status} ${textOf(landing).slice(0, 200)}`).toBe(true);
    expect(new URL(landing.url).searchParams.get('code')).toBeTruthy();
  });

  it.skipIf(Boolean(variant.skip))("the panel's state: refused on the attacker's attempt, used once by the victim's", async () => {
    const victim = new Browser();
    const request = await authorizationRequest(suite.rp, redirectUri);
    const loginPage = await victim.follow(request.url.href, {}, stopAtApp(redirectUri));
    const victimQr = await openPanelLogin(victim, loginPage);
    const victimCallback = new URL(await scanAndCaptureCallback(victim, victimQr, 'ZhangSan'));

    const attacker = new Browser();
    const attackerQr = await openWeComLogin(attacker, await authorizationRequest(suite.rp, redirectUri));
    const attackerCallbackPath = new URL(new URL(attackerQr.url).searchParams.get('redirect_uri')!).pathname;
    const forged = new URL(`${attackerCallbackPath}${victimCallback.search}`, suite.t.issuer);
    const refused = await attacker.follow(forged.href, {}, stopAtApp(redirectUri));
    expect(refused.status).toBe(400);
    expect(refused.url.startsWith(redirectUri)).toBe(false);
    const calls = suite.t.sim.calls.getuserinfo;

    const landing = await victim.follow(victimCallback.href, {}, stopAtApp(redirectUri));
    expect(landing.url.startsWith(redirectUri), `${landing.status} ${textOf(landing).slice(0, 200)}`).toBe(true);
    expect(new URL(landing.url).searchParams.get('code')).toBeTruthy();
    expect(suite.t.sim.calls.getuserinfo).toBe(calls + 1);
  });
});
