/** POST /interaction/:uid/bind-new — association mode `bind`, "create a new account". */
import type { Step } from '../attempt.js';
import type { InteractionDeps } from '../context.js';
import { dropPendingBinding, waitingMember } from '../pending-binding.js';
import { respondToSignIn } from '../sign-in-result.js';

export function createFromBinding(deps: InteractionDeps): Step {
  return async function createFromBinding(attempt) {
    const waiting = await waitingMember(deps, attempt);
    if (!waiting) return;
    const { pending, connection } = waiting;
    // A login-only connection never creates accounts, whatever the page was made to post.
    if (connection.loginOnly) return attempt.fail({ kind: 'not_provisioned' });
    const outcome = await deps.accounts.createForMember(waiting.signIn);
    await dropPendingBinding(deps.models, attempt.uid);
    await respondToSignIn(
      deps,
      attempt,
      { connection, verified: { member: pending.member, groups: pending.groups }, method: pending.method },
      outcome,
    );
  };
}
