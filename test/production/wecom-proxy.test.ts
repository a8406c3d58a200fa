/**
 * WeCom egress through an outbound proxy: every WeCom API call of a sign-in goes through a real
 * proxy process when `wecom.proxy` (or HTTP(S)_PROXY) names one, and none when NO_PROXY exempts
 * the host. The simulator stands in for WeCom's API behind the proxy.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Browser } from '../support/browser.js';
import { discover, signInAndRedeem } from '../support/flow.js';
import { startProxyProcess, type ProxyProcess } from '../support/http-proxy.js';
import { CONFIDENTIAL, startTestServer, type TestServer } from '../support/server.js';
import { resolveWeComProxy, WeComProxyError } from '../../src/wecom/api/proxy.js';

const redirectUri = CONFIDENTIAL.redirect_uris[0]!;
let proxy: ProxyProcess | undefined;
let t: TestServer | undefined;
const savedEnv = { ...process.env };

afterEach(async () => {
  await t?.stop();
  await proxy?.stop();
  t = undefined;
  proxy = undefined;
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'ALL_PROXY', 'all_proxy']) {
    if (savedEnv[name] === undefined) delete process.env[name];
    else process.env[name] = savedEnv[name];
  }
});

function clearProxyEnv() {
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'ALL_PROXY', 'all_proxy'])
    delete process.env[name];
}

describe('WeCom calls through an outbound proxy', () => {
  it('with wecom.proxy, every WeCom API call of a sign-in is tunnelled through the proxy process', async () => {
    clearProxyEnv();
    proxy = await startProxyProcess();
    const proxyUrl = proxy.url;
    t = await startTestServer((raw) => {
      raw.wecom = { proxy: proxyUrl };
    });
    const apiHost = new URL(t.issuer).host;
    const rp = await discover(t.issuer, CONFIDENTIAL);

    const { tokens } = await signInAndRedeem(new Browser(), rp, redirectUri);
    expect(tokens.claims()?.sub).toBeTruthy();
    // gettoken, getuserinfo, user/get and department names: all to the WeCom API, all via CONNECT.
    expect(proxy.connects().length).toBeGreaterThan(0);
    expect(new Set(proxy.connects())).toEqual(new Set([apiHost]));
    expect(t.logLines.some((line) => line.includes('WeCom API calls go through a proxy') && line.includes(proxyUrl))).toBe(true);

    // Without the proxy the WeCom calls fail: they really depended on it.
    await proxy.stop();
    await expect(signInAndRedeem(new Browser(), rp, redirectUri)).rejects.toThrow(/did not reach the app: 5\d\d/);
  });

  it('honours HTTP_PROXY from the environment, and NO_PROXY exempts the host', async () => {
    clearProxyEnv();
    proxy = await startProxyProcess();
    process.env.HTTP_PROXY = proxy.url;
    t = await startTestServer();
    let rp = await discover(t.issuer, CONFIDENTIAL);
    await signInAndRedeem(new Browser(), rp, redirectUri);
    const through = proxy.connects().length;
    expect(through).toBeGreaterThan(0);
    await t.stop();

    process.env.NO_PROXY = '127.0.0.1';
    t = await startTestServer();
    rp = await discover(t.issuer, CONFIDENTIAL);
    await signInAndRedeem(new Browser(), rp, redirectUri);
    expect(proxy.connects().length).toBe(through);
  });
});

describe('which proxy applies', () => {
  it('prefers wecom.proxy, follows HTTPS_PROXY/NO_PROXY otherwise, and refuses what is not a proxy URL', () => {
    clearProxyEnv();
    const api = 'https://qyapi.weixin.qq.com';
    expect(resolveWeComProxy(api, undefined)).toBeUndefined();
    process.env.HTTPS_PROXY = 'http://egress.corp.example:3128';
    expect(resolveWeComProxy(api, undefined)?.href).toBe('http://egress.corp.example:3128/');
    expect(resolveWeComProxy(api, 'http://user:pw@other.example:8080')?.host).toBe('other.example:8080');
    process.env.NO_PROXY = '.weixin.qq.com';
    expect(resolveWeComProxy(api, undefined)).toBeUndefined();
    expect(() => resolveWeComProxy(api, 'socks5://egress:1080')).toThrow(WeComProxyError);
  });
});
