/**
 * The WeCom leg of a sign-in: start (send the browser to WeCom's QR login with a fresh state) and
 * callback (check the state, verify the member, then let the accounts layer decide which account
 * they sign in to, or why not).
 */
import type { Context } from 'koa';
import { completeBindProof } from './bind-routes.js';
import { interactionPaths, type InteractionDeps } from './context.js';
import { sendErrorPage } from './error-page.js';
import { checkLoginState } from './login-state.js';
import { offeredConnection } from './offered.js';
import { respondToSignIn } from './sign-in-result.js';
import { redirectToWeCom } from './wecom-redirect.js';
import { verifyLoginCode } from '../../wecom/index.js';

export async function startWeComLogin(deps: InteractionDeps, ctx: Context): Promise<void> {
  const details = await deps.provider.interactionDetails(ctx.req, ctx.res);
  const connection = await offeredConnection(deps, details, ctx.params.connection ?? '');
  if (!connection) {
    return sendErrorPage(deps, ctx, details, { kind: 'problem', key: 'error.connection_not_offered', status: 404 });
  }
  if (details.prompt.name !== 'login') {
    // Already signed in (e.g. a second tab): show whatever this attempt needs now.
    ctx.status = 303;
    return ctx.redirect(interactionPaths(deps.basePath, details.uid).root);
  }
  await redirectToWeCom(deps, ctx, details, connection);
}

export async function handleWeComCallback(deps: InteractionDeps, ctx: Context): Promise<void> {
  // Throws SessionNotFound unless this browser holds this interaction's cookie.
  const details = await deps.provider.interactionDetails(ctx.req, ctx.res);
  const paths = interactionPaths(deps.basePath, details.uid);
  const connectionId = ctx.params.connection ?? '';
  const check = await checkLoginState(deps.loginStates, ctx.query.state, {
    interactionUid: details.uid,
    connection: connectionId,
  });
  const connection = deps.connections.get(connectionId);
  if (!check.ok) {
    deps.log.warn('WeCom callback refused', { problem: check.problem, connection: connectionId });
    deps.signIns?.signIn('refused', check.problem);
    return sendErrorPage(deps, ctx, details, { kind: 'problem', key: `error.${check.problem}`, status: 400 }, { retry: paths.root });
  }
  if (!connection) {
    // A state was issued for it, so it existed at start: the configuration changed meanwhile.
    return sendErrorPage(deps, ctx, details, { kind: 'problem', key: 'error.connection_not_offered', status: 404 });
  }
  const links = {
    retry: check.state.purpose === 'bind_proof' ? paths.bindWith(connection.identifier) : paths.start(connection.identifier),
    qr: check.state.method === 'in_client' ? paths.startQr(connection.identifier) : undefined,
  };
  const code = ctx.query.code;
  if (typeof code !== 'string' || !code) {
    deps.signIns?.signIn('cancelled');
    return sendErrorPage(deps, ctx, details, { kind: 'cancelled' }, links);
  }

  const verification = await verifyLoginCode(deps, connection, code);
  if (!verification.ok) {
    deps.log.info('WeCom sign-in refused', { connection: connection.identifier, reason: verification.failure.kind });
    deps.signIns?.signIn('refused', verification.failure.kind);
    return sendErrorPage(deps, ctx, details, verification.failure, links);
  }
  if (check.state.purpose === 'bind_proof') return completeBindProof(deps, ctx, details, connection, verification.verified);

  const outcome = await deps.accounts.signInWithWeCom({
    connection,
    corpId: connection.corpId,
    ...verification.verified,
  });
  await respondToSignIn(deps, ctx, details, connection, verification.verified, check.state.method, outcome);
}
