/**
 * The measured operations and the alternating rounds. Each operation prepares what it needs on a
 * server (a signed-in browser, an access token, refresh tokens) without measuring, then measures
 * one round at a time; rounds alternate between the two contenders, in ABBA order so neither
 * always goes first, after an unmeasured warm-up of each.
 */
import { offlineSignIn, fullSignIn, refreshGrantBody } from './flows.js';
import { batchedLoad, median, mintCodes, signInLoad, timedLoad, TOKEN_REQUEST, type Measurement } from './load.js';
import type { BenchOptions, StorageDriver } from './options.js';
import { loadavg } from 'node:os';
import { cpuSecondsOf } from './processes.js';

export type OperationKey = 'discovery' | 'jwks' | 'token' | 'refresh' | 'userinfo' | 'sign-in';

export interface Operation {
  key: OperationKey;
  label: string;
  /**
   * ours/bare must be at least this, per store: discovery and JWKS from the first performance
   * issue; token, refresh, userinfo and sign-in from issue 14, which asks less of PostgreSQL (its
   * round trips) than of lowdb, and nothing new of lowdb's userinfo (the first issue's 0.9×).
   */
  minimumRatio: Record<StorageDriver, number>;
  /** Sets up on one server; the returned function measures one round of `seconds`. */
  prepare(issuer: string, options: BenchOptions): Promise<MeasureRound>;
}

/**
 * Measures one round. `serverCpu` reads the server's CPU seconds so far: a round that does unmeasured
 * work on the server (minting the codes a token round redeems) reads it around its measured parts
 * and sets the Measurement's cpuMicros; otherwise the caller charges the whole round.
 */
export type MeasureRound = (seconds: number, serverCpu?: () => number) => Promise<Measurement>;

/** Refresh tokens are not rotated for a confidential client (oidc-provider's default
 * rotateRefreshToken), in either provider, so a small pool is reused round-robin; run.ts checks. */
const REFRESH_POOL = 32;
/** Signed-in browsers that mint authorization codes, spread so no grant collects too many tokens. */
const CODE_MINTERS = 16;

async function inParallel<T>(count: number, limit: number, task: () => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  const worker = async () => {
    while (results.length + running < count) {
      running += 1;
      try {
        results.push(await task());
      } finally {
        running -= 1;
      }
    }
  };
  let running = 0;
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return results;
}

export const OPERATIONS: Operation[] = [
  {
    key: 'discovery',
    label: 'discovery',
    minimumRatio: { lowdb: 2, postgres: 2 },
    async prepare(issuer, options) {
      return (seconds) => timedLoad({ url: `${issuer}/.well-known/openid-configuration` }, options.connections, seconds);
    },
  },
  {
    key: 'jwks',
    label: 'JWKS',
    minimumRatio: { lowdb: 2, postgres: 2 },
    async prepare(issuer, options) {
      return (seconds) => timedLoad({ url: `${issuer}/jwks` }, options.connections, seconds);
    },
  },
  {
    key: 'token',
    label: 'token (authorization_code)',
    minimumRatio: { lowdb: 0.9, postgres: 0.8 },
    async prepare(issuer, options) {
      return async (seconds, serverCpu) => {
        // Fresh minters each round: every code of a round belongs to one of 16 new grants.
        const minters = (await inParallel(CODE_MINTERS, 8, () => fullSignIn(issuer))).map(({ browser }) => browser);
        // A round is a number of codes, not of seconds: minting them (an authorization request
        // each) is slower than redeeming them, and would otherwise take most of the bench's time.
        const codes = seconds < options.seconds ? options.codeBatch : options.codesPerRound;
        const mint = (count: number) => mintCodes(issuer, minters, count);
        return batchedLoad({ url: `${issuer}/token`, ...TOKEN_REQUEST }, mint, options.connections, codes, options.codeBatch, serverCpu);
      };
    },
  },
  {
    key: 'refresh',
    label: 'refresh',
    minimumRatio: { lowdb: 0.9, postgres: 0.8 },
    async prepare(issuer, options) {
      const pool = (await inParallel(REFRESH_POOL, 8, () => offlineSignIn(issuer))).map(({ tokens }) => {
        if (!tokens.refresh_token) throw new Error(`${issuer} issued no refresh token for offline_access`);
        return tokens.refresh_token;
      });
      let next = 0;
      return (seconds) =>
        timedLoad(
          { url: `${issuer}/token`, ...TOKEN_REQUEST, body: () => refreshGrantBody(pool[next++ % pool.length]!) },
          options.connections,
          seconds,
        );
    },
  },
  {
    key: 'userinfo',
    label: 'userinfo',
    minimumRatio: { lowdb: 0.9, postgres: 0.8 },
    async prepare(issuer, options) {
      const { tokens } = await fullSignIn(issuer);
      const headers = { authorization: `Bearer ${tokens.access_token}` };
      return (seconds) => timedLoad({ url: `${issuer}/me`, headers }, options.connections, seconds);
    },
  },
  {
    key: 'sign-in',
    label: 'full sign-in (per s)',
    minimumRatio: { lowdb: 0.85, postgres: 0.7 },
    async prepare(issuer, options) {
      return (seconds) => signInLoad({ issuer, users: options.users, seconds });
    },
  },
];

export interface Summary {
  /** Medians over the rounds. */
  rps: number;
  p50: number;
  p99: number;
  /** The server's own CPU time per successful operation (µs): what it costs, whatever the load generator manages. */
  cpuMicros: number;
  failed: number;
  rounds: Measurement[];
  /** (max - min) / median of the rounds' rps: how far the rounds disagree. */
  spread: number;
  /** The rounds disagree by more than ROUND_SPREAD_WARNING: the median is less trustworthy. */
  roundsDisagree: boolean;
  firstError?: string;
}

/** Rounds whose rates differ by more than this (relative to their median) get a warning line. */
export const ROUND_SPREAD_WARNING = 0.25;

export function spreadOf(values: readonly number[]): number {
  const finite = values.filter(Number.isFinite);
  if (finite.length < 2) return 0;
  const middle = median(finite);
  return middle > 0 ? (Math.max(...finite) - Math.min(...finite)) / middle : 0;
}

export function summarize(rounds: Measurement[]): Summary {
  const firstError = rounds.find((round) => round.firstError)?.firstError;
  const spread = spreadOf(rounds.map((round) => round.rps));
  return {
    rps: median(rounds.map((round) => round.rps)),
    spread,
    roundsDisagree: spread > ROUND_SPREAD_WARNING,
    p50: median(rounds.map((round) => round.p50)),
    p99: median(rounds.map((round) => round.p99)),
    cpuMicros: median(rounds.map((round) => round.cpuMicros ?? Number.NaN)),
    failed: rounds.reduce((sum, round) => sum + round.failed, 0),
    rounds,
    ...(firstError ? { firstError } : {}),
  };
}

export interface Contender {
  name: string;
  issuer: string;
  /** The server process, whose CPU time is read around each round. */
  pid: number;
}

/** Warm-up, then `rounds` measured rounds of each contender, alternating A B B A A B … */
export async function alternate(
  contenders: readonly [Contender, Contender],
  prepare: (issuer: string) => Promise<MeasureRound>,
  options: BenchOptions,
  progress: (line: string) => void,
): Promise<[Summary, Summary]> {
  const measure = await Promise.all(contenders.map((contender) => prepare(contender.issuer)));
  for (const run of measure) await run(options.warmSeconds);
  const rounds: [Measurement[], Measurement[]] = [[], []];
  for (let round = 0; round < options.rounds; round += 1) {
    const order = round % 2 === 0 ? [0, 1] : [1, 0];
    for (const index of order) {
      const { pid } = contenders[index]!;
      const cpuBefore = cpuSecondsOf(pid);
      const loadAtStart = loadavg()[0]!;
      const result = await measure[index]!(options.seconds, () => cpuSecondsOf(pid));
      result.loadAverage = [loadAtStart, loadavg()[0]!];
      result.cpuMicros ??= result.ok ? ((cpuSecondsOf(pid) - cpuBefore) / result.ok) * 1e6 : Number.NaN;
      rounds[index]!.push(result);
      progress(
        `    round ${round + 1} ${contenders[index]!.name}: ${result.rps.toFixed(1)}/s, p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, CPU ${result.cpuMicros.toFixed(0)} µs/op${result.failed ? `, ${result.failed} failed` : ''}`,
      );
    }
  }
  return [summarize(rounds[0]), summarize(rounds[1])];
}
