/**
 * The `state` we send to WeCom and expect back. Two kinds, both 64 hex characters (hex because
 * WeCom's in-client OAuth accepts only [a-zA-Z0-9]):
 *
 * - **Issued** when the person starts WeCom (the full-page QR login, in-client OAuth, a bind
 *   proof): 256 random bits, stored with the interaction and connection it belongs to for no
 *   longer than the interaction lives, and taken (deleted) on first use by its own attempt.
 * - **Derived** for the embedded QR panel, which needs its state when the login page is drawn,
 *   for every visitor, most of whom never scan: storing one per page view would let anonymous
 *   visits fill the store. So the panel's state is an HMAC of the attempt and connection under a
 *   key only this server holds (derived from the cookie keys, so replicas agree and it survives a
 *   restart); drawing the page stores nothing, and the callback records it as spent, which makes
 *   it single-use like an issued one.
 *
 * Either way a replayed or stale callback fails, and one presented on another attempt leaves the
 * state usable by its own. The callback arrives under /interaction/:uid, so oidc-provider's
 * interaction cookie also proves it is the same browser that started the login.
 */
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { attemptTtlSeconds } from './attempt-records.js';
import type { LoginState, LoginStateOwner, LoginStateStore } from '../../model/index.js';

export type StateCheck = { ok: true; state: LoginState } | { ok: false; problem: 'state_missing' | 'state_unknown' | 'state_mismatch' };

export async function issueLoginState(store: LoginStateStore, value: LoginState, interactionExpiresAt: number, now: number): Promise<string> {
  const state = randomBytes(32).toString('hex');
  await store.put(state, value, attemptTtlSeconds(interactionExpiresAt, now));
  return state;
}

/** Makes and recognises the embedded panel's derived states. */
export class PanelStates {
  readonly #keys: Buffer[];

  /** `cookieKeys`: the first makes states; all of them are accepted (a key being rotated out). */
  constructor(cookieKeys: readonly string[]) {
    if (!cookieKeys.length) throw new Error('PanelStates needs at least one key');
    // A key of its own for this use, so a panel state can never stand in for a signed cookie.
    this.#keys = cookieKeys.map((key) => Buffer.from(hkdfSync('sha256', key, '', 'wecom-oidc embedded panel state', 32)));
  }

  of(owner: LoginStateOwner): string {
    return panelMac(this.#keys[0]!, owner).toString('hex');
  }

  /** Whether `received` (already known to be 64 hex characters) is the panel state of `owner`. */
  isOf(received: string, owner: LoginStateOwner): boolean {
    const bytes = Buffer.from(received, 'hex');
    return this.#keys.some((key) => timingSafeEqual(panelMac(key, owner), bytes));
  }
}

function panelMac(key: Buffer, owner: LoginStateOwner): Buffer {
  // JSON keeps the two fields apart whatever characters they hold.
  return createHmac('sha256', key)
    .update(JSON.stringify([owner.interactionUid, owner.connection]))
    .digest();
}

export interface ExpectedState extends LoginStateOwner {
  /** When the interaction expires (seconds since epoch): a spent panel state is remembered until then. */
  interactionExpiresAt: number;
}

export async function checkLoginState(
  store: LoginStateStore,
  panelStates: PanelStates,
  received: unknown,
  expected: ExpectedState,
  now: number,
): Promise<StateCheck> {
  if (typeof received !== 'string' || !received) return { ok: false, problem: 'state_missing' };
  if (!/^[0-9a-f]{64}$/.test(received)) return { ok: false, problem: 'state_unknown' };
  const owner: LoginStateOwner = { interactionUid: expected.interactionUid, connection: expected.connection };
  if (panelStates.isOf(received, owner)) {
    const state: LoginState = { ...owner, method: 'qr' };
    // Spent by the first callback that brings it; a second one is a replay.
    if (await store.spend(received, state, attemptTtlSeconds(expected.interactionExpiresAt, now))) return { ok: true, state };
    return { ok: false, problem: 'state_unknown' };
  }
  // Taken only by its own attempt: a state presented on someone else's attempt (an attacker
  // replaying a victim's callback on their own sign-in) is refused and left for the browser it was
  // issued to. The look that tells the two refusals apart is made only when there is one.
  const state = await store.take(received, owner);
  if (state) return { ok: true, state };
  return { ok: false, problem: (await store.peek(received)) ? 'state_mismatch' : 'state_unknown' };
}
