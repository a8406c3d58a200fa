/**
 * A bounded flood of anonymous `/auth` + login-page requests (issue 12, item 1), loopback only,
 * limited in count and in time. Every request stores an Interaction, which the cap must keep
 * bounded; the login page, though it shows WeCom's embedded panel, stores no WeCom state. A real
 * sign-in in the middle of the flood must still work. The figures (RSS and data size before/after)
 * are printed for the record; the assertions are on the bound, not on timing.
 *
 * FLOOD_ITERATIONS raises the count for a manual run (each iteration is two requests).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { LowdbFile } from '../../src/storage/lowdb/database.js';
import { Browser } from '../support/browser.js';
import { signInAndRedeem } from '../support/flow.js';
import { queryTestDatabase } from '../support/postgres.js';
import { CONFIDENTIAL } from '../support/server.js';
import { serverOnStorage, storageVariants } from '../support/storages.js';

const CAP = 500;
const ITERATIONS = Number(process.env.FLOOD_ITERATIONS ?? 1_200);
const TIME_LIMIT_MS = 60_000;
const CONCURRENCY = 16;
const MiB = 1024 * 1024;
const redirectUri = CONFIDENTIAL.redirect_uris[0]!;

// The server runs in this process: what the records cost is the live heap after a full GC. RSS is
// printed too, but it also holds the test's own client and what V8 has not yet returned.
setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;
function memory() {
  gc();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

/** One anonymous visitor: /auth, then the login page it is sent to (with the interaction cookie). */
async function visit(issuer: string, i: number): Promise<void> {
  const url = new URL(`${issuer}/auth`);
  url.search = new URLSearchParams({
    client_id: CONFIDENTIAL.client_id,
    response_type: 'code',
    scope: 'openid profile',
    redirect_uri: redirectUri,
    state: `flood-${i}`,
  }).toString();
  const auth = await fetch(url, { redirect: 'manual' });
  await auth.arrayBuffer();
  if (auth.status !== 303) throw new Error(`/auth answered ${auth.status}`);
  const cookie = auth.headers
    .getSetCookie()
    .map((line) => line.split(';', 1)[0])
    .join('; ');
  const page = await fetch(new URL(auth.headers.get('location')!, issuer), { headers: { cookie, accept: 'text/html' } });
  await page.arrayBuffer();
  if (page.status !== 200) throw new Error(`the login page answered ${page.status}`);
}

function dataBytes(dir: string): number {
  return readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
}

describe.each(await storageVariants('flood'))('a flood of anonymous sign-in starts on $name', (variant) => {
  const suite = serverOnStorage(variant, (raw) => {
    raw.limits = { pendingInteractions: CAP, pendingLoginStates: CAP };
    // The panel needs a WeCom state on every login page: it must cost nothing stored.
    raw.wecom = { embeddedPanel: true };
    // This test is about the cap, not the per-IP limits (test/abuse/rate-limits.test.ts).
    raw.rateLimits = { enabled: false };
  });

  it.skipIf(Boolean(variant.skip))(
    `stays within ${CAP} interactions and states, and a real sign-in works meanwhile`,
    async () => {
      await signInAndRedeem(new Browser(), suite.rp, redirectUri, 'ZhangSan'); // warm up: keys, token, JIT
      const before = { ...memory(), bytes: variant.storage ? 0 : dataBytes(suite.t.dataDir) };
      const started = Date.now();
      let next = 0;
      let done = 0;
      const worker = async () => {
        while (next < ITERATIONS && Date.now() - started < TIME_LIMIT_MS) {
          const i = next++;
          await visit(suite.t.issuer, i);
          done += 1;
        }
      };
      const flood = Promise.all(Array.from({ length: CONCURRENCY }, worker));
      // A real person in the middle of it.
      while (done < ITERATIONS / 2 && Date.now() - started < TIME_LIMIT_MS) await new Promise((resolve) => setTimeout(resolve, 50));
      const { tokens } = await signInAndRedeem(new Browser(), suite.rp, redirectUri, 'LiSi');
      expect(tokens.id_token).toBeTruthy();
      await flood;
      const seconds = (Date.now() - started) / 1000;

      const after = { ...memory(), bytes: variant.storage ? 0 : dataBytes(suite.t.dataDir) };
      let interactions: number;
      let states: number;
      if (variant.storage) {
        const schema = variant.storage.schema;
        interactions = Number(
          (await queryTestDatabase<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".oidc_models WHERE model = 'Interaction'`))[0]!.n,
        );
        states = Number((await queryTestDatabase<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".login_states`))[0]!.n);
      } else {
        await suite.t.server.storage.close(); // flush, then read the file as a restart would
        const file = await LowdbFile.open(join(suite.t.dataDir, 'db.json'));
        interactions = Object.keys(file.data.models.Interaction ?? {}).length;
        states = Object.keys(file.data.loginStates).length;
        after.bytes = dataBytes(suite.t.dataDir);
        await file.close();
      }
      console.info(
        `flood on ${variant.name}: ${done} × (/auth + login page) = ${done * 2} requests in ${seconds.toFixed(1)} s; ` +
          `RSS ${(before.rss / MiB).toFixed(1)} → ${(after.rss / MiB).toFixed(1)} MiB, ` +
          `heap after GC ${(before.heapUsed / MiB).toFixed(1)} → ${(after.heapUsed / MiB).toFixed(1)} MiB; ` +
          (variant.storage ? '' : `data files ${(before.bytes / MiB).toFixed(2)} → ${(after.bytes / MiB).toFixed(2)} MiB; `) +
          `stored: ${interactions} interactions, ${states} WeCom states (cap ${CAP})`,
      );
      expect(done).toBeGreaterThan(CAP * 2); // the cap was really exceeded
      expect(interactions).toBeLessThanOrEqual(CAP + 2); // + the two real sign-ins' leftovers at most
      // Drawing the login page stores no WeCom state (the panel's is derived from the attempt); the
      // two real sign-ins took theirs.
      expect(states).toBe(0);
      expect(after.heapUsed - before.heapUsed).toBeLessThan(50 * MiB);
      expect(after.bytes).toBeLessThan(10 * MiB);
    },
    TIME_LIMIT_MS + 60_000,
  );
});
