/**
 * The `state` we send to WeCom and expect back.
 *
 * 256 random bits in hex (hex because WeCom's in-client OAuth accepts only [a-zA-Z0-9]); stored
 * server-side with the interaction and connection it belongs to, for no longer than the
 * interaction lives, and taken (deleted) on first use by its own attempt, so a replayed or stale
 * callback fails while one presented on another attempt leaves it intact. The
 * callback arrives under /interaction/:uid, so oidc-provider's interaction cookie also proves it is
 * the same browser that started the login.
 */
import { randomBytes } from 'node:crypto';
import { attemptTtlSeconds } from './attempt-records.js';
import type { LoginState, LoginStateStore } from '../../model/index.js';

export type StateCheck = { ok: true; state: LoginState } | { ok: false; problem: 'state_missing' | 'state_unknown' | 'state_mismatch' };

export async function issueLoginState(store: LoginStateStore, value: LoginState, interactionExpiresAt: number, now: number): Promise<string> {
  const state = randomBytes(32).toString('hex');
  await store.put(state, value, attemptTtlSeconds(interactionExpiresAt, now));
  return state;
}

export async function checkLoginState(
  store: LoginStateStore,
  received: unknown,
  expected: { interactionUid: string; connection: string },
): Promise<StateCheck> {
  if (typeof received !== 'string' || !received) return { ok: false, problem: 'state_missing' };
  if (!/^[0-9a-f]{64}$/.test(received)) return { ok: false, problem: 'state_unknown' };
  // Taken only by its own attempt: a state presented on someone else's attempt (an attacker
  // replaying a victim's callback on their own sign-in) is refused and left for the browser it was
  // issued to. The look that tells the two refusals apart is made only when there is one.
  const state = await store.take(received, expected);
  if (state) return { ok: true, state };
  return { ok: false, problem: (await store.peek(received)) ? 'state_mismatch' : 'state_unknown' };
}
