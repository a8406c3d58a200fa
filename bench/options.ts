/**
 * What a bench run does, from flags (`npm run bench -- --quick --only lowdb --rounds 5`) or the
 * environment (BENCH_ROUNDS=5). Flags win over the environment, which wins over the mode's defaults.
 */
export type StorageDriver = 'lowdb' | 'postgres';

export interface BenchOptions {
  quick: boolean;
  drivers: StorageDriver[];
  /** Measured rounds per operation and server (alternating ours/bare). */
  rounds: number;
  /** Seconds per measured round. */
  seconds: number;
  /** Seconds of unmeasured warm-up per operation and server. */
  warmSeconds: number;
  /** autocannon connections for single-request operations. */
  connections: number;
  /** Concurrent virtual users for sign-in throughput. */
  users: number;
  /** Authorization codes minted per token batch. */
  codeBatch: number;
  /** Authorization codes redeemed per measured token round (a round is codes, not seconds). */
  codesPerRound: number;
  /** Accounts and grants preloaded for the scale comparison. */
  scaleAccounts: number;
  /** Sign-ins after which our server's RSS is read. */
  rssSignIns: number;
  /** Concurrency of those sign-ins. */
  rssUsers: number;
  /** Seconds the server then sits idle, its RSS read every 15 s (0: not at all). */
  rssIdleSeconds: number;
  postgresUrl: string;
}

export const USAGE = `Usage: npm run bench -- [options]
  --quick              1 round of 2 s, a 2,000-account scale check, RSS after 1,000 sign-ins (smoke test)
  --only lowdb|postgres
  --rounds N           measured rounds per operation and server (default 3)
  --seconds N          seconds per round (default 5)
  --connections N      autocannon connections (default 16)
  --users N            concurrent virtual users for sign-ins (default 16)
  --codes N            authorization codes redeemed per token round (default 2000; a token round is codes, not seconds)
  --accounts N         accounts and grants preloaded for the scale check (default 100000)
  --rss-sign-ins N     sign-ins before reading RSS (default 10000)
  --rss-idle N         then seconds idle, reading RSS every 15 s (default 90; 0 with --quick)
  --pg-url URL         PostgreSQL (default postgres://postgres@127.0.0.1:5432/test)
Each option can also be given as BENCH_<NAME> in the environment (BENCH_ROUNDS=5, BENCH_PG_URL=…).`;

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions {
  const flags = new Map<string, string>();
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index]!;
    if (arg === '--help' || arg === '-h') throw new UsageError('');
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"`);
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    if (name === 'quick') flags.set(name, 'true');
    else flags.set(name, inline ?? argv[(index += 1)] ?? '');
  }
  const value = (name: string) => flags.get(name) ?? env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`];
  const number = (name: string, fallback: number) => {
    const raw = value(name);
    if (raw === undefined || raw === '') return fallback;
    const parsed = Number(raw);
    if (!Number.isFinite(parsed) || parsed <= 0) throw new UsageError(`--${name} needs a positive number, got "${raw}"`);
    return parsed;
  };
  const quick = value('quick') === 'true' || value('quick') === '1';
  const only = value('only');
  if (only !== undefined && only !== 'lowdb' && only !== 'postgres') throw new UsageError(`--only takes lowdb or postgres, got "${only}"`);
  const seconds = number('seconds', quick ? 2 : 5);
  return {
    quick,
    drivers: only ? [only] : ['lowdb', 'postgres'],
    rounds: Math.round(number('rounds', quick ? 1 : 3)),
    seconds,
    warmSeconds: quick ? 0.5 : Math.min(1, seconds / 2),
    connections: Math.round(number('connections', 16)),
    users: Math.round(number('users', 16)),
    codeBatch: Math.round(number('code-batch', 400)),
    codesPerRound: Math.round(number('codes', quick ? 800 : 2_000)),
    scaleAccounts: Math.round(number('accounts', quick ? 2_000 : 100_000)),
    rssSignIns: Math.round(number('rss-sign-ins', quick ? 1_000 : 10_000)),
    rssUsers: 16,
    rssIdleSeconds: value('rss-idle') === '0' ? 0 : Math.round(number('rss-idle', quick ? 0 : 90)),
    postgresUrl: value('pg-url') ?? 'postgres://postgres@127.0.0.1:5432/test',
  };
}

export class UsageError extends Error {
  override name = 'UsageError';
}
