/** WeCom login states: written once, taken once (`DELETE … RETURNING` is the take). */
import type { Pool } from 'pg';
import type { LoginState, LoginStateOwner, LoginStateStore } from '../../model/index.js';
import type { ChurnVacuum } from './churn-vacuum.js';
import { jsonb, type Tables } from './sql.js';

export class PostgresLoginStateStore implements LoginStateStore {
  constructor(
    private readonly pool: Pool,
    private readonly tables: Tables,
    private readonly now: () => number,
    private readonly churn: ChurnVacuum,
  ) {}

  async put(state: string, value: LoginState, expiresInSeconds: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.tables.loginStates} (state, value, expires_at) VALUES ($1, $2::jsonb, $3)
       ON CONFLICT (state) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at`,
      [state, jsonb(value), new Date(this.now() + expiresInSeconds * 1000)],
    );
    this.churn.wrote(this.tables.loginStates);
  }

  async spend(state: string, value: LoginState, expiresInSeconds: number): Promise<boolean> {
    // One statement: inserted, or replacing an expired leftover; a live record wins and nothing changes.
    const now = this.now();
    const { rowCount } = await this.pool.query(
      `INSERT INTO ${this.tables.loginStates} AS held (state, value, expires_at) VALUES ($1, $2::jsonb, $3)
       ON CONFLICT (state) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at WHERE held.expires_at <= $4`,
      [state, jsonb(value), new Date(now + expiresInSeconds * 1000), new Date(now)],
    );
    if (rowCount !== 1) return false;
    this.churn.wrote(this.tables.loginStates);
    return true;
  }

  async peek(state: string): Promise<LoginState | undefined> {
    const { rows } = await this.pool.query<{ value: LoginState }>(
      `SELECT value FROM ${this.tables.loginStates} WHERE state = $1 AND expires_at > $2`,
      [state, new Date(this.now())],
    );
    return rows[0]?.value;
  }

  async take(state: string, owner?: LoginStateOwner): Promise<LoginState | undefined> {
    // Only one caller gets the row back, however many replicas ask at once. The owner is checked
    // in the same statement, so a callback costs one round trip, not a look and then a take.
    const { rows } = owner
      ? await this.pool.query<{ value: LoginState; expires_at: Date }>(
          `DELETE FROM ${this.tables.loginStates}
           WHERE state = $1 AND value->>'interactionUid' = $2 AND value->>'connection' = $3 RETURNING value, expires_at`,
          [state, owner.interactionUid, owner.connection],
        )
      : await this.pool.query<{ value: LoginState; expires_at: Date }>(
          `DELETE FROM ${this.tables.loginStates} WHERE state = $1 RETURNING value, expires_at`,
          [state],
        );
    const row = rows[0];
    if (row) this.churn.wrote(this.tables.loginStates);
    return row && row.expires_at.getTime() > this.now() ? row.value : undefined;
  }

  /** Deletes expired states; returns how many went. */
  async prune(): Promise<number> {
    const { rowCount } = await this.pool.query(`DELETE FROM ${this.tables.loginStates} WHERE expires_at <= $1`, [new Date(this.now())]);
    return rowCount ?? 0;
  }
}
