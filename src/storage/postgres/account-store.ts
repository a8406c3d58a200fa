/**
 * Accounts, their WeCom identities and their match keys. The identities table's primary key
 * (corp_id, lower-cased userid) is what decides races: two first sign-ins of one member both try
 * to insert the identity, PostgreSQL lets one commit and tells the other, which then returns the
 * winner's account. Match keys are matchKey() of the profile, written with the profile.
 */
import type { Pool, PoolClient } from 'pg';
import {
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
} from '../types.js';
import { inTransaction, jsonb, type Tables } from './sql.js';

const MATCH_FIELDS: readonly MatchField[] = ['username', 'email', 'phone_number'];

/** PostgreSQL's unique_violation: the new userid already belongs to someone. */
const UNIQUE_VIOLATION = '23505';

/** A row may be taken away between our insert and our read (an unlink racing a link): try again, a little. */
const RACE_RETRIES = 3;

interface AccountRow {
  id: string;
  created_at: number;
  updated_at: number;
  disabled: boolean;
  provisioned: boolean | null;
  profile: AccountProfile;
  retired_at: number | null;
}

interface IdentityRow {
  account_id: string;
  corp_id: string;
  userid: string;
  connection: string;
  linked_at: number;
  checked_at: number | null;
  checked_via: MemberCheckSource | null;
}

const ACCOUNT_COLUMNS = 'a.id, a.created_at, a.updated_at, a.disabled, a.provisioned, a.profile, a.retired_at';

class IdentityTaken extends Error {
  constructor(readonly identity: WeComIdentity) {
    super('identity already linked');
  }
}

export class PostgresAccountStore implements AccountStore {
  constructor(
    private readonly pool: Pool,
    private readonly tables: Tables,
  ) {}

  async findById(id: string): Promise<Account | undefined> {
    return (await this.select('WHERE a.id = $1', [id]))[0];
  }

  async findByIdentity(corpId: string, userid: string): Promise<Account | undefined> {
    const accounts = await this.select(
      `JOIN ${this.tables.identities} i ON i.account_id = a.id WHERE i.corp_id = $1 AND i.userid = $2`,
      [corpId, userid.toLowerCase()],
    );
    return accounts[0];
  }

  async createWithIdentity(account: Account): Promise<{ account: Account; created: boolean }> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await inTransaction(this.pool, async (client) => {
          await client.query(
            `INSERT INTO ${this.tables.accounts} (id, created_at, updated_at, disabled, provisioned, profile)
             VALUES ($1, $2, $3, $4, $5, $6::jsonb)`,
            [account.id, account.createdAt, account.updatedAt, account.disabled, account.provisioned ?? null, jsonb(account.profile)],
          );
          for (const identity of account.identities) {
            // Waits for a concurrent transaction inserting the same identity, then does nothing if it committed.
            if (!(await this.insertIdentity(client, account.id, identity))) throw new IdentityTaken(identity);
          }
          await this.writeMatchKeys(client, account.id, account.profile);
        });
        return { account: (await this.findById(account.id))!, created: true };
      } catch (error) {
        if (!(error instanceof IdentityTaken)) throw error;
        const existing = await this.findByIdentity(error.identity.corpId, error.identity.userid);
        if (existing) return { account: existing, created: false };
        if (attempt >= RACE_RETRIES) throw new Error('could not create the account: its identity kept changing owner');
      }
    }
  }

  async updateProfile(id: string, profile: AccountProfile, updatedAt: number): Promise<Account | undefined> {
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
    const { rowCount } = await this.pool.query(
      `DELETE FROM ${this.tables.identities} WHERE corp_id = $1 AND userid = $2 AND account_id = $3`,
      [corpId, userid.toLowerCase(), accountId],
    );
    return Boolean(rowCount);
  }

  async setDisabled(accountId: string, disabled: boolean): Promise<Account | undefined> {
    const { rowCount } = await this.pool.query(`UPDATE ${this.tables.accounts} SET disabled = $2 WHERE id = $1`, [accountId, disabled]);
    return rowCount ? this.findById(accountId) : undefined;
  }

  async retireIdentity(accountId: string, corpId: string, userid: string, retiredAt: number): Promise<RetireResult> {
    const remaining = await inTransaction(this.pool, async (client) => {
      const removed = await client.query(
        `DELETE FROM ${this.tables.identities} WHERE corp_id = $1 AND userid = $2 AND account_id = $3`,
        [corpId, userid.toLowerCase(), accountId],
      );
      if (!removed.rowCount) return undefined;
      // Locks the account row, so two retirements of its last identities cannot both see one left.
      await client.query(`SELECT 1 FROM ${this.tables.accounts} WHERE id = $1 FOR UPDATE`, [accountId]);
      const { rows } = await client.query<{ count: string }>(
        `SELECT count(*) FROM ${this.tables.identities} WHERE account_id = $1`,
        [accountId],
      );
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
    await this.pool.query(
      `UPDATE ${this.tables.identities} SET checked_at = $3, checked_via = $4 WHERE corp_id = $1 AND userid = $2`,
      [corpId, userid.toLowerCase(), checkedAt, via],
    );
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
    const { rows } = await this.pool.query<AccountRow>(
      `SELECT ${ACCOUNT_COLUMNS} FROM ${this.tables.accounts} a ${where} ORDER BY a.created_at, a.id`,
      params,
    );
    if (!rows.length) return [];
    const identities = await this.pool.query<IdentityRow>(
      `SELECT account_id, corp_id, userid, connection, linked_at, checked_at, checked_via FROM ${this.tables.identities}
       WHERE account_id = ANY($1::text[]) ORDER BY seq`,
      [rows.map((row) => row.id)],
    );
    const byAccount = new Map<string, IdentityRow[]>();
    for (const identity of identities.rows) {
      const list = byAccount.get(identity.account_id);
      if (list) list.push(identity);
      else byAccount.set(identity.account_id, [identity]);
    }
    return rows.map((row) => toAccount(row, byAccount.get(row.id) ?? []));
  }
}

function toAccount(row: AccountRow, identities: IdentityRow[]): Account {
  return {
    id: row.id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    disabled: row.disabled,
    ...(row.provisioned === null ? {} : { provisioned: row.provisioned }),
    profile: row.profile,
    identities: identities.map((identity) => ({
      corpId: identity.corp_id,
      userid: identity.userid,
      connection: identity.connection,
      linkedAt: identity.linked_at,
      ...(identity.checked_at === null ? {} : { checkedAt: identity.checked_at }),
      ...(identity.checked_via === null ? {} : { checkedVia: identity.checked_via }),
    })),
    ...(row.retired_at === null ? {} : { retiredAt: row.retired_at }),
  };
}
