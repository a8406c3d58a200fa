/**
 * The step that sends a browser to WeCom, with a fresh state bound to the sign-in attempt: to the
 * QR login page, or (inside the WeCom client) to in-client OAuth, which signs a member in without
 * scanning anything.
 */
import type { Context } from 'koa';
import type { Connection } from '../../wecom/connections.js';
import type { LoginState } from '../../model/index.js';
import { buildInClientAuthorizeUrl, buildQrLoginUrl } from '../../wecom/index.js';
import { interactionPaths, langOf, type InteractionDeps, type InteractionDetails } from './context.js';
import { issueLoginState } from './login-state.js';
import { isWeComClient } from './user-agent.js';

/** In-client login for this browser and connection, unless the person asked for the QR code. */
export function loginMethodFor(ctx: Context, connection: Connection): LoginState['method'] {
  if (ctx.query.via === 'qr' || connection.inClient === 'off') return 'qr';
  return isWeComClient(ctx.get('user-agent')) ? 'in_client' : 'qr';
}

export async function redirectToWeCom(
  deps: InteractionDeps,
  ctx: Context,
  details: InteractionDetails,
  connection: Connection,
  purpose?: LoginState['purpose'],
): Promise<void> {
  const method = loginMethodFor(ctx, connection);
  const state = await issueLoginState(
    deps.loginStates,
    { interactionUid: details.uid, connection: connection.identifier, method, ...(purpose ? { purpose } : {}) },
    details.exp,
    (deps.now ?? Date.now)(),
  );
  // WeCom only calls back to the issuer's host (the app's 授权回调域 / 可信域名), and a path
  // callback, since a `#` in redirect_uri breaks in-client OAuth.
  const redirectUri = `${deps.issuer}${interactionPaths('', details.uid).callback(connection.identifier)}`;
  const target =
    method === 'in_client'
      ? buildInClientAuthorizeUrl({
          oauthBase: deps.oauthBase,
          corpId: connection.corpId,
          agentId: connection.agentId,
          redirectUri,
          state,
          scope: connection.inClient === 'privateinfo' ? 'snsapi_privateinfo' : 'snsapi_base',
        })
      : buildQrLoginUrl({
          qrLoginBase: deps.qrLoginBase,
          corpId: connection.corpId,
          agentId: connection.agentId,
          redirectUri,
          state,
          lang: langOf(ctx, details) === 'en' ? 'en' : 'zh',
        });
  ctx.status = 303;
  ctx.redirect(target);
}
