/**
 * The WeCom access_token cache's store, shared by every replica: one token per app, and one
 * `gettoken` at a time across all of them.
 *
 * `withRefreshLock` holds a session-level advisory lock on a connection of its own (not one of the
 * pool's: lock holders waiting on each other must never use up the connections their refreshes
 * need to read and write; refreshes are rare, so the extra connection costs little). A replica that
 * wants the same key waits in `pg_advisory_lock`; once it gets the lock, AccessTokenCache re-reads
 * the token and finds the one the first replica just wrote, so it does not call WeCom. No
 * transaction stays open during the HTTP call, and if the process dies PostgreSQL drops its
 * connection and with it the lock.
 */
import type { Client, Pool } from 'pg';
import type { AccessTokenStore, StoredAccessToken } from '../../model/index.js';
import { LOCK_CLASS, lockName, type Tables } from './sql.js';

interface TokenRow {
  value: string;
  expires_at: Date;
  refresh_at: Date;
}

export class PostgresAccessTokenStore implements AccessTokenStore {
  constructor(
    private readonly pool: Pool,
    private readonly tables: Tables,
    private readonly now: () => number,
    /** A new connection outside the pool, for holding a refresh lock. */
    private readonly connect: () => Promise<Client>,
  ) {}

  async read(key: string): Promise<StoredAccessToken | undefined> {
    const { rows } = await this.pool.query<TokenRow>(`SELECT value, expires_at, refresh_at FROM ${this.tables.accessTokens} WHERE key = $1`, [key]);
    const row = rows[0];
    return row && { value: row.value, expiresAt: row.expires_at.getTime(), refreshAt: row.refresh_at.getTime() };
  }

  async write(key: string, token: StoredAccessToken): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.tables.accessTokens} (key, value, expires_at, refresh_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at, refresh_at = EXCLUDED.refresh_at`,
      [key, token.value, new Date(token.expiresAt), new Date(token.refreshAt)],
    );
  }

  async remove(key: string, value: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.tables.accessTokens} WHERE key = $1 AND value = $2`, [key, value]);
  }

  async withRefreshLock<T>(key: string, refresh: () => Promise<T>): Promise<T> {
    const lock = [LOCK_CLASS.accessTokens, lockName(this.tables, key)];
    const client = await this.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1, hashtext($2))', lock);
      try {
        return await refresh();
      } finally {
        await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', lock).catch(() => undefined);
      }
    } finally {
      // Closing the connection also releases the lock, should the unlock above have failed.
      await client.end().catch(() => undefined);
    }
  }

  /** Deletes tokens past their expiry; returns how many went. */
  async prune(): Promise<number> {
    const { rowCount } = await this.pool.query(`DELETE FROM ${this.tables.accessTokens} WHERE expires_at <= $1`, [new Date(this.now())]);
    return rowCount ?? 0;
  }
}
