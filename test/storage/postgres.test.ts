/**
 * The storage contract against the PostgreSQL driver, plus what only a shared database has:
 * migrations when replicas start together, and a real sign-in through oidc-provider on it.
 * Skipped, with one line saying why, where no PostgreSQL answers (see test/support/postgres.ts).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { openPostgresStorage, type PostgresStorage } from '../../src/storage/postgres/index.js';
import { MIGRATIONS } from '../../src/storage/postgres/migrations.js';
import { tablesIn } from '../../src/storage/postgres/sql.js';
import { Browser } from '../support/browser.js';
import { authorizationRequest, discover, signInAndRedeem, stopAtApp } from '../support/flow.js';
import { TEST_DATABASE_URL, dropSchemas, postgresSuiteTitle, probePostgres, queryTestDatabase, uniqueSchemaName } from '../support/postgres.js';
import { CONFIDENTIAL, startTestServer } from '../support/server.js';
import { clock, storageContract } from './contract.js';

const availability = await probePostgres();
const schemas = new Set<string>();

function schemaFor(label: string): string {
  const schema = uniqueSchemaName(label);
  schemas.add(schema);
  return schema;
}

const openIn = (schema: string) => openPostgresStorage({ url: TEST_DATABASE_URL, schema, now: clock.now });

afterAll(() => dropSchemas(schemas), 30_000);

describe.skipIf(!availability.available)(postgresSuiteTitle('PostgreSQL storage', availability), () => {
  describe('contract', () => {
    const schemaOf = new WeakMap<PostgresStorage, string>();
    storageContract({
      async open() {
        const schema = schemaFor('contract');
        const storage = await openIn(schema);
        schemaOf.set(storage, schema);
        return storage;
      },
      // A second pool on the same schema: what another replica would have.
      peer: (storage) => openIn(schemaOf.get(storage)!),
    });
  });

  describe('migrations', () => {
    it('two replicas starting together on an empty schema both start, and migrate it once', async () => {
      const schema = schemaFor('migrate');
      const replicas = await Promise.all([openIn(schema), openIn(schema), openIn(schema)]);
      try {
        const applied = await queryTestDatabase<{ version: number }>(`SELECT version FROM "${schema}".wecom_oidc_migrations ORDER BY version`);
        expect(applied.map((row) => row.version)).toEqual(MIGRATIONS.map((migration) => migration.version));
        await replicas[0].models.upsert('Session', 's', { uid: 'u' }, 60);
        expect(await replicas[2].models.findByUid('Session', 'u')).toEqual({ uid: 'u' });
      } finally {
        await Promise.all(replicas.map((replica) => replica.close()));
      }
      // and starting again changes nothing and loses nothing
      const again = await openIn(schema);
      try {
        expect(await again.models.findByUid('Session', 'u')).toEqual({ uid: 'u' });
      } finally {
        await again.close();
      }
    });

    it('a schema of the previous version keeps every record when its models are partitioned (migration 4)', async () => {
      const schema = schemaFor('upgrade');
      const tables = tablesIn(schema);
      // The schema as the previous release left it, with a record of each kind in it.
      await queryTestDatabase(`CREATE SCHEMA "${schema}"`);
      await queryTestDatabase(
        `CREATE TABLE ${tables.migrations} (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      for (const migration of MIGRATIONS.filter((m) => m.version < 4)) {
        for (const statement of migration.statements(tables)) await queryTestDatabase(statement);
        await queryTestDatabase(`INSERT INTO ${tables.migrations} (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
      }
      const records = [
        ['Interaction', 'i1', { uid: 'i1', params: { client_id: 'c' } }],
        ['Session', 's1', { uid: 'su1', accountId: 'a1' }],
        ['Grant', 'g1', { accountId: 'a1' }],
        ['AccessToken', 't1', { grantId: 'g1', accountId: 'a1' }],
      ] as const;
      for (const [model, id, payload] of records) {
        await queryTestDatabase(`INSERT INTO ${tables.models} (model, id, payload) VALUES ($1, $2, $3::jsonb)`, [model, id, JSON.stringify(payload)]);
      }

      const storage = await openIn(schema);
      try {
        for (const [model, id, payload] of records) expect(await storage.models.find(model, id)).toEqual(payload);
        expect(await storage.models.findByUid('Session', 'su1')).toEqual(records[1][2]);
        await storage.models.revokeByGrantId('AccessToken', 'g1');
        expect(await storage.models.find('AccessToken', 't1')).toBeUndefined();
        await storage.models.upsert('Interaction', 'i1', { uid: 'i1', changed: true }, 60);
        expect(await storage.models.find('Interaction', 'i1')).toEqual({ uid: 'i1', changed: true });
      } finally {
        await storage.close();
      }
      const where = await queryTestDatabase<{ partition: string; model: string }>(
        `SELECT (SELECT relname FROM pg_class WHERE oid = m.tableoid) AS partition, model FROM ${tables.models} m ORDER BY model`,
      );
      expect(where).toEqual([
        { partition: 'oidc_models_rest', model: 'Grant' },
        { partition: 'oidc_models_pre_auth', model: 'Interaction' },
        { partition: 'oidc_models_rest', model: 'Session' },
      ]);
      // Each of the six indexes (the primary key and five lookups) covers both partitions.
      const attached = await queryTestDatabase<{ n: string }>(
        `SELECT count(*) AS n FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND c.relkind = 'i'`,
        [schema],
      );
      expect(Number(attached[0]!.n)).toBe(12);
    });

    it('refuses to start when the database cannot be reached, without echoing the URL', async () => {
      const url = 'postgres://someone:hunter2-secret@127.0.0.1:1/test';
      const failure = await openPostgresStorage({ url, schema: 'public' }).then(
        () => undefined,
        (error: Error) => error,
      );
      expect(failure?.name).toBe('PostgresUnavailableError');
      expect(failure?.message).toMatch(/cannot use the PostgreSQL storage/);
      expect(failure?.message).not.toContain('hunter2');
    });

    it('refuses a schema name that is not a plain identifier', async () => {
      await expect(openPostgresStorage({ url: TEST_DATABASE_URL, schema: 'x"; DROP TABLE y; --' })).rejects.toThrow(/invalid PostgreSQL schema name/);
    });
  });

  describe('tables anonymous visits churn', () => {
    /** Writes and deletes `count` Interactions of about 1 KiB each, as a flood would; returns the partition's size. */
    async function churn(vacuumEveryWrites: number | undefined, count: number): Promise<{ heap: number; total: number }> {
      const schema = schemaFor('churn');
      const storage = await openPostgresStorage({ url: TEST_DATABASE_URL, schema, now: clock.now, vacuumEveryWrites });
      try {
        let next = 0;
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            while (next < count) {
              const id = `visit-${next++}`;
              await storage.models.upsert('Interaction', id, { uid: id, noise: randomBytes(512).toString('hex') }, 1800);
              await storage.models.destroy('Interaction', id);
            }
          }),
        );
      } finally {
        await storage.close(); // after the vacuums under way
      }
      const [size] = await queryTestDatabase<{ heap: string; total: string }>(
        `SELECT pg_relation_size($1::regclass) AS heap, pg_total_relation_size($1::regclass) AS total`,
        [tablesIn(schema).preAuthModels],
      );
      return { heap: Number(size!.heap), total: Number(size!.total) };
    }

    it("the Interactions' partition is vacuumed as it churns, so a flood's dead rows do not pile up", async () => {
      const vacuumed = await churn(1_000, 16_000);
      const left = await churn(Number.MAX_SAFE_INTEGER, 16_000);
      const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
      console.info(
        `16,000 Interactions written and deleted: rows ${kib(vacuumed.heap)} and with indexes ${kib(vacuumed.total)} vacuumed as they churn, ` +
          `${kib(left.heap)} and ${kib(left.total)} left to autovacuum`,
      );
      // On a quiet machine about a tenth of the control, rows and indexes alike. The sizes depend on
      // how the vacuums overlapped the writes, so the claim is a ratio, with room for a busy machine.
      expect(left.heap).toBeGreaterThan(4 * vacuumed.heap);
      expect(left.total).toBeGreaterThan(3 * vacuumed.total);
    }, 120_000);
  });

  describe('WeCom token refresh lock', () => {
    it('refreshing many apps at once never starves the pool the refreshes write through', async () => {
      const storage = await openPostgresStorage({ url: TEST_DATABASE_URL, schema: schemaFor('starve'), poolSize: 2, now: clock.now });
      try {
        const token = { value: 't', expiresAt: clock.ms + 7_200_000, refreshAt: clock.ms + 6_900_000 };
        const refreshes = Array.from({ length: 6 }, (_, i) =>
          storage.accessTokens.withRefreshLock(`wwcorp/${i}`, async () => {
            await storage.accessTokens.write(`wwcorp/${i}`, token);
            return storage.accessTokens.read(`wwcorp/${i}`);
          }),
        );
        const timeout = new Promise((resolve) => setTimeout(() => resolve('stuck'), 5_000).unref());
        expect(await Promise.race([Promise.all(refreshes), timeout])).toEqual(Array(6).fill(token));
      } finally {
        await storage.close();
      }
    });
  });

  describe('a real server on PostgreSQL', () => {
    it('signs in through the simulator and keeps refresh tokens, keys and sessions across a restart', async () => {
      const schema = schemaFor('server');
      const t = await startTestServer((raw) => {
        raw.storage = { driver: 'postgres', url: TEST_DATABASE_URL, schema };
      });
      try {
        const redirectUri = CONFIDENTIAL.redirect_uris[0]!;
        const browser = new Browser();
        const rp = await discover(t.issuer, CONFIDENTIAL);
        const { tokens } = await signInAndRedeem(browser, rp, redirectUri, 'ZhangSan', { scope: 'openid profile offline_access', prompt: 'consent' });
        expect(tokens.claims()).toMatchObject({ iss: t.issuer, aud: CONFIDENTIAL.client_id });
        const jwksBefore = await (await fetch(`${t.issuer}/jwks`)).json();

        // it is all in the database: the account, its identity, the grant, the token cache
        const [counts] = await queryTestDatabase<{ accounts: string; identities: string; refresh: string; tokens: string }>(
          `SELECT (SELECT count(*) FROM "${schema}".accounts) AS accounts,
                  (SELECT count(*) FROM "${schema}".account_identities WHERE userid = 'zhangsan') AS identities,
                  (SELECT count(*) FROM "${schema}".oidc_models WHERE model = 'RefreshToken') AS refresh,
                  (SELECT count(*) FROM "${schema}".wecom_access_tokens) AS tokens`,
        );
        expect(counts).toEqual({ accounts: '1', identities: '1', refresh: '1', tokens: '1' });

        await t.restart();

        const after = await discover(t.issuer, CONFIDENTIAL);
        expect(await (await fetch(`${t.issuer}/jwks`)).json()).toEqual(jwksBefore);
        const refreshed = await oidc.refreshTokenGrant(after, tokens.refresh_token!);
        expect(refreshed.claims()!.sub).toBe(tokens.claims()!.sub);
        const request = await authorizationRequest(after, redirectUri, { prompt: 'none' });
        const page = await browser.follow(request.url.href, {}, stopAtApp(redirectUri));
        expect(new URL(page.url).searchParams.get('code'), page.url).toBeTruthy();
      } finally {
        await t.stop();
      }
    });
  });
});
