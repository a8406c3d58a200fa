import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../observability/log.js';
import { MEMBER_COOKIE, SIMULATOR_LABEL } from './constants.js';
import { createWeComSimulator } from './index.js';
import { CALLBACK, type SimulatorHarness, TEST_APPS, TEST_CORP, TRUSTED_DOMAIN, getPage, startSimulator } from './testing.test-helper.js';

let harness: SimulatorHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('mounting', () => {
  it('serves under a nested basePath and passes every other path to the host app', async () => {
    harness = await startSimulator({ basePath: '/oidc/wecom-simulator' });
    expect(await (await fetch(`${harness.origin}/oidc/other`)).text()).toBe('the host app');
    expect(await (await fetch(`${harness.origin}/oidc/wecom-simulatorx/cgi-bin/gettoken`)).text()).toBe('the host app');
    const token = await fetch(`${harness.base}/cgi-bin/gettoken?corpid=${TEST_CORP}&corpsecret=${TEST_APPS.a.secret}`);
    expect(((await token.json()) as { errcode: number }).errcode).toBe(0);
  });

  it('answers unknown paths under basePath with 404 and wrong methods with 405, like WeCom', async () => {
    harness = await startSimulator();
    expect((await fetch(`${harness.base}/cgi-bin/no-such-api`)).status).toBe(404);
    expect((await fetch(`${harness.base}/cgi-bin/gettoken`, { method: 'POST' })).status).toBe(405);
  });

  it('has a labelled landing page listing the apps (never their secrets) and the demo people', async () => {
    harness = await startSimulator();
    const html = await (await fetch(`${harness.base}/`)).text();
    expect(html).toContain(SIMULATOR_LABEL);
    expect(html).toContain(TEST_APPS.b.agentId);
    expect(html).toContain('ZhangSan');
    expect(html).not.toContain(TEST_APPS.a.secret);
  });

  it('serves the generated avatars and QR codes it links to', async () => {
    harness = await startSimulator();
    const avatar = await fetch(`${harness.base}/media/avatar/LiSi.svg`);
    expect(avatar.status).toBe(200);
    expect(avatar.headers.get('content-type')).toContain('image/svg+xml');
    expect(await avatar.text()).toContain('李');
    expect((await fetch(`${harness.base}/media/qr/LiSi.svg`)).status).toBe(200);
    expect((await fetch(`${harness.base}/media/avatar/nobody.svg`)).status).toBe(404);
  });
});

describe('every HTML page', () => {
  it('carries the simulator label and the CSP', async () => {
    harness = await startSimulator();
    const qr = (query: string) => `${harness!.base}/wwlogin/sso/login?${query}`;
    const oauth = (query: string) => `${harness!.base}/connect/oauth2/authorize?${query}`;
    const redirect = encodeURIComponent(CALLBACK);
    const lisi = { cookie: `${MEMBER_COOKIE}=LiSi` };
    const pages: Array<[string, Record<string, string>]> = [
      [`${harness.base}/`, {}],
      [qr(`login_type=CorpApp&appid=${TEST_CORP}&agentid=1000002&redirect_uri=${redirect}&state=s`), {}],
      [qr(`login_type=CorpApp&appid=${TEST_CORP}&agentid=1000002&redirect_uri=x&state=s`), {}],
      [oauth(`appid=${TEST_CORP}&redirect_uri=${redirect}&response_type=code&scope=snsapi_base&state=s`), {}],
      [oauth(`appid=${TEST_CORP}&redirect_uri=${redirect}&response_type=code&scope=snsapi_privateinfo&state=s&agentid=1000002`), lisi],
      [oauth(`appid=${TEST_CORP}&redirect_uri=${redirect}&response_type=code&scope=snsapi_base&state=s-s`), lisi],
    ];
    for (const [url, headers] of pages) {
      const response = await getPage(url, headers);
      expect(response.headers.get('content-type'), url).toContain('text/html');
      expect(await response.text(), url).toContain(SIMULATOR_LABEL);
      expect(response.headers.get('content-security-policy'), url).toContain("default-src 'none'");
    }
  });
});

describe('creation', () => {
  const valid = () => ({ apps: [TEST_APPS.a], trustedDomain: TRUSTED_DOMAIN, basePath: '/wecom-simulator', log: createMemoryLogger() });

  it('warns once that the simulator is active', () => {
    const log = createMemoryLogger();
    createWeComSimulator({ ...valid(), log });
    const warnings = log.lines.map((line) => JSON.parse(line) as { level: string; msg: string }).filter((line) => line.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toContain('WeCom simulator is active');
    expect(log.lines.join('\n')).not.toContain(TEST_APPS.a.secret);
  });

  it('refuses a malformed basePath or trustedDomain, no apps, or the same app twice', () => {
    expect(() => createWeComSimulator({ ...valid(), basePath: 'wecom' })).toThrow(/basePath/);
    expect(() => createWeComSimulator({ ...valid(), basePath: '/wecom/' })).toThrow(/basePath/);
    expect(() => createWeComSimulator({ ...valid(), trustedDomain: 'http://localhost:3000' })).toThrow(/trustedDomain/);
    expect(() => createWeComSimulator({ ...valid(), trustedDomain: 'localhost:3000/path' })).toThrow(/trustedDomain/);
    expect(() => createWeComSimulator({ ...valid(), apps: [] })).toThrow(/at least one app/);
    expect(() => createWeComSimulator({ ...valid(), apps: [TEST_APPS.a, TEST_APPS.a] })).toThrow(/twice/);
  });

  it('issueLoginCode refuses unknown apps and people', () => {
    const simulator = createWeComSimulator(valid());
    expect(() => simulator.issueLoginCode({ corpId: TEST_CORP, agentId: '1', userid: 'LiSi' })).toThrow(/no app/);
    expect(() => simulator.issueLoginCode({ corpId: TEST_CORP, agentId: '1000002', userid: 'nobody' })).toThrow(/no demo member/);
    expect(() => simulator.issueLoginCode({ corpId: TEST_CORP, agentId: '1000002' })).toThrow(/userid or an openid/);
    expect(simulator.issueLoginCode({ corpId: TEST_CORP, agentId: '1000002', userid: 'lisi' })).toMatch(/^[\w-]{20,512}$/);
  });

  it('uses the injected clock', async () => {
    let now = 1_700_000_000_000;
    harness = await startSimulator({ now: () => now });
    const code = harness.simulator.issueLoginCode({ corpId: TEST_CORP, agentId: '1000002', userid: 'LiSi' });
    now += 5 * 60 * 1000;
    const token = await fetch(`${harness.base}/cgi-bin/gettoken?corpid=${TEST_CORP}&corpsecret=${TEST_APPS.a.secret}`);
    const { access_token: accessToken } = (await token.json()) as { access_token: string };
    const info = await fetch(`${harness.base}/cgi-bin/auth/getuserinfo?access_token=${accessToken}&code=${code}`);
    expect(((await info.json()) as { errcode: number }).errcode).toBe(40029);
  });
});
