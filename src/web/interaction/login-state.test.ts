import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openLowdbStorage } from '../../storage/lowdb/index.js';
import { checkLoginState, issueLoginState, PanelStates } from './login-state.js';
import type { LoginState } from '../../model/index.js';

let clock = 1_700_000_000_000;
const storage = await openLowdbStorage({ path: join(mkdtempSync(join(tmpdir(), 'wecom-oidc-state-')), 'db.json'), now: () => clock });
const store = storage.loginStates;
afterAll(() => storage.close());

const KEY = 'k'.repeat(32);
const panels = new PanelStates([KEY]);
const expires = () => clock / 1000 + 600;
const expected = (interactionUid: string, connection = 'wecom') => ({ interactionUid, connection, interactionExpiresAt: expires() });
const check = (received: unknown, uid: string, connection = 'wecom') => checkLoginState(store, panels, received, expected(uid, connection), clock);

describe('the WeCom login state, issued when a WeCom login starts', () => {
  const value: LoginState = { interactionUid: 'uid-1', connection: 'wecom', method: 'qr' };

  it('is 256 random bits in hex (WeCom in-client OAuth allows only [a-zA-Z0-9]) and unique', async () => {
    const a = await issueLoginState(store, value, expires(), clock);
    const b = await issueLoginState(store, value, expires(), clock);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).not.toBe(b);
  });

  it('expires with the interaction', async () => {
    const state = await issueLoginState(store, value, clock / 1000 + 123, clock);
    clock += 122_000;
    expect(await store.peek(state)).toEqual(value);
    clock += 2_000;
    expect(await store.peek(state)).toBeUndefined();
  });

  it('is accepted once for its own interaction and connection, then never again', async () => {
    const state = await issueLoginState(store, value, expires(), clock);
    expect(await check(state, 'uid-1')).toEqual({ ok: true, state: value });
    expect(await check(state, 'uid-1')).toEqual({ ok: false, problem: 'state_unknown' });
  });

  it('is refused for another interaction or another connection', async () => {
    const s1 = await issueLoginState(store, value, expires(), clock);
    expect(await check(s1, 'uid-2')).toEqual({ ok: false, problem: 'state_mismatch' });
    const s2 = await issueLoginState(store, value, expires(), clock);
    expect(await check(s2, 'uid-1', 'other')).toEqual({ ok: false, problem: 'state_mismatch' });
  });

  it('presented on another attempt, is refused and stays usable by its own attempt', async () => {
    const state = await issueLoginState(store, value, expires(), clock);
    expect(await check(state, 'attacker-uid')).toEqual({ ok: false, problem: 'state_mismatch' });
    expect(await check(state, 'uid-1')).toEqual({ ok: true, state: value });
  });

  it('is refused when missing, malformed or expired', async () => {
    expect(await check(undefined, 'uid-1')).toEqual({ ok: false, problem: 'state_missing' });
    expect((await check(['a', 'b'], 'uid-1')).ok).toBe(false);
    expect((await check('not-hex', 'uid-1')).ok).toBe(false);
    const state = await issueLoginState(store, value, clock / 1000 + 60, clock);
    clock += 61_000;
    expect(await check(state, 'uid-1')).toEqual({ ok: false, problem: 'state_unknown' });
  });
});

describe("the embedded panel's state, derived from its attempt", () => {
  it('is 64 hex characters, the same for one attempt and connection, different for any other, and stores nothing', async () => {
    const state = panels.of({ interactionUid: 'p-1', connection: 'wecom' });
    expect(state).toMatch(/^[0-9a-f]{64}$/);
    expect(panels.of({ interactionUid: 'p-1', connection: 'wecom' })).toBe(state);
    expect(panels.of({ interactionUid: 'p-2', connection: 'wecom' })).not.toBe(state);
    expect(panels.of({ interactionUid: 'p-1', connection: 'other' })).not.toBe(state);
    // Fields are kept apart: moving characters between them gives another state.
    expect(panels.of({ interactionUid: 'p-1w', connection: 'ecom' })).not.toBe(state);
    expect(new PanelStates(['x'.repeat(32)]).of({ interactionUid: 'p-1', connection: 'wecom' })).not.toBe(state);
    expect(await store.peek(state)).toBeUndefined();
  });

  it('is accepted once, as a QR login of its attempt; a replay is refused', async () => {
    const state = panels.of({ interactionUid: 'p-3', connection: 'wecom' });
    expect(await check(state, 'p-3')).toEqual({ ok: true, state: { interactionUid: 'p-3', connection: 'wecom', method: 'qr' } });
    expect(await check(state, 'p-3')).toEqual({ ok: false, problem: 'state_unknown' });
  });

  it('is accepted by exactly one of many callbacks that bring it at once', async () => {
    const state = panels.of({ interactionUid: 'p-4', connection: 'wecom' });
    const results = await Promise.all(Array.from({ length: 20 }, () => check(state, 'p-4')));
    expect(results.filter((result) => result.ok)).toHaveLength(1);
  });

  it('presented on another attempt or connection, is refused and stays usable by its own attempt', async () => {
    const state = panels.of({ interactionUid: 'p-5', connection: 'wecom' });
    expect(await check(state, 'attacker-uid')).toEqual({ ok: false, problem: 'state_unknown' });
    expect(await check(state, 'p-5', 'other')).toEqual({ ok: false, problem: 'state_unknown' });
    expect((await check(state, 'p-5')).ok).toBe(true);
    // Once spent, another attempt presenting it learns only that it is someone else's.
    expect(await check(state, 'attacker-uid')).toEqual({ ok: false, problem: 'state_mismatch' });
  });

  it('is remembered as spent for as long as its attempt lives', async () => {
    const state = panels.of({ interactionUid: 'p-6', connection: 'wecom' });
    expect(
      (await checkLoginState(store, panels, state, { interactionUid: 'p-6', connection: 'wecom', interactionExpiresAt: clock / 1000 + 90 }, clock))
        .ok,
    ).toBe(true);
    clock += 89_000;
    expect(await check(state, 'p-6')).toEqual({ ok: false, problem: 'state_unknown' });
  });

  it('made under a key being rotated out is still accepted; one made under an unknown key is not', async () => {
    const rotated = new PanelStates(['n'.repeat(32), KEY]);
    const old = panels.of({ interactionUid: 'p-7', connection: 'wecom' });
    expect((await checkLoginState(store, rotated, old, expected('p-7'), clock)).ok).toBe(true);
    const foreign = new PanelStates(['f'.repeat(32)]).of({ interactionUid: 'p-8', connection: 'wecom' });
    expect(await check(foreign, 'p-8')).toEqual({ ok: false, problem: 'state_unknown' });
  });
});
