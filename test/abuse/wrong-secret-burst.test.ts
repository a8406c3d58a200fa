/**
 * A wrong WeCom secret under a burst of sign-ins (issue 12, item 3): WeCom blocks an IP that keeps
 * presenting a bad secret, so fifty people trying to sign in must cost one gettoken, not fifty. The
 * calls are counted at the simulator, on each storage driver.
 */
import { describe, expect, it } from 'vitest';
import { Browser, textOf, type Page } from '../support/browser.js';
import { authorizationRequest, openWeComLogin, scanAs } from '../support/flow.js';
import { AGENT_ID, APP_SECRET, CONFIDENTIAL, CORP_ID } from '../support/server.js';
import { serverOnStorage, storageVariants } from '../support/storages.js';

const redirectUri = CONFIDENTIAL.redirect_uris[0]!;
const BURST = 50;

describe.each(await storageVariants('breaker'))('a wrong WeCom secret on $name', (variant) => {
  const suite = serverOnStorage(variant, (raw) => {
    // WeCom knows another secret than the one configured.
    raw.simulator = { enabled: true, apps: [{ corpId: CORP_ID, agentId: AGENT_ID, secret: 'the-secret-wecom-actually-has-0123' }] };
  });

  it.skipIf(Boolean(variant.skip))(`${BURST} sign-ins in a burst make one gettoken call, each person sees the configuration page`, async () => {
    // Waves of ten at once: a burst, yet light enough for a shared CI machine.
    const pages: Page[] = [];
    for (let wave = 0; wave < BURST / 10; wave += 1) {
      pages.push(
        ...(await Promise.all(
          Array.from({ length: 10 }, async (_, i) => {
            const browser = new Browser();
            const request = await authorizationRequest(suite.rp, redirectUri);
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
    console.info(`wrong-secret burst on ${variant.name}: ${BURST} sign-ins, ${suite.t.sim.calls.gettoken} gettoken call(s)`);
    expect(suite.t.sim.calls.gettoken).toBe(1);
    expect(suite.t.sim.calls.getuserinfo).toBe(0);
    const breakerLines = suite.t.logLines.filter((line) => line.includes('not asking again for this app'));
    expect(breakerLines).toHaveLength(1);
    expect(breakerLines[0]).toContain('"errcode":40001');
    expect(suite.t.logLines.join('\n')).not.toContain(APP_SECRET);
  });
});
