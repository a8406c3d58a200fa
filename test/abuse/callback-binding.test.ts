/**
 * Callback binding (issue 12, item 6): a WeCom state is consumed only by the sign-in attempt (and
 * so the browser) it was issued to. A victim's callback presented on the attacker's own attempt is
 * refused without spending the victim's state or WeCom code; the victim then finishes normally.
 */
import { describe, expect, it } from 'vitest';
import { Browser, textOf } from '../support/browser.js';
import { authorizationRequest, openWeComLogin, scanAndCaptureCallback, stopAtApp } from '../support/flow.js';
import { CONFIDENTIAL } from '../support/server.js';
import { serverOnStorage, storageVariants } from '../support/storages.js';

const redirectUri = CONFIDENTIAL.redirect_uris[0]!;

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
});
