/**
 * GET /interaction/:uid/wecom/:connection/callback — WeCom sends the browser back here. Check the
 * state (it must be this attempt's, for this connection), let WeCom's answer prove who the member
 * is, then let the accounts layer decide which account they sign in to, or why not.
 *
 * The route is under /interaction/:uid, so oidc-provider's interaction cookie (path-scoped) also
 * proves this is the browser that started the sign-in.
 */
import { verifyLoginCode } from '../../../wecom/index.js';
import type { Step } from '../attempt.js';
import { completeBindProof } from './bind-proof.js';
import type { InteractionDeps } from '../context.js';
import { checkLoginState } from '../login-state.js';
import { respondToSignIn } from '../sign-in-result.js';

export function handleWeComCallback(deps: InteractionDeps): Step {
  return async function handleWeComCallback(attempt) {
    const { paths, ctx } = attempt;
    const connectionId = attempt.param('connection');
    const check = await checkLoginState(
      deps.loginStates,
      deps.panelStates,
      ctx.query.state,
      { interactionUid: attempt.uid, connection: connectionId, interactionExpiresAt: attempt.details.exp },
      (deps.now ?? Date.now)(),
    );
    if (!check.ok) {
      deps.log.warn('WeCom callback refused', { problem: check.problem, connection: connectionId });
      deps.signIns?.signIn('refused', check.problem);
      return attempt.fail({ kind: 'problem', key: `error.${check.problem}`, status: 400 }, { retry: paths.root });
    }
    const connection = deps.connections.get(connectionId);
    // A state was issued for it, so it existed at start: the configuration changed meanwhile.
    if (!connection) return attempt.fail({ kind: 'problem', key: 'error.connection_not_offered', status: 404 });

    const links = {
      retry: check.state.purpose === 'bind_proof' ? paths.bindWith(connection.identifier) : paths.start(connection.identifier),
      qr: check.state.method === 'in_client' ? paths.startQr(connection.identifier) : undefined,
    };
    const code = ctx.query.code;
    if (typeof code !== 'string' || !code) {
      deps.signIns?.signIn('cancelled');
      return attempt.fail({ kind: 'cancelled' }, links);
    }

    const verification = await verifyLoginCode(deps, connection, code);
    if (!verification.ok) {
      deps.log.info('WeCom sign-in refused', { connection: connection.identifier, reason: verification.failure.kind });
      deps.signIns?.signIn('refused', verification.failure.kind);
      return attempt.fail(verification.failure, links);
    }
    const { verified } = verification;
    if (check.state.purpose === 'bind_proof') return completeBindProof(deps, attempt, connection, verified);

    const outcome = await deps.accounts.signInWithWeCom({ connection, corpId: connection.corpId, ...verified });
    await respondToSignIn(deps, attempt, { connection, verified, method: check.state.method }, outcome);
  };
}
