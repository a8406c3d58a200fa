import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../observability/log.js';
import { WeComClient, type WeComClientOptions } from './client.js';
import { WeComError, WeComTransportError } from './errors.js';
import { AccessTokenCache } from './token-cache.js';
import { APP, FakeWeCom, wecomError, type Reply } from './fake-wecom.test-helper.js';

const GETTOKEN = '/cgi-bin/gettoken';
const USER_GET = '/cgi-bin/user/get';
const GETUSERINFO = '/cgi-bin/auth/getuserinfo';

let fake: FakeWeCom;
let log: ReturnType<typeof createMemoryLogger>;

beforeEach(async () => {
  fake = await new FakeWeCom().start();
  log = createMemoryLogger();
});

afterEach(async () => {
  await fake.close();
});

function client(options: Partial<WeComClientOptions> = {}): WeComClient {
  return new WeComClient({ endpoints: { apiBase: fake.baseUrl, timeoutMs: 2_000 }, log, ...options });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected the call to fail'),
    (error: unknown) => error,
  );
}

/** Nothing secret may reach a log line: not the secret, not a token, not a login code. */
function expectCleanLogs(...secrets: string[]): void {
  const all = log.lines.join('\n');
  for (const secret of [APP.secret, 'ACCESS-TOKEN', 'corpsecret', ...secrets]) expect(all).not.toContain(secret);
}

describe('access token caching', () => {
  it('20 sequential calls cost exactly one gettoken', async () => {
    const wecom = client();
    for (let i = 0; i < 20; i += 1) await wecom.getAccessToken(APP);
    expect(fake.count(GETTOKEN)).toBe(1);
  });

  it('20 concurrent calls on a cold cache share one gettoken', async () => {
    const wecom = client();
    const tokens = await Promise.all(Array.from({ length: 20 }, () => wecom.getAccessToken(APP)));
    expect(new Set(tokens).size).toBe(1);
    expect(fake.count(GETTOKEN)).toBe(1);
  });

  it('refreshes once when 5 minutes or less remain, not before', async () => {
    let now = 1_700_000_000_000;
    const wecom = client({ now: () => now });
    const first = await wecom.getAccessToken(APP);
    now += (7200 - 301) * 1000;
    expect(await wecom.getAccessToken(APP)).toBe(first);
    expect(fake.count(GETTOKEN)).toBe(1);
    now += 1000; // exactly 300 s left
    const refreshed = await Promise.all(Array.from({ length: 5 }, () => wecom.getAccessToken(APP)));
    expect(fake.count(GETTOKEN)).toBe(2);
    expect(new Set(refreshed).size).toBe(1);
    expect(refreshed[0]).not.toBe(first);
    expectCleanLogs();
  });

  it('keeps the base path of apiBase (the simulator is mounted under one)', async () => {
    await client().getAccessToken(APP);
    expect(fake.calls[0]?.path).toBe(GETTOKEN);
    expect(fake.calls[0]?.query.get('corpid')).toBe(APP.corpId);
  });
});

describe('dead tokens (40014 / 42001)', () => {
  it.each([42001, 40014])('%i on user/get: one invalidate, one refresh, one retry', async (errcode) => {
    const wecom = client();
    await wecom.getAccessToken(APP);
    fake.script(USER_GET, wecomError(errcode, 'access_token invalid, hint: [abc123]'));
    const member = await wecom.getMember(APP, 'zhangsan');
    expect(member.userid).toBe('zhangsan');
    expect(fake.count(GETTOKEN)).toBe(2);
    expect(fake.count(USER_GET)).toBe(2);
    const [failed, retried] = fake.calls.filter((call) => call.path === USER_GET);
    expect(retried?.query.get('access_token')).not.toBe(failed?.query.get('access_token'));
    expectCleanLogs();
  });

  it.each([42001, 40014])('ten concurrent %i answers cause one refresh, not ten', async (errcode) => {
    const wecom = client();
    const old = await wecom.getAccessToken(APP);
    fake.validTokens.delete(old);
    fake.respond(USER_GET, (call, self) =>
      self.validTokens.has(call.query.get('access_token') ?? '')
        ? { json: { errcode: 0, errmsg: 'ok', userid: 'zhangsan', department: [1], status: 1 } }
        : wecomError(errcode, 'token no good'),
    );
    const members = await Promise.all(Array.from({ length: 10 }, () => wecom.getMember(APP, 'zhangsan')));
    expect(members.every((member) => member.userid === 'zhangsan')).toBe(true);
    expect(fake.count(GETTOKEN)).toBe(2);
    expect(fake.count(USER_GET)).toBe(20);
  });

  it('retries only once: a second dead-token answer propagates', async () => {
    const wecom = client();
    fake.script(USER_GET, wecomError(42001), wecomError(42001));
    const error = await rejection(wecom.getMember(APP, 'zhangsan'));
    expect(error).toBeInstanceOf(WeComError);
    expect((error as WeComError).errcode).toBe(42001);
    expect((error as WeComError).category).toBe('token');
    expect(fake.count(GETTOKEN)).toBe(2);
    expect(fake.count(USER_GET)).toBe(2);
  });
});

describe('configuration errors are never retried', () => {
  it.each([40001, 40013, 40091])('%i on gettoken: one call, then a configuration error', async (errcode) => {
    fake.script(GETTOKEN, wecomError(errcode, 'invalid credential, hint: [x1]'));
    const wecom = client();
    const error = await rejection(wecom.getMember(APP, 'zhangsan'));
    expect(error).toBeInstanceOf(WeComError);
    expect(error).toMatchObject({ errcode, category: 'configuration', api: 'gettoken' });
    expect(fake.count(GETTOKEN)).toBe(1);
    expect(fake.count(USER_GET)).toBe(0);
  });

  it('a wrong secret reaches WeCom once per attempt, shared by concurrent callers', async () => {
    const wecom = client();
    const wrong = { ...APP, secret: 'wrong-secret-value' };
    const errors = await Promise.all(Array.from({ length: 5 }, () => rejection(wecom.getAccessToken(wrong))));
    expect(new Set(errors).size).toBe(1);
    expect(errors[0]).toMatchObject({ errcode: 40001, category: 'configuration' });
    expect(fake.count(GETTOKEN)).toBe(1);
    // A failure is not cached: the next caller asks again (once).
    await rejection(wecom.getAccessToken(wrong));
    expect(fake.count(GETTOKEN)).toBe(2);
    expectCleanLogs('wrong-secret-value');
  });

  it('60020 carries the caller IP into describe(), not the raw errmsg', async () => {
    fake.script(
      GETTOKEN,
      wecomError(60020, 'not allow to access from your ip, hint: [1700000000_12_abc], from ip: 203.0.113.7, more info at https://x'),
    );
    const error = (await rejection(client().getAccessToken(APP))) as WeComError;
    expect(error.fromIp).toBe('203.0.113.7');
    expect(error.hint).toBe('1700000000_12_abc');
    expect(error.describe('en')).toContain('203.0.113.7');
    expect(error.describe('zh-CN')).toContain('203.0.113.7');
    expect(error.describe('zh-CN')).toContain('企业可信IP');
    expect(error.message).not.toContain('not allow to access');
    expect(log.lines.some((line) => line.includes('"errcode":60020') && line.includes('203.0.113.7'))).toBe(true);
  });

  it('40029 (code used or expired) propagates without retry', async () => {
    const error = await rejection(client().exchangeLoginCode(APP, 'stale-code'));
    expect(error).toMatchObject({ errcode: 40029, category: 'login' });
    expect(fake.count(GETUSERINFO)).toBe(1);
    expectCleanLogs('stale-code');
  });

  it('45009 (rate limit) propagates without retry', async () => {
    fake.script(USER_GET, wecomError(45009, 'api freq out of limit'));
    const error = await rejection(client().getMember(APP, 'zhangsan'));
    expect(error).toMatchObject({ errcode: 45009, category: 'rate_limit' });
    expect(fake.count(USER_GET)).toBe(1);
  });
});

describe('WeCom busy (-1)', () => {
  it('is retried with backoff, at most 3 tries, then the error propagates', async () => {
    fake.script(USER_GET, wecomError(-1), wecomError(-1), wecomError(-1), wecomError(-1));
    const wecom = client();
    await wecom.getAccessToken(APP);
    const started = Date.now();
    const error = await rejection(wecom.getMember(APP, 'zhangsan'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    expect(error).toMatchObject({ errcode: -1, category: 'busy' });
    expect(fake.count(USER_GET)).toBe(3);
    expect(log.lines.filter((line) => line.includes('"errcode":-1'))).toHaveLength(3);
  });

  it('succeeds when WeCom recovers within the tries', async () => {
    fake.script(GETTOKEN, wecomError(-1), wecomError(-1));
    const token = await client({ busyRetryDelaysMs: [1, 1] }).getAccessToken(APP);
    expect(token).toMatch(/^ACCESS-TOKEN-/);
    expect(fake.count(GETTOKEN)).toBe(3);
  });
});

describe('transport failures never leak the query', () => {
  const leaks = (error: unknown, token?: string) => {
    const text = `${String(error)} ${(error as Error).stack ?? ''} ${JSON.stringify(error)}`;
    expect(error).toBeInstanceOf(WeComTransportError);
    expect((error as WeComTransportError).category).toBe('transport');
    expect((error as Error).cause).toBeUndefined();
    expect(text).not.toContain(APP.secret);
    expect(text).not.toContain('corpsecret');
    expect(text).not.toContain('access_token=');
    if (token) expect(text).not.toContain(token);
  };

  it('server drops the connection on gettoken, twice: retried once, then the error', async () => {
    fake.script(GETTOKEN, { destroy: true }, { destroy: true });
    const error = await rejection(client().getAccessToken(APP));
    leaks(error);
    expect(error).toMatchObject({ api: 'gettoken', reason: 'network', notSent: false });
    expect(fake.count(GETTOKEN)).toBe(2);
    expectCleanLogs();
  });

  it.each<[string, Reply]>([
    ['a dropped connection', { destroy: true }],
    ['an HTTP 502', { status: 502, text: 'bad gateway' }],
    ['an answer that is not JSON', { status: 200, text: '<html>captive portal</html>' }],
  ])('one %s on an idempotent call is retried and nobody notices', async (_name, fault) => {
    fake.script(GETTOKEN, fault);
    expect(await client().getAccessToken(APP)).toBeTruthy();
    fake.script(USER_GET, fault);
    expect((await client().getMember(APP, 'zhangsan')).userid).toBe('zhangsan');
    expect(fake.count(USER_GET)).toBe(2);
  });

  it('one hang costs the response timeout, not the whole budget, and is retried', async () => {
    const wecom = client({ endpoints: { apiBase: fake.baseUrl, timeoutMs: 3_000, responseTimeoutMs: 300 } });
    await wecom.getAccessToken(APP);
    fake.script(USER_GET, { hang: true });
    const started = Date.now();
    expect((await wecom.getMember(APP, 'zhangsan')).userid).toBe('zhangsan');
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(fake.count(USER_GET)).toBe(2);
  });

  it('a login code is sent again only when the first try never left (connection refused)', async () => {
    const url = fake.baseUrl;
    const tokenCache = new AccessTokenCache();
    await client({ tokenCache }).getAccessToken(APP);
    await fake.close();
    await new Promise((resolve) => setTimeout(resolve, 100)); // let the agent drop its idle sockets
    const wecom = new WeComClient({ endpoints: { apiBase: url, timeoutMs: 2_000 }, log, tokenCache });
    const error = await rejection(wecom.exchangeLoginCode(APP, 'member-code'));
    expect((error as Error).message).toBe('auth/getuserinfo: network error (ECONNREFUSED)');
    expect(error).toMatchObject({ notSent: true });
    const attempts = log.lines.filter((line) => line.includes('"api":"auth/getuserinfo"') && line.includes('could not be reached'));
    expect(attempts.map((line) => JSON.parse(line).attempt)).toEqual([1, 2]);
    fake = await new FakeWeCom().start();
  });

  it('a login code is not sent twice after a failure that may have reached WeCom', async () => {
    fake.script(GETUSERINFO, { destroy: true });
    const error = await rejection(client().exchangeLoginCode(APP, 'member-code'));
    expect(error).toMatchObject({ api: 'auth/getuserinfo', reason: 'network', notSent: false });
    expect(fake.count(GETUSERINFO)).toBe(1);
  });

  it('timeout on user/get does not leak the token', async () => {
    const wecom = client({ endpoints: { apiBase: fake.baseUrl, timeoutMs: 200 } });
    const token = await wecom.getAccessToken(APP);
    fake.script(USER_GET, { hang: true });
    const error = await rejection(wecom.getMember(APP, 'zhangsan'));
    leaks(error, token);
    expect(error).toMatchObject({ api: 'user/get', reason: 'timeout' });
    expect((error as Error).message).toBe('user/get: request timed out after 200 ms');
    expectCleanLogs();
  });

  it('an HTTP 502 from a proxy', async () => {
    fake.script(GETTOKEN, { status: 502, text: '<html>bad gateway</html>' }, { status: 502, text: '<html>bad gateway</html>' });
    const error = await rejection(client().getAccessToken(APP));
    leaks(error);
    expect(error).toMatchObject({ reason: 'http_status', status: 502 });
  });

  it('an answer that is not JSON', async () => {
    fake.script(GETTOKEN, { status: 200, text: '<html>captive portal</html>' }, { status: 200, text: '<html>captive portal</html>' });
    const error = await rejection(client().getAccessToken(APP));
    leaks(error);
    expect(error).toMatchObject({ reason: 'invalid_response' });
  });

  it('JSON without errcode, or a success without access_token', async () => {
    fake.script(GETTOKEN, { json: { hello: 'world' } }, { json: { hello: 'world' } }, { json: { errcode: 0, errmsg: 'ok' } });
    leaks(await rejection(client().getAccessToken(APP)));
    const error = await rejection(client().getAccessToken(APP));
    leaks(error);
    expect((error as Error).message).toContain('access_token');
  });

  it('nothing listening at all', async () => {
    const url = fake.baseUrl;
    await fake.close();
    const error = await rejection(new WeComClient({ endpoints: { apiBase: url, timeoutMs: 1_000 }, log }).getAccessToken(APP));
    leaks(error);
    expect((error as Error).message).toBe('gettoken: network error (ECONNREFUSED)');
    expect(error).toMatchObject({ notSent: true });
    fake = await new FakeWeCom().start();
  });
});

describe('login code exchange', () => {
  it('a member gets kind "member" with their userid', async () => {
    expect(await client().exchangeLoginCode(APP, 'member-code')).toEqual({ kind: 'member', userid: 'zhangsan' });
    const call = fake.calls.find((c) => c.path === GETUSERINFO);
    expect(call?.query.get('code')).toBe('member-code');
    expectCleanLogs('member-code');
  });

  it('in-client privateinfo also yields a user_ticket', async () => {
    expect(await client().exchangeLoginCode(APP, 'ticket-code')).toEqual({
      kind: 'member',
      userid: 'zhangsan',
      userTicket: 'TICKET-1',
    });
  });

  it('a non-member (openid) is never a member', async () => {
    expect(await client().exchangeLoginCode(APP, 'outsider-code')).toEqual({
      kind: 'non_member',
      openid: 'oOPENID123',
      externalUserid: 'wmEXT1',
    });
  });

  it('the legacy capitalised answer (UserId) is not mistaken for a member', async () => {
    fake.script(GETUSERINFO, { json: { errcode: 0, errmsg: 'ok', UserId: 'zhangsan', DeviceId: 'x' } });
    const error = await rejection(client().exchangeLoginCode(APP, 'member-code'));
    expect(error).toMatchObject({ reason: 'invalid_response' });
  });

  it('an empty or oversized code never reaches WeCom', async () => {
    expect(await rejection(client().exchangeLoginCode(APP, ''))).toMatchObject({ errcode: 41008 });
    expect(await rejection(client().exchangeLoginCode(APP, 'x'.repeat(513)))).toMatchObject({ errcode: 40029 });
    expect(fake.count(GETUSERINFO)).toBe(0);
  });

  it('a code from another app (50001) is a configuration error', async () => {
    fake.script(GETUSERINFO, wecomError(50001, 'redirect_url domain not match'));
    const error = (await rejection(client().exchangeLoginCode(APP, 'member-code'))) as WeComError;
    expect(error.category).toBe('configuration');
    expect(error.describe('en')).toMatch(/trusted domain|another app/);
  });
});

describe('member, detail and department', () => {
  it('user/get answers a typed member', async () => {
    expect(await client().getMember(APP, 'zhangsan')).toEqual({
      userid: 'zhangsan',
      name: '张三',
      department: [1, 2],
      status: 1,
    });
  });

  it('a member outside the visible scope is a member-category error', async () => {
    fake.script(USER_GET, wecomError(60011, 'no privilege to access/modify contact/party/agent'));
    expect(await rejection(client().getMember(APP, 'zhangsan'))).toMatchObject({ errcode: 60011, category: 'member' });
  });

  it('getuserdetail posts the ticket as JSON and drops fields of the wrong type', async () => {
    const wecom = client();
    const detail = await wecom.getUserDetail(APP, 'TICKET-1');
    expect(detail).toEqual({
      userid: 'zhangsan',
      gender: '1',
      avatar: 'https://wework.qpic.cn/avatar/0',
      mobile: '13800000000',
      email: 'zs@example.com',
      biz_mail: 'zhangsan@corp.example',
    });
    expect(fake.calls.find((c) => c.path === '/cgi-bin/auth/getuserdetail')?.body).toEqual({ user_ticket: 'TICKET-1' });
    fake.script('/cgi-bin/auth/getuserdetail', {
      json: { errcode: 0, errmsg: 'ok', userid: 'zhangsan', gender: 2, mobile: null, email: 42 },
    });
    expect(await wecom.getUserDetail(APP, 'TICKET-1')).toEqual({ userid: 'zhangsan', gender: '2' });
    expectCleanLogs('TICKET-1');
  });

  it('department/get answers the department', async () => {
    expect(await client().getDepartment(APP, 7)).toEqual({ id: 7, name: '研发部', name_en: 'R&D', parentid: 1, order: 10 });
    expect(fake.calls.find((c) => c.path === '/cgi-bin/department/get')?.query.get('id')).toBe('7');
  });
});
