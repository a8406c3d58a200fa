/**
 * Records that live exactly as long as one sign-in attempt, keyed by its interaction uid (a member
 * waiting on the bind page, an attempt that is over). They are kept in the oidc-provider model store
 * under a model name of their own on purpose: that store already expires records, is pruned, is
 * shared across replicas and writes a request's records in one batch, which is all these need.
 */
import type { ModelPayload, ModelStore } from '../../model/index.js';

/** Seconds left until the attempt expires (at least one: a record must outlive its own write). */
export function attemptTtlSeconds(interactionExpiresAt: number, now: number): number {
  return Math.max(1, interactionExpiresAt - Math.floor(now / 1000));
}

export function attemptRecords<T extends object>(model: string) {
  return {
    save(models: ModelStore, attempt: { uid: string; exp: number }, value: T, now: number): Promise<void> {
      return models.upsert(model, attempt.uid, { ...value } as ModelPayload, attemptTtlSeconds(attempt.exp, now));
    },
    async find(models: ModelStore, interactionUid: string): Promise<T | undefined> {
      return (await models.find(model, interactionUid)) as T | undefined;
    },
    drop(models: ModelStore, interactionUid: string): Promise<void> {
      return models.destroy(model, interactionUid);
    },
  };
}
