/**
 * The rate-limit pool's sessions, asked of a real PostgreSQL: their commits do not wait for the
 * WAL flush (see rateLimitPoolConfig), and the storage URL's own connection settings still apply.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL, postgresSuiteTitle, probePostgres } from '../../test/support/postgres.js';
import { rateLimitPoolConfig } from './rate-limit-store.js';

const availability = await probePostgres();

/** What one session of a pool with `config` reports for each setting. */
async function settingsOf(config: pg.PoolConfig, names: string[]): Promise<Record<string, string>> {
  const pool = new pg.Pool(config);
  pools.push(pool);
  const { rows } = await pool.query<{ name: string; setting: string }>(
    `SELECT name, current_setting(name) AS setting FROM unnest($1::text[]) AS name`,
    [names],
  );
  return Object.fromEntries(rows.map((row) => [row.name, row.setting]));
}

const pools: pg.Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.end()));
});

const withQuery = (url: string, query: string) => `${url}${url.includes('?') ? '&' : '?'}${query}`;

describe.skipIf(!availability.available)(postgresSuiteTitle('the rate-limit pool', availability), () => {
  it('commits without waiting for the WAL flush, in its own sessions only, and says who it is', async () => {
    expect(await settingsOf(rateLimitPoolConfig(TEST_DATABASE_URL), ['synchronous_commit', 'application_name'])).toEqual({
      synchronous_commit: 'off',
      application_name: 'wecom-oidc rate limits',
    });
    // The same database through a pool as the model store opens it: the flush is still awaited there.
    expect(await settingsOf({ connectionString: TEST_DATABASE_URL }, ['synchronous_commit'])).toEqual({ synchronous_commit: 'on' });
  });

  it('keeps the connection settings the storage URL gives, its own options and application name', async () => {
    const url = withQuery(TEST_DATABASE_URL, 'options=-c%20statement_timeout%3D4321&application_name=idp-limits');
    expect(await settingsOf(rateLimitPoolConfig(url), ['synchronous_commit', 'statement_timeout', 'application_name'])).toEqual({
      synchronous_commit: 'off',
      statement_timeout: '4321ms',
      application_name: 'idp-limits',
    });
  });
});
