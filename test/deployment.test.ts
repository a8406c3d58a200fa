/**
 * Start-up guards and running behind a TLS-terminating proxy with an issuer that has a path.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../src/config/load.js';
import { createMemoryLogger } from '../src/observability/log.js';
import { ClientConfigError } from '../src/oidc/clients.js';
import { startServer, type RunningServer } from '../src/app.js';
import { SimulatorRefusedError, assertSimulatorAllowed } from '../src/config/simulator-guard.js';
import { REPO_ROOT } from './support/cli.js';
import { freePort } from './support/server.js';

let running: RunningServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

function baseConfig(port: number, extra: Record<string, unknown> = {}) {
  return {
    issuer: `http://127.0.0.1:${port}`,
    listen: { host: '127.0.0.1', port },
    storage: { driver: 'lowdb', path: join(mkdtempSync(join(tmpdir(), 'wecom-oidc-deploy-')), 'db.json') },
    connections: [{ identifier: 'wecom', displayName: 'WeCom', corpId: 'ww5a1b2c3d4e5f6a7b', agentId: '1000002', secret: 's' }],
    ...extra,
  };
}

describe('start-up', () => {
  it('refuses to run the simulator for a non-loopback issuer unless forced', async () => {
    const port = await freePort();
    const config = parseConfig(baseConfig(port, { issuer: 'https://id.example.com', simulator: { enabled: true } }), {});
    const refused = startServer(config, { log: createMemoryLogger() });
    await expect(refused).rejects.toBeInstanceOf(SimulatorRefusedError);
    await expect(refused).rejects.toThrow(/issuer https:\/\/id\.example\.com .*"allowNonLoopbackIssuer": true/);
    const forced = (issuer: string) => parseConfig(baseConfig(port, { issuer, simulator: { enabled: true, allowNonLoopbackIssuer: true } }), {});
    expect(() => assertSimulatorAllowed(forced('https://id.example.com'))).not.toThrow();
  });

  it('refuses to run the simulator listening on every interface (a loopback issuer notwithstanding), naming the host and the key', async () => {
    const port = await freePort();
    const config = parseConfig(baseConfig(port, { listen: { host: '0.0.0.0', port }, simulator: { enabled: true } }), {});
    const refused = startServer(config, { log: createMemoryLogger() });
    // should the guard let it through, afterEach still closes what would then listen on every interface
    refused.then((server) => (running = server)).catch(() => undefined);
    await expect(refused).rejects.toBeInstanceOf(SimulatorRefusedError);
    await expect(refused).rejects.toThrow(/listen\.host "0\.0\.0\.0" is not a loopback address.*"allowNonLoopbackListen": true/);
  });

  describe('the simulator and listen.host', () => {
    const withHost = (host: string, simulator: Record<string, unknown> = {}) =>
      parseConfig(baseConfig(3000, { listen: { host, port: 3000 }, simulator: { enabled: true, ...simulator } }), {});

    it.each(['0.0.0.0', '::', '', '192.168.1.20', 'fe80::1', '::ffff:192.168.1.20', 'id.example.com'])('refuses %j', (host) => {
      expect(() => assertSimulatorAllowed(withHost(host))).toThrow(SimulatorRefusedError);
      expect(() => assertSimulatorAllowed(withHost(host))).toThrow(`listen.host ${JSON.stringify(host)}`);
    });

    it.each(['127.0.0.1', '127.1.2.3', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', 'localhost', 'LocalHost'])('allows loopback %j', (host) => {
      expect(() => assertSimulatorAllowed(withHost(host))).not.toThrow();
    });

    it('lets a non-loopback listener through with allowNonLoopbackListen, and does not care without the simulator', () => {
      expect(() => assertSimulatorAllowed(withHost('0.0.0.0', { allowNonLoopbackListen: true }))).not.toThrow();
      expect(() => assertSimulatorAllowed(withHost('192.168.1.20', { allowNonLoopbackListen: true }))).not.toThrow();
      // the issuer's key is not the listener's
      expect(() => assertSimulatorAllowed(withHost('0.0.0.0', { allowNonLoopbackIssuer: true }))).toThrow(SimulatorRefusedError);
      expect(() => assertSimulatorAllowed(withHost('0.0.0.0', { enabled: false }))).not.toThrow();
    });

    it("passes the compose example's simulator.json as it is (0.0.0.0 inside its container, allowed by the key)", () => {
      const raw = JSON.parse(readFileSync(join(REPO_ROOT, 'deploy', 'compose', 'simulator.json'), 'utf8')) as { listen: { host: string } };
      expect(raw.listen.host).toBe('0.0.0.0');
      expect(() => assertSimulatorAllowed(parseConfig(raw, {}))).not.toThrow();
    });
  });

  it('stops on an invalid client, naming the client and the problem', async () => {
    const port = await freePort();
    const config = parseConfig(
      baseConfig(port, { clients: [{ client_id: 'grafana', client_secret: 'x'.repeat(32), redirect_uris: ['not a url'] }] }),
      {},
    );
    const failure = startServer(config, { log: createMemoryLogger() });
    await expect(failure).rejects.toBeInstanceOf(ClientConfigError);
    await expect(failure).rejects.toThrow(/client "grafana": redirect_uris/);
  });

  it('refuses a client whose first_party is not a boolean, naming the field', async () => {
    const port = await freePort();
    const raw = baseConfig(port, {
      clients: [{ client_id: 'app', client_secret: 'x'.repeat(32), redirect_uris: ['https://app.example.com/cb'], first_party: 'yes' }],
    });
    expect(() => parseConfig(raw, {})).toThrow(/clients\[0\]\.first_party: .*boolean/);
  });
});

describe('behind a TLS-terminating proxy, with an issuer path', () => {
  it('publishes https endpoints under the path and sets secure cookies', async () => {
    const port = await freePort();
    const config = parseConfig(
      baseConfig(port, {
        issuer: 'https://id.example.com/oidc',
        trustProxy: true,
        clients: [{ client_id: 'app', client_secret: 'x'.repeat(32), redirect_uris: ['https://app.example.com/cb'], first_party: true }],
      }),
      {},
    );
    running = await startServer(config, { log: createMemoryLogger() });
    const proxied = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'id.example.com' };
    const discovery = (await (await fetch(`${running.address}/oidc/.well-known/openid-configuration`, { headers: proxied })).json()) as Record<
      string,
      string
    >;
    expect(discovery.issuer).toBe('https://id.example.com/oidc');
    expect(discovery.authorization_endpoint).toBe('https://id.example.com/oidc/auth');
    // a health check on the server's own address does not hand its URLs to proxied clients
    // (discovery is precomputed per origin)
    const direct = (await (await fetch(`${running.address}/oidc/.well-known/openid-configuration`)).json()) as Record<string, string>;
    expect(direct.authorization_endpoint).toBe(`${running.address}/oidc/auth`);
    const proxiedAgain = (await (await fetch(`${running.address}/oidc/.well-known/openid-configuration`, { headers: proxied })).json()) as Record<
      string,
      string
    >;
    expect(proxiedAgain.authorization_endpoint).toBe('https://id.example.com/oidc/auth');

    const auth = await fetch(
      `${running.address}/oidc/auth?${new URLSearchParams({
        client_id: 'app',
        redirect_uri: 'https://app.example.com/cb',
        response_type: 'code',
        scope: 'openid',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      })}`,
      { headers: proxied, redirect: 'manual' },
    );
    expect(auth.status).toBe(303);
    expect(auth.headers.get('location')).toMatch(/^\/oidc\/interaction\/[\w-]+$/);
    const cookies = auth.headers.getSetCookie();
    expect(cookies.some((cookie) => /^_interaction=.*; path=\/oidc\/interaction\/.*secure/i.test(cookie))).toBe(true);

    const login = await fetch(new URL(auth.headers.get('location')!, running.address), {
      headers: { ...proxied, cookie: cookies.map((cookie) => cookie.split(';')[0]).join('; ') },
    });
    expect(login.status).toBe(200);
    const html = await login.text();
    expect(html).toContain('action="/oidc/interaction/');
    expect(html).toContain('href="/oidc/assets/style.css"');

    // the landing page is at the issuer, and the 404 page links to it
    const landing = await fetch(`${running.address}/oidc/`, { headers: { ...proxied, accept: 'text/html' } });
    expect(landing.status).toBe(200);
    expect(await landing.text()).toContain('企业微信登录服务');
    const missing = await fetch(`${running.address}/oidc/nothing-here`, { headers: { ...proxied, accept: 'text/html' } });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toMatch(/<a class="button secondary" href="\/oidc\/">/);
  });
});
