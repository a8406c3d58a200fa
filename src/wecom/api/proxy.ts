/**
 * The outbound proxy for WeCom's server API.
 *
 * Companies often send their WeCom calls through one egress with a fixed IP (WeCom's 企业可信IP list
 * holds that IP only). `wecom.proxy` names the proxy for every WeCom API call; without it the usual
 * environment variables apply (HTTPS_PROXY or HTTP_PROXY by the API's scheme, ALL_PROXY, and NO_PROXY
 * to exempt hosts), with the rules of `proxy-from-env`, as curl and most tools read them. Calls are
 * tunnelled with CONNECT (hpagent), so the proxy never sees the secret or the access_token in the
 * query of an https call.
 */
import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { HttpProxyAgent, HttpsProxyAgent } from 'hpagent';
import { getProxyForUrl } from 'proxy-from-env';

export class WeComProxyError extends Error {
  constructor(source: string) {
    super(`${source} is not an http:// or https:// proxy URL`);
    this.name = 'WeComProxyError';
  }
}

/** Where calls to `apiBase` go through: the configured proxy, else the environment's; undefined for none. */
export function resolveWeComProxy(apiBase: string, configured: string | undefined): URL | undefined {
  const [value, source] = configured
    ? [configured, '"wecom.proxy"']
    : [getProxyForUrl(apiBase), 'the proxy environment variable (HTTPS_PROXY, HTTP_PROXY or ALL_PROXY)'];
  if (!value) return undefined;
  // A variable without a scheme gets the API's (so "host:3128" means TLS to the proxy for an https
  // API): that is proxy-from-env's rule, and why the README says to write http://host:3128.
  if (!URL.canParse(value)) throw new WeComProxyError(source);
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new WeComProxyError(source);
  return url;
}

/** got's `agent` option for calls through `proxy`. */
export function proxyAgents(proxy: URL): { http: HttpAgent; https: HttpsAgent } {
  return {
    http: new HttpProxyAgent({ proxy, keepAlive: true }),
    https: new HttpsProxyAgent({ proxy, keepAlive: true }),
  };
}

/** The proxy as it may appear in a log line: scheme, host and port, never its credentials. */
export function describeProxy(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`;
}
