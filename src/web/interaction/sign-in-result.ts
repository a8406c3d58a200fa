/** The browser's next step once the accounts layer has decided which account, if any, a member gets. */
import type { SignInOutcome } from '../../accounts/service.js';
import type { Connection, LoginMethod, VerifiedMember } from '../../wecom/index.js';
import type { Attempt } from './attempt.js';
import type { InteractionDeps } from './context.js';
import { savePendingBinding } from './pending-binding.js';

/** The `amr` value for each way of signing in with WeCom. */
export const AMR: Record<LoginMethod, string> = { qr: 'wecom_qr', in_client: 'wecom_client' };

/** Who signed in, through which connection, and how. */
export interface VerifiedSignIn {
  connection: Connection;
  verified: VerifiedMember;
  method: LoginMethod;
}

export async function respondToSignIn(deps: InteractionDeps, attempt: Attempt, signIn: VerifiedSignIn, outcome: SignInOutcome): Promise<void> {
  const { connection, verified, method } = signIn;
  switch (outcome.status) {
    case 'signed_in':
      deps.log.info('WeCom sign-in', { connection: connection.identifier, accountId: outcome.account.id, linkedBy: outcome.linkedBy });
      deps.signIns?.signIn('signed_in');
      return attempt.finish({ login: { accountId: outcome.account.id, amr: [AMR[method]], remember: true } }, false);
    case 'needs_binding':
      deps.signIns?.signIn('needs_binding');
      await savePendingBinding(deps.models, attempt, { connection: connection.identifier, method, ...verified }, (deps.now ?? Date.now)());
      return attempt.seeOther(attempt.paths.root);
    case 'refused':
      deps.log.info('WeCom sign-in refused', { connection: connection.identifier, reason: outcome.reason });
      deps.signIns?.signIn('refused', outcome.reason);
      return attempt.fail({ kind: outcome.reason });
  }
}
