/**
 * The whole OIDC flow with openid-client as the relying party against a real server and the WeCom
 * simulator: discovery → authorize → WeCom QR → callback → (consent) → token → ID token validation →
 * userinfo → refresh → revoke → logout, plus the prompt/max_age/id_token_hint/claims behaviours.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { Browser, formsOf, textOf } from './support/browser.js';
import { CONFIDENTIAL, PUBLIC_CLIENT, THIRD_PARTY, startTestServer, type TestServer } from './support/server.js';
import { authorizationRequest, discover, openWeComLogin, scanAs, signInAndRedeem, stopAtApp } from './support/flow.js';

let t: TestServer;
let rp: oidc.Configuration;
const redirectUri = CONFIDENTIAL.redirect_uris[0]!;

beforeAll(async () => {
  t = await startTestServer();
  rp = await discover(t.issuer, CONFIDENTIAL);
});
afterAll(() => t.stop());

describe('discovery and keys', () => {
  it('publishes a discovery document with the endpoints, scopes and claims we support', async () => {
    const metadata = rp.serverMetadata();
    expect(metadata.issuer).toBe(t.issuer);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.scopes_supported).toEqual(expect.arrayContaining(['openid', 'offline_access', 'profile', 'email', 'phone', 'wecom']));
    expect(metadata.claims_supported).toEqual(expect.arrayContaining(['wecom_userid', 'department', 'preferred_username']));
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['client_secret_basic', 'client_secret_post']));
    expect(metadata.id_token_signing_alg_values_supported).toEqual(expect.arrayContaining(['RS256', 'ES256']));
    for (const endpoint of ['revocation_endpoint', 'introspection_endpoint', 'end_session_endpoint', 'userinfo_endpoint'] as const) {
      expect(metadata[endpoint]).toMatch(new RegExp(`^${t.issuer}/`));
    }
    expect(metadata.claims_parameter_supported).toBe(true);
  });

  it('serves discovery and JWKS precomputed, with an ETag, cache headers and CORS', async () => {
    for (const path of ['/.well-known/openid-configuration', '/jwks']) {
      const first = await fetch(`${t.issuer}${path}`, { headers: { origin: 'https://app.example.com' } });
      const second = await fetch(`${t.issuer}${path}`);
      expect(first.status).toBe(200);
      expect(await second.text()).toBe(await first.text());
      const etag = first.headers.get('etag')!;
      expect(etag).toMatch(/^"[\w-]+"$/);
      expect(second.headers.get('etag')).toBe(etag);
      expect(first.headers.get('cache-control')).toBe('public, max-age=300');
      // the provider's own media type (JWKS: application/jwk-set+json), exactly once
      const mediaType = path === '/jwks' ? 'application/jwk-set+json; charset=utf-8' : 'application/json; charset=utf-8';
      expect(first.headers.get('content-type')).toBe(mediaType);
      expect(second.headers.get('content-type')).toBe(mediaType);
      expect(first.headers.get('access-control-allow-origin')).toBe('*');
      const revalidated = await fetch(`${t.issuer}${path}`, { headers: { 'if-none-match': etag } });
      expect(revalidated.status).toBe(304);
      expect(await revalidated.text()).toBe('');
    }
  });

  it('serves an RSA and an EC P-256 public key, and no private parts', async () => {
    const jwks = (await (await fetch(rp.serverMetadata().jwks_uri!)).json()) as { keys: Record<string, string>[] };
    expect(jwks.keys.map((key) => [key.kty, key.alg])).toEqual(
      expect.arrayContaining([
        ['RSA', 'RS256'],
        ['EC', 'ES256'],
      ]),
    );
    for (const key of jwks.keys) expect(key.d).toBeUndefined();
  });
});

describe('sign-in with the WeCom QR login', () => {
  it('completes the whole flow for a first-party client and validates the ID token', async () => {
    const browser = new Browser();
    const { tokens } = await signInAndRedeem(browser, rp, redirectUri, 'ZhangSan', {
      scope: 'openid profile email phone wecom offline_access',
      prompt: 'consent',
    });
    const claims = tokens.claims()!;
    expect(claims.iss).toBe(t.issuer);
    expect(claims.aud).toBe(CONFIDENTIAL.client_id);
    expect(claims.amr).toEqual(['wecom_qr']);
    // sub is ours and opaque, never the WeCom userid
    expect(claims.sub).not.toMatch(/zhangsan/i);
    expect(tokens.refresh_token).toBeTruthy();

    const userinfo = await oidc.fetchUserInfo(rp, tokens.access_token, claims.sub);
    expect(userinfo).toMatchObject({
      sub: claims.sub,
      name: '张三',
      preferred_username: 'ZhangSan',
      wecom_userid: 'ZhangSan',
      wecom_corpid: t.config.connections[0]!.corpId,
      department: [1, 2],
      main_department: 2,
      position: '工程师',
    });
    expect(typeof userinfo.updated_at).toBe('number');
    // ZhangSan has no email, and a new app's user/get gives none: no email claim, not an empty one
    expect(userinfo).not.toHaveProperty('email');
    expect(userinfo).not.toHaveProperty('email_verified');

    const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    // OIDC Core 12.2 (with the working group's errata, connect#1025): no nonce in a refreshed ID
    // token; the same sub, aud, azp and auth_time as the original
    const refreshedClaims = refreshed.claims()!;
    expect(claims.nonce).toBeTypeOf('string');
    expect(refreshedClaims).not.toHaveProperty('nonce');
    expect(refreshedClaims.sub).toBe(claims.sub);
    expect(refreshedClaims.aud).toEqual(claims.aud);
    expect(refreshedClaims.azp).toEqual(claims.azp);
    expect(refreshedClaims.auth_time).toEqual(claims.auth_time);

    const introspected = await oidc.tokenIntrospection(rp, refreshed.access_token);
    expect(introspected.active).toBe(true);
    expect(introspected.sub).toBe(claims.sub);

    await oidc.tokenRevocation(rp, refreshed.refresh_token ?? tokens.refresh_token!);
    await expect(oidc.refreshTokenGrant(rp, refreshed.refresh_token ?? tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('signs the same member in to the same account each time, and another member to another', async () => {
    const first = await signInAndRedeem(new Browser(), rp, redirectUri, 'ZhangSan');
    const second = await signInAndRedeem(new Browser(), rp, redirectUri, 'ZhangSan');
    expect(second.tokens.claims()!.sub).toBe(first.tokens.claims()!.sub);
    const other = await signInAndRedeem(new Browser(), rp, redirectUri, 'LiSi');
    expect(other.tokens.claims()!.sub).not.toBe(first.tokens.claims()!.sub);
  });

  it('shows the consent screen to a third-party client, and Allow returns a code', async () => {
    const thirdParty = await discover(t.issuer, THIRD_PARTY);
    const browser = new Browser();
    const tpRedirect = THIRD_PARTY.redirect_uris[0]!;
    const request = await authorizationRequest(thirdParty, tpRedirect);
    const consent = await scanAs(browser, await openWeComLogin(browser, request), 'LiSi', tpRedirect);
    expect(consent.status).toBe(200);
    expect(textOf(consent)).toContain('Partner App');
    const allow = formsOf(consent).find((form) => form.action.endsWith('/consent'))!;
    const landing = await browser.submit(consent, allow, stopAtApp(tpRedirect));
    const tokens = await oidc.authorizationCodeGrant(thirdParty, new URL(landing.url), {
      pkceCodeVerifier: request.codeVerifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    expect(tokens.claims()!.sub).toBeTruthy();
  });

  it('returns access_denied to the app when the person denies consent', async () => {
    const thirdParty = await discover(t.issuer, THIRD_PARTY);
    const browser = new Browser();
    const tpRedirect = THIRD_PARTY.redirect_uris[0]!;
    const request = await authorizationRequest(thirdParty, tpRedirect);
    const consent = await scanAs(browser, await openWeComLogin(browser, request), 'LiSi', tpRedirect);
    const deny = formsOf(consent).find((form) => form.action.endsWith('/abort'))!;
    const landing = await browser.submit(consent, deny, stopAtApp(tpRedirect));
    const answer = new URL(landing.url).searchParams;
    expect(answer.get('error')).toBe('access_denied');
    expect(answer.get('state')).toBe(request.state);
  });

  it('requires PKCE from a public client', async () => {
    const url = new URL(`${t.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: PUBLIC_CLIENT.client_id,
      redirect_uri: PUBLIC_CLIENT.redirect_uris[0]!,
      response_type: 'code',
      scope: 'openid',
      state: 'abc',
    }).toString();
    const page = await new Browser().follow(url.href, {}, stopAtApp(PUBLIC_CLIENT.redirect_uris[0]!));
    const answer = new URL(page.url).searchParams;
    expect(answer.get('error')).toBe('invalid_request');
    expect(answer.get('error_description')).toMatch(/PKCE/);
  });

  it('shows a readable page, not a redirect, for an unregistered redirect_uri', async () => {
    const request = await authorizationRequest(rp, 'https://evil.example.com/cb');
    const page = await new Browser().follow(request.url.href);
    expect(page.status).toBe(400);
    expect(page.headers.get('location')).toBeNull();
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(textOf(page)).toContain('redirect_uri');
    expect(textOf(page)).toContain('invalid_redirect_uri');
  });

  it('lets a public client sign in with PKCE', async () => {
    const spa = await discover(t.issuer, PUBLIC_CLIENT);
    const { tokens } = await signInAndRedeem(new Browser(), spa, PUBLIC_CLIENT.redirect_uris[0]!, 'LiSi');
    expect(tokens.claims()!.sub).toBeTruthy();
  });

  it('authenticates the client with client_secret_post, and refuses a wrong secret with 401 invalid_client', async () => {
    const thirdParty = await discover(t.issuer, THIRD_PARTY);
    const tpRedirect = THIRD_PARTY.redirect_uris[0]!;
    const codeFor = async () => {
      const browser = new Browser();
      const request = await authorizationRequest(thirdParty, tpRedirect);
      const consent = await scanAs(browser, await openWeComLogin(browser, request), 'ZhangSan', tpRedirect);
      const allow = formsOf(consent).find((form) => form.action.endsWith('/consent'))!;
      return { request, callbackUrl: new URL((await browser.submit(consent, allow, stopAtApp(tpRedirect))).url) };
    };

    const wrong = await codeFor();
    const response = await fetch(thirdParty.serverMetadata().token_endpoint!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: wrong.callbackUrl.searchParams.get('code')!,
        redirect_uri: tpRedirect,
        code_verifier: wrong.request.codeVerifier,
        client_id: THIRD_PARTY.client_id,
        client_secret: 'wrong-secret',
      }),
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_client');

    const right = await codeFor();
    const tokens = await oidc.authorizationCodeGrant(thirdParty, right.callbackUrl, {
      pkceCodeVerifier: right.request.codeVerifier,
      expectedState: right.request.state,
      expectedNonce: right.request.nonce,
    });
    expect(tokens.claims()!.sub).toBeTruthy();
  });
});

describe('prompt, max_age, id_token_hint and the claims parameter', () => {
  it('answers prompt=none without a session with login_required', async () => {
    const request = await authorizationRequest(rp, redirectUri, { prompt: 'none' });
    const page = await new Browser().follow(request.url.href, {}, stopAtApp(redirectUri));
    expect(new URL(page.url).searchParams.get('error')).toBe('login_required');
  });

  it('answers prompt=none with a session silently, and prompt=login shows the login page again', async () => {
    const browser = new Browser();
    const first = await signInAndRedeem(browser, rp, redirectUri, 'ZhangSan');
    const silent = await signInAndRedeemSilently(browser, { prompt: 'none', id_token_hint: first.tokens.id_token! });
    expect(silent.claims()!.sub).toBe(first.tokens.claims()!.sub);

    const request = await authorizationRequest(rp, redirectUri, { prompt: 'login' });
    const page = await browser.follow(request.url.href, {}, stopAtApp(redirectUri));
    expect(page.url).toContain('/interaction/');
    expect(formsOf(page).some((form) => form.action.endsWith('/wecom/wecom'))).toBe(true);
  });

  it('asks for a new login when max_age has passed, but not within it', async () => {
    const browser = new Browser();
    await signInAndRedeem(browser, rp, redirectUri, 'ZhangSan');
    const fresh = await signInAndRedeemSilently(browser, { max_age: '10000' });
    expect(fresh.claims()!.auth_time).toBeTypeOf('number');
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const request = await authorizationRequest(rp, redirectUri, { max_age: '1' });
    const page = await browser.follow(request.url.href, {}, stopAtApp(redirectUri));
    expect(page.url).toContain('/interaction/');
  });

  it('rejects an id_token_hint for another person with prompt=none', async () => {
    const browser = new Browser();
    const lisi = await signInAndRedeem(new Browser(), rp, redirectUri, 'LiSi');
    await signInAndRedeem(browser, rp, redirectUri, 'ZhangSan');
    const request = await authorizationRequest(rp, redirectUri, { prompt: 'none', id_token_hint: lisi.tokens.id_token! });
    const page = await browser.follow(request.url.href, {}, stopAtApp(redirectUri));
    expect(new URL(page.url).searchParams.get('error')).toBe('login_required');
  });

  it('puts individually requested claims into the ID token via the claims parameter', async () => {
    const { tokens } = await signInAndRedeem(new Browser(), rp, redirectUri, 'ZhangSan', {
      scope: 'openid',
      claims: JSON.stringify({ id_token: { wecom_userid: null, name: { essential: true } } }),
    });
    expect(tokens.claims()).toMatchObject({ wecom_userid: 'ZhangSan', name: '张三' });
  });
});

describe('logout', () => {
  it('ends the session with RP-initiated logout and returns to the registered post-logout URI with state', async () => {
    const browser = new Browser();
    const { tokens } = await signInAndRedeem(browser, rp, redirectUri, 'ZhangSan');
    const logoutUrl = oidc.buildEndSessionUrl(rp, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: CONFIDENTIAL.post_logout_redirect_uris[0]!,
      state: 'bye',
    });
    const confirm = await browser.follow(logoutUrl.href);
    expect(confirm.status).toBe(200);
    const yes = formsOf(confirm).find((form) => form.fields.logout === 'yes' || form.element.getAttribute('id') === 'op.logoutForm')!;
    const done = await browser.submit(confirm, { ...yes, fields: { ...yes.fields, logout: 'yes' } }, (next) =>
      next.startsWith(CONFIDENTIAL.post_logout_redirect_uris[0]!),
    );
    expect(new URL(done.url).searchParams.get('state')).toBe('bye');

    const request = await authorizationRequest(rp, redirectUri, { prompt: 'none' });
    const after = await browser.follow(request.url.href, {}, stopAtApp(redirectUri));
    expect(new URL(after.url).searchParams.get('error')).toBe('login_required');
  });
});

async function signInAndRedeemSilently(browser: Browser, params: Record<string, string>) {
  const request = await authorizationRequest(rp, redirectUri, params);
  const page = await browser.follow(request.url.href, {}, stopAtApp(redirectUri));
  if (!page.url.startsWith(redirectUri)) throw new Error(`expected a silent answer, got ${page.url}`);
  return oidc.authorizationCodeGrant(rp, new URL(page.url), {
    pkceCodeVerifier: request.codeVerifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
    maxAge: params.max_age ? Number(params.max_age) : undefined,
  });
}
