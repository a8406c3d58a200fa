/** Client secrets (issue 12, item 7): a secret a guesser could reach stops start-up, naming the client. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { createMemoryLogger } from '../../src/observability/log.js';
import { ClientConfigError } from '../../src/oidc/clients.js';
import { startServer } from '../../src/app.js';
import { freePort, startTestServer } from '../support/server.js';

describe('client secrets at start-up', () => {
  it.each([['a'], ['short-secret'], ['x'.repeat(31)]])('refuses %j, naming the client and the fix', async (secret) => {
    const port = await freePort();
    const t = await startTestServer(); // borrow a valid configuration, then break one client
    const raw = structuredClone(t.raw);
    await t.stop();
    raw.listen = { host: '127.0.0.1', port };
    raw.clients = [
      ...(raw.clients as Record<string, unknown>[]),
      { client_id: 'weak-app', client_secret: secret, redirect_uris: ['https://app.example.com/cb'] },
    ];
    const failure = startServer(parseConfig(raw, {}), { log: createMemoryLogger() });
    await expect(failure).rejects.toBeInstanceOf(ClientConfigError);
    await expect(failure).rejects.toThrow(/client "weak-app": client_secret is \d+ characters; use at least 32/);
    await expect(failure).rejects.not.toThrow(secret.length > 3 ? secret : '\u0000never');
  });

  it('accepts 32 characters and public clients without a secret', async () => {
    const t = await startTestServer((raw) => {
      (raw.clients as Record<string, unknown>[]).push({
        client_id: 'ok-app',
        client_secret: 'k'.repeat(32),
        redirect_uris: ['https://app.example.com/cb'],
      });
    });
    await t.stop();
  });
});
