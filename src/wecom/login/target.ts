/**
 * Where a browser goes to sign in with WeCom: in-client OAuth inside the WeCom client (silent, no
 * QR code), else WeCom's QR login page. Which of the two, and the URL with its parameters, are WeCom
 * facts, so they are decided here; the caller brings the state and the callback URL.
 */
import type { Lang, LoginState } from '../../model/index.js';
import type { Connection } from '../connections.js';
import { buildInClientAuthorizeUrl, buildQrLoginUrl, type QrLoginLanguage } from './urls.js';
import { isWeComClient } from './user-agent.js';

export type LoginMethod = LoginState['method'];

export interface LoginBrowser {
  userAgent: string | undefined;
  /** The person asked for the QR code (the "scan a QR code instead" link). */
  askedForQr: boolean;
}

/** In-client login for a browser inside the WeCom client, unless the person or the connection wants the QR code. */
export function loginMethodFor(connection: Pick<Connection, 'inClient'>, browser: LoginBrowser): LoginMethod {
  if (browser.askedForQr || connection.inClient === 'off') return 'qr';
  return isWeComClient(browser.userAgent) ? 'in_client' : 'qr';
}

/** Where WeCom lives for browsers: real WeCom, or the simulator standing in for it. */
export interface BrowserEndpoints {
  qrLoginBase: string;
  oauthBase: string;
}

export interface LoginRequest {
  method: LoginMethod;
  /** Our callback; WeCom only calls back to the app's trusted domain (授权回调域 / 可信域名). */
  redirectUri: string;
  state: string;
  /** The page language; WeCom's QR page speaks Chinese or English. */
  lang: Lang;
}

export function loginTarget(endpoints: BrowserEndpoints, connection: Connection, login: LoginRequest): string {
  const { corpId, agentId } = connection;
  return login.method === 'in_client'
    ? buildInClientAuthorizeUrl({
        oauthBase: endpoints.oauthBase,
        corpId,
        agentId,
        redirectUri: login.redirectUri,
        state: login.state,
        // snsapi_privateinfo asks the member to share contact details that user/get no longer gives.
        scope: connection.inClient === 'privateinfo' ? 'snsapi_privateinfo' : 'snsapi_base',
      })
    : buildQrLoginUrl({
        qrLoginBase: endpoints.qrLoginBase,
        corpId,
        agentId,
        redirectUri: login.redirectUri,
        state: login.state,
        lang: qrLoginLanguage(login.lang),
      });
}

/** WeCom's QR login names its two languages 'zh' and 'en'. */
export function qrLoginLanguage(lang: Lang): QrLoginLanguage {
  return lang === 'en' ? 'en' : 'zh';
}
