/**
 * Rate limits (issue 12, item 2) against scripted guessers, while a real person signs in: a
 * client-secret guesser is locked out after a few failures, a code guesser and an /auth flood get
 * 429 with Retry-After; the person, from another address and another client, notices nothing. On
 * PostgreSQL the counts are shared, so a guesser spreading its requests over two replicas gains
 * nothing. The guessers' addresses come in X-Forwarded-For (trustProxy is on, as behind a proxy).
 * Guesses already in flight when a lock-out begins are not answered: once a client_id has failed,
 * each of its token requests reserves its failure point before it is answered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { RATE_LIMIT_TABLE } from '../../src/security/rate-limit-store.js';
import { Browser } from '../support/browser.js';
import { discover, signIn, signInAndRedeem } from '../support/flow.js';
import { recordQueries } from '../support/pg-queries.js';
import { dropSchemas } from '../support/postgres.js';
import { CONFIDENTIAL, PUBLIC_CLIENT, THIRD_PARTY, startTestServer, type TestServer } from '../support/server.js';
import { storageVariants } from '../support/storages.js';

const redirectUri = CONFIDENTIAL.redirect_uris[0]!;
const FAILURES_BEFORE_LOCKOUT = 10;
const CODES_PER_MINUTE = 60;
const AUTH_PER_MINUTE = 40;

async function tokenRequest(issuer: string, ip: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip, ...headers },
    body: new URLSearchParams(form),
  });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as { error?: string } };
}

describe.each(await storageVariants('ratelimit'))('rate limits on $name', (variant) => {
  const servers: TestServer[] = [];
  let rp: oidc.Configuration;
  /** Two replicas on PostgreSQL (sharing the schema), one on lowdb. */
  const issuers = () => servers.map((server) => server.issuer);
  beforeAll(async () => {
    if (variant.skip) return;
    const configure = (raw: Record<string, unknown>) => {
      if (variant.storage) raw.storage = variant.storage;
      raw.trustProxy = true;
      raw.rateLimits = {
        auth: { points: AUTH_PER_MINUTE, durationSeconds: 60 },
        tokenPerClient: { points: CODES_PER_MINUTE, durationSeconds: 60 },
        clientAuthFailures: { points: FAILURES_BEFORE_LOCKOUT, durationSeconds: 60, lockoutSeconds: 60 },
      };
    };
    servers.push(await startTestServer(configure));
    if (variant.storage) servers.push(await startTestServer(configure));
    rp = await discover(servers[0]!.issuer, CONFIDENTIAL);
  });
  afterAll(async () => {
    for (const server of servers) await server.stop();
    if (variant.storage) await dropSchemas([variant.storage.schema]);
  });

  it.skipIf(Boolean(variant.skip))('a client-secret guesser is locked out; a sign-in of another client passes meanwhile', async () => {
    // Four guesses in flight at a time: the first four are answered before any has failed, and
    // counted afterwards; from then on each reserves its point first, so exactly `points` are
    // answered in all (on PostgreSQL, both replicas have seen a failure in that first batch).
    const guess = (i: number) =>
      tokenRequest(issuers()[i % issuers().length]!, '203.0.113.7', {
        grant_type: 'authorization_code',
        code: 'x'.repeat(43),
        redirect_uri: THIRD_PARTY.redirect_uris[0]!,
        client_id: THIRD_PARTY.client_id,
        client_secret: `wrong-guess-${i}-0123456789abcdef0123456789`,
      });
    const person = signInAndRedeem(new Browser(), rp, redirectUri, 'ZhangSan');
    const answers: Awaited<ReturnType<typeof tokenRequest>>[] = [];
    for (let i = 0; i < 60; i += 4) answers.push(...(await Promise.all([0, 1, 2, 3].map((k) => guess(i + k)))));
    const { tokens } = await person;
    expect(tokens.access_token).toBeTruthy();

    const unauthorized = answers.filter((answer) => answer.status === 401);
    const limited = answers.filter((answer) => answer.status === 429);
    console.info(`secret guesser on ${variant.name}: ${unauthorized.length} × 401, then ${limited.length} × 429`);
    expect(unauthorized.length).toBe(FAILURES_BEFORE_LOCKOUT);
    expect(limited.length).toBe(answers.length - unauthorized.length);
    for (const answer of limited) {
      expect(answer.body.error).toBe('temporarily_unavailable');
      expect(Number(answer.retryAfter)).toBeGreaterThan(0);
    }
    // Locked out means locked out: even the right secret waits (from the guesser's address or not).
    const right = await tokenRequest(issuers()[0]!, '198.51.100.1', {
      grant_type: 'authorization_code',
      code: 'x'.repeat(43),
      redirect_uri: THIRD_PARTY.redirect_uris[0]!,
      client_id: THIRD_PARTY.client_id,
      client_secret: THIRD_PARTY.client_secret,
    });
    expect(right.status).toBe(429);
  });

  it.skipIf(Boolean(variant.skip))('a code guesser gets 429 after the per-client limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < CODES_PER_MINUTE + 10; i += 1) {
      const answer = await tokenRequest(issuers()[i % issuers().length]!, `192.0.2.${i % 200}`, {
        grant_type: 'authorization_code',
        code: `random-code-${i}-${'y'.repeat(30)}`,
        redirect_uri: PUBLIC_CLIENT.redirect_uris[0]!,
        client_id: PUBLIC_CLIENT.client_id,
        code_verifier: 'v'.repeat(43),
      });
      statuses.push(answer.status);
    }
    expect(statuses.slice(0, CODES_PER_MINUTE).every((status) => status === 400)).toBe(true);
    expect(statuses.slice(CODES_PER_MINUTE)).toEqual(Array(10).fill(429));
  });

  it.skipIf(Boolean(variant.skip))('an /auth flood from one address gets 429 pages; others are not affected', async () => {
    const statuses: number[] = [];
    let page = '';
    for (let i = 0; i < AUTH_PER_MINUTE + 5; i += 1) {
      const response = await fetch(`${issuers()[i % issuers().length]}/auth?client_id=rp&response_type=code&scope=openid`, {
        redirect: 'manual',
        headers: { 'x-forwarded-for': '198.51.100.77', accept: 'text/html', 'accept-language': 'en' },
      });
      statuses.push(response.status);
      if (response.status === 429) {
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
        page = await response.text();
      } else await response.arrayBuffer();
    }
    expect(statuses.filter((status) => status === 429)).toHaveLength(5);
    expect(page).toContain('Too many requests');
    const { tokens } = await signInAndRedeem(new Browser(), rp, redirectUri, 'LiSi');
    expect(tokens.id_token).toBeTruthy();
  });
});

const IN_FLIGHT_POINTS = 5;
const IN_FLIGHT_LOCKOUT_SECONDS = 2;
const PARALLEL_GUESSES = 40;
/** CONFIDENTIAL authenticates with HTTP Basic. */
const basic = (secret: string) => ({ authorization: `Basic ${Buffer.from(`${CONFIDENTIAL.client_id}:${secret}`).toString('base64')}` });

describe.each(await storageVariants('ratelimit_inflight'))('guesses in flight when a lock-out begins, on $name', (variant) => {
  const servers: TestServer[] = [];
  beforeAll(async () => {
    if (variant.skip) return;
    const configure = (raw: Record<string, unknown>) => {
      if (variant.storage) raw.storage = variant.storage;
      raw.trustProxy = true;
      raw.rateLimits = {
        clientAuthFailures: { points: IN_FLIGHT_POINTS, durationSeconds: 60, lockoutSeconds: IN_FLIGHT_LOCKOUT_SECONDS },
      };
    };
    servers.push(await startTestServer(configure));
    if (variant.storage) servers.push(await startTestServer(configure));
  });
  afterAll(async () => {
    for (const server of servers) await server.stop();
    if (variant.storage) await dropSchemas([variant.storage.schema]);
  });

  it.skipIf(Boolean(variant.skip))(
    `after one failure, ${PARALLEL_GUESSES} parallel wrong secrets get ${IN_FLIGHT_POINTS} × 401 in all and 429s; the right secret waits out the lock-out, then gets tokens`,
    async () => {
      const issuers = servers.map((server) => server.issuer);
      const rp = await discover(issuers[0]!, CONFIDENTIAL);
      // A real code of the guessed client, to redeem with the right secret during and after the lock-out.
      const { request, callbackUrl } = await signIn(new Browser(), rp, redirectUri, 'ZhangSan');
      const redeem = (issuer: string, secret: string) =>
        tokenRequest(
          issuer,
          '203.0.113.9',
          {
            grant_type: 'authorization_code',
            code: callbackUrl.searchParams.get('code')!,
            redirect_uri: redirectUri,
            code_verifier: request.codeVerifier,
          },
          basic(secret),
        );

      // One failure on each replica, so that each has seen one (the first batch a replica answers
      // before that is counted only afterwards).
      const warmUps = [];
      for (const [i, issuer] of issuers.entries()) warmUps.push(await redeem(issuer, `wrong-warm-up-${i}-0123456789abcdef0123`));
      expect(warmUps.map((answer) => answer.status)).toEqual(issuers.map(() => 401));

      const guesses = await Promise.all(
        Array.from({ length: PARALLEL_GUESSES }, (_, i) => redeem(issuers[i % issuers.length]!, `wrong-guess-${i}-0123456789abcdef0123`)),
      );
      const unauthorized = guesses.filter((answer) => answer.status === 401);
      const limited = guesses.filter((answer) => answer.status === 429);
      console.info(`${PARALLEL_GUESSES} parallel guesses on ${variant.name}: ${unauthorized.length} × 401, ${limited.length} × 429`);
      expect(warmUps.length + unauthorized.length).toBe(IN_FLIGHT_POINTS);
      expect(limited.length).toBe(PARALLEL_GUESSES - unauthorized.length);
      for (const answer of [...unauthorized, ...warmUps]) expect(answer.body.error).toBe('invalid_client');
      for (const answer of limited) {
        expect(answer.body.error).toBe('temporarily_unavailable');
        expect(Number(answer.retryAfter)).toBeGreaterThan(0);
        expect(Number(answer.retryAfter)).toBeLessThanOrEqual(IN_FLIGHT_LOCKOUT_SECONDS);
      }

      // The right secret during the lock-out, on every replica: refused, and the code left unused.
      for (const issuer of issuers) expect((await redeem(issuer, CONFIDENTIAL.client_secret)).status).toBe(429);

      await new Promise((resolve) => setTimeout(resolve, IN_FLIGHT_LOCKOUT_SECONDS * 1000 + 500));
      const recorder = variant.storage ? recordQueries() : undefined;
      try {
        const limiterStatements = () => recorder?.queries.splice(0).filter((query) => query.text.includes(RATE_LIMIT_TABLE)).length;
        const tokens = await oidc.authorizationCodeGrant(rp, callbackUrl, {
          pkceCodeVerifier: request.codeVerifier,
          expectedState: request.state,
          expectedNonce: request.nonce,
        });
        expect(tokens.access_token).toBeTruthy();
        await new Promise((resolve) => setTimeout(resolve, 30)); // anything sent after the answer counts too
        // Still suspect: its address, its client_id, the reserved failure point and its return.
        if (recorder) expect(limiterStatements()).toBe(4);

        // Each answered request of the client gives its reserved point back: more than `points` of
        // them in a row (client authenticated, the code made up) are answered, not locked out.
        for (let i = 0; i <= IN_FLIGHT_POINTS; i += 1) {
          const answer = await tokenRequest(
            issuers[i % issuers.length]!,
            '203.0.113.9',
            { grant_type: 'authorization_code', code: `made-up-${i}-${'c'.repeat(40)}`, redirect_uri: redirectUri, code_verifier: 'v'.repeat(43) },
            basic(CONFIDENTIAL.client_secret),
          );
          expect(answer.body.error).toBe('invalid_grant');
        }

        // A client that never failed pays what it did before (test/storage/postgres-round-trips.test.ts).
        recorder?.reset();
        const other = await tokenRequest(issuers[0]!, '198.51.100.2', {
          grant_type: 'authorization_code',
          code: 'z'.repeat(43),
          redirect_uri: PUBLIC_CLIENT.redirect_uris[0]!,
          client_id: PUBLIC_CLIENT.client_id,
          code_verifier: 'v'.repeat(43),
        });
        expect(other.body.error).toBe('invalid_grant');
        await new Promise((resolve) => setTimeout(resolve, 30));
        if (recorder) expect(limiterStatements()).toBe(2);
      } finally {
        recorder?.uninstall();
      }
    },
  );
});
