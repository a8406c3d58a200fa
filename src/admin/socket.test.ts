import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccountService } from '../accounts/service.js';
import { AccessRevocation } from '../oidc/access-revocation.js';
import { parseConfig } from '../config/load.js';
import { createMemoryLogger } from '../observability/log.js';
import { openLowdbStorage, type LowdbStorage } from '../storage/lowdb/index.js';
import { adminSocketPath, storageFilePath, type SingleProcessStorage } from './protocol.js';
import { sendToServer, startAdminSocket, type AdminSocket } from './socket.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function start(dir = mkdtempSync(join(tmpdir(), 'wecom-oidc-sock-'))) {
  const config = parseConfig(
    {
      issuer: 'http://127.0.0.1:3000',
      storage: { driver: 'lowdb', path: join(dir, 'db.json') },
      connections: [{ identifier: 'wecom', displayName: 'WeCom', corpId: 'wwcorp0001', agentId: '1', secret: 's' }],
    },
    {},
  );
  const storage: LowdbStorage = await openLowdbStorage({ path: (config.storage as SingleProcessStorage).path });
  cleanup.push(() => storage.close());
  const log = createMemoryLogger();
  const socket: AdminSocket = await startAdminSocket({
    config,
    storage,
    accounts: new AccountService(storage.accounts, new AccessRevocation(storage.models, undefined, log), log),
    log,
  });
  cleanup.push(() => socket.close());
  return { config, storage, socket, log, dir };
}

/** A socket file whose process died without removing it: what a crash or SIGKILL leaves. */
async function leaveStaleSocket(path: string): Promise<void> {
  const child = spawn(process.execPath, [
    '-e',
    `require('node:net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`,
  ]);
  await new Promise((resolve) => child.once('exit', resolve));
}

describe('the admin socket', () => {
  it('is private to its user and removed on close', async () => {
    const { socket, config } = await start();
    expect(socket.path).toBe(adminSocketPath(config.storage as SingleProcessStorage));
    expect(statSync(socket.path).mode & 0o777).toBe(0o600);
    await socket.close();
    expect(existsSync(socket.path)).toBe(false);
  });

  it('replaces a stale socket file left by a process that died', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wecom-oidc-sock-'));
    await leaveStaleSocket(join(dir, 'admin.sock'));
    expect(statSync(join(dir, 'admin.sock')).isSocket()).toBe(true);
    const { socket, config } = await start(dir);
    const answer = await sendToServer(socket.path, {
      argv: ['accounts', 'list'],
      lang: 'en',
      storagePath: storageFilePath(config.storage as SingleProcessStorage),
    });
    expect(answer).toEqual({ status: 'answered', result: { exitCode: 0, stdout: 'No accounts yet.\n', stderr: '' } });
  });

  it('refuses to start beside a live server: one storage file, one process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wecom-oidc-sock-'));
    const live = createServer().listen(join(dir, 'admin.sock'));
    await new Promise((resolve) => live.once('listening', resolve));
    cleanup.push(() => new Promise((resolve) => live.close(resolve)));
    await expect(start(dir)).rejects.toThrow(/another wecom-oidc server is running/);
  });

  it('refuses to start when the path is not a socket', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wecom-oidc-sock-'));
    writeFileSync(join(dir, 'admin.sock'), 'not a socket');
    await expect(start(dir)).rejects.toThrow(/exists and is not a socket/);
  });

  it('answers no_server when nothing listens', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wecom-oidc-sock-'));
    expect(await sendToServer(join(dir, 'admin.sock'), { argv: [], lang: 'en' })).toEqual({ status: 'no_server' });
    await leaveStaleSocket(join(dir, 'admin.sock'));
    expect(await sendToServer(join(dir, 'admin.sock'), { argv: [], lang: 'en' })).toEqual({ status: 'no_server' });
  });

  it('runs commands with the content sent, and never opens a path a client names', async () => {
    const { socket, storage } = await start();
    const csv = 'username,name\nzhangsan,张三\n';
    const sent = await sendToServer(socket.path, { argv: ['accounts', 'import', 'people.csv'], lang: 'en', files: { 'people.csv': csv } });
    expect(sent).toMatchObject({ status: 'answered', result: { exitCode: 0 } });
    expect(await storage.accounts.findByMatchField('username', 'zhangsan')).toHaveLength(1);

    const notSent = await sendToServer(socket.path, { argv: ['accounts', 'import', '/etc/hosts'], lang: 'en', files: {} });
    expect(notSent).toMatchObject({ status: 'answered', result: { exitCode: 2 } }); // no format from the name
    const csvPath = await sendToServer(socket.path, { argv: ['accounts', 'import', '--format', 'csv', '/etc/hosts'], lang: 'en' });
    expect(csvPath).toMatchObject({ status: 'answered', result: { exitCode: 1, stderr: 'Cannot read /etc/hosts (ENOENT).\n' } });
  });

  it('refuses a client that means another storage file in the same directory', async () => {
    const { socket, dir } = await start();
    const answer = await sendToServer(socket.path, { argv: ['accounts', 'list'], lang: 'en', storagePath: join(dir, 'other.json') });
    expect(answer).toMatchObject({ status: 'answered', result: { exitCode: 2 } });
    if (answer.status === 'answered')
      expect(answer.result.stderr).toContain(`uses the storage ${join(dir, 'db.json')}, not ${join(dir, 'other.json')}`);
  });

  it('answers a malformed request with an error instead of hanging', async () => {
    const { socket } = await start();
    const { createConnection } = await import('node:net');
    const reply = await new Promise<string>((resolve) => {
      const client = createConnection(socket.path, () => client.write('{"argv": "not a list"}\n'));
      let data = '';
      client.on('data', (chunk) => (data += chunk.toString()));
      client.on('end', () => resolve(data));
    });
    expect(JSON.parse(reply)).toMatchObject({ exitCode: 2, stderr: 'admin socket: the request is not an admin command\n' });
  });
});
