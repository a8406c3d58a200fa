/**
 * WeCom's embedded QR panel (the JS SDK's `createWWLoginPanel`): what the login page hands the SDK
 * to show the QR code of a connection's app inside our page. A scan comes back to the same callback
 * as the full-page QR login, with the state given here, and is checked the same way.
 */
import type { Lang } from '../../model/index.js';
import type { Connection } from '../connections.js';
import { qrLoginLanguage } from './target.js';
import type { QrLoginLanguage } from './urls.js';

/**
 * Where WeCom's JS SDK loads its embedded login panel from. The SDK hard-codes this origin (it does
 * not follow `qrLoginBase`), so pages that show the panel must allow it as a frame source.
 */
export const WECOM_PANEL_ORIGIN = 'https://login.work.weixin.qq.com';

export interface PanelRequest {
  redirectUri: string;
  state: string;
  lang: Lang;
  /** A popup window (OIDC `display=popup`) is narrow. */
  popup: boolean;
}

/** The SDK's `params`, as its reference names them. */
export interface PanelConfig {
  login_type: 'CorpApp';
  appid: string;
  agentid: string;
  redirect_uri: string;
  state: string;
  redirect_type: 'top';
  panel_size: 'middle' | 'small';
  lang: QrLoginLanguage;
}

export function panelConfig(connection: Pick<Connection, 'corpId' | 'agentId'>, request: PanelRequest): PanelConfig {
  return {
    login_type: 'CorpApp',
    appid: connection.corpId,
    agentid: connection.agentId,
    redirect_uri: request.redirectUri,
    state: request.state,
    // The callback replaces our whole page, not the panel's iframe.
    redirect_type: 'top',
    // WeCom lays the panel out at 480 px (middle) or 320 px (small).
    panel_size: request.popup ? 'small' : 'middle',
    lang: qrLoginLanguage(request.lang),
  };
}
