/**
 * WeCom stays the source of truth after sign-in (issue 11), end to end on lowdb and PostgreSQL: the
 * simulator's directory changes as a WeCom admin would change it, calls our events route back with
 * signed, encrypted callbacks, and the relying parties (openid-client) see their tokens refused.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/admin/run-cli.js';
import { DEMO_USERIDS } from '../src/simulator/index.js';
import { CallbackKey, messageSignature, parseEnvelope } from '../src/wecom/events/index.js';
import { Browser } from './support/browser.js';
import { discover, signInAndRedeem } from './support/flow.js';
import { dropSchemas, postgresSuiteTitle, probePostgres, TEST_DATABASE_URL, uniqueSchemaName } from './support/postgres.js';
import { writeConfigFile } from './support/cli.js';
import { CONFIDENTIAL, startTestServer, type TestServer } from './support/server.js';

const EVENTS = { token: 'Offb0ardTok3n', encodingAESKey: 'Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa987654z' };
const SECOND = {
  ...CONFIDENTIAL,
  client_id: 'rp-second',
  client_secret: 'rp-second-secret-0123456789abcdef0123',
  redirect_uris: ['http://127.0.0.1:59999/second-cb'],
  post_logout_redirect_uris: [],
};
const who: string = DEMO_USERIDS.active;
/** Refresh tokens need offline_access, which a first-party client gets with prompt=consent. */
const OFFLINE = { scope: 'openid profile email phone wecom offline_access', prompt: 'consent' };

/** A relying party's back-channel logout endpoint: records each logout token it is sent. */
async function logoutReceiver(): Promise<{ uri: string; tokens: string[]; server: Server }> {
  const tokens: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      tokens.push(new URLSearchParams(body).get('logout_token') ?? '');
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { uri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/backchannel`, tokens, server };
}

const pgAvailability = await probePostgres();
const schemas: string[] = [];
afterAll(() => dropSchemas(schemas));

const stores = [
  { name: 'lowdb', storage: () => undefined },
  ...(pgAvailability.available
    ? [
        {
          name: 'PostgreSQL',
          storage: () => {
            const schema = uniqueSchemaName('offboard');
            schemas.push(schema);
            return { driver: 'postgres', url: TEST_DATABASE_URL, schema };
          },
        },
      ]
    : []),
];
if (!pgAvailability.available) postgresSuiteTitle('offboarding on PostgreSQL', pgAvailability);

describe.each(stores)('offboarding through contact-change events ($name)', ({ storage }) => {
  let t: TestServer;
  let backchannel: Awaited<ReturnType<typeof logoutReceiver>>;

  beforeAll(async () => {
    backchannel = await logoutReceiver();
    t = await startTestServer((raw) => {
      const store = storage();
      if (store) raw.storage = store;
      const clients = raw.clients as Record<string, unknown>[];
      clients[0]!.backchannel_logout_uri = backchannel.uri;
      clients.push(structuredClone(SECOND));
      (raw.connections as Record<string, unknown>[])[0]!.events = EVENTS;
    });
  });
  afterAll(async () => {
    await t?.stop();
    backchannel?.server.close();
  });

  /** Changes the directory and waits until WeCom's callback has been applied. */
  async function change(edit: () => unknown): Promise<number> {
    const started = performance.now();
    edit();
    await t.sim.events.idle();
    await t.server.wecomEventsIdle();
    return performance.now() - started;
  }

  async function signInAt(client: typeof CONFIDENTIAL, userid: string = who) {
    const rp = await discover(t.issuer, client);
    const { tokens } = await signInAndRedeem(new Browser(), rp, client.redirect_uris[0]!, userid, OFFLINE);
    return { rp, tokens };
  }

  it('a deleted member loses both apps within seconds; the same userid later is a new person', async () => {
    const first = await signInAt(CONFIDENTIAL);
    const second = await signInAt(SECOND);
    const sub = first.tokens.claims()!.sub;
    expect(second.tokens.claims()!.sub).toBe(sub);
    backchannel.tokens.length = 0;

    const elapsed = await change(() => t.sim.directory.deleteMember(who));
    expect(elapsed).toBeLessThan(5_000);
    expect(t.sim.events.deliveries().at(-1)!.attempts.at(-1)!.status).toBe(200);

    for (const { rp, tokens } of [first, second]) {
      await expect(oidc.refreshTokenGrant(rp, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
      await expect(oidc.fetchUserInfo(rp, tokens.access_token, sub)).rejects.toThrow();
      const introspection = await oidc.tokenIntrospection(rp, tokens.access_token);
      expect(introspection.active).toBe(false);
    }
    expect(backchannel.tokens).toHaveLength(1);
    const jwks = jose.createRemoteJWKSet(new URL(`${t.issuer}/jwks`));
    const { payload } = await jose.jwtVerify(backchannel.tokens[0]!, jwks, { issuer: t.issuer, audience: CONFIDENTIAL.client_id });
    expect(payload.sub).toBe(sub);
    expect(t.logLines.some((line) => line.includes('member offboarded') && line.includes('"reason":"deleted"'))).toBe(true);

    await change(() => t.sim.directory.addMember({ userid: who, name: '新同事' }));
    const newcomer = await signInAt(CONFIDENTIAL);
    expect(newcomer.tokens.claims()!.sub).not.toBe(sub);
    const newSub = newcomer.tokens.claims()!.sub;
    expect((await oidc.fetchUserInfo(newcomer.rp, newcomer.tokens.access_token, newSub)).name).toBe('新同事');
  });

  it('a renamed member keeps the account and its sub; a replayed callback changes nothing', async () => {
    const member = DEMO_USERIDS.withEmail;
    const before = await signInAt(CONFIDENTIAL, member);
    const renamed = `${member}-2026`;
    await change(() => t.sim.directory.renameMember(member, renamed));
    const after = await signInAt(CONFIDENTIAL, renamed);
    const sub = before.tokens.claims()!.sub;
    expect(after.tokens.claims()!.sub).toBe(sub);
    expect((await oidc.fetchUserInfo(after.rp, after.tokens.access_token, sub)).preferred_username).toBe(renamed);

    // The same delivery again, byte for byte: refused as a replay, and the account is untouched.
    const delivery = t.sim.events.deliveries().at(-1)!;
    const replay = await fetch(`${delivery.url}?${new URLSearchParams(delivery.query)}`, { method: 'POST', body: delivery.body });
    expect(replay.status).toBe(403);
    const again = await signInAt(CONFIDENTIAL, renamed);
    expect(again.tokens.claims()!.sub).toBe(before.tokens.claims()!.sub);
  });

  it('disabling a member ends their tokens; enabling them again restores sign-in to the same account', async () => {
    const member = await signInAt(CONFIDENTIAL);
    await change(() => t.sim.directory.disableMember(who));
    await expect(oidc.refreshTokenGrant(member.rp, member.tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(signInAt(CONFIDENTIAL)).rejects.toThrow(/did not reach the app/);
    await change(() => t.sim.directory.enableMember(who));
    const back = await signInAt(CONFIDENTIAL);
    expect(back.tokens.claims()!.sub).toBe(member.tokens.claims()!.sub);
  });

  it('a forged callback is refused with 403 and changes nothing', async () => {
    const member = await signInAt(CONFIDENTIAL);
    const url = t.sim.events.targetUrls[0]!;
    const forged = await fetch(`${url}?msg_signature=${'0'.repeat(40)}&timestamp=${Math.floor(Date.now() / 1000)}&nonce=1`, {
      method: 'POST',
      body: '<xml><ToUserName><![CDATA[x]]></ToUserName><Encrypt><![CDATA[AAAA]]></Encrypt></xml>',
    });
    expect(forged.status).toBe(403);
    const refreshed = await oidc.refreshTokenGrant(member.rp, member.tokens.refresh_token!);
    expect(refreshed.access_token).toBeTruthy();
  });
});

describe.each(stores)('a new member on a login-only connection ($name)', ({ name, storage }) => {
  /** Two replicas on PostgreSQL (the second calls the first one's simulator); one server on lowdb. */
  const servers: TestServer[] = [];
  beforeAll(async () => {
    const store = storage();
    const loginOnlyWithEvents = (raw: Record<string, unknown>) => {
      if (store) raw.storage = store;
      const [connection] = raw.connections as Record<string, unknown>[];
      connection!.events = EVENTS;
      connection!.loginOnly = true;
    };
    const first = await startTestServer(loginOnlyWithEvents);
    servers.push(first);
    if (store) {
      servers.push(
        await startTestServer((raw) => {
          loginOnlyWithEvents(raw);
          raw.simulator = { enabled: false };
          const simulator = `${first.issuer}/wecom-simulator`;
          raw.wecom = { apiBase: simulator, qrLoginBase: simulator, oauthBase: simulator };
        }),
      );
    }
  });
  afterAll(() => Promise.all(servers.map((server) => server.stop())));

  it('gets an account from the create_user event, once however often and wherever the event arrives, and signs in to it', async () => {
    const t = servers[0]!;
    const member = 'xinren.2026';
    t.sim.directory.addMember({ userid: member, name: '新人' });
    // WeCom delivers an event again when our answer was slow: the same message under a new
    // signature, so the replay check (per process, by signature) lets it in. On PostgreSQL the
    // copies go to the other replica while the first delivery is being applied on this one.
    const first = t.sim.events.deliveries().at(-1)!;
    const key = new CallbackKey(EVENTS.encodingAESKey);
    const sealed = parseEnvelope(first.body).encrypted;
    const { message, receiveId } = key.open(sealed);
    const target = servers.at(-1)!;
    const copies = Array.from({ length: 3 }, (_, i) => {
      const encrypted = key.seal(message, receiveId);
      const nonce = String(1_000 + i);
      const query = {
        msg_signature: messageSignature(EVENTS.token, first.query.timestamp, nonce, encrypted),
        timestamp: first.query.timestamp,
        nonce,
      };
      return fetch(`${target.issuer}/wecom/events/wecom?${new URLSearchParams(query)}`, {
        method: 'POST',
        body: first.body.replace(sealed, encrypted),
      }).then((response) => response.status);
    });
    expect(await Promise.all(copies)).toEqual([200, 200, 200]);
    await t.sim.events.idle();
    await Promise.all(servers.map((server) => server.server.wecomEventsIdle()));

    const accounts = await t.server.storage.accounts.findByMatchField('username', member);
    expect(accounts, name).toHaveLength(1);
    expect(accounts[0]).toMatchObject({ provisioned: true, identities: [], profile: { name: '新人' } });
    const provisioned = servers.flatMap((server) => server.logLines).filter((line) => line.includes('account provisioned for a new WeCom member'));
    expect(provisioned).toHaveLength(1);

    const rp = await discover(t.issuer, CONFIDENTIAL);
    const { tokens } = await signInAndRedeem(new Browser(), rp, CONFIDENTIAL.redirect_uris[0]!, member);
    expect(tokens.claims()!.sub).toBe(accounts[0]!.id);
  });
});

describe('revalidation on refresh, without events', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });

  it('100 refreshes inside the window cost no WeCom call; after it, a departed member is refused', async () => {
    t = await startTestServer((raw) => {
      (raw.connections as Record<string, unknown>[])[0]!.revalidateAfterSeconds = 600;
    });
    const rp = await discover(t.issuer, CONFIDENTIAL);
    const { tokens } = await signInAndRedeem(new Browser(), rp, CONFIDENTIAL.redirect_uris[0]!, who, OFFLINE);
    let refreshToken = tokens.refresh_token!;
    const callsBefore = { ...t.sim.calls };
    for (let i = 0; i < 100; i += 1) refreshToken = (await oidc.refreshTokenGrant(rp, refreshToken)).refresh_token ?? refreshToken;
    expect(t.sim.calls).toEqual(callsBefore);

    // No callback is configured: the directory changes silently, as when an event is lost.
    t.sim.directory.deleteMember(who);
    const realNow = Date.now;
    Date.now = () => realNow() + 601_000;
    try {
      await expect(oidc.refreshTokenGrant(rp, refreshToken)).rejects.toMatchObject({ error: 'invalid_grant' });
    } finally {
      Date.now = realNow;
    }
    expect(t.sim.calls['user/get']).toBe(callsBefore['user/get'] + 1);
    expect(t.sim.calls.gettoken).toBe(callsBefore.gettoken);
  });

  it('when WeCom cannot answer, refreshes go on within the grace period and fail closed after it', async () => {
    t = await startTestServer((raw) => {
      Object.assign((raw.connections as Record<string, unknown>[])[0]!, { revalidateAfterSeconds: 60, revalidateGraceSeconds: 3_600 });
    });
    const rp = await discover(t.issuer, CONFIDENTIAL);
    const { tokens } = await signInAndRedeem(new Browser(), rp, CONFIDENTIAL.redirect_uris[0]!, who, OFFLINE);
    const realNow = Date.now;
    try {
      Date.now = () => realNow() + 120_000;
      t.sim.failNext('user/get', 45009, 10);
      const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token!);
      expect(t.logLines.some((line) => line.includes('refresh allowed within the grace period'))).toBe(true);
      Date.now = () => realNow() + 3_700_000;
      await expect(oidc.refreshTokenGrant(rp, refreshed.refresh_token ?? tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
      expect(t.logLines.some((line) => line.includes('past the grace period; refresh refused'))).toBe(true);
    } finally {
      Date.now = realNow;
    }
  });

  it('`accounts sync` re-checks every member now: the departed are offboarded, one summary line', async () => {
    t = await startTestServer();
    const rp = await discover(t.issuer, CONFIDENTIAL);
    const gone = await signInAndRedeem(new Browser(), rp, CONFIDENTIAL.redirect_uris[0]!, who, OFFLINE);
    const disabled = await signInAndRedeem(new Browser(), rp, CONFIDENTIAL.redirect_uris[0]!, DEMO_USERIDS.withEmail, OFFLINE);
    // No events configured: WeCom's changes reach us only through the sweep.
    t.sim.directory.deleteMember(who);
    t.sim.directory.disableMember(DEMO_USERIDS.withEmail);
    const configPath = writeConfigFile(t.raw);
    const run = await runCli(['accounts', 'sync', '--config', configPath], { LANG: 'C' }, { cwd: t.dataDir, inputDir: t.dataDir });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('wecom: checked 2, active 0, disabled 1, retired 1, renamed 0, errors 0\n');
    expect(run.exitCode).toBe(0);
    for (const { tokens } of [gone, disabled]) {
      await expect(oidc.refreshTokenGrant(rp, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    }
    const show = await runCli(
      ['accounts', 'show', disabled.tokens.claims()!.sub, '--config', configPath],
      { LANG: 'C' },
      { cwd: t.dataDir, inputDir: t.dataDir },
    );
    expect(show.stdout).toMatch(/LAST CHECKED WITH WECOM/);
  });
});
