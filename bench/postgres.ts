/**
 * The bench's PostgreSQL housekeeping: whether the driver can be measured at all, a fresh schema
 * per server, and dropping them all at the end (and those a killed earlier run left behind).
 */
import pg from 'pg';
import { configSchema } from '../src/config/schema.js';

/** Every schema this run created, dropped at the end. */
const schemas = new Set<string>();

/** `bench_<pid>_postgres_<use>`: the pid tells a later run whether its owner is gone. */
const BENCH_SCHEMA = /^bench_(\d+)_postgres_(main|empty|preloaded)$/;

/** A new schema name for one of our servers (`postgres-main`, `postgres-empty`, `postgres-preloaded`). */
export function newSchemaName(use: string): string {
  const schema = `bench_${process.pid}_${use.replace(/[^a-z0-9]/g, '_')}`;
  schemas.add(schema);
  return schema;
}

/**
 * Why PostgreSQL cannot be measured, or undefined when it can: the configuration schema does not
 * take the driver yet, or the server does not answer. `configFor` builds our whole configuration
 * around a storage section, so the probe is validated exactly as the real one will be.
 */
export async function postgresUnavailable(
  url: string,
  configFor: (storage: Record<string, unknown>) => Record<string, unknown>,
): Promise<string | undefined> {
  const parsed = configSchema.safeParse(configFor({ driver: 'postgres', url, schema: 'bench_probe' }));
  if (!parsed.success && parsed.error.issues.some((issue) => issue.path[0] === 'storage')) return 'n/a (driver not available)';
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await dropLeftoverSchemas(client);
    return undefined;
  } catch {
    return 'skipped: PostgreSQL not reachable';
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function dropSchemas(url: string): Promise<void> {
  if (!schemas.size) return;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    schemas.clear();
  } finally {
    await client.end();
  }
}

async function dropLeftoverSchemas(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ nspname: string }>(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'bench\\_%'`);
  for (const { nspname } of rows) {
    const pid = Number(BENCH_SCHEMA.exec(nspname)?.[1]);
    if (pid && !isRunning(pid)) await client.query(`DROP SCHEMA IF EXISTS ${nspname} CASCADE`);
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
