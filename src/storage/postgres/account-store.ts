/**
 * Accounts, their WeCom identities and their match keys. The identities table's primary key
 * (corp_id, lower-cased userid) is what decides races: two first sign-ins of one member both try
 * to insert the identity, PostgreSQL lets one commit and tells the other, which then returns the
 * winner's account. Match keys are matchKey() of the profile, written with the profile.
 */
import type { Pool, PoolClient } from 'pg';
import {
  MATCH_FIELDS,
  matchKey,
  profileMatchValue,
  type Account,
  type AccountProfile,
  type AccountStore,
  type LinkResult,
  type MatchField,
  type MemberCheckSource,
  type RenameResult,
  type RetireResult,
  type WeComIdentity,
} from '../../model/index.js';
import { inTransaction, jsonb, prepared, type Tables } from './sql.js';
import type { UnitsOfWork } from './unit-of-work.js';

/** PostgreSQL's unique_violation: the new userid already belongs to someone. */
const UNIQUE_VIOLATION = '23505';

/** A row may be taken away between our insert and our read (an unlink racing a link): try again, a little. */
const RACE_RETRIES = 3;

/** An account as accountJson() builds it: the Account, with null where an optional field was never set. */
export type AccountJson = Omit<Account, 'provisioned' | 'retiredAt' | 'identities'> & {
  provisioned: boolean | null;
  retiredAt: number | null;
  identities: (Omit<WeComIdentity, 'checkedAt' | 'checkedVia'> & { checkedAt: number | null; checkedVia: MemberCheckSource | null })[];
};

/**
 * The account `alias` as one JSON value, its identities in link order included, so that reading an
 * account is one statement (model-store.ts uses it too, to bring a token's account along).
 */
export function accountJson(tables: Tables, alias: string): string {
  return `json_build_object('id', ${alias}.id, 'createdAt', ${alias}.created_at, 'updatedAt', ${alias}.updated_at,
    'disabled', ${alias}.disabled, 'provisioned', ${alias}.provisioned, 'profile', ${alias}.profile,
    'identities', (SELECT coalesce(json_agg(json_build_object('corpId', i.corp_id, 'userid', i.userid,
        'connection', i.connection, 'linkedAt', i.linked_at, 'checkedAt', i.checked_at, 'checkedVia', i.checked_via)
        ORDER BY i.seq), '[]'::json)
      FROM ${tables.identities} i WHERE i.account_id = ${alias}.id),
    'retiredAt', ${alias}.retired_at)`;
}

/** The Account, without the optional fields that were never set. */
export function toAccount(json: AccountJson): Account {
  const { provisioned, retiredAt, identities, ...account } = json;
  return {
    ...account,
    ...(provisioned === null ? {} : { provisioned }),
    identities: identities.map(({ checkedAt, checkedVia, ...identity }) => ({
      ...identity,
      ...(checkedAt === null ? {} : { checkedAt }),
      ...(checkedVia === null ? {} : { checkedVia }),
    })),
    ...(retiredAt === null ? {} : { retiredAt }),
  };
}

class IdTaken extends Error {
  constructor() {
    super('account id already taken');
  }
}

class IdentityTaken extends Error {
  constructor(readonly identity: WeComIdentity) {
    super('identity already linked');
  }
}

export class PostgresAccountStore implements AccountStore {
  readonly #byId;
  readonly #byIdentity;

  constructor(
    private readonly pool: Pool,
    private readonly tables: Tables,
    private readonly units: UnitsOfWork,
  ) {
    this.#byId = prepared(`SELECT ${accountJson(tables, 'a')} AS account FROM ${tables.accounts} a WHERE a.id = $1`);
    this.#byIdentity = prepared(
      `SELECT ${accountJson(tables, 'a')} AS account FROM ${tables.identities} k JOIN ${tables.accounts} a ON a.id = k.account_id
       WHERE k.corp_id = $1 AND k.userid = $2`,
    );
  }

  async findById(id: string): Promise<Account | undefined> {
    const unit = this.units.current();
    const known = unit?.accounts.get(id);
    if (known !== undefined) return known ?? undefined;
    const { rows } = await this.pool.query<{ account: AccountJson }>(this.#byId([id]));
    const account = rows[0] && toAccount(rows[0].account);
    unit?.accounts.set(id, account ?? null);
    return account;
  }

  async findByIdentity(corpId: string, userid: string): Promise<Account | undefined> {
    const { rows } = await this.pool.query<{ account: AccountJson }>(this.#byIdentity([corpId, userid.toLowerCase()]));
    const account = rows[0] && toAccount(rows[0].account);
    if (account) this.units.current()?.accounts.set(account.id, account);
    return account;
  }

  async createWithIdentity(account: Account): Promise<{ account: Account; created: boolean }> {
    this.forget();
    for (let attempt = 1; ; attempt += 1) {
      try {
        await inTransaction(this.pool, async (client) => {
          // Waits for a concurrent transaction inserting the same id, then does nothing if it committed.
          const inserted = await client.query(
            `INSERT INTO ${this.tables.accounts} (id, created_at, updated_at, disabled, provisioned, profile)
             VALUES ($1, $2, $3, $4, $5, $6::jsonb) ON CONFLICT (id) DO NOTHING`,
            [account.id, account.createdAt, account.updatedAt, account.disabled, account.provisioned ?? null, jsonb(account.profile)],
          );
          if (!inserted.rowCount) throw new IdTaken();
          for (const identity of account.identities) {
            // Waits for a concurrent transaction inserting the same identity, then does nothing if it committed.
            if (!(await this.insertIdentity(client, account.id, identity))) throw new IdentityTaken(identity);
          }
          await this.writeMatchKeys(client, account.id, account.profile);
        });
        return { account: (await this.findById(account.id))!, created: true };
      } catch (error) {
        if (error instanceof IdTaken) return { account: (await this.findById(account.id))!, created: false };
        if (!(error instanceof IdentityTaken)) throw error;
        const existing = await this.findByIdentity(error.identity.corpId, error.identity.userid);
        if (existing) return { account: existing, created: false };
        if (attempt >= RACE_RETRIES) throw new Error('could not create the account: its identity kept changing owner', { cause: error });
      }
    }
  }

  async updateProfile(id: string, profile: AccountProfile, updatedAt: number): Promise<Account | undefined> {
    this.forget();
    const updated = await inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{ retired_at: number | null }>(
        `UPDATE ${this.tables.accounts} SET profile = $2::jsonb, updated_at = $3 WHERE id = $1 RETURNING retired_at`,
        [id, jsonb(profile), updatedAt],
      );
      // A retired account matches nothing (see Account.retiredAt).
      if (rows[0] && rows[0].retired_at === null) await this.writeMatchKeys(client, id, profile);
      return rows.length > 0;
    });
    return updated ? this.findById(id) : undefined;
  }

  list(): Promise<Account[]> {
    return this.select('', []);
  }

  async findByMatchField(field: MatchField, value: string): Promise<Account[]> {
    const key = matchKey(field, value);
    if (key === undefined) return [];
    return this.select(`JOIN ${this.tables.matchKeys} k ON k.account_id = a.id WHERE k.field = $1 AND k.key = $2`, [field, key]);
  }

  async linkIdentity(accountId: string, identity: WeComIdentity): Promise<LinkResult> {
    this.forget();
    if (!(await this.findById(accountId))) return { status: 'no_account' };
    const userid = identity.userid.toLowerCase();
    for (let attempt = 1; attempt <= RACE_RETRIES; attempt += 1) {
      if (await this.insertIdentity(this.pool, accountId, identity)) {
        const account = await this.findById(accountId);
        return account ? { status: 'linked', account } : { status: 'no_account' };
      }
      const { rows } = await this.pool.query<{ account_id: string }>(
        `SELECT account_id FROM ${this.tables.identities} WHERE corp_id = $1 AND userid = $2`,
        [identity.corpId, userid],
      );
      const owner = rows[0]?.account_id;
      if (owner === undefined) continue; // unlinked since our insert: try again
      if (owner !== accountId) return { status: 'conflict', otherAccountId: owner };
      const account = await this.findById(accountId);
      return account ? { status: 'already_linked', account } : { status: 'no_account' };
    }
    throw new Error('could not link the identity: it kept changing owner');
  }

  async unlinkIdentity(accountId: string, corpId: string, userid: string): Promise<boolean> {
    this.forget();
    const { rowCount } = await this.pool.query(`DELETE FROM ${this.tables.identities} WHERE corp_id = $1 AND userid = $2 AND account_id = $3`, [
      corpId,
      userid.toLowerCase(),
      accountId,
    ]);
    this.forget();
    return Boolean(rowCount);
  }

  async setDisabled(accountId: string, disabled: boolean): Promise<Account | undefined> {
    this.forget();
    const { rowCount } = await this.pool.query(`UPDATE ${this.tables.accounts} SET disabled = $2 WHERE id = $1`, [accountId, disabled]);
    return rowCount ? this.findById(accountId) : undefined;
  }

  async retireIdentity(accountId: string, corpId: string, userid: string, retiredAt: number): Promise<RetireResult> {
    this.forget();
    const remaining = await inTransaction(this.pool, async (client) => {
      const removed = await client.query(`DELETE FROM ${this.tables.identities} WHERE corp_id = $1 AND userid = $2 AND account_id = $3`, [
        corpId,
        userid.toLowerCase(),
        accountId,
      ]);
      if (!removed.rowCount) return undefined;
      // Locks the account row, so two retirements of its last identities cannot both see one left.
      await client.query(`SELECT 1 FROM ${this.tables.accounts} WHERE id = $1 FOR UPDATE`, [accountId]);
      const { rows } = await client.query<{ count: string }>(`SELECT count(*) FROM ${this.tables.identities} WHERE account_id = $1`, [accountId]);
      const left = Number(rows[0]?.count ?? 0);
      if (left === 0) {
        await client.query(`UPDATE ${this.tables.accounts} SET disabled = true, retired_at = $2 WHERE id = $1`, [accountId, retiredAt]);
        await client.query(`DELETE FROM ${this.tables.matchKeys} WHERE account_id = $1`, [accountId]);
      }
      return left;
    });
    if (remaining === undefined) return { status: 'not_linked' };
    const account = await this.findById(accountId);
    return account ? { status: 'retired', account, remaining } : { status: 'not_linked' };
  }

  async renameIdentity(corpId: string, fromUserid: string, toUserid: string): Promise<RenameResult> {
    this.forget();
    const from = fromUserid.toLowerCase();
    const to = toUserid.toLowerCase();
    try {
      const { rows } = await this.pool.query<{ account_id: string }>(
        `UPDATE ${this.tables.identities} SET userid = $3 WHERE corp_id = $1 AND userid = $2 RETURNING account_id`,
        [corpId, from, to],
      );
      const account = rows[0] && (await this.findById(rows[0].account_id));
      return account ? { status: 'renamed', account } : { status: 'not_linked' };
    } catch (error) {
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      const owner = await this.findByIdentity(corpId, to);
      return owner ? { status: 'conflict', otherAccountId: owner.id } : { status: 'not_linked' };
    }
  }

  async markChecked(corpId: string, userid: string, checkedAt: number, via: MemberCheckSource): Promise<void> {
    this.forget();
    await this.pool.query(`UPDATE ${this.tables.identities} SET checked_at = $3, checked_via = $4 WHERE corp_id = $1 AND userid = $2`, [
      corpId,
      userid.toLowerCase(),
      checkedAt,
      via,
    ]);
  }

  /** True when inserted; false when (corp, userid) already belongs to an account. */
  private async insertIdentity(db: Pool | PoolClient, accountId: string, identity: WeComIdentity): Promise<boolean> {
    const { rowCount } = await db.query(
      `INSERT INTO ${this.tables.identities} (corp_id, userid, account_id, connection, linked_at)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (corp_id, userid) DO NOTHING`,
      [identity.corpId, identity.userid.toLowerCase(), accountId, identity.connection, identity.linkedAt],
    );
    return Boolean(rowCount);
  }

  private async writeMatchKeys(client: PoolClient, accountId: string, profile: AccountProfile): Promise<void> {
    await client.query(`DELETE FROM ${this.tables.matchKeys} WHERE account_id = $1`, [accountId]);
    for (const field of MATCH_FIELDS) {
      const key = matchKey(field, profileMatchValue(profile, field));
      if (key === undefined) continue;
      await client.query(`INSERT INTO ${this.tables.matchKeys} (field, key, account_id) VALUES ($1, $2, $3)`, [field, key, accountId]);
    }
  }

  /** Accounts (oldest first) selected by `where` over `accounts a`, each with its identities in link order. */
  private async select(where: string, params: unknown[]): Promise<Account[]> {
    const { rows } = await this.pool.query<{ account: AccountJson }>(
      `SELECT ${accountJson(this.tables, 'a')} AS account FROM ${this.tables.accounts} a ${where} ORDER BY a.created_at, a.id`,
      params,
    );
    return rows.map((row) => toAccount(row.account));
  }

  /** What this request remembered of accounts may be out of date after a write. */
  private forget(): void {
    this.units.current()?.accounts.clear();
  }
}
