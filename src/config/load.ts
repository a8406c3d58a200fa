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
import { readBrandingFiles } from './branding-files.js';
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
export function parseConfig(raw: unknown, env: NodeJS.ProcessEnv = process.env, source = 'configuration', baseDir = process.cwd()): Config {
  const missing: SubstitutionProblem[] = [];
  const substituted = substituteEnv(raw, env, missing);
  // Every problem in one pass, missing variables and schema rules together; a field whose variable
  // is missing is reported once, for the variable (its empty stand-in would only add noise).
  const problems = missing.map(({ path, variable }) => `${path}: environment variable ${variable} is not set`);
  const unset = new Set(missing.map(({ path }) => path));
  const result = configSchema.safeParse(substituted);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = formatPath(issue.path);
      if (!unset.has(path)) problems.push(`${path}: ${issue.message}`);
    }
  }
  if (problems.length || !result.success) throw new ConfigError(source, problems);
  const config = withBrandingPaths(result.data, baseDir);
  const branding = readBrandingFiles(config.branding);
  if (branding.problems.length) throw new ConfigError(source, branding.problems);
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
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index ? '.' : ''}${String(part)}`)).join('');
}
