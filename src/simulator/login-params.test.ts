import { describe, expect, it } from 'vitest';
import { callbackUrl, checkRedirectUri, pickLang } from './login-params.js';

describe('callbackUrl', () => {
  const at = (redirectUri: string, result: { code?: string; state: string }) => callbackUrl(new URL(redirectUri), result);

  it('adds code and state as the query', () => {
    expect(at('http://localhost:3000/cb', { code: 'C', state: 'S' })).toBe('http://localhost:3000/cb?code=C&state=S');
  });

  it('appends to an existing query without re-encoding it', () => {
    expect(at('http://localhost:3000/cb?a=1&b=x%2By+z', { code: 'C', state: 'S' })).toBe('http://localhost:3000/cb?a=1&b=x%2By+z&code=C&state=S');
    expect(at('http://localhost:3000/cb?', { code: 'C', state: 'S' })).toBe('http://localhost:3000/cb?code=C&state=S');
  });

  it('keeps a fragment after the query', () => {
    expect(at('http://localhost:3000/cb#top', { code: 'C', state: 'S' })).toBe('http://localhost:3000/cb?code=C&state=S#top');
  });

  it('returns only the state after a cancel, encoded, even when empty', () => {
    expect(at('http://localhost:3000/cb', { state: 'a b&c' })).toBe('http://localhost:3000/cb?state=a%20b%26c');
    expect(at('http://localhost:3000/cb', { state: '' })).toBe('http://localhost:3000/cb?state=');
  });

  it('yields a header-safe URL for a non-ASCII path', () => {
    expect(at('http://localhost:3000/回调', { code: 'C', state: 'S' })).toBe('http://localhost:3000/%E5%9B%9E%E8%B0%83?code=C&state=S');
  });
});

describe('checkRedirectUri', () => {
  it('wants the exact host and port of the trusted domain', () => {
    expect(checkRedirectUri('http://localhost:3000/cb', 'localhost:3000').ok).toBe(true);
    expect(checkRedirectUri('https://LOCALHOST:3000/cb', 'localhost:3000').ok).toBe(true);
    expect(checkRedirectUri('http://localhost/cb', 'localhost:3000').ok).toBe(false);
    expect(checkRedirectUri('http://sub.localhost:3000/cb', 'localhost:3000').ok).toBe(false);
    expect(checkRedirectUri('https://example.com:443/cb', 'example.com').ok).toBe(true);
    expect(checkRedirectUri('javascript:alert(1)//localhost:3000', 'localhost:3000').ok).toBe(false);
  });
});

describe('pickLang', () => {
  it('prefers the lang parameter, then the browser, then Chinese', () => {
    expect(pickLang('en', 'zh-CN')).toBe('en');
    expect(pickLang(undefined, 'en-US,en;q=0.9')).toBe('en');
    expect(pickLang('fr', undefined)).toBe('zh');
  });
});
