/**
 * oidc-provider's models in one table. A record whose expires_at has passed is treated as absent
 * on read (oidc-provider expects that) and deleted by `prune`.
 */
import type { Pool } from 'pg';
import type { ModelPayload, ModelStore } from '../types.js';
import { jsonb, type Tables } from './sql.js';

/** The condition "not expired at $n". */
const live = (param: number) => `(expires_at IS NULL OR expires_at > $${param})`;

export class PostgresModelStore implements ModelStore {
  constructor(
    private readonly pool: Pool,
    private readonly tables: Tables,
    private readonly now: () => number,
  ) {}

  async upsert(model: string, id: string, payload: ModelPayload, expiresInSeconds?: number): Promise<void> {
    const expiresAt = expiresInSeconds ? new Date(this.now() + expiresInSeconds * 1000) : null;
    await this.pool.query(
      `INSERT INTO ${this.tables.models} (model, id, payload, expires_at) VALUES ($1, $2, $3::jsonb, $4)
       ON CONFLICT (model, id) DO UPDATE SET payload = EXCLUDED.payload, expires_at = EXCLUDED.expires_at`,
      [model, id, jsonb(payload), expiresAt],
    );
  }

  find(model: string, id: string): Promise<ModelPayload | undefined> {
    return this.findOne('id', model, id);
  }

  findByUid(model: string, uid: string): Promise<ModelPayload | undefined> {
    return this.findOne('uid', model, uid);
  }

  findByUserCode(model: string, userCode: string): Promise<ModelPayload | undefined> {
    return this.findOne('user_code', model, userCode);
  }

  async consume(model: string, id: string): Promise<void> {
    await this.pool.query(
      `UPDATE ${this.tables.models} SET payload = payload || jsonb_build_object('consumed', $3::bigint)
       WHERE model = $1 AND id = $2 AND ${live(4)}`,
      [model, id, Math.floor(this.now() / 1000), this.date()],
    );
  }

  async destroy(model: string, id: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.tables.models} WHERE model = $1 AND id = $2`, [model, id]);
  }

  async revokeByGrantId(model: string, grantId: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.tables.models} WHERE model = $1 AND grant_id = $2`, [model, grantId]);
  }

  async revokeByAccountId(accountId: string): Promise<number> {
    const { rowCount } = await this.pool.query(`DELETE FROM ${this.tables.models} WHERE account_id = $1`, [accountId]);
    return rowCount ?? 0;
  }

  async sessionsOfAccount(accountId: string): Promise<ModelPayload[]> {
    const { rows } = await this.pool.query<{ payload: ModelPayload }>(
      `SELECT payload FROM ${this.tables.models} WHERE account_id = $1 AND model = 'Session' AND ${live(2)}`,
      [accountId, this.date()],
    );
    return rows.map((row) => row.payload);
  }

  /** Deletes every expired record; returns how many went. */
  async prune(): Promise<number> {
    const { rowCount } = await this.pool.query(`DELETE FROM ${this.tables.models} WHERE expires_at <= $1`, [this.date()]);
    return rowCount ?? 0;
  }

  private async findOne(column: 'id' | 'uid' | 'user_code', model: string, value: string): Promise<ModelPayload | undefined> {
    const { rows } = await this.pool.query<{ payload: ModelPayload }>(
      `SELECT payload FROM ${this.tables.models} WHERE model = $1 AND ${column} = $2 AND ${live(3)} LIMIT 1`,
      [model, value, this.date()],
    );
    return rows[0]?.payload;
  }

  private date(): Date {
    return new Date(this.now());
  }
}
