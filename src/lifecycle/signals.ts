/**
 * What the process does on each signal.
 *
 * SIGTERM / SIGINT: a graceful stop (see RunningServer.shutdown): readiness 503 at once, no new
 * connections, requests in flight get `shutdownGraceSeconds` to finish, then storage closes and the
 * process exits 0. A second SIGTERM/SIGINT while stopping exits at once (an operator's second Ctrl-C).
 *
 * SIGHUP: re-read the configuration file and apply its reloadable settings (config-reload.ts), all
 * or nothing; an invalid file changes nothing and every problem is logged. Never fatal: Node's
 * default for SIGHUP is to die, which used to leave admin.sock behind.
 */
import { readConfigForReload, withReloadedSettings } from './config-reload.js';
import { ConfigError } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../observability/log.js';

export interface SignalTarget {
  shutdown(graceMs: number): Promise<void>;
  reloadConfig(next: Config): Promise<{ restartNeeded: string[] }>;
}

export interface SignalOptions {
  configPath: string;
  config: Config;
  server: SignalTarget;
  /** Other things to stop alongside the server (the demo app). */
  alsoClose?: (() => Promise<void>)[];
  log: Logger;
}

export function handleSignals(options: SignalOptions): void {
  const { log } = options;
  let config = options.config;
  let stopping = false;
  let reloads = Promise.resolve();

  const stop = async (signal: string) => {
    if (stopping) {
      log.warn('second stop signal: exiting without waiting', { signal });
      process.exit(1);
    }
    stopping = true;
    log.info('shutting down', { signal, graceSeconds: config.shutdownGraceSeconds });
    const steps = [options.server.shutdown(config.shutdownGraceSeconds * 1000), ...(options.alsoClose ?? []).map((close) => close())];
    const results = await Promise.allSettled(steps);
    for (const result of results) {
      if (result.status === 'rejected') log.error('shutdown step failed', { message: (result.reason as Error)?.message });
    }
    process.exit(0);
  };

  const reload = async () => {
    if (stopping) return;
    const file = options.configPath;
    log.info('SIGHUP: reloading the configuration', { file });
    const read = readConfigForReload(file);
    if (!read.ok) return refused(log, file, read.problems);
    try {
      const { restartNeeded } = await options.server.reloadConfig(read.config);
      config = withReloadedSettings(config, read.config);
      log.info('configuration reloaded: clients, connections and page settings replaced', {
        file,
        clients: config.clients.length,
        connections: config.connections.length,
      });
      if (restartNeeded.length) log.warn('these settings changed but take effect only after a restart', { settings: restartNeeded });
    } catch (error) {
      if (error instanceof ConfigError) return refused(log, file, error.problems);
      log.error('configuration reload failed; nothing changed', { file, error: (error as Error)?.name, message: (error as Error)?.message });
    }
  };

  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // One reload at a time, in order: two quick SIGHUPs must not interleave.
  process.on('SIGHUP', () => {
    reloads = reloads.then(reload, reload);
  });
}

function refused(log: Logger, file: string, problems: string[]): void {
  for (const problem of problems) log.error('configuration reload refused: invalid setting', { file, problem });
  log.error('configuration reload refused: nothing changed; fix the file and send SIGHUP again', { file, problems: problems.length });
}
