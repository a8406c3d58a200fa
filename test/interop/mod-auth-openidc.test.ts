/**
 * Apache httpd with mod_auth_openidc (Debian's libapache2-mod-auth-openidc) as the relying party:
 * a page under /protected needs an OIDC sign-in; Apache discovers us, sends the browser to our
 * /auth, and after the WeCom scan on the simulator's QR page redeems the code, validates the ID
 * token, calls userinfo and serves the page, which shows (via SSI) the variables mod_auth_openidc set.
 *
 * Apache runs as a child process (`apache2 -X`, one process, foreground) from a throw-away
 * ServerRoot with its own config, on a free loopback port (./apache.ts).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startTestServer, type TestServer } from '../support/server.js';
import { formsOf } from '../support/browser.js';
import { startApache, type RunningApache } from './apache.js';
import { NavigatingBrowser, apacheMissing, signInOnLoginPage, subjectOf } from './support.js';

const missing = apacheMissing();

describe.skipIf(missing)(`Apache mod_auth_openidc as the relying party${missing ? ` — skipped: ${missing}` : ''}`, () => {
  let t: TestServer;
  let apache: RunningApache | undefined;
  let base: string;
  const client = {
    client_id: 'apache',
    client_secret: randomBytes(24).toString('base64url'),
    redirect_uris: [] as string[],
    post_logout_redirect_uris: [] as string[],
    grant_types: ['authorization_code'],
    first_party: true,
  };

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    client.redirect_uris = [`${base}/protected/redirect_uri`];
    client.post_logout_redirect_uris = [`${base}/logged-out.html`];
    t = await startTestServer((raw) => {
      (raw.clients as unknown[]).push(structuredClone(client));
    });

    apache = await startApache(port, () => [
      `OIDCProviderMetadataURL ${t.issuer}/.well-known/openid-configuration`,
      `OIDCClientID ${client.client_id}`,
      `OIDCClientSecret ${client.client_secret}`,
      `OIDCRedirectURI ${client.redirect_uris[0]}`,
      `OIDCCryptoPassphrase ${randomBytes(32).toString('base64url')}`,
      'OIDCScope "openid profile"',
      'OIDCPKCEMethod S256',
      'OIDCRemoteUserClaim sub',
      '<Location /protected>',
      '  AuthType openid-connect',
      '  Require valid-user',
      '</Location>',
    ]);
  });

  afterAll(async () => {
    await apache?.stop();
    await t?.stop();
  });

  it('protects a page: the browser signs in through us and the WeCom simulator, Apache shows the subject', async () => {
    const browser = new NavigatingBrowser();
    const protectedUrl = `${base}/protected/index.shtml`;
    // Apache → our /auth → our login page (the redirects are followed one by one)
    const loginPage = await browser.follow(protectedUrl);
    expect(loginPage.chain[1], 'Apache redirected to our authorization endpoint').toMatch(new RegExp(`^${t.issuer}/auth\\?`));
    const request = new URL(loginPage.chain[1]!).searchParams;
    expect(request.get('client_id')).toBe(client.client_id);
    expect(request.get('redirect_uri')).toBe(client.redirect_uris[0]);
    expect(request.get('code_challenge_method')).toBe('S256');

    // scan as ZhangSan; then our redirect to Apache's redirect_uri, Apache's code exchange, and
    // Apache's redirect back to the page
    const page = await signInOnLoginPage(browser, loginPage, 'ZhangSan');
    expect(page.status, `${page.url}\n${page.body.slice(0, 500)}${apache!.errorLog()}`).toBe(200);
    expect(page.url).toBe(protectedUrl);
    expect(page.chain.some((url) => url.startsWith(`${client.redirect_uris[0]}?code=`))).toBe(true);
    const sub = await subjectOf(t, 'ZhangSan');
    expect(page.body).toContain(`<span id="remote-user">${sub}</span>`);
    expect(page.body).toContain(`<span id="sub">${sub}</span>`);
    // from userinfo (scope profile), which Apache called with the access token
    expect(page.body).toContain('<span id="username">ZhangSan</span>');

    // the Apache session now lets the browser straight in
    const again = await browser.follow(protectedUrl);
    expect(again.status).toBe(200);
    expect(again.chain).toHaveLength(1);
  });

  it('logs out through Apache: RP-initiated logout at our end_session_endpoint, back to Apache', async () => {
    const browser = new NavigatingBrowser();
    const protectedUrl = `${base}/protected/index.shtml`;
    const signedIn = await signInOnLoginPage(browser, await browser.follow(protectedUrl), 'ZhangSan');
    expect(signedIn.status).toBe(200);

    const loggedOut = client.post_logout_redirect_uris[0]!;
    const confirm = await browser.follow(`${client.redirect_uris[0]}?logout=${encodeURIComponent(loggedOut)}`);
    const endSession = confirm.chain.find((url) => url.startsWith(`${t.issuer}/session/end`));
    expect(endSession, `Apache sent the browser to our end_session_endpoint: ${confirm.chain.join(' → ')}`).toBeDefined();
    expect(new URL(endSession!).searchParams.get('id_token_hint')).toBeTruthy();
    expect(new URL(endSession!).searchParams.get('post_logout_redirect_uri')).toBe(loggedOut);
    const form = formsOf(confirm).find((candidate) => 'logout' in candidate.fields || candidate.element.getAttribute('id') === 'op.logoutForm');
    expect(form, `our logout confirmation page: ${confirm.status} ${confirm.url}`).toBeDefined();
    const done = await browser.submit(confirm, { ...form!, fields: { ...form!.fields, logout: 'yes' } });
    expect(done.url.startsWith(loggedOut)).toBe(true);
    expect(done.body).toContain('logged out');

    // both sessions are gone: Apache sends the browser to sign in again, and we ask for a login
    const again = await browser.follow(protectedUrl);
    expect(again.chain[1]).toMatch(new RegExp(`^${t.issuer}/auth\\?`));
    expect(formsOf(again).some((candidate) => candidate.action.endsWith('/wecom/wecom'))).toBe(true);
  });
});
