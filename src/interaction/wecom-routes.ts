/**
 * The WeCom leg of a sign-in: start (send the browser to WeCom's QR login with a fresh state) and
 * callback (check the state, then turn the code into an account, or into a page saying why not).
 */
import type { Context } from 'koa';
import { pickLang } from '../i18n/index.js';
import { buildQrLoginUrl } from '../wecom/index.js';
import { interactionPaths, type InteractionDeps } from './context.js';
import { sendErrorPage } from './error-page.js';
import { finishInteraction } from './finish.js';
import { checkLoginState, issueLoginState } from './login-state.js';
import { completeWeComLogin } from './wecom-login.js';

export async function startWeComLogin(deps: InteractionDeps, ctx: Context): Promise<void> {
  const details = await deps.provider.interactionDetails(ctx.req, ctx.res);
  const connection = deps.connections.get(ctx.params.connection ?? '');
  if (!connection) {
    return sendErrorPage(deps, ctx, details, { kind: 'problem', key: 'error.unknown_connection', status: 404 });
  }
  if (details.prompt.name !== 'login') {
    // Already signed in (e.g. a second tab): show whatever this attempt needs now.
    ctx.status = 303;
    return ctx.redirect(interactionPaths(deps.basePath, details.uid).root);
  }
  const state = await issueLoginState(
    deps.loginStates,
    { interactionUid: details.uid, connection: connection.identifier, method: 'qr' },
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

export async function handleWeComCallback(deps: InteractionDeps, ctx: Context): Promise<void> {
  // Throws SessionNotFound unless this browser holds this interaction's cookie.
  const details = await deps.provider.interactionDetails(ctx.req, ctx.res);
  const connectionId = ctx.params.connection ?? '';
  const check = await checkLoginState(deps.loginStates, ctx.query.state, {
    interactionUid: details.uid,
    connection: connectionId,
  });
  const connection = deps.connections.get(connectionId);
  if (!check.ok) {
    deps.log.warn('WeCom callback refused', { problem: check.problem, connection: connectionId });
    return sendErrorPage(deps, ctx, details, { kind: 'problem', key: `error.${check.problem}`, status: 400 }, connection?.identifier);
  }
  if (!connection) {
    // A state was issued for it, so it existed at start: the configuration changed meanwhile.
    return sendErrorPage(deps, ctx, details, { kind: 'problem', key: 'error.unknown_connection', status: 404 });
  }
  const code = ctx.query.code;
  if (typeof code !== 'string' || !code) {
    return sendErrorPage(deps, ctx, details, { kind: 'cancelled' }, connection.identifier);
  }

  const outcome = await completeWeComLogin(deps, connection, code);
  if (!outcome.ok) {
    deps.log.info('WeCom sign-in refused', { connection: connection.identifier, reason: outcome.failure.kind });
    return sendErrorPage(deps, ctx, details, outcome.failure, connection.identifier);
  }
  deps.log.info('WeCom sign-in', { connection: connection.identifier, accountId: outcome.account.id });
  await finishInteraction(
    deps,
    ctx,
    { login: { accountId: outcome.account.id, amr: ['wecom_qr'], remember: true } },
    false,
  );
}
