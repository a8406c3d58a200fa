/**
 * One sign-in and one refresh as a relying party, run as its own process so that it can trust a
 * test certificate authority the way a real client would (NODE_EXTRA_CA_CERTS is read at start):
 *
 *   NODE_EXTRA_CA_CERTS=ca.crt node --import tsx test/support/tls-sign-in.ts ISSUER CLIENT_JSON
 *
 * Prints one JSON line: { sub, refreshed } or { error }.
 */
import * as oidc from 'openid-client';
import { Browser } from './browser.js';
import { discover, signInAndRedeem } from './flow.js';

const [issuer, clientJson] = process.argv.slice(2);
const client = JSON.parse(clientJson!) as { client_id: string; client_secret: string; redirect_uris: string[] };
try {
  const rp = await discover(issuer!, client);
  const { tokens } = await signInAndRedeem(new Browser(), rp, client.redirect_uris[0]!, 'ZhangSan', {
    scope: 'openid profile offline_access',
    prompt: 'consent',
  });
  const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token!);
  process.stdout.write(
    `${JSON.stringify({ sub: tokens.claims()?.sub, refreshed: Boolean(refreshed.access_token), issuer: rp.serverMetadata().issuer })}\n`,
  );
} catch (error) {
  process.stdout.write(`${JSON.stringify({ error: (error as Error).message })}\n`);
  process.exitCode = 1;
}
