/**
 * A WeCom member waiting on the bind page: verified, but not yet linked to any account because the
 * connection's association mode asks the person. Kept server-side under the interaction's uid and
 * expiring with it, so abandoning the choice leaves nothing behind: no account, no link.
 */
import type { WeComSignIn } from '../../accounts/service.js';
import type { LoginState, ModelStore } from '../../model/index.js';
import type { Connection, VerifiedMember } from '../../wecom/index.js';
import type { Attempt } from './attempt.js';
import type { InteractionDeps } from './context.js';
import { attemptRecords } from './attempt-records.js';

export interface PendingBinding extends VerifiedMember {
  /** The connection the member signed in through, and how (for `amr`). */
  connection: string;
  method: LoginState['method'];
}

const records = attemptRecords<PendingBinding>('WeComPendingBinding');

export function savePendingBinding(models: ModelStore, attempt: Attempt, pending: PendingBinding, now: number): Promise<void> {
  return records.save(models, attempt.details, pending, now);
}

export function findPendingBinding(models: ModelStore, interactionUid: string): Promise<PendingBinding | undefined> {
  return records.find(models, interactionUid);
}

export function dropPendingBinding(models: ModelStore, interactionUid: string): Promise<void> {
  return records.drop(models, interactionUid);
}

/** The member waiting on this attempt's bind page and their connection; else the "expired" page is shown. */
export async function waitingMember(deps: InteractionDeps, attempt: Attempt) {
  const pending = await findPendingBinding(deps.models, attempt.uid);
  const connection = pending && deps.connections.get(pending.connection);
  if (!pending || !connection) {
    attempt.fail({ kind: 'problem', key: 'error.bind_expired', status: 400 });
    return undefined;
  }
  return { pending, connection, signIn: signInOf(connection, pending) };
}

function signInOf(connection: Connection, pending: PendingBinding): WeComSignIn {
  return { connection, corpId: connection.corpId, member: pending.member, groups: pending.groups };
}
