/**
 * Long-lived secrets (signing keys, cookie keys) as JSON values by name.
 *
 * Writes of one name take a transaction-scoped advisory lock on it rather than `SELECT … FOR
 * UPDATE`: the first write of a name has no row to lock yet, and two replicas starting together
 * must still not both create it, nor both rotate the same key ring.
 */
import type { Pool, PoolClient } from 'pg';
import type { KeyStore } from '../../model/index.js';
import { LOCK_CLASS, inTransaction, jsonb, lockName, type Tables } from './sql.js';

export class PostgresKeyStore implements KeyStore {
  constructor(
    private readonly pool: Pool,
    private readonly tables: Tables,
  ) {}

  async getOrCreate<T>(name: string, create: () => Promise<T> | T): Promise<T> {
    const existing = await this.read<T>(this.pool, name);
    if (existing.found) return existing.value;
    const value = await create();
    return inTransaction(this.pool, async (client) => {
      await this.lock(client, name);
      // First writer wins: whoever inserted while `create` ran keeps their value, and we return it.
      await client.query(`INSERT INTO ${this.tables.keys} (name, value) VALUES ($1, $2::jsonb) ON CONFLICT (name) DO NOTHING`, [name, jsonb(value)]);
      const stored = await this.read<T>(client, name);
      return stored.found ? stored.value : value;
    });
  }

  update<T>(name: string, change: (current: T | undefined) => T | Promise<T>): Promise<T> {
    return inTransaction(this.pool, async (client) => {
      await this.lock(client, name);
      const current = await this.read<T>(client, name);
      const next = await change(current.found ? current.value : undefined);
      await client.query(
        `INSERT INTO ${this.tables.keys} (name, value) VALUES ($1, $2::jsonb)
         ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
        [name, jsonb(next)],
      );
      // What the database holds (and what other replicas will read), not the caller's object.
      return JSON.parse(jsonb(next)) as T;
    });
  }

  private async lock(client: PoolClient, name: string): Promise<void> {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS.keys, lockName(this.tables, name)]);
  }

  private async read<T>(db: Pool | PoolClient, name: string): Promise<{ found: true; value: T } | { found: false }> {
    const { rows } = await db.query<{ value: T }>(`SELECT value FROM ${this.tables.keys} WHERE name = $1`, [name]);
    return rows[0] ? { found: true, value: rows[0].value } : { found: false };
  }
}
