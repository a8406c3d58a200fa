/**
 * Association mode `bind`: a verified member with no account chooses between "link to an account I
 * already have" (proved by signing in through another connection that is linked to it) and "create
 * a new account" (not offered when the connection is login-only). Until they choose, the member only
 * waits in a pending record (pending-binding.ts); nothing is created or linked.
 */
import type { Context } from 'koa';
import type { Connection } from '../../wecom/index.js';
import { interactionPaths, type InteractionDeps, type InteractionDetails } from './context.js';
import { sendErrorPage } from './error-page.js';
import { offeredConnection } from './offered.js';
import { dropPendingBinding, findPendingBinding, type PendingBinding } from './pending-binding.js';
import { respondToSignIn } from './sign-in-result.js';
import { redirectToWeCom } from './wecom-redirect.js';
import type { VerifiedMember } from '../../wecom/index.js';

async function pendingOrExpired(deps: InteractionDeps, ctx: Context, details: InteractionDetails) {
  const pending = await findPendingBinding(deps.models, details.uid);
  const connection = pending && deps.connections.get(pending.connection);
  if (!pending || !connection) {
    sendErrorPage(deps, ctx, details, { kind: 'problem', key: 'error.bind_expired', status: 400 });
    return undefined;
  }
  return { pending, connection };
}

/** POST /interaction/:uid/bind/:connection — prove an existing account by signing in through it. */
export async function startBindProof(deps: InteractionDeps, ctx: Context): Promise<void> {
  const details = await deps.provider.interactionDetails(ctx.req, ctx.res);
  const waiting = await pendingOrExpired(deps, ctx, details);
  if (!waiting) return;
  const proof = await offeredConnection(deps, details, ctx.params.connection ?? '');
  if (!proof || proof.identifier === waiting.connection.identifier) {
    return sendErrorPage(deps, ctx, details, { kind: 'problem', key: 'error.connection_not_offered', status: 404 });
  }
  await redirectToWeCom(deps, ctx, details, proof, 'bind_proof');
}

/** POST /interaction/:uid/bind-new — "create a new account". */
export async function createFromBinding(deps: InteractionDeps, ctx: Context): Promise<void> {
  const details = await deps.provider.interactionDetails(ctx.req, ctx.res);
  const waiting = await pendingOrExpired(deps, ctx, details);
  if (!waiting) return;
  const { pending, connection } = waiting;
  if (connection.loginOnly) return sendErrorPage(deps, ctx, details, { kind: 'not_provisioned' });
  const outcome = await deps.accounts.createForMember(signInFor(connection, pending));
  await dropPendingBinding(deps.models, details.uid);
  await respondToSignIn(deps, ctx, details, connection, pending, pending.method, outcome);
}

/** The proof login came back: link the waiting member to the account it signed in to. */
export async function completeBindProof(
  deps: InteractionDeps,
  ctx: Context,
  details: InteractionDetails,
  proofConnection: Connection,
  proof: VerifiedMember,
): Promise<void> {
  const waiting = await pendingOrExpired(deps, ctx, details);
  if (!waiting) return;
  const account = await deps.accounts.findLinked(proofConnection.corpId, proof.member.userid);
  if (!account) {
    const choices = interactionPaths(deps.basePath, details.uid).root;
    return sendErrorPage(deps, ctx, details, { kind: 'no_account_to_bind' }, { retry: choices });
  }
  const { pending, connection } = waiting;
  const outcome = await deps.accounts.linkByProof(account, signInFor(connection, pending));
  if (outcome.status !== 'refused') await dropPendingBinding(deps.models, details.uid);
  await respondToSignIn(deps, ctx, details, connection, pending, pending.method, outcome);
}

function signInFor(connection: Connection, pending: PendingBinding) {
  return { connection, corpId: connection.corpId, member: pending.member, groups: pending.groups };
}
