/**
 * The `npm start` stack as the demo tests use it: a provider (with the simulator) whose only client
 * is the demo app, and the demo app itself on a spare port, for the whole test file.
 */
import { afterAll, beforeAll } from 'vitest';
import { startDemo, type DemoApp } from '../../src/demo/app.js';
import { createMemoryLogger } from '../../src/observability/log.js';
import { freePort, startTestServer, type TestServer } from './server.js';

export const DEMO_CLIENT_ID = 'demo';

export interface DemoStack {
  /** The provider (set in beforeAll). */
  readonly t: TestServer;
  /** The demo app (set in beforeAll). */
  readonly demo: DemoApp;
  /** The demo app's log lines. */
  readonly demoLog: string[];
}

export interface DemoStackOptions {
  /** Register the demo's back-channel logout endpoint with the provider. */
  backchannelLogout?: boolean;
  /** Further changes to the provider's raw configuration. */
  configure?: (raw: Record<string, unknown>) => void;
}

/** Starts the stack in beforeAll and stops it in afterAll (the demo first, then the provider). */
export function demoStack({ backchannelLogout = false, configure = () => {} }: DemoStackOptions = {}): DemoStack {
  let t: TestServer | undefined;
  let demo: DemoApp | undefined;
  const log = createMemoryLogger();

  beforeAll(async () => {
    const demoPort = await freePort();
    const origin = `http://127.0.0.1:${demoPort}`;
    t = await startTestServer((raw) => {
      raw.clients = [
        {
          client_id: DEMO_CLIENT_ID,
          client_secret: 'demo-secret-for-tests-0123456789',
          redirect_uris: [`${origin}/callback`],
          post_logout_redirect_uris: [`${origin}/`],
          ...(backchannelLogout ? { backchannel_logout_uri: `${origin}/backchannel-logout`, backchannel_logout_session_required: true } : {}),
          grant_types: ['authorization_code', 'refresh_token'],
          first_party: true,
        },
      ];
      raw.demo = { enabled: true, port: demoPort, clientId: DEMO_CLIENT_ID };
      configure(raw);
    });
    demo = await startDemo(t.config, { log });
  });
  afterAll(async () => {
    await demo?.close();
    await t?.stop();
  });

  const started = () => {
    if (!t || !demo) throw new Error('demoStack: not started (used outside a test?)');
    return { t, demo };
  };
  return {
    get t() {
      return started().t;
    },
    get demo() {
      return started().demo;
    },
    demoLog: log.lines,
  };
}
