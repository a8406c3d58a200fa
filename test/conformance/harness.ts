/**
 * The pieces of the OpenID Foundation conformance suite's OP tests, re-implemented against a real
 * wecom-oidc server and its WeCom simulator: raw authorization requests driven through the
 * cookie-keeping Browser (sign-in = scan on the simulator's QR page), raw token and userinfo
 * requests, and the suite's ID token / userinfo / error-response checks done independently of
 * oidc-provider and openid-client (signatures are verified with node:crypto against the JWKS).
 */
import { createHash, createPublicKey, randomBytes, verify as verifySignature, type JsonWebKey } from 'node:crypto';
import { expect } from 'vitest';
import { Browser, formsOf, type Page } from '../support/browser.js';
import { stopAtApp, scanForm } from '../support/flow.js';
import { CONFIDENTIAL, PUBLIC_CLIENT, THIRD_PARTY, startTestServer, type TestServer } from '../support/server.js';

/** A second first-party confidential client: the suite's "client2" (used by oidcc-refresh-token). */
export const SECOND_CLIENT = {
  client_id: 'rp2',
  client_secret: 'rp2-secret-0123456789abcdef012345678',
  redirect_uris: ['http://127.0.0.1:59999/cb2'],
  grant_types: ['authorization_code', 'refresh_token'],
  first_party: true,
};

/** A client with two registered redirect URIs (oidcc-ensure-redirect-uri-in-authorization-request). */
export const TWO_URI_CLIENT = {
  client_id: 'rp-two-uris',
  client_secret: 'rp-two-uris-secret-0123456789abcdef',
  redirect_uris: ['http://127.0.0.1:59999/one', 'http://127.0.0.1:59999/two'],
  first_party: true,
};

export interface ClientUnderTest {
  client_id: string;
  client_secret?: string;
  redirect_uris: string[];
  token_endpoint_auth_method?: string;
}

export const CLIENTS = { rp: CONFIDENTIAL, rp2: SECOND_CLIENT, thirdParty: THIRD_PARTY, spa: PUBLIC_CLIENT, twoUris: TWO_URI_CLIENT };

export interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  userinfo_endpoint: string;
  jwks_uri: string;
  end_session_endpoint?: string;
  [key: string]: unknown;
}

export interface Op {
  t: TestServer;
  issuer: string;
  discoveryUrl: string;
  metadata: Discovery;
  jwks: { keys: (JsonWebKey & { kid?: string; use?: string; alg?: string })[] };
}

/**
 * The server under test: the test server's clients plus the suite's second client and a two-URI
 * client; the simulator plays an app created before 2022-06-20 ("legacyContactFields"), so that
 * user/get returns the contact fields the scope modules look for (a new app gets none of them).
 */
export async function startConformanceServer(): Promise<Op> {
  const t = await startTestServer((raw) => {
    (raw.clients as unknown[]).push(structuredClone(SECOND_CLIENT), structuredClone(TWO_URI_CLIENT));
    const connection = (raw.connections as { corpId: string; agentId: string; secret: string }[])[0]!;
    raw.simulator = {
      enabled: true,
      apps: [{ corpId: connection.corpId, agentId: connection.agentId, secret: connection.secret, legacyContactFields: true }],
    };
  });
  const discoveryUrl = `${t.issuer}/.well-known/openid-configuration`;
  const metadata = (await (await fetch(discoveryUrl)).json()) as Discovery;
  const jwks = (await (await fetch(metadata.jwks_uri)).json()) as Op['jwks'];
  return { t, issuer: t.issuer, discoveryUrl, metadata, jwks };
}

export const randomValue = (bytes = 24) => randomBytes(bytes).toString('base64url');

export function pkcePair() {
  const verifier = randomValue(32);
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** The authorization request URL, its query parameters in the order of `params`' keys. */
export function authorizationUrl(op: Op, params: Record<string, string>): string {
  const url = new URL(op.metadata.authorization_endpoint);
  url.search = new URLSearchParams(params).toString();
  return url.href;
}

/** The parameters of a plain code-flow request, as the suite's CreateAuthorizationRequestSteps makes them. */
export function codeRequest(client: ClientUnderTest, extra: Record<string, string | undefined> = {}) {
  const params: Record<string, string> = {
    client_id: client.client_id,
    redirect_uri: client.redirect_uris[0]!,
    response_type: 'code',
    scope: 'openid',
    state: randomValue(),
    nonce: randomValue(),
  };
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete params[key];
    else params[key] = value;
  }
  return params;
}

export interface AuthorizationOutcome {
  /** The URL the client's redirect_uri received. */
  callback: URL;
  /** The callback's parameters (query, or fragment when the response mode is fragment). */
  params: URLSearchParams;
  /** Whether the person was shown our login page (false: the OP answered without interaction). */
  loginShown: boolean;
  /** The login page, when one was shown. */
  loginPage?: Page;
  consentShown: boolean;
}

/**
 * Sends the browser to the authorization endpoint and, when the OP asks for a login, signs in as
 * `who` through the WeCom button and the simulator's QR page (and allows consent when asked),
 * until the OP redirects to the client's redirect_uri.
 */
export async function authorize(
  browser: Browser,
  op: Op,
  params: Record<string, string>,
  options: { who?: string; method?: 'GET' | 'POST'; redirectUri?: string } = {},
): Promise<AuthorizationOutcome> {
  const redirectUri = options.redirectUri ?? params.redirect_uri!;
  const atApp = stopAtApp(redirectUri);
  let page =
    options.method === 'POST'
      ? await browser.follow(op.metadata.authorization_endpoint, { method: 'POST', form: params }, atApp)
      : await browser.follow(authorizationUrl(op, params), {}, atApp);
  let loginShown = false;
  let loginPage: Page | undefined;
  let consentShown = false;
  if (!page.url.startsWith(redirectUri)) {
    const start = formsOf(page).find((form) => form.action.endsWith('/wecom/wecom'));
    if (!start) throw new Error(`expected our login page, got ${page.status} ${page.url}: ${page.body.slice(0, 300)}`);
    loginShown = true;
    loginPage = page;
    const qrPage = await browser.submit(page, start);
    page = await browser.submit(qrPage, scanForm(qrPage, options.who ?? 'ZhangSan'), atApp);
    const allow = formsOf(page).find((form) => form.action.endsWith('/consent'));
    if (!page.url.startsWith(redirectUri) && allow) {
      consentShown = true;
      page = await browser.submit(page, allow, atApp);
    }
  }
  if (!page.url.startsWith(redirectUri)) {
    throw new Error(`the OP did not answer at ${redirectUri}: ${page.status} ${page.url}: ${page.body.slice(0, 300)}`);
  }
  const callback = new URL(page.url);
  const params2 = callback.hash ? new URLSearchParams(callback.hash.slice(1)) : callback.searchParams;
  return { callback, params: params2, loginShown, loginPage, consentShown };
}

/** The checks every successful code-flow authorization response gets (state, iss, code quality). */
export function expectCodeResponse(op: Op, outcome: AuthorizationOutcome, state: string): string {
  const { params, callback } = outcome;
  expect(params.get('error'), `error in ${callback.href}`).toBeNull();
  expect(callback.hash, 'a code-flow response comes in the query').toBe('');
  expect(params.get('state')).toBe(state);
  // RFC 9207: the issuer identifies itself in the authorization response
  expect(params.get('iss')).toBe(op.issuer);
  const code = params.get('code');
  expect(code).toBeTruthy();
  // EnsureMinimumAuthorizationCodeLength / Entropy (RFC 6749 10.10, RFC 6819 5.1.4.2.2): 128 bits
  expect(code!.length).toBeGreaterThanOrEqual(22);
  expect(shannonBits(code!)).toBeGreaterThanOrEqual(128);
  return code!;
}

function shannonBits(value: string): number {
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  let perChar = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    perChar -= p * Math.log2(p);
  }
  return perChar * value.length;
}

export interface TokenResponse {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
}

/** A raw token request; `auth` is how the client authenticates (its registered method). */
export async function tokenRequest(
  op: Op,
  client: ClientUnderTest,
  body: Record<string, string>,
  auth: 'client_secret_basic' | 'client_secret_post' | 'none' = authMethodOf(client),
): Promise<TokenResponse> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  const form = new URLSearchParams(body);
  if (auth === 'client_secret_basic') {
    const encode = (value: string) => encodeURIComponent(value);
    headers.authorization = `Basic ${Buffer.from(`${encode(client.client_id)}:${encode(client.client_secret!)}`).toString('base64')}`;
  } else {
    form.set('client_id', client.client_id);
    if (auth === 'client_secret_post') form.set('client_secret', client.client_secret!);
  }
  const response = await fetch(op.metadata.token_endpoint, { method: 'POST', headers, body: form });
  const text = await response.text();
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { unparsable: text };
  }
  return { status: response.status, headers: response.headers, json };
}

export function authMethodOf(client: ClientUnderTest): 'client_secret_basic' | 'client_secret_post' | 'none' {
  return (client.token_endpoint_auth_method as 'client_secret_post' | 'none' | undefined) ?? 'client_secret_basic';
}

export function codeGrant(client: ClientUnderTest, code: string, extra: Record<string, string> = {}) {
  return { grant_type: 'authorization_code', code, redirect_uri: client.redirect_uris[0]!, ...extra };
}

/**
 * CheckTokenEndpointHttpStatus200, JSON content type, CheckTokenEndpointCacheHeaders, Bearer,
 * expires_in (RFC 6749 5.1). The suite checks the cache header on the refresh response (a missing
 * `Cache-Control` fails it there); RFC 6749 5.1 asks for `no-store` on every token response, so
 * every one is held to it here.
 */
export function expectSuccessfulTokenResponse(response: TokenResponse) {
  expect(response.status, JSON.stringify(response.json)).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const cacheControl = response.headers.get('cache-control');
  expect(cacheControl, 'the token response carries Cache-Control').not.toBeNull();
  expect(cacheControl!.split(',').map((part) => part.trim().toLowerCase())).toContain('no-store');
  const pragma = response.headers.get('pragma');
  if (pragma !== null) expect(pragma.split(',').map((part) => part.trim())).toContain('no-cache');
  const { json } = response;
  expect(typeof json.access_token).toBe('string');
  // RFC 6749 A.12: VSCHAR only
  expect(json.access_token).toMatch(/^[\x20-\x7e]+$/);
  expect(String(json.token_type).toLowerCase()).toBe('bearer');
  if (json.expires_in !== undefined) {
    expect(Number.isInteger(json.expires_in)).toBe(true);
    expect(json.expires_in as number).toBeGreaterThan(0);
  }
  return json as { access_token: string; id_token?: string; refresh_token?: string; expires_in?: number; scope?: string };
}

/** The token endpoint error checks of AbstractOIDCCAuthCodeReuse / RefreshTokenRequestExpectingErrorSteps. */
export function expectTokenError(response: TokenResponse, error: string, status = 400) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(response.json.error).toBe(error);
  // RFC 6749 5.2: error and error_description are %x20-21 / %x23-5B / %x5D-7E; no CR, LF or TAB
  expect(response.json.error).toMatch(/^[\x20\x21\x23-\x5b\x5d-\x7e]+$/);
  if (response.json.error_description !== undefined) {
    expect(response.json.error_description).toMatch(/^[\x20\x21\x23-\x5b\x5d-\x7e]*$/);
  }
  if (response.json.error_uri !== undefined) expect(() => new URL(String(response.json.error_uri))).not.toThrow();
}

export interface IdTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  nonce?: string;
  auth_time?: number;
  acr?: string;
  azp?: string;
  at_hash?: string;
  c_hash?: string;
  [claim: string]: unknown;
}

export function decodeJwt(jwt: string) {
  const [header, payload, signature] = jwt.split('.');
  if (!header || !payload || signature === undefined) throw new Error('not a JWS in compact serialization');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg: string; kid?: string; typ?: string },
    claims: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as IdTokenClaims,
    signingInput: `${header}.${payload}`,
    signature: Buffer.from(signature, 'base64url'),
  };
}

const DAY = 24 * 60 * 60;

/** The left half of the SHA-256 of an ASCII value, base64url (at_hash / c_hash for RS256 and ES256). */
export function leftHalfHash(value: string): string {
  const digest = createHash('sha256').update(value, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

/**
 * ValidateIdToken, ValidateIdTokenNonce, ValidateIdTokenSignature(UsingKid), CheckForSubjectInIdToken,
 * and the at_hash / c_hash checks when those claims are present.
 */
export function validateIdToken(
  op: Op,
  idToken: string,
  expected: { clientId: string; nonce?: string; accessToken?: string; code?: string; alg?: string },
): IdTokenClaims {
  const { header, claims, signingInput, signature } = decodeJwt(idToken);
  // OIDC Core 3.1.3.7: RS256 unless the client registered another algorithm
  expect(header.alg).toBe(expected.alg ?? 'RS256');
  // OIDC Core 10.1 (and the suite's EnsureIdTokenContainsKid): the signing key is named
  expect(header.kid).toBeTruthy();
  const jwk = op.jwks.keys.find((key) => key.kid === header.kid);
  expect(jwk, `kid ${header.kid} is in the JWKS`).toBeDefined();
  expect(jwk!.use ?? 'sig').toBe('sig');
  if (jwk!.alg) expect(jwk!.alg).toBe(header.alg);
  const key = createPublicKey({ key: jwk!, format: 'jwk' });
  const valid =
    header.alg === 'RS256'
      ? verifySignature('sha256', Buffer.from(signingInput), key, signature)
      : header.alg === 'ES256'
        ? verifySignature('sha256', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' }, signature)
        : false;
  expect(valid, 'ID token signature verifies against the JWKS key named by kid').toBe(true);

  // ValidateIdToken: a 5-minute allowance for clock skew, as the suite's
  const now = Math.floor(Date.now() / 1000);
  const skew = 5 * 60;
  expect(claims.iss).toBe(op.issuer);
  if (Array.isArray(claims.aud)) {
    expect(claims.aud).toContain(expected.clientId);
    if (claims.aud.length > 1) expect(claims.azp).toBe(expected.clientId);
  } else {
    expect(claims.aud).toBe(expected.clientId);
  }
  if (claims.azp !== undefined) expect(claims.azp).toBe(expected.clientId);
  expect(Number.isInteger(claims.exp)).toBe(true);
  expect(claims.exp, 'exp: not expired').toBeGreaterThan(now - skew);
  // "'exp' is unreasonably far in the future (more than 50 years)": milliseconds sent as seconds
  expect(claims.exp, 'exp: not absurdly far ahead').toBeLessThan(now + 50 * 365 * DAY);
  expect(Number.isInteger(claims.iat)).toBe(true);
  expect(claims.iat, 'iat: not in the future').toBeLessThanOrEqual(now + skew);
  // OIDC Core 3.1.3.7 (10): iat can be used to reject tokens issued too far from the current time
  expect(claims.iat, 'iat: not more than 5 minutes in the past').toBeGreaterThanOrEqual(now - skew);
  expect(claims.exp).toBeGreaterThan(claims.iat);
  // OIDC Core 2: sub is a locally unique string of at most 255 ASCII characters
  expect(typeof claims.sub).toBe('string');
  expect(claims.sub).toMatch(/^[\x21-\x7e]{1,255}$/);
  if (expected.nonce !== undefined) expect(claims.nonce).toBe(expected.nonce);
  else expect(claims).not.toHaveProperty('nonce');
  if (claims.auth_time !== undefined) {
    expect(Number.isInteger(claims.auth_time)).toBe(true);
    expect(claims.auth_time, 'auth_time: not in the future').toBeLessThanOrEqual(now + skew);
    expect(claims.auth_time, 'auth_time: not over a year in the past').toBeGreaterThan(now - 365 * DAY);
  }
  // "id_token acr is an empty string"
  if (claims.acr !== undefined) expect(claims.acr).not.toBe('');
  if (claims.at_hash !== undefined) {
    expect(expected.accessToken, 'at_hash present: the access token is known').toBeDefined();
    expect(claims.at_hash).toBe(leftHalfHash(expected.accessToken!));
  }
  if (claims.c_hash !== undefined) {
    expect(expected.code, 'c_hash present: the code is known').toBeDefined();
    expect(claims.c_hash).toBe(leftHalfHash(expected.code!));
  }
  return claims;
}

/** Userinfo with the access token in the Authorization header (GET or POST) or in a POST body. */
export async function userinfo(op: Op, accessToken: string, how: 'get' | 'post-header' | 'post-body' = 'get') {
  const init: RequestInit =
    how === 'get'
      ? { headers: { authorization: `Bearer ${accessToken}` } }
      : how === 'post-header'
        ? { method: 'POST', headers: { authorization: `Bearer ${accessToken}` } }
        : {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ access_token: accessToken }),
          };
  const response = await fetch(op.metadata.userinfo_endpoint, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: safeJson(text) };
}

function safeJson(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
}

const STRING_CLAIMS = [
  'sub',
  'name',
  'given_name',
  'family_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'profile',
  'picture',
  'website',
  'email',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
  'phone_number',
];

/** ValidateUserInfoStandardClaims, EnsureUserInfoContainsSub, EnsureUserInfoUpdatedAtValid (OIDC Core 5.1, 5.3.2). */
export function expectValidUserInfo(response: Awaited<ReturnType<typeof userinfo>>, idTokenSub: string) {
  expect(response.status, response.text).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const claims = response.json;
  expect(claims.sub).toBe(idTokenSub);
  for (const name of STRING_CLAIMS) if (name in claims) expect(typeof claims[name], name).toBe('string');
  for (const name of ['email_verified', 'phone_number_verified']) if (name in claims) expect(typeof claims[name], name).toBe('boolean');
  if ('updated_at' in claims) expect(Number.isInteger(claims.updated_at)).toBe(true);
  if ('address' in claims) expect(typeof claims.address).toBe('object');
  for (const name of ['picture', 'profile', 'website']) if (name in claims) expect(() => new URL(String(claims[name]))).not.toThrow();
  if ('birthdate' in claims) expect(claims.birthdate).toMatch(/^(\d{4}|0000)(-\d{2}-\d{2})?$/);
  return claims;
}

/** The whole happy flow: authorize (signing in), redeem the code, validate the ID token. */
export async function signInAndRedeem(
  op: Op,
  client: ClientUnderTest,
  options: {
    browser?: Browser;
    who?: string;
    extra?: Record<string, string | undefined>;
    pkce?: boolean;
    auth?: 'client_secret_basic' | 'client_secret_post' | 'none';
    /** BuildPlainRedirectToAuthorizationEndpointReorderedParams: query parameters in reverse alphabetical order. */
    reversedParameterOrder?: boolean;
  } = {},
) {
  const browser = options.browser ?? new Browser();
  const pkce = options.pkce ? pkcePair() : undefined;
  let params = codeRequest(client, {
    ...(pkce ? { code_challenge: pkce.challenge, code_challenge_method: 'S256' } : {}),
    ...options.extra,
  });
  if (options.reversedParameterOrder) params = Object.fromEntries(Object.entries(params).sort(([a], [b]) => (a < b ? 1 : a > b ? -1 : 0)));
  const outcome = await authorize(browser, op, params, { who: options.who });
  const code = expectCodeResponse(op, outcome, params.state!);
  const response = await tokenRequest(op, client, codeGrant(client, code, pkce ? { code_verifier: pkce.verifier } : {}), options.auth);
  const tokens = expectSuccessfulTokenResponse(response);
  expect(tokens.id_token, 'an openid request gets an ID token from the token endpoint').toBeTruthy();
  const claims = validateIdToken(op, tokens.id_token!, {
    clientId: client.client_id,
    nonce: params.nonce,
    accessToken: tokens.access_token,
    code,
  });
  return { browser, params, outcome, code, response, tokens, claims };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** True for http(s) URLs on a loopback host (the test servers' issuers). */
export function isLoopback(url: URL): boolean {
  return url.hostname === 'localhost' || url.hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
}

/** CheckDiscEndpointAllEndpointsAreHttps, allowing plain http only on loopback (where the tests run). */
export function expectHttpsOrLoopback(value: unknown, name: string) {
  expect(typeof value, name).toBe('string');
  const url = new URL(value as string);
  expect(url.hash, name).toBe('');
  expect(url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url)), `${name}: ${url.href}`).toBe(true);
}
