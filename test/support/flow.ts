/**
 * The sign-in as a relying party and a person would do it: openid-client builds the authorization
 * request, the Browser follows it to our login page, picks the WeCom button, "scans" on the
 * simulator's QR page as one of its demo people, and follows WeCom's callback back to the app's
 * redirect_uri.
 */
import * as oidc from 'openid-client';
import { formsOf, type Browser, type FormInfo, type Page } from './browser.js';

export async function discover(issuer: string, client: { client_id: string; client_secret?: string; token_endpoint_auth_method?: string }) {
  const auth =
    client.token_endpoint_auth_method === 'none'
      ? oidc.None()
      : client.token_endpoint_auth_method === 'client_secret_post'
        ? oidc.ClientSecretPost(client.client_secret)
        : oidc.ClientSecretBasic(client.client_secret);
  return oidc.discovery(new URL(issuer), client.client_id, client.client_secret, auth, {
    execute: [oidc.allowInsecureRequests],
  });
}

export interface AuthorizationRequest {
  url: URL;
  state: string;
  nonce: string;
  codeVerifier: string;
  redirectUri: string;
}

export async function authorizationRequest(
  config: oidc.Configuration,
  redirectUri: string,
  params: Record<string, string> = {},
): Promise<AuthorizationRequest> {
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid profile email phone wecom',
    state,
    nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    ...params,
  });
  return { url, state, nonce, codeVerifier, redirectUri };
}

export const stopAtApp = (redirectUri: string) => (next: string) => next.startsWith(redirectUri);

/** Follows the authorization URL to our login page, then presses the connection's button. */
export async function openWeComLogin(browser: Browser, request: AuthorizationRequest, connection = 'wecom'): Promise<Page> {
  const loginPage = await browser.follow(request.url.href, {}, stopAtApp(request.redirectUri));
  const start = formsOf(loginPage).find((form) => form.action.endsWith(`/wecom/${connection}`));
  if (!start) throw new Error(`no "${connection}" button on ${loginPage.url} (status ${loginPage.status}): ${loginPage.body.slice(0, 300)}`);
  // Stop at the simulator's QR page.
  return browser.submit(loginPage, start);
}

/** The form on the simulator's QR page that "scans" as `who` (a userid, or 'non-member'). */
export function scanForm(qrPage: Page, who: string): FormInfo {
  const form = formsOf(qrPage).find((candidate) =>
    who === 'non-member' ? 'openid' in candidate.fields : candidate.fields.userid?.toLowerCase() === who.toLowerCase(),
  );
  if (!form) throw new Error(`no scan button for ${who} on ${qrPage.url}`);
  return form;
}

export function cancelForm(qrPage: Page): FormInfo {
  const forms = formsOf(qrPage);
  const form = forms.find((candidate) => !('userid' in candidate.fields) && !('openid' in candidate.fields));
  if (!form) throw new Error(`no cancel button on ${qrPage.url}`);
  return form;
}

/**
 * Scans as `who` and follows everything until the browser is sent to the app (returns that URL
 * as `page.url`) or lands on one of our pages (an error, or consent).
 */
export async function scanAs(browser: Browser, qrPage: Page, who: string, redirectUri: string): Promise<Page> {
  return browser.submit(qrPage, scanForm(qrPage, who), stopAtApp(redirectUri));
}

/** Scans, but stops at WeCom's callback into our server (to replay or tamper with it). */
export async function scanAndCaptureCallback(browser: Browser, qrPage: Page, who: string): Promise<string> {
  const page = await browser.submit(qrPage, scanForm(qrPage, who), (next) => next.includes('/callback?'));
  if (!page.url.includes('/callback?')) throw new Error(`expected a WeCom callback, got ${page.url}`);
  return page.url;
}

/**
 * The demo app's sign-in as a newcomer clicks it: the demo's "sign in" button, our login page's
 * WeCom button, the simulator's scan as `who`; returns the demo's home page, signed in.
 */
export async function signInToDemo(browser: Browser, demoUrl: string, who = 'ZhangSan'): Promise<Page> {
  const home = await browser.follow(`${demoUrl}/`);
  const signIn = formsOf(home).find((form) => form.action === '/login');
  if (!signIn) throw new Error(`no sign-in button on the demo's home page ${home.url}`);
  const login = await browser.submit(home, signIn);
  const start = formsOf(login).find((form) => form.action.endsWith('/wecom/wecom'));
  if (!start) throw new Error(`no "wecom" button on ${login.url} (status ${login.status}): ${login.body.slice(0, 300)}`);
  const qr = await browser.submit(login, start);
  const signedIn = await browser.submit(qr, scanForm(qr, who));
  if (signedIn.url !== `${demoUrl}/`) throw new Error(`sign-in to the demo as ${who} ended at ${signedIn.status} ${signedIn.url}`);
  return signedIn;
}

/** The whole sign-in: returns the URL the app's redirect_uri receives (with code and state). */
export async function signIn(
  browser: Browser,
  config: oidc.Configuration,
  redirectUri: string,
  who = 'ZhangSan',
  params: Record<string, string> = {},
) {
  const request = await authorizationRequest(config, redirectUri, params);
  const qrPage = await openWeComLogin(browser, request);
  const landing = await scanAs(browser, qrPage, who, redirectUri);
  if (!landing.url.startsWith(redirectUri)) {
    throw new Error(`sign-in as ${who} did not reach the app: ${landing.status} ${landing.url}: ${landing.body.slice(0, 400)}`);
  }
  return { request, callbackUrl: new URL(landing.url) };
}

export async function signInAndRedeem(
  browser: Browser,
  config: oidc.Configuration,
  redirectUri: string,
  who = 'ZhangSan',
  params: Record<string, string> = {},
) {
  const { request, callbackUrl } = await signIn(browser, config, redirectUri, who, params);
  const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
    pkceCodeVerifier: request.codeVerifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
  });
  return { request, tokens };
}
