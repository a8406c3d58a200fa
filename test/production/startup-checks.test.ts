/**
 * Start-up checks an operator meets first: every configuration problem in one pass, a warning for a
 * plain-http issuer other machines reach, and `npm start` / `npm run admin` building only when the
 * sources changed.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { configWarnings } from '../../src/config/warnings.js';
import { REPO_ROOT } from '../support/cli.js';
import { freePort } from '../support/server.js';

function problemsOf(raw: unknown, env: NodeJS.ProcessEnv): string[] {
  try {
    parseConfig(raw, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration problems', () => {
  it('reports missing environment variables and schema problems together, each once', () => {
    const problems = problemsOf(
      {
        issuer: 'not a url',
        storage: { driver: 'postgres', url: '${DATABASE_URL}' },
        connections: [{ identifier: 'WeCom', displayName: 'x', corpId: 'ww0123456789abcdef', agentId: '1', secret: '${WECOM_SECRET}' }],
        wecom: { timeoutMs: 5 },
      },
      {},
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'storage.url: environment variable DATABASE_URL is not set',
        'connections[0].secret: environment variable WECOM_SECRET is not set',
        expect.stringMatching(/^issuer: /),
        expect.stringMatching(/^connections\[0\]\.identifier: /),
        expect.stringMatching(/^wecom\.timeoutMs: /),
      ]),
    );
    // The unset variables' fields are not reported a second time for being empty.
    expect(problems.filter((problem) => problem.startsWith('connections[0].secret'))).toHaveLength(1);
    expect(problems.filter((problem) => problem.startsWith('storage.url'))).toHaveLength(1);
    expect(problems).toHaveLength(5);
  });
});

describe('plain-http issuer', () => {
  it.each([
    ['http://id.example.com', 1],
    ['http://10.0.0.5:3000', 1],
    ['https://id.example.com', 0],
    ['http://localhost:3000', 0],
    ['http://127.0.0.1:3000/oidc', 0],
    ['http://[::1]:3000', 0],
  ])('%s gives %i warning(s)', (issuer, count) => {
    expect(configWarnings({ issuer })).toHaveLength(count);
  });

  it('is logged at start by the real process, as a warning, and the server still starts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wecom-oidc-http-issuer-'));
    const config = join(dir, 'config.json');
    const port = await freePort();
    writeFileSync(
      config,
      JSON.stringify({
        issuer: 'http://id.example.com',
        listen: { host: '127.0.0.1', port },
        storage: { driver: 'lowdb', path: join(dir, 'db.json') },
        connections: [{ identifier: 'wecom', displayName: 'WeCom', corpId: 'ww5a1b2c3d4e5f6a7b', agentId: '1000002', secret: 's' }],
      }),
    );
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src', 'main.ts'), '--config', config], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const deadline = Date.now() + 60_000;
      while (!output.includes('wecom-oidc listening') && child.exitCode === null && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const warning = output
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { level: string; msg: string })
        .find((line) => line.msg.includes('plain http://'));
      expect(warning?.level, output).toBe('warn');
      expect(output).toContain('wecom-oidc listening');
    } finally {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

describe('build only when stale (scripts/ensure-build.mjs)', () => {
  it('builds once, not again while nothing changed, and again after a change or a deletion', () => {
    const root = mkdtempSync(join(tmpdir(), 'wecom-oidc-ensure-build-'));
    mkdirSync(join(root, 'scripts'));
    mkdirSync(join(root, 'src', 'sub'), { recursive: true });
    mkdirSync(join(root, 'dist'));
    copyFileSync(join(REPO_ROOT, 'scripts', 'ensure-build.mjs'), join(root, 'scripts', 'ensure-build.mjs'));
    writeFileSync(join(root, 'src', 'a.ts'), 'export {};\n');
    writeFileSync(join(root, 'src', 'sub', 'b.ts'), 'export {};\n');
    // A stand-in build that counts its runs, and stamps as the real one does.
    writeFileSync(
      join(root, 'package.json'),
      JSON.stringify({
        name: 'stale-check',
        private: true,
        scripts: { build: 'echo built >> builds.log && node scripts/ensure-build.mjs --stamp' },
      }),
    );
    const builds = () => readFileSync(join(root, 'builds.log'), 'utf8').split('\n').filter(Boolean).length;
    const ensure = () => execFileSync(process.execPath, ['scripts/ensure-build.mjs'], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
    const past = (seconds: number) => new Date(Date.now() - seconds * 1000);
    const settle = () => {
      // Sources older than the stamp, as after a real build.
      for (const path of ['src/a.ts', 'src/sub/b.ts', 'src/sub', 'src', 'package.json']) utimesSync(join(root, path), past(60), past(60));
    };

    settle();
    ensure();
    expect(builds()).toBe(1);
    ensure();
    ensure();
    expect(builds()).toBe(1);

    writeFileSync(join(root, 'src', 'a.ts'), 'export const changed = 1;\n');
    ensure();
    expect(builds()).toBe(2);

    settle();
    utimesSync(join(root, 'dist', '.build-stamp'), past(30), past(30));
    ensure();
    expect(builds()).toBe(2);
    rmSync(join(root, 'src', 'sub', 'b.ts'));
    ensure();
    expect(builds()).toBe(3);
    rmSync(root, { recursive: true, force: true });
  }, 120_000);
});
