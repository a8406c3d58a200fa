/**
 * Protocol behaviour the certification plans touch but do not have a module of their own for (so
 * these titles are deliberately not oidcc-* module names): client authentication failures, bearer
 * tokens in the query, redirect_uri exact matching, RFC 9207 `iss`, what reusing a code revokes,
 * response types other than `code`, and RP-initiated logout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, formsOf } from '../support/browser.js';
import { stopAtApp } from '../support/flow.js';
import {
  CLIENTS,
  authorizationUrl,
  authorize,
  codeGrant,
  codeRequest,
  expectCodeResponse,
  expectTokenError,
  signInAndRedeem,
  startConformanceServer,
  tokenRequest,
  userinfo,
  type Op,
} from './harness.js';

const { rp } = CLIENTS;
let op: Op;
beforeAll(async () => {
  op = await startConformanceServer();
});
afterAll(() => op?.t.stop());

describe('protocol checks beyond the modules', () => {
  it('a wrong client_secret_basic gets 401 invalid_client with WWW-Authenticate', async () => {
    const params = codeRequest(rp);
    const code = expectCodeResponse(op, await authorize(new Browser(), op, params), params.state!);
    const response = await tokenRequest(op, { ...rp, client_secret: 'not-the-secret' }, codeGrant(rp, code), 'client_secret_basic');
    expectTokenError(response, 'invalid_client', 401);
    // RFC 6749 5.2: a client that used the Authorization header gets a WWW-Authenticate challenge
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic /);
    // and the code was not spent by the failed attempt
    expect((await tokenRequest(op, rp, codeGrant(rp, code))).status).toBe(200);
  });

  it('a wrong client_secret_post gets 401 invalid_client too', async () => {
    // (oidc-provider accepts a client secret by either method, whichever of the two was registered)
    const params = codeRequest(rp);
    const code = expectCodeResponse(op, await authorize(new Browser(), op, params), params.state!);
    expectTokenError(
      await tokenRequest(op, { ...rp, client_secret: 'not-the-secret' }, codeGrant(rp, code), 'client_secret_post'),
      'invalid_client',
      401,
    );
  });

  it('userinfo refuses an access token in the query string (RFC 6750 2.3 is not offered)', async () => {
    const { tokens } = await signInAndRedeem(op, rp);
    const response = await fetch(`${op.metadata.userinfo_endpoint}?access_token=${encodeURIComponent(tokens.access_token)}`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
    expect(response.headers.get('www-authenticate')).toMatch(/error="invalid_request"/);
  });

  it('userinfo without a token, or with a made-up one, gets 401 and a Bearer challenge', async () => {
    for (const init of [{}, { headers: { authorization: 'Bearer made-up-token' } }]) {
      const response = await fetch(op.metadata.userinfo_endpoint, init);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
    }
  });

  it('a redirect_uri with an extra query parameter is not registered: error page, no redirect', async () => {
    const redirect = `${rp.redirect_uris[0]}?extra=1`;
    const page = await new Browser().follow(authorizationUrl(op, codeRequest(rp, { redirect_uri: redirect })));
    expect(page.status).toBe(400);
    expect(page.headers.get('location')).toBeNull();
    expect(page.body).toMatch(/invalid_redirect_uri/);
  });

  it('the authorization response names the issuer (RFC 9207), and discovery says so', async () => {
    expect(op.metadata.authorization_response_iss_parameter_supported).toBe(true);
    const params = codeRequest(rp);
    const outcome = await authorize(new Browser(), op, params);
    expect(outcome.params.get('iss')).toBe(op.issuer);
    // errors too
    const denied = await new Browser().follow(authorizationUrl(op, codeRequest(rp, { prompt: 'none' })), {}, stopAtApp(rp.redirect_uris[0]!));
    expect(new URL(denied.url).searchParams.get('iss')).toBe(op.issuer);
  });

  it('reusing a code revokes what it issued: access token and refresh token', async () => {
    const { code, tokens } = await signInAndRedeem(op, rp, { extra: { scope: 'openid offline_access', prompt: 'consent' } });
    expect(tokens.refresh_token).toBeTruthy();
    expectTokenError(await tokenRequest(op, rp, codeGrant(rp, code)), 'invalid_grant');
    expect((await userinfo(op, tokens.access_token)).status).toBe(401);
    expectTokenError(await tokenRequest(op, rp, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }), 'invalid_grant');
  });

  it('response types other than code are refused for our clients, at the client (no token, no code)', async () => {
    // "token" alone is not an OIDC response type oidc-provider implements at all
    for (const [responseType, errors] of [
      ['token', ['unsupported_response_type']],
      ['id_token', ['unauthorized_client', 'invalid_request', 'unsupported_response_type']],
      ['code id_token', ['unauthorized_client', 'invalid_request', 'unsupported_response_type']],
      ['id_token token', ['unsupported_response_type', 'unauthorized_client', 'invalid_request']],
    ] as const) {
      const params = codeRequest(rp, { response_type: responseType });
      const page = await new Browser().follow(authorizationUrl(op, params), {}, stopAtApp(rp.redirect_uris[0]!));
      const callback = new URL(page.url);
      expect(callback.href.startsWith(rp.redirect_uris[0]!), `${responseType}: ${page.status} ${page.url}`).toBe(true);
      // implicit and hybrid errors travel in the fragment
      const answer = new URLSearchParams(callback.hash.slice(1) || callback.search.slice(1));
      expect(errors as readonly string[], `${responseType}: ${callback.href}`).toContain(answer.get('error'));
      expect(answer.get('state')).toBe(params.state);
      for (const artefact of ['code', 'access_token', 'id_token']) expect(answer.has(artefact)).toBe(false);
    }
  });

  it('RP-initiated logout: confirm, back to the registered post_logout_redirect_uri with state, session gone', async () => {
    const browser = new Browser();
    const { tokens } = await signInAndRedeem(op, rp, { browser });
    const postLogout = rp.post_logout_redirect_uris[0]!;
    const endSession = new URL(op.metadata.end_session_endpoint!);
    endSession.search = new URLSearchParams({ id_token_hint: tokens.id_token!, post_logout_redirect_uri: postLogout, state: 'bye' }).toString();
    const confirm = await browser.follow(endSession.href);
    expect(confirm.status).toBe(200);
    const form = formsOf(confirm).find((candidate) => 'logout' in candidate.fields || candidate.element.getAttribute('id') === 'op.logoutForm');
    expect(form, 'a logout confirmation form').toBeDefined();
    const done = await browser.submit(confirm, { ...form!, fields: { ...form!.fields, logout: 'yes' } }, (next) => next.startsWith(postLogout));
    expect(done.url.startsWith(postLogout)).toBe(true);
    expect(new URL(done.url).searchParams.get('state')).toBe('bye');

    const after = await browser.follow(authorizationUrl(op, codeRequest(rp, { prompt: 'none' })), {}, stopAtApp(rp.redirect_uris[0]!));
    expect(new URL(after.url).searchParams.get('error')).toBe('login_required');
  });

  it('RP-initiated logout refuses an unregistered post_logout_redirect_uri', async () => {
    const browser = new Browser();
    const { tokens } = await signInAndRedeem(op, rp, { browser });
    const endSession = new URL(op.metadata.end_session_endpoint!);
    endSession.search = new URLSearchParams({ id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://evil.example.com/' }).toString();
    const page = await browser.follow(endSession.href);
    expect(page.status).toBe(400);
    expect(page.headers.get('location')).toBeNull();
  });
});
