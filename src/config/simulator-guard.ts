/**
 * The WeCom simulator signs anyone in as any member: it may only run where nobody else can reach
 * it. With the simulator on, a non-loopback issuer refuses to start unless the operator says
 * `allowNonLoopbackIssuer` (a lab on a private network, say).
 */
import type { Config } from './schema.js';
import { isLoopbackUrl } from './warnings.js';

export class SimulatorRefusedError extends Error {
  constructor(issuer: string) {
    super(
      `the WeCom simulator is enabled but the issuer ${issuer} is not a loopback address; ` +
        'set "simulator": { "enabled": false } for a real deployment, or "allowNonLoopbackIssuer": true to force it',
    );
    this.name = 'SimulatorRefusedError';
  }
}

export function assertSimulatorAllowed(config: Pick<Config, 'issuer' | 'simulator'>): void {
  if (config.simulator.enabled && !isLoopbackUrl(config.issuer) && !config.simulator.allowNonLoopbackIssuer) {
    throw new SimulatorRefusedError(config.issuer.replace(/\/+$/, ''));
  }
}
