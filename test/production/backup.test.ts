/**
 * `admin backup` while the server is busy, `admin restore` onto an empty machine: the restored
 * server honours the refresh tokens issued before the backup and signs with the same keys. The
 * backup and restore run as the administrator would, through the built CLI in its own process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { createMemoryLogger } from '../../src/observability/log.js';
import { startServer, type RunningServer } from '../../src/app.js';
import { Browser } from '../support/browser.js';
import { buildProject, runAdminCli, writeConfigFile } from '../support/cli.js';
import { discover, signInAndRedeem } from '../support/flow.js';
import { CONFIDENTIAL, startTestServer, type TestServer } from '../support/server.js';

const redirectUri = CONFIDENTIAL.redirect_uris[0]!;
const offline = { scope: 'openid profile offline_access', prompt: 'consent' };
let t: TestServer;
let restored: RunningServer | undefined;

beforeAll(() => buildProject(), 180_000);
afterAll(async () => {
  await restored?.close();
  rmSync(t.dataDir, { recursive: true, force: true });
});

async function jwksKids(issuer: string): Promise<string[]> {
  const jwks = (await (await fetch(`${issuer}/jwks`)).json()) as { keys: { kid: string }[] };
  return jwks.keys.map((key) => key.kid).sort();
}

describe('backup and restore of the embedded store', () => {
  it('a backup taken during 50 sign-ins restores to a server whose refresh tokens and keys work', async () => {
    // 50 sign-ins at once share two busy cores with the in-process simulator: WeCom may be slow,
    // in all and in starting its answer (which alone would otherwise stop a call at 2.5 s).
    t = await startTestServer((raw) => {
      raw.wecom = { timeoutMs: 30_000, responseTimeoutMs: 20_000 };
    });
    const configPath = writeConfigFile(t.raw, t.dataDir);
    const admin = (...args: string[]) => runAdminCli(['--config', configPath, '--lang', 'en', ...args], { cwd: t.dataDir });
    const rp = await discover(t.issuer, CONFIDENTIAL);
    const kidsBefore = await jwksKids(t.issuer);
    const first = await signInAndRedeem(new Browser(), rp, redirectUri, 'ZhangSan', offline);

    // 50 sign-ins; the backup starts once some have finished and runs while the rest go on.
    const finished: { at: number; refreshToken: string }[] = [];
    const signIns = Array.from({ length: 50 }, () =>
      signInAndRedeem(new Browser(), rp, redirectUri, 'ZhangSan', offline).then(({ tokens }) => {
        finished.push({ at: Date.now(), refreshToken: tokens.refresh_token! });
      }),
    );
    while (finished.length < 10) await new Promise((resolve) => setTimeout(resolve, 20));
    const backupStarted = Date.now();
    const backup = await admin('backup', 'backup.json');
    await Promise.all(signIns);
    // Sign-ins that start after the backup has ended are certainly not in it. (One of the 50 that
    // finishes around the backup's end may or may not be: its token can be stored before the
    // backup reads the journal while its client hears of it only afterwards.)
    const later = await Promise.all(
      Array.from({ length: 3 }, () =>
        signInAndRedeem(new Browser(), rp, redirectUri, 'ZhangSan', offline).then(({ tokens }) => tokens.refresh_token!),
      ),
    );
    expect(backup.exitCode, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/^Backed up .*db\.json \(with its journal\) to .*backup\.json/);

    const backupPath = join(t.dataDir, 'backup.json');
    expect(statSync(backupPath).mode & 0o777).toBe(0o600);
    // Since start-up everything went to the journal: the snapshot file alone would have lost it.
    expect(statSync(join(t.dataDir, 'db.json')).size).toBeLessThan(200);
    expect(JSON.parse(readFileSync(backupPath, 'utf8')).data.keys).toBeTruthy();

    // The machine is lost: only the backup survives.
    await t.server.close();
    rmSync(join(t.dataDir, 'db.json'));
    rmSync(join(t.dataDir, 'db.json.journal'));
    const restore = await admin('restore', 'backup.json');
    expect(restore.exitCode, restore.stderr).toBe(0);
    restored = await startServer(t.config, { log: createMemoryLogger() });

    expect(await jwksKids(t.issuer)).toEqual(kidsBefore);
    const rpAfter = await discover(t.issuer, CONFIDENTIAL);
    const before = [first.tokens.refresh_token!, ...finished.filter((entry) => entry.at <= backupStarted).map((entry) => entry.refreshToken)];
    expect(before.length).toBeGreaterThanOrEqual(11);
    for (const refreshToken of before) {
      const refreshed = await oidc.refreshTokenGrant(rpAfter, refreshToken);
      expect(refreshed.access_token).toBeTruthy();
      // openid-client verified the new ID token against the restored server's JWKS.
      expect(refreshed.claims()?.sub).toBe(first.tokens.claims()?.sub);
    }
    // Tokens issued after the backup are, as they must be, unknown to the restored server.
    for (const refreshToken of later) {
      await expect(oidc.refreshTokenGrant(rpAfter, refreshToken)).rejects.toMatchObject({ error: 'invalid_grant' });
    }
    // And a new sign-in works.
    const fresh = await signInAndRedeem(new Browser(), rpAfter, redirectUri, 'ZhangSan');
    expect(fresh.tokens.claims()?.sub).toBe(first.tokens.claims()?.sub);
  }, 240_000);

  it('restore refuses while the server runs, and without --force over an existing store', async () => {
    const server = await startTestServer();
    const configPath = writeConfigFile(server.raw, server.dataDir);
    const admin = (...args: string[]) => runAdminCli(['--config', configPath, '--lang', 'en', ...args], { cwd: server.dataDir });
    try {
      expect((await admin('backup', 'b.json')).exitCode).toBe(0);
      const running = await admin('restore', 'b.json');
      expect(running.exitCode).toBe(1);
      expect(running.stderr).toMatch(/server is running/);
      await server.server.close();
      const existing = await admin('restore', 'b.json');
      expect(existing.exitCode).toBe(2);
      expect(existing.stderr).toMatch(/--force/);
      expect((await admin('restore', 'b.json', '--force')).exitCode).toBe(0);
      const notBackup = await admin('restore', 'config.json', '--force');
      expect(notBackup.exitCode).toBe(1);
      expect(notBackup.stderr).toMatch(/not a wecom-oidc backup/);
    } finally {
      rmSync(server.dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('with PostgreSQL, says to use pg_dump with the configured schema', async () => {
    const configPath = writeConfigFile({
      issuer: 'https://id.example.com',
      storage: { driver: 'postgres', url: 'postgres://wecom:secret-pw@db.example.com/idp', schema: 'wecom_oidc' },
      connections: [{ identifier: 'wecom', displayName: 'x', corpId: 'ww5a1b2c3d4e5f6a7b', agentId: '1', secret: 's' }],
    });
    const run = await runAdminCli(['--config', configPath, 'backup', 'x.dump']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('pg_dump --format=custom --schema=wecom_oidc');
    expect(run.stderr).not.toContain('secret-pw');
  });
});
