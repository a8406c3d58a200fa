/**
 * The newcomer's walk-through of `npm start`, end to end: signed in at the demo app → the member is
 * deleted on the simulator's directory admin page → the simulator calls back like WeCom → the
 * provider offboards → the demo's session ends by back-channel logout and its refresh is refused.
 * (app.ts gives the simulator the configured connections as its callback targets).
 */
import { expect, it } from 'vitest';
import { Browser, formsOf, textOf } from './support/browser.js';
import { demoStack } from './support/demo.js';
import { signInToDemo } from './support/flow.js';

const EVENTS = { token: 'SimulatorOnlyToken', encodingAESKey: 'SimulatorOnlyNotARealEncodingAESKey00000000' };
const stack = demoStack({
  backchannelLogout: true,
  configure: (raw) => {
    (raw.connections as Record<string, unknown>[])[0]!.events = EVENTS;
  },
});

it('a member deleted on the simulator directory page is signed out of the demo within 5 s', async () => {
  const browser = new Browser();
  const signedIn = await signInToDemo(browser, stack.demo.url);
  expect(textOf(signedIn)).toContain('张三');

  const admin = await browser.follow(`${stack.t.issuer}/wecom-simulator/directory?lang=en`);
  expect(textOf(admin)).toContain(`${stack.t.issuer}/wecom/events/wecom`);
  const remove = formsOf(admin).find((form) => form.action.endsWith('/directory/delete') && form.fields.userid === 'ZhangSan')!;
  const started = Date.now();
  await browser.submit(admin, remove);
  await stack.t.sim.events.idle();
  expect(stack.t.sim.events.deliveries()).toMatchObject([{ outcome: 'delivered', changeType: 'delete_user' }]);

  const ended = 'The provider ended this session by back-channel logout';
  let page = await browser.follow(`${stack.demo.url}/`);
  while (!textOf(page).includes(ended) && Date.now() - started < 5_000) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    page = await browser.follow(`${stack.demo.url}/`);
  }
  expect(textOf(page)).toContain(ended);
  const refused = await browser.submit(
    page,
    formsOf(page).find((form) => form.action === '/refresh')!,
  );
  expect(textOf(refused)).toContain('"error": "invalid_grant"');
});
