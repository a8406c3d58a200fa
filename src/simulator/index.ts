/**
 * The built-in WeCom simulator: a stand-in for WeCom's QR login page, in-client OAuth and server API,
 * mounted inside our own Koa app so that `npm start` works without a WeCom account and integration
 * tests run over real HTTP. Our production WeCom client talks to it exactly as to WeCom; only the
 * base URLs differ (`{origin}{basePath}` for apiBase, qrLoginBase and oauthBase alike).
 *
 * It follows WeCom's published API documentation (developer.work.weixin.qq.com), errors included. Everything is in memory (see credentials.ts).
 * Nothing here is imported by the production path unless the simulator is enabled.
 */
import Router from '@koa/router';
import type Koa from 'koa';
import type { SimulatorApp } from '../config/schema.js';
import type { Logger } from '../observability/log.js';
import { registerApiRoutes } from './api-routes.js';
import { createHostedApps } from './apps.js';
import { createClock } from './clock.js';
import type { SimulatedApi } from './constants.js';
import { createCredentials } from './credentials.js';
import type { SimulatorDeps } from './deps.js';
import { registerDirectoryRoutes } from './directory-routes.js';
import { createEventDelivery, type Delivery, type EventConnection } from './event-delivery.js';
import { createFaults, type Fault } from './faults.js';
import { registerInClientRoutes } from './in-client-routes.js';
import { LiveDirectory } from './live-directory.js';
import { panelSdkSource } from './panel.js';
import { registerQrLoginRoutes } from './qr-login-routes.js';
import { pageCsp } from './respond.js';
import { registerStaticRoutes } from './static-routes.js';
import { createViews } from './views.js';

export { SIMULATED_APIS, SIMULATOR_LABEL, SIMULATOR_LABEL_ZH, type SimulatedApi } from './constants.js';
export { TRANSPORT_FAULTS, type Fault, type TransportFault } from './faults.js';
export {
  DEMO_DEPARTMENTS,
  DEMO_MEMBERS,
  DEMO_USERIDS,
  DEMO_WECHAT_USER,
  type DemoDepartment,
  type DemoMember,
  type DemoWeChatUser,
  type MemberStatus,
} from './directory.js';
export { DirectoryError, LiveDirectory, USERID_PATTERN, type MemberChange, type NewMember } from './live-directory.js';
export { DELIVERY_ATTEMPTS, DELIVERY_TIMEOUT_MS, type Attempt, type Delivery, type EventConnection } from './event-delivery.js';

export interface SimulatorOptions {
  /** Corp apps it hosts. */
  apps: SimulatorApp[];
  /** host[:port] configured as the apps' 授权回调域 / 可信域名; redirect_uri hosts must equal it exactly. */
  trustedDomain: string;
  /** Path prefix it is mounted at, e.g. '/wecom-simulator'; every route is under it. */
  basePath: string;
  log: Logger;
  /** Millisecond clock; default Date.now. */
  now?: () => number;
  /**
   * Where member changes are called back, as WeCom does: `{issuer}/wecom/events/{identifier}` for
   * every connection with `events` set, and nowhere else. Without it no callback is sent.
   */
  callbacks?: {
    issuer: string;
    connections: readonly EventConnection[];
    /** Pauses before the second and third attempts; default 1 s and 2 s. */
    retryDelaysMs?: readonly number[];
    /** How long one attempt waits for an answer; default WeCom's 5 s. */
    timeoutMs?: number;
  };
}

/** The member-change callbacks the simulator sends. */
export interface SimulatorEvents {
  /** The events URLs called back (one per connection with `events`). */
  readonly targetUrls: readonly string[];
  /** Resolves once every queued callback has been delivered or given up on (after three attempts). */
  idle(): Promise<void>;
  /** Recent deliveries, oldest first: what was sent (query and body, to replay) and how each attempt went. */
  deliveries(): Delivery[];
}

export interface WeComSimulator {
  /** Serves everything under basePath; passes other paths to next(). */
  middleware(): Koa.Middleware;
  /** API call counters (failed calls included), for tests such as "20 logins cost exactly 1 gettoken". */
  readonly calls: Readonly<Record<SimulatedApi, number>>;
  /** Shifts the simulator's clock: codes expire after 5 min, user tickets after 1800 s, tokens after 7200 s. */
  advanceClock(ms: number): void;
  /** Those tokens answer 40014 from now on, as after a secret reset. */
  invalidateAccessTokens(corpId?: string): void;
  /**
   * The next `times` calls (default 1) of `api` answer `errcode` before any other check, or fail
   * below JSON: 'http_502', 'reset' (connection dropped), 'malformed' (cut-off JSON), 'hang'.
   */
  failNext(api: SimulatedApi, fault: Fault, times?: number): void;
  /**
   * The directory, changed as a WeCom admin would (each change is also called back): list(), find(),
   * disableMember, enableMember, setMemberStatus, deleteMember, moveOutOfScope, moveIntoScope,
   * renameMember, addMember. Errors are `DirectoryError`s (not_found, invalid, conflict, unchanged).
   */
  readonly directory: LiveDirectory;
  readonly events: SimulatorEvents;
  /**
   * WeCom's published JS SDK (`publishedSdk`) pointed at this simulator's stand-in panel, for our
   * pages to load instead of the SDK itself (see panel.ts). `origin` is where the simulator is served.
   */
  loginPanelSdk(publishedSdk: string, origin: string): string;
  /** A login code without clicking through a page, for tests. */
  issueLoginCode(input: { corpId: string; agentId: string; userid?: string; openid?: string; userTicket?: boolean }): string;
}

const BASE_PATH = /^(\/[A-Za-z0-9._~-]+)+$/;

function checkTrustedDomain(value: string): string {
  const domain = value.toLowerCase();
  const parsed = URL.canParse(`http://${domain}`) ? new URL(`http://${domain}`) : undefined;
  if (!parsed || parsed.host !== domain || parsed.pathname !== '/' || parsed.username || parsed.search) {
    throw new Error(`simulator trustedDomain must be host[:port], got "${value}"`);
  }
  return domain;
}

export function createWeComSimulator(options: SimulatorOptions): WeComSimulator {
  if (!BASE_PATH.test(options.basePath)) {
    throw new Error(`simulator basePath must look like "/wecom-simulator" (no trailing slash), got "${options.basePath}"`);
  }
  const trustedDomain = checkTrustedDomain(options.trustedDomain);
  const apps = createHostedApps(options.apps);
  const clock = createClock(options.now);
  const credentials = createCredentials(clock);
  const faults = createFaults();
  const log = options.log.child({ component: 'wecom-simulator' });
  const events = createEventDelivery({
    issuer: options.callbacks?.issuer ?? 'http://localhost',
    connections: options.callbacks?.connections ?? [],
    log,
    now: options.now,
    retryDelaysMs: options.callbacks?.retryDelaysMs,
    timeoutMs: options.callbacks?.timeoutMs,
  });
  const directory = new LiveDirectory((change) => events.send(change));
  const deps: SimulatorDeps = {
    apps,
    clock,
    credentials,
    directory,
    events,
    faults,
    views: createViews(options.basePath),
    log,
    trustedDomain,
    basePath: options.basePath,
    csp: pageCsp(trustedDomain),
  };

  const router = new Router({ prefix: options.basePath });
  registerStaticRoutes(router, deps);
  registerQrLoginRoutes(router, deps);
  registerInClientRoutes(router, deps);
  registerApiRoutes(router, deps);
  registerDirectoryRoutes(router, deps);

  log.warn('WeCom simulator is active: WeCom sign-in goes to a built-in stand-in, not the real WeCom', {
    basePath: options.basePath,
    trustedDomain,
    apps: apps.all.map((app) => `${app.corpId}/${app.agentId}`),
    callbacks: events.targetUrls,
  });

  const isOurs = (path: string) => path === options.basePath || path.startsWith(`${options.basePath}/`);

  return {
    middleware() {
      const routes = router.routes() as unknown as Koa.Middleware;
      const allowedMethods = router.allowedMethods() as unknown as Koa.Middleware;
      return async function wecomSimulator(ctx, next) {
        if (!isOurs(ctx.path)) return next();
        // Unknown paths under basePath end here with 404 (or 405), as they would at WeCom.
        await routes(ctx, () => allowedMethods(ctx, async () => {}));
      };
    },
    get calls() {
      return { ...faults.calls };
    },
    directory,
    events: { targetUrls: events.targetUrls, idle: () => events.idle(), deliveries: () => events.deliveries() },
    advanceClock: (ms) => clock.advance(ms),
    loginPanelSdk: (publishedSdk, origin) => panelSdkSource(publishedSdk, `${origin}${options.basePath}`),
    invalidateAccessTokens: (corpId) => credentials.invalidateAccessTokens(corpId),
    failNext: (api, fault, times = 1) => faults.inject(api, fault, times),
    issueLoginCode(input) {
      const app = apps.find(input.corpId, String(input.agentId));
      if (!app) throw new Error(`the simulator hosts no app ${input.corpId}/${input.agentId}`);
      if (input.userid !== undefined) {
        const member = directory.find(input.userid);
        if (!member) throw new Error(`no demo member "${input.userid}"`);
        const identity = { kind: 'member' as const, userid: member.userid };
        return credentials.issueCode({ corpId: app.corpId, agentId: app.agentId, identity, withUserTicket: input.userTicket ?? false });
      }
      if (!input.openid) throw new Error('issueLoginCode needs a userid or an openid');
      if (input.userTicket) throw new Error('only members get a user_ticket');
      const identity = { kind: 'wechat' as const, openid: input.openid };
      return credentials.issueCode({ corpId: app.corpId, agentId: app.agentId, identity, withUserTicket: false });
    },
  };
}
