/**
 * A sign-in as a relying party and a person do it, without a screen: the authorization request
 * (PKCE S256), the provider's pages (our login page's WeCom button; the bare provider has none),
 * the simulator's QR page ("scan" as the demo member), WeCom's callback, the code at the
 * redirect_uri, then the token request and userinfo. The same code drives our server and the bare
 * provider: it submits whichever form the page in front of it offers.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Browser, formsOf, send, type Form, type HttpResponse } from './http.js';
import { CLIENT, CONNECTION, MEMBER, REDIRECT_URI, SIGN_IN_SCOPE } from './fixtures.js';

export interface TokenSet {
  access_token: string;
  id_token: string;
  refresh_token?: string;
  token_type: string;
  expires_in: number;
}

export interface IssuedCode {
  code: string;
  verifier: string;
}

const base64url = (bytes: Buffer) => bytes.toString('base64url');

/** `Authorization: Basic …` for the client, form-encoding id and secret as RFC 6749 §2.3.1 asks. */
export const CLIENT_AUTHORIZATION = `Basic ${Buffer.from(
  `${encodeURIComponent(CLIENT.client_id)}:${encodeURIComponent(CLIENT.client_secret)}`,
).toString('base64')}`;

function authorizationUrl(issuer: string, extra: Record<string, string>): { url: string; verifier: string; state: string } {
  const verifier = base64url(randomBytes(32));
  const state = base64url(randomBytes(16));
  const url = new URL(`${issuer}/auth`);
  url.search = new URLSearchParams({
    client_id: CLIENT.client_id,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope: SIGN_IN_SCOPE,
    state,
    nonce: base64url(randomBytes(16)),
    code_challenge: base64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
    ...extra,
  }).toString();
  return { url: url.href, verifier, state };
}

const atApp = (next: string) => next.startsWith(REDIRECT_URI);

/** The form a person would press on this page: our WeCom button, or the simulator's "scan as". */
function nextForm(page: HttpResponse): Form | undefined {
  const forms = formsOf(page.body);
  return (
    forms.find((form) => form.fields.userid?.toLowerCase() === MEMBER.toLowerCase()) ??
    forms.find((form) => form.action.endsWith(`/wecom/${CONNECTION}`))
  );
}

/**
 * Runs the browser part of a sign-in and returns the authorization code. With a browser that is
 * already signed in (its session cookie), the provider answers the authorization request with a
 * code at once, which is how code pools are minted cheaply.
 */
export async function authorize(browser: Browser, issuer: string, extra: Record<string, string> = {}): Promise<IssuedCode> {
  const request = authorizationUrl(issuer, extra);
  let page = await browser.follow(request.url, {}, atApp);
  for (let step = 0; step < 4 && !atApp(page.url); step += 1) {
    const form = page.status === 200 ? nextForm(page) : undefined;
    if (!form) throw new Error(`sign-in stuck at ${page.url} (${page.status}): ${page.body.replace(/\s+/g, ' ').slice(0, 200)}`);
    page = await browser.submit(page, form, atApp);
  }
  if (!atApp(page.url)) throw new Error(`sign-in did not reach the app: ${page.url}`);
  const answer = new URL(page.url).searchParams;
  const code = answer.get('code');
  if (!code || answer.get('state') !== request.state) throw new Error(`no code at the app: ${page.url}`);
  return { code, verifier: request.verifier };
}

/** The token request body for an authorization code (sent with CLIENT_AUTHORIZATION). */
export function codeGrantBody(issued: IssuedCode): string {
  return new URLSearchParams({
    grant_type: 'authorization_code',
    code: issued.code,
    redirect_uri: REDIRECT_URI,
    code_verifier: issued.verifier,
  }).toString();
}

export function refreshGrantBody(refreshToken: string): string {
  return new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString();
}

export const TOKEN_HEADERS = { 'content-type': 'application/x-www-form-urlencoded', authorization: CLIENT_AUTHORIZATION };

export async function tokenRequest(issuer: string, body: string): Promise<TokenSet> {
  const response = await send(`${issuer}/token`, { method: 'POST', headers: TOKEN_HEADERS, body });
  if (response.status !== 200) throw new Error(`token endpoint answered ${response.status}: ${response.body.slice(0, 200)}`);
  return JSON.parse(response.body) as TokenSet;
}

export async function userinfo(issuer: string, accessToken: string): Promise<Record<string, unknown>> {
  const response = await send(`${issuer}/me`, { headers: { authorization: `Bearer ${accessToken}` } });
  if (response.status !== 200) throw new Error(`userinfo answered ${response.status}: ${response.body.slice(0, 200)}`);
  return JSON.parse(response.body) as Record<string, unknown>;
}

/** Completed full sign-ins per issuer (run.ts resets an issuer's count when a new server takes its port). */
export const completedSignIns = new Map<string, number>();

/**
 * The whole thing, as one new visitor: authorize → provider → simulator → callback → code →
 * token → userinfo. Returns the browser (now signed in) and the tokens.
 */
export async function fullSignIn(issuer: string, extra: Record<string, string> = {}): Promise<{ browser: Browser; tokens: TokenSet }> {
  const browser = new Browser();
  const issued = await authorize(browser, issuer, extra);
  const tokens = await tokenRequest(issuer, codeGrantBody(issued));
  const claims = await userinfo(issuer, tokens.access_token);
  if (typeof claims.sub !== 'string' || claims.preferred_username !== MEMBER) {
    throw new Error(`userinfo did not describe ${MEMBER}: ${JSON.stringify(claims).slice(0, 200)}`);
  }
  completedSignIns.set(issuer, (completedSignIns.get(issuer) ?? 0) + 1);
  return { browser, tokens };
}

/** A sign-in that also yields a refresh token (offline_access needs prompt=consent, per OIDC). */
export function offlineSignIn(issuer: string): Promise<{ browser: Browser; tokens: TokenSet }> {
  return fullSignIn(issuer, { scope: `${SIGN_IN_SCOPE} offline_access`, prompt: 'consent' });
}
