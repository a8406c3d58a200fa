/**
 * Starts a real wecom-oidc server (with the simulator) on a spare loopback port, with its own
 * lowdb file, and a memory logger whose lines the test can inspect.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { createMemoryLogger } from '../../src/observability/log.js';
import { startServer, type RunningServer } from '../../src/app.js';
import type { WeComSimulator } from '../../src/simulator/index.js';

export const CORP_ID = 'ww5a1b2c3d4e5f6a7b';
export const AGENT_ID = '1000002';
export const APP_SECRET = 'test-app-secret-9f8e7d6c5b4a';

export const CONFIDENTIAL = {
  client_id: 'rp',
  client_secret: 'rp-secret-0123456789abcdef0123456789',
  redirect_uris: ['http://127.0.0.1:59999/cb'],
  post_logout_redirect_uris: ['http://127.0.0.1:59999/after-logout'],
  grant_types: ['authorization_code', 'refresh_token'],
  first_party: true,
};

export const THIRD_PARTY = {
  client_id: 'third-party',
  client_name: 'Partner App',
  client_secret: 'third-party-secret-0123456789abcdef',
  redirect_uris: ['http://127.0.0.1:59999/tp-cb'],
  token_endpoint_auth_method: 'client_secret_post',
  grant_types: ['authorization_code', 'refresh_token'],
};

export const PUBLIC_CLIENT = {
  client_id: 'spa',
  redirect_uris: ['http://127.0.0.1:59999/spa-cb'],
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code'],
  first_party: true,
};

export interface TestServer {
  issuer: string;
  config: Config;
  /** The configuration as written (before parsing), e.g. to save it for a CLI run with --config. */
  raw: Record<string, unknown>;
  server: RunningServer;
  sim: WeComSimulator;
  logLines: string[];
  dataDir: string;
  /** Stops the server and starts it again on the same port and storage file. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startTestServer(overrides: (raw: Record<string, unknown>) => void = () => {}): Promise<TestServer> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'wecom-oidc-test-'));
  const issuer = `http://127.0.0.1:${port}`;
  const raw: Record<string, unknown> = {
    issuer,
    listen: { host: '127.0.0.1', port },
    storage: { driver: 'lowdb', path: join(dataDir, 'db.json') },
    clients: [structuredClone(CONFIDENTIAL), structuredClone(THIRD_PARTY), structuredClone(PUBLIC_CLIENT)],
    connections: [{ identifier: 'wecom', displayName: '企业微信', corpId: CORP_ID, agentId: AGENT_ID, secret: APP_SECRET }],
    simulator: { enabled: true },
  };
  overrides(raw);
  const config = parseConfig(raw, {});
  const log = createMemoryLogger();
  let server = await startServer(config, { log });
  const handle: TestServer = {
    issuer,
    config,
    raw: structuredClone(raw),
    get server() {
      return server;
    },
    get sim() {
      return server.simulator!;
    },
    logLines: log.lines,
    dataDir,
    async restart() {
      await server.close();
      server = await startServer(config, { log });
    },
    async stop() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return handle;
}
