/**
 * Reads, substitutes and validates the one JSON configuration file.
 *
 * Which file: `--config FILE`, else `WECOM_OIDC_CONFIG`, else config/default.json (the embedded
 * default with the simulator). Every problem is reported at once, each naming its field and rule,
 * and values are never echoed (they may be secrets).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readBrandingFiles } from '../branding/files.js';
import { configSchema, type Config } from './schema.js';
import { substituteEnv, type SubstitutionProblem } from './env-substitution.js';

export const DEFAULT_CONFIG_PATH = fileURLToPath(new URL('../../config/default.json', import.meta.url));

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`Invalid configuration in ${source}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function resolveConfigPath(argv: readonly string[], env: NodeJS.ProcessEnv): string {
  const flag = argv.indexOf('--config');
  if (flag !== -1) {
    const path = argv[flag + 1];
    if (!path) throw new ConfigError('command line', ['--config needs a file path']);
    return path;
  }
  const inline = argv.find((arg) => arg.startsWith('--config='));
  if (inline) return inline.slice('--config='.length);
  return env.WECOM_OIDC_CONFIG || DEFAULT_CONFIG_PATH;
}

export function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, [`cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(path, [`not valid JSON: ${(error as Error).message}`]);
  }
  return parseConfig(raw, env, path, dirname(resolve(path)));
}

/**
 * @param baseDir where relative branding file paths start (the configuration file's folder; the
 * working directory for a configuration given inline).
 */
export function parseConfig(
  raw: unknown,
  env: NodeJS.ProcessEnv = process.env,
  source = 'configuration',
  baseDir = process.cwd(),
): Config {
  const missing: SubstitutionProblem[] = [];
  const substituted = substituteEnv(raw, env, missing);
  if (missing.length) {
    throw new ConfigError(
      source,
      missing.map(({ path, variable }) => `${path}: environment variable ${variable} is not set`),
    );
  }
  const result = configSchema.safeParse(substituted);
  if (!result.success) {
    throw new ConfigError(
      source,
      result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`),
    );
  }
  const config = withBrandingPaths(result.data, baseDir);
  const { problems } = readBrandingFiles(config.branding);
  if (problems.length) throw new ConfigError(source, problems);
  return config;
}

/** Branding files named relative to the configuration file, made absolute once here. */
function withBrandingPaths(config: Config, baseDir: string): Config {
  const branding = config.branding;
  if (!branding) return config;
  const absolute = (path: string | undefined) => (path === undefined ? undefined : resolve(baseDir, path));
  return {
    ...config,
    branding: { ...branding, logo: absolute(branding.logo), favicon: absolute(branding.favicon), css: absolute(branding.css) },
  };
}

function formatPath(path: PropertyKey[]): string {
  if (!path.length) return '(root)';
  return path
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index ? '.' : ''}${String(part)}`))
    .join('');
}
