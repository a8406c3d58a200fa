/**
 * The storage contract against the PostgreSQL driver, plus what only a shared database has:
 * migrations when replicas start together, and a real sign-in through oidc-provider on it.
 * Skipped, with one line saying why, where no PostgreSQL answers (see test/support/postgres.ts).
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { openPostgresStorage, type PostgresStorage } from '../../src/storage/postgres/index.js';
import { MIGRATIONS } from '../../src/storage/postgres/migrations.js';
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
