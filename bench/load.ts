/**
 * The load generator. Single requests (discovery, JWKS, userinfo, refresh, token) go through
 * autocannon; the full sign-in, a chain of a dozen requests with cookies and forms, through N
 * virtual users of our own (flows.ts). Everything returns a Measurement: successes per second and
 * the latency of a success (one request, or one whole sign-in).
 */
import autocannon from 'autocannon';
import type { Browser } from './http.js';
import { authorize, codeGrantBody, fullSignIn, TOKEN_HEADERS, type IssuedCode } from './flows.js';

export interface Measurement {
  /** Successful operations per second. */
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  failed: number;
  seconds: number;
  /** CPU time the server under test used per successful operation, in microseconds (set by compare.ts, or by batchedLoad). */
  cpuMicros?: number;
  /** The 1-minute load average when the round started and when it ended (set by compare.ts). */
  loadAverage?: [number, number];
  firstError?: string;
}

export interface RequestSpec {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** A fresh body per request (e.g. the next code of a pool); absent for GETs. */
  body?: () => string;
}

/** One autocannon run, with the latency of every 2xx response kept at full (sub-millisecond) precision. */
interface CannonRun {
  result: autocannon.Result;
  /** From the start to the last response: autocannon's own `duration` only ends on a whole-second tick. */
  seconds: number;
  /** Milliseconds; autocannon's own histogram rounds to whole milliseconds, too coarse for cached documents. */
  latencies: number[];
}

function cannon(options: autocannon.Options): Promise<CannonRun> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    const start = performance.now();
    let last = start;
    const instance = autocannon(options, (error, result) =>
      error ? reject(error as Error) : resolve({ result, latencies, seconds: (last - start) / 1000 }),
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      last = performance.now();
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
}

function measurement(runs: CannonRun[]): Measurement {
  const sum = (pick: (result: autocannon.Result) => number) => runs.reduce((total, run) => total + pick(run.result), 0);
  const ok = sum((result) => result['2xx']);
  const errors = sum((result) => result.errors);
  const timeouts = sum((result) => result.timeouts);
  const failed = sum((result) => result.non2xx) + errors + timeouts;
  const seconds = runs.reduce((total, run) => total + run.seconds, 0);
  const statuses = new Set(runs.flatMap((run) => Object.keys(run.result.statusCodeStats ?? {}).filter((code) => !code.startsWith('2'))));
  const latencies = runs.flatMap((run) => run.latencies).sort((a, b) => a - b);
  return {
    rps: seconds > 0 ? ok / seconds : 0,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    ok,
    failed,
    seconds,
    ...(failed ? { firstError: `${failed} failed (status ${[...statuses].join(', ') || 'none'}, errors ${errors}, timeouts ${timeouts})` } : {}),
  };
}

function cannonOptions(spec: RequestSpec, connections: number): autocannon.Options {
  const { body } = spec;
  return {
    url: spec.url,
    connections,
    method: spec.method ?? 'GET',
    headers: spec.headers ?? {},
    timeout: 30,
    ...(body ? { requests: [{ setupRequest: (request: autocannon.Request) => ({ ...request, body: body() }) }] } : {}),
  };
}

/** `connections` keep-alive connections send `spec` back to back for `seconds`. */
export async function timedLoad(spec: RequestSpec, connections: number, seconds: number): Promise<Measurement> {
  return measurement([await cannon({ ...cannonOptions(spec, connections), duration: seconds })]);
}

/**
 * For single-use inputs (authorization codes): `total` of them, in batches that are minted first,
 * unmeasured, then each sent exactly once as fast as the server takes them. Batches keep every
 * minted code young (codes live 60 s) and within the bare provider's memory adapter, an LRU of
 * 1,000 entries per generation that would evict older ones. The rate is codes over sending time.
 */
export async function batchedLoad(
  spec: Omit<RequestSpec, 'body'>,
  mint: (count: number) => Promise<string[]>,
  connections: number,
  total: number,
  batchSize: number,
  /** The server's CPU seconds so far: read around each batch, so that minting is not charged to the requests. */
  serverCpu?: () => number,
): Promise<Measurement> {
  const runs: CannonRun[] = [];
  let cpuSeconds = 0;
  for (let sent = 0; sent < total;) {
    const bodies = await mint(Math.min(batchSize, total - sent));
    let next = 0;
    const options = cannonOptions({ ...spec, body: () => bodies[next++ % bodies.length]! }, Math.min(connections, bodies.length));
    const cpuBefore = serverCpu?.() ?? 0;
    runs.push(await cannon({ ...options, amount: bodies.length }));
    cpuSeconds += (serverCpu?.() ?? 0) - cpuBefore;
    sent += bodies.length;
  }
  const result = measurement(runs);
  if (serverCpu) result.cpuMicros = result.ok ? (cpuSeconds / result.ok) * 1e6 : Number.NaN;
  return result;
}

/** Authorization codes from signed-in browsers (one authorization request each, no interaction). */
export async function mintCodes(issuer: string, browsers: Browser[], count: number): Promise<string[]> {
  const codes: IssuedCode[] = [];
  await Promise.all(
    browsers.map(async (browser) => {
      while (codes.length < count) {
        const issued = await authorize(browser, issuer);
        codes.push(issued);
      }
    }),
  );
  return codes.slice(0, count).map(codeGrantBody);
}

export const TOKEN_REQUEST = { method: 'POST', headers: TOKEN_HEADERS } as const;

export interface SignInLoadOptions {
  issuer: string;
  users: number;
  /** Stop starting new sign-ins after this many seconds… */
  seconds?: number;
  /** …or after this many have been started. */
  total?: number;
}

/**
 * `users` virtual users, each running whole sign-ins back to back (a fresh browser each time, so
 * every sign-in is a new visitor: a new session and grant). The rate counts every completed
 * sign-in over the time until the last one finished.
 */
export async function signInLoad(options: SignInLoadOptions): Promise<Measurement> {
  const start = performance.now();
  const deadline = options.seconds === undefined ? Number.POSITIVE_INFINITY : start + options.seconds * 1000;
  const limit = options.total ?? Number.POSITIVE_INFINITY;
  const latencies: number[] = [];
  let started = 0;
  let failed = 0;
  let firstError: string | undefined;
  const user = async () => {
    while (performance.now() < deadline && started < limit) {
      started += 1;
      const begun = performance.now();
      try {
        await fullSignIn(options.issuer);
        latencies.push(performance.now() - begun);
      } catch (error) {
        failed += 1;
        firstError ??= (error as Error).message;
        // A server that fails every sign-in would otherwise spin until the deadline.
        if (failed >= 50 && failed > latencies.length) throw new Error(`sign-ins keep failing: ${firstError}`, { cause: error });
      }
    }
  };
  await Promise.all(Array.from({ length: options.users }, user));
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    rps: latencies.length / seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    ok: latencies.length,
    failed,
    seconds,
    ...(firstError ? { firstError } : {}),
  };
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], fraction: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))]!;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
