import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SIMULATOR_LABEL, SIMULATOR_LABEL_ZH } from './constants.js';
import { DEMO_MEMBERS, DEMO_USERIDS, DEMO_WECHAT_USER } from './directory.js';
import {
  CALLBACK,
  type SimulatorHarness,
  TEST_APPS,
  TEST_CORP,
  callApi,
  formsOf,
  getPage,
  getToken,
  startSimulator,
  submit,
} from './testing.test-helper.js';

let harness: SimulatorHarness;
beforeEach(async () => {
  harness = await startSimulator();
});
afterEach(() => harness.close());

function loginUrl(overrides: Record<string, string | undefined> = {}): string {
  const params: Record<string, string | undefined> = {
    login_type: 'CorpApp',
    appid: TEST_CORP,
    agentid: TEST_APPS.a.agentId,
    redirect_uri: CALLBACK,
    state: 'state-123',
    lang: 'zh',
    ...overrides,
  };
  const query = new URLSearchParams(Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined));
  return `${harness.base}/wwlogin/sso/login?${query.toString()}`;
}

async function loginPageForms(overrides: Record<string, string | undefined> = {}) {
  const response = await getPage(loginUrl(overrides));
  expect(response.status).toBe(200);
  return formsOf(await response.text());
}

describe('the QR login page', () => {
  it('is labelled as the simulator and served with a strict CSP', async () => {
    const response = await getPage(loginUrl());
    const html = await response.text();
    expect(html).toContain(SIMULATOR_LABEL);
    expect(html).toContain(SIMULATOR_LABEL_ZH);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'self' http://localhost:3000 https://localhost:3000");
    expect(csp).not.toContain('script-src');
    expect(html).not.toContain('<script');
    expect(html).toContain('<svg class="qr"');
  });

  it('offers one form per demo person, plus the non-member, plus cancel', async () => {
    const forms = await loginPageForms();
    const people = forms.filter((form) => form.action.endsWith('/wwlogin/sso/confirm'));
    expect(people.map((form) => form.fields.userid ?? form.fields.openid)).toEqual([
      ...DEMO_MEMBERS.map((member) => member.userid),
      DEMO_WECHAT_USER.openid,
    ]);
    expect(people[0]?.button).toMatch(/^以 张三（ZhangSan）身份扫码 — /);
    expect(people[0]?.fields).toMatchObject({
      login_type: 'CorpApp',
      appid: TEST_CORP,
      agentid: '1000002',
      redirect_uri: CALLBACK,
      state: 'state-123',
    });
    expect(forms.filter((form) => form.action.endsWith('/wwlogin/sso/cancel'))).toHaveLength(1);
  });

  it('speaks English with lang=en', async () => {
    const forms = await loginPageForms({ lang: 'en' });
    expect(forms[0]?.button).toMatch(/^Scan as 张三 \(ZhangSan\) — active member/);
  });

  it('escapes what it echoes', async () => {
    const response = await getPage(loginUrl({ state: '"><script>alert(1)</script>' }));
    const html = await response.text();
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(formsOf(html)[0]?.fields.state).toBe('"><script>alert(1)</script>');
  });
});

describe('scanning on the QR page', () => {
  it('redirects to redirect_uri with a code and the state, and the code names the member', async () => {
    const forms = await loginPageForms();
    const lisi = forms.find((form) => form.fields.userid === DEMO_USERIDS.withEmail);
    const response = await submit(harness, lisi!);
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
    expect(location.searchParams.get('state')).toBe('state-123');
    const token = await getToken(harness);
    const info = await callApi(harness, 'auth/getuserinfo', { access_token: token, code: location.searchParams.get('code')! });
    expect(info).toEqual({ errcode: 0, errmsg: 'ok', userid: 'LiSi' });
  });

  it('appends to a redirect_uri that already has a query, keeping it as it was', async () => {
    const redirectUri = 'http://localhost:3000/cb?next=%2Fhome&x=a+b';
    const forms = await loginPageForms({ redirect_uri: redirectUri });
    const response = await submit(harness, forms[0]!);
    expect(response.headers.get('location')).toMatch(/^http:\/\/localhost:3000\/cb\?next=%2Fhome&x=a\+b&code=[\w-]+&state=state-123$/);
  });

  it('a non-member scan yields an openid', async () => {
    const forms = await loginPageForms();
    const wechat = forms.find((form) => form.fields.openid === DEMO_WECHAT_USER.openid);
    const code = new URL((await submit(harness, wechat!)).headers.get('location')!).searchParams.get('code')!;
    const info = await callApi(harness, 'auth/getuserinfo', { access_token: await getToken(harness), code });
    expect(info).toEqual({ errcode: 0, errmsg: 'ok', openid: DEMO_WECHAT_USER.openid });
  });

  it('cancel returns to redirect_uri with the state and no code', async () => {
    const forms = await loginPageForms();
    const cancel = forms.find((form) => form.action.endsWith('/cancel'));
    const response = await submit(harness, cancel!);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(`${CALLBACK}?state=state-123`);
  });

  it('re-checks the hidden fields: a tampered redirect_uri gets an error page, not a redirect', async () => {
    const forms = await loginPageForms();
    const tampered = { ...forms[0]!, fields: { ...forms[0]!.fields, redirect_uri: 'https://evil.example/steal' } };
    const response = await submit(harness, tampered);
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain(SIMULATOR_LABEL);
  });

  it('refuses an unknown person', async () => {
    const forms = await loginPageForms();
    const response = await submit(harness, { ...forms[0]!, fields: { ...forms[0]!.fields, userid: 'nobody' } });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });
});

describe('a bad QR login request gets an error page and never a redirect', () => {
  const cases: Array<[string, Record<string, string | undefined>, string]> = [
    ['redirect_uri on another domain', { redirect_uri: 'https://evil.example/cb' }, 'evil.example'],
    ['redirect_uri on the right host but another port', { redirect_uri: 'http://localhost:3001/cb' }, 'localhost:3001'],
    ['a relative redirect_uri', { redirect_uri: '/cb' }, 'http(s)'],
    ['no redirect_uri', { redirect_uri: undefined }, 'redirect_uri'],
    ['an unknown corp', { appid: 'wwnosuchcorp' }, 'wwnosuchcorp'],
    ['an agentid that is not an app of the corp', { agentid: '999' }, '999'],
    ['a login_type other than CorpApp', { login_type: 'ServiceApp' }, 'CorpApp'],
  ];
  it.each(cases)('%s', async (_name, overrides, mention) => {
    const response = await getPage(loginUrl(overrides));
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    const html = await response.text();
    expect(html).toContain(SIMULATOR_LABEL);
    expect(html).toContain(mention);
    expect(formsOf(html)).toHaveLength(0);
  });
});
