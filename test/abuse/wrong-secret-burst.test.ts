/**
 * A wrong WeCom secret under a burst of sign-ins (issue 12, item 3): WeCom blocks an IP that keeps
 * presenting a bad secret, so fifty people trying to sign in must cost one gettoken, not fifty. The
 * calls are counted at the simulator, on each storage driver.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as oidc from 'openid-client';
import { Browser, textOf, type Page } from '../support/browser.js';
import { authorizationRequest, discover, openWeComLogin, scanAs } from '../support/flow.js';
import { dropSchemas } from '../support/postgres.js';
import { AGENT_ID, APP_SECRET, CONFIDENTIAL, CORP_ID, startTestServer, type TestServer } from '../support/server.js';
import { storageVariants } from '../support/storages.js';

const redirectUri = CONFIDENTIAL.redirect_uris[0]!;
const BURST = 50;

describe.each(await storageVariants('breaker'))('a wrong WeCom secret on $name', (variant) => {
  let t: TestServer;
  let rp: oidc.Configuration;
  beforeAll(async () => {
    if (variant.skip) return;
    t = await startTestServer((raw) => {
      if (variant.storage) raw.storage = variant.storage;
      // WeCom knows another secret than the one configured.
      raw.simulator = { enabled: true, apps: [{ corpId: CORP_ID, agentId: AGENT_ID, secret: 'the-secret-wecom-actually-has-0123' }] };
    });
    rp = await discover(t.issuer, CONFIDENTIAL);
  });
  afterAll(async () => {
    await t?.stop();
    if (variant.storage) await dropSchemas([variant.storage.schema]);
  });

  it.skipIf(Boolean(variant.skip))(`${BURST} sign-ins in a burst make one gettoken call, each person sees the configuration page`, async () => {
    // Waves of ten at once: a burst, yet light enough for a shared CI machine.
    const pages: Page[] = [];
    for (let wave = 0; wave < BURST / 10; wave += 1) {
      pages.push(
        ...(await Promise.all(
          Array.from({ length: 10 }, async (_, i) => {
            const browser = new Browser();
            const request = await authorizationRequest(rp, redirectUri);
            const qr = await openWeComLogin(browser, request);
            return scanAs(browser, qr, i % 2 ? 'ZhangSan' : 'LiSi', redirectUri);
          }),
        )),
      );
    }
    for (const page of pages) {
      expect(page.status, textOf(page).slice(0, 300)).toBe(502);
      expect(textOf(page)).toContain('40001');
    }
    console.info(`wrong-secret burst on ${variant.name}: ${BURST} sign-ins, ${t.sim.calls.gettoken} gettoken call(s)`);
    expect(t.sim.calls.gettoken).toBe(1);
    expect(t.sim.calls.getuserinfo).toBe(0);
    const breakerLines = t.logLines.filter((line) => line.includes('not asking again for this app'));
    expect(breakerLines).toHaveLength(1);
    expect(breakerLines[0]).toContain('"errcode":40001');
    expect(t.logLines.join('\n')).not.toContain(APP_SECRET);
  });
});
