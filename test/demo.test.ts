/**
 * What `npm start` shows a newcomer: the demo app signs in through the provider and the simulator
 * and shows the ID token claims and userinfo, then signs out.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEMO_SESSIONS_KEPT, startDemo, type DemoApp } from '../src/demo/app.js';
import { createMemoryLogger } from '../src/observability/log.js';
import { Browser, formsOf, textOf } from './support/browser.js';
import { freePort, startTestServer, type TestServer } from './support/server.js';
import { scanForm } from './support/flow.js';

let t: TestServer;
let demo: DemoApp;

beforeAll(async () => {
  const demoPort = await freePort();
  t = await startTestServer((raw) => {
    raw.clients = [
      {
        client_id: 'demo',
        client_secret: 'demo-secret-for-tests-0123456789',
        redirect_uris: [`http://127.0.0.1:${demoPort}/callback`],
        post_logout_redirect_uris: [`http://127.0.0.1:${demoPort}/`],
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

it('signs in through the simulator and shows the claims and userinfo, then signs out', async () => {
  const browser = new Browser();
  const home = await browser.follow(`${demo.url}/`);
  const signIn = formsOf(home).find((form) => form.action === '/login')!;
  const login = await browser.submit(home, signIn);
  const start = formsOf(login).find((form) => form.action.endsWith('/wecom/wecom'))!;
  const qr = await browser.submit(login, start);
  const signedIn = await browser.submit(qr, scanForm(qr, 'ZhangSan'));

  expect(signedIn.url).toBe(`${demo.url}/`);
  const text = textOf(signedIn);
  expect(text).toContain('张三');
  expect(text).toContain('"amr": [ "wecom_qr" ]');
  expect(text).toContain('"preferred_username": "ZhangSan"');

  const signOut = formsOf(signedIn).find((form) => form.action === '/logout')!;
  const confirm = await browser.submit(signedIn, signOut);
  const yes = formsOf(confirm)[0]!;
  const after = await browser.submit(confirm, { ...yes, fields: { ...yes.fields, logout: 'yes' } });
  expect(after.url).toBe(`${demo.url}/`);
  expect(formsOf(after).some((form) => form.action === '/login')).toBe(true);
});

it('keeps the most recent demo sessions only: a cookie-less flood pushes the oldest out', async () => {
  const first = await fetch(`${demo.url}/`);
  const cookie = first.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
  expect(cookie).toContain('=');
  // The session is remembered: coming back with its cookie starts no new one.
  expect((await fetch(`${demo.url}/`, { headers: { cookie } })).headers.getSetCookie()).toEqual([]);
  // quick-lru keeps two generations of up to maxSize each: 2 × maxSize visits always evict.
  for (let visit = 0; visit < 2 * DEMO_SESSIONS_KEPT; visit += 1) await (await fetch(`${demo.url}/`)).arrayBuffer();
  // Forgotten: the same cookie now gets a fresh session.
  expect((await fetch(`${demo.url}/`, { headers: { cookie } })).headers.getSetCookie().length).toBeGreaterThan(0);
});
