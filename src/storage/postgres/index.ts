/**
 * The PostgreSQL storage driver: the same interface as lowdb, for several replicas sharing one
 * database. Every operation the interface calls atomic is one statement or one transaction here,
 * so it holds across processes, not only within one:
 * - login state take-once: `DELETE … RETURNING`;
 * - one account per member: the identities primary key decides between concurrent sign-ins;
 * - keys: first writer wins, updates run one at a time (advisory lock per name);
 * - WeCom access_token: one refresh at a time across replicas (advisory lock per app).
 * The schema is migrated at start-up (see migrations.ts) and expired rows are pruned at start-up
 * and every few minutes; the tables anonymous visits churn are vacuumed as they churn
 * (churn-vacuum.ts).
 */
import pg from 'pg';
import type { Storage, StorageSharing } from '../../model/index.js';
import { PostgresAccessTokenStore } from './access-tokens.js';
import { PostgresAccountStore } from './account-store.js';
import { PostgresKeyStore } from './key-store.js';
import { PostgresLoginStateStore } from './login-states.js';
import { ChurnVacuum } from './churn-vacuum.js';
import { migrate } from './migrations.js';
import { PostgresModelStore } from './model-store.js';
import { tablesIn } from './sql.js';
import { UnitsOfWork } from './unit-of-work.js';

/** Any number of replicas, and the admin CLI, open one database together. */
export const POSTGRES_SHARING: StorageSharing = 'shared';

/** How often expired rows are deleted. Every replica does it; the deletes are idempotent. */
export const PRUNE_INTERVAL_MS = 10 * 60 * 1000;

export interface PostgresStorageOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  /** Created when missing. Default `public`. */
  schema?: string;
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** Epoch ms; injectable so that tests can move time. Expiry is judged by this clock. */
  now?: () => number;
  pruneIntervalMs?: number;
  /** Writes between two vacuums of a churning table (see churn-vacuum.ts); for tests. */
  vacuumEveryWrites?: number;
}

export interface PostgresStorage extends Storage {
  /** Deletes expired rows now; returns how many went. */
  prune(): Promise<number>;
}

export class PostgresUnavailableError extends Error {
  constructor(cause: Error) {
    // The message names the failure, never the URL (it may carry a password).
    super(`cannot use the PostgreSQL storage (storage.url): ${cause.message}`, { cause });
    this.name = 'PostgresUnavailableError';
  }
}

export async function openPostgresStorage(options: PostgresStorageOptions): Promise<PostgresStorage> {
  const now = options.now ?? Date.now;
  const tables = tablesIn(options.schema ?? 'public');
  const connection = { connectionString: options.url, application_name: 'wecom-oidc', connectionTimeoutMillis: 10_000 };
  const pool = new pg.Pool({ ...connection, max: options.poolSize ?? 10 });
  // An idle connection the server drops (restart, failover) must not crash the process: the pool
  // replaces it on the next query.
  pool.on('error', (error) => process.emitWarning(`PostgreSQL connection lost: ${error.message}`));

  try {
    await migrate(pool, tables);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new PostgresUnavailableError(error as Error);
  }

  const units = new UnitsOfWork();
  const churn = new ChurnVacuum(pool, options.vacuumEveryWrites);
  const models = new PostgresModelStore(pool, tables, now, units, churn);
  const loginStates = new PostgresLoginStateStore(pool, tables, now, churn);
  const accessTokens = new PostgresAccessTokenStore(pool, tables, now, async () => {
    const client = new pg.Client(connection);
    client.on('error', () => undefined); // a dropped lock connection fails its query; that is enough
    await client.connect();
    return client;
  });
  const prune = async (): Promise<number> => {
    const counts = await Promise.all([models.prune(), loginStates.prune(), accessTokens.prune()]);
    return counts.reduce((sum, count) => sum + count, 0);
  };

  await prune();
  const timer = setInterval(() => {
    prune().catch((error: Error) => process.emitWarning(`PostgreSQL prune failed: ${error.message}`));
  }, options.pruneIntervalMs ?? PRUNE_INTERVAL_MS);
  timer.unref();

  let closing: Promise<void> | undefined;
  return {
    models,
    loginStates,
    accounts: new PostgresAccountStore(pool, tables, units),
    keys: new PostgresKeyStore(pool, tables),
    accessTokens,
    prune,
    unitOfWork: (work) => units.run(work, (unit) => models.sendHeld(unit)),
    close() {
      clearInterval(timer);
      closing ??= churn.settled().then(() => pool.end());
      return closing;
    },
  };
}
