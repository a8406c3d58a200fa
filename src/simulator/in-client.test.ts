import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MEMBER_COOKIE, SIMULATOR_LABEL } from './constants.js';
import { DEMO_MEMBERS, DEMO_USERIDS } from './directory.js';
import {
  CALLBACK,
  type PageForm,
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

function authorizeUrl(overrides: Record<string, string | undefined> = {}): string {
  const params: Record<string, string | undefined> = {
    appid: TEST_CORP,
    redirect_uri: CALLBACK,
    response_type: 'code',
    scope: 'snsapi_base',
    state: 'abc123',
    agentid: TEST_APPS.a.agentId,
    ...overrides,
  };
  const query = new URLSearchParams(Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined));
  return `${harness.base}/connect/oauth2/authorize?${query.toString()}`;
}

const asMember = (userid: string) => ({ cookie: `${MEMBER_COOKIE}=${userid}` });

function codeFrom(response: Response): string | null {
  return new URL(response.headers.get('location')!).searchParams.get('code');
}

describe('who is signed into the simulated WeCom client', () => {
  it('without the cookie, a labelled page asks which member; only members are offered', async () => {
    const response = await getPage(authorizeUrl());
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain(SIMULATOR_LABEL);
    const forms = formsOf(html);
    expect(forms.map((form) => form.fields.userid)).toEqual(DEMO_MEMBERS.map((member) => member.userid));
    expect(forms.every((form) => form.fields.openid === undefined)).toBe(true);
  });

  it('picking a member sets a Lax, path-scoped cookie and continues to the same authorize request', async () => {
    const forms = formsOf(await (await getPage(authorizeUrl())).text());
    const response = await submit(
      harness,
      forms.find((form) => form.fields.userid === 'LiSi')!,
    );
    expect(response.status).toBe(303);
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(new RegExp(`^${MEMBER_COOKIE}=LiSi; path=/wecom-simulator; samesite=lax; httponly`));
    const next = new URL(response.headers.get('location')!, harness.origin);
    expect(next.href).toBe(authorizeUrl());
    const back = await getPage(next.href, asMember('LiSi'));
    expect(back.status).toBe(302);
    expect(codeFrom(back)).toBeTruthy();
  });

  it('a non-member cannot sign into the client', async () => {
    const forms = formsOf(await (await getPage(authorizeUrl())).text());
    const response = await submit(harness, { ...forms[0]!, fields: { ...forms[0]!.fields, userid: 'oSomePersonalWeChat' } });
    expect(response.status).toBe(400);
    expect(response.headers.get('set-cookie')).toBeNull();
  });
});

describe('snsapi_base', () => {
  it('goes straight back with a code and the state', async () => {
    const response = await getPage(authorizeUrl(), asMember('zhangsan'));
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location')!);
    expect(location.searchParams.get('state')).toBe('abc123');
    const info = await callApi(harness, 'auth/getuserinfo', { access_token: await getToken(harness), code: codeFrom(response)! });
    expect(info).toEqual({ errcode: 0, errmsg: 'ok', userid: 'ZhangSan' });
  });

  it('returns a userid even for a member outside the visible scope; user/get then answers 60011', async () => {
    const response = await getPage(authorizeUrl(), asMember(DEMO_USERIDS.outsideScope));
    const token = await getToken(harness);
    const info = await callApi(harness, 'auth/getuserinfo', { access_token: token, code: codeFrom(response)! });
    expect(info.userid).toBe(DEMO_USERIDS.outsideScope);
    expect((await callApi(harness, 'user/get', { access_token: token, userid: info.userid as string })).errcode).toBe(60011);
  });

  it('without agentid, the code may be redeemed by any app of the corp', async () => {
    const response = await getPage(authorizeUrl({ agentid: undefined }), asMember('LiSi'));
    const info = await callApi(harness, 'auth/getuserinfo', { access_token: await getToken(harness, TEST_APPS.b), code: codeFrom(response)! });
    expect(info.userid).toBe('LiSi');
  });

  it('with agentid, the code is bound to that app (50001 for another)', async () => {
    const response = await getPage(authorizeUrl(), asMember('LiSi'));
    const info = await callApi(harness, 'auth/getuserinfo', { access_token: await getToken(harness, TEST_APPS.b), code: codeFrom(response)! });
    expect(info.errcode).toBe(50001);
  });
});

describe('snsapi_privateinfo', () => {
  async function consentForms(userid: string): Promise<PageForm[]> {
    const response = await getPage(authorizeUrl({ scope: 'snsapi_privateinfo' }), asMember(userid));
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain(SIMULATOR_LABEL);
    return formsOf(html);
  }

  it('shows a consent page; accepting yields a code with a user_ticket, which getuserdetail honours', async () => {
    const forms = await consentForms('LiSi');
    const accept = forms.find((form) => form.fields.decision === 'accept')!;
    const response = await submit(harness, accept, asMember('LiSi'));
    expect(response.status).toBe(302);
    expect(new URL(response.headers.get('location')!).searchParams.get('state')).toBe('abc123');
    const token = await getToken(harness);
    const info = await callApi(harness, 'auth/getuserinfo', { access_token: token, code: codeFrom(response)! });
    expect(info).toMatchObject({ errcode: 0, userid: 'LiSi', user_ticket: expect.any(String) });
    const detail = await callApi(harness, 'auth/getuserdetail', { access_token: token }, { user_ticket: info.user_ticket });
    expect(detail).toMatchObject({ errcode: 0, userid: 'LiSi', email: 'lisi@example.com', mobile: '13800000002' });
  });

  it('declining returns to redirect_uri with the state and no code', async () => {
    const forms = await consentForms('LiSi');
    const response = await submit(
      harness,
      forms.find((form) => form.fields.decision === 'decline')!,
      asMember('LiSi'),
    );
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(`${CALLBACK}?state=abc123`);
  });

  it('offers to switch the client member, which clears the cookie and asks again', async () => {
    const forms = await consentForms('LiSi');
    const switchForm = forms.find((form) => form.action.endsWith('/sign-out'))!;
    const response = await submit(harness, switchForm, asMember('LiSi'));
    expect(response.status).toBe(303);
    expect(response.headers.get('set-cookie')).toMatch(new RegExp(`^${MEMBER_COOKIE}=;`));
  });

  it('without agentid is silently downgraded to snsapi_base: no consent, no user_ticket', async () => {
    const response = await getPage(authorizeUrl({ scope: 'snsapi_privateinfo', agentid: undefined }), asMember('LiSi'));
    expect(response.status).toBe(302);
    const info = await callApi(harness, 'auth/getuserinfo', { access_token: await getToken(harness), code: codeFrom(response)! });
    expect(info).toEqual({ errcode: 0, errmsg: 'ok', userid: 'LiSi' });
  });

  it('refuses a member outside the visible scope with an error page', async () => {
    const response = await getPage(authorizeUrl({ scope: 'snsapi_privateinfo' }), asMember(DEMO_USERIDS.outsideScope));
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('60011');
  });
});

describe('a bad in-client request gets an error page and never a redirect', () => {
  const cases: Array<[string, Record<string, string | undefined>, string]> = [
    ['a state with characters outside a-zA-Z0-9', { state: 'abc-123' }, '84025'],
    ['a state longer than 128 bytes', { state: 'a'.repeat(129) }, '84025'],
    ['a redirect_uri on another domain', { redirect_uri: 'https://evil.example/cb' }, 'evil.example'],
    ['a response_type other than code', { response_type: 'token' }, 'response_type'],
    ['an unknown scope', { scope: 'snsapi_userinfo' }, 'snsapi_userinfo'],
    ['an unknown corp', { appid: 'wwnosuchcorp' }, 'wwnosuchcorp'],
    ['an agentid that is not an app of the corp', { agentid: '42' }, '42'],
  ];
  it.each(cases)('%s', async (_name, overrides, mention) => {
    const response = await getPage(authorizeUrl(overrides), asMember('LiSi'));
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    const html = await response.text();
    expect(html).toContain(SIMULATOR_LABEL);
    expect(html).toContain(mention);
  });

  it('accepts a 128-character alphanumeric state and an empty one', async () => {
    for (const state of ['a'.repeat(128), '']) {
      const response = await getPage(authorizeUrl({ state }), asMember('LiSi'));
      expect(response.status).toBe(302);
    }
  });
});
