/**
 * What `npm start` shows a newcomer: the demo app signs in through the provider and the simulator
 * and shows the ID token claims and userinfo, then signs out.
 */
import { expect, it } from 'vitest';
import { DEMO_SESSIONS_KEPT } from '../src/demo/app.js';
import { Browser, formsOf, textOf } from './support/browser.js';
import { demoStack } from './support/demo.js';
import { signInToDemo } from './support/flow.js';

const stack = demoStack();

it('signs in through the simulator and shows the claims and userinfo, then signs out', async () => {
  const browser = new Browser();
  const signedIn = await signInToDemo(browser, stack.demo.url);

  expect(signedIn.url).toBe(`${stack.demo.url}/`);
  const text = textOf(signedIn);
  expect(text).toContain('张三');
  expect(text).toContain('"amr": [ "wecom_qr" ]');
  expect(text).toContain('"preferred_username": "ZhangSan"');

  const signOut = formsOf(signedIn).find((form) => form.action === '/logout')!;
  const confirm = await browser.submit(signedIn, signOut);
  const yes = formsOf(confirm)[0]!;
  const after = await browser.submit(confirm, { ...yes, fields: { ...yes.fields, logout: 'yes' } });
  expect(after.url).toBe(`${stack.demo.url}/`);
  expect(formsOf(after).some((form) => form.action === '/login')).toBe(true);
});

it('keeps the most recent demo sessions only: a cookie-less flood pushes the oldest out', async () => {
  const first = await fetch(`${stack.demo.url}/`);
  const cookie = first.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
  expect(cookie).toContain('=');
  // The session is remembered: coming back with its cookie starts no new one.
  expect((await fetch(`${stack.demo.url}/`, { headers: { cookie } })).headers.getSetCookie()).toEqual([]);
  // quick-lru keeps two generations of up to maxSize each: 2 × maxSize visits always evict.
  for (let visit = 0; visit < 2 * DEMO_SESSIONS_KEPT; visit += 1) await (await fetch(`${stack.demo.url}/`)).arrayBuffer();
  // Forgotten: the same cookie now gets a fresh session.
  expect((await fetch(`${stack.demo.url}/`, { headers: { cookie } })).headers.getSetCookie().length).toBeGreaterThan(0);
});
