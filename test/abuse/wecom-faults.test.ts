/**
 * One bad answer from WeCom (issue 12, item 4), injected with the simulator's fault switch: a 502, a
 * dropped connection, a cut-off JSON answer or a hang, once, on each API a sign-in calls. On the
 * idempotent calls the sign-in succeeds (one retry, within the budget); auth/getuserinfo redeems a
 * single-use code, so it is not sent again: the person gets "try again" and the next try works.
 */
import { describe, expect, it } from 'vitest';
import { Browser, textOf } from '../support/browser.js';
import { authorizationRequest, openWeComLogin, scanAs, signInAndRedeem } from '../support/flow.js';
import { AGENT_ID, CONFIDENTIAL, CORP_ID } from '../support/server.js';
import { serverOnStorage, storageVariants } from '../support/storages.js';
import { TRANSPORT_FAULTS, type SimulatedApi, type TransportFault } from '../../src/simulator/index.js';

const redirectUri = CONFIDENTIAL.redirect_uris[0]!;
const IDEMPOTENT: SimulatedApi[] = ['gettoken', 'user/get', 'department/get'];

for (const variant of await storageVariants('faults')) {
  // The whole matrix on lowdb; on PostgreSQL (shared token cache, refresh lock) the token path.
  const cases = IDEMPOTENT.flatMap((api) => TRANSPORT_FAULTS.map((fault) => [api, fault] as [SimulatedApi, TransportFault])).filter(
    ([api]) => variant.name === 'lowdb' || api === 'gettoken',
  );

  describe(`one WeCom transport fault on ${variant.name}`, () => {
    const suite = serverOnStorage(variant, (raw) => {
      raw.wecom = { timeoutMs: 3_000, responseTimeoutMs: 400 };
    });

    it.skipIf(Boolean(variant.skip)).each(cases)('%s answering %s once: the sign-in succeeds', async (api, fault) => {
      await suite.t.restart(); // empty caches (token, department names) and fresh simulator counters
      // PostgreSQL keeps the WeCom token across the restart: drop it so that gettoken is called.
      const cached = await suite.t.server.storage.accessTokens.read(`${CORP_ID}/${AGENT_ID}`);
      if (cached) await suite.t.server.storage.accessTokens.remove(`${CORP_ID}/${AGENT_ID}`, cached.value);
      suite.t.sim.failNext(api, fault);
      const { tokens } = await signInAndRedeem(new Browser(), suite.rp, redirectUri, 'ZhangSan');
      expect(tokens.id_token).toBeTruthy();
      expect(suite.t.sim.calls[api]).toBeGreaterThanOrEqual(2); // the failed call and its retry
      if (api === 'department/get') expect(JSON.stringify(tokens.claims())).not.toMatch(/"groups":\[\d/);
    });

    it.skipIf(Boolean(variant.skip) || variant.name !== 'lowdb').each([...TRANSPORT_FAULTS])(
      'auth/getuserinfo answering %s once: not sent again, "try again", and the next try works',
      async (fault) => {
        await suite.t.restart();
        suite.t.sim.failNext('getuserinfo', fault);
        const browser = new Browser();
        const qr = await openWeComLogin(browser, await authorizationRequest(suite.rp, redirectUri));
        const page = await scanAs(browser, qr, 'ZhangSan', redirectUri);
        expect(page.status).toBe(503);
        expect(textOf(page)).toMatch(/稍后重试/);
        expect(suite.t.sim.calls.getuserinfo).toBe(1);
        const { tokens } = await signInAndRedeem(new Browser(), suite.rp, redirectUri, 'ZhangSan');
        expect(tokens.id_token).toBeTruthy();
      },
    );
  });
}
