/**
 * A WeCom member waiting on the bind page: verified, but not yet linked to any account because the
 * connection's association mode asks the person. Kept server-side under the interaction's uid and
 * expiring with it, so abandoning the choice leaves nothing behind: no account, no link.
 */
import type { LoginState, ModelStore } from '../../model/index.js';
import type { VerifiedMember } from '../../wecom/index.js';

const MODEL = 'WeComPendingBinding';

export interface PendingBinding extends VerifiedMember {
  /** The connection the member signed in through, and how (for `amr`). */
  connection: string;
  method: LoginState['method'];
}

export async function savePendingBinding(
  models: ModelStore,
  interactionUid: string,
  pending: PendingBinding,
  interactionExpiresAt: number,
  now: number,
): Promise<void> {
  const ttl = Math.max(1, interactionExpiresAt - Math.floor(now / 1000));
  await models.upsert(MODEL, interactionUid, { ...pending }, ttl);
}

export async function findPendingBinding(models: ModelStore, interactionUid: string): Promise<PendingBinding | undefined> {
  return (await models.find(MODEL, interactionUid)) as PendingBinding | undefined;
}

export function dropPendingBinding(models: ModelStore, interactionUid: string): Promise<void> {
  return models.destroy(MODEL, interactionUid);
}
