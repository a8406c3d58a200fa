/**
 * Signals, for real: a server process started as `npm start` runs it, sent SIGHUP and SIGTERM.
 * SIGHUP reloads the configuration file all or nothing and never kills the process; SIGTERM turns
 * readiness to 503 at once, stops accepting, lets a request already in flight (a slow POST /token)
 * finish, then closes the storage; the grace period bounds how long that may take.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, textOf } from './support/browser.js';
import { authorizationRequest, discover, signIn } from './support/flow.js';
import { RawHttp, ServerProcess } from './support/process.js';
import { AGENT_ID, APP_SECRET, CONFIDENTIAL, CORP_ID, freePort } from './support/server.js';

const redirectUri = CONFIDENTIAL.redirect_uris[0]!;
const ADDED = { ...CONFIDENTIAL, client_id: 'added-by-reload', client_secret: 'added-secret-0123456789abcdef0123456789' };

function baseConfig(port: number, dataDir: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    issuer: `http://127.0.0.1:${port}`,
    listen: { host: '127.0.0.1', port },
    storage: { driver: 'lowdb', path: join(dataDir, 'db.json') },
    clients: [CONFIDENTIAL],
    connections: [{ identifier: 'wecom', displayName: '企业微信', corpId: CORP_ID, agentId: AGENT_ID, secret: APP_SECRET }],
    simulator: { enabled: true },
    ...extra,
  };
}

/** Follows an authorization request for `client` to our login page (or an error page). */
async function loginPageFor(issuer: string, client: { client_id: string; client_secret: string }) {
  const rp = await discover(issuer, client);
  const request = await authorizationRequest(rp, redirectUri);
  return new Browser().follow(request.url.href);
}

describe('SIGHUP', () => {
  let server: ServerProcess;
  let port: number;
  let issuer: string;
  beforeAll(async () => {
    port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    server = await ServerProcess.start((dataDir) => baseConfig(port, dataDir));
  }, 90_000);
  afterAll(() => server.stop());

  it('with a valid file, replaces clients and connections at once, says which changes need a restart, and keeps running', async () => {
    const before = await loginPageFor(issuer, ADDED);
    expect(before.status).toBe(400); // unknown client
    expect((await fetch(`${issuer}/WW_verify_AbC123.txt`)).status).toBe(404);

    const from = server.lines.length;
    server.rewriteConfig(
      baseConfig(port, server.dataDir, {
        clients: [CONFIDENTIAL, ADDED],
        connections: [{ identifier: 'wecom', displayName: '公司企业微信', corpId: CORP_ID, agentId: AGENT_ID, secret: APP_SECRET }],
        trustProxy: true,
        wecom: { verificationFiles: { 'WW_verify_AbC123.txt': 'AbC123' } },
      }),
    );
    process.kill(server.pid, 'SIGHUP');
    await server.waitFor((line) => line.msg.startsWith('configuration reloaded'), 15_000, from);
    const restart = await server.waitFor((line) => line.msg.includes('only after a restart'), 5_000, from);
    expect(restart.settings).toEqual(['trustProxy']);

    const after = await loginPageFor(issuer, ADDED);
    expect(after.status).toBe(200);
    expect(textOf(after)).toContain('公司企业微信');
    expect(await (await fetch(`${issuer}/WW_verify_AbC123.txt`)).text()).toBe('AbC123');
    // and a full sign-in through the reloaded client works
    const { callbackUrl } = await signIn(new Browser(), await discover(issuer, ADDED), redirectUri);
    expect(callbackUrl.searchParams.get('code')).toBeTruthy();
    expect(server.child.exitCode).toBeNull();
    expect(existsSync(join(server.dataDir, 'admin.sock'))).toBe(true);
  });

  it('with an invalid file, changes nothing and logs every problem', async () => {
    const from = server.lines.length;
    server.rewriteConfig(
      baseConfig(port, server.dataDir, {
        clients: [CONFIDENTIAL],
        connections: [{ identifier: 'Bad Id', displayName: 'x', corpId: '!', agentId: AGENT_ID, secret: APP_SECRET }],
      }),
    );
    process.kill(server.pid, 'SIGHUP');
    await server.waitFor((line) => line.msg.includes('nothing changed'), 15_000, from);
    const problems = server.lines.slice(from).filter((line) => line.msg === 'configuration reload refused: invalid setting');
    expect(problems.map((line) => line.problem)).toEqual([
      expect.stringMatching(/^connections\[0\]\.identifier: /),
      expect.stringMatching(/^connections\[0\]\.corpId: /),
    ]);

    // a client oidc-provider rejects is refused the same way, naming the client
    const next = server.lines.length;
    server.rewriteConfig(baseConfig(port, server.dataDir, { clients: [{ ...ADDED, redirect_uris: ['not a url'] }] }));
    process.kill(server.pid, 'SIGHUP');
    await server.waitFor((line) => line.msg.includes('nothing changed'), 15_000, next);
    expect(server.lines.slice(next).some((line) => String(line.problem).startsWith('client "added-by-reload": redirect_uris'))).toBe(true);

    // and not valid JSON at all
    const last = server.lines.length;
    server.rewriteConfig('{ "issuer": ');
    process.kill(server.pid, 'SIGHUP');
    await server.waitFor((line) => line.msg.includes('nothing changed'), 15_000, last);

    // still the configuration of the last good file: the added client and the new name
    const page = await loginPageFor(issuer, ADDED);
    expect(page.status).toBe(200);
    expect(textOf(page)).toContain('公司企业微信');
    expect(server.child.exitCode).toBeNull();
  });
});

describe('SIGTERM', () => {
  it('turns readiness to 503 at once, refuses new connections, lets a slow POST /token finish, then closes the storage', async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const server = await ServerProcess.start((dataDir) => baseConfig(port, dataDir, { shutdownGraceSeconds: 10 }));
    try {
      const rp = await discover(issuer, CONFIDENTIAL);
      const { request, callbackUrl } = await signIn(new Browser(), rp, redirectUri);
      const body = new URLSearchParams({
        grant_type: 'authorization_code',
        code: callbackUrl.searchParams.get('code')!,
        redirect_uri: redirectUri,
        code_verifier: request.codeVerifier,
      }).toString();
      const basic = Buffer.from(`${CONFIDENTIAL.client_id}:${CONFIDENTIAL.client_secret}`).toString('base64');

      // A token request whose body is only half sent, and a readiness probe whose headers are not
      // finished: both in flight when the signal arrives.
      const token = await RawHttp.open(port);
      token.send(
        `POST /token HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Basic ${basic}\r\n` +
          `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 20)}`,
      );
      const probe = await RawHttp.open(port);
      probe.send(`GET /readyz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
      await new Promise((resolve) => setTimeout(resolve, 300));

      const from = server.lines.length;
      const signalled = Date.now();
      process.kill(server.pid, 'SIGTERM');
      await server.waitFor((line) => line.msg.startsWith('draining'), 10_000, from);

      // no new connections
      expect(await fetch(`${issuer}/healthz`).catch((error: Error) => error)).toBeInstanceOf(Error);
      // the probe already in flight hears "not ready"
      probe.send('\r\n');
      const readiness = await probe.response();
      expect(readiness.status).toBe(503);
      expect(JSON.parse(readiness.body)).toEqual({ status: 'not_ready', reason: 'shutting_down' });

      // the slow token request still completes, and is told the connection closes
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(server.child.exitCode).toBeNull();
      token.send(body.slice(20));
      const answer = await token.response();
      expect(answer.status).toBe(200);
      expect(answer.headers.connection).toBe('close');
      expect(JSON.parse(answer.body)).toMatchObject({ token_type: 'Bearer', access_token: expect.any(String) });

      expect(await server.exited).toEqual({ code: 0, signal: null });
      expect(Date.now() - signalled).toBeLessThan(10_000);
      const order = (match: (line: (typeof server.lines)[number]) => boolean) =>
        server.lines.findIndex((line, index) => index >= from && match(line));
      const draining = order((line) => line.msg.startsWith('draining'));
      const tokenLine = order((line) => line.msg === 'request' && line.route === '/token');
      const stopped = order((line) => line.msg.startsWith('stopped'));
      expect(draining).toBeGreaterThanOrEqual(0);
      expect(tokenLine).toBeGreaterThan(draining);
      expect(stopped).toBeGreaterThan(tokenLine);
      expect(server.lines[tokenLine]).toMatchObject({ status: 200, method: 'POST' });
      // the admin socket went with it
      expect(existsSync(join(server.dataDir, 'admin.sock'))).toBe(false);
    } finally {
      await server.stop();
    }
  }, 90_000);

  it('cuts a request that outlives shutdownGraceSeconds, and still exits', async () => {
    const port = await freePort();
    const server = await ServerProcess.start((dataDir) => baseConfig(port, dataDir, { shutdownGraceSeconds: 1 }));
    try {
      const stuck = await RawHttp.open(port);
      stuck.send(
        `POST /token HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant_type=`,
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      const signalled = Date.now();
      process.kill(server.pid, 'SIGTERM');
      expect(await server.exited).toEqual({ code: 0, signal: null });
      const took = Date.now() - signalled;
      expect(took).toBeGreaterThanOrEqual(1_000);
      expect(took).toBeLessThan(8_000);
      expect(server.lines.some((line) => line.msg.includes('grace period over') && line.requests === 1)).toBe(true);
      expect((await stuck.response()).status).toBeNaN(); // no answer: the connection was cut
    } finally {
      await server.stop();
    }
  }, 90_000);
});
