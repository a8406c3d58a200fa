/**
 * Builds and starts the whole service from a validated configuration: storage, keys, the OIDC
 * provider, our interaction routes, and (only when enabled) the WeCom simulator. main.ts calls this
 * for `npm start`; the integration tests call it to run real servers on spare ports.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import type Provider from 'oidc-provider';
import { createMemberChecks } from './accounts/member-checks.js';
import { scheduleReconcile } from './accounts/reconcile.js';
import { AccountService } from './accounts/service.js';
import { usesAdminSocket } from './admin/protocol.js';
import { startAdminSocket, type AdminSocket } from './admin/socket.js';
import type { Config } from './config/schema.js';
import { assertSimulatorAllowed } from './config/simulator-guard.js';
import { ConnectionRegistry, SIMULATOR_PATH, WECOM_PANEL_ORIGIN, createWeComServices, resolveWeComEndpoints } from './wecom/index.js';
import { loadBranding } from './web/branding/index.js';
import { interactionRouter } from './web/interaction/routes.js';
import { PanelStates } from './web/interaction/login-state.js';
import { createLogger, type Logger } from './observability/log.js';
import { validateClients } from './oidc/clients.js';
import { loadCookieKeys, loadKeyRing, type SigningJwk } from './oidc/keys.js';
import { AccessRevocation } from './oidc/access-revocation.js';
import { ProviderHost } from './oidc/provider-host.js';
import { authorizationPost } from './oidc/authorization-post.js';
import { createProvider } from './oidc/provider.js';
import { ConfigError } from './config/load.js';
import { clientProblems, settingsNeedingRestart, withReloadedSettings } from './lifecycle/config-reload.js';
import { Metrics } from './observability/metrics.js';
import { timeStorage } from './observability/storage-timing.js';
import { createListener } from './web/listener.js';
import { startMetricsListener, type MetricsListener } from './web/metrics-endpoint.js';
import { formPostHeaders } from './security/form-post-headers.js';
import { CappedLoginStateStore, CappedModelStore } from './security/pre-auth-cap.js';
import { openRateLimitStore } from './security/rate-limit-store.js';
import { rateLimits } from './security/rate-limits.js';
import { secureCookiesForHttpsIssuer } from './security/https-issuer.js';
import { createRequestGuard } from './security/request-guard.js';
import { assetsMiddleware, wecomSdkSource } from './web/pages/assets.js';
import { rememberLangChoice } from './web/pages/language.js';
import { landingPage, notFoundPage } from './web/pages/landing.js';
import { PageRenderer } from './web/pages/render.js';
import { providerPages } from './web/pages/oidc-pages.js';
import { openStorage } from './storage/index.js';
import type { Storage } from './model/index.js';
import type { WeComSimulator } from './simulator/index.js';
import { verificationFiles } from './web/verification-files.js';
import { wecomEventsRoutes } from './web/wecom-events.js';

export { SIMULATOR_PATH };

export interface RunningServer {
  /** The issuer, without a trailing slash. */
  issuer: string;
  /** The address actually listened on, e.g. http://127.0.0.1:3000. */
  address: string;
  /** The current provider (a key rotation replaces it). */
  readonly provider: Provider;
  storage: Storage;
  /** Picks up a rotated key ring now, instead of at the next periodic check. */
  reloadKeys(): Promise<boolean>;
  /** Resolves when every contact-change event received so far has been applied. */
  wecomEventsIdle(): Promise<void>;
  simulator?: WeComSimulator;
  /** Where /metrics is served when `metrics.listen` gives it a listener of its own. */
  metricsAddress?: string;
  /**
   * Swaps in a reloaded configuration's clients, connections and page settings, all at once, or
   * throws ConfigError (listing every problem) and changes nothing. Returns the changed keys that
   * only a restart applies.
   */
  reloadConfig(next: Config): Promise<{ restartNeeded: string[] }>;
  /**
   * Readiness turns 503 at once, the listener stops accepting, requests in flight get up to
   * `graceMs` to finish, then the storage closes.
   */
  shutdown(graceMs: number): Promise<void>;
  /** shutdown(0): in-flight requests are cut. */
  close(): Promise<void>;
}

export interface StartOptions {
  log?: Logger;
  /** Storage to use instead of opening the configured one (the caller keeps ownership). */
  storage?: Storage;
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const log = options.log ?? createLogger();
  const issuer = config.issuer.replace(/\/+$/, '');
  const basePath = new URL(issuer).pathname.replace(/\/+$/, '');

  assertSimulatorAllowed(config);
  const endpoints = resolveWeComEndpoints(config);

  const metrics = config.metrics.enabled ? new Metrics() : undefined;
  const openedStorage = options.storage ?? (await openStorage(config.storage));
  const storage = metrics ? timeStorage(openedStorage, metrics) : openedStorage;
  const [keyRing, cookieKeys] = await Promise.all([
    loadKeyRing(storage.keys, Math.floor(Date.now() / 1000)),
    loadCookieKeys(storage.keys, config.cookieKeys),
  ]);
  const pages = new PageRenderer(basePath, loadBranding(config.branding, basePath, log));
  // What anonymous visitors create (interactions, WeCom states) is capped, oldest first.
  const models = new CappedModelStore(storage.models, config.limits.pendingInteractions);
  const loginStates = new CappedLoginStateStore(storage.loginStates, config.limits.pendingLoginStates);
  // Bound once the provider host exists: back-channel logout needs the current provider.
  let providers: ProviderHost | undefined;
  const revocation = new AccessRevocation(storage.models, () => providers!.current, log.child({ component: 'offboarding' }));
  const accounts = new AccountService(storage.accounts, revocation, log);
  const { client: wecom, departmentNames } = createWeComServices({
    endpoints,
    tokenStore: storage.accessTokens,
    log: log.child({ component: 'wecom' }),
    ...(metrics ? { onCall: (api: string, errcode: string, seconds: number) => metrics.wecomCall(api, errcode, seconds) } : {}),
  });
  // One registry for everyone; a configuration reload replaces its contents.
  const connections = new ConnectionRegistry(config.connections);
  const { lifecycle, sweep, reconcile } = createMemberChecks({ storage, wecom, departmentNames, connections, revoker: revocation, log });
  // `settings` is the configuration file as (re)loaded: SIGHUP swaps in a new one (reloadConfig).
  const buildProvider = (settings: Config) => (signingKeys: { keys: SigningJwk[] }) =>
    createProvider({
      issuer,
      basePath,
      clients: settings.clients,
      signingKeys,
      cookieKeys,
      storage: { ...storage, models },
      accounts,
      pages: providerPages(pages, log),
      trustProxy: config.trustProxy,
      connectionIds: settings.connections.map((connection) => connection.identifier),
      claims: { groupsClaim: settings.groupsClaim, connections: settings.connections },
      lifecycle,
      log,
    });
  providers = new ProviderHost(buildProvider(config), basePath, keyRing, storage.keys, log, config.trustProxy);
  await providers.reloadKeys(); // retire keys whose tokens expired while we were down
  // `npm run admin` sends account commands here while we own the storage (see admin/socket.ts).
  let adminSocket: AdminSocket | undefined;
  try {
    await validateClients(providers.current, config.clients);
    if (usesAdminSocket(config.storage)) {
      adminSocket = await startAdminSocket({
        // A getter: its commands list the clients and connections of the configuration in force.
        get config() {
          return config;
        },
        storage,
        accounts,
        onKeysChanged: () => providers.reloadKeys(),
        reconcile,
        log: log.child({ component: 'admin' }),
      });
    }
  } catch (error) {
    if (!options.storage) await storage.close();
    throw error;
  }

  const app = new Koa();
  app.proxy = config.trustProxy;
  secureCookiesForHttpsIssuer(app, issuer);
  // koa-mount runs the provider's middleware with this app's context, so this app must sign
  // cookies with the same keys the provider verifies them with.
  app.keys = cookieKeys;
  app.silent = true;
  // Outermost, so that what the storage holds for a request is written before its response is.
  const unitOfWork = storage.unitOfWork?.bind(storage);
  if (unitOfWork) app.use((_ctx, next) => unitOfWork(next));
  app.use(notFoundPage(pages));
  app.use(rememberLangChoice(basePath));
  // WeCom's trusted-domain check asks the host's root, whatever the issuer's path.
  app.use(verificationFiles(() => config.wecom.verificationFiles));
  app.use(landingPage(pages));

  let simulator: WeComSimulator | undefined;
  if (config.simulator.enabled) {
    // Imported only when enabled: the production path never loads the simulator's code.
    const { createWeComSimulator } = await import('./simulator/index.js');
    simulator = createWeComSimulator({
      apps:
        config.simulator.apps ??
        config.connections.map((c) => ({ corpId: c.corpId, agentId: c.agentId, secret: c.secret, legacyContactFields: false })),
      trustedDomain: new URL(issuer).host,
      basePath: `${basePath}${SIMULATOR_PATH}`,
      // Member changes made in the simulator are called back to our own events route, as WeCom does.
      callbacks: { issuer, connections: config.connections },
      log: log.child({ component: 'wecom-simulator' }),
    });
    app.use(simulator.middleware());
  }
  // With the simulator, WeCom's SDK is served pointed at its stand-in panel (nothing leaves the machine).
  app.use(
    assetsMiddleware(basePath, {
      files: pages.brandingFiles,
      wecomSdk: simulator?.loginPanelSdk(wecomSdkSource(), new URL(issuer).origin),
    }),
  );

  const events = wecomEventsRoutes({
    basePath,
    connections,
    apply: (identifier, event) => lifecycle.onContactEvent(connections.get(identifier)!, event),
    log: log.child({ component: 'wecom-events' }),
  });
  app.use(events.router.routes());

  const rateLimitStore = openRateLimitStore(config.storage);
  app.use(
    rateLimits({
      basePath,
      config: config.rateLimits,
      trustProxy: config.trustProxy,
      store: rateLimitStore,
      pages,
      log: log.child({ component: 'rate-limit' }),
    }),
  );

  const interactions = interactionRouter({
    // A getter: a key rotation replaces the provider, and each request must use the current one.
    get provider() {
      return providers.current;
    },
    issuer,
    basePath,
    connections,
    wecom,
    departmentNames,
    accounts,
    loginStates,
    panelStates: new PanelStates(cookieKeys),
    models,
    pages,
    qrLoginBase: endpoints.qrLoginBase,
    oauthBase: endpoints.oauthBase,
    // Default on: with the simulator, its stand-in panel is shown (nothing leaves the machine).
    get embeddedPanel() {
      return config.wecom.embeddedPanel ?? true;
    },
    panelOrigin: simulator ? new URL(issuer).origin : WECOM_PANEL_ORIGIN,
    log: log.child({ component: 'interaction' }),
    signIns: metrics,
  });
  app.use(interactions.routes());
  app.use(interactions.allowedMethods());
  app.use(authorizationPost(basePath));
  app.use(formPostHeaders(basePath));
  app.use(providers.middleware());

  // Discovery and JWKS, once computed, are answered before Koa (see oidc/cached-documents.ts).
  const { server, drain } = createListener({
    basePath,
    log: log.child({ component: 'http' }),
    metrics,
    metricsHere: !config.metrics.listen,
    readiness: { signingKeysLoaded: () => providers.hasSigningKeys, storage },
    serveCachedDocument: (req, res) => providers.serveCachedDocument(req, res),
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- koa's callback() answers its own errors (ctx.onerror); its promise never rejects
    handle: app.callback(),
    // A malformed Host is answered 400 before anything parses it; an https issuer gets HSTS.
    guard: createRequestGuard({ issuer, trustProxy: config.trustProxy }),
  });
  let metricsListener: MetricsListener | undefined;
  const listening = async () => {
    if (metrics && config.metrics.listen) metricsListener = await startMetricsListener(config.metrics.listen, metrics);
    await listen(server, config.listen.port, config.listen.host);
  };
  await listening().catch(async (error: unknown) => {
    // e.g. the port is taken: release what was opened, so a caller may try again.
    await metricsListener?.close();
    await adminSocket?.close();
    await rateLimitStore.close();
    if (!options.storage) await storage.close();
    throw error;
  });
  providers.startWatching();
  // Events can be lost: every connection's members are re-checked now and then (reconcileIntervalMinutes).
  const reconcileSchedule = scheduleReconcile(sweep, connections.list(), log.child({ component: 'reconcile' }));
  const { port } = server.address() as AddressInfo;
  const address = `http://${config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host}:${port}`;
  log.info('wecom-oidc listening', { issuer, address, simulator: config.simulator.enabled, metrics: metricsListener?.address });

  const shutdown = async (graceMs: number) => {
    if (!drain.draining) log.info('draining: readiness now 503, no new connections', { graceMs });
    providers.stopWatching();
    reconcileSchedule.stop();
    const { cut } = await drain.drain(graceMs);
    if (cut) log.warn('shutdown grace period over: requests still running were cut', { requests: cut });
    await metricsListener?.close();
    await adminSocket?.close();
    await events.idle();
    await rateLimitStore.close();
    if (!options.storage) await storage.close();
    log.info('stopped: listener closed, storage closed');
  };

  return {
    issuer,
    address,
    get provider() {
      return providers.current;
    },
    storage,
    simulator,
    reloadKeys: () => providers.reloadKeys(),
    wecomEventsIdle: () => events.idle(),
    metricsAddress: metricsListener?.address,
    async reloadConfig(file) {
      const next = withReloadedSettings(config, file);
      const prepared = providers.prepare(buildProvider(next));
      const problems = await clientProblems(prepared.provider, next.clients);
      if (problems.length) throw new ConfigError('the reloaded configuration', problems);
      // From here on synchronous: no request sees half of the new configuration.
      const restartNeeded = settingsNeedingRestart(config, file);
      connections.replace(next.connections);
      // `config` is this server's configuration in force: whatever reads it per request (pages,
      // verification files, admin commands, the next provider build) sees the reloaded one.
      config = next;
      prepared.adopt();
      return { restartNeeded };
    },
    shutdown,
    close: () => shutdown(0),
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
