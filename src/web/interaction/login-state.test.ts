import { describe, expect, it } from 'vitest';
import { checkLoginState, issueLoginState } from './login-state.js';
import type { LoginState, LoginStateStore } from '../../model/index.js';

/** A LoginStateStore as small as the contract: put, peek, and take-once with expiry. */
function memoryStore(now: () => number): LoginStateStore & { ttls: number[] } {
  const states = new Map<string, { value: LoginState; expiresAt: number }>();
  const ttls: number[] = [];
  return {
    ttls,
    async put(state, value, ttl) {
      ttls.push(ttl);
      states.set(state, { value, expiresAt: now() + ttl * 1000 });
    },
    async peek(state) {
      const record = states.get(state);
      return record && record.expiresAt > now() ? record.value : undefined;
    },
    async take(state, owner) {
      const record = states.get(state);
      if (record && owner && (record.value.interactionUid !== owner.interactionUid || record.value.connection !== owner.connection)) return undefined;
      states.delete(state);
      return record && record.expiresAt > now() ? record.value : undefined;
    },
  };
}

describe('the WeCom login state', () => {
  const value: LoginState = { interactionUid: 'uid-1', connection: 'wecom', method: 'qr' };
  let clock = 1_700_000_000_000;
  const store = memoryStore(() => clock);

  it('is 256 random bits in hex (WeCom in-client OAuth allows only [a-zA-Z0-9]) and unique', async () => {
    const a = await issueLoginState(store, value, clock / 1000 + 600, clock);
    const b = await issueLoginState(store, value, clock / 1000 + 600, clock);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).not.toBe(b);
  });

  it('expires with the interaction', async () => {
    await issueLoginState(store, value, clock / 1000 + 123, clock);
    expect(store.ttls.at(-1)).toBe(123);
  });

  it('is accepted once for its own interaction and connection, then never again', async () => {
    const state = await issueLoginState(store, value, clock / 1000 + 600, clock);
    expect(await checkLoginState(store, state, { interactionUid: 'uid-1', connection: 'wecom' })).toEqual({ ok: true, state: value });
    expect(await checkLoginState(store, state, { interactionUid: 'uid-1', connection: 'wecom' })).toEqual({
      ok: false,
      problem: 'state_unknown',
    });
  });

  it('is refused for another interaction or another connection', async () => {
    const s1 = await issueLoginState(store, value, clock / 1000 + 600, clock);
    expect((await checkLoginState(store, s1, { interactionUid: 'uid-2', connection: 'wecom' })).ok).toBe(false);
    const s2 = await issueLoginState(store, value, clock / 1000 + 600, clock);
    expect(await checkLoginState(store, s2, { interactionUid: 'uid-1', connection: 'other' })).toEqual({
      ok: false,
      problem: 'state_mismatch',
    });
  });

  it('presented on another attempt, is refused and stays usable by its own attempt', async () => {
    const state = await issueLoginState(store, value, clock / 1000 + 600, clock);
    expect(await checkLoginState(store, state, { interactionUid: 'attacker-uid', connection: 'wecom' })).toEqual({
      ok: false,
      problem: 'state_mismatch',
    });
    expect(await checkLoginState(store, state, { interactionUid: 'uid-1', connection: 'wecom' })).toEqual({ ok: true, state: value });
  });

  it('is refused when missing, malformed or expired', async () => {
    expect(await checkLoginState(store, undefined, { interactionUid: 'uid-1', connection: 'wecom' })).toEqual({
      ok: false,
      problem: 'state_missing',
    });
    expect((await checkLoginState(store, ['a', 'b'], { interactionUid: 'uid-1', connection: 'wecom' })).ok).toBe(false);
    expect((await checkLoginState(store, 'not-hex', { interactionUid: 'uid-1', connection: 'wecom' })).ok).toBe(false);
    const state = await issueLoginState(store, value, clock / 1000 + 60, clock);
    clock += 61_000;
    expect(await checkLoginState(store, state, { interactionUid: 'uid-1', connection: 'wecom' })).toEqual({
      ok: false,
      problem: 'state_unknown',
    });
  });
});
