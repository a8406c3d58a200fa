/**
 * What every part of the PostgreSQL driver shares: qualified table names, transactions, and the
 * advisory-lock keys that make "one at a time" hold across replicas.
 */
import { createHash } from 'node:crypto';
import type { Pool, PoolClient, QueryConfig } from 'pg';

/** A schema name is put into SQL text (identifiers cannot be parameters), so it is checked first. */
export const POSTGRES_SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export interface Tables {
  /** The schema, unquoted (for advisory-lock keys, catalog lookups). */
  schema: string;
  migrations: string;
  models: string;
  /** The partition of `models` that holds oidc-provider's Interactions (see migration 4). */
  preAuthModels: string;
  /** The partition of `models` that holds every other model. */
  restModels: string;
  loginStates: string;
  accounts: string;
  identities: string;
  matchKeys: string;
  keys: string;
  accessTokens: string;
}

export function tablesIn(schema: string): Tables {
  if (!POSTGRES_SCHEMA_NAME.test(schema)) throw new Error(`invalid PostgreSQL schema name "${schema}"`);
  const table = (name: string) => `"${schema}"."${name}"`;
  return {
    schema,
    migrations: table('wecom_oidc_migrations'),
    models: table('oidc_models'),
    preAuthModels: table('oidc_models_pre_auth'),
    restModels: table('oidc_models_rest'),
    loginStates: table('login_states'),
    accounts: table('accounts'),
    identities: table('account_identities'),
    matchKeys: table('account_match_keys'),
    keys: table('keys'),
    accessTokens: table('wecom_access_tokens'),
  };
}

/**
 * Advisory locks are per database, not per schema, so each lock is (class, hashtext(schema/name)):
 * the class keeps our uses apart from each other and from other applications' locks, the schema
 * keeps two deployments (or two test runs) in one database from waiting on each other. A hash
 * collision only makes two keys share a lock, never lets two holders of one key run together.
 */
export const LOCK_CLASS = {
  migrations: 0x77650001,
  keys: 0x77650002,
  accessTokens: 0x77650003,
} as const;

export function lockName(tables: Tables, name: string): string {
  return `${tables.schema}/${name}`;
}

/** Runs `work` in one transaction on one connection: committed if it resolves, rolled back if it throws. */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => {
      broken = rollbackError; // a connection that cannot roll back must not go back to the pool
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

/** A JSON value as a jsonb parameter. Explicit: pg would turn a JS array into a PostgreSQL array. */
export function jsonb(value: unknown): string {
  return JSON.stringify(value);
}

/**
 * A named statement: each connection parses and plans it once, then only binds and executes it.
 * The name is derived from the text, so one name can never stand for two texts (pg refuses that),
 * also when several schemas are used from one process.
 */
export function prepared(text: string): (values: unknown[]) => QueryConfig {
  const name = `wo_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
  return (values) => ({ name, text, values });
}
