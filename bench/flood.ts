/**
 * The anonymous flood of issue 12, at full size: `npm run bench:flood -- --visits 1000000`
 * (`--driver postgres` for PostgreSQL, whose data size is the schema's tables and indexes).
 *
 * Our built server runs in its own process (lowdb by default, WeCom's embedded QR panel on, whose
 * state is derived, not stored; rate limits on but out of reach, so every request stores what it
 * can: the worst case for memory). The generator makes `visits` anonymous visits, each `/auth` then
 * the login page with the interaction cookie, and never signs in; a real sign-in runs at every
 * checkpoint and must succeed. At each checkpoint it prints the server's RSS and the data
 * directory's size; at the end the figures against idle, and against the targets (RSS within 50 MiB
 * of idle, data within 10 MiB).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CLIENT } from './fixtures.js';
import { fullSignIn } from './flows.js';
import { CookieJar, send } from './http.js';
import pg from 'pg';
import { dropSchemas, newSchemaName } from './postgres.js';
import { freePort, installExitHandlers, memoryOf, stopAllChildren } from './processes.js';
import { ourConfig, startOurs, startSimulator, storageDir, type Workspace } from './servers.js';

const { values } = parseArgs({
  options: {
    visits: { type: 'string', default: '100000' },
    concurrency: { type: 'string', default: '32' },
    checkpoints: { type: 'string', default: '10' },
    /** Seconds to wait after the flood before the last reading: V8 gives memory back when idle. */
    settle: { type: 'string', default: '30' },
    driver: { type: 'string', default: 'lowdb' },
  },
});
const VISITS = Number(values.visits);
const CONCURRENCY = Number(values.concurrency);
const CHECKPOINTS = Number(values.checkpoints);
const SETTLE_SECONDS = Number(values.settle);
const DRIVER = values.driver === 'postgres' ? 'postgres' : 'lowdb';
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const MiB = 1024 * 1024;

function dirBytes(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce(
    (sum, entry) => sum + (entry.isDirectory() ? dirBytes(join(dir, entry.name)) : statSync(join(dir, entry.name)).size),
    0,
  );
}

/** One anonymous visitor: /auth, then the login page it is sent to, with the interaction cookie. */
async function visit(issuer: string, i: number): Promise<void> {
  const url = new URL(`${issuer}/auth`);
  url.search = new URLSearchParams({
    client_id: CLIENT.client_id,
    response_type: 'code',
    scope: 'openid profile',
    redirect_uri: CLIENT.redirect_uris[0]!,
    state: `flood-${i}`,
  }).toString();
  const auth = await send(url.href);
  if (auth.status !== 303 || typeof auth.headers.location !== 'string') throw new Error(`/auth answered ${auth.status}`);
  const jar = new CookieJar();
  jar.store(url.href, auth.headers['set-cookie']);
  const login = new URL(auth.headers.location, issuer).href;
  const page = await send(login, { headers: { cookie: jar.header(login) } });
  if (page.status !== 200) throw new Error(`the login page answered ${page.status}`);
}

async function main(): Promise<void> {
  const space: Workspace = {
    dir: mkdtempSync(join(tmpdir(), 'wecom-oidc-flood-')),
    ports: { simulator: await freePort(), 'ours-a': await freePort(), 'ours-b': await freePort(), bare: await freePort() },
  };
  installExitHandlers(stopAllChildren);
  let database: pg.Client | undefined;
  try {
    mkdirSync(space.dir, { recursive: true });
    await startSimulator(space);
    const data = storageDir(space, 'flood');
    const schema = newSchemaName('postgres-flood');
    const config = ourConfig(
      space,
      'ours-a',
      DRIVER === 'lowdb' ? { driver: 'lowdb', path: join(data, 'db.json') } : { driver: 'postgres', url: PG_URL, schema },
    );
    database = DRIVER === 'postgres' ? new pg.Client({ connectionString: PG_URL }) : undefined;
    await database?.connect();
    /** What the store takes on disk: lowdb's directory, or the PostgreSQL schema's tables with their indexes and TOAST. */
    const dataBytes = async (): Promise<number> => {
      if (!database) return dirBytes(data);
      const answer = await database.query<{ bytes: string }>(
        `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`,
        [schema],
      );
      return Number(answer.rows[0]?.bytes ?? 0);
    };
    config.wecom = { ...(config.wecom as object), embeddedPanel: true };
    const server = await startOurs(space, 'flood', 'ours-a', config);
    writeFileSync(join(space.dir, 'flood-config.json'), JSON.stringify(config, null, 2));

    // Idle: after one real sign-in, so that what every process loads once is already loaded.
    await fullSignIn(server.issuer);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const idle = { rssMiB: memoryOf(server.child.pid).rssMiB, dataMiB: (await dataBytes()) / MiB };
    console.log(`idle: RSS ${idle.rssMiB.toFixed(1)} MiB, data ${idle.dataMiB.toFixed(2)} MiB`);

    const started = performance.now();
    let next = 0;
    let done = 0;
    let peakRss = idle.rssMiB;
    let peakData = idle.dataMiB;
    const step = Math.ceil(VISITS / CHECKPOINTS);
    let nextCheckpoint = step;
    const signIns = { ok: 0, failed: 0 };
    const checkpoint = async () => {
      const rss = memoryOf(server.child.pid).rssMiB;
      const dataMiB = (await dataBytes()) / MiB;
      peakRss = Math.max(peakRss, rss);
      peakData = Math.max(peakData, dataMiB);
      const signedIn = await fullSignIn(server.issuer).then(
        () => true,
        () => false,
      );
      signIns[signedIn ? 'ok' : 'failed'] += 1;
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `${done} visits in ${seconds.toFixed(0)} s (${(done / seconds).toFixed(0)}/s): RSS ${rss.toFixed(1)} MiB, data ${dataMiB.toFixed(2)} MiB, sign-in ${signedIn ? 'ok' : 'FAILED'}`,
      );
    };
    let checkpointing: Promise<void> = Promise.resolve();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < VISITS) {
          const i = next++;
          await visit(server.issuer, i);
          done += 1;
          if (done >= nextCheckpoint) {
            nextCheckpoint += step;
            checkpointing = checkpointing.then(checkpoint);
          }
        }
      }),
    );
    await checkpointing;
    const seconds = (performance.now() - started) / 1000;
    const end = { rssMiB: memoryOf(server.child.pid).rssMiB, dataMiB: (await dataBytes()) / MiB };
    await new Promise((resolve) => setTimeout(resolve, SETTLE_SECONDS * 1000));
    const settled = { rssMiB: memoryOf(server.child.pid).rssMiB, dataMiB: (await dataBytes()) / MiB };
    console.log(`\n${VISITS} visits (${2 * VISITS} requests) in ${seconds.toFixed(0)} s, ${(VISITS / seconds).toFixed(0)} visits/s`);
    console.log(
      `RSS: idle ${idle.rssMiB.toFixed(1)}, end ${end.rssMiB.toFixed(1)}, peak ${peakRss.toFixed(1)}, ${SETTLE_SECONDS} s later ${settled.rssMiB.toFixed(1)} MiB ` +
        `(${signed(settled.rssMiB - idle.rssMiB)} over idle; target +50)`,
    );
    console.log(
      `data: idle ${idle.dataMiB.toFixed(2)}, end ${end.dataMiB.toFixed(2)}, peak ${peakData.toFixed(2)}, ${SETTLE_SECONDS} s later ${settled.dataMiB.toFixed(2)} MiB (target ≤ 10)`,
    );
    console.log(`real sign-ins during the flood: ${signIns.ok} ok, ${signIns.failed} failed`);
    if (database) {
      // Where PostgreSQL's bytes are: each table on disk (with indexes and TOAST) against its live rows.
      const tables = await database.query<{ name: string; disk: string; rows: string; live: string }>(
        `SELECT name, disk, (xpath('/row/n/text()', counted))[1]::text AS rows, (xpath('/row/b/text()', counted))[1]::text AS live
           FROM (SELECT c.relname AS name, pg_total_relation_size(c.oid) AS disk,
                        query_to_xml(format('SELECT count(*) AS n, coalesce(sum(pg_column_size(t.*)), 0) AS b FROM %I.%I t', $1::text, c.relname), false, true, '') AS counted
                   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r') sizes
          ORDER BY disk DESC`,
        [schema],
      );
      for (const table of tables.rows) {
        console.log(
          `  ${table.name}: ${(Number(table.disk) / MiB).toFixed(2)} MiB on disk, live rows ${(Number(table.live) / MiB).toFixed(2)} MiB (${table.rows} rows)`,
        );
      }
    }
    if (signIns.failed > 0) process.exitCode = 1;
  } finally {
    await database?.end();
    await stopAllChildren();
    if (DRIVER === 'postgres') await dropSchemas(PG_URL);
    rmSync(space.dir, { recursive: true, force: true });
  }
}

await main();

/** A difference with its sign: +3.2 or -17.9. */
function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(1)}`;
}
