/**
 * `admin connections test`: does WeCom accept this app's credentials from this server, now? One
 * real `gettoken` with a fresh token cache and no gettoken breaker (an administrator checking a fix
 * must reach WeCom), the token dropped as soon as its lifetime is known.
 */
import type { WeComEndpoints } from '../config/schema.js';
import type { StoredAccessToken } from '../model/index.js';
import type { Logger } from '../observability/log.js';
import { WeComClient, type WeComApp } from './api/client.js';
import { WeComError, WeComTransportError } from './api/errors.js';
import { AccessTokenCache, MemoryAccessTokenStore } from './api/token-cache.js';

export type ConnectionTestResult =
  | { outcome: 'accepted'; tokenLifetimeSeconds: number }
  /** WeCom answered with an error: the credentials, the corp, or this server's IP are not accepted. */
  | { outcome: 'refused'; error: WeComError }
  /** WeCom did not answer (network, TLS, timeout, or not WeCom answering). */
  | { outcome: 'unreachable'; error: WeComTransportError };

/** Remembers the token it is given, so the test can report its lifetime. */
class RecordingTokenStore extends MemoryAccessTokenStore {
  fetched: StoredAccessToken | undefined;

  override async write(key: string, token: StoredAccessToken): Promise<void> {
    this.fetched = token;
    await super.write(key, token);
  }
}

export async function testConnection(endpoints: WeComEndpoints, app: WeComApp, log: Logger): Promise<ConnectionTestResult> {
  const startedAt = Date.now();
  const store = new RecordingTokenStore();
  // A fresh cache, whose clock stands still: the test really asks WeCom, and the lifetime is exact.
  const client = new WeComClient({ endpoints, tokenCache: new AccessTokenCache({ store, now: () => startedAt }), log });
  try {
    await client.getAccessToken(app);
    return { outcome: 'accepted', tokenLifetimeSeconds: Math.round(((store.fetched?.expiresAt ?? startedAt) - startedAt) / 1000) };
  } catch (error) {
    if (error instanceof WeComError) return { outcome: 'refused', error };
    if (error instanceof WeComTransportError) return { outcome: 'unreachable', error };
    throw error;
  }
}
