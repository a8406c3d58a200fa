/** The step that sends a browser to WeCom's QR login, with a fresh state bound to the sign-in attempt. */
import type { Context } from 'koa';
import type { Connection } from '../connections.js';
import { pickLang } from '../i18n/index.js';
import type { LoginState } from '../storage/types.js';
import { buildQrLoginUrl } from '../wecom/index.js';
import { interactionPaths, type InteractionDeps, type InteractionDetails } from './context.js';
import { issueLoginState } from './login-state.js';

export async function redirectToWeCom(
  deps: InteractionDeps,
  ctx: Context,
  details: InteractionDetails,
  connection: Connection,
  purpose?: LoginState['purpose'],
): Promise<void> {
  const state = await issueLoginState(
    deps.loginStates,
    { interactionUid: details.uid, connection: connection.identifier, method: 'qr', ...(purpose ? { purpose } : {}) },
    details.exp,
    (deps.now ?? Date.now)(),
  );
  ctx.status = 303;
  ctx.redirect(
    buildQrLoginUrl({
      qrLoginBase: deps.qrLoginBase,
      corpId: connection.corpId,
      agentId: connection.agentId,
      // WeCom only calls back to the issuer's host (the app's 授权回调域).
      redirectUri: `${deps.issuer}${interactionPaths('', details.uid).callback(connection.identifier)}`,
      state,
      lang: pickLang(details.params.ui_locales, ctx.get('accept-language')) === 'en' ? 'en' : 'zh',
    }),
  );
}

