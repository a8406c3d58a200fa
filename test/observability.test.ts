/**
 * Running it in production, as seen from outside: health and readiness, /metrics (read with a
 * Prometheus text parser), the access log and the request id. Real servers, real HTTP, the real
 * relying-party library; the WeCom simulator stands in for WeCom.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { parseConfig } from '../src/config/load.js';
import { createMemoryLogger } from '../src/observability/log.js';
import { startServer, type RunningServer } from '../src/app.js';
import { openPostgresStorage } from '../src/storage/postgres/index.js';
import { Browser, textOf } from './support/browser.js';
import { authorizationRequest, discover, openWeComLogin, scanAs, signInAndRedeem } from './support/flow.js';
import { sampleValue, scrape } from './support/metrics.js';
import { TEST_DATABASE_URL, dropSchemas, postgresSuiteTitle, probePostgres, uniqueSchemaName } from './support/postgres.js';
import { CONFIDENTIAL, freePort, startTestServer, type TestServer } from './support/server.js';

const redirectUri = CONFIDENTIAL.redirect_uris[0]!;

type LogLine = Record<string, unknown> & { msg: string };
const parsedLines = (t: TestServer): LogLine[] => t.logLines.map((line) => JSON.parse(line) as LogLine);
const accessLines = (t: TestServer) => parsedLines(t).filter((line) => line.msg === 'request' && line.component === 'http');

describe('health and readiness', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.stop());

  it('/healthz says the process answers; /readyz that it is ready; neither may be cached', async () => {
    for (const [path, body] of [
      ['/healthz', { status: 'ok' }],
      ['/readyz', { status: 'ready' }],
    ] as const) {
      const response = await fetch(`${t.issuer}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.json()).toEqual(body);
    }
    expect((await fetch(`${t.issuer}/readyz`, { method: 'HEAD' })).status).toBe(200);
    // only GET and HEAD are health checks
    expect((await fetch(`${t.issuer}/healthz`, { method: 'POST' })).status).toBe(404);
  });
});

describe('metrics', () => {
  let t: TestServer;
  let rp: oidc.Configuration;
  beforeAll(async () => {
    t = await startTestServer();
    rp = await discover(t.issuer, CONFIDENTIAL);
  });
  afterAll(() => t.stop());

  it('a sign-in and a refusal move the counters, WeCom calls are counted by API and errcode, one token fetch', async () => {
    const before = await scrape(`${t.issuer}/metrics`);
    expect(sampleValue(before, 'wecom_oidc_sign_ins_total', { outcome: 'signed_in' })).toBe(0);

    await signInAndRedeem(new Browser(), rp, redirectUri, 'ZhangSan');
    const browser = new Browser();
    const qr = await openWeComLogin(browser, await authorizationRequest(rp, redirectUri));
    const refused = await scanAs(browser, qr, 'non-member', redirectUri);
    expect(refused.status).toBe(403);

    const after = await scrape(`${t.issuer}/metrics`);
    expect(sampleValue(after, 'wecom_oidc_sign_ins_total', { outcome: 'signed_in' })).toBe(1);
    expect(sampleValue(after, 'wecom_oidc_sign_ins_total', { outcome: 'refused', reason: 'non_member' })).toBe(1);
    expect(sampleValue(after, 'wecom_api_calls_total', { api: 'gettoken', errcode: '0' })).toBe(1);
    expect(sampleValue(after, 'wecom_api_calls_total', { api: 'auth/getuserinfo', errcode: '0' })).toBe(2);
    expect(sampleValue(after, 'wecom_api_calls_total', { api: 'user/get', errcode: '0' })).toBe(1);
    expect(sampleValue(after, 'wecom_access_token_fetches_total', { result: 'ok' })).toBe(1);

    const families = new Map(after.map((family) => [family.name, family.type]));
    expect(families.get('http_request_duration_seconds')).toBe('HISTOGRAM');
    expect(families.get('wecom_api_call_duration_seconds')).toBe('HISTOGRAM');
    expect(families.get('wecom_oidc_storage_operation_duration_seconds')).toBe('HISTOGRAM');
    // prom-client's process defaults
    expect(families.get('process_cpu_user_seconds_total')).toBe('COUNTER');
    expect(families.get('nodejs_eventloop_lag_seconds')).toBe('GAUGE');
    expect(sampleValue(after, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('with metrics.listen, /metrics moves to that address only', async () => {
    const port = await freePort();
    const own = await startTestServer((raw) => {
      raw.metrics = { listen: { host: '127.0.0.1', port } };
    });
    try {
      expect(own.server.metricsAddress).toBe(`http://127.0.0.1:${port}`);
      expect((await fetch(`${own.issuer}/metrics`, { headers: { accept: 'text/plain' } })).status).toBe(404);
      const families = await scrape(`${own.server.metricsAddress}/metrics`);
      expect(families.some((family) => family.name === 'http_request_duration_seconds')).toBe(true);
      expect((await fetch(`${own.server.metricsAddress}/healthz`)).status).toBe(404);
    } finally {
      await own.stop();
    }
    // and its listener is released on stop
    expect(await fetch(`http://127.0.0.1:${port}/metrics`).catch((error: Error) => error)).toBeInstanceOf(Error);
  });

  it('metrics.enabled: false serves no /metrics', async () => {
    const own = await startTestServer((raw) => {
      raw.metrics = { enabled: false };
    });
    try {
      expect((await fetch(`${own.issuer}/metrics`, { headers: { accept: 'text/plain' } })).status).toBe(404);
    } finally {
      await own.stop();
    }
  });
});

describe('access log and request id', () => {
  let t: TestServer;
  let rp: oidc.Configuration;
  const realFetch = globalThis.fetch;
  beforeAll(async () => {
    t = await startTestServer();
    rp = await discover(t.issuer, CONFIDENTIAL);
  });
  afterAll(() => t.stop());
  afterEach(() => {
    globalThis.fetch = realFetch;
  });

  it('writes one line per request, naming the route template, and never a code, state or token', async () => {
    // Every request this test makes to the server, and the id each answer carried.
    const seen: string[] = [];
    globalThis.fetch = async (input, init) => {
      const response = await realFetch(input, init);
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.origin === t.issuer) seen.push(response.headers.get('x-request-id') ?? 'missing');
      return response;
    };
    const first = t.logLines.length;
    const browser = new Browser();
    const request = await authorizationRequest(rp, redirectUri, { scope: 'openid profile offline_access', prompt: 'consent' });
    const landing = await scanAs(browser, await openWeComLogin(browser, request), 'ZhangSan', redirectUri);
    const wecomCallback = new URL(landing.chain.find((url) => url.includes('/callback?'))!);
    const appCallback = new URL(landing.url);
    const tokens = await oidc.authorizationCodeGrant(rp, appCallback, {
      pkceCodeVerifier: request.codeVerifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
    await oidc.fetchUserInfo(rp, tokens.access_token, tokens.claims()!.sub);
    const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token!);
    globalThis.fetch = realFetch;

    const lines = parsedLines(t).slice(first);
    const access = lines.filter((line) => line.msg === 'request' && line.component === 'http');
    const ids = access.map((line) => line.requestId as string);
    expect(seen.length).toBeGreaterThan(8);
    expect(seen).not.toContain('missing');
    expect(new Set(ids).size).toBe(ids.length);
    // each answer the client saw has exactly one line; the others are the server's own calls to
    // the WeCom API (here the simulator, on the same listener)
    expect(seen.every((id) => ids.filter((logged) => logged === id).length === 1)).toBe(true);
    const serverSide = access.filter((line) => !seen.includes(line.requestId as string));
    expect(serverSide.length).toBeGreaterThan(0);
    expect(serverSide.every((line) => line.route === '/wecom-simulator/*')).toBe(true);
    expect(access.map((line) => line.route)).toEqual(
      expect.arrayContaining(['/auth', '/interaction/:uid', '/interaction/:uid/wecom/:connection/callback', '/token', '/me']),
    );
    for (const line of access) {
      expect(Object.keys(line).sort()).toEqual(['component', 'durationMs', 'level', 'method', 'msg', 'requestId', 'route', 'status', 'time']);
    }

    const secrets = [
      wecomCallback.searchParams.get('code')!,
      wecomCallback.searchParams.get('state')!,
      appCallback.searchParams.get('code')!,
      request.state,
      request.codeVerifier,
      tokens.access_token,
      tokens.id_token!,
      tokens.refresh_token!,
      refreshed.access_token,
      CONFIDENTIAL.client_secret,
    ];
    expect(secrets.every(Boolean)).toBe(true);
    const everything = t.logLines.join('\n');
    for (const secret of secrets) expect(everything).not.toContain(secret);
  });

  it('honours a well-formed X-Request-Id, replaces anything else, and puts the id on every line of the request', async () => {
    const honoured = await fetch(`${t.issuer}/healthz`, { headers: { 'x-request-id': 'lb-7f3a.1' } });
    expect(honoured.headers.get('x-request-id')).toBe('lb-7f3a.1');
    expect(accessLines(t).filter((line) => line.requestId === 'lb-7f3a.1')).toHaveLength(1);

    const replaced = await fetch(`${t.issuer}/healthz`, { headers: { 'x-request-id': 'a b"<script>' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(t.logLines.join('\n')).not.toContain('<script>');
  });

  it('shows the request id on error pages, for a person to quote', async () => {
    const notFound = await fetch(`${t.issuer}/no-such-page?code=abc`, { headers: { accept: 'text/html', 'x-request-id': 'quote-me-42' } });
    expect(notFound.status).toBe(404);
    expect(await notFound.text()).toContain('quote-me-42');
    // an oidc-provider error page (unknown client)
    const browser = new Browser();
    const page = await browser.request(
      `${t.issuer}/auth?client_id=nobody&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(redirectUri)}`,
    );
    expect(page.status).toBe(400);
    expect(textOf(page)).toContain(page.headers.get('x-request-id')!);
    const line = accessLines(t).find((entry) => entry.requestId === page.headers.get('x-request-id'));
    expect(line).toMatchObject({ route: '/auth', status: 400, method: 'GET' });
  });
});

const postgres = await probePostgres();
describe.skipIf(!postgres.available)(postgresSuiteTitle('readiness follows the storage', postgres), () => {
  let running: RunningServer | undefined;
  const schema = uniqueSchemaName('readyz');
  afterAll(async () => {
    await running?.close();
    await dropSchemas([schema]);
  });

  it('answers 503 "storage_unavailable" when the database stops answering', async () => {
    const port = await freePort();
    const config = parseConfig(
      {
        issuer: `http://127.0.0.1:${port}`,
        listen: { host: '127.0.0.1', port },
        storage: { driver: 'postgres', url: TEST_DATABASE_URL, schema },
        connections: [{ identifier: 'wecom', displayName: 'WeCom', corpId: 'ww5a1b2c3d4e5f6a7b', agentId: '1000002', secret: 's' }],
      },
      {},
    );
    const storage = await openPostgresStorage({ url: TEST_DATABASE_URL, schema, poolSize: 2 });
    running = await startServer(config, { log: createMemoryLogger(), storage });
    expect(await (await fetch(`${running.address}/readyz`)).json()).toEqual({ status: 'ready' });
    await storage.close();
    const down = await fetch(`${running.address}/readyz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: 'not_ready', reason: 'storage_unavailable' });
    // the process itself still answers
    expect((await fetch(`${running.address}/healthz`)).status).toBe(200);
  });
});
