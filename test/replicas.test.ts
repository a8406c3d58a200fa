/**
 * Two replicas on one PostgreSQL database behind one load balancer: whichever replica a request
 * lands on, sign-in, tokens, logout and the WeCom access_token behave as if there were one server.
 * Replicas are separate processes (a built `main.js` each), so every "shared" thing below really
 * goes through the database. Skipped, with one line saying why, where no PostgreSQL answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { Browser, formsOf, type Page } from './support/browser.js';
import { authorizationRequest, discover, openWeComLogin, scanAs, stopAtApp, type AuthorizationRequest } from './support/flow.js';
import { TEST_DATABASE_URL, dropSchemas, postgresSuiteTitle, probePostgres, queryTestDatabase, uniqueSchemaName } from './support/postgres.js';
import {
  buildForReplicas,
  startProxy,
  startReplica,
  startSharedWeCom,
  type Replica,
  type ReplicaName,
  type ReplicaProxy,
  type SharedWeCom,
} from './support/replicas.js';
import { CONFIDENTIAL } from './support/server.js';

const availability = await probePostgres();
const redirectUri = CONFIDENTIAL.redirect_uris[0]!;
const postLogoutUri = CONFIDENTIAL.post_logout_redirect_uris[0]!;
/** A realistic `gettoken` round trip: long enough that both replicas ask for a token while it runs. */
const GETTOKEN_LATENCY_MS = 150;

describe.skipIf(!availability.available)(postgresSuiteTitle('two replicas on one database', availability), () => {
  const schema = uniqueSchemaName('replicas');
  let proxy: ReplicaProxy;
  let wecom: SharedWeCom;
  const replicas: Replica[] = [];
  let rp: oidc.Configuration;

  beforeAll(async () => {
    buildForReplicas();
    proxy = await startProxy();
    wecom = await startSharedWeCom(proxy.url, GETTOKEN_LATENCY_MS);
    const settings = { issuer: proxy.url, wecomBase: wecom.base, databaseUrl: TEST_DATABASE_URL, schema };
    // Started together on an empty schema: both migrate, both create keys; one of each must win.
    const started = await Promise.allSettled([startReplica('a', settings), startReplica('b', settings)]);
    for (const result of started) if (result.status === 'fulfilled') replicas.push(result.value);
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    proxy.setTargets({ a: replicas[0]!.port, b: replicas[1]!.port });
    proxy.routeAll('a');
    rp = await discover(proxy.url, CONFIDENTIAL);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await proxy?.close();
    await wecom?.close();
    await dropSchemas([schema]);
  }, 30_000);

  /** Which replica served the requests whose path contains `fragment`, in order. */
  const servedBy = (fragment: string, since = 0): ReplicaName[] =>
    proxy.log
      .slice(since)
      .filter((entry) => entry.path.includes(fragment))
      .map((entry) => entry.replica);

  const gettokenCalls = () => wecom.simulator.calls.gettoken;

  /** Many browsers at once, each brought to WeCom's QR page, then all scanning and returning together. */
  async function concurrentSignIns(count: number): Promise<Page[]> {
    const started = await Promise.all(
      Array.from({ length: count }, async () => {
        const browser = new Browser();
        const request = await authorizationRequest(rp, redirectUri);
        return { browser, qr: await openWeComLogin(browser, request) };
      }),
    );
    return Promise.all(started.map(({ browser, qr }, i) => scanAs(browser, qr, i % 2 ? 'ZhangSan' : 'LiSi', redirectUri)));
  }

  function redeem(landing: Page, request: AuthorizationRequest) {
    return oidc.authorizationCodeGrant(rp, new URL(landing.url), {
      pkceCodeVerifier: request.codeVerifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
    });
  }

  it('both replicas are one issuer: the same discovery and the same signing keys', async () => {
    const documents = async (replica: ReplicaName) => {
      proxy.routeAll(replica);
      const discovery = await fetch(`${proxy.url}/.well-known/openid-configuration`).then((r) => r.json() as Promise<{ issuer: string }>);
      const jwks = await fetch(`${proxy.url}/jwks`).then((r) => r.json() as Promise<{ keys: unknown[] }>);
      return { discovery, jwks };
    };
    const a = await documents('a');
    const b = await documents('b');
    expect(a.discovery.issuer).toBe(proxy.url);
    expect(b).toEqual(a);
    expect(a.jwks.keys.length).toBeGreaterThan(0);
  });

  it('50 concurrent sign-ins spread over both replicas on a cold token cache cause exactly one gettoken', async () => {
    expect(await queryTestDatabase(`SELECT key FROM "${schema}".wecom_access_tokens`)).toEqual([]);
    const before = gettokenCalls();
    const since = proxy.log.length;
    proxy.roundRobin();
    const landings = await concurrentSignIns(50);
    for (const landing of landings) expect(new URL(landing.url).searchParams.get('code'), landing.url).toBeTruthy();
    expect(gettokenCalls() - before).toBe(1);
    const callbacks = servedBy('/callback', since);
    expect(callbacks).toHaveLength(50);
    // the load balancer alternates every request, so callbacks land on both, roughly half each
    expect(callbacks.filter((replica) => replica === 'a').length).toBeGreaterThanOrEqual(10);
    expect(callbacks.filter((replica) => replica === 'b').length).toBeGreaterThanOrEqual(10);
  });

  it('a sign-in started on A finishes on B; its code is redeemed on A and refreshed on B', async () => {
    const since = proxy.log.length;
    const browser = new Browser();
    proxy.routeAll('a');
    const request = await authorizationRequest(rp, redirectUri, { scope: 'openid profile offline_access', prompt: 'consent' });
    const qr = await openWeComLogin(browser, request);
    proxy.routeAll('b');
    const landing = await scanAs(browser, qr, 'ZhangSan', redirectUri);
    expect(landing.url.startsWith(redirectUri), `${landing.status} ${landing.url} ${landing.body.slice(0, 300)}`).toBe(true);

    proxy.routeAll('a');
    const tokens = await redeem(landing, request);
    proxy.routeAll('b');
    const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token!);
    expect(refreshed.claims()!.sub).toBe(tokens.claims()!.sub);
    proxy.routeAll('a');
    const userinfo = await oidc.fetchUserInfo(rp, refreshed.access_token, tokens.claims()!.sub);
    expect(userinfo.preferred_username).toBe('ZhangSan');

    expect(servedBy('/auth?', since)).toEqual(['a']);
    expect(servedBy('/wecom/wecom', since)).toEqual(['a', 'b']); // the start, then WeCom's callback
    expect(servedBy('/token', since)).toEqual(['a', 'b']);
    expect(servedBy('/me', since)).toEqual(['a']);
  });

  it('logout on A ends the session on B', async () => {
    const browser = new Browser();
    proxy.routeAll('b');
    const request = await authorizationRequest(rp, redirectUri);
    const landing = await scanAs(browser, await openWeComLogin(browser, request), 'ZhangSan', redirectUri);
    const tokens = await redeem(landing, request);

    // B and A both know the session: prompt=none answers with a code on either
    for (const replica of ['b', 'a'] as const) {
      proxy.routeAll(replica);
      const silent = await browser.follow((await authorizationRequest(rp, redirectUri, { prompt: 'none' })).url.href, {}, stopAtApp(redirectUri));
      expect(new URL(silent.url).searchParams.get('code'), `${replica}: ${silent.url}`).toBeTruthy();
    }

    // keep a copy of the session cookies, as a second tab (or a thief) would still hold them
    const staleTab = new Browser();
    for (const cookie of await browser.jar.getCookies(proxy.url)) await staleTab.jar.setCookie(cookie.toString(), proxy.url);

    proxy.routeAll('a');
    const logoutUrl = oidc.buildEndSessionUrl(rp, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: postLogoutUri });
    const confirm = await browser.follow(logoutUrl.href);
    const yes = formsOf(confirm).find((form) => form.fields.logout === 'yes' || form.element.getAttribute('id') === 'op.logoutForm');
    expect(yes, confirm.body.slice(0, 300)).toBeDefined();
    const done = await browser.submit(confirm, { ...yes!, fields: { ...yes!.fields, logout: 'yes' } }, (next) => next.startsWith(postLogoutUri));
    expect(done.url.startsWith(postLogoutUri)).toBe(true);

    proxy.routeAll('b');
    const after = await staleTab.follow((await authorizationRequest(rp, redirectUri, { prompt: 'none' })).url.href, {}, stopAtApp(redirectUri));
    expect(new URL(after.url).searchParams.get('error'), after.url).toBe('login_required');
  });

  it('a token WeCom reports expired (42001) is refreshed once for both replicas', async () => {
    const [stored] = await queryTestDatabase<{ value: string }>(`SELECT value FROM "${schema}".wecom_access_tokens`);
    const before = { gettoken: gettokenCalls(), getuserinfo: wecom.simulator.calls.getuserinfo };
    // Two hours pass at WeCom: the token both replicas share still looks fresh to them, WeCom says 42001.
    wecom.simulator.advanceClock(7200 * 1000);
    proxy.roundRobin();
    const since = proxy.log.length;
    const landings = await concurrentSignIns(10);
    for (const landing of landings) expect(new URL(landing.url).searchParams.get('code'), landing.url).toBeTruthy();

    expect(gettokenCalls() - before.gettoken).toBe(1);
    // some getuserinfo calls were answered 42001 and retried with the new token
    expect(wecom.simulator.calls.getuserinfo - before.getuserinfo).toBeGreaterThan(10);
    expect(new Set(servedBy('/callback', since))).toEqual(new Set(['a', 'b']));
    const [now] = await queryTestDatabase<{ value: string }>(`SELECT value FROM "${schema}".wecom_access_tokens`);
    expect(now!.value).not.toBe(stored!.value);
  });
});
