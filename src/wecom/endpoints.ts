/**
 * Where this service talks to WeCom: the configured `wecom.*` URLs, or, when the simulator is enabled,
 * the simulator mounted below the issuer. The server and the admin CLI (`connections test`) both
 * resolve them here, so the CLI tests exactly what a sign-in would call.
 */
import type { Config, WeComEndpoints } from '../config/schema.js';

/** Where the simulator is mounted, below the issuer's path. */
export const SIMULATOR_PATH = '/wecom-simulator';

export function resolveWeComEndpoints(config: Pick<Config, 'issuer' | 'simulator' | 'wecom'>): WeComEndpoints {
  if (!config.simulator.enabled) return config.wecom;
  const simulatorBase = `${config.issuer.replace(/\/+$/, '')}${SIMULATOR_PATH}`;
  return { ...config.wecom, apiBase: simulatorBase, qrLoginBase: simulatorBase, oauthBase: simulatorBase };
}
