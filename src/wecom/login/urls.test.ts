import { describe, expect, it } from 'vitest';
import { buildInClientAuthorizeUrl, buildQrLoginUrl } from './urls.js';

const REDIRECT = 'https://sso.example.com:8443/interaction/abc/wecom/callback?x=1&y=2';

describe('buildQrLoginUrl', () => {
  it('builds the wwlogin URL with the redirect URI encoded once', () => {
    const url = buildQrLoginUrl({
      qrLoginBase: 'https://login.work.weixin.qq.com',
      corpId: 'ww0123456789abcdef',
      agentId: '1000002',
      redirectUri: REDIRECT,
      state: 'deadbeef',
      lang: 'en',
    });
    expect(url).toBe(
      'https://login.work.weixin.qq.com/wwlogin/sso/login?login_type=CorpApp&appid=ww0123456789abcdef&agentid=1000002' +
        '&redirect_uri=https%3A%2F%2Fsso.example.com%3A8443%2Finteraction%2Fabc%2Fwecom%2Fcallback%3Fx%3D1%26y%3D2' +
        '&state=deadbeef&lang=en',
    );
    expect(new URL(url).searchParams.get('redirect_uri')).toBe(REDIRECT);
  });

  it('keeps a base path (the simulator) and ignores trailing slashes', () => {
    const url = buildQrLoginUrl({
      qrLoginBase: 'http://127.0.0.1:3000/wecom-simulator/',
      corpId: 'ww1',
      agentId: '1',
      redirectUri: REDIRECT,
      state: 's',
      lang: 'zh',
    });
    expect(new URL(url).pathname).toBe('/wecom-simulator/wwlogin/sso/login');
    expect(new URL(url).searchParams.get('lang')).toBe('zh');
  });

  it('refuses an empty state', () => {
    expect(() => buildQrLoginUrl({ qrLoginBase: 'https://l', corpId: 'c', agentId: '1', redirectUri: REDIRECT, state: '', lang: 'zh' })).toThrow(
      RangeError,
    );
  });
});

describe('buildInClientAuthorizeUrl', () => {
  const base = {
    oauthBase: 'https://open.weixin.qq.com',
    corpId: 'ww0123456789abcdef',
    agentId: '1000002',
    redirectUri: REDIRECT,
    scope: 'snsapi_privateinfo' as const,
  };

  it('builds the OAuth URL in WeCom documented order, ending in #wechat_redirect', () => {
    const url = buildInClientAuthorizeUrl({ ...base, state: 'a1B2c3' });
    expect(url).toBe(
      'https://open.weixin.qq.com/connect/oauth2/authorize?appid=ww0123456789abcdef' +
        '&redirect_uri=https%3A%2F%2Fsso.example.com%3A8443%2Finteraction%2Fabc%2Fwecom%2Fcallback%3Fx%3D1%26y%3D2' +
        '&response_type=code&scope=snsapi_privateinfo&state=a1B2c3&agentid=1000002#wechat_redirect',
    );
  });

  it('keeps a base path', () => {
    const url = buildInClientAuthorizeUrl({ ...base, oauthBase: 'http://127.0.0.1:3000/sim', state: 'x', scope: 'snsapi_base' });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:3000\/sim\/connect\/oauth2\/authorize\?.*scope=snsapi_base.*#wechat_redirect$/);
  });

  it.each(['', 'has-dash', 'a'.repeat(129), 'état', 'a b'])('rejects state %j', (state) => {
    expect(() => buildInClientAuthorizeUrl({ ...base, state })).toThrow(RangeError);
  });

  it('accepts 128 alphanumerics', () => {
    expect(() => buildInClientAuthorizeUrl({ ...base, state: 'aB3'.repeat(42) + 'xy' })).not.toThrow();
  });
});
