/**
 * `npm run bench:round-trips`: how many SQL statements each operation sends to PostgreSQL, and
 * which. Runs our server in this process (simulator on, a fresh schema), signs in through the
 * bench's own flows, and counts every query the `pg` driver sends per operation. Counts do not
 * depend on the machine or its load, so they can be compared between runs and pinned by tests
 * (test/storage/postgres-round-trips.test.ts).
 *
 * --verbose prints each operation's statements.
 */
import { parseConfig } from '../src/config/load.js';
import { createLogger } from '../src/observability/log.js';
import { startServer } from '../src/app.js';
import { recordQueries, type RecordedQuery } from '../test/support/pg-queries.js';
import { CLIENT, CONNECTION, CORP_ID } from './fixtures.js';
import { authorize, codeGrantBody, refreshGrantBody, tokenRequest, userinfo } from './flows.js';
import { Browser } from './http.js';
import { dropSchemas, newSchemaName } from './postgres.js';
import { freePort } from './processes.js';

const url = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const verbose = process.argv.includes('--verbose');

/** After an answer, anything the server still sends (nothing should) is counted with the operation. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

async function main(): Promise<void> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const schema = newSchemaName('postgres-main');
  const config = parseConfig(
    {
      issuer,
      listen: { host: '127.0.0.1', port },
      storage: { driver: 'postgres', url, schema },
      clients: [CLIENT],
      connections: [{ identifier: CONNECTION, displayName: '企业微信', corpId: CORP_ID, agentId: '1000002', secret: 'bench-secret' }],
      simulator: { enabled: true },
    },
    {},
  );
  const server = await startServer(config, { log: createLogger({ level: 'warn' }) });
  const recorder = recordQueries();
  const rows: { operation: string; queries: RecordedQuery[] }[] = [];
  const measure = async <T>(operation: string, work: () => Promise<T>): Promise<T> => {
    const { result, queries } = await recorder.during(async () => {
      const value = await work();
      await settle();
      return value;
    });
    rows.push({ operation, queries });
    return result;
  };
  try {
    // Warm: the first sign-in creates the account and fetches the WeCom token.
    const warm = new Browser();
    const first = await authorize(warm, issuer, { scope: 'openid profile email phone wecom offline_access', prompt: 'consent' });
    const firstTokens = await tokenRequest(issuer, codeGrantBody(first));
    await userinfo(issuer, firstTokens.access_token);

    const browser = new Browser();
    const issued = await measure('sign-in, browser part (authorize → WeCom → code)', () => authorize(browser, issuer));
    const tokens = await measure('token (authorization_code)', () => tokenRequest(issuer, codeGrantBody(issued)));
    await measure('userinfo', () => userinfo(issuer, tokens.access_token));
    await measure('refresh', () => tokenRequest(issuer, refreshGrantBody(firstTokens.refresh_token!)));
    const again = await measure('authorize with a session (code at once)', () => authorize(browser, issuer));
    await tokenRequest(issuer, codeGrantBody(again));
    await measure('discovery + JWKS', async () => {
      await fetch(`${issuer}/.well-known/openid-configuration`);
      await fetch(`${issuer}/jwks`);
    });
  } finally {
    recorder.uninstall();
    await server.close();
    await dropSchemas(url);
  }
  const signIn = rows.slice(0, 3).reduce((sum, row) => sum + row.queries.length, 0);
  const width = Math.max(...rows.map((row) => row.operation.length));
  process.stdout.write(`SQL round trips per operation (PostgreSQL driver, after warm-up)\n`);
  for (const row of rows) {
    process.stdout.write(`${row.operation.padEnd(width)}  ${String(row.queries.length).padStart(3)}\n`);
    if (verbose) for (const query of row.queries) process.stdout.write(`    ${summarize(query)}\n`);
  }
  process.stdout.write(`${'full sign-in (browser part + token + userinfo)'.padEnd(width)}  ${String(signIn).padStart(3)}\n`);
}

function summarize(query: RecordedQuery): string {
  const text = query.text.replace(/\s+/g, ' ').replace(/"[a-z0-9_]+"\./g, '');
  const model = text.includes('oidc_models') && typeof query.values?.[0] === 'string' ? ` (${query.values[0]})` : '';
  return `${query.name ? `[${query.name}] ` : ''}${text.length > 110 ? `${text.slice(0, 110)}…` : text}${model}`;
}

main().catch((error: unknown) => {
  process.stderr.write(`round-trips failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
