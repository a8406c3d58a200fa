/**
 * The README's Apache mod_auth_openidc recipe, read from the README: its client entry configures our
 * server, and its Apache lines (the issuer and the app's host pointed at the test's, the client secret
 * passed in Apache's environment as the recipe says) protect a page. A member of the department the
 * recipe names signs in and is REMOTE_USER by their WeCom userid; the same lines with a department he
 * is not in (the control) refuse him.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startTestServer, type TestServer } from '../support/server.js';
import { startApache, type RunningApache } from './apache.js';
import { codeBlocks, readmeSection } from './readme.js';
import { NavigatingBrowser, apacheMissing, signInOnLoginPage, subjectOf } from './support.js';

const missing = apacheMissing();
const recipe = readmeSection('#### Apache mod_auth_openidc');
const [clientJson] = codeBlocks(recipe, 'json');
const [apacheLines] = codeBlocks(recipe, 'apache');

describe.skipIf(missing)(`the README's Apache mod_auth_openidc recipe${missing ? ` — skipped: ${missing}` : ''}`, () => {
  const secret = randomBytes(24).toString('base64url');
  let t: TestServer;
  let apache: RunningApache;
  let client: { client_id: string; redirect_uris: string[] };

  beforeAll(async () => {
    const port = await freePort();
    const app = `http://127.0.0.1:${port}`;
    const fromReadme = (text: string) =>
      text.replaceAll('https://app.example.com', app).replace(/<a long random string>/, randomBytes(32).toString('base64url'));
    client = { ...JSON.parse(fromReadme(clientJson!)), client_secret: secret };
    t = await startTestServer((raw) => {
      (raw.clients as unknown[]).push(structuredClone(client));
    });
    const lines = fromReadme(apacheLines!).replaceAll('https://id.example.com', t.issuer).split('\n');
    // the control: the recipe's <Location> again, for a department ZhangSan is not in
    const location = lines.slice(lines.findIndex((line) => line.startsWith('<Location /protected>')));
    const control = location.map((line) => line.replace('<Location /protected>', '<Location /marketing>').replace(/groups:\S+/, 'groups:市场部'));
    apache = await startApache(port, () => [...lines, ...control], { APACHE_OIDC_CLIENT_SECRET: secret });
  });
  afterAll(async () => {
    await apache?.stop();
    await t?.stop();
  });

  it('reads as a client entry and a <Location> that requires a department', () => {
    expect(client).toMatchObject({ client_id: 'apache', first_party: true });
    expect(apacheLines).toMatch(/^OIDCRemoteUserClaim preferred_username$/m);
    expect(apacheLines).toMatch(/^ {2}Require claim groups:研发部$/m);
  });

  it('a member of 研发部 signs in; REMOTE_USER is the WeCom userid, the groups came from userinfo', async () => {
    const browser = new NavigatingBrowser();
    const protectedUrl = `${apache.base}/protected/index.shtml`;
    const loginPage = await browser.follow(protectedUrl);
    expect(loginPage.chain[1]).toMatch(new RegExp(`^${t.issuer}/auth\\?`));
    expect(new URL(loginPage.chain[1]!).searchParams.get('scope')).toBe('openid profile email wecom');
    const page = await signInOnLoginPage(browser, loginPage, 'ZhangSan');
    expect(page.status, `${page.url}\n${page.body.slice(0, 500)}${apache.errorLog()}`).toBe(200);
    expect(page.body).toContain('<span id="remote-user">ZhangSan</span>');
    expect(page.body).toContain(`<span id="sub">${await subjectOf(t, 'ZhangSan')}</span>`);
    // mod_auth_openidc joins an array claim with ","
    expect(page.body).toContain('<span id="groups">总部,研发部</span>');

    // the control: the same session, a location that requires 市场部
    const refused = await browser.follow(`${apache.base}/marketing/`);
    expect([401, 403], `${refused.status} ${refused.url}`).toContain(refused.status);
  });
});
