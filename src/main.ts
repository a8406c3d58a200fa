/**
 * `npm start`: load the configuration, start the provider (and, in the embedded default, the WeCom
 * simulator and the demo app); signals (graceful stop, SIGHUP reload) are lifecycle/signals.ts's.
 */
import { ConfigError, loadConfigFile, resolveConfigPath } from './config/load.js';
import { configWarnings } from './config/warnings.js';
import { ClientConfigError } from './oidc/clients.js';
import { handleSignals } from './lifecycle/signals.js';
import { createLogger } from './observability/log.js';
import { startServer } from './app.js';
import { SimulatorRefusedError } from './config/simulator-guard.js';

const log = createLogger();

async function main(): Promise<void> {
  const configPath = resolveConfigPath(process.argv.slice(2), process.env);
  const config = loadConfigFile(configPath);
  log.info('configuration loaded', { file: configPath });
  for (const warning of configWarnings(config)) log.warn(warning);
  if (process.versions.node.split('.')[0] === '20') {
    log.info('running on Node 20: supported; oidc-provider prefers Node 22 and may print a warning about it');
  }

  const server = await startServer(config, { log });
  const alsoClose: (() => Promise<void>)[] = [];

  if (config.simulator.enabled) {
    log.warn('WeCom SIMULATOR is active: sign-ins are simulated, do not use this configuration in production', {
      qrLogin: `${server.issuer}/wecom-simulator`,
    });
  }
  if (config.demo.enabled) {
    const { startDemo } = await import('./demo/app.js');
    const demo = await startDemo(config, { log: log.child({ component: 'demo' }) });
    alsoClose.push(() => demo.close());
    log.info(`demo app ready: open ${demo.url} in a browser and click "Sign in"`);
  }

  handleSignals({ configPath, config, server, alsoClose, log });
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof ClientConfigError || error instanceof SimulatorRefusedError) {
    // A person fixes these by editing the config: plain text reads better than a JSON log line.
    process.stderr.write(`wecom-oidc: cannot start: ${error.message}\n`);
  } else if ((error as NodeJS.ErrnoException)?.code === 'EADDRINUSE') {
    log.error('the configured port is already in use; stop the other process or change "listen.port"');
  } else {
    log.error('start-up failed', { error: (error as Error)?.name, message: (error as Error)?.message });
  }
  process.exit(1);
});
