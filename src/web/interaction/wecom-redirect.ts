/**
 * The step that sends a browser to WeCom, with a fresh state bound to the sign-in attempt: to the
 * QR login page, or (inside the WeCom client) to in-client OAuth, which signs a member in without
 * scanning anything.
 */
import type { Context } from 'koa';
import { loginMethodFor, loginTarget, type Connection, type LoginMethod } from '../../wecom/index.js';
import type { LoginState } from '../../model/index.js';
import type { Attempt } from './attempt.js';
import { interactionPaths, type InteractionDeps, type InteractionDetails } from './context.js';
import { issueLoginState } from './login-state.js';

/** How this browser signs in through `connection`: in the WeCom client, or by QR code. */
export function loginMethodOf(ctx: Context, connection: Connection): LoginMethod {
  return loginMethodFor(connection, { userAgent: ctx.get('user-agent'), askedForQr: ctx.query.via === 'qr' });
}

/** Our callback for `connection`, under the attempt's path (so the interaction cookie comes along). */
export function callbackUrl(deps: Pick<InteractionDeps, 'issuer'>, details: InteractionDetails, connection: Connection): string {
  return `${deps.issuer}${interactionPaths('', details.uid).callback(connection.identifier)}`;
}

/** Sends the browser to WeCom for `connection`, with a fresh state bound to this attempt. */
export async function redirectToWeCom(
  deps: InteractionDeps,
  attempt: Attempt,
  connection: Connection,
  purpose?: LoginState['purpose'],
): Promise<void> {
  const method = loginMethodOf(attempt.ctx, connection);
  const state = await issueLoginState(
    deps.loginStates,
    { interactionUid: attempt.uid, connection: connection.identifier, method, ...(purpose ? { purpose } : {}) },
    attempt.details.exp,
    (deps.now ?? Date.now)(),
  );
  attempt.seeOther(
    loginTarget(deps, connection, { method, redirectUri: callbackUrl(deps, attempt.details, connection), state, lang: attempt.lang() }),
  );
}
