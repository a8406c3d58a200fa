/**
 * Rate limits on what anonymous callers can hammer: /auth, the interaction pages and forms, WeCom's
 * callback (per client IP), and /token (per client IP and per client_id, with a lock-out of a
 * client_id after repeated failed client authentication, which is what slows secret guessing).
 * Over a limit: 429 with Retry-After; at /token an OAuth-style JSON error, elsewhere a short page.
 * The counting is rate-limiter-flexible's (see rate-limit-store.ts); if its store fails, the
 * request goes through: a limiter must not take sign-in down with it.
 *
 * Failed client authentications are known only once oidc-provider has answered, so counting them
 * afterwards would let every guess already in flight when the count passes the limit be answered
 * (a right one among them with tokens). A client_id that failed recently on this replica (see
 * suspect-clients.ts) therefore reserves its failure point before it is answered: refused, it is
 * locked out and gets the 429; answered with anything but invalid_client, the point is given back.
 * A client_id with no recent failure takes today's path and costs no statement more. What remains:
 * the first batch of parallel guesses sent before a replica has seen one of them fail is answered
 * (counted afterwards, so locked out after it), bounded by that batch; and a client that failed
 * once is refused as a guesser would be if it then has more than the remaining points of token
 * requests in flight at the same moment.
 */
import { bodyParser } from '@koa/bodyparser';
import type Koa from 'koa';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimitsConfig } from '../config/schema.js';
import { translator } from '../web/messages/index.js';
import { browserLang } from '../web/pages/language.js';
import type { Logger } from '../observability/log.js';
import type { PageRenderer } from '../web/pages/render.js';
import { clientIp } from './client-ip.js';
import type { RateLimitStore } from './rate-limit-store.js';
import { SuspectClients } from './suspect-clients.js';

type Route = 'auth' | 'interaction' | 'callback' | 'token';

export interface RateLimitOptions {
  basePath: string;
  config: RateLimitsConfig;
  trustProxy: boolean;
  store: RateLimitStore;
  pages: PageRenderer;
  log: Logger;
}

export function rateLimits(options: RateLimitOptions): Koa.Middleware {
  const { basePath, config, store, log } = options;
  if (!config.enabled) return (_ctx, next) => next();
  const perIp: Record<Route, RateLimiterAbstract> = {
    auth: store.create({ name: 'ip-auth', ...config.auth }),
    interaction: store.create({ name: 'ip-interaction', ...config.interaction }),
    callback: store.create({ name: 'ip-callback', ...config.callback }),
    token: store.create({ name: 'ip-token', ...config.token }),
  };
  const perClient = store.create({ name: 'client-token', ...config.tokenPerClient });
  const { points, durationSeconds, lockoutSeconds } = config.clientAuthFailures;
  const failures = store.create({
    name: 'client-auth-failures',
    points,
    durationSeconds,
    // Held over the limit as long as the lock-out (see lockOut), so the count starts afresh after it.
    blockSeconds: lockoutSeconds,
  });
  const suspects = new SuspectClients((durationSeconds + lockoutSeconds) * 1000);
  const tokenBody = bodyParser({ enableTypes: ['form'], formLimit: '56kb' });

  /**
   * `wait`: the seconds to wait when refused; `taken`: whether a point was counted. A store failure
   * allows without counting. Only the first refusal of a key in a window is logged: a flood must
   * not become a flood of log lines.
   */
  const take = async (limiter: RateLimiterAbstract, key: string): Promise<{ wait?: number; taken: boolean }> => {
    try {
      await limiter.consume(key);
      return { taken: true };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        if (rejection.consumedPoints === limiter.points + 1) {
          log.warn('rate limit reached; refusing until the window ends', { limiter: limiter.keyPrefix, retryAfter: retryAfter(rejection) });
        }
        return { wait: retryAfter(rejection), taken: false };
      }
      log.warn('rate limit store failed; request allowed', { limiter: limiter.keyPrefix, message: (rejection as Error)?.message });
      return { taken: false };
    }
  };
  /** undefined when allowed; the seconds to wait when not. */
  const consume = async (limiter: RateLimiterAbstract, key: string): Promise<number | undefined> => (await take(limiter, key)).wait;

  return async (ctx, next) => {
    const route = routeOf(ctx, basePath);
    if (!route) return next();
    const ip = clientIp(ctx.req, options.trustProxy);

    if (route !== 'token') {
      const wait = await consume(perIp[route], ip);
      if (wait !== undefined) return refusePage(ctx, options.pages, wait);
      return next();
    }

    const clientId = await tokenClientId(ctx, tokenBody);
    // A locked-out client_id is refused by its per-client limit, which the lock-out blocks (below):
    // no statement of its own on every token request, and the lock is as shared as that limit.
    const wait = (await consume(perIp.token, ip)) ?? (clientId ? await consume(perClient, clientId) : undefined);
    if (wait !== undefined) return refuseToken(ctx, wait);
    if (!clientId) return next();

    let reserved = false;
    if (suspects.has(clientId)) {
      const reservation = await take(failures, clientId);
      if (reservation.wait !== undefined) {
        // The wait is the lock-out just begun, not the failure window that parallel reservations
        // may still read before the count's block is stored.
        suspects.failed(clientId);
        await lockOut(perClient, clientId, lockoutSeconds, log);
        return refuseToken(ctx, lockoutSeconds);
      }
      reserved = reservation.taken;
    }
    let failed = false;
    try {
      await next();
      failed = ctx.status === 401 && (ctx.body as { error?: unknown } | undefined)?.error === 'invalid_client';
    } finally {
      if (reserved && !failed) await giveBack(failures, clientId, log);
    }
    if (!failed) return;
    suspects.failed(clientId);
    // Not reserved (no recent failure here, or the store failed): counted after the fact; once the
    // count passes the limit, the client_id is locked out.
    if (!reserved && (await consume(failures, clientId)) !== undefined) await lockOut(perClient, clientId, lockoutSeconds, log);
  };
}

function routeOf(ctx: Koa.Context, basePath: string): Route | undefined {
  const path = ctx.path;
  if (path === `${basePath}/token`) return ctx.method === 'POST' ? 'token' : undefined;
  if (path === `${basePath}/auth` || path.startsWith(`${basePath}/auth/`)) return 'auth';
  if (path.startsWith(`${basePath}/interaction/`)) return path.endsWith('/callback') ? 'callback' : 'interaction';
  return undefined;
}

/**
 * The client_id a token request names: from HTTP Basic, else from the form. The form is parsed
 * here and handed to oidc-provider as the raw string it would have read itself.
 */
async function tokenClientId(ctx: Koa.Context, parse: Koa.Middleware): Promise<string | undefined> {
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(ctx.get('authorization'));
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return safeDecode(decoded.slice(0, colon));
  }
  if (!ctx.is('application/x-www-form-urlencoded')) return undefined;
  try {
    await parse(ctx, async () => undefined);
  } catch {
    return undefined; // oidc-provider answers the malformed body itself
  }
  const request = ctx.request as typeof ctx.request & { body?: unknown; rawBody?: string };
  const clientId = (request.body as Record<string, unknown> | undefined)?.client_id;
  if (typeof request.rawBody === 'string') request.body = request.rawBody;
  return typeof clientId === 'string' && clientId ? clientId.slice(0, 200) : undefined;
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' ')).slice(0, 200) || undefined;
  } catch {
    return undefined;
  }
}

/** Every token request of `clientId` is refused for `seconds`, even with the right secret. */
async function lockOut(perClient: RateLimiterAbstract, clientId: string, seconds: number, log: Logger): Promise<void> {
  try {
    await perClient.block(clientId, seconds);
  } catch (error) {
    log.warn('rate limit store failed; client_id not locked out', { limiter: perClient.keyPrefix, message: (error as Error)?.message });
  }
}

/** The failure point a request reserved, returned because it did not fail client authentication. */
async function giveBack(failures: RateLimiterAbstract, clientId: string, log: Logger): Promise<void> {
  try {
    await failures.reward(clientId);
  } catch (error) {
    log.warn('rate limit store failed; a reserved failure point was not given back', {
      limiter: failures.keyPrefix,
      message: (error as Error)?.message,
    });
  }
}

function retryAfter(res: RateLimiterRes): number {
  return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
}

function refuseToken(ctx: Koa.Context, seconds: number): void {
  ctx.status = 429;
  ctx.set('Retry-After', String(seconds));
  ctx.set('Cache-Control', 'no-store');
  ctx.body = { error: 'temporarily_unavailable', error_description: `too many requests; retry after ${seconds} seconds` };
}

function refusePage(ctx: Koa.Context, pages: PageRenderer, seconds: number): void {
  ctx.set('Retry-After', String(seconds));
  if (!ctx.accepts('html')) {
    ctx.status = 429;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = 'Too Many Requests\n';
    return;
  }
  const lang = browserLang(ctx);
  const t = translator(lang);
  const title = t('rate_limited.title');
  pages.send(ctx, 'message', { lang, title, heading: title, message: t('rate_limited.message', { seconds }) }, { status: 429 });
}
