/** The browser's next step once the accounts layer has decided which account, if any, a member gets. */
import type { Context } from 'koa';
import type { SignInOutcome } from '../../accounts/service.js';
import type { Connection } from '../../wecom/index.js';
import type { LoginState } from '../../model/index.js';
import { interactionPaths, type InteractionDeps, type InteractionDetails } from './context.js';
import { sendErrorPage } from './error-page.js';
import { finishInteraction } from './finish.js';
import { savePendingBinding } from './pending-binding.js';
import type { VerifiedMember } from '../../wecom/index.js';

/** The `amr` value for each way of signing in with WeCom. */
export const AMR: Record<LoginState['method'], string> = { qr: 'wecom_qr', in_client: 'wecom_client' };

export async function respondToSignIn(
  deps: InteractionDeps,
  ctx: Context,
  details: InteractionDetails,
  connection: Connection,
  verified: VerifiedMember,
  method: LoginState['method'],
  outcome: SignInOutcome,
): Promise<void> {
  switch (outcome.status) {
    case 'signed_in':
      deps.log.info('WeCom sign-in', { connection: connection.identifier, accountId: outcome.account.id, linkedBy: outcome.linkedBy });
      deps.signIns?.signIn('signed_in');
      return finishInteraction(deps, ctx, details, { login: { accountId: outcome.account.id, amr: [AMR[method]], remember: true } }, false);
    case 'needs_binding':
      deps.signIns?.signIn('needs_binding');
      await savePendingBinding(
        deps.models,
        details.uid,
        { connection: connection.identifier, method, ...verified },
        details.exp,
        (deps.now ?? Date.now)(),
      );
      ctx.status = 303;
      return ctx.redirect(interactionPaths(deps.basePath, details.uid).root);
    case 'refused':
      deps.log.info('WeCom sign-in refused', { connection: connection.identifier, reason: outcome.reason });
      deps.signIns?.signIn('refused', outcome.reason);
      return sendErrorPage(deps, ctx, details, { kind: outcome.reason });
  }
}
