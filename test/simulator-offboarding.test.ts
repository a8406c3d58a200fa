/**
 * The newcomer's walk-through of `npm start`, end to end: signed in at the demo app → the member is
 * deleted on the simulator's directory admin page → the simulator calls back like WeCom → the
 * provider offboards → the demo's session ends by back-channel logout and its refresh is refused.
 * (app.ts gives the simulator the configured connections as its callback targets).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDemo, type DemoApp } from '../src/demo/app.js';
import { createMemoryLogger } from '../src/observability/log.js';
import { Browser, formsOf, textOf } from './support/browser.js';
import { scanForm } from './support/flow.js';
import { freePort, startTestServer, type TestServer } from './support/server.js';

const EVENTS = { token: 'SimulatorOnlyToken', encodingAESKey: 'SimulatorOnlyNotARealEncodingAESKey00000000' };
let t: TestServer;
let demo: DemoApp;

beforeAll(async () => {
  const demoPort = await freePort();
  t = await startTestServer((raw) => {
    (raw.connections as Record<string, unknown>[])[0]!.events = EVENTS;
    raw.clients = [
      {
        client_id: 'demo',
        client_secret: 'demo-secret-for-tests-0123456789',
        redirect_uris: [`http://127.0.0.1:${demoPort}/callback`],
        post_logout_redirect_uris: [`http://127.0.0.1:${demoPort}/`],
        backchannel_logout_uri: `http://127.0.0.1:${demoPort}/backchannel-logout`,
        backchannel_logout_session_required: true,
        grant_types: ['authorization_code', 'refresh_token'],
        first_party: true,
      },
    ];
    raw.demo = { enabled: true, port: demoPort, clientId: 'demo' };
  });
  demo = await startDemo(t.config, { log: createMemoryLogger() });
});
afterAll(async () => {
  await demo.close();
  await t.stop();
});

it('a member deleted on the simulator directory page is signed out of the demo within 5 s', async () => {
  const browser = new Browser();
  const home = await browser.follow(`${demo.url}/`);
  const login = await browser.submit(
    home,
    formsOf(home).find((form) => form.action === '/login')!,
  );
  const qr = await browser.submit(
    login,
    formsOf(login).find((form) => form.action.endsWith('/wecom/wecom'))!,
  );
  const signedIn = await browser.submit(qr, scanForm(qr, 'ZhangSan'));
  expect(textOf(signedIn)).toContain('张三');

  const admin = await browser.follow(`${t.issuer}/wecom-simulator/directory?lang=en`);
  expect(textOf(admin)).toContain(`${t.issuer}/wecom/events/wecom`);
  const remove = formsOf(admin).find((form) => form.action.endsWith('/directory/delete') && form.fields.userid === 'ZhangSan')!;
  const started = Date.now();
  await browser.submit(admin, remove);
  await t.sim.events.idle();
  expect(t.sim.events.deliveries()).toMatchObject([{ outcome: 'delivered', changeType: 'delete_user' }]);

  const ended = 'The provider ended this session by back-channel logout';
  let page = await browser.follow(`${demo.url}/`);
  while (!textOf(page).includes(ended) && Date.now() - started < 5_000) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    page = await browser.follow(`${demo.url}/`);
  }
  expect(textOf(page)).toContain(ended);
  const refused = await browser.submit(
    page,
    formsOf(page).find((form) => form.action === '/refresh')!,
  );
  expect(textOf(refused)).toContain('"error": "invalid_grant"');
});
