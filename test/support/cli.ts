/**
 * Runs the admin CLI as an administrator would: the built `dist/admin/cli.js` in its own process.
 *
 * The run is asynchronous on purpose: the test process may host the server the CLI talks to through
 * the admin socket, and a synchronous child would block the very event loop that must answer it.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI_PATH = join(REPO_ROOT, 'dist', 'admin', 'cli.js');

/**
 * Builds dist/ when the sources changed since the last build (scripts/ensure-build.mjs, as `npm
 * start` does), so the suite works from a clean checkout. Several suites run the built code, two at
 * a time: a lock keeps one from rebuilding dist/ while another builds or reads it half-written.
 */
export function buildProject(): void {
  const lock = join(REPO_ROOT, 'node_modules', '.cache', 'wecom-oidc-build.lock');
  mkdirSync(dirname(lock), { recursive: true });
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock older than any build is left by a killed run.
      if (Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 300_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`${lock} is held by another test run`, { cause: error });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    const build = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'ensure-build.mjs')], { cwd: REPO_ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`the build failed (${build.status}):\n${build.stdout}\n${build.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  /** Added to a neutral environment: English, and no WECOM_OIDC_CONFIG from the developer's shell. */
  env?: NodeJS.ProcessEnv;
}

export function runAdminCli(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LANG: 'C',
    LC_ALL: '',
    LC_MESSAGES: '',
    WECOM_OIDC_CONFIG: '',
    npm_lifecycle_event: '',
    ...options.env,
  };
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI_PATH, ...args], { cwd: options.cwd ?? REPO_ROOT, env, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ exitCode: code, stdout, stderr });
    });
  });
}

/** Writes `raw` as a configuration file in a new temporary directory; returns its path. */
export function writeConfigFile(raw: Record<string, unknown>, dir = mkdtempSync(join(tmpdir(), 'wecom-oidc-cli-'))): string {
  const path = join(dir, 'config.json');
  writeFileSync(path, JSON.stringify(raw, null, 2));
  return path;
}
