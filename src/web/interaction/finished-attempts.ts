/**
 * Sign-in attempts that are over (the app got its code or its error), remembered by their
 * interaction uid for as long as the attempt itself would have lived. oidc-provider forgets a
 * finished interaction at once, so without this a person who presses Back, reloads, or scans a
 * stale QR code again would only hear "this sign-in has expired", though they are signed in. With
 * it we know which app they came from and send them on to it (see lost-attempt.ts).
 *
 * Only the client and its redirect_uri are kept: nothing about the person.
 */
import type { ModelStore } from '../../model/index.js';
import { attemptRecords } from './attempt-records.js';

export interface FinishedAttempt {
  clientId: string;
  redirectUri: string;
}

const records = attemptRecords<FinishedAttempt>('FinishedInteraction');

export function rememberFinished(models: ModelStore, attempt: { uid: string; exp: number }, finished: FinishedAttempt, now: number): Promise<void> {
  return records.save(models, attempt, finished, now);
}

export async function findFinished(models: ModelStore, interactionUid: string): Promise<FinishedAttempt | undefined> {
  const found = await records.find(models, interactionUid);
  return typeof found?.clientId === 'string' && typeof found.redirectUri === 'string'
    ? { clientId: found.clientId, redirectUri: found.redirectUri }
    : undefined;
}
