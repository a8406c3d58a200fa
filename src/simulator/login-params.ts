/**
 * Checks shared by the QR login page and in-client OAuth: the corp, the app, and the redirect_uri,
 * whose host (with any non-default port) must equal the configured 授权回调域 / 可信域名 exactly.
 * Like WeCom, a bad request gets an error page and never a redirect (an open redirector otherwise).
 */
import type { SimulatorApp } from '../config/schema.js';
import type { HostedApps } from './apps.js';

export type Lang = 'zh' | 'en';

/** What the error page says, in both languages, with the errcode WeCom documents for it if any. */
export interface Problem {
  zh: string;
  en: string;
  errcode?: number;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: Problem };

export const problem = (zh: string, en: string, errcode?: number): { ok: false; problem: Problem } => ({
  ok: false,
  problem: { zh, en, errcode },
});

/** One value from a query string or form body; repeated parameters count by their first value. */
export function single(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}

/** `lang` if it is one WeCom knows, otherwise the browser's preference, otherwise Chinese (98152). */
export function pickLang(param: string | undefined, acceptLanguage: string | undefined): Lang {
  if (param === 'zh' || param === 'en') return param;
  return acceptLanguage?.trim().toLowerCase().startsWith('en') ? 'en' : 'zh';
}

export function checkCorp(apps: HostedApps, appid: string | undefined): Checked<string> {
  if (!appid) return problem('缺少 appid 参数', 'appid is missing', 41002);
  if (!apps.hasCorp(appid)) return problem(`appid（CorpID）无效：${appid}`, `invalid appid (CorpID): ${appid}`, 40013);
  return { ok: true, value: appid };
}

export function checkApp(apps: HostedApps, corpId: string, agentid: string | undefined): Checked<SimulatorApp> {
  const app = agentid ? apps.find(corpId, agentid) : undefined;
  if (!app) {
    return problem(`agentid 无效：${agentid ?? '（空）'}`, `invalid agentid: ${agentid ?? '(empty)'}`, 40056);
  }
  return { ok: true, value: app };
}

export function checkRedirectUri(raw: string | undefined, trustedDomain: string): Checked<URL> {
  if (!raw) return problem('缺少 redirect_uri 参数', 'redirect_uri is missing');
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    return problem('redirect_uri 必须是完整的 http(s) 地址', 'redirect_uri must be an absolute http(s) URL');
  }
  if (url.host !== trustedDomain) {
    return problem(
      `redirect_uri 的域名 ${url.host} 与应用配置的可信域名 ${trustedDomain} 不一致`,
      `redirect_uri host ${url.host} does not match the app's trusted domain ${trustedDomain}`,
      50001,
    );
  }
  return { ok: true, value: url };
}

/**
 * `redirect_uri?code=CODE&state=STATE` (or `&code=…` when it already has a query), keeping the
 * redirect_uri's own query as it was. Without a code, as after "cancel", only the state comes back.
 */
export function callbackUrl(redirectUri: URL, result: { code?: string; state: string }): string {
  const withoutHash = redirectUri.href.slice(0, redirectUri.href.length - redirectUri.hash.length);
  const separator = redirectUri.search ? '&' : withoutHash.endsWith('?') ? '' : '?';
  const code = result.code === undefined ? '' : `code=${encodeURIComponent(result.code)}&`;
  return `${withoutHash}${separator}${code}state=${encodeURIComponent(result.state)}${redirectUri.hash}`;
}
