import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_USERIDS, DEMO_WECHAT_USER } from './directory.js';
import { type SimulatorHarness, TEST_APPS, TEST_CORP, callApi, getToken, startSimulator } from './testing.test-helper.js';

let harness: SimulatorHarness;
beforeEach(async () => {
  harness = await startSimulator();
});
afterEach(() => harness.close());

const FIVE_MINUTES = 5 * 60 * 1000;

function code(userid: string = DEMO_USERIDS.active, app = TEST_APPS.a, userTicket = false): string {
  return harness.simulator.issueLoginCode({ corpId: app.corpId, agentId: app.agentId, userid, userTicket });
}

describe('gettoken', () => {
  it('answers a long access_token valid for 7200 s', async () => {
    const result = await callApi(harness, 'gettoken', { corpid: TEST_CORP, corpsecret: TEST_APPS.a.secret });
    expect(result).toMatchObject({ errcode: 0, errmsg: 'ok', expires_in: 7200 });
    expect(String(result.access_token).length).toBeGreaterThanOrEqual(64);
  });

  it('mints a new token per call without revoking the earlier ones', async () => {
    const first = await getToken(harness);
    const second = await getToken(harness);
    expect(second).not.toBe(first);
    for (const token of [first, second]) {
      expect((await callApi(harness, 'user/get', { access_token: token, userid: 'LiSi' })).errcode).toBe(0);
    }
  });

  it('answers 41004 without a secret (checked before the corpid), 41002 without a corpid', async () => {
    expect((await callApi(harness, 'gettoken')).errcode).toBe(41004);
    expect((await callApi(harness, 'gettoken', { corpsecret: 'x' })).errcode).toBe(41002);
  });

  it('answers 40013 for an unknown corpid and 40001 for a secret of no app of the corp', async () => {
    expect((await callApi(harness, 'gettoken', { corpid: 'wwnosuchcorp', corpsecret: TEST_APPS.a.secret })).errcode).toBe(40013);
    const wrong = await callApi(harness, 'gettoken', { corpid: TEST_CORP, corpsecret: TEST_APPS.other.secret });
    expect(wrong.errcode).toBe(40001);
  });

  it('writes errmsg in WeCom style, with a hint, the caller IP and the lookup link', async () => {
    const result = await callApi(harness, 'gettoken', { corpid: TEST_CORP, corpsecret: 'wrong' });
    expect(result.errmsg).toMatch(
      /^invalid credential, hint: \[\d+_\d+_[0-9a-f]{32}\], from ip: 127\.0\.0\.1, more info at https:\/\/open\.work\.weixin\.qq\.com\/devtool\/query\?e=40001$/,
    );
  });

  it("answers 60020 when the caller's IP is not one of the app's trusted IPs, naming that IP", async () => {
    const result = await callApi(harness, 'gettoken', { corpid: TEST_CORP, corpsecret: TEST_APPS.c.secret });
    expect(result.errcode).toBe(60020);
    expect(result.errmsg).toContain('not allow to access from your ip');
    expect(result.errmsg).toContain('from ip: 127.0.0.1');
  });

  it('lets a trusted IP through', async () => {
    await harness.close();
    harness = await startSimulator({ apps: [{ ...TEST_APPS.c, trustedIps: ['127.0.0.1'] }] });
    expect(await getToken(harness, TEST_APPS.c)).toBeTruthy();
  });
});

describe('access_token checks', () => {
  it('answers 41001 without a token and 40014 for an unknown one', async () => {
    expect((await callApi(harness, 'user/get', { userid: 'LiSi' })).errcode).toBe(41001);
    expect((await callApi(harness, 'department/get', { access_token: 'nope', id: '1' })).errcode).toBe(40014);
  });

  it('answers 42001 once the token is 7200 s old, and not before', async () => {
    const token = await getToken(harness);
    harness.simulator.advanceClock(7199 * 1000);
    expect((await callApi(harness, 'user/get', { access_token: token, userid: 'LiSi' })).errcode).toBe(0);
    harness.simulator.advanceClock(1000);
    const result = await callApi(harness, 'user/get', { access_token: token, userid: 'LiSi' });
    expect(result.errcode).toBe(42001);
    expect(result.errmsg).toContain('access_token expired');
  });

  it('answers 40014 after invalidateAccessTokens, as after a secret reset; a new token works', async () => {
    const token = await getToken(harness);
    harness.simulator.invalidateAccessTokens();
    expect((await callApi(harness, 'user/get', { access_token: token, userid: 'LiSi' })).errcode).toBe(40014);
    const fresh = await getToken(harness);
    expect((await callApi(harness, 'user/get', { access_token: fresh, userid: 'LiSi' })).errcode).toBe(0);
  });

  it('invalidates only the named corp', async () => {
    const ours = await getToken(harness);
    const theirs = await getToken(harness, TEST_APPS.other);
    harness.simulator.invalidateAccessTokens(TEST_APPS.other.corpId);
    expect((await callApi(harness, 'user/get', { access_token: ours, userid: 'LiSi' })).errcode).toBe(0);
    expect((await callApi(harness, 'user/get', { access_token: theirs, userid: 'LiSi' })).errcode).toBe(40014);
  });
});

describe('auth/getuserinfo', () => {
  it('answers the member userid in its canonical case', async () => {
    const token = await getToken(harness);
    const result = await callApi(harness, 'auth/getuserinfo', { access_token: token, code: code('zhangsan') });
    expect(result).toEqual({ errcode: 0, errmsg: 'ok', userid: 'ZhangSan' });
  });

  it('answers a non-member with an openid and no userid', async () => {
    const token = await getToken(harness);
    const nonMember = harness.simulator.issueLoginCode({ corpId: TEST_CORP, agentId: '1000002', openid: DEMO_WECHAT_USER.openid });
    const result = await callApi(harness, 'auth/getuserinfo', { access_token: token, code: nonMember });
    expect(result).toEqual({ errcode: 0, errmsg: 'ok', openid: DEMO_WECHAT_USER.openid });
  });

  it('answers 41008 without a code and 40029 for an unknown one', async () => {
    const token = await getToken(harness);
    expect((await callApi(harness, 'auth/getuserinfo', { access_token: token })).errcode).toBe(41008);
    const unknown = await callApi(harness, 'auth/getuserinfo', { access_token: token, code: 'made-up' });
    expect(unknown.errcode).toBe(40029);
    expect(unknown.errmsg).toContain('invalid code');
  });

  it('a reused code answers 40029', async () => {
    const token = await getToken(harness);
    const once = code();
    expect((await callApi(harness, 'auth/getuserinfo', { access_token: token, code: once })).errcode).toBe(0);
    expect((await callApi(harness, 'auth/getuserinfo', { access_token: token, code: once })).errcode).toBe(40029);
  });

  it('a code older than 5 minutes answers 40029; one just younger still works', async () => {
    const token = await getToken(harness);
    const young = code();
    const old = code();
    harness.simulator.advanceClock(FIVE_MINUTES - 1000);
    expect((await callApi(harness, 'auth/getuserinfo', { access_token: token, code: young })).errcode).toBe(0);
    harness.simulator.advanceClock(1000);
    expect((await callApi(harness, 'auth/getuserinfo', { access_token: token, code: old })).errcode).toBe(40029);
  });

  it('a code issued through another app answers 50001 and stays redeemable by its own app', async () => {
    const fromA = code();
    const tokenB = await getToken(harness, TEST_APPS.b);
    expect((await callApi(harness, 'auth/getuserinfo', { access_token: tokenB, code: fromA })).errcode).toBe(50001);
    const tokenOtherCorp = await getToken(harness, TEST_APPS.other);
    expect((await callApi(harness, 'auth/getuserinfo', { access_token: tokenOtherCorp, code: fromA })).errcode).toBe(50001);
    const tokenA = await getToken(harness);
    expect((await callApi(harness, 'auth/getuserinfo', { access_token: tokenA, code: fromA })).userid).toBe('ZhangSan');
  });

  it('returns a user_ticket only for privateinfo codes of members inside the visible scope', async () => {
    const token = await getToken(harness);
    const withTicket = await callApi(harness, 'auth/getuserinfo', { access_token: token, code: code('LiSi', TEST_APPS.a, true) });
    expect(withTicket.user_ticket).toEqual(expect.any(String));
    const outside = await callApi(harness, 'auth/getuserinfo', {
      access_token: token,
      code: code(DEMO_USERIDS.outsideScope, TEST_APPS.a, true),
    });
    expect(outside).toEqual({ errcode: 0, errmsg: 'ok', userid: DEMO_USERIDS.outsideScope });
  });
});

describe('user/get', () => {
  it('matches the userid case-insensitively and answers it in canonical case, without contact fields for new apps', async () => {
    const token = await getToken(harness);
    const result = await callApi(harness, 'user/get', { access_token: token, userid: 'ZHANGSAN' });
    expect(result).toEqual({
      errcode: 0,
      errmsg: 'ok',
      userid: 'ZhangSan',
      name: '张三',
      department: [1, 2],
      main_department: 2,
      position: '工程师',
      status: 1,
      alias: '',
      is_leader_in_dept: [0, 0],
      direct_leader: ['LiSi'],
      telephone: '020-12345678',
    });
  });

  it('adds avatar, gender, mobile, email, biz_mail and address for an app with legacyContactFields', async () => {
    const token = await getToken(harness, TEST_APPS.b);
    const lisi = await callApi(harness, 'user/get', { access_token: token, userid: 'lisi' });
    expect(lisi).toMatchObject({
      userid: 'LiSi',
      gender: '2',
      mobile: '13800000002',
      email: 'lisi@example.com',
      biz_mail: 'lisi@corp.example.com',
      address: expect.any(String),
      avatar: `${harness.base}/media/avatar/LiSi.svg`,
    });
    const zhangsan = await callApi(harness, 'user/get', { access_token: token, userid: 'ZhangSan' });
    expect(zhangsan).toMatchObject({ mobile: '13800000001', gender: '1' });
    expect(zhangsan).not.toHaveProperty('email');
    expect(zhangsan).not.toHaveProperty('biz_mail');
  });

  it('answers status 2, 4 and 5 for the disabled, not activated and departed members', async () => {
    const token = await getToken(harness);
    for (const [userid, status] of [
      [DEMO_USERIDS.disabled, 2],
      [DEMO_USERIDS.notActivated, 4],
      [DEMO_USERIDS.left, 5],
    ] as const) {
      expect((await callApi(harness, 'user/get', { access_token: token, userid })).status).toBe(status);
    }
  });

  it('answers 41009 without a userid, 60011 outside the visible scope, 60111 for deleted or unknown members', async () => {
    const token = await getToken(harness);
    expect((await callApi(harness, 'user/get', { access_token: token })).errcode).toBe(41009);
    const outside = await callApi(harness, 'user/get', { access_token: token, userid: DEMO_USERIDS.outsideScope });
    expect(outside.errcode).toBe(60011);
    expect(outside.errmsg).toContain('no privilege to access/modify contact/party/agent');
    const deleted = await callApi(harness, 'user/get', { access_token: token, userid: DEMO_USERIDS.deleted });
    expect(deleted.errcode).toBe(60111);
    expect(deleted.errmsg).toContain('userid not found');
    expect((await callApi(harness, 'user/get', { access_token: token, userid: 'nobody' })).errcode).toBe(60111);
  });
});

describe('auth/getuserdetail', () => {
  async function ticketFor(userid: string, app = TEST_APPS.a): Promise<{ token: string; ticket: string }> {
    const token = await getToken(harness, app);
    const info = await callApi(harness, 'auth/getuserinfo', { access_token: token, code: code(userid, app, true) });
    return { token, ticket: info.user_ticket as string };
  }

  it('answers the sensitive fields the member has, and a qr_code', async () => {
    const { token, ticket } = await ticketFor('LiSi');
    const detail = await callApi(harness, 'auth/getuserdetail', { access_token: token }, { user_ticket: ticket });
    expect(detail).toEqual({
      errcode: 0,
      errmsg: 'ok',
      userid: 'LiSi',
      gender: '2',
      avatar: `${harness.base}/media/avatar/LiSi.svg`,
      mobile: '13800000002',
      email: 'lisi@example.com',
      biz_mail: 'lisi@corp.example.com',
      address: expect.any(String),
      qr_code: `${harness.base}/media/qr/LiSi.svg`,
    });
  });

  it('leaves out the fields the member does not have', async () => {
    const { token, ticket } = await ticketFor('ZhangSan');
    const detail = await callApi(harness, 'auth/getuserdetail', { access_token: token }, { user_ticket: ticket });
    expect(detail).toMatchObject({ userid: 'ZhangSan', gender: '1', mobile: '13800000001' });
    expect(detail).not.toHaveProperty('email');
    expect(detail).not.toHaveProperty('biz_mail');
  });

  it('answers 84014 once the ticket is 1800 s old', async () => {
    const { ticket } = await ticketFor('LiSi');
    harness.simulator.advanceClock(1800 * 1000);
    const token = await getToken(harness);
    expect((await callApi(harness, 'auth/getuserdetail', { access_token: token }, { user_ticket: ticket })).errcode).toBe(84014);
  });

  it('answers 84090 without a ticket, 84015 for an unknown one or one from another app, 47001 for bad JSON', async () => {
    const { ticket } = await ticketFor('LiSi');
    const token = await getToken(harness);
    expect((await callApi(harness, 'auth/getuserdetail', { access_token: token }, {})).errcode).toBe(84090);
    expect((await callApi(harness, 'auth/getuserdetail', { access_token: token }, { user_ticket: 'x' })).errcode).toBe(84015);
    const tokenB = await getToken(harness, TEST_APPS.b);
    expect((await callApi(harness, 'auth/getuserdetail', { access_token: tokenB }, { user_ticket: ticket })).errcode).toBe(84015);
    const response = await fetch(`${harness.base}/cgi-bin/auth/getuserdetail?access_token=${token}`, { method: 'POST', body: '{not json' });
    expect(((await response.json()) as { errcode: number }).errcode).toBe(47001);
  });

  it('checks the token first (41001)', async () => {
    expect((await callApi(harness, 'auth/getuserdetail', {}, { user_ticket: 'x' })).errcode).toBe(41001);
  });
});

describe('department/get', () => {
  it('answers a visible department', async () => {
    const token = await getToken(harness);
    expect(await callApi(harness, 'department/get', { access_token: token, id: '2' })).toEqual({
      errcode: 0,
      errmsg: 'ok',
      department: { id: 2, name: '研发部', name_en: 'R&D', department_leader: ['LiSi'], parentid: 1, order: 99999000 },
    });
    expect((await callApi(harness, 'department/get', { access_token: token, id: '1' })).department).toMatchObject({ parentid: 0 });
  });

  it('answers 60123 for an unknown or missing id and 60011 outside the visible scope', async () => {
    const token = await getToken(harness);
    expect((await callApi(harness, 'department/get', { access_token: token, id: '99' })).errcode).toBe(60123);
    expect((await callApi(harness, 'department/get', { access_token: token })).errcode).toBe(60123);
    expect((await callApi(harness, 'department/get', { access_token: token, id: '3' })).errcode).toBe(60011);
  });
});

describe('fault injection and call counters', () => {
  it('failNext answers the injected errcode before any other check, for the given number of calls', async () => {
    harness.simulator.failNext('gettoken', -1, 2);
    const busy = await callApi(harness, 'gettoken', { corpid: TEST_CORP, corpsecret: TEST_APPS.a.secret });
    expect(busy).toMatchObject({ errcode: -1 });
    expect(busy.errmsg).toMatch(/^system busy, hint: /);
    expect((await callApi(harness, 'gettoken')).errcode).toBe(-1);
    expect(await getToken(harness)).toBeTruthy();
  });

  it('an injected getuserinfo failure does not consume the code', async () => {
    const token = await getToken(harness);
    const pending = code();
    harness.simulator.failNext('getuserinfo', 45009);
    expect((await callApi(harness, 'auth/getuserinfo', { access_token: token, code: pending })).errcode).toBe(45009);
    expect((await callApi(harness, 'auth/getuserinfo', { access_token: token, code: pending })).errcode).toBe(0);
  });

  it('counts every call, failed ones included', async () => {
    const token = await getToken(harness);
    await callApi(harness, 'gettoken');
    await callApi(harness, 'user/get', { access_token: token, userid: 'LiSi' });
    await callApi(harness, 'department/get', { access_token: token, id: '1' });
    await callApi(harness, 'auth/getuserinfo', { access_token: token, code: 'x' });
    await callApi(harness, 'auth/getuserdetail', { access_token: token }, { user_ticket: 'x' });
    expect(harness.simulator.calls).toEqual({
      gettoken: 2,
      getuserinfo: 1,
      'user/get': 1,
      getuserdetail: 1,
      'department/get': 1,
    });
  });

  it('rejects nonsense injections', () => {
    expect(() => harness.simulator.failNext('gettoken', 0)).toThrow();
    expect(() => harness.simulator.failNext('gettoken', -1, 0)).toThrow();
  });
});

describe('API responses', () => {
  it('are JSON, HTTP 200, never cached, and do not put the secret or token in logs', async () => {
    const response = await fetch(`${harness.base}/cgi-bin/gettoken?corpid=${TEST_CORP}&corpsecret=${TEST_APPS.a.secret}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const { access_token: token } = (await response.json()) as { access_token: string };
    await callApi(harness, 'user/get', { access_token: token, userid: 'LiSi' });
    const logs = harness.logLines.join('\n');
    expect(logs).not.toContain(TEST_APPS.a.secret);
    expect(logs).not.toContain(token);
  });
});
