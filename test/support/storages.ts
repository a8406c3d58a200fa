/**
 * Runs a suite on each storage driver: lowdb always, PostgreSQL when the test database answers
 * (skipped with one line saying why otherwise, as test/support/postgres.ts does).
 */
import { afterAll, beforeAll } from 'vitest';
import type * as oidc from 'openid-client';
import { discover } from './flow.js';
import { TEST_DATABASE_URL, dropSchemas, probePostgres, uniqueSchemaName, type PostgresAvailability } from './postgres.js';
import { CONFIDENTIAL, startTestServer, type TestServer } from './server.js';

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

export interface StorageSuite {
  /** The server on the variant's storage (set in beforeAll). */
  readonly t: TestServer;
  /** The confidential test client (CONFIDENTIAL), discovered from that server. */
  readonly rp: oidc.Configuration;
}

/**
 * One server on the variant's storage for the enclosing describe: started in beforeAll (not at all
 * when the variant is skipped), then stopped and its PostgreSQL schema dropped in afterAll.
 * `configure` adds the suite's own settings to the raw configuration.
 */
export function serverOnStorage(variant: StorageVariant, configure: (raw: Record<string, unknown>) => void = () => {}): StorageSuite {
  let t: TestServer | undefined;
  let rp: oidc.Configuration | undefined;
  beforeAll(async () => {
    if (variant.skip) return;
    t = await startTestServer((raw) => {
      if (variant.storage) raw.storage = variant.storage;
      configure(raw);
    });
    rp = await discover(t.issuer, CONFIDENTIAL);
  });
  afterAll(async () => {
    await t?.stop();
    if (variant.storage) await dropSchemas([variant.storage.schema]);
  });
  const started = () => {
    if (!t || !rp) throw new Error(`serverOnStorage: no server on ${variant.name} (${variant.skip ?? 'used outside a test?'})`);
    return { t, rp };
  };
  return {
    get t() {
      return started().t;
    },
    get rp() {
      return started().rp;
    },
  };
}
