/**
 * A circuit breaker for `gettoken`, per app.
 *
 * Some `gettoken` answers do not change by asking again: a wrong secret (40001), corp id (40013) or
 * secret format (40091), a server IP not on the app's trusted list (60020), the API's rate limit
 * (45009): the errcode table marks them `opensBreaker`. WeCom blocks an IP that keeps presenting a bad secret, so after such an answer the app's
 * `gettoken` is not called again for a back-off window: every sign-in meanwhile gets the remembered
 * error at once, and a burst of sign-ins costs one call per window instead of one each. The window
 * starts at `initialMs`, doubles while the answer repeats, and is capped at `maxMs`; the first good
 * answer closes the breaker.
 *
 * The key includes a fingerprint of the secret, so a corrected secret (a configuration change and
 * restart, or a new client built from new configuration) is never held back by the old one's
 * failures. `connections test` builds its client without a breaker: an admin checking a fix must
 * reach WeCom.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../../observability/log.js';
import type { WeComError } from './errors.js';

export const BREAKER_INITIAL_MS = 30_000;
export const BREAKER_MAX_MS = 15 * 60_000;

export interface GettokenBreakerOptions {
  log: Logger;
  initialMs?: number;
  maxMs?: number;
  now?: () => number;
}

interface OpenBreaker {
  error: WeComError;
  until: number;
  backoffMs: number;
}

export interface BreakerApp {
  corpId: string;
  agentId: string;
  secret: string;
}

export class GettokenBreaker {
  readonly #open = new Map<string, OpenBreaker>();
  readonly #log: Logger;
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #now: () => number;

  constructor(options: GettokenBreakerOptions) {
    this.#log = options.log;
    this.#initialMs = options.initialMs ?? BREAKER_INITIAL_MS;
    this.#maxMs = options.maxMs ?? BREAKER_MAX_MS;
    this.#now = options.now ?? Date.now;
  }

  /** The remembered error while the app's breaker is open; undefined when a call may go out. */
  blocked(app: BreakerApp): WeComError | undefined {
    const open = this.#open.get(breakerKey(app));
    return open && this.#now() < open.until ? open.error : undefined;
  }

  /** After a gettoken answer: opens (or widens) the breaker on a listed errcode. */
  failed(app: BreakerApp, error: WeComError): void {
    if (!error.opensBreaker) return;
    const key = breakerKey(app);
    const previous = this.#open.get(key);
    const backoffMs = previous ? Math.min(previous.backoffMs * 2, this.#maxMs) : this.#initialMs;
    this.#open.set(key, { error, until: this.#now() + backoffMs, backoffMs });
    this.#log.error('WeCom refused gettoken; not asking again for this app until the back-off ends', {
      corpId: app.corpId,
      agentId: app.agentId,
      errcode: error.errcode,
      backoffSeconds: Math.round(backoffMs / 1000),
      hint: error.describe('en'),
    });
  }

  succeeded(app: BreakerApp): void {
    if (this.#open.delete(breakerKey(app))) {
      this.#log.info('WeCom gettoken works again; breaker closed', { corpId: app.corpId, agentId: app.agentId });
    }
  }
}

/** corpId/agentId plus a short, one-way fingerprint of the secret (never the secret itself). */
function breakerKey(app: BreakerApp): string {
  const fingerprint = createHash('sha256').update(app.secret).digest('base64url').slice(0, 16);
  return `${app.corpId}/${app.agentId}/${fingerprint}`;
}
