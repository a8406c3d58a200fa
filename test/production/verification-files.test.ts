/**
 * WeCom's trusted-domain check: `WW_verify_<code>.txt` answered at the host's root, even when the
 * issuer has a path, as text/plain with exactly the configured content; nothing else is served.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { createMemoryLogger } from '../../src/observability/log.js';
import { startServer, type RunningServer } from '../../src/app.js';
import { freePort } from '../support/server.js';

let running: RunningServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

function rawConfig(port: number, verificationFiles: unknown) {
  return {
    issuer: 'https://id.example.com/oidc',
    trustProxy: true,
    listen: { host: '127.0.0.1', port },
    storage: { driver: 'lowdb', path: join(mkdtempSync(join(tmpdir(), 'wecom-oidc-verify-')), 'db.json') },
    connections: [{ identifier: 'wecom', displayName: 'WeCom', corpId: 'ww5a1b2c3d4e5f6a7b', agentId: '1000002', secret: 's' }],
    wecom: { verificationFiles },
  };
}

describe('wecom.verificationFiles', () => {
  it('answers the configured file at the host root as text/plain, whatever the issuer path', async () => {
    const port = await freePort();
    const config = parseConfig(rawConfig(port, { 'WW_verify_Ab12Cd34Ef56Gh78.txt': 'Ab12Cd34Ef56Gh78' }), {});
    running = await startServer(config, { log: createMemoryLogger() });

    const file = await fetch(`${running.address}/WW_verify_Ab12Cd34Ef56Gh78.txt`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await file.text()).toBe('Ab12Cd34Ef56Gh78');

    const head = await fetch(`${running.address}/WW_verify_Ab12Cd34Ef56Gh78.txt`, { method: 'HEAD' });
    expect(head.status).toBe(200);

    // Another code, the file under the issuer path, another extension: not ours to answer.
    for (const path of ['/WW_verify_Zz99.txt', '/oidc/WW_verify_Ab12Cd34Ef56Gh78.txt', '/WW_verify_Ab12Cd34Ef56Gh78.txt.bak']) {
      const other = await fetch(`${running.address}${path}`, { headers: { accept: 'text/plain' } });
      expect(other.status, path).toBe(404);
    }
    const post = await fetch(`${running.address}/WW_verify_Ab12Cd34Ef56Gh78.txt`, { method: 'POST' });
    expect(post.status).not.toBe(200);
  });

  it('refuses names and contents that are not WeCom verification files, naming each', () => {
    const raw = rawConfig(3000, {
      '../etc/passwd': 'x',
      'index.html': 'x',
      'WW_verify_ok1.txt': 'two words',
      'WW_verify_ok2.txt': '',
    });
    let problems: string[] = [];
    try {
      parseConfig(raw, {});
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      problems = (error as ConfigError).problems;
    }
    expect(problems.filter((problem) => problem.startsWith('wecom.verificationFiles'))).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/WeCom verification file name/);
    expect(problems.join('\n')).toMatch(/printable characters/);
  });
});
