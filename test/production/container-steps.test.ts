/**
 * The Dockerfile's steps, run without a container engine (none runs on the test machines): the
 * build stage's output (npm run build), then the runtime stage in a clean directory — the same
 * `npm ci --omit=dev`, dist/ and config/default.json, the image's environment and ENTRYPOINT — and
 * the HEALTHCHECK command itself against the running process. Also: the process writes nothing
 * outside its state directory (so a read-only root file system works), and SIGTERM ends it cleanly.
 *
 * And the package as npm would install it: `npm pack`, installed into an empty project, runs as
 * `npx wecom-oidc` / `wecom-oidc admin …`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { buildProject, REPO_ROOT } from '../support/cli.js';
import { freePort } from '../support/server.js';

const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
/** The runtime stage: everything after the last FROM. */
const runtimeStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, env: options.env ?? process.env, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      },
    );
  });
}

/** Every file under `dir` with its size and modification time: to see that nothing was written. */
function listing(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        const stat = statSync(full);
        files.set(relative(dir, full), `${stat.size}:${stat.mtimeMs}`);
      }
    }
  };
  walk(dir);
  return files;
}

let work: string;
beforeAll(() => {
  buildProject();
  work = mkdtempSync(join(tmpdir(), 'wecom-oidc-container-'));
}, 180_000);
// Two installed node_modules trees: thousands of files to remove, slow on a busy machine.
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
}, 180_000);

describe('the Dockerfile', () => {
  it('builds in one stage and runs the production dependencies only, as a non-root user, healthchecked, node as PID 1', () => {
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(runtimeStage).toMatch(/^RUN npm ci --omit=dev /m);
    expect(runtimeStage).toMatch(/^COPY --from=build \/src\/dist \.\/dist$/m);
    expect(runtimeStage).toMatch(/^USER node$/m);
    expect(runtimeStage).toMatch(/HEALTHCHECK_URL=http:\/\/127\.0\.0\.1:3000\/healthz/);
    expect(runtimeStage).toMatch(/^ENTRYPOINT \["node", "dist\/bin\.js"\]$/m);
    expect(runtimeStage).toMatch(/^VOLUME \["\/var\/lib\/wecom-oidc"\]$/m);
  });

  it('its runtime steps give a server that passes its HEALTHCHECK, writes only to its state directory and stops on SIGTERM', async () => {
    const app = join(work, 'app');
    const state = join(work, 'state');
    mkdirSync(app);
    mkdirSync(state, { mode: 0o700 });
    // COPY package.json package-lock.json ./ ; RUN npm ci --omit=dev … (from the local cache when it can)
    cpSync(join(REPO_ROOT, 'package.json'), join(app, 'package.json'));
    cpSync(join(REPO_ROOT, 'package-lock.json'), join(app, 'package-lock.json'));
    const npmCi = /^RUN (npm ci --omit=dev[^&\n]*)/m.exec(runtimeStage)![1]!.trim().split(/\s+/);
    const install = await run('npm', [...npmCi.slice(1), '--prefer-offline'], { cwd: app });
    expect(install.code, install.stderr).toBe(0);
    expect(existsSync(join(app, 'node_modules', 'oidc-provider'))).toBe(true);
    for (const devOnly of ['typescript', 'vitest', 'tsx', 'playwright-core'])
      expect(existsSync(join(app, 'node_modules', devOnly)), devOnly).toBe(false);
    // COPY --from=build /src/dist ./dist ; COPY config/default.json ./config/default.json
    cpSync(join(REPO_ROOT, 'dist'), join(app, 'dist'), { recursive: true });
    mkdirSync(join(app, 'config'));
    cpSync(join(REPO_ROOT, 'config', 'default.json'), join(app, 'config', 'default.json'));

    const port = await freePort();
    const configPath = join(work, 'config.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        issuer: `http://127.0.0.1:${port}`,
        listen: { host: '127.0.0.1', port },
        storage: { driver: 'lowdb', path: join(state, 'db.json') },
        connections: [{ identifier: 'wecom', displayName: '企业微信', corpId: 'ww5a1b2c3d4e5f6a7b', agentId: '1000002', secret: '${WECOM_SECRET}' }],
        simulator: { enabled: true },
      }),
    );
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      WECOM_OIDC_CONFIG: configPath,
      HEALTHCHECK_URL: `http://127.0.0.1:${port}/healthz`,
      WECOM_SECRET: 'container-test-secret',
    };
    const healthcheck = JSON.parse(/^\s*CMD (\[.*\])$/m.exec(runtimeStage)![1]!) as string[];
    const probe = () => run(healthcheck[0]!, healthcheck.slice(1), { cwd: app, env });

    // Nothing listens yet: the health check must be able to fail.
    expect((await probe()).code).toBe(1);

    const before = listing(app);
    const entrypoint = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(runtimeStage)![1]!) as string[];
    const server = spawn(entrypoint[0]!, entrypoint.slice(1), { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    server.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    server.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 60_000;
      while ((await probe()).code !== 0) {
        if (Date.now() > deadline || server.exitCode !== null) throw new Error(`the server did not become healthy:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const discovery = (await (await fetch(`http://127.0.0.1:${port}/.well-known/openid-configuration`)).json()) as { issuer: string };
      expect(discovery.issuer).toBe(`http://127.0.0.1:${port}`);

      // `wecom-oidc admin …` inside the container (docker exec): through the running server's socket.
      const keys = await run('node', ['dist/bin.js', 'admin', 'keys', 'list', '--lang', 'en'], { cwd: app, env });
      expect(keys.code, keys.stderr).toBe(0);
      expect(keys.stdout).toMatch(/RS256\s+current/);

      // deploy/wecom-oidc-admin, as a root operator runs it: the service's user, env file and config.
      if (process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v runuser']).status === 0) {
        const envFile = join(work, 'env');
        writeFileSync(envFile, 'WECOM_SECRET=container-test-secret\n', { mode: 0o600 });
        const wrapper = await run(join(REPO_ROOT, 'deploy', 'wecom-oidc-admin'), ['accounts', 'list', '--lang', 'en'], {
          cwd: work,
          env: {
            PATH: process.env.PATH,
            WECOM_OIDC_HOME: app,
            WECOM_OIDC_ENV_FILE: envFile,
            WECOM_OIDC_CONFIG: configPath,
            WECOM_OIDC_USER: 'root',
            WECOM_OIDC_NODE: process.execPath,
          },
        });
        expect(wrapper.code, wrapper.stderr).toBe(0);
      }
    } finally {
      server.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(output).not.toMatch(/\n\s+at .*\.js:\d+/); // no stack trace anywhere
    // The image's files are untouched: only the state directory was written (read-only root works).
    expect(listing(app)).toEqual(before);
    expect(existsSync(join(state, 'db.json'))).toBe(true);
    expect(existsSync(join(state, 'admin.sock'))).toBe(false);
  }, 300_000);
});

describe('the installed package', () => {
  it('packs dist, the default config and the bin, and runs as `npx wecom-oidc` and `wecom-oidc admin …`', async () => {
    const pack = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: REPO_ROOT });
    expect(pack.code, pack.stderr).toBe(0);
    const [packed] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    const files = packed!.files.map((file) => file.path);
    expect(files).toEqual(
      expect.arrayContaining([
        'dist/bin.js',
        'dist/main.js',
        'dist/admin/cli.js',
        'dist/web/views/layout.eta',
        'config/default.json',
        'package.json',
      ]),
    );
    expect(files.filter((file) => file.startsWith('src/') || file.startsWith('test/') || file === 'dist/.tsbuildinfo')).toEqual([]);

    const site = join(work, 'site');
    mkdirSync(site);
    writeFileSync(join(site, 'package.json'), JSON.stringify({ name: 'site', private: true }));
    const install = await run(
      'npm',
      ['install', '--omit=dev', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline', join(work, packed!.filename)],
      { cwd: site },
    );
    expect(install.code, install.stderr).toBe(0);

    const help = await run('npx', ['--no-install', 'wecom-oidc', 'admin', '--help', '--lang', 'en'], { cwd: site });
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: /);
    expect(help.stdout).toContain('backup FILE');
    const top = await run(join(site, 'node_modules', '.bin', 'wecom-oidc'), ['--help'], { cwd: site });
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/wecom-oidc admin <command>/);
  }, 300_000);
});
