/**
 * SIGHUP: read the configuration file again and tell what may change without a restart.
 *
 * Reloadable: `clients`, `connections`, `groupsClaim` and the page settings (`wecom.embeddedPanel`,
 * `wecom.verificationFiles`), plus `shutdownGraceSeconds`. The server swaps them in at once, all
 * together, only when the whole new file is valid (schema, environment variables, and every client
 * as oidc-provider validates it). Everything else (issuer, listen, storage, cookie keys, WeCom
 * endpoints, simulator, demo, metrics, …) is fixed for the life of the process: a change there is
 * reported as needing a restart and is not applied.
 */
import { isDeepStrictEqual } from 'node:util';
import type Provider from 'oidc-provider';
import { validateClients } from '../oidc/clients.js';
import { ConfigError, loadConfigFile } from '../config/load.js';
import type { Config } from '../config/schema.js';

export type ReadResult = { ok: true; config: Config } | { ok: false; problems: string[] };

const RELOADABLE_TOP = new Set(['clients', 'connections', 'groupsClaim', 'shutdownGraceSeconds', 'wecom']);
const RELOADABLE_WECOM = new Set(['embeddedPanel', 'verificationFiles']);

export function readConfigForReload(path: string, env: NodeJS.ProcessEnv = process.env): ReadResult {
  try {
    return { ok: true, config: loadConfigFile(path, env) };
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, problems: error.problems };
    throw error;
  }
}

/** `current` with the reloadable settings of `next`: what a reload puts in force. */
export function withReloadedSettings(current: Config, next: Config): Config {
  const merged: Record<string, unknown> = { ...current };
  for (const key of RELOADABLE_TOP) if (key !== 'wecom') merged[key] = field(next, key);
  const wecom: Record<string, unknown> = { ...current.wecom };
  for (const key of RELOADABLE_WECOM) wecom[key] = field(next.wecom, key);
  merged.wecom = wecom;
  return merged as Config;
}

/** Keys whose value differs between `current` and `next` but only take effect after a restart. */
export function settingsNeedingRestart(current: Config, next: Config): string[] {
  const changed: string[] = [];
  const compare = (path: string, a: unknown, b: unknown) => {
    if (!isDeepStrictEqual(a, b)) changed.push(path);
  };
  for (const key of keysOf(current, next)) {
    if (!RELOADABLE_TOP.has(key)) compare(key, field(current, key), field(next, key));
  }
  for (const key of keysOf(current.wecom, next.wecom)) {
    if (!RELOADABLE_WECOM.has(key)) compare(`wecom.${key}`, field(current.wecom, key), field(next.wecom, key));
  }
  return changed;
}

/** Every client's problem, not only the first (validateClients stops at the first). */
export async function clientProblems(provider: Provider, clients: Config['clients']): Promise<string[]> {
  const problems: string[] = [];
  for (const client of clients) {
    await validateClients(provider, [client]).catch((error: Error) => problems.push(error.message));
  }
  return problems;
}

function keysOf(a: object, b: object): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])];
}

function field(object: object, key: string): unknown {
  return (object as Record<string, unknown>)[key];
}
