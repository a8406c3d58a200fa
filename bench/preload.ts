/**
 * A store that has been in use for a while: N accounts, each with its WeCom identity, and N live
 * grants (one per account, expiring in 14 days), so that sign-in throughput can be compared
 * against an empty store.
 *
 * - lowdb: the snapshot file is written directly, in the driver's own shape (storage/lowdb/
 *   database.ts `DatabaseShape`), before the server starts; the server then opens it as its own.
 * - PostgreSQL: the driver opens the schema (creating its tables) and writes the first record
 *   itself, through its Storage interface; the rest go in as bulk INSERTs shaped like the driver's
 *   own rows (accounts, identities, username match keys, Grant models). Should that SQL no longer
 *   fit the driver's tables, the rest go through the interface instead (slower, always right).
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import pg from 'pg';
import type { Config } from '../src/config/schema.js';
import { TTL } from '../src/oidc/ttl.js';
import { openStorage } from '../src/storage/index.js';
import { tablesIn } from '../src/storage/postgres/sql.js';
import { matchKey, type Account, type ModelPayload } from '../src/model/index.js';
import { CLIENT, CONNECTION, CORP_ID, SIGN_IN_SCOPE } from './fixtures.js';

export interface PreloadRecord {
  account: Account;
  grantId: string;
  grant: ModelPayload;
  /** Epoch ms. */
  grantExpiresAt: number;
}

const DEPARTMENTS = [1, 2];

/** The i-th preloaded person and their grant. Userids never collide with the simulator's demo people. */
export function preloadRecord(index: number, nowMs: number): PreloadRecord {
  const nowSeconds = Math.floor(nowMs / 1000);
  const userid = `bench-user-${String(index).padStart(6, '0')}`;
  const id = randomBytes(16).toString('base64url');
  const grantId = randomBytes(32).toString('base64url');
  return {
    account: {
      id,
      createdAt: nowSeconds,
      updatedAt: nowSeconds,
      disabled: false,
      profile: {
        username: userid,
        corpId: CORP_ID,
        name: `成员 ${index}`,
        department: DEPARTMENTS,
        mainDepartment: 2,
        position: '工程师',
        groups: ['总部', '研发部'],
      },
      identities: [{ corpId: CORP_ID, userid, connection: CONNECTION, linkedAt: nowSeconds }],
    },
    grantId,
    grant: {
      iat: nowSeconds,
      exp: nowSeconds + TTL.Grant,
      clientId: CLIENT.client_id,
      accountId: id,
      kind: 'Grant',
      jti: grantId,
      openid: { scope: SIGN_IN_SCOPE },
    },
    grantExpiresAt: nowMs + TTL.Grant * 1000,
  };
}

/** Writes a lowdb snapshot holding `count` accounts and grants (and nothing else: keys are made at start). */
export async function writeLowdbSnapshot(path: string, count: number): Promise<void> {
  const now = Date.now();
  const accounts: Record<string, Account> = {};
  const identities: Record<string, string> = {};
  const grants: Record<string, { payload: ModelPayload; expiresAt: number }> = {};
  for (let index = 0; index < count; index += 1) {
    const record = preloadRecord(index, now);
    accounts[record.account.id] = record.account;
    for (const identity of record.account.identities) identities[`${identity.corpId}/${identity.userid.toLowerCase()}`] = record.account.id;
    grants[record.grantId] = { payload: record.grant, expiresAt: record.grantExpiresAt };
  }
  const snapshot = { version: 1, models: { Grant: grants }, loginStates: {}, accounts, identities, keys: {} };
  await writeFile(path, JSON.stringify(snapshot), { mode: 0o600 });
}

type PostgresStorageConfig = Extract<Config['storage'], { driver: 'postgres' }>;

/** How the rows went in, for the report. */
export type PreloadMethod = 'bulk SQL' | 'driver interface';

/** Preloads a PostgreSQL schema with `count` accounts and grants. */
export async function preloadPostgres(config: PostgresStorageConfig, count: number): Promise<PreloadMethod> {
  const now = Date.now();
  const records = (from: number, to: number) => Array.from({ length: Math.max(0, to - from) }, (_, offset) => preloadRecord(from + offset, now));
  // The driver creates the schema and writes the first record itself.
  await throughInterface(config, records(0, Math.min(1, count)));
  if (count <= 1) return 'driver interface';
  try {
    await bulkInsert(config, records(1, count));
    return 'bulk SQL';
  } catch (error) {
    process.stderr.write(`  bulk INSERT did not fit the driver's tables (${(error as Error).message}); using its interface\n`);
    for (let from = 1; from < count; from += 5_000) await throughInterface(config, records(from, Math.min(count, from + 5_000)));
    return 'driver interface';
  }
}

async function throughInterface(config: PostgresStorageConfig, records: PreloadRecord[], inFlight = 32): Promise<void> {
  // Object.assign, not a literal: `poolSize` is the driver's option and may not be in every config version.
  const storage = await openStorage(Object.assign({}, config, { poolSize: inFlight }));
  try {
    let next = 0;
    const worker = async () => {
      while (next < records.length) {
        const record = records[next++]!;
        await storage.accounts.createWithIdentity(record.account);
        await storage.models.upsert('Grant', record.grantId, record.grant, TTL.Grant);
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
  } finally {
    await storage.close();
  }
}

/** One transaction: either every row is in, or none (and the interface takes over). */
async function bulkInsert(config: PostgresStorageConfig, records: PreloadRecord[]): Promise<void> {
  const t = tablesIn(config.schema);
  const client = new pg.Client({ connectionString: config.url });
  await client.connect();
  try {
    await client.query('BEGIN');
    for (let from = 0; from < records.length; from += 5_000) {
      const chunk = records.slice(from, from + 5_000);
      const rows = JSON.stringify(
        chunk.map(({ account, grantId, grant, grantExpiresAt }) => ({
          id: account.id,
          created_at: account.createdAt,
          updated_at: account.updatedAt,
          profile: account.profile,
          corp_id: account.identities[0]!.corpId,
          userid: account.identities[0]!.userid.toLowerCase(),
          connection: account.identities[0]!.connection,
          linked_at: account.identities[0]!.linkedAt,
          username_key: matchKey('username', account.profile.username),
          grant_id: grantId,
          grant,
          expires_at: grantExpiresAt,
        })),
      );
      const source = `jsonb_to_recordset($1::jsonb) AS r(id text, created_at float8, updated_at float8, profile jsonb, corp_id text,
        userid text, connection text, linked_at float8, username_key text, grant_id text, "grant" jsonb, expires_at float8)`;
      await client.query(
        `INSERT INTO ${t.accounts} (id, created_at, updated_at, disabled, profile) SELECT id, created_at, updated_at, false, profile FROM ${source}`,
        [rows],
      );
      await client.query(
        `INSERT INTO ${t.identities} (corp_id, userid, account_id, connection, linked_at) SELECT corp_id, userid, id, connection, linked_at FROM ${source}`,
        [rows],
      );
      await client.query(`INSERT INTO ${t.matchKeys} (field, key, account_id) SELECT 'username', username_key, id FROM ${source}`, [rows]);
      await client.query(
        `INSERT INTO ${t.models} (model, id, payload, expires_at) SELECT 'Grant', grant_id, "grant", to_timestamp(expires_at / 1000.0) FROM ${source}`,
        [rows],
      );
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}
