/**
 * What `npm start` lets a newcomer watch: the demo app refreshes its tokens on request and shows the
 * outcome, and the provider can end its session by back-channel logout (a logout token the demo
 * verifies against the provider's JWKS). A refused refresh ends the demo's session too.
 */
import * as jose from 'jose';
import { expect, it } from 'vitest';
import { Browser, formsOf, textOf, type Page } from './support/browser.js';
import { DEMO_CLIENT_ID, demoStack } from './support/demo.js';
import { signInToDemo } from './support/flow.js';

const stack = demoStack({ backchannelLogout: true });

const refreshForm = (page: Page) => formsOf(page).find((form) => form.action === '/refresh');

it("shows the outcome of a refresh, and links to the simulator's directory page", async () => {
  const browser = new Browser();
  const signedIn = await signInToDemo(browser, stack.demo.url);
  expect(signedIn.body).toContain(`href="${stack.t.issuer}/wecom-simulator/directory"`);
  const refreshed = await browser.submit(signedIn, refreshForm(signedIn)!);
  const text = textOf(refreshed);
  expect(text).toContain('Refresh succeeded');
  expect(text).toContain('"token_type": "bearer"');
  expect(text).toContain('"id_token_sub"');
  // A summary only: no token value is put on the page.
  expect(refreshed.body).not.toMatch(/"refresh_token": "[A-Za-z0-9_-]{20,}"/);
  expect(text).toContain('张三');
});

it('ends its session when the provider sends a back-channel logout', async () => {
  const browser = new Browser();
  await signInToDemo(browser, stack.demo.url);
  const discovery = (await (await fetch(`${stack.t.issuer}/.well-known/openid-configuration`)).json()) as { end_session_endpoint: string };
  // The provider session ends (here: the user signs out at the provider directly, not through the demo).
  const confirm = await browser.follow(discovery.end_session_endpoint);
  const yes = formsOf(confirm)[0]!;
  await browser.submit(confirm, { ...yes, fields: { ...yes.fields, logout: 'yes' } });

  const after = await browser.follow(`${stack.demo.url}/`);
  expect(textOf(after), stack.demoLog.join('\n')).toContain('The provider ended this session by back-channel logout');
  expect(formsOf(after).some((form) => form.action === '/login')).toBe(true);
  expect(stack.demoLog.some((line) => line.includes('demo back-channel logout') && line.includes('"sessionsEnded":1'))).toBe(true);
});

it('a refused refresh shows invalid_grant and ends the session', async () => {
  const browser = new Browser();
  const signedIn = await signInToDemo(browser, stack.demo.url, 'LiSi');
  const lisi = (await stack.t.server.storage.accounts.findByIdentity(stack.t.config.connections[0]!.corpId, 'LiSi'))!;
  expect(await stack.t.server.storage.models.revokeByAccountId(lisi.id)).toBeGreaterThan(0);

  const refused = await browser.submit(signedIn, refreshForm(signedIn)!);
  const text = textOf(refused);
  expect(text).toContain('Refresh failed');
  expect(text).toContain('"error": "invalid_grant"');
  expect(text).toContain('The provider refused the refresh token, so this session ended');
  expect(formsOf(refused).some((form) => form.action === '/login')).toBe(true);
});

it('refuses a logout token it cannot verify, ending nothing', async () => {
  const browser = new Browser();
  const signedIn = await signInToDemo(browser, stack.demo.url);
  const sid = /"sid": "([^"]+)"/.exec(textOf(signedIn))?.[1];
  expect(sid).toBeTruthy();
  const { privateKey } = await jose.generateKeyPair('RS256');
  const forged = await new jose.SignJWT({ sid, events: { 'http://schemas.openid.net/event/backchannel-logout': {} } })
    .setProtectedHeader({ alg: 'RS256', typ: 'logout+jwt', kid: 'not-the-providers' })
    .setIssuer(stack.t.issuer)
    .setAudience(DEMO_CLIENT_ID)
    .setIssuedAt()
    .setJti('forged-1')
    .sign(privateKey);
  const post = (body: string) =>
    fetch(`${stack.demo.url}/backchannel-logout`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  const refusedForged = await post(new URLSearchParams({ logout_token: forged }).toString());
  expect(refusedForged.status).toBe(400);
  expect(await refusedForged.json()).toMatchObject({ error: 'invalid_request' });
  expect((await post('')).status).toBe(400);
  expect((await post('logout_token=not.a.jwt')).status).toBe(400);

  const still = await browser.follow(`${stack.demo.url}/`);
  expect(textOf(still)).toContain('Signed in as');
});
