/**
 * A restart keeps accounts, keys, sessions and refresh tokens: nothing an RP holds stops working.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { Browser } from './support/browser.js';
import { CONFIDENTIAL, startTestServer, type TestServer } from './support/server.js';
import { authorizationRequest, discover, signInAndRedeem, stopAtApp } from './support/flow.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.stop());

it('keeps refresh tokens, signing keys, sessions and accounts across a restart', async () => {
  const redirectUri = CONFIDENTIAL.redirect_uris[0]!;
  const browser = new Browser();
  const rpBefore = await discover(t.issuer, CONFIDENTIAL);
  const { tokens } = await signInAndRedeem(browser, rpBefore, redirectUri, 'ZhangSan', {
    scope: 'openid profile offline_access',
    prompt: 'consent',
  });
  const jwksBefore = await (await fetch(`${t.issuer}/jwks`)).json();

  await t.restart();

  const rp = await discover(t.issuer, CONFIDENTIAL);
  expect(await (await fetch(`${t.issuer}/jwks`)).json()).toEqual(jwksBefore);

  // the refresh token issued before the restart still works, for the same account
  const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token!);
  expect(refreshed.claims()!.sub).toBe(tokens.claims()!.sub);

  // the browser's session survived too: prompt=none answers without a login
  const request = await authorizationRequest(rp, redirectUri, { prompt: 'none' });
  const page = await browser.follow(request.url.href, {}, stopAtApp(redirectUri));
  const code = new URL(page.url).searchParams.get('code');
  expect(code, page.url).toBeTruthy();

  // and the member signs in to the same account
  const again = await signInAndRedeem(new Browser(), rp, redirectUri, 'ZhangSan');
  expect(again.tokens.claims()!.sub).toBe(tokens.claims()!.sub);
});
