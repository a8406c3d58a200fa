/**
 * The two ways to send a browser to WeCom for a login code (WeCom documents 98152 web login and 91022 in-client OAuth).
 *
 * Both are built with URLSearchParams so `redirect_uri` is encoded exactly once, and in the
 * parameter order WeCom documents (its OAuth page is known to be strict about the link's shape).
 * The bases come from configuration and may carry a path (simulator, proxy).
 */
import { joinUrl } from '../api/url.js';

export type QrLoginLanguage = 'zh' | 'en';
export type InClientScope = 'snsapi_base' | 'snsapi_privateinfo';

export interface QrLoginUrlParams {
  qrLoginBase: string;
  corpId: string;
  agentId: string;
  redirectUri: string;
  state: string;
  lang: QrLoginLanguage;
}

/**
 * PC QR login (`wwlogin/sso/login`, `login_type=CorpApp`). Preferred over the legacy `qrConnect`
 * page because it also offers one-click login when the WeCom desktop client is signed in.
 */
export function buildQrLoginUrl(params: QrLoginUrlParams): string {
  // WeCom documents no alphabet for this page's state (its own example contains '@'); we only
  // insist there is one, because the callback's CSRF check depends on it.
  if (!params.state) throw new RangeError('WeCom login state must not be empty');
  const url = joinUrl(params.qrLoginBase, '/wwlogin/sso/login');
  url.search = new URLSearchParams({
    login_type: 'CorpApp',
    appid: params.corpId,
    agentid: params.agentId,
    redirect_uri: params.redirectUri,
    state: params.state,
    lang: params.lang,
  }).toString();
  return url.toString();
}

export interface InClientAuthorizeUrlParams {
  oauthBase: string;
  corpId: string;
  agentId: string;
  redirectUri: string;
  state: string;
  scope: InClientScope;
}

/**
 * In-client OAuth (page opened inside the WeCom app). `agentid` is always sent: without it WeCom
 * silently downgrades `snsapi_privateinfo` to `snsapi_base`. The `#wechat_redirect` fragment is
 * what tells the client to attach the member's identity.
 */
export function buildInClientAuthorizeUrl(params: InClientAuthorizeUrlParams): string {
  assertState(params.state);
  const url = joinUrl(params.oauthBase, '/connect/oauth2/authorize');
  url.search = new URLSearchParams({
    appid: params.corpId,
    redirect_uri: params.redirectUri,
    response_type: 'code',
    scope: params.scope,
    state: params.state,
    agentid: params.agentId,
  }).toString();
  url.hash = 'wechat_redirect';
  return url.toString();
}

/** In-client OAuth documents `state` as `[a-zA-Z0-9]`, at most 128 bytes; anything else may be mangled or refused. */
export const LOGIN_STATE_PATTERN = /^[a-zA-Z0-9]{1,128}$/;

function assertState(state: string): void {
  if (!LOGIN_STATE_PATTERN.test(state)) {
    throw new RangeError('WeCom login state must be 1-128 characters of [a-zA-Z0-9] (use hex)');
  }
}
