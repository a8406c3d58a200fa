/**
 * The WeCom simulator signs anyone in as any member: it may only run where nobody else can reach
 * it. With the simulator on, start-up is refused when the issuer is not a loopback URL unless the
 * operator says `allowNonLoopbackIssuer`, and when `listen.host` is not a loopback address (the
 * wildcards 0.0.0.0 and :: included) unless the operator says `allowNonLoopbackListen` (a lab on a
 * private network, or a container whose network only a proxy reaches).
 */
import type { Config } from './schema.js';
import { isLoopbackHost, isLoopbackUrl } from './warnings.js';

export class SimulatorRefusedError extends Error {
  constructor(what: string, key: 'allowNonLoopbackIssuer' | 'allowNonLoopbackListen') {
    super(
      `the WeCom simulator is enabled but ${what} is not a loopback address; ` +
        `set "simulator": { "enabled": false } for a real deployment, or "simulator": { "${key}": true } to force it`,
    );
    this.name = 'SimulatorRefusedError';
  }
}

export function assertSimulatorAllowed(config: Pick<Config, 'issuer' | 'listen' | 'simulator'>): void {
  const { simulator } = config;
  if (!simulator.enabled) return;
  if (!isLoopbackUrl(config.issuer) && !simulator.allowNonLoopbackIssuer) {
    throw new SimulatorRefusedError(`the issuer ${config.issuer.replace(/\/+$/, '')}`, 'allowNonLoopbackIssuer');
  }
  if (!isLoopbackHost(config.listen.host) && !simulator.allowNonLoopbackListen) {
    throw new SimulatorRefusedError(`listen.host ${JSON.stringify(config.listen.host)}`, 'allowNonLoopbackListen');
  }
}
