import { describe, expect, it } from 'vitest';
import { AccessTokenCache, REFRESH_BEFORE_EXPIRY_MS, refreshDelayMs, type FetchedAccessToken } from './token-cache.js';

const APP = { corpId: 'wwcorp', agentId: '1000002' };
const OTHER_APP = { corpId: 'wwcorp', agentId: '1000003' };

/** A gettoken stand-in that counts calls and can be held open to observe concurrency. */
function fetcher(expiresInSeconds = 7200) {
  let calls = 0;
  let release: () => void = () => {};
  let gate: Promise<void> | undefined;
  return {
    get calls() {
      return calls;
    },
    hold() {
      gate = new Promise((resolve) => (release = resolve));
    },
    release: () => release(),
    fetch: async (): Promise<FetchedAccessToken> => {
      calls += 1;
      const mine = calls;
      await gate;
      return { accessToken: `token-${mine}`, expiresInSeconds };
    },
  };
}

describe('AccessTokenCache', () => {
  it('keeps one token per app (corpId + agentId)', async () => {
    const cache = new AccessTokenCache();
    const source = fetcher();
    expect(await cache.get(APP, source.fetch)).toBe('token-1');
    expect(await cache.get(OTHER_APP, source.fetch)).toBe('token-2');
    expect(await cache.get(APP, source.fetch)).toBe('token-1');
    expect(source.calls).toBe(2);
  });

  it('concurrent callers on a stale token share one refresh', async () => {
    let now = 0;
    const cache = new AccessTokenCache({ now: () => now });
    const source = fetcher();
    await cache.get(APP, source.fetch);
    now = 7200_000 - REFRESH_BEFORE_EXPIRY_MS;
    source.hold();
    const waiting = Promise.all(Array.from({ length: 10 }, () => cache.get(APP, source.fetch)));
    source.release();
    expect(new Set(await waiting)).toEqual(new Set(['token-2']));
    expect(source.calls).toBe(2);
  });

  it('invalidate drops only the token it names', async () => {
    const cache = new AccessTokenCache();
    const source = fetcher();
    const first = await cache.get(APP, source.fetch);
    await cache.invalidate(APP, first);
    const second = await cache.get(APP, source.fetch);
    expect(second).toBe('token-2');
    // A late 42001 for the first token must not throw away the fresh one.
    await cache.invalidate(APP, first);
    expect(await cache.get(APP, source.fetch)).toBe('token-2');
    expect(source.calls).toBe(2);
  });

  it('a failed fetch reaches every waiter and is not cached', async () => {
    const cache = new AccessTokenCache();
    let calls = 0;
    const failing = async (): Promise<FetchedAccessToken> => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
      throw new Error('gettoken failed');
    };
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => cache.get(APP, failing)));
    expect(calls).toBe(1);
    const reasons = results.map((result) => (result.status === 'rejected' ? result.reason : undefined));
    expect(new Set(reasons).size).toBe(1);
    expect(reasons[0]).toBeInstanceOf(Error);
    const source = fetcher();
    expect(await cache.get(APP, source.fetch)).toBe('token-1');
  });

  it('a token handed back with little life left is reused for half of it, not refetched on every call', async () => {
    let now = 0;
    const cache = new AccessTokenCache({ now: () => now });
    const source = fetcher(200);
    await cache.get(APP, source.fetch);
    now = 99_000;
    await cache.get(APP, source.fetch);
    expect(source.calls).toBe(1);
    now = 100_000;
    await cache.get(APP, source.fetch);
    expect(source.calls).toBe(2);
  });

  it('refreshDelayMs: 5 minutes before expiry for normal lifetimes', () => {
    expect(refreshDelayMs(7200_000)).toBe(6900_000);
    expect(refreshDelayMs(600_000)).toBe(300_000);
    expect(refreshDelayMs(100_000)).toBe(50_000);
  });
});
