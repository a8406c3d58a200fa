/**
 * One access_token per WeCom app, fetched once per lifetime.
 *
 * WeCom rate-limits `gettoken` and expects callers to cache (doc 91039), so the rules are:
 * - refresh only when ≤ 5 minutes remain, never per login;
 * - concurrent callers that find no usable token share one in-flight fetch (single-flight);
 * - `invalidate` is compare-and-delete, so ten requests that all saw 42001 on the same token cause
 *   one refresh, not ten;
 * - a failed fetch is not remembered: every waiter of that flight gets its error, the next caller
 *   tries again.
 *
 * Where the token lives is behind `AccessTokenStore`: the in-memory store is the default, and a
 * shared (e.g. PostgreSQL) store can replace it so that replicas share one token and one refresh.
 * The last token seen is also kept in this process until its refresh time, so that a sign-in's WeCom
 * calls do not each read a shared store (two PostgreSQL round trips per sign-in). It cannot go stale
 * in a harmful way: refreshing always re-reads the store under its lock, and a token WeCom rejects
 * is invalidated here too before the caller's one retry.
 * Token values are never logged or put into error messages here.
 */
import type { AccessTokenStore, StoredAccessToken } from '../../model/index.js';

/** The part of a WeCom app that identifies its token (each app has its own secret, so its own token). */
export interface AccessTokenOwner {
  corpId: string;
  agentId: string;
}

/** What `gettoken` returned. */
export interface FetchedAccessToken {
  accessToken: string;
  expiresInSeconds: number;
}

export type FetchAccessToken = () => Promise<FetchedAccessToken>;

/** The default: one process, so a Map and the in-process single-flight are all the locking needed. */
export class MemoryAccessTokenStore implements AccessTokenStore {
  readonly #entries = new Map<string, StoredAccessToken>();

  async read(key: string): Promise<StoredAccessToken | undefined> {
    return this.#entries.get(key);
  }

  async write(key: string, token: StoredAccessToken): Promise<void> {
    this.#entries.set(key, token);
  }

  async remove(key: string, value: string): Promise<void> {
    if (this.#entries.get(key)?.value === value) this.#entries.delete(key);
  }

  async withRefreshLock<T>(_key: string, refresh: () => Promise<T>): Promise<T> {
    return refresh();
  }
}

/** Fetch a new token once this much lifetime or less remains (gettoken, WeCom document 91039). */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60 * 1000;

/**
 * When to refresh a token that lives `expiresInMs`. Normally 5 minutes before expiry; but WeCom
 * hands back the *same* token when asked again within its validity, possibly with little time
 * left, and "5 minutes before" would then already be past: every caller would call gettoken. Using
 * at least half the remaining life bounds that to a handful of calls near the end of a lifetime.
 */
export function refreshDelayMs(expiresInMs: number): number {
  return Math.max(expiresInMs - REFRESH_BEFORE_EXPIRY_MS, expiresInMs / 2);
}

export interface AccessTokenCacheOptions {
  store?: AccessTokenStore;
  /** Epoch ms; injectable so tests can move time. */
  now?: () => number;
}

export class AccessTokenCache {
  readonly #store: AccessTokenStore;
  readonly #now: () => number;
  readonly #inFlight = new Map<string, Promise<StoredAccessToken>>();
  /** The token last read or written per key, used until its refreshAt without reading the store. */
  readonly #known = new Map<string, StoredAccessToken>();

  constructor(options: AccessTokenCacheOptions = {}) {
    this.#store = options.store ?? new MemoryAccessTokenStore();
    this.#now = options.now ?? Date.now;
  }

  /** A usable token for `owner`, calling `fetchToken` only when none is cached or it is due for refresh. */
  async get(owner: AccessTokenOwner, fetchToken: FetchAccessToken): Promise<string> {
    const key = cacheKey(owner);
    const known = this.#known.get(key);
    if (known && this.#isUsable(known)) return known.value;
    const cached = await this.#store.read(key);
    if (cached && this.#isUsable(cached)) {
      this.#known.set(key, cached);
      return cached.value;
    }
    const fresh = await this.#refresh(key, fetchToken);
    this.#known.set(key, fresh);
    return fresh.value;
  }

  /**
   * WeCom rejected `token` (40014/42001): forget it, unless the cache already holds a different
   * one, which means another caller has refreshed since this token was handed out.
   */
  async invalidate(owner: AccessTokenOwner, token: string): Promise<void> {
    const key = cacheKey(owner);
    if (this.#known.get(key)?.value === token) this.#known.delete(key);
    await this.#store.remove(key, token);
  }

  #isUsable(token: StoredAccessToken): boolean {
    return this.#now() < token.refreshAt;
  }

  #refresh(key: string, fetchToken: FetchAccessToken): Promise<StoredAccessToken> {
    const existing = this.#inFlight.get(key);
    if (existing) return existing;
    const flight = this.#store
      .withRefreshLock(key, async () => {
        // Another caller (or replica) may have refreshed between our read and taking the lock.
        const current = await this.#store.read(key);
        if (current && this.#isUsable(current)) return current;
        const fetchedAt = this.#now();
        const { accessToken, expiresInSeconds } = await fetchToken();
        const expiresInMs = expiresInSeconds * 1000;
        const token: StoredAccessToken = {
          value: accessToken,
          expiresAt: fetchedAt + expiresInMs,
          refreshAt: fetchedAt + refreshDelayMs(expiresInMs),
        };
        await this.#store.write(key, token);
        return token;
      })
      .finally(() => {
        if (this.#inFlight.get(key) === flight) this.#inFlight.delete(key);
      });
    this.#inFlight.set(key, flight);
    return flight;
  }
}

/** corpId + agentId: a token is per app. The separator cannot occur in either (both are alphanumeric). */
export function cacheKey(owner: AccessTokenOwner): string {
  return `${owner.corpId}/${owner.agentId}`;
}
