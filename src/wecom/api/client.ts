/**
 * The WeCom server API calls a login needs, with WeCom's retry rules applied in one place.
 *
 * Retry rules (the errcode table in errors.ts; WeCom document 90313):
 * - -1 (busy): retry after 100 ms, then 300 ms: at most 3 tries;
 * - 40014/42001 (token invalid/expired): invalidate that token, fetch a fresh one, retry once;
 * - a transport failure (5xx, reset, malformed answer, timeout) of an idempotent call (gettoken,
 *   user/get, department/get, auth/getuserdetail) is retried once after a random 50-250 ms pause,
 *   if the call's total budget (`wecom.timeoutMs`) leaves room; `auth/getuserinfo` redeems a
 *   single-use code, so it is retried only when the request provably never left (`notSent`);
 * - everything else, and above all 40001/40013/40091 (bad secret/corp id), propagates at once:
 *   WeCom blocks an IP for an hour after repeated wrong-secret calls.
 * WeCom errors are logged at warn with errcode, api and category; the secret, tokens, login codes
 * and user tickets never reach a log line.
 */
import type { WeComEndpoints } from '../../config/schema.js';
import type { Logger } from '../../observability/log.js';
import { WeComError, WeComTransportError, isWeComError, isWeComTransportError } from './errors.js';
import type { GettokenBreaker } from './gettoken-breaker.js';
import { WeComHttp, type WeComCallOptions } from './http.js';
import { describeProxy } from './proxy.js';
import {
  departmentAnswer,
  gettokenAnswer,
  getuserinfoAnswer,
  memberAnswer,
  parseAnswer,
  userDetailAnswer,
  type WeComDepartment,
  type WeComMember,
  type WeComUserDetail,
} from './responses.js';
import { AccessTokenCache } from './token-cache.js';

/** One self-built app inside a corp: what a connection's configuration names. */
export interface WeComApp {
  corpId: string;
  agentId: string;
  secret: string;
}

/** Who a login code belongs to. A non-member (openid) is never a corp member, whatever else it has. */
export type LoginIdentity = { kind: 'member'; userid: string; userTicket?: string } | { kind: 'non_member'; openid: string; externalUserid?: string };

export interface WeComClientOptions {
  /** Either a ready `WeComHttp` or the endpoints to build one from. */
  http?: WeComHttp;
  endpoints?: Pick<WeComEndpoints, 'apiBase' | 'timeoutMs' | 'proxy'> & Partial<Pick<WeComEndpoints, 'connectTimeoutMs' | 'responseTimeoutMs'>>;
  /** The budget of one call with its retry (`wecom.timeoutMs`), when `http` is given ready-made. */
  timeoutMs?: number;
  /** Defaults to an in-memory cache; pass a shared one so replicas refresh once between them. */
  tokenCache?: AccessTokenCache;
  log: Logger;
  /** Epoch ms, for the default token cache. */
  now?: () => number;
  /** Pauses before each retry of a busy (-1) answer; tries = length + 1. */
  busyRetryDelaysMs?: readonly number[];
  /** Holds back gettoken after an answer that asking again cannot fix (the server's client has one). */
  breaker?: GettokenBreaker;
}

export const DEFAULT_BUSY_RETRY_DELAYS_MS: readonly number[] = [100, 300];

/** Calls that change nothing at WeCom: sending one twice is harmless. */
const IDEMPOTENT_APIS: ReadonlySet<string> = new Set(['gettoken', 'user/get', 'department/get', 'auth/getuserdetail']);
/** The pause before a transport retry, drawn at random so that replicas do not retry in step. */
const TRANSPORT_RETRY_PAUSE_MS = { min: 50, max: 250 } as const;
/** A retry is only worth sending with at least this much of the budget left. */
const MIN_ATTEMPT_MS = 200;

/** WeCom's codes are at most 512 bytes (contract, identifiers). */
const MAX_CODE_BYTES = 512;

export class WeComClient {
  readonly #http: WeComHttp;
  readonly #tokens: AccessTokenCache;
  readonly #log: Logger;
  readonly #busyDelays: readonly number[];
  readonly #breaker: GettokenBreaker | undefined;
  readonly #budgetMs: number;

  constructor(options: WeComClientOptions) {
    if (options.http) this.#http = options.http;
    else if (options.endpoints) this.#http = new WeComHttp(options.endpoints);
    else throw new TypeError('WeComClient needs either `http` or `endpoints`');
    this.#tokens = options.tokenCache ?? new AccessTokenCache(options.now ? { now: options.now } : {});
    this.#log = options.log;
    if (this.#http.proxy) this.#log.info('WeCom API calls go through a proxy', { proxy: describeProxy(this.#http.proxy) });
    this.#busyDelays = options.busyRetryDelaysMs ?? DEFAULT_BUSY_RETRY_DELAYS_MS;
    this.#breaker = options.breaker;
    this.#budgetMs = options.endpoints?.timeoutMs ?? options.timeoutMs ?? 5_000;
  }

  /** The app's cached access_token, fetched with `gettoken` only when absent or near expiry. */
  getAccessToken(app: WeComApp): Promise<string> {
    return this.#tokens.get(app, async () => {
      const remembered = this.#breaker?.blocked(app);
      if (remembered) throw remembered;
      let answer: Awaited<ReturnType<WeComHttp['get']>>;
      try {
        answer = await this.#withBusyRetry(app, 'gettoken', (call) =>
          this.#http.get('gettoken', '/cgi-bin/gettoken', { corpid: app.corpId, corpsecret: app.secret }, call),
        );
      } catch (error) {
        if (isWeComError(error)) this.#breaker?.failed(app, error);
        throw error;
      }
      this.#breaker?.succeeded(app);
      const { access_token, expires_in } = parseAnswer(gettokenAnswer, answer, 'gettoken');
      this.#log.info('fetched WeCom access token', {
        corpId: app.corpId,
        agentId: app.agentId,
        expiresIn: expires_in,
      });
      return { accessToken: access_token, expiresInSeconds: expires_in };
    });
  }

  /**
   * Redeems a login code (from QR login or in-client OAuth) for who signed in. Uses the current
   * `auth/getuserinfo`, whose answer says `userid` for members and `openid` for non-members; the
   * legacy `user/getuserinfo` (capitalised `UserId`) is deliberately not used.
   */
  async exchangeLoginCode(app: WeComApp, code: string): Promise<LoginIdentity> {
    const api = 'auth/getuserinfo';
    // Answer locally what WeCom would answer, without sending a bogus value upstream.
    if (!code) throw new WeComError(41008, api);
    if (Buffer.byteLength(code) > MAX_CODE_BYTES) throw new WeComError(40029, api);
    const answer = await this.#withToken(app, api, (token, call) =>
      this.#http.get(api, '/cgi-bin/auth/getuserinfo', { access_token: token, code }, call),
    );
    const { userid, user_ticket, openid, external_userid } = parseAnswer(getuserinfoAnswer, answer, api);
    if (userid) return { kind: 'member', userid, ...(user_ticket ? { userTicket: user_ticket } : {}) };
    if (openid) return { kind: 'non_member', openid, ...(external_userid ? { externalUserid: external_userid } : {}) };
    throw new WeComTransportError(api, 'invalid_response', 'answer has neither userid nor openid');
  }

  /** `user/get`: 60011/60111 here mean the member is outside the app's visible scope or gone. */
  async getMember(app: WeComApp, userid: string): Promise<WeComMember> {
    const api = 'user/get';
    const answer = await this.#withToken(app, api, (token, call) => this.#http.get(api, '/cgi-bin/user/get', { access_token: token, userid }, call));
    return parseAnswer(memberAnswer, answer, api);
  }

  /** Sensitive fields the member consented to share (in-client `snsapi_privateinfo` only). */
  async getUserDetail(app: WeComApp, userTicket: string): Promise<WeComUserDetail> {
    const api = 'auth/getuserdetail';
    const answer = await this.#withToken(app, api, (token, call) =>
      this.#http.post(api, '/cgi-bin/auth/getuserdetail', { access_token: token }, { user_ticket: userTicket }, call),
    );
    return parseAnswer(userDetailAnswer, answer, api);
  }

  async getDepartment(app: WeComApp, id: number): Promise<WeComDepartment> {
    const api = 'department/get';
    const answer = await this.#withToken(app, api, (token, call) =>
      this.#http.get(api, '/cgi-bin/department/get', { access_token: token, id: String(id) }, call),
    );
    return parseAnswer(departmentAnswer, answer, api).department;
  }

  /**
   * Runs a call with the app's token; if WeCom says the token is dead, drops exactly that token
   * (so concurrent failures refresh once) and retries once with a fresh one.
   */
  async #withToken<T>(app: WeComApp, api: string, send: (token: string, call: WeComCallOptions) => Promise<T>): Promise<T> {
    const token = await this.getAccessToken(app);
    try {
      return await this.#withBusyRetry(app, api, (call) => send(token, call));
    } catch (error) {
      if (!isWeComError(error) || error.retry !== 'refresh_token') throw error;
      await this.#tokens.invalidate(app, token);
      const fresh = await this.getAccessToken(app);
      return await this.#withBusyRetry(app, api, (call) => send(fresh, call));
    }
  }

  /**
   * Sends a call, retrying a busy answer (-1) with back-off and a transport failure once (see the
   * top of this file), all within the call's budget: each attempt gets what is left of it.
   */
  async #withBusyRetry<T>(app: WeComApp, api: string, send: (call: WeComCallOptions) => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.#budgetMs;
    let busyRetries = 0;
    let transportRetried = false;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await send({ timeoutMs: Math.max(MIN_ATTEMPT_MS, deadline - Date.now()) });
      } catch (error) {
        this.#logFailure(app, api, error, attempt);
        if (isWeComTransportError(error)) {
          const pause = TRANSPORT_RETRY_PAUSE_MS.min + Math.random() * (TRANSPORT_RETRY_PAUSE_MS.max - TRANSPORT_RETRY_PAUSE_MS.min);
          const retryable = IDEMPOTENT_APIS.has(api) || error.notSent;
          if (transportRetried || !retryable || error.reason === 'tls' || Date.now() + pause + MIN_ATTEMPT_MS > deadline) throw error;
          transportRetried = true;
          await new Promise((resolve) => setTimeout(resolve, pause));
          continue;
        }
        const delay = this.#busyDelays[busyRetries];
        if (!isWeComError(error) || error.retry !== 'backoff' || delay === undefined) throw error;
        busyRetries += 1;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** Only fixed, non-secret facts: our errors' messages never contain URLs, tokens or codes. */
  #logFailure(app: WeComApp, api: string, error: unknown, attempt: number): void {
    const where = { api, corpId: app.corpId, agentId: app.agentId, attempt };
    if (isWeComError(error)) {
      this.#log.warn('WeCom answered an error', {
        ...where,
        errcode: error.errcode,
        category: error.category,
        ...(error.fromIp ? { fromIp: error.fromIp } : {}),
        ...(error.hint ? { hint: error.hint } : {}),
      });
    } else if (isWeComTransportError(error)) {
      this.#log.warn('WeCom could not be reached', {
        ...where,
        category: error.category,
        reason: error.reason,
        ...(error.status !== undefined ? { status: error.status } : {}),
        error: error.message,
      });
    }
  }
}
