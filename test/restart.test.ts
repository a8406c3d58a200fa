/**
 * A restart keeps accounts, keys, sessions and refresh tokens: nothing an RP holds stops working.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { Browser } from './support/browser.js';
import { CONFIDENTIAL, startTestServer, type TestServer } from './support/server.js';
import { authorizationRequest, discover, openWeComLogin, scanAndCaptureCallback, signInAndRedeem, stopAtApp } from './support/flow.js';

let t: TestServer;
beforeAll(async () => {
  // 50 callbacks at once share two busy cores with the in-process simulator: WeCom may be slow to
  // answer, which is not what this file tests.
  t = await startTestServer((raw) => {
    raw.wecom = { timeoutMs: 30_000, responseTimeoutMs: 20_000 };
  });
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

it('loses nothing when 50 sign-ins finish at once: every refresh token works after a restart', async () => {
  const redirectUri = CONFIDENTIAL.redirect_uris[0]!;
  const rp = await discover(t.issuer, CONFIDENTIAL);
  const params = { scope: 'openid offline_access', prompt: 'consent' };
  // Bring fifty browsers to WeCom's callback, then let all callbacks and code exchanges race.
  const pending = await Promise.all(
    Array.from({ length: 50 }, async (_, i) => {
      const browser = new Browser();
      const request = await authorizationRequest(rp, redirectUri, params);
      const qr = await openWeComLogin(browser, request);
      return { browser, request, callback: await scanAndCaptureCallback(browser, qr, i % 2 ? 'ZhangSan' : 'LiSi') };
    }),
  );
  const tokens = await Promise.all(
    pending.map(async ({ browser, request, callback }) => {
      const landing = await browser.follow(callback, {}, stopAtApp(redirectUri));
      expect(landing.url.startsWith(redirectUri), `${landing.status} ${landing.url}`).toBe(true);
      return oidc.authorizationCodeGrant(rp, new URL(landing.url), {
        pkceCodeVerifier: request.codeVerifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
      });
    }),
  );
  expect(new Set(tokens.map((set) => set.refresh_token)).size).toBe(50);

  await t.restart();

  const after = await discover(t.issuer, CONFIDENTIAL);
  const refreshed = await Promise.all(tokens.map((set) => oidc.refreshTokenGrant(after, set.refresh_token!)));
  expect(refreshed.every((set) => typeof set.access_token === 'string')).toBe(true);
});
