/**
 * The schema, as numbered migrations applied at start-up.
 *
 * Every replica runs `migrate` when it starts. The whole run is one transaction that first takes
 * an advisory lock, so when two replicas start together one applies the missing migrations and the
 * other waits, then finds them applied and does nothing. Applied versions are recorded in
 * `wecom_oidc_migrations`; a migration is never edited once released, only followed by a new one.
 */
import type { Pool } from 'pg';
import { LOCK_CLASS, inTransaction, lockName, type Tables } from './sql.js';

interface Migration {
  version: number;
  name: string;
  statements(tables: Tables): string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'models, login states, accounts, keys, WeCom access tokens',
    statements: (t) => [
      // oidc-provider's models: the payload as it gave it, plus the fields its adapter looks up by
      // (derived from the payload, so they cannot disagree with it). NULL expires_at: never expires.
      `CREATE TABLE ${t.models} (
        model text NOT NULL,
        id text NOT NULL,
        payload jsonb NOT NULL,
        uid text GENERATED ALWAYS AS (payload->>'uid') STORED,
        user_code text GENERATED ALWAYS AS (payload->>'userCode') STORED,
        grant_id text GENERATED ALWAYS AS (payload->>'grantId') STORED,
        account_id text GENERATED ALWAYS AS (payload->>'accountId') STORED,
        expires_at timestamptz,
        PRIMARY KEY (model, id)
      )`,
      `CREATE INDEX oidc_models_uid ON ${t.models} (model, uid) WHERE uid IS NOT NULL`,
      `CREATE INDEX oidc_models_user_code ON ${t.models} (model, user_code) WHERE user_code IS NOT NULL`,
      `CREATE INDEX oidc_models_grant_id ON ${t.models} (model, grant_id) WHERE grant_id IS NOT NULL`,
      `CREATE INDEX oidc_models_account_id ON ${t.models} (account_id) WHERE account_id IS NOT NULL`,
      `CREATE INDEX oidc_models_expires_at ON ${t.models} (expires_at) WHERE expires_at IS NOT NULL`,

      `CREATE TABLE ${t.loginStates} (
        state text PRIMARY KEY,
        value jsonb NOT NULL,
        expires_at timestamptz NOT NULL
      )`,
      `CREATE INDEX login_states_expires_at ON ${t.loginStates} (expires_at)`,

      // Times are the JS numbers the Account carries (seconds since epoch), stored exactly.
      `CREATE TABLE ${t.accounts} (
        id text PRIMARY KEY,
        created_at double precision NOT NULL,
        updated_at double precision NOT NULL,
        disabled boolean NOT NULL DEFAULT false,
        provisioned boolean,
        profile jsonb NOT NULL
      )`,
      `CREATE INDEX accounts_created_at ON ${t.accounts} (created_at, id)`,
      // The primary key is what makes "one account per member" hold under concurrent first sign-ins.
      `CREATE TABLE ${t.identities} (
        corp_id text NOT NULL,
        userid text NOT NULL CHECK (userid = lower(userid)),
        account_id text NOT NULL REFERENCES ${t.accounts} (id) ON DELETE CASCADE,
        connection text NOT NULL,
        linked_at double precision NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        PRIMARY KEY (corp_id, userid)
      )`,
      `CREATE INDEX account_identities_account_id ON ${t.identities} (account_id, seq)`,
      // matchKey() of the profile's username, email and phone number (computed in TypeScript, the
      // one place that normalisation is written down).
      `CREATE TABLE ${t.matchKeys} (
        field text NOT NULL CHECK (field IN ('username', 'email', 'phone_number')),
        key text NOT NULL,
        account_id text NOT NULL REFERENCES ${t.accounts} (id) ON DELETE CASCADE,
        PRIMARY KEY (field, key, account_id)
      )`,
      `CREATE INDEX account_match_keys_account_id ON ${t.matchKeys} (account_id)`,

      `CREATE TABLE ${t.keys} (
        name text PRIMARY KEY,
        value jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,

      `CREATE TABLE ${t.accessTokens} (
        key text PRIMARY KEY,
        value text NOT NULL,
        expires_at timestamptz NOT NULL,
        refresh_at timestamptz NOT NULL
      )`,
    ],
  },
  {
    version: 2,
    name: 'member lifecycle: retired accounts, last check of each identity',
    statements: (t) => [
      `ALTER TABLE ${t.accounts} ADD COLUMN retired_at double precision`,
      `ALTER TABLE ${t.identities} ADD COLUMN checked_at double precision`,
      `ALTER TABLE ${t.identities} ADD COLUMN checked_via text`,
    ],
  },
  {
    version: 3,
    name: 'rate limits (rate-limiter-flexible)',
    statements: (t) => [
      // The layout rate-limiter-flexible's RateLimiterPostgres reads and writes; it deletes rows an
      // hour past their expiry itself. Shared by every replica, so limits hold across them.
      `CREATE TABLE "${t.schema}"."rate_limits" (
        key varchar(255) PRIMARY KEY,
        points integer NOT NULL DEFAULT 0,
        expire bigint
      )`,
    ],
  },
  {
    version: 4,
    name: "models partitioned: oidc-provider's Interactions in a table of their own",
    statements: (t) => {
      // Every anonymous visit writes an Interaction, and most are deleted within minutes (finished,
      // or evicted by the pre-authentication cap): a flood leaves dead rows far faster than
      // autovacuum comes round. In a partition of their own they can be vacuumed as often as they
      // churn (see churn-vacuum.ts) without vacuuming every session and token with them. A row
      // written through the parent goes to its model's partition; model-store.ts names the
      // partition where it can, which PostgreSQL plans faster.
      const rest = `"${t.schema}"."oidc_models_rest"`;
      const renamed = ['uid', 'user_code', 'grant_id', 'account_id', 'expires_at'].map(
        (index) => `ALTER INDEX "${t.schema}"."oidc_models_${index}" RENAME TO oidc_models_rest_${index}`,
      );
      return [
        `ALTER TABLE ${t.models} RENAME TO oidc_models_rest`,
        `ALTER TABLE ${rest} RENAME CONSTRAINT oidc_models_pkey TO oidc_models_rest_pkey`,
        ...renamed,
        `CREATE TABLE ${t.models} (
          model text NOT NULL,
          id text NOT NULL,
          payload jsonb NOT NULL,
          uid text GENERATED ALWAYS AS (payload->>'uid') STORED,
          user_code text GENERATED ALWAYS AS (payload->>'userCode') STORED,
          grant_id text GENERATED ALWAYS AS (payload->>'grantId') STORED,
          account_id text GENERATED ALWAYS AS (payload->>'accountId') STORED,
          expires_at timestamptz,
          PRIMARY KEY (model, id)
        ) PARTITION BY LIST (model)`,
        // The same indexes as before, now on the parent: the old table's own are attached to them.
        `CREATE INDEX oidc_models_uid ON ${t.models} (model, uid) WHERE uid IS NOT NULL`,
        `CREATE INDEX oidc_models_user_code ON ${t.models} (model, user_code) WHERE user_code IS NOT NULL`,
        `CREATE INDEX oidc_models_grant_id ON ${t.models} (model, grant_id) WHERE grant_id IS NOT NULL`,
        `CREATE INDEX oidc_models_account_id ON ${t.models} (account_id) WHERE account_id IS NOT NULL`,
        `CREATE INDEX oidc_models_expires_at ON ${t.models} (expires_at) WHERE expires_at IS NOT NULL`,
        `CREATE TABLE ${t.preAuthModels} PARTITION OF ${t.models} FOR VALUES IN ('Interaction')`,
        `INSERT INTO ${t.preAuthModels} (model, id, payload, expires_at)
          SELECT model, id, payload, expires_at FROM ${rest} WHERE model = 'Interaction'`,
        `DELETE FROM ${rest} WHERE model = 'Interaction'`,
        `ALTER TABLE ${t.models} ATTACH PARTITION ${rest} DEFAULT`,
      ];
    },
  },
];

/** Applies every migration the schema lacks; returns the versions applied by this call. */
export async function migrate(pool: Pool, tables: Tables): Promise<number[]> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS.migrations, lockName(tables, 'migrations')]);
    // Under the lock, so two replicas never race to create the schema. Checked first so that a
    // role without CREATE on the database can use a schema an administrator made for it.
    const { rowCount } = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [tables.schema]);
    if (!rowCount) await client.query(`CREATE SCHEMA "${tables.schema}"`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${tables.migrations} (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const applied = new Set((await client.query<{ version: number }>(`SELECT version FROM ${tables.migrations}`)).rows.map((row) => row.version));
    const newlyApplied: number[] = [];
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      for (const statement of migration.statements(tables)) await client.query(statement);
      await client.query(`INSERT INTO ${tables.migrations} (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
      newlyApplied.push(migration.version);
    }
    return newlyApplied;
  });
}
