/**
 * Builds and starts the whole service from a validated configuration: storage, keys, the OIDC
 * provider, our interaction routes, and (only when enabled) the WeCom simulator. main.ts calls this
 * for `npm start`; the integration tests call it to run real servers on spare ports.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import mount from 'koa-mount';
import type Provider from 'oidc-provider';
import { createMemberChecks } from './accounts/member-checks.js';
import { scheduleReconcile } from './accounts/reconcile.js';
import { AccountService } from './accounts/service.js';
import { usesAdminSocket } from './admin/protocol.js';
import { startAdminSocket, type AdminSocket } from './admin/socket.js';
import type { Config } from './config/schema.js';
import { ConnectionRegistry } from './connections.js';
import { loadBranding } from './branding/index.js';
import { translator } from './i18n/index.js';
import { interactionRouter } from './interaction/routes.js';
import { createLogger, type Logger } from './log.js';
import { validateClients } from './oidc/clients.js';
import { loadCookieKeys, loadKeyRing, type SigningJwk } from './oidc/keys.js';
import { AccessRevocation } from './oidc/access-revocation.js';
import { ProviderHost } from './oidc/provider-host.js';
import { authorizationPost } from './oidc/authorization-post.js';
import { createProvider } from './oidc/provider.js';
import { assetsMiddleware, wecomSdkSource } from './pages/assets.js';
import { langDecision, rememberLangChoice } from './pages/language.js';
import { PageRenderer } from './pages/render.js';
import { openStorage } from './storage/index.js';
import type { Storage } from './storage/types.js';
import type { WeComSimulator } from './simulator/index.js';
import { AccessTokenCache, DepartmentNames, WECOM_PANEL_ORIGIN, WeComClient } from './wecom/index.js';
import { wecomEventsRoutes } from './web/wecom-events.js';
import { SIMULATOR_PATH, resolveWeComEndpoints } from './wecom-endpoints.js';

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
  close(): Promise<void>;
}

export interface StartOptions {
  log?: Logger;
  /** Storage to use instead of opening the configured one (the caller keeps ownership). */
  storage?: Storage;
}

export class SimulatorRefusedError extends Error {
  constructor(issuer: string) {
    super(
      `the WeCom simulator is enabled but the issuer ${issuer} is not a loopback address; ` +
        'set "simulator": { "enabled": false } for a real deployment, or "allowNonLoopbackIssuer": true to force it',
    );
    this.name = 'SimulatorRefusedError';
  }
}

export function isLoopbackUrl(url: string): boolean {
  const { hostname } = new URL(url);
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const log = options.log ?? createLogger();
  const issuer = config.issuer.replace(/\/+$/, '');
  const basePath = new URL(issuer).pathname.replace(/\/+$/, '');

  if (config.simulator.enabled && !isLoopbackUrl(issuer) && !config.simulator.allowNonLoopbackIssuer) {
    throw new SimulatorRefusedError(issuer);
  }
  const endpoints = resolveWeComEndpoints(config);

  const storage = options.storage ?? (await openStorage(config.storage));
  const [keyRing, cookieKeys] = await Promise.all([
    loadKeyRing(storage.keys, Math.floor(Date.now() / 1000)),
    loadCookieKeys(storage.keys, config.cookieKeys),
  ]);
  const pages = new PageRenderer(basePath, loadBranding(config.branding, basePath, log));
  // Bound once the provider host exists: back-channel logout needs the current provider.
  let providers: ProviderHost | undefined;
  const revocation = new AccessRevocation(storage.models, () => providers!.current, log.child({ component: 'offboarding' }));
  const accounts = new AccountService(storage.accounts, revocation, log);
  // The token lives in storage so that replicas sharing it also share one token and one refresh.
  const tokenCache = new AccessTokenCache({ store: storage.accessTokens });
  const wecom = new WeComClient({ endpoints, tokenCache, log: log.child({ component: 'wecom' }) });
  const departmentNames = new DepartmentNames(wecom, log.child({ component: 'wecom' }));
  const connections = new ConnectionRegistry(config.connections);
  const { lifecycle, sweep, reconcile } = createMemberChecks({
    storage, wecom, departmentNames, connections, revoker: revocation, log,
  });
  const buildProvider = (signingKeys: { keys: SigningJwk[] }) => createProvider({
    issuer,
    basePath,
    clients: config.clients,
    signingKeys,
    cookieKeys,
    storage,
    accounts,
    pages,
    trustProxy: config.trustProxy,
    connectionIds: config.connections.map((connection) => connection.identifier),
    groupsClaim: config.groupsClaim,
    lifecycle,
    log,
  });
  providers = new ProviderHost(buildProvider, basePath, keyRing, storage.keys, log, config.trustProxy);
  await providers.reloadKeys(); // retire keys whose tokens expired while we were down
  // `npm run admin` sends account commands here while we own the storage (see admin/socket.ts).
  let adminSocket: AdminSocket | undefined;
  try {
    await validateClients(providers.current, config.clients);
    if (usesAdminSocket(config.storage)) {
      adminSocket = await startAdminSocket({
        config,
        storage,
        accounts,
        onKeysChanged: () => providers!.reloadKeys(),
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
  // koa-mount runs the provider's middleware with this app's context, so this app must sign
  // cookies with the same keys the provider verifies them with.
  app.keys = cookieKeys;
  app.silent = true;
  app.use(notFoundPage(pages));
  app.use(rememberLangChoice(basePath));

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
  app.use(assetsMiddleware(basePath, {
    files: pages.brandingFiles,
    wecomSdk: simulator?.loginPanelSdk(wecomSdkSource(), new URL(issuer).origin),
  }));

  const events = wecomEventsRoutes({
    basePath,
    connections: config.connections,
    apply: (identifier, event) => lifecycle.onContactEvent(connections.get(identifier)!, event),
    log: log.child({ component: 'wecom-events' }),
  });
  app.use(events.router.routes());
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
    loginStates: storage.loginStates,
    models: storage.models,
    pages,
    qrLoginBase: endpoints.qrLoginBase,
    oauthBase: endpoints.oauthBase,
    embeddedPanel: config.wecom.embeddedPanel ?? true,
    panelOrigin: simulator ? new URL(issuer).origin : WECOM_PANEL_ORIGIN,
    log: log.child({ component: 'interaction' }),
  });
  app.use(interactions.routes());
  app.use(interactions.allowedMethods());
  app.use(authorizationPost(basePath));
  app.use(providers.middleware());

  const handle = app.callback();
  // Discovery and JWKS, once computed, are answered before Koa (see oidc/cached-documents.ts).
  const server = createServer((req, res) => {
    if (!providers.serveCachedDocument(req, res)) void handle(req, res);
  });
  await listen(server, config.listen.port, config.listen.host).catch(async (error: unknown) => {
    // e.g. the port is taken: release what was opened, so a caller may try again.
    await adminSocket?.close();
    if (!options.storage) await storage.close();
    throw error;
  });
  providers.startWatching();
  // Events can be lost: every connection's members are re-checked now and then (reconcileIntervalMinutes).
  const reconcileSchedule = scheduleReconcile(sweep, connections.list(), log.child({ component: 'reconcile' }));
  const { port } = server.address() as AddressInfo;
  const address = `http://${config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host}:${port}`;
  log.info('wecom-oidc listening', { issuer, address, simulator: config.simulator.enabled });

  return {
    issuer,
    address,
    get provider() {
      return providers.current;
    },
    storage,
    simulator,
    reloadKeys: () => providers!.reloadKeys(),
    wecomEventsIdle: () => events.idle(),
    async close() {
      providers!.stopWatching();
      reconcileSchedule.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await adminSocket?.close();
      await events.idle();
      if (!options.storage) await storage.close();
    },
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

/** Anything nobody answered gets a readable page, not Koa's bare "Not Found". */
function notFoundPage(pages: PageRenderer): Koa.Middleware {
  return async (ctx, next) => {
    await next();
    if (ctx.status !== 404 || ctx.body !== undefined || ctx.respond === false) return;
    const { lang } = langDecision(ctx, undefined);
    const t = translator(lang);
    if (!ctx.accepts('html')) return;
    pages.send(ctx, 'message', { lang, title: t('error.title'), heading: t('error.title'), message: t('error.not_found') }, { status: 404 });
  };
}
