/**
 * The PostgreSQL the tests use: `TEST_DATABASE_URL`, else the machine's own server
 * (postgres://postgres@127.0.0.1:5432/test, which `.ci/ensure-postgres.sh` provides). Each test
 * gets a schema of its own, so parallel files and runs never see each other's rows.
 *
 * Where no server answers, the PostgreSQL suites are skipped with one line saying why, so that
 * `npm test` passes on a machine without PostgreSQL; with TEST_REQUIRE_POSTGRES=1 (for CI) they
 * fail instead, so a broken database cannot pass for a green run.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

export type PostgresAvailability = { available: true } | { available: false; reason: string };

/** Whether the test database answers; a missing server is a reason to skip, not a failure. */
export async function probePostgres(): Promise<PostgresAvailability> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { available: true };
  } catch (error) {
    const reason = `PostgreSQL not reachable at ${redact(TEST_DATABASE_URL)} (${(error as Error).message || (error as NodeJS.ErrnoException).code})`;
    if (process.env.TEST_REQUIRE_POSTGRES === '1') throw new Error(`${reason}; TEST_REQUIRE_POSTGRES=1 forbids skipping`, { cause: error });
    return { available: false, reason };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The suite title, with the reason when skipped; and the one line a skipped file prints. */
export function postgresSuiteTitle(title: string, availability: PostgresAvailability): string {
  if (availability.available) return title;
  console.warn(`${title}: skipped: ${availability.reason}; run .ci/ensure-postgres.sh or set TEST_DATABASE_URL`);
  return `${title} (skipped: ${availability.reason})`;
}

/** A schema name no other test or run uses; the driver creates it on open. */
export function uniqueSchemaName(label: string): string {
  return `test_${label}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

export async function dropSchemas(names: Iterable<string>): Promise<void> {
  const list = [...names];
  if (!list.length) return;
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    for (const name of list) await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Runs one query against the test database (for assertions about what is stored). */
export async function queryTestDatabase<R extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

function redact(url: string): string {
  if (!URL.canParse(url)) return '(TEST_DATABASE_URL)';
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.href;
}
