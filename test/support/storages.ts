/**
 * Runs a suite on each storage driver: lowdb always, PostgreSQL when the test database answers
 * (skipped with one line saying why otherwise, as test/support/postgres.ts does).
 */
import { TEST_DATABASE_URL, probePostgres, uniqueSchemaName, type PostgresAvailability } from './postgres.js';

export interface StorageVariant {
  name: 'lowdb' | 'postgres';
  /** Set only for PostgreSQL; undefined keeps startTestServer's own lowdb file. */
  storage?: { driver: 'postgres'; url: string; schema: string };
  skip?: string;
}

export async function storageVariants(label: string): Promise<StorageVariant[]> {
  const availability: PostgresAvailability = await probePostgres();
  return [
    { name: 'lowdb' },
    availability.available
      ? { name: 'postgres', storage: { driver: 'postgres', url: TEST_DATABASE_URL, schema: uniqueSchemaName(label) } }
      : { name: 'postgres', skip: availability.reason },
  ];
}
