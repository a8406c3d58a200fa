/**
 * oidc-provider's models in one table, partitioned so that the PRE_AUTH_MODEL's rows are apart (see
 * migration 4; each statement names the partition of its model). A record whose expires_at has
 * passed is treated as absent on read (oidc-provider expects that) and deleted by `prune`.
 *
 * Round trips are what a request of ours costs (each is a socket write and a wake-up on both
 * sides), so within a request (see unit-of-work.ts):
 * - finding a token (AccessToken, RefreshToken, AuthorizationCode, …) also brings its Grant, its
 *   Session and its account, which oidc-provider reads next, in the same statement; finding a
 *   Session or an Interaction brings its account. A userinfo request is one statement instead of five.
 * - upserts and destroys are held and sent as one statement when the request's work is done,
 *   before its response is written: nothing a client has been told of is missing after a crash.
 * Every statement is prepared (named), so PostgreSQL plans each once per connection.
 */
import type { Pool } from 'pg';
import { PRE_AUTH_MODEL, type ModelPayload, type ModelStore } from '../../model/index.js';
import { accountJson, toAccount, type AccountJson } from './account-store.js';
import type { ChurnVacuum } from './churn-vacuum.js';
import { jsonb, prepared, type Tables } from './sql.js';
import { UnitOfWork, type LookupColumn, type UnitsOfWork } from './unit-of-work.js';

/** The condition "the record `alias` has not expired at $n". */
const live = (alias: string, param: number) => `(${alias}.expires_at IS NULL OR ${alias}.expires_at > $${param})`;

/**
 * Models whose records name a grant, a session (`sessionUid`) and an account that oidc-provider
 * reads right after finding one of them (token, refresh and userinfo requests).
 */
const TOKEN_MODELS = new Set(['AccessToken', 'RefreshToken', 'AuthorizationCode', 'DeviceCode', 'BackchannelAuthenticationRequest']);

interface FoundRow {
  payload: ModelPayload;
  grant_id?: string | null;
  grant?: ModelPayload | null;
  session_uid?: string | null;
  session?: ModelPayload | null;
  account_id?: string | null;
  account?: AccountJson | null;
}

type Query = ReturnType<typeof prepared>;

export class PostgresModelStore implements ModelStore {
  /**
   * The statements on each partition, and on the parent for what spans both. The hot statements
   * name a partition, not the parent: on the parent PostgreSQL plans and locks every partition for
   * a parameter's model (measured: a token exchange took twice the time through the parent).
   */
  readonly #rest;
  readonly #preAuth;
  readonly #parent;

  constructor(
    private readonly pool: Pool,
    private readonly tables: Tables,
    private readonly now: () => number,
    private readonly units: UnitsOfWork,
    private readonly churn: ChurnVacuum,
  ) {
    // A record's account: its accountId, or for an Interaction the account its login result names
    // (the resumed authorization reads that account next).
    const accountId = `coalesce(m.account_id, m.payload #>> '{result,login,accountId}')`;
    const account = `LEFT JOIN LATERAL (SELECT ${accountJson(tables, 'a')} AS account FROM ${tables.accounts} a
      WHERE a.id = ${accountId}) acc ON true`;
    const on = (t: string) => {
      const plain = (column: LookupColumn | 'user_code') =>
        prepared(`SELECT m.payload FROM ${t} m WHERE m.model = $1 AND m.${column} = $2 AND ${live('m', 3)} LIMIT 1`);
      const withAccount = (column: LookupColumn) =>
        prepared(`SELECT m.payload, ${accountId} AS account_id, acc.account FROM ${t} m ${account}
          WHERE m.model = $1 AND m.${column} = $2 AND ${live('m', 3)} LIMIT 1`);
      return {
        find: { id: plain('id'), uid: plain('uid') },
        findWithAccount: { id: withAccount('id'), uid: withAccount('uid') },
        findByUserCode: plain('user_code'),
        upsert: prepared(`INSERT INTO ${t} (model, id, payload, expires_at) VALUES ($1, $2, $3::jsonb, $4)
          ON CONFLICT (model, id) DO UPDATE SET payload = EXCLUDED.payload, expires_at = EXCLUDED.expires_at`),
        destroy: prepared(`DELETE FROM ${t} WHERE model = $1 AND id = $2`),
        // Several held writes in one statement (one transaction): deletions, then upserts of other records.
        write: prepared(`WITH gone AS (DELETE FROM ${t} WHERE (model, id) IN (SELECT * FROM unnest($1::text[], $2::text[])))
          INSERT INTO ${t} (model, id, payload, expires_at)
          SELECT r.model, r.id, r.payload, r.expires_at
          FROM jsonb_to_recordset($3::jsonb) AS r(model text, id text, payload jsonb, expires_at timestamptz)
          ON CONFLICT (model, id) DO UPDATE SET payload = EXCLUDED.payload, expires_at = EXCLUDED.expires_at`),
        // Only a record not yet consumed: of two concurrent redemptions, the second updates nothing.
        consume: prepared(`UPDATE ${t} m SET payload = m.payload || jsonb_build_object('consumed', $3::bigint)
          WHERE m.model = $1 AND m.id = $2 AND NOT (m.payload ? 'consumed') AND ${live('m', 4)}`),
        revokeByGrantId: prepared(`DELETE FROM ${t} WHERE model = $1 AND grant_id = $2`),
      };
    };
    const rest = tables.restModels;
    // Tokens, their Grant and Session are never the pre-authentication model: all in `rest`.
    this.#rest = {
      ...on(rest),
      findToken: prepared(`SELECT m.payload, m.grant_id, g.payload AS grant, m.payload->>'sessionUid' AS session_uid, s.payload AS session,
          m.account_id, acc.account
        FROM ${rest} m
        LEFT JOIN ${rest} g ON g.model = 'Grant' AND g.id = m.grant_id AND ${live('g', 3)}
        LEFT JOIN LATERAL (SELECT s.payload FROM ${rest} s
          WHERE s.model = 'Session' AND s.uid = m.payload->>'sessionUid' AND ${live('s', 3)} LIMIT 1) s ON true
        ${account}
        WHERE m.model = $1 AND m.id = $2 AND ${live('m', 3)} LIMIT 1`),
    };
    this.#preAuth = on(tables.preAuthModels);
    this.#parent = {
      write: on(tables.models).write,
      revokeByAccountId: prepared(`DELETE FROM ${tables.models} WHERE account_id = $1`),
    };
  }

  /** The statements on the partition that holds `model`'s records. */
  #on(model: string) {
    return model === PRE_AUTH_MODEL ? this.#preAuth : this.#rest;
  }

  async upsert(model: string, id: string, payload: ModelPayload, expiresInSeconds?: number): Promise<void> {
    if (model === PRE_AUTH_MODEL) this.churn.wrote(this.tables.preAuthModels);
    const expiresAt = expiresInSeconds ? this.now() + expiresInSeconds * 1000 : null;
    const unit = this.units.current();
    if (!unit) {
      await this.pool.query(this.#on(model).upsert([model, id, jsonb(payload), expiresAt === null ? null : new Date(expiresAt)]));
      return;
    }
    unit.forgetModel(model);
    unit.held.set(heldKey(model, id), { payload, expiresAt });
  }

  find(model: string, id: string): Promise<ModelPayload | undefined> {
    return this.findOne('id', model, id);
  }

  findByUid(model: string, uid: string): Promise<ModelPayload | undefined> {
    return this.findOne('uid', model, uid);
  }

  async findByUserCode(model: string, userCode: string): Promise<ModelPayload | undefined> {
    await this.sendHeldOf(model);
    const { rows } = await this.pool.query<FoundRow>(this.#on(model).findByUserCode([model, userCode, this.date()]));
    return rows[0]?.payload;
  }

  async consume(model: string, id: string): Promise<boolean> {
    await this.sendHeldOf(model);
    this.units.current()?.forgetModel(model);
    const { rowCount } = await this.pool.query(this.#on(model).consume([model, id, Math.floor(this.now() / 1000), this.date()]));
    return rowCount === 1;
  }

  async destroy(model: string, id: string): Promise<void> {
    if (model === PRE_AUTH_MODEL) this.churn.wrote(this.tables.preAuthModels);
    const unit = this.units.current();
    if (!unit) {
      await this.pool.query(this.#on(model).destroy([model, id]));
      return;
    }
    unit.forgetModel(model);
    unit.held.set(heldKey(model, id), { destroyed: true });
  }

  async revokeByGrantId(model: string, grantId: string): Promise<void> {
    await this.sendHeldOf();
    this.units.current()?.forgetModel(model);
    await this.pool.query(this.#on(model).revokeByGrantId([model, grantId]));
  }

  async revokeByAccountId(accountId: string): Promise<number> {
    await this.sendHeldOf();
    this.units.current()?.records.clear();
    const { rowCount } = await this.pool.query(this.#parent.revokeByAccountId([accountId]));
    return rowCount ?? 0;
  }

  async sessionsOfAccount(accountId: string): Promise<ModelPayload[]> {
    await this.sendHeldOf('Session');
    const { rows } = await this.pool.query<{ payload: ModelPayload }>(
      `SELECT m.payload FROM ${this.tables.models} m WHERE m.account_id = $1 AND m.model = 'Session' AND ${live('m', 2)}`,
      [accountId, this.date()],
    );
    return rows.map((row) => row.payload);
  }

  /** Deletes every expired record; returns how many went. */
  async prune(): Promise<number> {
    const { rowCount } = await this.pool.query(`DELETE FROM ${this.tables.models} WHERE expires_at <= $1`, [this.date()]);
    return rowCount ?? 0;
  }

  /** Sends what `unit` holds, in one statement. */
  sendHeld(unit: UnitOfWork): Promise<void> {
    return unit.sendHeld(async (writes) => {
      if (writes.length === 1) {
        const [key, write] = writes[0]!;
        const [model, id] = splitKey(key);
        if ('destroyed' in write) await this.pool.query(this.#on(model).destroy([model, id]));
        else
          await this.pool.query(
            this.#on(model).upsert([model, id, jsonb(write.payload), write.expiresAt === null ? null : new Date(write.expiresAt)]),
          );
        return;
      }
      const gone: [string[], string[]] = [[], []];
      let preAuth = false;
      let rest = false;
      const rows: { model: string; id: string; payload: ModelPayload; expires_at: string | null }[] = [];
      for (const [key, write] of writes) {
        const [model, id] = splitKey(key);
        if (model === PRE_AUTH_MODEL) preAuth = true;
        else rest = true;
        if ('destroyed' in write) {
          gone[0].push(model);
          gone[1].push(id);
        } else {
          rows.push({ model, id, payload: write.payload, expires_at: write.expiresAt === null ? null : new Date(write.expiresAt).toISOString() });
        }
      }
      // One partition's records go to it; a batch with both (a finished sign-in: its attempt
      // deleted, its session and grant written) goes through the parent.
      const statements = preAuth && rest ? this.#parent : preAuth ? this.#preAuth : this.#rest;
      await this.pool.query(statements.write([gone[0], gone[1], jsonb(rows)]));
    });
  }

  /** Makes the database current before a lookup held writes could change (of `model`, or of any). */
  private async sendHeldOf(model?: string): Promise<void> {
    const unit = this.units.current();
    if (unit?.hasHeldWrites(model)) await this.sendHeld(unit);
  }

  private async findOne(column: LookupColumn, model: string, value: string): Promise<ModelPayload | undefined> {
    const unit = this.units.current();
    if (!unit) return (await this.query(column, model, value))?.payload;
    if (column === 'id') {
      const held = unit.held.get(heldKey(model, value));
      if (held) return 'destroyed' in held || (held.expiresAt !== null && held.expiresAt <= this.now()) ? undefined : held.payload;
    } else if (unit.hasHeldWrites(model)) {
      await this.sendHeld(unit);
    }
    const key = UnitOfWork.recordKey(column, model, value);
    const known = unit.records.get(key);
    if (known !== undefined) return known ?? undefined;
    const row = await this.query(column, model, value);
    unit.records.set(key, row?.payload ?? null);
    if (row) this.remember(unit, row);
    return row?.payload;
  }

  private async query(column: LookupColumn, model: string, value: string): Promise<FoundRow | undefined> {
    const statements = this.#on(model);
    let statement: Query = statements.find[column];
    if (column === 'id' && TOKEN_MODELS.has(model)) statement = this.#rest.findToken;
    else if (model === 'Session' || model === PRE_AUTH_MODEL) statement = statements.findWithAccount[column];
    const { rows } = await this.pool.query<FoundRow>(statement([model, value, this.date()]));
    return rows[0];
  }

  /** What came along with a record: oidc-provider's next reads in this request. */
  private remember(unit: UnitOfWork, row: FoundRow): void {
    if (row.grant_id) unit.records.set(UnitOfWork.recordKey('id', 'Grant', row.grant_id), row.grant ?? null);
    if (row.session_uid) unit.records.set(UnitOfWork.recordKey('uid', 'Session', row.session_uid), row.session ?? null);
    if (row.account_id) unit.accounts.set(row.account_id, row.account ? toAccount(row.account) : null);
  }

  private date(): Date {
    return new Date(this.now());
  }
}

const heldKey = (model: string, id: string) => `${model}\u0000${id}`;

function splitKey(key: string): [string, string] {
  const at = key.indexOf('\u0000');
  return [key.slice(0, at), key.slice(at + 1)];
}
