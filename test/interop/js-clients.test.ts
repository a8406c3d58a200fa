/**
 * Two JavaScript relying parties from npm, each on its own registered client, through a whole
 * sign-in with the simulator: oauth4webapi (low level: every step and check is the RP's own call)
 * and openid-client (high level). Code flow with PKCE S256, ID token claims and signature checked
 * by the library (non-repudiation checks against our JWKS), userinfo, refresh.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oauth from 'oauth4webapi';
import * as oidc from 'openid-client';
import { Browser } from '../support/browser.js';
import { stopAtApp } from '../support/flow.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { signInOnLoginPage, subjectOf } from './support.js';

const OAUTH4WEBAPI = {
  client_id: 'oauth4webapi-rp',
  client_secret: 'oauth4webapi-secret-0123456789abcdef',
  redirect_uris: ['http://127.0.0.1:59998/oauth4webapi/cb'],
  grant_types: ['authorization_code', 'refresh_token'],
  first_party: true,
};
const OPENID_CLIENT = {
  client_id: 'openid-client-rp',
  client_secret: 'openid-client-secret-0123456789abcdef',
  redirect_uris: ['http://127.0.0.1:59998/openid-client/cb'],
  token_endpoint_auth_method: 'client_secret_post',
  grant_types: ['authorization_code', 'refresh_token'],
  first_party: true,
};

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer((raw) => {
    (raw.clients as unknown[]).push(structuredClone(OAUTH4WEBAPI), structuredClone(OPENID_CLIENT));
  });
});
afterAll(() => t?.stop());

/** The person's part: from the authorization URL to the callback URL the RP's redirect_uri receives. */
async function personSignsIn(authorizationUrl: URL, redirectUri: string): Promise<URL> {
  const browser = new Browser();
  const loginPage = await browser.follow(authorizationUrl.href, {}, stopAtApp(redirectUri));
  const landing = await signInOnLoginPage(browser, loginPage, 'ZhangSan', stopAtApp(redirectUri));
  if (!landing.url.startsWith(redirectUri)) throw new Error(`sign-in did not reach the RP: ${landing.status} ${landing.url}`);
  return new URL(landing.url);
}

describe('oauth4webapi as the relying party', () => {
  it('discovers, signs in with PKCE, validates the ID token (claims and signature), reads userinfo, refreshes', async () => {
    const insecure = { [oauth.allowInsecureRequests]: true }; // plain http, on loopback only
    const issuer = new URL(t.issuer);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
    const client: oauth.Client = { client_id: OAUTH4WEBAPI.client_id };
    const clientAuth = oauth.ClientSecretBasic(OAUTH4WEBAPI.client_secret);
    const redirectUri = OAUTH4WEBAPI.redirect_uris[0]!;

    const codeVerifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();
    const authorizationUrl = new URL(as.authorization_endpoint!);
    authorizationUrl.search = new URLSearchParams({
      client_id: client.client_id,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: 'openid profile wecom offline_access',
      prompt: 'consent',
      state,
      nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    }).toString();

    const callback = await personSignsIn(authorizationUrl, redirectUri);
    // checks state, and iss (RFC 9207, advertised in discovery)
    const params = oauth.validateAuthResponse(as, client, callback, state);
    const response = await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, redirectUri, codeVerifier, insecure);
    const result = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce, requireIdToken: true });
    await oauth.validateApplicationLevelSignature(as, response, insecure);
    const claims = oauth.getValidatedIdTokenClaims(result)!;
    expect(claims.sub).toBe(await subjectOf(t, 'ZhangSan'));
    expect(claims.aud).toBe(client.client_id);

    const userinfo = await oauth.processUserInfoResponse(
      as,
      client,
      claims.sub,
      await oauth.userInfoRequest(as, client, result.access_token, insecure),
    );
    expect(userinfo).toMatchObject({ sub: claims.sub, name: '张三', preferred_username: 'ZhangSan', wecom_userid: 'ZhangSan' });

    expect(result.refresh_token).toBeTruthy();
    const refreshResponse = await oauth.refreshTokenGrantRequest(as, client, clientAuth, result.refresh_token!, insecure);
    const refreshed = await oauth.processRefreshTokenResponse(as, client, refreshResponse);
    expect(refreshed.access_token).not.toBe(result.access_token);
    if (refreshed.id_token) {
      await oauth.validateApplicationLevelSignature(as, refreshResponse, insecure);
      expect(oauth.getValidatedIdTokenClaims(refreshed)!.sub).toBe(claims.sub);
    }
    const again = await oauth.processUserInfoResponse(
      as,
      client,
      claims.sub,
      await oauth.userInfoRequest(as, client, refreshed.access_token, insecure),
    );
    expect(again.sub).toBe(claims.sub);
  });
});

describe('openid-client as the relying party', () => {
  it('discovers, signs in with PKCE, validates the ID token (claims and signature), reads userinfo, refreshes', async () => {
    const config = await oidc.discovery(
      new URL(t.issuer),
      OPENID_CLIENT.client_id,
      OPENID_CLIENT.client_secret,
      oidc.ClientSecretPost(OPENID_CLIENT.client_secret),
      { execute: [oidc.allowInsecureRequests, oidc.enableNonRepudiationChecks] },
    );
    const redirectUri = OPENID_CLIENT.redirect_uris[0]!;
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const authorizationUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid profile offline_access',
      prompt: 'consent',
      state,
      nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });

    const callback = await personSignsIn(authorizationUrl, redirectUri);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: codeVerifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    expect(claims.sub).toBe(await subjectOf(t, 'ZhangSan'));

    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(userinfo).toMatchObject({ sub: claims.sub, name: '张三', preferred_username: 'ZhangSan' });
    // scope wecom was not asked for
    expect(userinfo).not.toHaveProperty('wecom_userid');

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    if (refreshed.id_token) expect(refreshed.claims()!.sub).toBe(claims.sub);
    expect((await oidc.fetchUserInfo(config, refreshed.access_token, claims.sub)).sub).toBe(claims.sub);
  });
});
