import { describe, expect, it } from 'vitest';
import { UNKNOWN_ERRCODE, WECOM_ERRCODES, WeComError, WeComTransportError, errcodeEntry, isWeComFailure, parseFromIp } from './errors.js';

const CONTRACT_CODES = [
  -1, 40001, 40013, 40091, 40014, 42001, 40029, 45009, 45033, 48002, 50001, 60011, 60111, 60020, 301002, 41001, 41008, 41009, 60123,
];

describe('the errcode table', () => {
  it('says which answers open the gettoken breaker and what the member-related ones mean', () => {
    const codes = (pick: (entry: (typeof WECOM_ERRCODES)[number]) => unknown) =>
      Object.entries(WECOM_ERRCODES)
        .filter(([, entry]) => pick(entry))
        .map(([errcode]) => Number(errcode))
        .sort((a, b) => a - b);
    expect(codes((entry) => entry.opensBreaker)).toEqual([40001, 40013, 40091, 45009, 60020]);
    expect(Object.fromEntries(codes((entry) => entry.means).map((errcode) => [errcode, WECOM_ERRCODES[errcode]?.means]))).toEqual({
      40029: 'login_code_spent',
      60011: 'out_of_scope',
      60111: 'member_not_found',
      60123: 'department_not_found',
    });
    expect(new WeComError(40001, 'gettoken').opensBreaker).toBe(true);
    expect(new WeComError(60111, 'user/get').means).toBe('member_not_found');
    expect(new WeComError(99999, 'user/get').means).toBeUndefined();
  });

  it('has every errcode of the contract, each with an admin message in zh-CN and en', () => {
    for (const errcode of CONTRACT_CODES) {
      const entry = WECOM_ERRCODES[errcode];
      expect(entry, `errcode ${errcode}`).toBeDefined();
      for (const lang of ['zh-CN', 'en'] as const) {
        expect(entry?.messages[lang]({}).length, `${errcode} ${lang}`).toBeGreaterThan(20);
      }
    }
    expect(Object.keys(WECOM_ERRCODES).map(Number).sort()).toEqual([...CONTRACT_CODES].sort());
  });

  it('zh-CN messages are Chinese and en messages are not', () => {
    for (const entry of [...Object.values(WECOM_ERRCODES), UNKNOWN_ERRCODE]) {
      expect(entry.messages['zh-CN']({})).toMatch(/[\u4e00-\u9fff]/);
      expect(entry.messages.en({})).not.toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('only -1 backs off and only 40014/42001 refresh the token; bad secrets never retry', () => {
    const byPolicy = (policy: string) =>
      Object.entries(WECOM_ERRCODES)
        .filter(([, entry]) => entry.retry === policy)
        .map(([code]) => Number(code))
        .sort();
    expect(byPolicy('backoff')).toEqual([-1]);
    expect(byPolicy('refresh_token')).toEqual([40014, 42001]);
    for (const errcode of [40001, 40013, 40091]) expect(errcodeEntry(errcode)).toMatchObject({ category: 'configuration', retry: 'never' });
  });

  it('categorises as the contract says', () => {
    expect(errcodeEntry(40029).category).toBe('login');
    expect(errcodeEntry(45033).category).toBe('rate_limit');
    expect(errcodeEntry(60111).category).toBe('member');
    expect(errcodeEntry(301002).category).toBe('configuration');
    expect(errcodeEntry(48002).category).toBe('configuration');
    expect(errcodeEntry(50001).category).toBe('configuration');
  });

  it('unknown codes fall back without crashing, and inherited keys are not codes', () => {
    expect(errcodeEntry(99999)).toBe(UNKNOWN_ERRCODE);
    expect(errcodeEntry(Number('toString'))).toBe(UNKNOWN_ERRCODE);
    const error = new WeComError(99999, 'user/get', 'something new');
    expect(error.category).toBe('unknown');
    expect(error.describe('en')).toContain('99999');
  });
});

describe('WeComError', () => {
  it('never copies errmsg into its message', () => {
    const error = new WeComError(40001, 'gettoken', 'invalid credential, hint: [1700000000_99_secret-ish], from ip: 198.51.100.4');
    expect(error.message).toBe(`gettoken: ${WECOM_ERRCODES[40001]?.messages.en({})} (errcode 40001)`);
    expect(error.message).not.toContain('invalid credential');
    expect(error).toMatchObject({ errcode: 40001, api: 'gettoken', category: 'configuration', fromIp: '198.51.100.4' });
    expect(error.name).toBe('WeComError');
    expect(isWeComFailure(error)).toBe(true);
  });

  it('60020 names the IP to add to the trusted list, in both languages', () => {
    const error = new WeComError(60020, 'user/get', 'not allow to access from your ip, hint: [x], from ip: 203.0.113.9, more info at …');
    expect(error.fromIp).toBe('203.0.113.9');
    expect(error.message).toContain('203.0.113.9');
    expect(error.describe('en')).toMatch(/Add IP 203\.0\.113\.9 to the app's trusted IPs/);
    expect(error.describe('zh-CN')).toMatch(/203\.0\.113\.9.*企业可信IP.*错误码 60020/);
  });

  it('60020 without a parseable IP still tells the admin what to do', () => {
    const error = new WeComError(60020, 'user/get', 'from ip: <script>alert(1)</script>');
    expect(error.fromIp).toBeUndefined();
    expect(error.describe('en')).toContain("this server's public IP");
    expect(error.describe('en')).not.toContain('<script>');
  });

  it('parses IPv4 and IPv6 from errmsg and rejects garbage', () => {
    expect(parseFromIp('x, from ip: 10.0.0.1, more info')).toBe('10.0.0.1');
    expect(parseFromIp('from ip: 2001:db8::1.')).toBe('2001:db8::1');
    expect(parseFromIp('from ip: 999.1.1.1')).toBeUndefined();
    expect(parseFromIp(undefined)).toBeUndefined();
  });
});

describe('WeComTransportError', () => {
  it('is a transport-category error with an admin description', () => {
    const error = new WeComTransportError('gettoken', 'timeout', 'request timed out after 5000 ms');
    expect(error.category).toBe('transport');
    expect(error.message).toBe('gettoken: request timed out after 5000 ms');
    expect(error.describe('zh-CN')).toMatch(/[\u4e00-\u9fff]/);
    expect(isWeComFailure(error)).toBe(true);
    expect(isWeComFailure(new Error('x'))).toBe(false);
  });
});
