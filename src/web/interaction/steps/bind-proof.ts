/**
 * Association mode `bind`, "link to an account I already have": the person proves which account is
 * theirs by signing in through another connection that is linked to it. Until then the member only
 * waits in a pending record (pending-binding.ts); nothing is created or linked.
 */
import type { Connection, VerifiedMember } from '../../../wecom/index.js';
import type { Attempt, Step } from '../attempt.js';
import type { InteractionDeps } from '../context.js';
import { offeredConnection } from '../offered.js';
import { dropPendingBinding, waitingMember } from '../pending-binding.js';
import { respondToSignIn } from '../sign-in-result.js';
import { redirectToWeCom } from '../wecom-redirect.js';

/** POST /interaction/:uid/bind/:connection — start the proof login through `connection`. */
export function startBindProof(deps: InteractionDeps): Step {
  return async function startBindProof(attempt) {
    const waiting = await waitingMember(deps, attempt);
    if (!waiting) return;
    const proof = await offeredConnection(deps, attempt.details, attempt.param('connection'));
    if (!proof || proof.identifier === waiting.connection.identifier) {
      return attempt.fail({ kind: 'problem', key: 'error.connection_not_offered', status: 404 });
    }
    await redirectToWeCom(deps, attempt, proof, 'bind_proof');
  };
}

/** The proof login came back: link the waiting member to the account it signed in to. */
export async function completeBindProof(deps: InteractionDeps, attempt: Attempt, proofConnection: Connection, proof: VerifiedMember) {
  const waiting = await waitingMember(deps, attempt);
  if (!waiting) return;
  const account = await deps.accounts.findLinked(proofConnection.corpId, proof.member.userid);
  if (!account) return attempt.fail({ kind: 'no_account_to_bind' }, { retry: attempt.paths.root });
  const { pending, connection } = waiting;
  const outcome = await deps.accounts.linkByProof(account, waiting.signIn);
  if (outcome.status !== 'refused') await dropPendingBinding(deps.models, attempt.uid);
  await respondToSignIn(deps, attempt, { connection, verified: { member: pending.member, groups: pending.groups }, method: pending.method }, outcome);
}
